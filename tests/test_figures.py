"""The heatmap figure builder: colour centre, labels, hover, cell text, slots."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import numpy as np
import plotly.io as pio
import pytest
from plotly.colors import sample_colorscale

from transfer import palettes, vsup
from transfer.figures import (
    DIVERGING,
    LABEL_CELL_LIMIT,
    HeatmapImage,
    HeatmapShape,
    HeatmapTrace,
    graph_config,
    heatmap_figure,
    outline_path,
)
from transfer.matrix import TransferMatrix

DIFF = TransferMatrix(
    rows=["A", "B"], cols=["A", "B"], values=np.array([[0.2, -0.1], [np.nan, 0.05]]), metric="AUC difference",
)
AUC = TransferMatrix(
    rows=["A", "B"], cols=["A", "B"], values=np.array([[0.9, 0.4], [0.6, 0.8]]), metric="AUC", neutral=0.5,
    scale=(0.0, 1.0),
)


def cells(fig):
    return fig.data[HeatmapTrace.CELLS]


def test_difference_scale_is_white_at_zero_and_symmetric():
    trace = cells(heatmap_figure(DIFF))
    assert trace.zmid is None and (trace.zmin, trace.zmax) == (-0.2, 0.2)  # the stops put white at 0
    assert trace.colorscale[2] == (0.5, DIVERGING[2][1])  # white-ish exactly in the middle
    assert trace.colorscale[0][1] < "#3" and trace.colorscale[-1][1].startswith("#b2")  # blue low, red high


def test_auc_scale_is_fixed_zero_to_one_centred_at_half():
    trace = cells(heatmap_figure(AUC))
    assert (trace.zmin, trace.zmax) == (0.0, 1.0) and trace.zmid is None
    assert (trace.zmin + trace.zmax) / 2 == AUC.neutral


def test_large_matrices_get_margins_for_their_labels_instead_of_a_second_draw():
    labels = [f"task-{i:04d}" for i in range(40)]
    big = TransferMatrix(rows=labels, cols=[label + "-long-name" for label in labels], values=np.zeros((40, 40)))
    fig = heatmap_figure(big)
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False
    # 9 and 19 characters: the column labels (slanted) need more room than the row labels
    assert 32 + 7 * 9 < fig.layout.margin.l < fig.layout.margin.b <= 32 + 8 + 240
    small = heatmap_figure(DIFF)
    assert small.layout.xaxis.automargin is True and small.layout.margin.l == 10  # plotly sizes them


def test_labels_axes_and_order():
    fig = heatmap_figure(DIFF)
    trace = cells(fig)
    assert list(trace.y) == ["A", "B"] and list(trace.x) == ["A", "B"]
    # first row on top, as in the file; exactly the cells, the same ranges as the overlay axes
    assert tuple(fig.layout.yaxis.range) == (1.5, -0.5) == tuple(fig.layout.yaxis2.range)
    assert tuple(fig.layout.xaxis.range) == (-0.5, 1.5) == tuple(fig.layout.xaxis2.range)
    assert fig.layout.xaxis.title.text == "Test dataset" and fig.layout.yaxis.title.text == "Train dataset"
    assert fig.layout.xaxis.type == "category" and fig.layout.yaxis.type == "category"
    assert fig.layout.yaxis.scaleanchor == "x"  # square cells
    assert trace.colorbar.title.text == "AUC difference"


def test_missing_cells_stay_missing():
    z = np.asarray(cells(heatmap_figure(DIFF)).z, dtype=float)
    assert np.isnan(z[1, 0]) and not np.isnan(z).all()


def test_hover_uses_placeholders_never_pasted_labels():
    evil = TransferMatrix(rows=["<b>x</b>"], cols=["%{z}"], values=np.array([[1.0]]), metric="<i>m</i>")
    template = cells(heatmap_figure(evil)).hovertemplate
    assert "%{y}" in template and "%{x}" in template and "%{meta[0]}" in template
    assert "<b>x</b>" not in template and "<i>m</i>" not in template


def test_cells_are_labelled_to_two_decimals_only_when_small():
    assert cells(heatmap_figure(DIFF)).texttemplate == "%{z:.2f}"
    n = int(np.sqrt(LABEL_CELL_LIMIT)) + 1
    big = TransferMatrix(rows=[f"r{i}" for i in range(n)], cols=[f"c{i}" for i in range(n)], values=np.zeros((n, n)))
    assert cells(heatmap_figure(big)).texttemplate is None


def test_overlay_slots_exist_in_fixed_order():
    fig = heatmap_figure(DIFF)
    assert [t.name for t in fig.data[: len(HeatmapTrace)]] == ["cells", "uncertainty", "legend"]
    assert [t.name for t in fig.data] == [slot.name.lower() for slot in HeatmapTrace]
    assert all(t.hoverinfo == "skip" for t in fig.data[1 : len(HeatmapTrace)])
    # the fade a picture over the traces, exactly the block of cells; the outlines over it, on the overlay axes
    assert [image.name for image in fig.layout.images] == [slot.name.lower() for slot in HeatmapImage]
    fade = fig.layout.images[HeatmapImage.FADE]
    assert (fade.source, fade.layer, fade.xref, fade.yref) == ("", "above", "x", "y")
    assert (fade.x, fade.y, fade.sizex, fade.sizey, fade.sizing) == (-0.5, -0.5, 2, 2, "stretch")
    assert [shape.name for shape in fig.layout.shapes] == [slot.name.lower() for slot in HeatmapShape][:-1]
    for shape in fig.layout.shapes:
        assert (shape.type, shape.path, shape.layer, shape.xref, shape.yref) == ("path", "", "above", "x2", "y2")
    assert [s.line.dash for s in fig.layout.shapes] == ["solid", "dot", "solid"]  # told apart by style too
    # without replicates the uncertainty slot is empty and carries nothing
    assert len(fig.data[HeatmapTrace.UNCERTAINTY].z) == 0 and fig.data[HeatmapTrace.UNCERTAINTY].customdata is None


def test_outline_pieces_become_one_path():
    assert outline_path([], []) == ""
    xs, ys = [-0.5, 1.5, 1.5, None, 2.5, 2.5, None], [0.5, 0.5, 3.5, None, -0.5, 1, None]
    assert outline_path(xs, ys) == "M-0.5,0.5L1.5,0.5L1.5,3.5M2.5,-0.5L2.5,1"


def test_values_are_sent_as_a_float32_typed_array():
    payload = json.loads(pio.to_json(heatmap_figure(DIFF)))["data"][HeatmapTrace.CELLS]["z"]
    assert payload["dtype"] == "f4" and payload["shape"] == "2, 2"
    decoded = np.frombuffer(base64.b64decode(payload["bdata"]), dtype="<f4").reshape(2, 2)
    np.testing.assert_allclose(decoded, DIFF.values.astype(np.float32))


def test_graph_config_is_one_for_every_matrix_without_cloud_links_or_a_second_image_button():
    config = graph_config()
    assert config["displaylogo"] is False and "toImage" in config["modeBarButtonsToRemove"]
    assert "toImageButtonOptions" not in config  # the page's buttons name the file (tests/test_browser_hostile.py)


# --- colour that fits the data (transfer.palettes) -------------------------------------------------


def colour_at(trace, value: float) -> str:
    """The colour plotly draws `value` with: the trace's colorscale sampled at its position."""
    position = (value - trace.zmin) / (trace.zmax - trace.zmin)
    return sample_colorscale([list(stop) for stop in trace.colorscale], [position], colortype="rgb")[0]


def rgb(hex_colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)))


@pytest.mark.parametrize("name", ["rdbu", "puor", "brbg"])
def test_the_centre_colour_follows_the_neutral_value_with_a_fixed_scale(name):
    """A copy of an AUC matrix (scale 0..1) with neutral value 0.6: the white point is at 0.6, not
    at 0.5 (plotly ignores zmid once zmin and zmax are set: the stops are moved)."""
    shifted = replace(AUC, neutral=0.6)
    trace = cells(heatmap_figure(shifted, palette=name))
    centre = palettes.PALETTES[name].centre_colour
    assert (trace.zmin, trace.zmax) == (0.0, 1.0)
    assert colour_at(trace, 0.6) == rgb(centre)
    assert colour_at(trace, 0.5) != rgb(centre) and colour_at(trace, 0.7) != rgb(centre)
    ends = palettes.PALETTES[name].stops
    assert colour_at(trace, 0.0) == rgb(ends[0][1]) and colour_at(trace, 1.0) == rgb(ends[-1][1])
    # the same on a symmetric range, and at a neutral value at the end of the range
    assert colour_at(cells(heatmap_figure(DIFF, palette=name)), 0.0) == rgb(centre)
    edge = TransferMatrix(rows=AUC.rows, cols=AUC.cols, values=AUC.values, neutral=0.0, scale=(0.0, 1.0))
    edge_trace = cells(heatmap_figure(edge, palette=name))
    assert colour_at(edge_trace, 0.0) == rgb(centre) and colour_at(edge_trace, 1.0) == rgb(ends[-1][1])


def test_a_matrix_without_a_neutral_value_is_sequential_from_its_minimum_to_its_maximum():
    accuracy = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=np.array([[0.0, 40.0], [99.0, 70.0]]),
                              metric="accuracy", neutral=None)
    assert accuracy.scale_kind == "sequential"
    trace = cells(heatmap_figure(accuracy))
    assert (trace.zmin, trace.zmax) == (0.0, 99.0)
    viridis = palettes.PALETTES["viridis"].stops
    assert [tuple(stop) for stop in trace.colorscale] == [tuple(stop) for stop in viridis]
    assert colour_at(trace, 0.0) == rgb(viridis[0][1]) and colour_at(trace, 99.0) == rgb(viridis[-1][1])
    cividis = cells(heatmap_figure(accuracy, palette="cividis"))
    assert cividis.colorscale[0][1] == palettes.PALETTES["cividis"].stops[0][1]
    # a palette of the other kind falls back to the kind's default
    assert cells(heatmap_figure(accuracy, palette="puor")).colorscale == trace.colorscale
    scale = palettes.colour_scale(accuracy, "cividis")
    assert (scale.kind, scale.palette, scale.centre, scale.middle) == ("sequential", "cividis", None, 0.5)


def test_the_value_suppressing_palette_blends_toward_the_colour_at_the_neutral_value():
    shifted = replace(AUC, neutral=0.6)
    scale = palettes.colour_scale(shifted, "puor")
    palette = vsup.palette(scale.colorscale, scale.zmin, scale.zmax, scale.middle)
    assert palette.neutral == rgb(palettes.PALETTES["puor"].centre_colour)
