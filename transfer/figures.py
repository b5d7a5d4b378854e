"""Plotly figure builders. They take computed results and draw; they never compute clusters.

The heatmap figure has fixed trace slots (`HeatmapTrace`) so that callbacks can patch one layer
(threshold highlight, cluster outline) by index without resending the matrix, and the selection
is drawn as layout shapes for the same reason.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import plotly.graph_objects as go

from .compare import Comparison
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
# Overlaying axes share the heatmap's domain, also the one scaleanchor/constrain shrinks to
# keep cells square, but plotly.js places their layer before it re-scales them to that domain:
# after every draw the browser puts the layer where the axes are (assets/plotly_workarounds.js placeOverlays;
# tests/test_browser_overlays.py measures the drawn lines against the cells). They stay
# `fixedrange` and out of any scale constraint: a constrained axis makes each copied range a
# full redraw, and a zoom that moved them too would also hand them plotly's axis-drag handles.
OVERLAY_AXES = {"xaxis2": "xaxis", "yaxis2": "yaxis"}


def plot_text(text: str) -> str:
    """User text (labels, names, metrics) as plotly shows it literally.

    plotly renders a subset of HTML in every text it draws (ticks, hover, titles): <b>, <i>,
    <br>, <span style>, <a href="https://..."> as a live link, and &-entities. It never runs
    scripts (other tags stay text, javascript: links lose their href), but a label is data,
    not markup: escaping &, < and > makes plotly draw exactly the characters of the label.
    The escaping is injective, so escaped labels remain distinct category values; clientside
    code that reads a clicked label back undoes it (assets/selection.js `plainLabel`).
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot_labels(labels) -> list[str]:
    return [plot_text(label) for label in labels]


def cell_text_template(matrix: TransferMatrix) -> str | None:
    """Two-decimal cell labels when they fit; None for matrices too large to label."""
    rows, cols = matrix.shape
    return "%{z:.2f}" if rows * cols <= LABEL_CELL_LIMIT else None


TICK_CHAR_PX = 7.0  # about the width of a 12 px system-ui character
TICK_ROOM_MAX = 240  # px: longer labels are cut at the figure's edge (hover has them whole)


def _automargin(matrix: TransferMatrix) -> bool:
    """Plotly sizes the margins to the tick labels only for small matrices: it does so by drawing
    twice, a second full redraw (~0.4 s at 1000 x 1000). Large ones get tick_margins' estimate."""
    return matrix.values.size <= LABEL_CELL_LIMIT


def tick_margins(matrix: TransferMatrix, side: str) -> dict:
    """Figure margins with room for the row labels (on `side`) and the column labels below (at
    -45 degrees) and the axis titles, estimated from the longest label; 10 px where plotly's
    automargin will size them (small matrices)."""
    if _automargin(matrix):
        return {"l": 10, "r": 10, "b": 10}
    def room(labels, slant: float) -> int:
        longest = max((len(label) for label in labels), default=0)
        return int(min(TICK_ROOM_MAX, 8 + TICK_CHAR_PX * longest * slant)) + 32  # + the axis title
    rows = room(matrix.rows, 1.0)
    return {"l": rows if side == "left" else 10, "r": rows if side == "right" else 10, "b": room(matrix.cols, 0.71)}


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


def heatmap_figure(
    matrix: TransferMatrix, *, title: str | None = None, comparison: Comparison | None = None,
) -> go.Figure:
    """The transfer heatmap: rows top to bottom in the given order, white at the neutral value.

    With a `comparison`, the hover adds both source values (customdata of the cells trace).
    """
    zmin, zmax = matrix.value_range()
    template = cell_text_template(matrix)
    hover = "Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}"
    meta = [plot_text(matrix.metric)]
    customdata = None
    if comparison is not None:
        this, other = comparison.sources_at(matrix.rows, matrix.cols)
        customdata = np.stack([this, other], axis=-1)
        meta += [plot_text(comparison.this.name), plot_text(comparison.other.name)]
        hover += "<br>%{meta[1]}: %{customdata[0]:.4~f}<br>%{meta[2]}: %{customdata[1]:.4~f}"
    cells = go.Heatmap(
        z=matrix.values.astype(np.float32),
        x=plot_labels(matrix.cols),
        y=plot_labels(matrix.rows),
        zmin=zmin,
        zmax=zmax,
        zmid=None if matrix.scale else matrix.neutral,
        colorscale=DIVERGING,
        colorbar={"title": {"text": plot_text(matrix.metric), "side": "right"}, "thickness": 14, "len": 0.9},
        texttemplate=template,
        textfont={"size": 11},
        xgap=1 if template else 0,
        ygap=1 if template else 0,
        hoverongaps=False,
        # Labels arrive through %{y}/%{x}/%{meta}, never pasted into the template string.
        meta=meta,
        customdata=customdata,
        hovertemplate=hover + "<extra></extra>",
        name="cells",
    )
    # No labels of its own: cell (i, j) of its z sits at category index (j, i) of the cells' axes
    # (x0 = y0 = 0, dx = dy = 1), which saves resending both label lists (26 KB at 1000 tasks).
    fade = go.Heatmap(
        z=[], x0=0, dx=1, y0=0, dy=1, zmin=0, zmax=1, showscale=False,
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
        title={"text": plot_text(title), "x": 0.5} if title else None,
        font={"family": FONT, "size": 12},
        margin={**tick_margins(matrix, side="left"), "t": 40 if title else 10},
        plot_bgcolor="#e9ecef",  # missing cells show as grey gaps, never as a colour of the scale
        paper_bgcolor="white",
        # Explicit ranges, exactly the cells (rows top to bottom), the same as the overlay axes'
        # (_overlay_axes): with autorange plotly pads them, and the overlays would have to be
        # moved after the first draw, a second full redraw (0.2 s at 1000 x 1000).
        xaxis={
            "title": {"text": "Test dataset"}, "type": "category", "tickangle": -45,
            "range": [-0.5, matrix.shape[1] - 0.5],
            "constrain": "domain", "showgrid": False, "zeroline": False, "automargin": _automargin(matrix),
        },
        yaxis={
            "title": {"text": "Train dataset"}, "type": "category", "range": [matrix.shape[0] - 0.5, -0.5],
            "scaleanchor": "x", "constrain": "domain", "showgrid": False, "zeroline": False,
            "automargin": _automargin(matrix),
        },
        hoverlabel={"bgcolor": "white", "font": {"family": FONT}},
        **_overlay_axes(matrix),
    )
    return fig


def graph_config() -> dict:
    """dcc.Graph config: no Plotly cloud links, no modebar image button (the page's PNG and SVG
    buttons download the figure named after the matrix). The same for every matrix: plotly
    answers a changed config with a new plot and then a second full draw."""
    return {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}


def small_multiple_figure(matrix: TransferMatrix, color_range: tuple[float, float], neutral: float) -> go.Figure:
    """A compact heatmap for the small-multiples view: a given (common) colour range, no colour
    bar, short ticks; hover keeps both labels and the value."""
    zmin, zmax = color_range
    fig = go.Figure(
        go.Heatmap(
            z=matrix.values.astype(np.float32), x=plot_labels(matrix.cols), y=plot_labels(matrix.rows),
            zmin=zmin, zmax=zmax, zmid=neutral if zmin < neutral < zmax else None,
            colorscale=DIVERGING, showscale=False, hoverongaps=False, meta=[plot_text(matrix.metric)],
            hovertemplate="Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}<extra></extra>",
        )
    )
    fig.update_layout(
        font={"family": FONT, "size": 9},
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        plot_bgcolor="#e9ecef",
        paper_bgcolor="white",
        xaxis={
            "type": "category", "tickangle": -60, "showgrid": False, "zeroline": False, "automargin": True,
            "constrain": "domain",
        },
        yaxis={
            "type": "category", "autorange": "reversed", "scaleanchor": "x", "showgrid": False, "zeroline": False,
            "automargin": True, "constrain": "domain",
        },
        hoverlabel={"bgcolor": "white", "font": {"family": FONT}},
    )
    return fig


# --- selection and breakdowns -----------------------------------------------------------------

SELECTION_COLOR = "#1b1b1b"


def selection_shapes(rows, cols, row: str | None, col: str | None) -> list[dict]:
    """Outlines of the selected row and column on the heatmap, by label (any display order).

    Category axes take shape positions as category indices; labels not on the axis are skipped.
    """
    shapes = []
    line = {"color": SELECTION_COLOR, "width": 2}
    rows, cols = list(rows), list(cols)
    if row in rows:
        i = rows.index(row)
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": -0.5, "x1": len(cols) - 0.5,
                       "y0": i - 0.5, "y1": i + 0.5, "line": line, "name": "selected-row"})
    if col in cols:
        j = cols.index(col)
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": j - 0.5, "x1": j + 0.5,
                       "y0": -0.5, "y1": len(rows) - 0.5, "line": line, "name": "selected-col"})
    return shapes


def display_number(value: float | None) -> str:
    """A value rounded for reading (3 decimals, trailing zeros dropped); 'missing' for None/NaN."""
    if value is None or np.isnan(value):
        return "missing"
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
