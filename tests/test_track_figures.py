"""Annotation figures (transfer.track_figures): colour tracks along both axes and their legend,
gaps between groups, a collapsed matrix's block hover, and the dendrogram leaves' colours, on a
small hand-made matrix and annotations file whose answers are worked out by hand."""

from __future__ import annotations

import re

import numpy as np
import pytest

from transfer.annotations import NONE_COLOUR, NONE_LABEL, PALETTE, parse_annotations
from transfer.cluster_figures import (
    COLOUR_TRACES,
    FIRST_MARGIN_TRACE,
    HEATMAP_X,
    HEATMAP_Y,
    decorate_heatmap,
    dendrogram_figure,
)
from transfer.clustering import ClusterOptions, cluster_matrix
from transfer.figures import HOVER_HEAD, MODEBAR_ROOM, HeatmapTrace, heatmap_figure
from transfer.matrix import TransferMatrix
from transfer.taskgroups import Collapsed
from transfer.track_figures import (
    BLOCK_HEAD,
    LEGEND_NAME,
    LEGEND_ROWS,
    TRACK_HEIGHT,
    TRACK_WIDTH,
    Tracks,
    block_notes,
    legend_annotations,
    view_tracks,
)
from transfer.view import View, arranged_matrix
from transfer.viewstate import ViewState

from replicated import replicated_matrix

ANNOTATIONS = parse_annotations(
    b"task,task_type,with_context\n"
    b"TriviaQA,factual QA,no\n"
    b"HotpotQA,factual QA,no\n"
    b"Winobias,coreference,no\n"
    b"IMDB,sentiment,yes\n"
    b"Movies,factual QA,\n"  # no with_context value
    b"Unused,coreference,yes\n",  # not in the matrix
    filename="tasks.csv",
)
# Mystery is not annotated at all.
LABELS = ["TriviaQA", "Winobias", "IMDB", "HotpotQA", "Mystery", "Movies"]
MATRIX = TransferMatrix(rows=LABELS, cols=LABELS, values=np.arange(36, dtype=float).reshape(6, 6) / 10 - 1.5,
                        metric="AUC difference")
TYPE = {"factual QA": PALETTE[0], "coreference": PALETTE[1], "sentiment": PALETTE[2]}  # first appearance
CONTEXT = {"no": PALETTE[0], "yes": PALETTE[1]}


def view_of(matrix=MATRIX, annotations=ANNOTATIONS, collapsed=None, **state) -> View:
    state = ViewState(**state)
    shown = arranged_matrix(matrix, state) if state.order == "cluster" else matrix
    return View(state=state, notices=(), dataset_id="test", stored=matrix, matrix=shown, derived=matrix,
                annotations=annotations, collapsed=collapsed)


def figure_of(view: View):
    fig = heatmap_figure(view.matrix, stats=view.stats, unc=view.state.unc)
    decorate_heatmap(fig, view)
    return fig


def traces_named(fig, prefix: str) -> list:
    return [trace for trace in fig.data if (trace.name or "").startswith(prefix)]


def strips(fig) -> tuple[list, list]:
    """The row strips (on the strip axis x6) and the column strips (on y6), in field order."""
    tracks = traces_named(fig, "track ")
    return [t for t in tracks if t.xaxis == "x6"], [t for t in tracks if t.yaxis == "y6"]


def colours(trace) -> list[str]:
    """Each task's colour as plotly draws it: its code's step of the stepped colour scale."""
    codes = np.asarray(trace.z).ravel()
    scale = trace.colorscale
    drawn = []
    for code in codes.tolist():
        fraction = (code - trace.zmin) / (trace.zmax - trace.zmin)
        drawn.append(next(colour for (low, colour), (high, _) in zip(scale, scale[1:]) if low <= fraction <= high))
    return drawn


def hover_of(template: str, **values) -> str:
    """A hover as plotly writes it for placeholders given as text (%{y}, %{x}, %{text}, ...)."""
    for name, value in values.items():
        template = template.replace("%{" + name + "}", value)
    return template.replace("<extra></extra>", "")


# --- tracks ----------------------------------------------------------------------------------------


def test_each_task_gets_its_values_colour_on_both_axes_and_the_unannotated_the_none_colour():
    fig = figure_of(view_of(track=("task_type", "with_context")))
    rows, cols = strips(fig)
    assert [t.name for t in rows] == [t.name for t in cols] == ["track task_type", "track with_context"]
    for strip, field in zip(rows, ("task_type", "with_context")):
        expected = [ANNOTATIONS.colour(field, ANNOTATIONS.value(label, field)) for label in LABELS]
        assert colours(strip) == expected
    # worked out by hand: values coloured in order of first appearance in the file
    assert colours(rows[0]) == [TYPE["factual QA"], TYPE["coreference"], TYPE["sentiment"], TYPE["factual QA"],
                                NONE_COLOUR, TYPE["factual QA"]]
    assert colours(cols[1]) == [CONTEXT["no"], CONTEXT["no"], CONTEXT["yes"], CONTEXT["no"], NONE_COLOUR,
                                NONE_COLOUR]
    assert colours(cols[0]) == colours(rows[0])  # the same value, the same colour on both axes


def test_strips_are_one_byte_a_task_placed_by_index_on_the_heatmaps_axes():
    fig = figure_of(view_of(track=("task_type",)))
    (row,), (col,) = strips(fig)
    assert np.asarray(row.z).dtype == np.uint8 and np.asarray(row.z).shape == (6, 1)
    assert np.asarray(col.z).shape == (1, 6)
    assert (row.y0, row.dy, row.yaxis) == (0, 1, "y") and (col.x0, col.dx, col.xaxis) == (0, 1, "x")
    assert row.x is None and col.y is None  # numbers on their strip axes, never category names
    assert fig.layout.xaxis6.ticktext == ("task_type",) and fig.layout.yaxis6.ticktext == ("task_type",)


def test_hover_on_a_strip_names_the_task_and_all_its_annotations():
    fig = figure_of(view_of(track=("with_context",)))
    (row,), (col,) = strips(fig)
    first = hover_of(row.hovertemplate, y="TriviaQA", text=row.text[0][0])
    assert first == "TriviaQA<br>task_type: factual QA<br>with_context: no"
    assert hover_of(row.hovertemplate, y="Mystery", text=row.text[4][0]) == \
        f"Mystery<br>task_type: {NONE_LABEL}<br>with_context: {NONE_LABEL}"
    assert hover_of(col.hovertemplate, x="Movies", text=col.text[0][5]) == \
        f"Movies<br>task_type: factual QA<br>with_context: {NONE_LABEL}"


def legend_of(fig) -> list[list[str]]:
    """The legend's columns as lines of text, colour squares as "[colour]"."""
    notes = [note for note in fig.layout.annotations if note.name == LEGEND_NAME]
    square = re.compile(r'<span style="color:(#[0-9a-f]{6});font-size:\d+px">■</span>')
    return [[square.sub(r"[\1]", line) for line in note.text.split("<br>")] for note in notes]


def test_the_legend_lists_each_drawn_fields_shown_values_with_their_colours():
    fig = figure_of(view_of(track=("task_type", "with_context")))
    assert legend_of(fig) == [
        ["<b>task_type</b>", f"[{TYPE['factual QA']}] factual QA", f"[{TYPE['coreference']}] coreference",
         f"[{TYPE['sentiment']}] sentiment", f"[{NONE_COLOUR}] {NONE_LABEL}"],
        ["<b>with_context</b>", f"[{CONTEXT['no']}] no", f"[{CONTEXT['yes']}] yes", f"[{NONE_COLOUR}] {NONE_LABEL}"],
    ]
    notes = [note for note in fig.layout.annotations if note.name == LEGEND_NAME]
    # above the plot (in every export: part of the figure), clear of the colour bar on the right;
    # side by side, tops level, the block's right edge at the plot's (the cells keep to the right)
    assert all((n.xref, n.yref, n.x, n.y, n.yanchor) == ("paper", "paper", 1, 1, "top") for n in notes)
    assert notes[0].xshift < notes[1].xshift < 0 and notes[0].yshift == notes[1].yshift > 0
    assert fig.layout.margin.t == MODEBAR_ROOM + notes[0].yshift + 4  # the top margin makes room for it
    assert not fig.layout.showlegend and all(t.showlegend is not True for t in fig.data)  # no plotly legend


def test_a_field_with_many_values_gets_legend_columns_titled_once():
    values = [f"v{i}" for i in range(2 * LEGEND_ROWS + 1)]
    annotations = parse_annotations(("task,kind\n" + "".join(f"t{i},{v}\n" for i, v in enumerate(values))).encode())
    labels = [f"t{i}" for i in range(len(values))]
    matrix = TransferMatrix(rows=labels, cols=labels, values=np.zeros((len(labels), len(labels))))
    columns = legend_of(figure_of(view_of(matrix, annotations)))
    assert [column[0] for column in columns] == ["<b>kind</b>", " ", " "]
    assert [len(column) - 1 for column in columns] == [LEGEND_ROWS, LEGEND_ROWS, 1]
    assert [line.split("] ")[1] for column in columns for line in column[1:]] == values  # no (none): all annotated


def test_legend_columns_wrap_into_rows_above_each_other():
    columns = [([f"<b>f{i}</b>", "x"], 120.0) for i in range(5)]
    notes, height = legend_annotations(columns, right=False)
    # 120 + 18 + 120 <= LEGEND_WIDTH < 120 + 18 + 120 + 18 + 120: two a row (a phone's plot has
    # room for about 260 px), the first row on top
    assert [note["xshift"] for note in notes] == [0, 0, 138, 0, 138]
    assert [note["text"].split("<br>")[0] for note in notes] == ["<b>f4</b>", "<b>f2</b>", "<b>f3</b>", "<b>f0</b>",
                                                               "<b>f1</b>"]
    shifts = sorted({note["yshift"] for note in notes})
    assert len(shifts) == 3 and shifts[-1] < height


def test_labels_and_values_are_escaped_in_hover_legend_and_tick_names():
    annotations = parse_annotations(b"task,<i>kind</i>\nA,<b>big</b>\nB,small\n")
    matrix = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=np.zeros((2, 2)))
    fig = figure_of(view_of(matrix, annotations))
    (row,), _ = strips(fig)
    assert row.text[0][0] == "&lt;i&gt;kind&lt;/i&gt;: &lt;b&gt;big&lt;/b&gt;"
    assert [line.split("] ")[1] for line in legend_of(fig)[0][1:]] == ["&lt;b&gt;big&lt;/b&gt;", "small"]
    assert legend_of(fig)[0][0] == "<b>&lt;i&gt;kind&lt;/i&gt;</b>"
    assert fig.layout.xaxis6.ticktext == ("&lt;i&gt;kind&lt;/i&gt;",)


def test_without_tracks_the_figure_is_unchanged():
    plain = heatmap_figure(MATRIX)
    for view in (view_of(track=()), view_of(annotations=None)):
        assert view.tracks == ()
        fig = figure_of(view)
        assert len(fig.data) == len(HeatmapTrace)
        assert fig.layout.to_plotly_json() == plain.layout.to_plotly_json()


def test_the_default_track_is_the_first_field_and_tracks_keep_the_links_order():
    assert [t.name for t in strips(figure_of(view_of()))[0]] == ["track task_type"]
    tracks = view_tracks(view_of(track=("with_context", "task_type")))
    assert tracks.fields == ("with_context", "task_type")


def test_in_file_order_the_strips_take_the_cells_room_on_the_sides_without_labels():
    fig = figure_of(view_of(track=("task_type", "with_context")))
    layout = fig.layout
    width, height = 2 * TRACK_WIDTH, 2 * TRACK_HEIGHT
    cells_x, cells_y = layout.xaxis.domain, layout.yaxis.domain
    rows, cols = layout.xaxis6, layout.yaxis6
    # row strips right of the cells (row labels are on the left), column strips above them
    assert cells_x[0] == 0 and cells_x[1] < rows.domain[0] and rows.domain[1] == 1
    assert rows.domain[1] - rows.domain[0] == pytest.approx(width)
    assert cells_y[0] == 0 and cells_y[1] < cols.domain[0] and cols.domain[1] == 1
    assert cols.domain[1] - cols.domain[0] == pytest.approx(height)
    assert (rows.anchor, cols.anchor) == ("y", "x")
    # square cells keep to the strips' edges; the first field nearest the cells
    assert (layout.xaxis.constraintoward, layout.yaxis.constraintoward) == ("right", "top")
    assert layout.yaxis.scaleanchor == "x"
    assert tuple(rows.range) == (-0.5, 1.5) and tuple(cols.range) == (-0.5, 1.5)
    assert rows.side == "bottom" and cols.side == "left"


def test_with_the_uncertainty_wedge_the_strips_stay_left_of_it():
    samples = np.random.default_rng(3).normal(size=(6, 6, 4))
    matrix = replicated_matrix(samples, labels=LABELS)
    fig = figure_of(view_of(matrix))
    assert fig.data[HeatmapTrace.LEGEND].xaxis == "x7"
    assert fig.layout.xaxis6.domain[1] <= 0.82 < fig.layout.xaxis7.domain[0]


def test_in_cluster_order_the_strips_sit_between_the_cluster_bands_and_the_cells():
    view = view_of(order="cluster", k=2, track=("task_type", "with_context"))
    fig = figure_of(view)
    layout = fig.layout
    # the margins keep their trace slots (patched by index for a new cut); the strips come after
    assert fig.data[FIRST_MARGIN_TRACE].xaxis == "x3"
    assert [t.name for t in fig.data[FIRST_MARGIN_TRACE + 2 * COLOUR_TRACES:][:2]] == ["row clusters", "col clusters"]
    first_strip = next(i for i, t in enumerate(fig.data) if (t.name or "").startswith("track "))
    assert first_strip == FIRST_MARGIN_TRACE + 2 * COLOUR_TRACES + 2
    band_x, strips_x, cells_x = layout.xaxis5.domain, layout.xaxis6.domain, layout.xaxis.domain
    assert band_x[1] < strips_x[0] < strips_x[1] < cells_x[0] and cells_x[1] == HEATMAP_X[1]
    band_y, strips_y, cells_y = layout.yaxis5.domain, layout.yaxis6.domain, layout.yaxis.domain
    assert cells_y[1] < strips_y[0] < strips_y[1] < band_y[0] and strips_y[1] == HEATMAP_Y[1]
    # the dendrograms follow the cells
    assert layout.xaxis4.domain == cells_x and layout.yaxis3.domain == cells_y
    assert tuple(layout.xaxis6.range) == (1.5, -0.5)  # the first field nearest the cells
    assert layout.yaxis6.side == "right"  # beside the row labels
    rows, _ = strips(fig)
    assert colours(rows[0]) == [ANNOTATIONS.colour("task_type", ANNOTATIONS.value(label, "task_type"))
                                for label in view.matrix.rows]


# --- group gaps ------------------------------------------------------------------------------------


def test_group_order_draws_gaps_between_consecutive_groups_on_both_axes():
    # by task_type, values in file order, unannotated last; data order within a group
    order = [0, 3, 5, 1, 2, 4]  # TriviaQA HotpotQA Movies | Winobias | IMDB | Mystery
    grouped = MATRIX.reordered(order, order)
    view = View(state=ViewState(order="group", group="task_type"), notices=(), dataset_id="test", stored=MATRIX,
                matrix=grouped, derived=MATRIX, annotations=ANNOTATIONS)
    fig = figure_of(view)
    (gaps,) = traces_named(fig, "group gaps")
    assert (gaps.xaxis, gaps.yaxis, gaps.mode, gaps.hoverinfo) == ("x2", "y2", "lines", "skip")
    assert list(gaps.y[:9]) == [2.5, 2.5, None, 3.5, 3.5, None, 4.5, 4.5, None]  # between rows 2|3, 3|4, 4|5
    assert list(gaps.x[:9]) == [-0.5, 5.5, None] * 3
    assert list(gaps.x[9:]) == [2.5, 2.5, None, 3.5, 3.5, None, 4.5, 4.5, None]  # the same between columns
    assert list(gaps.y[9:]) == [-0.5, 5.5, None] * 3
    # a trace on the overlay axes: a click's selection outline (layout shapes after the outlines' slots) leaves it alone
    assert [shape.name for shape in fig.layout.shapes] == ["positive", "negative", "cluster"]


def test_no_gaps_outside_group_order():
    for view in (view_of(), view_of(order="cluster", k=2)):
        assert not traces_named(figure_of(view), "group gaps")


# --- collapse --------------------------------------------------------------------------------------

GROUPS = ["factual QA", "coreference", "sentiment", NONE_LABEL]
MEMBERS = {"factual QA": ("TriviaQA", "HotpotQA", "Movies"), "coreference": ("Winobias",),
           "sentiment": ("IMDB",), NONE_LABEL: ("Mystery",)}
# cells per block leaving out the in-domain ones (3 x 3 - 3 within factual QA; 1 x 1 - 1 elsewhere)
COUNTS = np.array([[6, 3, 3, 3], [3, 0, 1, 1], [3, 1, 0, 1], [3, 1, 1, 0]])


def collapsed_view(matrix=None):
    values = np.array([[0.1, -0.2, 0.3, 0.0], [0.2, np.nan, 0.4, -0.1], [0.0, 0.1, np.nan, 0.2],
                       [-0.3, 0.2, 0.1, np.nan]])
    matrix = matrix or TransferMatrix(rows=GROUPS, cols=GROUPS, values=values, metric="AUC difference")
    collapsed = Collapsed(matrix=matrix, counts=COUNTS, row_members=MEMBERS, col_members=MEMBERS)
    return view_of(matrix, collapsed=collapsed, collapse="task_type")


def test_a_collapsed_cell_hover_names_its_block_cell_count_and_members():
    view = collapsed_view()
    cells = figure_of(view).data[HeatmapTrace.CELLS]
    assert cells.hovertemplate == BLOCK_HEAD + "%{hovertext}<extra></extra>"
    assert hover_of(cells.hovertemplate, y="factual QA", x="coreference", hovertext=cells.hovertext[0][1]) == (
        "factual QA → coreference: %{z:.4~f}<br>3 cells<br>train: TriviaQA, HotpotQA, Movies<br>test: Winobias"
    )
    assert cells.hovertext[1][2] == "<br>1 cell<br>train: Winobias<br>test: IMDB"


def test_a_collapsed_views_order_is_followed_and_long_member_lists_are_cut():
    many = {**MEMBERS, "factual QA": tuple(f"task{i}" for i in range(11))}
    collapsed = Collapsed(matrix=TransferMatrix(rows=GROUPS, cols=GROUPS, values=np.zeros((4, 4))), counts=COUNTS,
                          row_members=many, col_members=many)
    shown = ["sentiment", "factual QA", "coreference", NONE_LABEL]  # e.g. cluster order
    notes = block_notes(collapsed, shown, shown)
    assert notes[1][0] == ("<br>3 cells<br>train: task0, task1, task2, task3, task4, task5, task6, task7 and 3 more"
                           "<br>test: IMDB")
    assert notes[0][0].startswith("<br>0 cells")


def test_a_collapsed_matrix_with_replicates_keeps_its_statistics_before_the_block():
    samples = np.random.default_rng(5).normal(size=(4, 4, 5))
    matrix = replicated_matrix(samples, labels=GROUPS, metric="AUC difference")
    view = collapsed_view(matrix)
    cells = figure_of(view).data[HeatmapTrace.CELLS]
    plain = heatmap_figure(matrix, stats=view.stats).data[HeatmapTrace.CELLS]
    statistics = plain.hovertemplate[len(HOVER_HEAD):].replace("<extra></extra>", "")
    assert "CI" in statistics and "customdata" in statistics
    assert cells.hovertemplate == BLOCK_HEAD + statistics + "%{hovertext}<extra></extra>"
    np.testing.assert_array_equal(cells.customdata, plain.customdata)
    factual = "TriviaQA, HotpotQA, Movies"
    assert cells.hovertext[0][0] == f"<br>6 cells<br>train: {factual}<br>test: {factual}"


def test_blocks_of_different_kinds_get_their_statistics_then_the_block_as_text():
    samples = np.random.default_rng(6).normal(size=(4, 4, 5))
    samples[0, 1, 1:] = np.nan  # one replicate: no interval
    matrix = replicated_matrix(samples, labels=GROUPS, metric="AUC difference")
    view = collapsed_view(matrix)
    cells = figure_of(view).data[HeatmapTrace.CELLS]
    plain = heatmap_figure(matrix, stats=view.stats).data[HeatmapTrace.CELLS]
    assert plain.hovertemplate.endswith("%{hovertext}<extra></extra>")  # statistics as each cell's text
    assert cells.hovertemplate == BLOCK_HEAD + plain.hovertemplate[len(HOVER_HEAD):]
    assert cells.hovertext[0][1] == "<br>1 replicate, no interval<br>3 cells<br>train: TriviaQA, HotpotQA, Movies" \
        "<br>test: Winobias"
    assert cells.hovertext[2][3] == plain.hovertext[2][3] + "<br>1 cell<br>train: IMDB<br>test: Mystery"


def test_a_collapsed_matrix_shows_its_own_field_as_the_track():
    view = collapsed_view()
    tracks = view_tracks(view)
    assert tracks == Tracks(ANNOTATIONS, ("task_type",), collapsed="task_type")
    rows, cols = strips(figure_of(view))
    assert colours(rows[0]) == [TYPE["factual QA"], TYPE["coreference"], TYPE["sentiment"], NONE_COLOUR]
    assert rows[0].text[0][0] == "task_type: factual QA"


# --- the dendrogram tab ----------------------------------------------------------------------------


def test_each_dendrogram_leaf_carries_its_track_colours():
    view = view_of(track=("task_type", "with_context"))
    clustering = cluster_matrix(MATRIX, ClusterOptions())
    plain = dendrogram_figure(clustering, 2)
    fig = dendrogram_figure(clustering, 2, tracks=view_tracks(view))
    # the trees' traces keep their indices (a click reads the first tree's by curve number)
    assert [t.name for t in fig.data[:len(plain.data)]] == [t.name for t in plain.data]
    assert fig.data[COLOUR_TRACES].name == "tasks"
    columns = fig.data[len(plain.data):]
    assert [t.name for t in columns] == ["track task_type", "track with_context"]
    leaves = clustering.rows.ordered_labels
    for column, field in zip(columns, ("task_type", "with_context")):
        assert colours(column) == [ANNOTATIONS.colour(field, ANNOTATIONS.value(label, field)) for label in leaves]
        assert (column.y0, column.dy) == (0, 1)  # leaf i at y = i, as the tree draws it
        assert column.x0 < 0  # past the leaves (heights grow to the left), before their labels
    assert hover_of(columns[0].hovertemplate, text=columns[0].text[0][0]).startswith(f"{leaves[0]}<br>task_type: ")
    assert [a.text for a in fig.layout.annotations] == ["task_type", "with_context"]
    assert min(fig.layout.xaxis.tickvals) == 0  # no negative heights named over the columns


def test_dendrogram_without_tracks_is_unchanged():
    clustering = cluster_matrix(MATRIX, ClusterOptions())
    assert dendrogram_figure(clustering, 2, tracks=None).to_json() == dendrogram_figure(clustering, 2).to_json()


# --- size ------------------------------------------------------------------------------------------


def test_tracks_add_a_few_bytes_a_task_never_per_cell_data():
    n = 300
    labels = [f"task{i:03d}" for i in range(n)]
    annotations = parse_annotations(("task,kind,ctx\n" + "".join(f"{labels[i]},{i % 5},{i % 2}\n"
                                                                 for i in range(n))).encode())
    matrix = TransferMatrix(rows=labels, cols=labels, values=np.random.default_rng(0).normal(size=(n, n)))
    fig = figure_of(view_of(matrix, annotations, track=("kind", "ctx")))
    for trace in traces_named(fig, "track "):
        assert np.asarray(trace.z).size == n and np.asarray(trace.z).dtype == np.uint8
    added = fig.data[len(HeatmapTrace):]
    assert sum(np.asarray(t.z).size for t in added if t.type == "heatmap") == 4 * n
    assert not [t for t in added if t.type != "heatmap"]
