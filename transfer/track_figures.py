"""Figures of task annotations (`transfer.annotations`): colour tracks beside the heatmap's cells and
the dendrogram's leaves, their legend, gaps between groups, and a collapsed matrix's block hover.

They draw what the view has computed (annotations, groups, blocks); they compute only layout.

Tracks. Each drawn field is a strip of colours along the rows and one along the columns: a 1 x n
heatmap of one byte a task (the value's index in `Annotations.values(field)`, the unannotated last)
with a stepped colour scale of the field's own colours (`Annotations.colour`: the same value, the
same colour in every view), placed like the cluster bands (`transfer.cluster_figures.band_trace`)
by category index on the heatmap's own axis, so it follows zooms along that axis. The row strips
sit on their own numeric axis (`xaxis6`, field i at i, its ticks naming the fields), the column
strips on `yaxis6`. The cells give up the strips' room: in cluster order between the
cluster bands and the cells, otherwise on the top and right (the sides without labels), where
`constraintoward` keeps the square cells' edge next to the strips. The legend is layout
annotations above the plot (in the top margin), so that it is in every PNG and SVG export and
clear of the colour bar and the value-suppressing wedge: a column a field (its name, then a
coloured square and a value a line).

Trace order: the heatmap's fixed slots (`transfer.figures.HeatmapTrace`), the cluster margins in
cluster order (`transfer.cluster_figures.add_cluster_margins`), then these: the group gaps, the
row strips, the column strips. Nothing patches them by index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from .annotations import NONE_COLOUR, NONE_LABEL, Annotations
from .figures import HeatmapTrace, hover, plot_labels, plot_text
from .taskgroups import group_runs

if TYPE_CHECKING:
    from .clustering import Tree
    from .taskgroups import Collapsed
    from .view import View

MAX_TRACKS = 3  # strips drawn per axis (the link's `track` names at most this many fields)
# Room of one strip (paper fractions of the plot area) and the gap between the strips and the cells.
TRACK_WIDTH = 0.016  # a row strip's width
TRACK_HEIGHT = 0.02  # a column strip's height
TRACK_GAP = 0.006
STRIP_GAP = 2  # px between two fields' strips
ROW_TRACK_AXIS = "xaxis6"  # numeric axis of the row strips (field i at i, its name the tick), anchored on `y`
COL_TRACK_AXIS = "yaxis6"  # numeric axis of the column strips, anchored on `x`
ROW_TRACK_X, COL_TRACK_Y = "x6", "y6"  # the same axes as traces name them
GAP_COLOUR = "white"  # the paper's colour: a gap between groups reads as space between blocks
BLOCK_HEAD = "%{y} → %{x}: %{z:.4~f}"  # a collapsed matrix's hover names its block
BLOCK_MEMBERS = 8  # members named per group in a block's hover, then "and N more"
LEGEND_NAME = "annotation legend"  # the name of the legend's annotations
LEGEND_ROWS = 4  # values a legend column lists (a field with more gets more columns)
LEGEND_FONT = 11
LEGEND_SQUARE = 15  # px: the font size of a value's colour square (a text glyph) in the legend
LEGEND_LINE_PX = 1.3 * LEGEND_FONT  # plotly's line spacing
LEGEND_CHAR_PX = 6.4  # an average character at LEGEND_FONT px (widths are estimates: no text is measured)
LEGEND_GAP_PX = 18  # between two columns
LEGEND_WIDTH = 260  # px a row of columns may span before the next row starts above it (fits a phone)


@dataclass(frozen=True)
class Tracks:
    """What the strips show: the annotations, the fields drawn (at most MAX_TRACKS) and, for a
    collapsed matrix, its field (the labels are then that field's values, NONE_LABEL unannotated)."""

    annotations: Annotations
    fields: tuple[str, ...]
    collapsed: str | None = None

    def value(self, label: str, field: str) -> str | None:
        if self.collapsed is not None:
            return None if label == NONE_LABEL else label
        return self.annotations.value(label, field)

    def codes(self, labels, field: str) -> np.ndarray:
        """One byte a label: its value's index in the field's values, len(values) unannotated."""
        index = {value: i for i, value in enumerate(self.annotations.values(field))}
        none = len(index)
        return np.array([index.get(self.value(label, field), none) for label in labels], dtype=np.uint8)

    def colorscale(self, field: str) -> list:
        """A stepped colour scale for codes 0..len(values) (zmin -0.5, zmax len(values) + 0.5)."""
        colours = [self.annotations.colour(field, value) for value in self.annotations.values(field)] + [NONE_COLOUR]
        count = len(colours)
        scale = []
        for code, colour in enumerate(colours):
            scale += [[code / count, colour], [(code + 1) / count, colour]]
        return scale

    def text(self, label: str) -> str:
        """A label's annotations for the hover, one field a line (plotly text, escaped)."""
        if self.collapsed is not None:
            return f"{plot_text(self.collapsed)}: {plot_text(label)}"
        return "<br>".join(f"{plot_text(field)}: {plot_text(NONE_LABEL if value is None else value)}"
                           for field, value in self.annotations.of(label).items())

    def legend(self, labels) -> list[tuple[str, list[tuple[str, str]]]]:
        """Per field, the values among `labels` (in the field's order, NONE_LABEL last) with their colours."""
        entries = []
        for field in self.fields:
            present = {self.value(label, field) for label in labels}
            values = [value for value in self.annotations.values(field) if value in present]
            items = [(value, self.annotations.colour(field, value)) for value in values]
            if None in present:
                items.append((NONE_LABEL, NONE_COLOUR))
            entries.append((field, items))
        return entries


def view_tracks(view: View) -> Tracks | None:
    """The view's strips: its `tracks` fields (a collapsed matrix: its own field); None for none."""
    annotations = view.annotations
    if annotations is None:
        return None
    if view.collapsed is not None:
        field = view.state.collapse
        return Tracks(annotations, (field,), collapsed=field) if field and annotations.has_field(field) else None
    fields = tuple(field for field in view.tracks if annotations.has_field(field))[:MAX_TRACKS]
    return Tracks(annotations, fields) if fields else None


# --- the strips ------------------------------------------------------------------------------------


def track_trace(
    tracks: Tracks, field: str, labels, *, axis: str, index: int = 0, texts: list[str] | None = None,
) -> go.Heatmap:
    """One field's strip along the rows (`axis='row'`, down `y`) or the columns (along `x`), in the
    order of `labels` (the heatmap's, as displayed), at position `index` of its strip axis: codes
    as one byte a task, hover the task's annotations (its label from the heatmap's axis).

    Both positions are numbers, never category names: on a category axis plotly.js gives a
    one-column heatmap one brick per category of the axis, and drew only the first field's.
    `texts`: the labels' hover texts when already written (`Tracks.text`, the same for every field)."""
    codes = tracks.codes(labels, field)
    texts = texts if texts is not None else [tracks.text(label) for label in labels]
    common = dict(
        zmin=-0.5, zmax=len(tracks.annotations.values(field)) + 0.5, colorscale=tracks.colorscale(field),
        showscale=False, name=f"track {plot_text(field)}", hoverongaps=False,
    )
    # STRIP_GAP pixels between neighbouring fields' strips, none between tasks (a group is one bar)
    if axis == "row":
        return go.Heatmap(z=codes.reshape(-1, 1), text=[[t] for t in texts], x0=index, dx=1, y0=0, dy=1,
                          xgap=STRIP_GAP, ygap=0, xaxis=ROW_TRACK_X, yaxis="y",
                          hovertemplate="%{y}<br>%{text}<extra></extra>", **common)
    return go.Heatmap(z=codes.reshape(1, -1), text=[texts], x0=0, dx=1, y0=index, dy=1, xgap=0, ygap=STRIP_GAP,
                      xaxis="x", yaxis=COL_TRACK_Y, hovertemplate="%{x}<br>%{text}<extra></extra>", **common)


def legend_columns(tracks: Tracks, rows, cols) -> list[tuple[list[str], float]]:
    """The legend's columns: each its lines (plotly text: a field's name in bold over up to
    LEGEND_ROWS of its values, those of the displayed tasks with NONE_LABEL last, each after a
    square of its colour; a field with more values goes on in further columns under a blank title)
    and its estimated width in pixels."""
    labels = list(dict.fromkeys([*rows, *cols]))
    columns = []
    for field, items in tracks.legend(labels):
        for start in range(0, max(len(items), 1), LEGEND_ROWS):
            chunk = items[start:start + LEGEND_ROWS]
            lines = [f"<b>{plot_text(field)}</b>" if start == 0 else " "]
            lines += [f'<span style="color:{colour};font-size:{LEGEND_SQUARE}px">■</span> {plot_text(value)}'
                      for value, colour in chunk]
            chars = max([1.1 * len(field) if start == 0 else 0] + [len(value) + 2 for value, _ in chunk])
            columns.append((lines, LEGEND_CHAR_PX * chars + LEGEND_SQUARE))
    return columns


def legend_annotations(columns: list[tuple[list[str], float]], *, right: bool) -> tuple[list[dict], int]:
    """The columns as layout annotations above the plot (an annotation a column), in rows of at
    most LEGEND_WIDTH pixels, the block's left edge at the plot's left (or its right edge at the
    plot's right, `right`), and the pixels they take above the plot (the top margin to add).

    Annotations rather than plotly's legend: a legend took plotly.js ~0.1 s more to draw (it
    measures and lays out its entries, and pushes the margins); annotations ~0.02 s."""
    rows: list[list[tuple[list[str], float]]] = []
    for column in columns:
        width = sum(w for _, w in rows[-1]) + LEGEND_GAP_PX * len(rows[-1]) if rows else 0
        if rows and width + column[1] <= LEGEND_WIDTH:
            rows[-1].append(column)
        else:
            rows.append([column])
    notes, height = [], 4
    for row in reversed(rows):  # the last row nearest the plot
        height += round(max(len(lines) for lines, _ in row) * LEGEND_LINE_PX) + 6
        total = sum(w for _, w in row) + LEGEND_GAP_PX * (len(row) - 1)
        offset = -total if right else 0
        for lines, width in row:  # tops level (a short column hangs from the row's top)
            notes.append({"xref": "paper", "yref": "paper", "x": 1.0 if right else 0.0, "y": 1.0, "xanchor": "left",
                          "yanchor": "top", "xshift": round(offset), "yshift": height, "align": "left",
                          "showarrow": False, "text": "<br>".join(lines), "font": {"size": LEGEND_FONT},
                          "name": LEGEND_NAME})
            offset += width + LEGEND_GAP_PX
    return notes, height + 4  # and a little room above it


def _domain(axis, default=(0.0, 1.0)) -> tuple[float, float]:
    return tuple(axis.domain) if axis.domain is not None else default


def add_tracks(fig: go.Figure, view: View, tracks: Tracks | None = None) -> None:
    """The strips of the view's track fields along both axes and their legend (nothing without).

    The cells give up the strips' room on the side away from their labels (in cluster order: on
    the side of the dendrograms, between the cluster bands and the cells, and the dendrograms
    follow the cells' new domain)."""
    tracks = tracks if tracks is not None else view_tracks(view)
    if tracks is None:
        return
    rows, cols = view.matrix.rows, view.matrix.cols
    count = len(tracks.fields)
    width, height = count * TRACK_WIDTH + TRACK_GAP, count * TRACK_HEIGHT + TRACK_GAP
    for axis, labels in (("row", rows), ("col", cols)):
        texts = [tracks.text(label) for label in labels]
        fig.add_traces([track_trace(tracks, field, labels, axis=axis, index=i, texts=texts)
                        for i, field in enumerate(tracks.fields)])
    layout = fig.layout
    (x0, x1), (y0, y1) = _domain(layout.xaxis), _domain(layout.yaxis)
    clustered = view.state.order == "cluster"  # dendrograms on the left and top (add_cluster_margins)
    names = plot_labels(tracks.fields)
    strip = {"type": "linear", "fixedrange": True, "showgrid": False, "zeroline": False, "showline": False,
             "ticks": "", "tickfont": {"size": 10}, "automargin": bool(layout.xaxis.automargin),
             "tickmode": "array", "tickvals": list(range(count)), "ticktext": names}
    if clustered:  # rows' labels on the right, dendrograms left and top: strips left of and above the cells
        cells_x, row_strips = (x0 + width, x1), (x0, x0 + width - TRACK_GAP)
        row_range = [count - 0.5, -0.5]  # the first field nearest the cells
        fig.update_layout(xaxis4={"domain": list(cells_x)}, yaxis3={"domain": [y0, y1 - height]})
    else:  # rows' labels on the left: strips right of and above the cells, which keep to those edges
        cells_x, row_strips = (x0, x1 - width), (x1 - width + TRACK_GAP, x1)
        row_range = [-0.5, count - 0.5]
        fig.update_layout(xaxis={"constraintoward": "right"}, yaxis={"constraintoward": "top"})
    fig.update_layout(
        xaxis={"domain": list(cells_x)},
        yaxis={"domain": [y0, y1 - height]},
        **{
            ROW_TRACK_AXIS: {**strip, "domain": list(row_strips), "anchor": "y", "range": row_range,
                             "side": "bottom", "tickangle": -90},
            COL_TRACK_AXIS: {**strip, "domain": [y1 - height + TRACK_GAP, y1], "anchor": "x",
                             "range": [-0.5, count - 0.5], "side": "right" if clustered else "left"},
        },
    )
    # the legend over the cells' side that stays put: left in cluster order, right otherwise (`constraintoward`)
    notes, height = legend_annotations(legend_columns(tracks, rows, cols), right=not clustered)
    for note in notes:
        fig.add_annotation(note)
    fig.update_layout(margin={"t": (layout.margin.t or 0) + height})


# --- gaps between groups ---------------------------------------------------------------------------


def gap_lines(view: View) -> tuple[list, list]:
    """Line coordinates (None-separated, cell units of the overlay axes) between consecutive groups
    of the view's group field along both axes: ([], []) unless the view is in group order."""
    field = view.state.group
    if view.state.order != "group" or view.collapsed is not None or view.annotations is None or not field:
        return [], []
    rows, cols = view.matrix.shape
    xs: list = []
    ys: list = []
    for _, _, last in group_runs(view.matrix.rows, view.annotations, field)[:-1]:
        xs += [-0.5, cols - 0.5, None]
        ys += [last + 0.5, last + 0.5, None]
    for _, _, last in group_runs(view.matrix.cols, view.annotations, field)[:-1]:
        xs += [last + 0.5, last + 0.5, None]
        ys += [-0.5, rows - 0.5, None]
    return xs, ys


def gap_trace(xs: list, ys: list, rows: int) -> go.Scatter:
    """The gaps as lines of the paper's colour over the cells, on the overlay axes: a trace, which a
    click's selection outline (the layout's shapes) leaves alone. Thicker while cells are large."""
    width = 4 if rows <= 60 else 3 if rows <= 200 else 2
    return go.Scatter(x=xs, y=ys, mode="lines", line={"color": GAP_COLOUR, "width": width},
                      hoverinfo="skip", showlegend=False, xaxis="x2", yaxis="y2", name="group gaps")


def add_group_gaps(fig: go.Figure, view: View) -> None:
    xs, ys = gap_lines(view)
    if xs:
        fig.add_trace(gap_trace(xs, ys, max(view.matrix.shape)))


# --- a collapsed matrix's blocks -------------------------------------------------------------------


def _members(labels) -> str:
    named = ", ".join(plot_labels(labels[:BLOCK_MEMBERS]))
    more = len(labels) - BLOCK_MEMBERS
    return named if more <= 0 else f"{named} and {more:,} more"


def block_notes(collapsed: Collapsed, rows, cols) -> list[list[str]]:
    """Each displayed block's hover lines after its value: its cell count and the tasks of its row
    and column groups (BLOCK_MEMBERS named, then how many more). `rows`/`cols`: the displayed order."""
    row_index = [collapsed.matrix.rows.index(label) for label in rows]
    col_index = [collapsed.matrix.cols.index(label) for label in cols]
    counts = collapsed.counts[np.ix_(row_index, col_index)].tolist()
    train = [f"<br>train: {_members(collapsed.row_members.get(label, ()))}" for label in rows]
    test = [f"<br>test: {_members(collapsed.col_members.get(label, ()))}" for label in cols]
    return [[f"<br>{n:,} cell{'' if n == 1 else 's'}{train[i]}{test[j]}" for j, n in enumerate(row)]
            for i, row in enumerate(counts)]


def add_block_hover(fig: go.Figure, view: View) -> None:
    """A collapsed matrix's cells hover as blocks: "QA → NLI: value", its statistics with
    replicates, then its cell count and members (`block_notes`). Nothing for other views."""
    if view.collapsed is None:
        return
    notes = block_notes(view.collapsed, view.matrix.rows, view.matrix.cols)
    about = hover(view.matrix, view.comparison, view.stats, head=BLOCK_HEAD, notes=notes)
    fig.data[HeatmapTrace.CELLS].update(hovertemplate=about.template, customdata=about.customdata,
                                        hovertext=about.hovertext)


def decorate_annotations(fig: go.Figure, view: View) -> None:
    """The annotation layers of the heatmap, after the cluster margins: group gaps, strips and their
    legend, a collapsed matrix's block hover."""
    add_group_gaps(fig, view)
    add_tracks(fig, view)
    add_block_hover(fig, view)


# --- the dendrogram tab ----------------------------------------------------------------------------

LEAF_TRACK_STEP = 0.05  # of the tree's height: each field's column beside the leaves
LEAF_TRACK_START = 0.035  # the first column's near edge, past the leaves' dots


def leaf_track_traces(tree: Tree, tracks: Tracks, top: float, *, xaxis: str, yaxis: str) -> list[go.Heatmap]:
    """Per field a column of the leaves' colours beside them (heights grow to the left: at negative
    heights, between the leaves and their labels), leaf i at y = i as the tree draws it."""
    labels = tree.ordered_labels
    texts = [[f"{plot_text(label)}<br>{tracks.text(label)}"] for label in labels]
    traces = []
    for index, field in enumerate(tracks.fields):
        centre = -top * (LEAF_TRACK_START + (index + 0.5) * LEAF_TRACK_STEP)
        traces.append(go.Heatmap(
            z=tracks.codes(labels, field).reshape(-1, 1), x0=centre, dx=top * LEAF_TRACK_STEP * 0.85, y0=0, dy=1,
            zmin=-0.5, zmax=len(tracks.annotations.values(field)) + 0.5, colorscale=tracks.colorscale(field),
            showscale=False, xgap=STRIP_GAP, ygap=0, text=texts, hovertemplate="%{text}<extra></extra>", xaxis=xaxis,
            yaxis=yaxis, name=f"track {plot_text(field)}",
        ))
    return traces


def leaf_tracks_room(count: int) -> float:
    """How far (in tree heights) past the leaves the heights axis reaches to show `count` columns."""
    return LEAF_TRACK_START + count * LEAF_TRACK_STEP + 0.01 if count else 0.03


def leaf_track_titles(tracks: Tracks, top: float, *, xaxis: str, yaxis: str) -> list[dict]:
    """The fields' names above their columns (layout annotations)."""
    return [{"xref": xaxis, "yref": f"{yaxis} domain", "x": -top * (LEAF_TRACK_START + (index + 0.5) * LEAF_TRACK_STEP),
             "y": 1.0, "yanchor": "bottom", "xanchor": "center", "textangle": -90, "showarrow": False,
             "text": plot_text(field), "font": {"size": 10}} for index, field in enumerate(tracks.fields)]


def leaf_titles_height(tracks: Tracks | None) -> int:
    """Pixels above the trees for the fields' names (written upwards, ~6 px a character at 10 px)."""
    if tracks is None or not tracks.fields:
        return 0
    return min(120, 8 + 6 * max(len(field) for field in tracks.fields))
