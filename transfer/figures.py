"""Plotly figure builders. They take computed results and draw; they never compute clusters.

The heatmap figure has fixed trace slots (`HeatmapTrace`) so that callbacks can patch one layer
(threshold highlight, cluster outline) by index without resending the matrix, and the selection
is drawn as layout shapes for the same reason.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import plotly.graph_objects as go

from .matrix import TransferMatrix

# Blue-white-red as in the paper's figures: blue below the neutral value, red above.
DIVERGING = [
    [0.0, "#2166ac"],
    [0.25, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.75, "#f4a582"],
    [1.0, "#b2182b"],
]
LABEL_CELL_LIMIT = 900  # cell labels only while cells are large enough to read (30 x 30)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


class HeatmapTrace(IntEnum):
    """Trace indices of the heatmap figure, for patches."""

    CELLS = 0
    FADE = 1  # white veil over cells that a threshold does not highlight
    POSITIVE = 2  # outlines of cells at or above the positive threshold
    NEGATIVE = 3  # outlines of cells at or below the negative threshold
    CLUSTER = 4  # outline of the selected cluster's block


# Category axes place trace points on labels only (a number becomes a new category), so lines
# between cells live on hidden numeric axes laid over the heatmap, in cell units (cell (i, j)
# spans j-0.5..j+0.5). Their ranges start equal to the heatmap's and the browser copies the
# heatmap's ranges to them after every zoom or pan (`layout.meta.follow` names the pairs).
OVERLAY_AXES = {"xaxis2": "xaxis", "yaxis2": "yaxis"}


def cell_text_template(matrix: TransferMatrix) -> str | None:
    """Two-decimal cell labels when they fit; None for matrices too large to label."""
    rows, cols = matrix.shape
    return "%{z:.2f}" if rows * cols <= LABEL_CELL_LIMIT else None


def _overlay_line(name: str, color: str, dash: str, width: float = 2.5) -> go.Scatter:
    return go.Scatter(
        x=[], y=[], mode="lines", name=name, line={"color": color, "width": width, "dash": dash},
        hoverinfo="skip", showlegend=False, xaxis="x2", yaxis="y2",
    )


def _overlay_axes(matrix: TransferMatrix) -> dict:
    rows, cols = matrix.shape
    hidden = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False}
    return {
        "xaxis2": {**hidden, "overlaying": "x", "range": [-0.5, cols - 0.5]},
        "yaxis2": {**hidden, "overlaying": "y", "range": [rows - 0.5, -0.5]},
        "meta": {"follow": dict(OVERLAY_AXES)},
    }


def heatmap_figure(matrix: TransferMatrix, *, title: str | None = None) -> go.Figure:
    """The transfer heatmap: rows top to bottom in the given order, white at the neutral value."""
    zmin, zmax = matrix.value_range()
    template = cell_text_template(matrix)
    cells = go.Heatmap(
        z=matrix.values.astype(np.float32),
        x=list(matrix.cols),
        y=list(matrix.rows),
        zmin=zmin,
        zmax=zmax,
        zmid=None if matrix.scale else matrix.neutral,
        colorscale=DIVERGING,
        colorbar={"title": {"text": matrix.metric, "side": "right"}, "thickness": 14, "len": 0.9},
        texttemplate=template,
        textfont={"size": 11},
        xgap=1 if template else 0,
        ygap=1 if template else 0,
        hoverongaps=False,
        # Labels arrive through %{y}/%{x}/%{meta}, never pasted into the template string.
        meta=[matrix.metric],
        hovertemplate="Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}<extra></extra>",
        name="cells",
    )
    fade = go.Heatmap(
        z=[], x=list(matrix.cols), y=list(matrix.rows), zmin=0, zmax=1, showscale=False,
        colorscale=[[0, "rgba(255,255,255,0)"], [1, "rgba(255,255,255,0.78)"]],
        hoverinfo="skip", name="fade", xgap=1 if template else 0, ygap=1 if template else 0,
    )
    traces = [
        cells,
        fade,
        # Solid for positive, dotted for negative: told apart by style, not only by colour.
        _overlay_line("positive", "#1b1b1b", "solid"),
        _overlay_line("negative", "#1b1b1b", "dot"),
        _overlay_line("cluster", "#6a3d9a", "solid", width=3),
    ]
    fig = go.Figure(traces)
    fig.update_layout(
        title={"text": title, "x": 0.5} if title else None,
        font={"family": FONT, "size": 12},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        plot_bgcolor="#e9ecef",  # missing cells show as grey gaps, never as a colour of the scale
        paper_bgcolor="white",
        xaxis={
            "title": {"text": "Test dataset"}, "type": "category", "tickangle": -45,
            "constrain": "domain", "showgrid": False, "zeroline": False, "automargin": True,
        },
        yaxis={
            "title": {"text": "Train dataset"}, "type": "category", "autorange": "reversed",
            "scaleanchor": "x", "constrain": "domain", "showgrid": False, "zeroline": False, "automargin": True,
        },
        hoverlabel={"bgcolor": "white", "font": {"family": FONT}},
        **_overlay_axes(matrix),
    )
    return fig


def graph_config(filename: str) -> dict:
    """dcc.Graph config: PNG download named after the matrix; no Plotly cloud links."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    }
