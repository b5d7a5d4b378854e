"""Figures of task clusters: dendrograms, cluster bands and the selected cluster's outline.

They draw computed trees (`transfer.clustering`); they never cluster. A dendrogram is a few
traces, one per colour (links above the cut in grey, then one per palette colour), each the
U-shaped links joined with NaN gaps in float32 typed arrays: never one trace per merge.

On the heatmap the main axes (`xaxis`/`yaxis`) stay categorical so that hover and clicks keep
reporting labels. Shapes drawn between cells (dendrogram links, the cluster outline) need
fractional cell positions, so they live on numeric axes that follow the main ones: their ranges
start equal and `assets/plotly_workarounds.js` (followOverlay) copies the main ranges to them after every zoom or pan
(`layout.meta.follow` names the pairs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from .clustering import Clustering, Links, Tree, tree_links
from .figures import (
    FONT,
    OVERLAY_AXES,
    HeatmapShape,
    HeatmapTrace,
    legend_ticks,
    outline_path,
    place_legend,
    plot_labels,
    tick_margins,
)
from .matrix import TransferMatrix
from .track_figures import (
    Tracks,
    decorate_annotations,
    leaf_titles_height,
    leaf_track_titles,
    leaf_track_traces,
    leaf_tracks_room,
)

if TYPE_CHECKING:
    from .view import View

# Okabe-Ito (colour-blind safe) without black/yellow, then four Tableau tones: 10 cluster colours.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8c564b", "#7f7f7f", "#bcbd22", "#17becf")
ABOVE_CUT = "#555555"
COLOUR_TRACES = 1 + len(PALETTE)  # traces per dendrogram: grey, then one per palette colour
FIRST_MARGIN_TRACE = len(HeatmapTrace)  # cluster-order traces come after the fixed slots
LABELLED_LEAVES = 120  # leaf labels on the dendrogram tab up to this many tasks

# Axes of the heatmap in cluster order (paper fractions).
HEATMAP_X = (0.17, 1.0)
HEATMAP_Y = (0.0, 0.83)
LEGEND_CORNER = ((0.0, HEATMAP_X[0] - 0.05), (HEATMAP_Y[1] + 0.035, 0.955))  # the uncertainty wedge, top left
FOLLOW_MARGINS = {"yaxis3": "yaxis", "xaxis4": "xaxis"}


def cluster_colour(cluster: int) -> str:
    return ABOVE_CUT if cluster <= 0 else PALETTE[(cluster - 1) % len(PALETTE)]


def colour_slot(cluster: int) -> int:
    return 0 if cluster <= 0 else 1 + (cluster - 1) % len(PALETTE)


# Points along every link of the dendrogram tab, at most 1/HOVER_STEPS of the axis span apart:
# plotly hovers and clicks only at a line's points (those within 20 px of the pointer), and a
# link's corners alone left the middle of long legs and bars dead. 24 steps keep points under
# 40 px apart on the tab's plot (up to 820 px tall, ~550 px wide) unless it is zoomed in. At
# 1000 tasks the figure grows from ~0.1 MB to ~0.4 MB (~0.15 MB compressed), sent only while
# the tab is open; building it takes ~0.1 s.
HOVER_STEPS = 24


def _subdivisions(lengths: np.ndarray, step: float) -> np.ndarray:
    return np.maximum(1, np.ceil(lengths / step - 1e-9)).astype(int)


def _along_links(
    links: Links, chosen: np.ndarray, position_step: float, height_step: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chosen links as lines with points along them: (positions, heights, link of each point).

    Each link is walked from its first leg's foot over the bar to the second leg's foot, with a
    point every `position_step` along the bar and every `height_step` along the legs (its corners
    exactly), then a NaN gap (link -1). Positions and heights are float32: plotly sends them as
    typed arrays (4 bytes a number) and breaks the line at each NaN.
    """
    index = np.flatnonzero(chosen)
    x, height = links.x[index], links.height[index]
    xa, xb, ha, h, hb = x[:, 0], x[:, 3], height[:, 0], height[:, 1], height[:, 3]
    segments = (  # start, end (position, height), subdivisions, whether its first point is drawn
        (xa, ha, xa, h, _subdivisions(np.abs(h - ha), height_step), True),
        (xa, h, xb, h, _subdivisions(np.abs(xb - xa), position_step), False),  # from the first leg's top
        (xb, h, xb, hb, _subdivisions(np.abs(h - hb), height_step), False),
    )
    count = len(index)
    keys, positions, heights, owners = [], [], [], []
    for number, (x0, y0, x1, y1, parts, first) in enumerate(segments):
        points = parts + 1 if first else parts
        owner = np.repeat(np.arange(count), points)
        start = np.repeat(np.cumsum(points) - points, points)
        t = (np.arange(points.sum()) - start + (0 if first else 1)) / np.repeat(parts, points)
        positions.append(x0[owner] * (1 - t) + x1[owner] * t)  # exact at t = 0 and t = 1
        heights.append(y0[owner] * (1 - t) + y1[owner] * t)
        owners.append(owner)
        keys.append(owner * 4 + number)
    positions.append(np.full(count, np.nan))
    heights.append(np.full(count, np.nan))
    owners.append(np.full(count, -1))
    keys.append(np.arange(count) * 4 + 3)
    order = np.argsort(np.concatenate(keys), kind="stable")  # link by link, segment by segment
    link_of = np.concatenate(owners)[order]
    link_of = np.where(link_of >= 0, index[np.maximum(link_of, 0)], -1)
    return (
        np.concatenate(positions)[order].astype(np.float32), np.concatenate(heights)[order].astype(np.float32), link_of,
    )


def _cluster_span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def joined_clusters(tree: Tree, clusters: np.ndarray) -> list[tuple[str, str]]:
    """For each link, the clusters of its two branches ('2', '3–5'): what a link above the cut joins.

    Clusters are numbered in leaf order (`Tree.cut`), so a branch holds a run of them."""
    n = tree.n
    low = np.zeros(2 * n - 1, dtype=int)
    high = np.zeros(2 * n - 1, dtype=int)
    low[:n] = high[:n] = clusters
    spans = []
    for i, (a, b) in enumerate(tree.linkage[:, :2].astype(int).tolist()):
        low[n + i], high[n + i] = min(low[a], low[b]), max(high[a], high[b])
        first, second = sorted(((int(low[a]), int(high[a])), (int(low[b]), int(high[b]))))
        spans.append((_cluster_span(*first), _cluster_span(*second)))
    return spans


def _strokes(tree: Tree, links: Links, slots: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per colour slot, its links drawn without lifting the pen: (positions, heights), float32.

    plotly.js draws every piece of a line between NaN gaps as its own SVG path: a tree of 1000
    leaves joined link by link made ~1000 paths, and styling them was a third of the heatmap's
    draw. Here each same-coloured subtree is one walk round its links (down each leg and back
    up, so every link is traced twice over itself); only the subtrees of one slot are apart.
    """
    n = tree.n
    # plain lists: item by item, numpy's scalars are ten times slower
    xs, heights, slot = links.x.tolist(), links.height.tolist(), slots.tolist()
    children = [[int(a) - n, int(b) - n] for a, b in tree.linkage[:, :2]]  # negative: a leaf
    parent_slot = [-1] * len(slot)
    for j, pair in enumerate(children):
        for child in pair:
            if child >= 0:
                parent_slot[child] = slot[j]
    pieces: list[list[list[tuple[float, float]]]] = [[] for _ in range(COLOUR_TRACES)]
    for root in (j for j in range(len(slot)) if parent_slot[j] != slot[j]):  # a subtree's top link
        points, stack = [], [root]
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                points.append(item)
                continue
            (xa, _, xb, _), (ha, h, _, hb), (a, b) = xs[item], heights[item], children[item]
            middle = (xa + xb) / 2
            walk_a = [a] if a >= 0 and slot[a] == slot[item] else []  # from the leg's foot and back
            walk_b = [b] if b >= 0 and slot[b] == slot[item] else []
            stack.extend(
                reversed(
                    [(middle, h), (xa, h), (xa, ha), *walk_a, (xa, h), (xb, h), (xb, hb), *walk_b, (xb, h), (middle, h)]
                )
            )
        pieces[slot[root]].append(points)
    strokes = []
    for walks in pieces:
        joined = [p for walk in walks for p in (*walk, (np.nan, np.nan))][:-1]
        coords = np.array(joined, dtype=np.float32).reshape(-1, 2)
        strokes.append((coords[:, 0], coords[:, 1]))
    return strokes


def _hover_data(
    slot: int, link_of: np.ndarray, links: Links, joins: list[tuple[str, str]] | None,
) -> tuple[list | None, str]:
    """customdata and hovertemplate of one colour slot's points on the dendrogram tab: a cluster's
    links carry its number (what a click selects); links above the cut (slot 0) the clusters
    they join; an uncut tree (`joins` None) nothing to select."""
    if joins is None:
        return None, "Whole tree: not cut into clusters (set k to cut it)<extra></extra>"
    # plain lists: plotly.js picks the wrong point on click with typed-array customdata
    if slot == 0:
        return [list(joins[i]) if i >= 0 else None for i in link_of.tolist()], \
            "Above the cut: joins clusters %{customdata[0]} and %{customdata[1]}<extra></extra>"
    cluster = links.cluster.tolist()
    return [cluster[i] if i >= 0 else None for i in link_of.tolist()], "Cluster %{customdata}<extra></extra>"


def dendrogram_traces(
    tree: Tree, clusters: np.ndarray, *, vertical: bool, xaxis: str, yaxis: str, clickable: bool = False,
    cut: bool = True,
) -> list[go.Scatter]:
    """COLOUR_TRACES line traces (some empty): leaf positions along one axis, heights along the other.

    `vertical` puts leaves on x (a tree above the heatmap); otherwise leaves run down y. With
    `clickable` (the dendrogram tab), every link is its own piece with points all along it
    (`_along_links`), each carrying what hover shows and a click selects (`_hover_data`; `cut`
    False: the tree is uncut, nothing to select); otherwise (the heatmap's margins) subtrees are
    strokes that never hover.
    """
    links = tree_links(tree, clusters)
    slots = np.array([colour_slot(c) for c in links.cluster], dtype=int)
    strokes = None if clickable else _strokes(tree, links, slots)
    joins = (joined_clusters(tree, clusters) if cut else None) if clickable else None
    top = float(tree.linkage[:, 2].max()) if len(tree.linkage) else 0.0
    steps = (max(tree.n - 1, 1) / HOVER_STEPS, (top or 1.0) / HOVER_STEPS)
    traces = []
    for slot in range(COLOUR_TRACES):
        customdata, template = None, None
        if clickable:
            positions, heights, link_of = _along_links(links, slots == slot, *steps)
            customdata, template = _hover_data(slot, link_of, links, joins)
        else:
            positions, heights = strokes[slot]
        x, y = (positions, heights) if vertical else (heights, positions)
        traces.append(
            go.Scatter(
                x=x, y=y, customdata=customdata, mode="lines", xaxis=xaxis, yaxis=yaxis, showlegend=False,
                line={"color": ABOVE_CUT if slot == 0 else PALETTE[slot - 1], "width": 1.4,
                      # plotly.js's simplification could cut the tip of a leg walked down and up
                      **({} if clickable else {"simplify": False})},
                hoverinfo="skip" if not clickable else None,
                hovertemplate=template,
                name="above cut" if slot == 0 else f"clusters coloured {slot}",
            )
        )
    return traces


def _discrete_scale(k: int) -> list:
    """A colour scale mapping integer ids 1..k (zmin 0.5, zmax k+0.5) to their palette colour."""
    k = max(k, 1)
    scale = []
    for c in range(1, k + 1):
        scale += [[(c - 1) / k, cluster_colour(c)], [c / k, cluster_colour(c)]]
    return scale


def band_trace(clusters: np.ndarray, *, axis: str, k: int) -> go.Heatmap:
    """A strip of cluster colours (`clusters` in display order) along the rows (`axis='row'`) or columns.

    Positioned by category index (cell i at index i: `y0`/`x0` 0, step 1) rather than by label:
    the main axes already hold the labels in this order, and hover still names them."""
    ids = [int(c) for c in clusters] if k > 1 else []
    common = dict(
        zmin=0.5, zmax=max(k, 1) + 0.5, colorscale=_discrete_scale(k), showscale=False, name=f"{axis} clusters", xgap=0,
        ygap=0,
    )
    if axis == "row":
        return go.Heatmap(z=[[c] for c in ids], x=["cluster"], y0=0, dy=1, xaxis="x5", yaxis="y",
                          hovertemplate="%{y}<br>cluster %{z}<extra></extra>", **common)
    return go.Heatmap(z=[ids] if ids else [], x0=0, dx=1, y=["cluster"], xaxis="x", yaxis="y5",
                      hovertemplate="%{x}<br>cluster %{z}<extra></extra>", **common)


def _margin_traces(clustering: Clustering, k: int | None) -> list:
    """Left tree, top tree, row band, column band: the traces after the fixed slots, in order."""
    k = k or 1
    row_ids, col_ids = clustering.rows.cut(k), clustering.cols.cut(k)
    return [
        *dendrogram_traces(clustering.rows, row_ids, vertical=False, xaxis="x3", yaxis="y3"),
        *dendrogram_traces(clustering.cols, col_ids, vertical=True, xaxis="x4", yaxis="y4"),
        band_trace(row_ids[list(clustering.rows.leaves)], axis="row", k=k),
        band_trace(col_ids[list(clustering.cols.leaves)], axis="col", k=k),
    ]


def add_cluster_margins(fig: go.Figure, matrix: TransferMatrix, clustering: Clustering, k: int | None) -> None:
    """Dendrograms along the top and left margins and cluster bands beside the cells.

    `matrix` is the displayed matrix, already in the clustering's leaf order. Appends
    2 * COLOUR_TRACES + 2 traces after the fixed slots: left tree, top tree, row band, column band.
    """
    if len(fig.data) != FIRST_MARGIN_TRACE:
        raise ValueError(f"the heatmap has {len(fig.data)} traces; margins expect the {FIRST_MARGIN_TRACE} fixed slots")
    rows, cols = matrix.shape
    fig.add_traces(_margin_traces(clustering, k))
    hidden = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False}
    # The colour bar moves to the empty top-left corner (as in seaborn's clustermap). It stays
    # vertical: plotly.js leaves stale ticks behind when a redraw flips its orientation.
    fig.data[HeatmapTrace.CELLS].update(colorbar={"x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "top",
                                                  "len": 1.0 - HEATMAP_Y[1] - 0.01, "thickness": 10})
    place_legend(fig, *LEGEND_CORNER)  # the value-suppressing palette's wedge, when drawn, goes there too
    fig.update_layout(
        margin=tick_margins(matrix, side="right"),  # the row labels move to the right
        xaxis={"domain": list(HEATMAP_X)},
        yaxis={"domain": list(HEATMAP_Y), "side": "right", "scaleanchor": None, "constrain": None},
        xaxis3={**hidden, "domain": [0.0, HEATMAP_X[0] - 0.035], "anchor": "y3", "autorange": "reversed"},
        yaxis3={**hidden, "domain": list(HEATMAP_Y), "anchor": "x3", "range": [rows - 0.5, -0.5]},
        xaxis4={**hidden, "domain": list(HEATMAP_X), "anchor": "y4", "range": [-0.5, cols - 0.5]},
        yaxis4={**hidden, "domain": [HEATMAP_Y[1] + 0.04, 1.0], "anchor": "x4", "rangemode": "tozero"},
        xaxis5={**hidden, "domain": [HEATMAP_X[0] - 0.03, HEATMAP_X[0] - 0.008], "anchor": "y"},
        yaxis5={**hidden, "domain": [HEATMAP_Y[1] + 0.008, HEATMAP_Y[1] + 0.03], "anchor": "x"},
        meta={"follow": {**OVERLAY_AXES, **FOLLOW_MARGINS}},
    )


def margin_trace_updates(clustering: Clustering, k: int | None) -> dict[int, dict]:
    """Trace index -> new properties of the margin traces for another cut (for a Patch)."""
    updates = {}
    for offset, trace in enumerate(_margin_traces(clustering, k)):
        plain = trace.to_plotly_json()
        keys = ("x", "y") if offset < 2 * COLOUR_TRACES else ("z", "colorscale", "zmax")
        updates[FIRST_MARGIN_TRACE + offset] = {key: plain.get(key) for key in keys}
    return updates


def block_outline(row_positions, col_positions) -> tuple[list, list]:
    """Line coordinates (None-separated) of the boundary of the cells rows x cols, in cell units.

    Contiguous positions give one rectangle; scattered ones (the file's order) give the outline
    of every block of the product.
    """
    def runs(positions):
        positions = sorted(set(int(p) for p in positions))
        out = []
        for p in positions:
            if out and p == out[-1][1] + 1:
                out[-1][1] = p
            else:
                out.append([p, p])
        return out

    xs: list = []
    ys: list = []
    for r0, r1 in runs(row_positions):
        for c0, c1 in runs(col_positions):
            left, right, top, bottom = c0 - 0.5, c1 + 0.5, r0 - 0.5, r1 + 0.5
            xs += [left, right, right, left, left, None]
            ys += [top, top, bottom, bottom, top, None]
    return xs, ys


def cluster_outline(matrix: TransferMatrix, clustering: Clustering, k: int | None, cluster: int | None) -> str:
    """Outline of `cluster` (of the row tree; both axes when the tree is shared) on `matrix` as
    displayed: the HeatmapShape.CLUSTER slot's path ("" for none)."""
    if not cluster or not k or k < 2:
        return ""
    rows_in = {label for label, c in zip(clustering.rows.labels, clustering.rows.cut(k)) if c == cluster}
    if not rows_in:
        return ""
    row_positions = [i for i, label in enumerate(matrix.rows) if label in rows_in]
    col_positions = ([j for j, label in enumerate(matrix.cols) if label in rows_in] if clustering.shared
                     else range(matrix.shape[1]))
    return outline_path(*block_outline(row_positions, col_positions))



def decorate_heatmap(fig: go.Figure, view: View) -> None:
    """Cluster layers of the heatmap: margins in cluster order, the selected cluster's outline
    (the view's trees are computed only when it shows one of them); then the annotation layers
    (`transfer.track_figures.decorate_annotations`), after the margins' traces."""
    if view.state.order == "cluster":
        add_cluster_margins(fig, view.matrix, view.clustering, view.state.k)
    if view.state.cluster:
        path = cluster_outline(view.matrix, view.clustering, view.state.k, view.state.cluster)
        fig.layout.shapes[HeatmapShape.CLUSTER].path = path
    decorate_annotations(fig, view)  # group gaps, annotation tracks and their legend, a collapsed matrix's hover

def _leaf_trace(tree: Tree, clusters: np.ndarray, *, xaxis: str, yaxis: str, cut: bool) -> go.Scatter:
    ordered = list(tree.leaves)
    ids = [int(clusters[i]) for i in ordered]
    return go.Scatter(
        x=[0.0] * tree.n, y=list(range(tree.n)), mode="markers", xaxis=xaxis, yaxis=yaxis, showlegend=False,
        marker={"size": 7, "color": [cluster_colour(c) if cut else ABOVE_CUT for c in ids]},
        customdata=ids if cut else None, text=plot_labels(tree.ordered_labels), name="tasks",
        hovertemplate="%{text}<br>cluster %{customdata}<extra></extra>" if cut else "%{text}<extra></extra>",
    )


def cut_height(tree: Tree, k: int | None) -> float | None:
    """A height between the merges that a cut into k clusters separates (None when uncut)."""
    if not k or k < 2 or tree.n < 2 or k > tree.n:
        return None
    heights = tree.linkage[:, 2]
    upper = heights[tree.n - k]
    lower = heights[tree.n - k - 1] if tree.n - k - 1 >= 0 else 0.0
    return float((upper + lower) / 2)


def dendrogram_figure(
    clustering: Clustering, k: int | None, *, title_rows: str = "Tasks", title_cols: str = "Test datasets",
    tracks: Tracks | None = None,
) -> go.Figure:
    """The dendrogram tab: leaves top to bottom with labels, heights to the left, coloured at k.

    Traces 0..COLOUR_TRACES are the first (row or shared) tree: its clusters are the clickable ones.
    With `tracks` (`transfer.track_figures.view_tracks`), each leaf carries its fields' colours in
    columns between it and its label (traces after every tree's, named above their columns).
    """
    trees = [clustering.rows] if clustering.shared else [clustering.rows, clustering.cols]
    fig = go.Figure()
    width = 1.0 / len(trees)
    columns, titles = [], []  # the leaves' annotation colours, added after every tree's traces
    room = leaf_tracks_room(len(tracks.fields) if tracks else 0)
    for index, tree in enumerate(trees):
        suffix = "" if index == 0 else str(index + 1)
        xa, ya = f"x{suffix}", f"y{suffix}"
        ids = tree.cut(k)
        cut = int(ids.max()) > 1 if tree.n else False
        fig.add_traces(dendrogram_traces(tree, ids, vertical=False, xaxis=xa, yaxis=ya, clickable=True, cut=cut))
        fig.add_trace(_leaf_trace(tree, ids, xaxis=xa, yaxis=ya, cut=cut))
        show_labels = tree.n <= LABELLED_LEAVES
        title = title_rows if index == 0 else title_cols
        options = clustering.options
        top = float(tree.linkage[:, 2].max()) if len(tree.linkage) else 0.0
        fig.update_layout({
            f"xaxis{suffix}": {
                "domain": [index * width + 0.02, (index + 1) * width - 0.02], "anchor": ya,
                # heights grow to the left; a margin beyond the root (autorange leaves none for
                # lines), so that its bar is not on the plot's edge, where half its hover is cut off
                "range": [(top or 1.0) * 1.04, -(top or 1.0) * room], "autorange": False,
                # no negative heights named where the leaves' annotation columns are
                **({"tickmode": "array", "tickvals": legend_ticks(0.0, top or 1.0, 6)} if tracks else {}),
                "title": {"text": f"{title}: {options.method} linkage, {options.distance} distance"},
                "zeroline": False, "showgrid": True, "gridcolor": "#eee",
            },
            f"yaxis{suffix}": {
                "anchor": xa, "side": "right", "autorange": "reversed", "zeroline": False, "showgrid": False,
                "tickmode": "array", "tickvals": list(range(tree.n)) if show_labels else [],
                "ticktext": plot_labels(tree.ordered_labels) if show_labels else [], "automargin": True,
            },
        })
        if tracks is not None:
            columns += leaf_track_traces(tree, tracks, top or 1.0, xaxis=xa, yaxis=ya)
            titles += leaf_track_titles(tracks, top or 1.0, xaxis=xa, yaxis=ya)
        height = cut_height(tree, k)
        if height is not None:
            fig.add_shape(type="line", x0=height, x1=height, y0=0, y1=1, xref=xa, yref=f"{ya} domain",
                          line={"color": "#6a3d9a", "dash": "dash", "width": 1})
    fig.add_traces(columns)
    fig.update_layout(
        font={"family": FONT, "size": 12}, margin={"l": 10, "r": 10, "t": 10 + leaf_titles_height(tracks), "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", hovermode="closest", dragmode="zoom",
        hoverlabel={"bgcolor": "white", "font": {"family": FONT}},
        **({"annotations": titles} if titles else {}),
    )
    return fig
