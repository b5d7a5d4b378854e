"""The heatmap figure builder: colour centre, labels, hover, cell text, slots."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.io as pio

from transfer.figures import DIVERGING, LABEL_CELL_LIMIT, HeatmapTrace, graph_config, heatmap_figure
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
    assert trace.zmid == 0 and (trace.zmin, trace.zmax) == (-0.2, 0.2)
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
    assert [t.name for t in fig.data[: len(HeatmapTrace)]] == [
        "cells", "uncertainty", "fade", "positive", "negative", "cluster", "legend"]
    assert [t.name for t in fig.data] == [slot.name.lower() for slot in HeatmapTrace]
    assert all(t.hoverinfo == "skip" for t in fig.data[1 : len(HeatmapTrace)])
    # without replicates the uncertainty slot is empty and carries nothing
    assert len(fig.data[HeatmapTrace.UNCERTAINTY].z) == 0 and fig.data[HeatmapTrace.UNCERTAINTY].customdata is None


def test_values_are_sent_as_a_float32_typed_array():
    payload = json.loads(pio.to_json(heatmap_figure(DIFF)))["data"][HeatmapTrace.CELLS]["z"]
    assert payload["dtype"] == "f4" and payload["shape"] == "2, 2"
    decoded = np.frombuffer(base64.b64decode(payload["bdata"]), dtype="<f4").reshape(2, 2)
    np.testing.assert_allclose(decoded, DIFF.values.astype(np.float32))


def test_graph_config_is_one_for_every_matrix_without_cloud_links_or_a_second_image_button():
    config = graph_config()
    assert config["displaylogo"] is False and "toImage" in config["modeBarButtonsToRemove"]
    assert "toImageButtonOptions" not in config  # the page's buttons name the file (tests/test_browser_hostile.py)
