"""Plotly figure builders. They take computed results and draw; they never compute clusters.

The heatmap figure has fixed trace, layout image and layout shape slots (`HeatmapTrace`,
`HeatmapImage`, `HeatmapShape`) so that callbacks can patch one layer (threshold highlight,
cluster outline, selection) by index without resending the matrix.

A matrix with replicates (`transfer.uncertainty.CellStats` passed in) adds its statistics to the
hover, significance marks to the cell text, and, with the value-suppressing palette
(`transfer.vsup`), colours laid over the cells and a wedge legend in place of the colour bar.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum

import numpy as np
import plotly.graph_objects as go

from . import palettes, vsup
from .compare import Comparison
from .matrix import TransferMatrix
from .uncertainty import SIG_LEVELS, CellStats
from .uncertainty import marks as significance_marks

# Blue-white-red as in the paper's figures: blue below the neutral value, red above (the
# default diverging palette; the others and the sequential ones: transfer.palettes).
DIVERGING = palettes.plotly_stops(palettes.PALETTES["rdbu"])
LABEL_CELL_LIMIT = 900  # cell labels only while cells are large enough to read (30 x 30)
# Per-cell statistics in the hover (6 float32 numbers a cell: 0.96 MB at 200 x 200, 24 MB at
# 1000 x 1000) only up to this many cells; above it the hover says to click the cell (the
# breakdown panels show its interval). Statistics sent as each cell's text (cells that differ in
# what they define, see `hover`: ~100 bytes a cell) only up to HOVER_TEXT_CELL_LIMIT cells.
HOVER_STATS_CELL_LIMIT = 40_000
HOVER_TEXT_CELL_LIMIT = 10_000
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


class HeatmapTrace(IntEnum):
    """Trace indices of the heatmap figure, for patches."""

    CELLS = 0
    # A matrix with replicates: the value-suppressing colours laid over the cells (z, one byte a
    # cell; empty with unc=none) and each cell's significance code (how many of
    # transfer.uncertainty.SIG_LEVELS its q-value is below: in z's high bits, or customdata with
    # plain colours) for assets/thresholds.js. Empty without replicates.
    UNCERTAINTY = 1
    LEGEND = 2  # the value-suppressing palette's wedge (its value ticks: see LEGEND_AXES); an empty line otherwise


class HeatmapImage(IntEnum):
    """Layout image indices of the heatmap figure. The threshold fade is a picture, not a trace:
    a second 1000 x 1000 heatmap trace cost plotly ~120 ms to colour and encode on every draw, and
    a new trace value redraws every trace (~0.5 s), where a new image or shape redraws only the
    layout's pictures and lines (assets/thresholds.js draws it: one bit a cell)."""

    MISSING = 0  # missing_background
    FADE = 1  # white veil over cells that a threshold does not highlight (empty source: none)
    # the value-suppressing palette's wedge follows (_legend_image)


class HeatmapShape(IntEnum):
    """Layout shape indices of the heatmap figure: outlines, on the overlay axes (a path in cell
    units; "" draws nothing), over the fade (layout shapes are drawn above layout images, traces
    below them)."""

    POSITIVE = 0  # outlines of cells at or above the positive threshold
    NEGATIVE = 1  # outlines of cells at or below the negative threshold
    CLUSTER = 2  # outline of the selected cluster's block
    # the selected row and column follow (selection_shapes), from SELECTION on
    SELECTION = 3


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
# Tick labels longer than this are cut with an ellipsis (the hover keeps the whole label): a
# 150-character label would otherwise take the plot's room (plotly's automargin gives the labels
# what they ask for). The browser cuts them shorter still on a narrow graph and hides labels that
# would overlap (assets/fit.js).
TICK_LABEL_CHARS = 28
TICK_ARRAY_MAX = 200  # an axis with cut labels lists at most this many ticks (every k-th label)
MODEBAR_ROOM = 30  # px above the plot for plotly's modebar: it never covers a cell
# Missing cells: this grey, a picture laid under the cells (exactly their block, following zooms)
# so that it shows through the missing cells only; the plot background (around the cells, the
# dendrograms' and strips' subplots) stays white, never mistaken for missing data.
MISSING_GREY = "#e9ecef"
_MISSING_PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4"
                  "nGN4+eY9AAWGAsX5sueqAAAAAElFTkSuQmCC")  # one pixel of MISSING_GREY


def missing_background(rows: int, cols: int, xref: str = "x", yref: str = "y") -> dict:
    """The layout image that shows missing cells in MISSING_GREY: under the block of cells
    (cell (i, j) spans j-0.5..j+0.5, rows top to bottom), stretched from one grey pixel."""
    return {"source": _MISSING_PIXEL, "xref": xref, "yref": yref, "x": -0.5, "y": -0.5, "sizex": cols,
            "sizey": rows, "xanchor": "left", "yanchor": "top", "sizing": "stretch", "layer": "below",
            "name": "missing"}


def short_label(label: str, chars: int = TICK_LABEL_CHARS) -> str:
    """A label cut to `chars` characters with an ellipsis (assets/fit.js cuts the same way)."""
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "\u2026"


def tick_labels(labels) -> dict:
    """An axis's ticks when a label is longer than TICK_LABEL_CHARS: cut labels (every k-th label
    of a long list); {} otherwise (plotly's own ticks, the labels whole)."""
    labels = list(labels)
    if max((len(label) for label in labels), default=0) <= TICK_LABEL_CHARS:
        return {}
    shown = labels[:: max(1, math.ceil(len(labels) / TICK_ARRAY_MAX))]
    return {"tickmode": "array", "tickvals": plot_labels(shown), "ticktext": plot_labels(map(short_label, shown))}


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
        longest = min(max((len(label) for label in labels), default=0), TICK_LABEL_CHARS)
        return int(min(TICK_ROOM_MAX, 8 + TICK_CHAR_PX * longest * slant)) + 32  # + the axis title
    rows = room(matrix.rows, 1.0)
    return {"l": rows if side == "left" else 10, "r": rows if side == "right" else 10, "b": room(matrix.cols, 0.71)}


def _overlay_line(name: str) -> go.Scatter:
    """An empty line on the overlay axes (the LEGEND slot without a wedge): it keeps them drawn."""
    return go.Scatter(x=[], y=[], mode="lines", name=name, hoverinfo="skip", showlegend=False, xaxis="x2", yaxis="y2")


def _outline_shape(name: str, color: str, dash: str, width: float = 2.5) -> dict:
    return {"type": "path", "xref": "x2", "yref": "y2", "path": "", "layer": "above", "name": name,
            "line": {"color": color, "width": width, "dash": dash}}


def outline_shapes() -> list[dict]:
    """The HeatmapShape slots, empty. Solid for positive, dotted for negative: told apart by
    style, not only by colour."""
    return [_outline_shape("positive", "#1b1b1b", "solid"), _outline_shape("negative", "#1b1b1b", "dot"),
            _outline_shape("cluster", "#6a3d9a", "solid", width=3)]


def outline_path(xs: list, ys: list) -> str:
    """Line coordinates (None-separated pieces, cell units) as an SVG path for a layout shape."""
    parts, start = [], True
    for x, y in zip(xs, ys):
        if x is None or y is None:
            start = True
            continue
        parts.append(f"{'M' if start else 'L'}{x:g},{y:g}")
        start = False
    return "".join(parts)


def fade_image(rows: int, cols: int) -> dict:
    """The FADE image slot, empty: exactly the block of cells, like missing_background, above the traces."""
    return {**missing_background(rows, cols), "source": "", "layer": "above", "name": "fade"}


def _overlay_axes(matrix: TransferMatrix) -> dict:
    rows, cols = matrix.shape
    hidden = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False}
    return {
        "xaxis2": {**hidden, "overlaying": "x", "range": [-0.5, cols - 0.5]},
        "yaxis2": {**hidden, "overlaying": "y", "range": [rows - 0.5, -0.5]},
        "meta": {"follow": dict(OVERLAY_AXES)},
    }


# --- numbers as plotly's templates (d3-format) write them -----------------------------------------
# Hover texts built here must read exactly as the same numbers formatted by a template in the
# browser (the statistics of a matrix that mixes kinds of cells are sent as text).


def _d3_fixed(value: float, digits: int, trim: bool = True) -> str:
    """d3-format's '.{digits}f' (with '~' when `trim`): halves rounded away from zero (JS toFixed
    on the exact binary value), hyphen minus, no sign on a value that rounds to zero."""
    size = abs(value)
    if (size * 10**digits * 2).is_integer():  # maybe an exact tie, where Python rounds to even
        text = str(Decimal(size).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    else:
        text = f"{size:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    negative = value < 0 and Decimal(text) != 0
    return ("-" if negative else "") + text


def _d3_general(value: float, precision: int = 2) -> str:
    """d3-format's '.{precision}~g' (JS toPrecision, trailing zeros trimmed): exponent form
    ('3.1e-7') below 1e-6 and from 10**precision."""
    if value == 0:
        return "0"
    exact = Decimal(abs(value))
    exponent = exact.adjusted()
    digits = exact.scaleb(precision - 1 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if digits >= 10**precision:  # 9.96 -> 10: one more digit before the point
        exponent += 1
        digits = exact.scaleb(precision - 1 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text = str(digits)
    if exponent < -6 or exponent >= precision:
        mantissa = (text[0] + "." + text[1:]).rstrip("0").rstrip(".")
        text = f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    else:
        text = _d3_fixed(float(digits.scaleb(exponent - precision + 1)), max(0, precision - 1 - exponent))
    return ("-" if value < 0 else "") + text


# --- the statistics in the hover ------------------------------------------------------------------

HOVER_HEAD = "Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}"
STATS_COLUMNS = ("std", "n", "ci_low", "ci_high", "p", "q")  # customdata after a comparison's two values
CLICK_FOR_INTERVAL = "<br>Click the cell for its interval"


@dataclass(frozen=True)
class CellKind:
    """What a cell's statistics define: its interval, its standard deviation, its p- and q-value;
    `n` too when it has no interval (the text says how many replicates it has)."""

    interval: bool
    sd: bool
    p: bool
    n: int | None = None


def cell_kinds(stats: CellStats, present: np.ndarray) -> tuple[np.ndarray, dict[int, CellKind]]:
    """Per cell a kind number (-1 where the value is missing) and the CellKind of each number."""
    interval, sd, p = ~np.isnan(stats.ci_low), ~np.isnan(stats.std), ~np.isnan(stats.p)
    n = np.nan_to_num(stats.n, nan=0.0).astype(np.int64)
    number = np.where(interval, sd * 1 + p * 2, 4 + n)  # 0-3 with an interval, 4 + n without
    number = np.where(present, number, -1)
    kinds = {int(k): CellKind(True, bool(k & 1), bool(k & 2)) if k < 4 else CellKind(False, False, False, int(k - 4))
             for k in np.unique(number[present])}
    return number, kinds


def _no_interval(n: int) -> str:
    if n == 1:
        return "1 replicate, no interval"
    return "no interval" if n < 1 else f"{n} replicates, no interval"


# The statistics after the value, in this order: " ± sd", ", n = 5" (or "1 replicate, no
# interval"), the interval, p and q. Each segment reads the same for every cell of some kinds only.
SEGMENTS = ("sd", "n", "ci", "pq")


def _segment(name: str, kind: CellKind, level: int, number) -> str:
    """One segment of the hover's statistics for one kind of cell. `number(column, format)` writes
    a number of STATS_COLUMNS: a template placeholder, or the cell's value as d3 would."""
    if name == "sd":
        return f" ± {number('std', '.4~f')} sd" if kind.sd else ""
    if name == "n":
        return f", n = {number('n', '.0f')}" if kind.interval else "<br>" + _no_interval(kind.n)
    if name == "ci":
        return f"<br>{level}% CI [{number('ci_low', '.4~f')}, {number('ci_high', '.4~f')}]" if kind.interval else ""
    return f"<br>p = {number('p', '.2~g')}, q = {number('q', '.2~g')}" if kind.p else ""


def stats_text(kind: CellKind, level: int, number, segments=SEGMENTS) -> str:
    """The hover's statistics after the value (the given segments of them) for one kind of cell."""
    return "".join(_segment(name, kind, level, number) for name in segments)


def _formatted(value: float, spec: str) -> str:
    if spec == ".0f":
        return _d3_fixed(value, 0)
    if spec == ".4~f":
        return _d3_fixed(value, 4)
    return _d3_general(value, 2)


@dataclass(frozen=True)
class Hover:
    """The cells trace's hover: its template, the numbers it reads (customdata) and, where cells
    differ in what their statistics define, the rest of each cell's statistics as text (hovertext)."""

    template: str
    customdata: np.ndarray | None
    hovertext: list | None = None


def hover(
    matrix: TransferMatrix, comparison: Comparison | None, stats: CellStats | None, *, head: str = HOVER_HEAD,
    notes: list[list[str]] | None = None,
) -> Hover:
    """The hover of every cell: the value, then (with replicates) its statistics, then a
    comparison's two source values.

    plotly's templates print an undefined number as 'NaN' and one template serves every cell. So
    the leading segments that read alike for every kind of cell present go in the template, their
    numbers as float32 customdata (every segment, for the usual matrix of cells that all have an
    interval, an sd and a test); the segments from the first that differs on are each cell's text
    (e.g. only p and q under norm=diag, whose in-domain cells have none). Neither above
    HOVER_STATS_CELL_LIMIT cells (the hover then says to click the cell), and no text above
    HOVER_TEXT_CELL_LIMIT cells.

    `head` replaces the first lines (the labels and the value: a collapsed matrix names its block);
    `notes` (each cell's text, e.g. a block's cell count and members) follow the statistics, as
    each cell's text: only for small matrices (the caller's choice)."""
    sources = np.stack(comparison.sources_at(matrix.rows, matrix.cols), axis=-1) if comparison else None
    tail = "<br>%{meta[1]}: %{customdata[0]:.4~f}<br>%{meta[2]}: %{customdata[1]:.4~f}" if comparison else ""
    slot = "%{hovertext}" if notes is not None else ""  # the notes, as each cell's text
    if stats is None:
        return Hover(head + slot + tail + "<extra></extra>", sources, notes)
    if matrix.values.size > HOVER_STATS_CELL_LIMIT:
        return Hover(head + CLICK_FOR_INTERVAL + slot + tail + "<extra></extra>", sources, notes)
    number, kinds = cell_kinds(stats, ~np.isnan(matrix.values))
    first = 2 if comparison else 0
    placeholder = lambda name, spec: f"%{{customdata[{first + STATS_COLUMNS.index(name)}]:{spec}}}"  # noqa: E731
    shown = list(kinds.values()) or [CellKind(True, True, True)]
    alike = [len({_segment(name, kind, stats.level, placeholder) for kind in shown}) == 1 for name in SEGMENTS]
    fixed = SEGMENTS[: alike.index(False) if False in alike else len(SEGMENTS)]
    rest = SEGMENTS[len(fixed):]
    template = stats_text(shown[0], stats.level, placeholder, fixed)
    customdata = sources
    if "customdata" in template:
        columns = [getattr(stats, name) for name in STATS_COLUMNS]
        customdata = np.stack(([*np.moveaxis(sources, -1, 0)] if comparison else []) + columns, axis=-1)
        customdata = customdata.astype(np.float32)
    if not rest:
        return Hover(head + template + slot + tail + "<extra></extra>", customdata, notes)
    if matrix.values.size > HOVER_TEXT_CELL_LIMIT:
        note = CLICK_FOR_INTERVAL if "ci" in rest else ""  # (p and q left out: /api/view has them)
        return Hover(head + template + note + slot + tail + "<extra></extra>", customdata, notes)
    values = {name: getattr(stats, name).astype(np.float32).tolist() for name in STATS_COLUMNS}
    texts = [["" if k < 0 else stats_text(kinds[k], stats.level,
                                          lambda name, spec, i=i, j=j: _formatted(values[name][i][j], spec), rest)
              for j, k in enumerate(row)] for i, row in enumerate(number.tolist())]
    if notes is not None:
        texts = [[text + note for text, note in zip(row, note_row)] for row, note_row in zip(texts, notes)]
    return Hover(head + template + "%{hovertext}" + tail + "<extra></extra>", customdata, texts)


# --- cell text ----------------------------------------------------------------------------------


def cell_labels(matrix: TransferMatrix, stats: CellStats | None, with_marks: bool) -> list | None:
    """Each cell's label as '%{z:.2f}' writes it, with its significance marks ('*' q < 0.05, '**'
    < 0.01, '***' < 0.001) when `with_marks`; None when the matrix is too large to label."""
    if cell_text_template(matrix) is None:
        return None
    stars = significance_marks(stats.codes()) if stats is not None and with_marks else np.full(matrix.shape, "")
    values = matrix.values.astype(np.float32)
    return [[cell_text(v) + str(star) if not np.isnan(v) else "" for v, star in zip(row, mark_row)]
            for row, mark_row in zip(values, stars)]


def cell_text(value: float) -> str:
    """A cell's value as the heatmap's cell text writes it ('%{z:.2f}' of the float32 value it
    draws); the table view (transfer/table.py) writes its cells with it."""
    return _d3_fixed(float(np.float32(value)), 2, trim=False)


def interval_text(low: float, high: float) -> str:
    """A cell's interval as the hover writes it ('[%{..:.4~f}, %{..:.4~f}]' of float32 bounds)."""
    return f"[{_d3_fixed(float(np.float32(low)), 4)}, {_d3_fixed(float(np.float32(high)), 4)}]"


# --- the value-suppressing palette --------------------------------------------------------------

LEGEND_SECTOR = 35.0  # degrees either side of the wedge's axis
# Where the colour bar was (paper fractions), about as tall as the wedge is for its width, so its
# title sits on it; the heatmap keeps the rest of the width.
LEGEND_DOMAIN = {"x": (0.85, 1.0), "y": (0.58, 0.86)}
HEATMAP_DOMAIN_WITH_LEGEND = (0.0, 0.82)
LEGEND_MARGIN = 48  # px right of the plot for the wedge's value ticks
LEGEND_TITLE = "uncertainty-legend-title"
# The wedge is drawn on cartesian axes of its own (the page's plotly.js has no polar subplots,
# web/plotlyjs): hidden, fixed, of equal scale (a unit of radius is as long either way, so the arcs
# stay round), in wedge units (apex at 0, 0, one unit a level); its colours are a layout image
# (vsup.wedge_svg) and its texts layout annotations, all named LEGEND_NAME; its value ticks are the
# LEGEND slot's lines.
LEGEND_AXES = ("x7", "y7")
LEGEND_NAME = "uncertainty legend"
LEGEND_TICK = 0.12  # the value ticks' length, in wedge units (~4 px)


def _legend_trace(palette: vsup.Palette) -> go.Scatter:
    """The value ticks outside the arc, one line each (the wedge itself is a layout image)."""
    xs, ys = [], []
    for angle in _legend_angles(palette).values():
        for radius in (vsup.LEVELS, vsup.LEVELS + LEGEND_TICK):
            x, y = vsup.wedge_point(radius, angle)
            xs.append(round(x, 4))
            ys.append(round(y, 4))
        xs.append(None)
        ys.append(None)
    return go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#444", "width": 1}, hoverinfo="skip",
                      showlegend=False, xaxis=LEGEND_AXES[0], yaxis=LEGEND_AXES[1], name="legend")


def _legend_angles(palette: vsup.Palette) -> dict[float, float]:
    """Round values along the arc -> their angle (degrees), low at the bottom as on a colour bar."""
    span = palette.high - palette.low
    return {v: -LEGEND_SECTOR + 2 * LEGEND_SECTOR * (v - palette.low) / span
            for v in legend_ticks(palette.low, palette.high)}


def legend_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) inside low..high, about `count` steps."""
    span = high - low
    if not span > 0:
        return [low]
    magnitude = 10 ** math.floor(math.log10(span / count))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= span / count)
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]


def _legend_layout(palette: vsup.Palette, metric: str) -> dict:
    """The wedge's axes and its texts: the title, the values along the arc, and certainty from the
    apex outward written along the lower edge."""
    reach = vsup.LEVELS + LEGEND_TICK  # the tick ends: inside the ranges, or plotly hides their labels
    half = reach * math.sin(math.radians(LEGEND_SECTOR))
    hidden = {"visible": False, "fixedrange": True, "constrain": "domain"}
    xa, ya = LEGEND_AXES
    notes = [_legend_title(metric, LEGEND_DOMAIN["x"], LEGEND_DOMAIN["y"])]
    common = {"xref": xa, "yref": ya, "showarrow": False, "name": LEGEND_NAME}
    for value, angle in _legend_angles(palette).items():
        x, y = vsup.wedge_point(reach, angle)
        notes.append({**common, "x": round(x, 4), "y": round(y, 4), "xanchor": "left", "yanchor": "middle",
                      "xshift": 2, "text": display_number(value), "font": {"size": 10}})
    edge = math.radians(LEGEND_SECTOR)  # the lower edge runs down at this angle; its labels just below it
    for radius, text in ((0.5, "less certain"), (vsup.LEVELS - 0.5, "more certain")):
        x, y = vsup.wedge_point(radius, -LEGEND_SECTOR)
        notes.append({**common, "x": round(x, 4), "y": round(y, 4), "xanchor": "center", "yanchor": "middle",
                      "xshift": 7 * math.sin(edge), "yshift": -7 * math.cos(edge), "textangle": LEGEND_SECTOR,
                      "text": text, "font": {"size": 9}})
    return {
        f"xaxis{xa[1:]}": {**hidden, "domain": list(LEGEND_DOMAIN["x"]), "anchor": ya, "range": [-0.05, reach + 0.02],
                           "constraintoward": "left"},
        f"yaxis{ya[1:]}": {**hidden, "domain": list(LEGEND_DOMAIN["y"]), "anchor": xa, "range": [-half, half],
                           "scaleanchor": xa, "scaleratio": 1, "constraintoward": "top"},
        "annotations": notes,
    }


def _legend_image(palette: vsup.Palette) -> dict:
    """The wedge's colours: vsup.wedge_svg stretched over its box on the wedge's axes."""
    top = vsup.LEVELS * math.sin(math.radians(LEGEND_SECTOR))
    svg = base64.b64encode(vsup.wedge_svg(palette, LEGEND_SECTOR).encode()).decode()
    return {"source": f"data:image/svg+xml;base64,{svg}", "xref": LEGEND_AXES[0], "yref": LEGEND_AXES[1],
            "x": 0, "y": round(top, 4), "sizex": vsup.LEVELS, "sizey": round(2 * top, 4), "xanchor": "left",
            "yanchor": "top", "sizing": "stretch", "layer": "above", "name": LEGEND_NAME}


def _legend_title(metric: str, x: tuple, y: tuple) -> dict:
    return {"xref": "paper", "yref": "paper", "x": x[0], "y": y[1], "xanchor": "left", "yanchor": "bottom",
            "text": plot_text(metric), "showarrow": False, "font": {"size": 12}, "name": LEGEND_TITLE}


def place_legend(fig: go.Figure, x: tuple[float, float], y: tuple[float, float]) -> None:
    """Move the value-suppressing palette's wedge and its title to another box (paper
    fractions); nothing without one."""
    if fig.data[HeatmapTrace.LEGEND].xaxis != LEGEND_AXES[0]:
        return
    fig.layout[f"xaxis{LEGEND_AXES[0][1:]}"].domain = list(x)
    fig.layout[f"yaxis{LEGEND_AXES[1][1:]}"].domain = list(y)
    for note in fig.layout.annotations:
        if note.name == LEGEND_TITLE:
            note.update(x=x[0], y=y[1])


def _uncertainty_trace(
    matrix: TransferMatrix, stats: CellStats | None, palette: vsup.Palette | None, labels: list | None, gap: int,
) -> go.Heatmap:
    """The UNCERTAINTY slot: the palette's codes over the cells (with their labels, which the cells
    beneath would hide), and each cell's significance code; empty without replicates.

    Under the palette one byte a cell carries both: the colour's code in its low 4 bits and the
    significance code above them (`meta.sig_shift`), so the colours cost no more bytes than the
    codes alone (1 MB at 1000 x 1000); with plain colours the significance codes are customdata."""
    common = {"x0": 0, "dx": 1, "y0": 0, "dy": 1, "showscale": False, "hoverinfo": "skip", "name": "uncertainty",
              "xgap": gap, "ygap": gap}
    if stats is None:
        return go.Heatmap(z=[], **common)
    significance = stats.codes()
    meta = {"sig_levels": list(SIG_LEVELS)}  # what the codes count: code k is q < SIG_LEVELS[k - 1]
    if palette is None:
        return go.Heatmap(z=[], customdata=significance, meta=meta, **common)
    colours = vsup.codes(matrix.values, stats.ci_high - stats.ci_low, palette.low, palette.high)
    layers = len(SIG_LEVELS) + 1
    zmin, zmax = vsup.code_range(layers)
    return go.Heatmap(
        z=(colours | (significance << vsup.CODE_BITS)).astype(np.uint8), zmin=zmin, zmax=zmax,
        colorscale=vsup.colorscale(palette, layers), meta={**meta, "sig_shift": vsup.CODE_BITS},
        text=labels, texttemplate="%{text}" if labels else None, textfont={"size": 11}, **common,
    )


def heatmap_figure(
    matrix: TransferMatrix, *, title: str | None = None, comparison: Comparison | None = None,
    stats: CellStats | None = None, marks: bool = True, unc: str = "vsup", palette: str | None = None,
) -> go.Figure:
    """The transfer heatmap: rows top to bottom in the given order, in the colour scale of
    `transfer.palettes.colour_scale` (`palette`: a name, None for the default of its kind).

    With a `comparison`, the hover adds both source values (customdata of the cells trace). With
    `stats` (a matrix with replicates), the hover adds each cell's statistics, cell text its
    significance marks (`marks`), and `unc="vsup"` colours the cells with the value-suppressing
    palette and draws its wedge instead of the colour bar.
    """
    colours = palettes.colour_scale(matrix, palette)
    zmin, zmax = colours.zmin, colours.zmax
    template = cell_text_template(matrix)
    gap = 1 if template else 0
    vsup_on = stats is not None and unc == "vsup"
    palette = vsup.palette(colours.colorscale, zmin, zmax, colours.middle) if vsup_on else None
    labels = cell_labels(matrix, stats, marks) if stats is not None else None
    about = hover(matrix, comparison, stats)
    meta = [plot_text(matrix.metric)]
    if comparison is not None:
        meta += [plot_text(comparison.this.name), plot_text(comparison.other.name)]
    cells = go.Heatmap(
        z=matrix.values.astype(np.float32),
        x=plot_labels(matrix.cols),
        y=plot_labels(matrix.rows),
        zmin=zmin,
        zmax=zmax,
        colorscale=colours.colorscale,  # its centre colour at the neutral value, whatever the range
        showscale=palette is None,
        colorbar={"title": {"text": plot_text(matrix.metric), "side": "right"}, "thickness": 14, "len": 0.9},
        # under the palette the labels are drawn on its trace (this one's would be hidden)
        text=labels if palette is None else None,
        texttemplate=None if palette is not None else ("%{text}" if labels else template),
        textfont={"size": 11},
        xgap=gap,
        ygap=gap,
        hoverongaps=False,
        # Labels arrive through %{y}/%{x}/%{meta}, never pasted into the template string.
        meta=meta,
        customdata=about.customdata,
        hovertext=about.hovertext,
        hovertemplate=about.template,
        name="cells",
    )
    traces = [
        cells,
        _uncertainty_trace(matrix, stats, palette, labels, gap),
        _legend_trace(palette) if palette is not None else _overlay_line("legend"),
    ]
    fig = go.Figure(traces)
    margin = {**tick_margins(matrix, side="left"), "t": 40 if title else MODEBAR_ROOM}
    if palette is not None:
        margin["r"] = max(margin["r"], LEGEND_MARGIN)
    fig.update_layout(
        title={"text": plot_text(title), "x": 0.5} if title else None,
        font={"family": FONT, "size": 12},
        margin=margin,
        plot_bgcolor="white",  # around the cells; missing cells show MISSING_GREY (missing_background)
        paper_bgcolor="white",
        images=[missing_background(*matrix.shape), fade_image(*matrix.shape),
                *([_legend_image(palette)] if palette is not None else [])],
        shapes=outline_shapes(),
        # Explicit ranges, exactly the cells (rows top to bottom), the same as the overlay axes'
        # (_overlay_axes): with autorange plotly pads them, and the overlays would have to be
        # moved after the first draw, a second full redraw (0.2 s at 1000 x 1000).
        xaxis={
            "title": {"text": "Test dataset"}, "type": "category", "tickangle": -45,
            "range": [-0.5, matrix.shape[1] - 0.5],
            "constrain": "domain", "showgrid": False, "zeroline": False, "automargin": _automargin(matrix),
            **tick_labels(matrix.cols),
            **({"domain": list(HEATMAP_DOMAIN_WITH_LEGEND)} if palette is not None else {}),
        },
        yaxis={
            "title": {"text": "Train dataset"}, "type": "category", "range": [matrix.shape[0] - 0.5, -0.5],
            "scaleanchor": "x", "constrain": "domain", "showgrid": False, "zeroline": False,
            "automargin": _automargin(matrix), **tick_labels(matrix.rows),
        },
        hoverlabel={"bgcolor": "white", "font": {"family": FONT}},
        **_overlay_axes(matrix),
        **(_legend_layout(palette, matrix.metric) if palette is not None else {}),
    )
    return fig


def graph_config() -> dict:
    """dcc.Graph config: no Plotly cloud links, no modebar image button (the page's PNG and SVG
    buttons download the figure named after the matrix). The same for every matrix: plotly
    answers a changed config with a new plot and then a second full draw."""
    return {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}


def small_multiple_figure(matrix: TransferMatrix, color_range: tuple[float, float],
                          palette: str | None = None) -> go.Figure:
    """A compact heatmap for the small-multiples view: a given (common) colour range, centred at
    the matrix's neutral value if diverging, in `palette`; no colour bar, short ticks; hover keeps
    both labels and the value."""
    colours = palettes.colour_scale(matrix, palette, color_range)
    fig = go.Figure(
        go.Heatmap(
            z=matrix.values.astype(np.float32), x=plot_labels(matrix.cols), y=plot_labels(matrix.rows),
            zmin=colours.zmin, zmax=colours.zmax,
            colorscale=colours.colorscale, showscale=False, hoverongaps=False, meta=[plot_text(matrix.metric)],
            hovertemplate="Train: %{y}<br>Test: %{x}<br>%{meta[0]}: %{z:.4~f}<extra></extra>",
        )
    )
    fig.update_layout(
        font={"family": FONT, "size": 9},
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        plot_bgcolor="white",
        paper_bgcolor="white",
        images=[missing_background(*matrix.shape)],
        xaxis={
            "type": "category", "tickangle": -60, "showgrid": False, "zeroline": False, "automargin": True,
            "constrain": "domain", **tick_labels(matrix.cols),
        },
        yaxis={
            "type": "category", "autorange": "reversed", "scaleanchor": "x", "showgrid": False, "zeroline": False,
            "automargin": True, "constrain": "domain", **tick_labels(matrix.rows),
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


def panel_decimals(values) -> int:
    """The decimals (0 to 3) that show each value as `display_number` does: the most any needs, so
    that the numbers of one panel share one format (assets/breakdown.js panelDecimals)."""
    return max((len(text) - text.index(".") - 1 for text in map(display_number, values) if "." in text), default=0)


def panel_number(value: float | None, decimals: int) -> str:
    """A value at a panel's decimals; 'missing' for None/NaN (assets/breakdown.js panelNumber)."""
    if value is None or np.isnan(value):
        return "missing"
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text
