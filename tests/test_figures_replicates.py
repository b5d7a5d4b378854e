"""The heatmap of a matrix with replicates: statistics in the hover (float32 customdata below the
limit, per-cell text for mixed kinds of cells, nothing above the limit), significance marks in
cell text, the value-suppressing palette's codes over the cells, its wedge legend, the slots."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.io as pio
import pytest

from transfer import figures, vsup
from transfer.cluster_figures import LEGEND_CORNER
from transfer.datasets import Datasets
from transfer.figures import (
    CLICK_FOR_INTERVAL,
    HOVER_HEAD,
    HeatmapImage,
    HeatmapTrace,
    _d3_fixed,
    _d3_general,
    cell_labels,
    heatmap_figure,
    legend_ticks,
)
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread, sample_means
from transfer.store import DatasetStore
from transfer.uncertainty import SIG_LEVELS, cell_stats
from transfer.view import view_from_query

LABELS = ["A", "B", "C"]


def replicated(samples: np.ndarray, **extra) -> TransferMatrix:
    _, means = sample_means(samples)
    ids = [f"seed{k}" for k in range(samples.shape[2])]
    return TransferMatrix(LABELS[: samples.shape[0]], LABELS[: samples.shape[1]], means,
                          spread=Spread.from_samples(samples, ids), metric="AUC diff", **extra)


# Five seeds everywhere, effects from none to strong: every cell has sd, interval, p and q.
SEEDS = np.array([
    [[0.30, 0.31, 0.29, 0.30, 0.32], [0.01, -0.02, 0.03, 0.00, -0.01], [0.10, 0.12, 0.08, 0.11, 0.09]],
    [[-0.20, -0.22, -0.19, -0.21, -0.20], [0.05, 0.00, 0.09, -0.02, 0.04], [0.02, 0.03, 0.01, 0.02, 0.025]],
    [[0.00, 0.05, -0.05, 0.02, -0.02], [0.15, 0.16, 0.14, 0.15, 0.17], [-0.05, -0.06, -0.04, -0.05, -0.07]],
])
UNIFORM = replicated(SEEDS)


def mixed_samples() -> np.ndarray:
    samples = SEEDS.copy()
    samples[0, 1, 1:] = np.nan  # one seed: no interval
    samples[2, 0, :] = 0.04  # every seed equal: a zero-width interval and no test
    samples[1, 2, :] = np.nan  # missing
    return samples


MIXED = replicated(mixed_samples())


def cells(fig):
    return fig.data[HeatmapTrace.CELLS]


def payload(fig, slot: int) -> dict:
    return json.loads(pio.to_json(fig))["data"][slot]


def decoded(array: dict, dtype: str) -> np.ndarray:
    shape = tuple(int(k) for k in array["shape"].split(","))
    return np.frombuffer(base64.b64decode(array["bdata"]), dtype=dtype).reshape(shape)


# --- hover -----------------------------------------------------------------------------------------


def test_uniform_cells_send_their_statistics_as_float32_customdata_read_by_one_template():
    stats = cell_stats(UNIFORM, 95)
    fig = heatmap_figure(UNIFORM, stats=stats)
    sent = payload(fig, HeatmapTrace.CELLS)
    assert sent["customdata"]["dtype"] == "f4" and sent["customdata"]["shape"] == "3, 3, 6"
    data = decoded(sent["customdata"], "<f4")
    for k, name in enumerate(figures.STATS_COLUMNS):
        np.testing.assert_array_equal(data[..., k], getattr(stats, name).astype(np.float32))
    template = sent["hovertemplate"]
    assert template == (
        "Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f} ± %{customdata[0]:.4~f} sd, n = %{customdata[1]:.0f}"
        "<br>95% CI [%{customdata[2]:.4~f}, %{customdata[3]:.4~f}]"
        "<br>p = %{customdata[4]:.2~g}, q = %{customdata[5]:.2~g}<extra></extra>")
    assert "hovertext" not in sent


def test_the_interval_level_is_the_views():
    template = cells(heatmap_figure(UNIFORM, stats=cell_stats(UNIFORM, 99))).hovertemplate
    assert "<br>99% CI [" in template


def test_a_comparison_keeps_its_two_sources_first_and_the_statistics_after():
    class Side:
        def __init__(self, name):
            self.name = name

    class FakeComparison:  # what heatmap_figure reads of a transfer.compare.Comparison
        this, other = Side("mine"), Side("theirs")

        def sources_at(self, rows, cols):
            return np.full((3, 3), 0.5), np.full((3, 3), 0.25)

    stats = cell_stats(UNIFORM, 95)
    fig = heatmap_figure(UNIFORM, comparison=FakeComparison(), stats=stats)
    data = decoded(payload(fig, HeatmapTrace.CELLS)["customdata"], "<f4")
    assert data.shape == (3, 3, 8) and (data[..., 0] == 0.5).all() and (data[..., 1] == 0.25).all()
    np.testing.assert_array_equal(data[..., 2], stats.std.astype(np.float32))
    template = cells(fig).hovertemplate
    assert "± %{customdata[2]:.4~f} sd" in template and "q = %{customdata[7]:.2~g}" in template
    assert template.endswith(
        "<br>%{meta[1]}: %{customdata[0]:.4~f}<br>%{meta[2]}: %{customdata[1]:.4~f}<extra></extra>")
    assert list(cells(fig).meta) == ["AUC diff", "mine", "theirs"]


def test_cells_of_different_kinds_get_their_statistics_as_text_without_undefined_numbers():
    stats = cell_stats(MIXED, 95)
    trace = cells(heatmap_figure(MIXED, stats=stats))
    assert trace.customdata is None  # no comparison: nothing else to carry
    assert trace.hovertemplate == "Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}%{hovertext}<extra></extra>"
    text = trace.hovertext
    assert text[0][1] == "<br>1 replicate, no interval"
    assert text[2][0] == " ± 0 sd, n = 5<br>95% CI [0.04, 0.04]"  # equal seeds: no test, so no p or q
    assert text[1][2] == ""  # missing
    regular = text[0][0]
    sd, lo, hi = (float(np.float32(getattr(stats, name)[0, 0])) for name in ("std", "ci_low", "ci_high"))
    p, q = (float(np.float32(getattr(stats, name)[0, 0])) for name in ("p", "q"))
    assert regular == (f" ± {_d3_fixed(sd, 4)} sd, n = 5<br>95% CI [{_d3_fixed(lo, 4)}, {_d3_fixed(hi, 4)}]"
                       f"<br>p = {_d3_general(p)}, q = {_d3_general(q)}")
    assert not any("nan" in cell.lower() for row in text for cell in row)


def test_only_the_segments_that_differ_from_the_first_on_go_as_text():
    """Cells whose seeds are all equal (norm=diag's in-domain cells) have an sd, n and interval but
    no test: those stay float32 in the template; p and q alone are each cell's text."""
    samples = SEEDS.copy()
    samples[2, 0, :] = 0.04
    matrix = replicated(samples)
    stats = cell_stats(matrix, 95)
    trace = cells(heatmap_figure(matrix, stats=stats))
    assert trace.hovertemplate == (
        "Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f} ± %{customdata[0]:.4~f} sd, n = %{customdata[1]:.0f}"
        "<br>95% CI [%{customdata[2]:.4~f}, %{customdata[3]:.4~f}]%{hovertext}<extra></extra>")
    assert np.asarray(trace.customdata).shape == (3, 3, 6)
    assert trace.hovertext[2][0] == ""
    p, q = (float(np.float32(getattr(stats, name)[0, 0])) for name in ("p", "q"))
    assert trace.hovertext[0][0] == f"<br>p = {_d3_general(p)}, q = {_d3_general(q)}"


def test_above_the_text_limit_cells_that_differ_keep_what_reads_alike(monkeypatch):
    monkeypatch.setattr(figures, "HOVER_TEXT_CELL_LIMIT", 8)
    trace = cells(heatmap_figure(MIXED, stats=cell_stats(MIXED, 95)))  # differs from the first segment on
    assert trace.hovertext is None and trace.customdata is None
    assert trace.hovertemplate == HOVER_HEAD + CLICK_FOR_INTERVAL + "<extra></extra>"
    samples = SEEDS.copy()
    samples[2, 0, :] = 0.04  # only p and q differ: the interval stays, p and q are left out
    matrix = replicated(samples)
    trace = cells(heatmap_figure(matrix, stats=cell_stats(matrix, 95)))
    assert trace.hovertext is None and trace.hovertemplate.endswith("%{customdata[3]:.4~f}]<extra></extra>")


def test_a_matrix_of_single_replicates_says_so_in_one_template():
    samples = SEEDS[..., :1]
    matrix = replicated(samples)
    trace = cells(heatmap_figure(matrix, stats=cell_stats(matrix, 95)))
    assert trace.hovertemplate.endswith("%{z:.4~f}<br>1 replicate, no interval<extra></extra>")


def test_above_the_limit_the_hover_says_to_click_the_cell(monkeypatch):
    monkeypatch.setattr(figures, "HOVER_STATS_CELL_LIMIT", 8)  # UNIFORM has 9 cells
    trace = cells(heatmap_figure(UNIFORM, stats=cell_stats(UNIFORM, 95)))
    assert trace.customdata is None and trace.hovertext is None
    assert trace.hovertemplate == ("Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}" + CLICK_FOR_INTERVAL
                                   + "<extra></extra>")
    monkeypatch.setattr(figures, "HOVER_STATS_CELL_LIMIT", 9)
    assert cells(heatmap_figure(UNIFORM, stats=cell_stats(UNIFORM, 95))).customdata is not None


def test_the_documented_limit_keeps_hover_data_under_a_megabyte():
    assert figures.HOVER_STATS_CELL_LIMIT == 40_000
    assert figures.HOVER_STATS_CELL_LIMIT * len(figures.STATS_COLUMNS) * 4 < 2**20


@pytest.mark.parametrize(
    "value, text",
    [(0.0, "0"), (0.1, "0.1"), (-0.00004, "0"), (-0.00005, "-0.0001"), (0.12345, "0.1235"), (2.0, "2"),
     (-1.5, "-1.5"), (0.00005, "0.0001")],
)
def test_fixed_numbers_read_as_d3_writes_them(value, text):
    assert _d3_fixed(value, 4) == text


@pytest.mark.parametrize(
    "value, text",
    [(0.00031, "0.00031"), (3.1e-7, "3.1e-7"), (0.0000312, "0.000031"), (0.999, "1"), (0.0996, "0.1"),
     (12.5, "13"), (1.0, "1"), (0.05, "0.05"), (0.0, "0"), (1.234e-12, "1.2e-12"), (0.125, "0.13")],
)
def test_general_numbers_read_as_d3_writes_them(value, text):
    assert _d3_general(value, 2) == text


# --- cell text ------------------------------------------------------------------------------------


def test_cells_carry_their_significance_marks_after_the_value():
    stats = cell_stats(UNIFORM, 95)
    labels = cell_labels(UNIFORM, stats, with_marks=True)
    stars = {0: "", 1: "", 2: "*", 3: "**", 4: "***"}
    codes = stats.codes()
    for i in range(3):
        for j in range(3):
            value = _d3_fixed(float(np.float32(UNIFORM.values[i, j])), 2, trim=False)
            assert labels[i][j] == value + stars[int(codes[i, j])]
    assert any(label.endswith("***") for row in labels for label in row)
    assert any(not label.endswith("*") for row in labels for label in row)
    assert cell_labels(UNIFORM, stats, with_marks=False) == [[label.rstrip("*") for label in row] for row in labels]


def test_under_the_palette_the_labels_ride_on_its_trace_and_plain_colours_keep_them_on_the_cells():
    stats = cell_stats(UNIFORM, 95)
    labels = cell_labels(UNIFORM, stats, with_marks=True)
    vsup_fig = heatmap_figure(UNIFORM, stats=stats)
    assert cells(vsup_fig).texttemplate is None and cells(vsup_fig).text is None
    assert vsup_fig.data[HeatmapTrace.UNCERTAINTY].texttemplate == "%{text}"
    assert [list(row) for row in vsup_fig.data[HeatmapTrace.UNCERTAINTY].text] == labels
    plain = heatmap_figure(UNIFORM, stats=stats, unc="none")
    assert cells(plain).texttemplate == "%{text}" and [list(row) for row in cells(plain).text] == labels
    unmarked = heatmap_figure(UNIFORM, stats=stats, unc="none", marks=False)
    assert not any("*" in label for row in cells(unmarked).text for label in row)


def test_large_matrices_get_no_cell_text_with_replicates_either():
    n = 31
    rng = np.random.default_rng(0)
    samples = rng.normal(0, 0.1, (n, n, 3))
    _, means = sample_means(samples)
    labels = [f"t{k}" for k in range(n)]
    matrix = TransferMatrix(labels, labels, means, spread=Spread.from_samples(samples, "abc"))
    fig = heatmap_figure(matrix, stats=cell_stats(matrix, 95))
    assert fig.data[HeatmapTrace.UNCERTAINTY].text is None and cells(fig).texttemplate is None


# --- the value-suppressing palette ------------------------------------------------------------


def test_the_palette_trace_draws_codes_over_the_cells_and_carries_the_significance_codes():
    stats = cell_stats(MIXED, 95)
    fig = heatmap_figure(MIXED, stats=stats)
    sent = payload(fig, HeatmapTrace.UNCERTAINTY)
    zmin, zmax = MIXED.value_range()
    colours = vsup.codes(MIXED.values, stats.ci_high - stats.ci_low, zmin, zmax)
    z = decoded(sent["z"], "u1")
    assert sent["z"]["dtype"] == "u1" and (z & 15 == colours).all()  # one byte a cell: the colour below ...
    assert (z >> sent["meta"]["sig_shift"] == stats.codes()).all()  # ... and the significance above
    assert z[1, 2] & 15 == vsup.MISSING and z[0, 1] & 15 == vsup.OFFSETS[3]
    assert "customdata" not in sent and sent["meta"]["sig_levels"] == list(SIG_LEVELS)
    layers = len(SIG_LEVELS) + 1
    assert (sent["zmin"], sent["zmax"]) == vsup.code_range(layers) and sent["hoverinfo"] == "skip"
    assert sent["showscale"] is False
    assert sent["colorscale"] == vsup.colorscale(vsup.palette(figures.DIVERGING, zmin, zmax), layers)


def test_plain_colours_keep_the_significance_codes_but_draw_nothing_over_the_cells():
    stats = cell_stats(UNIFORM, 95)
    fig = heatmap_figure(UNIFORM, stats=stats, unc="none")
    trace = fig.data[HeatmapTrace.UNCERTAINTY]
    assert len(trace.z) == 0 and (np.asarray(trace.customdata) == stats.codes()).all()
    assert trace.meta == {"sig_levels": list(SIG_LEVELS)}
    assert cells(fig).showscale is True and "xaxis7" not in fig.layout.to_plotly_json()
    assert len(fig.layout.images) == len(HeatmapImage)
    assert fig.data[HeatmapTrace.LEGEND].type == "scatter" and len(fig.data[HeatmapTrace.LEGEND].x) == 0


def test_the_wedge_legend_replaces_the_colour_bar():
    stats = cell_stats(UNIFORM, 95)
    fig = heatmap_figure(UNIFORM, stats=stats)
    assert cells(fig).showscale is False
    legend = fig.data[HeatmapTrace.LEGEND]
    zmin, zmax = UNIFORM.value_range()
    palette = vsup.palette(figures.DIVERGING, zmin, zmax)
    # on cartesian axes of its own, of equal scale (the page's plotly.js has no polar subplots)
    assert legend.type == "scatter" and legend.hoverinfo == "skip" and (legend.xaxis, legend.yaxis) == ("x7", "y7")
    x7, y7 = fig.layout.xaxis7, fig.layout.yaxis7
    assert tuple(x7.domain) == figures.LEGEND_DOMAIN["x"] and tuple(y7.domain) == figures.LEGEND_DOMAIN["y"]
    assert y7.scaleanchor == "x7" and y7.scaleratio == 1 and not x7.visible and x7.fixedrange and y7.fixedrange
    # its colours: the palette's, as one picture over the wedge's box
    wedge = [image for image in fig.layout.images if image.name == figures.LEGEND_NAME]
    assert len(wedge) == 1 and (wedge[0].xref, wedge[0].yref, wedge[0].sizing) == ("x7", "y7", "stretch")
    svg = base64.b64decode(wedge[0].source.removeprefix("data:image/svg+xml;base64,")).decode()
    assert svg == vsup.wedge_svg(palette, figures.LEGEND_SECTOR)
    assert (wedge[0].sizex, wedge[0].x) == (vsup.LEVELS, 0) and wedge[0].sizey == pytest.approx(2 * wedge[0].y)
    # its texts: the values along the arc (the legend's lines are their ticks), certainty along the lower edge
    ticks = legend_ticks(zmin, zmax)
    notes = [note for note in fig.layout.annotations if note.name == figures.LEGEND_NAME]
    texts = [figures.display_number(v) for v in ticks]
    assert [note.text for note in notes] == [*texts, "less certain", "more certain"]
    angle = -35 + 70 * (ticks[0] - zmin) / (zmax - zmin)
    assert math.degrees(math.atan2(notes[0].y, notes[0].x)) == pytest.approx(angle, abs=0.01)
    assert [x is None for x in legend.x].count(True) == len(ticks)
    assert all(note.textangle == 35 for note in notes[-2:])
    for note in notes:  # plotly hides an annotation whose point is outside its axes' ranges
        assert x7.range[0] <= note.x <= x7.range[1] and y7.range[0] <= note.y <= y7.range[1]
    title = [note for note in fig.layout.annotations if note.name == figures.LEGEND_TITLE]
    assert [note.text for note in title] == ["AUC diff"]
    assert tuple(fig.layout.xaxis.domain) == figures.HEATMAP_DOMAIN_WITH_LEGEND  # room for the wedge


@pytest.mark.parametrize(
    "low, high, ticks",
    [(-0.269, 0.269, [-0.2, 0.0, 0.2]), (0.0, 1.0, [0.0, 0.5, 1.0]), (-0.0835, 0.0835, [-0.05, 0.0, 0.05]),
     (0.3, 0.9, [0.4, 0.6, 0.8]), (-3.2, 3.2, [-2.0, 0.0, 2.0])],
)
def test_legend_ticks_are_round_values_inside_the_range(low, high, ticks):
    assert legend_ticks(low, high) == pytest.approx(ticks)


def test_the_cluster_order_moves_the_wedge_to_the_top_left_corner(tmp_path):
    datasets = Datasets(DatasetStore(f"sqlite:///{tmp_path / 'store.sqlite'}"))
    dataset = datasets.put(UNIFORM)
    from transfer.cluster_figures import FIRST_MARGIN_TRACE, decorate_heatmap

    view = view_from_query(datasets, f"dataset={dataset}&order=cluster&k=2")
    fig = heatmap_figure(view.matrix, stats=view.stats)
    decorate_heatmap(fig, view)
    assert len(fig.data) > FIRST_MARGIN_TRACE == len(HeatmapTrace)
    assert tuple(fig.layout.xaxis7.domain) == LEGEND_CORNER[0] and tuple(fig.layout.yaxis7.domain) == LEGEND_CORNER[1]
    title = next(note for note in fig.layout.annotations if note.name == figures.LEGEND_TITLE)
    assert (title.x, title.y) == (LEGEND_CORNER[0][0], LEGEND_CORNER[1][1])


# --- slots and the matrix without replicates ------------------------------------------------------


def test_slots_stay_fixed_with_replicates():
    for unc in ("vsup", "none"):
        fig = heatmap_figure(UNIFORM, stats=cell_stats(UNIFORM, 95), unc=unc)
        assert [t.name for t in fig.data] == [slot.name.lower() for slot in HeatmapTrace]
        assert all(t.hoverinfo == "skip" for t in fig.data[1:])
        # the palette is a trace: below the threshold fade and outlines (layout images and shapes above the traces)
        assert [(image.name, image.layer) for image in fig.layout.images][HeatmapImage.FADE] == ("fade", "above")


def test_without_replicates_the_figure_is_as_before():
    plain = TransferMatrix(LABELS, LABELS, UNIFORM.values, metric="AUC diff")
    fig = heatmap_figure(plain)
    trace = cells(fig)
    assert trace.hovertemplate == "Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}<extra></extra>"
    assert trace.customdata is None and trace.hovertext is None and trace.text is None
    assert trace.texttemplate == "%{z:.2f}" and trace.showscale is True
    assert "xaxis7" not in fig.layout.to_plotly_json() and fig.layout.xaxis.domain is None
    assert not fig.layout.annotations
    assert fig.layout.margin.r == 10
    # the options of a matrix with replicates change nothing here
    other = heatmap_figure(plain, marks=False, unc="none")
    assert json.loads(pio.to_json(other)) == json.loads(pio.to_json(fig))
