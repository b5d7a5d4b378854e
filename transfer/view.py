"""A view: a link's state resolved against the stored data, and its JSON twin (/api/view).

`open_view` is the one path from a query string (or control values) to what is shown; both the
page's callbacks and the HTTP API use it, so the JSON describes exactly what the page draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from .annotations import Annotations
from .breakdown import breakdown, cell_uncertainty
from .clustering import Clustering, ClusterOptions, cluster_matrix, fingerprint
from .compare import Comparison, Derived, derive
from .datasets import Datasets
from .insights import Insight, build_insights
from .lru import ByteLRU, matrix_bytes
from .matrix import TransferMatrix, values_to_json
from .palettes import ColourScale, colour_scale
from .table import table_model
from .taskgroups import Collapsed, GroupStats, agreement, collapse, filter_matrix, group_order, group_stats
from .thresholds import highlight_json
from .uncertainty import CellStats, cell_stats, reach_notice
from .viewstate import (
    ViewState,
    parse_query,
    resolve,
    resolve_annotations,
    resolve_palette,
    resolve_shown,
    resolve_table,
    resolve_thresholds,
    resolve_uncertainty,
)


@dataclass(frozen=True)
class View:
    state: ViewState  # resolved and valid for `stored`
    notices: tuple[str, ...]
    dataset_id: str
    stored: TransferMatrix  # the matrix as stored (its `source` is where it comes from)
    matrix: TransferMatrix  # the matrix as displayed (derived and ordered)
    derived: TransferMatrix | None = None  # the matrix as displayed, in the file's order
    comparison: Comparison | None = None  # set when `compare` names another matrix (not with `collapse`)
    annotations: Annotations | None = None  # the link's `ann`, else the dataset's own, else None
    filtered: TransferMatrix | None = None  # the values after `filter` and `where`, before `collapse`
    collapsed: Collapsed | None = None  # set with `collapse`: `matrix` holds the block means

    @property
    def tracks(self) -> tuple[str, ...]:
        """The annotation fields drawn as tracks: the link's `track`, else the first field."""
        if self.annotations is None:
            return ()
        return self.state.track if self.state.track is not None else self.annotations.fields[:1]

    @property
    def group_field(self) -> str | None:
        """The field whose groups the view asks about: `collapse`, else `group`."""
        return self.state.collapse or self.state.group

    @cached_property
    def group_stats(self) -> GroupStats | None:
        """Transfer within vs between the groups of `group_field` (square matrices with shared tasks)."""
        if self.group_field is None or self.annotations is None:
            return None
        return view_group_stats(self.filtered, self.annotations, self.group_field)

    @property
    def query(self) -> str:
        return self.state.to_query()

    @cached_property
    def colours(self) -> ColourScale:
        """The displayed matrix's colour scale in the link's palette."""
        return colour_scale(self.matrix, self.state.palette)

    @cached_property
    def stats(self) -> CellStats | None:
        """The statistics of the displayed cells (None without replicates), in display order."""
        return cell_stats(self.matrix, self.state.ci)

    @cached_property
    def clustering(self) -> Clustering:
        """The task trees of the displayed values under the state's options (cached per content)."""
        return view_clustering(self.derived if self.derived is not None else self.matrix, self.state)


def open_view(datasets: Datasets, state: ViewState, notices: list[str] | tuple[str, ...] = ()) -> View:
    """Resolve a parsed state: unknown datasets fall back to the default with a notice."""
    notices = list(notices)
    stored = datasets.get(state.dataset)
    if stored is None:
        if state.dataset is not None:
            notices.append(f"Unknown dataset '{state.dataset}'; showing the default dataset.")
        # the default dataset with its annotations (`python app.py m.csv --annotations a.csv`)
        state = replace(state, dataset=datasets.default_id, ann=state.ann or datasets.default_ann)
        stored = datasets.get(state.dataset)
    state, more = resolve(state, stored, known_dataset=lambda other: datasets.get(other) is not None)
    notices.extend(more)
    annotations, state, more = view_annotations(datasets, state)
    notices.extend(more)
    state, more = resolve_annotations(state, annotations.fields if annotations else None)
    notices.extend(more)
    if annotations is not None:
        notices.extend(annotations.coverage_notices(stored.rows, stored.cols))
    derived = derived_matrix(datasets, stored, state)
    notices.extend(derived.notices)
    state = replace(state, **derived.changes)
    grouped = grouped_matrix(derived.matrix, annotations, state)
    notices.extend(grouped.notices)
    if grouped.refused:
        state = replace(state, filter=None, where=None)
    shown = grouped.collapsed.matrix if grouped.collapsed else grouped.filtered
    state, more = resolve_shown(state, shown, stored)
    notices.extend(more)
    state, more = resolve_table(state, shown, stored)
    notices.extend(more)
    state, more = resolve_thresholds(state, shown)
    notices.extend(more)
    state, more = resolve_uncertainty(state, shown)
    notices.extend(more)
    state, more = resolve_palette(state, shown)
    notices.extend(more)
    matrix = arranged_matrix(shown, state, annotations)
    if state.order == "cluster" or state.tab == "dendrogram":  # the leaf order is drawn: a skipped step is said
        notices.extend(view_clustering(shown, state).notices)
    if matrix.spread is not None:
        reach = reach_notice(cell_stats(matrix, state.ci), state.sig or 0.05, matrix.scale_kind == "diverging")
        notices.extend([reach] if reach else [])
    return View(
        state=state, notices=tuple(notices), dataset_id=state.dataset, stored=stored,
        matrix=matrix, derived=shown, comparison=None if grouped.collapsed else derived.comparison,
        annotations=annotations, filtered=grouped.filtered, collapsed=grouped.collapsed,
    )


def view_annotations(datasets: Datasets, state: ViewState) -> tuple[Annotations | None, ViewState, list[str]]:
    """The link's annotations (`ann`), else the dataset's own from the catalogue; an unknown id
    falls back to the dataset's own with a notice."""
    if state.ann is not None:
        found = datasets.annotations(state.ann)
        if found is not None:
            return found, state, []
        notice = f"Unknown annotations '{state.ann}'; showing the dataset's own annotations, if any."
        return datasets.default_annotations(state.dataset), replace(state, ann=None), [notice]
    return datasets.default_annotations(state.dataset), state, []


def view_from_query(datasets: Datasets, query: str | None) -> View:
    state, notices = parse_query(query)
    return open_view(datasets, state, notices)


# Derived and arranged matrices, per content and options: every callback of a click rebuilds its
# view, and a 2000 x 2000 normalisation, comparison or reordering costs tens of milliseconds and
# 32 MB each time. Bounded by bytes; cached objects also keep their memoised fingerprints.
DERIVED_CACHE_BYTES = 192 * 2**20


def _derived_bytes(item) -> int:
    if isinstance(item, TransferMatrix):
        return matrix_bytes(item)
    if isinstance(item, Grouped):
        return matrix_bytes(item.filtered) + (matrix_bytes(item.collapsed.matrix) if item.collapsed else 0)
    return matrix_bytes(item.matrix) + (matrix_bytes(item.comparison.matrix) if item.comparison else 0)


_DERIVED = ByteLRU(DERIVED_CACHE_BYTES, _derived_bytes)


def derived_matrix(datasets: Datasets, stored: TransferMatrix, state: ViewState) -> Derived:
    """The values the view shows: the stored matrix, or a comparison / normalisation of it (`compare`, `norm`)."""
    other = datasets.get(state.compare) if state.compare else None
    if other is None and state.norm == "none":
        return derive(stored, state.norm, other, state.compare)  # the stored matrix itself: nothing to keep
    key = ("derived", fingerprint(stored), state.norm, fingerprint(other) if other is not None else None, state.compare)
    result = _DERIVED.get(key)
    if result is None:
        result = derive(stored, state.norm, other, state.compare)
        _DERIVED.add(key, result)
    return result


@dataclass(frozen=True)
class Grouped:
    filtered: TransferMatrix
    collapsed: Collapsed | None
    notices: tuple[str, ...]
    refused: bool = False  # the filter would leave fewer than 2 rows or columns: not applied


def grouped_matrix(matrix: TransferMatrix, annotations: Annotations | None, state: ViewState) -> Grouped:
    """The displayed values after `filter` and `where` (both axes) and `collapse`."""
    if state.filter is None and state.where is None and state.collapse is None:
        return Grouped(matrix, None, ())
    ann_key = annotations.content_id() if annotations is not None else None
    key = ("grouped", fingerprint(matrix), ann_key, state.filter, state.where, state.collapse)
    result = _DERIVED.get(key)
    if result is None:
        filtered, notices = filter_matrix(matrix, annotations, state.filter, state.where)
        refused = filtered is matrix and bool(notices)
        collapsed = None
        if state.collapse is not None and annotations is not None:
            collapsed = collapse(filtered, annotations, state.collapse)
            if matrix.spread is not None and collapsed.matrix.spread is None:
                notices = [*notices, "The collapsed blocks have no interval: the replicates are given as std and n."]
        result = Grouped(filtered, collapsed, tuple(notices), refused)
        _DERIVED.add(key, result)
    return result


def arranged_matrix(matrix: TransferMatrix, state: ViewState, annotations: Annotations | None = None) -> TransferMatrix:
    """The displayed matrix in display order (`order=data` keeps the file's order; a collapsed
    matrix is in its groups' order already)."""
    if state.order == "group" and annotations is not None and state.collapse is None:
        key = ("group order", fingerprint(matrix), annotations.content_id(), state.group)
    elif state.order == "cluster":
        # keyed by the leaves too: a tree computed again (after leaving its cache) may differ from
        # the first one when its optimal leaf ordering ran out of time only once
        result = view_clustering(matrix, state)
        key = ("arranged", fingerprint(matrix), result.options, result.rows.leaves, result.cols.leaves)
    else:
        return matrix
    arranged = _DERIVED.get(key)
    if arranged is None:
        if state.order == "group":
            orders = group_order(matrix, annotations, state.group)
        else:
            orders = result.row_order(matrix), result.col_order(matrix)
        arranged = matrix.reordered(*orders)
        _DERIVED.add(key, arranged)
    return arranged


# 9,999 permutations take a few hundred milliseconds at 1000 tasks, and every callback of a view
# asks for them: kept per content, field and annotations (a few numbers each).
_GROUP_STATS = ByteLRU(4096, lambda _item: 1)


def view_group_stats(matrix: TransferMatrix, annotations: Annotations, field: str) -> GroupStats | None:
    key = (fingerprint(matrix), annotations.content_id(), field)
    found = _GROUP_STATS.get(key)
    if found is None:
        found = (group_stats(matrix, annotations, field),)
        _GROUP_STATS.add(key, found)
    return found[0]


def view_clustering(matrix: TransferMatrix, state: ViewState) -> Clustering:
    return cluster_matrix(matrix, ClusterOptions(method=state.method, distance=state.distance, profile=state.profile))


def clusters_json(view: View) -> dict:
    """The `clusters` section of /api/view: options, leaf orders, flat clusters at k, quality."""
    result = view.clustering
    k = view.state.k or 1

    def tree_json(tree) -> dict:
        ids = tree.cut(k)
        return {
            "order": list(tree.ordered_labels),
            "cluster_of": {label: int(c) for label, c in zip(tree.labels, ids)},
            "members": [list(group) for group in tree.members(k)],
            "cophenetic": None if math.isnan(tree.cophenetic) else round(tree.cophenetic, 6),
            "undefined_distances": tree.undefined_pairs,
        }

    field = view.group_field
    agreement_json = None
    if k > 1 and field is not None and view.collapsed is None:
        tree = result.rows
        ari = agreement(tree.labels, tree.cut(k), view.annotations, field)
        agreement_json = {"field": field, "ari": None if ari is None else round(ari, 6)}
    return {
        "method": result.options.method,
        "distance": result.options.distance,
        "profile": result.options.profile if result.shared else None,
        "k": k,
        "shared": result.shared,  # one tree orders both axes
        "rows": tree_json(result.rows),
        "cols": tree_json(result.cols),
        "agreement": agreement_json,
    }


def view_insights(view: View) -> list[Insight]:
    """The insights of the displayed matrix; with a cut (k > 1), the groups at that cut too
    (from the row tree, which is the one tree when both axes hold the same tasks); with
    replicates, what is significant at the view's `sig` (or 0.05) and `ci`."""
    clusters = None
    if view.state.k and view.state.k > 1:
        tree = view.clustering.rows
        clusters = dict(zip(tree.labels, (int(c) for c in tree.cut(view.state.k))))
    return build_insights(view.matrix, clusters, stats=view.stats, sig=view.state.sig, groups=view.group_stats)


def view_json(view: View) -> dict:
    """The JSON twin of a view: a pure function of the link and the stored data."""
    matrix = view.matrix
    highlight = highlight_json(matrix, view.state)
    return {
        "query": view.query,
        # `clusters` carries the leaf order whatever the view draws: what was skipped making it too
        "notices": list(dict.fromkeys([*view.notices, *view.clustering.notices])),
        "state": view.state.as_dict(),
        "dataset": {
            "id": view.dataset_id,
            "name": view.stored.name,
            "metric": view.stored.metric,
            "neutral": view.stored.neutral,
            "neutral_basis": view.stored.neutral_basis,  # declared, chance level, both signs or none
            "description": view.stored.description,
            "source": view.stored.source,
            "shape": list(view.stored.shape),
        },
        "displayed": {
            "metric": matrix.metric, "neutral": matrix.neutral, "shape": list(matrix.shape),
            # the colour scale: diverging around `neutral`, or sequential (then `neutral` is only
            # the thresholds' reference, and `neutral_basis` is "none")
            "scale": view.colours.kind, "palette": view.colours.palette, "neutral_basis": matrix.neutral_basis,
        },
        "color_range": list(matrix.value_range()),
        "rows": list(matrix.rows),
        "cols": list(matrix.cols),
        "values": values_to_json(matrix.values),
        "comparison": view.comparison.to_json() if view.comparison else None,
        "clusters": clusters_json(view),
        "insights": [insight.to_json() for insight in view_insights(view)],
        "uncertainty": uncertainty_json(view),
        "annotations": annotations_json(view),
        "group_stats": view.group_stats.to_json() if view.group_stats else None,
        "collapsed": collapsed_json(view),
        "table": table_model(view.matrix, view.state, view.stats).to_json(),  # the window `tab=table` shows
        **selection_json(view),
        **({"highlight": highlight} if highlight else {}),
    }


def annotations_json(view: View) -> dict | None:
    """/api/view's `annotations`: each displayed row's and column's fields (null without annotations).
    A collapsed matrix's rows and columns are the values of its field."""
    annotations = view.annotations
    if annotations is None:
        return None

    def of(label: str) -> dict:
        return {view.state.collapse: label} if view.collapsed else annotations.of(label)

    return {
        "id": view.state.ann,
        "fields": list(annotations.fields),
        "tracks": list(view.tracks),
        "rows": [of(label) for label in view.matrix.rows],
        "cols": [of(label) for label in view.matrix.cols],
    }


def collapsed_json(view: View) -> dict | None:
    """With `collapse`: the field, and each block's cell count and the tasks of each group."""
    collapsed = view.collapsed
    if collapsed is None:
        return None
    rows = [collapsed.matrix.rows.index(label) for label in view.matrix.rows]
    cols = [collapsed.matrix.cols.index(label) for label in view.matrix.cols]
    return {
        "field": view.state.collapse,
        "counts": collapsed.counts[np.ix_(rows, cols)].tolist(),
        "row_members": {label: list(collapsed.row_members[label]) for label in view.matrix.rows},
        "col_members": {label: list(collapsed.col_members[label]) for label in view.matrix.cols},
    }


def uncertainty_json(view: View) -> dict | None:
    """/api/view's `uncertainty`: the statistics of each displayed cell (null without replicates)."""
    if view.stats is None:
        return None
    return {**view.stats.to_json(), "marks": view.state.marks, "display": view.state.unc, "sig": view.state.sig}


def selection_json(view: View, values: bool = True) -> dict:
    """`selection` for a link with row and/or col: each one's breakdown at full precision, and
    the selected cell's value when both are given. Empty when nothing is selected. Without each
    breakdown's labels and values when `values` is False (/api/selection, for the page).

    A matrix with replicates adds, per breakdown, each bar's n, interval and replicate values and
    the interval of its mean (`transfer.breakdown.LineUncertainty`), and the cell's n and
    interval, at the view's `ci` level; a matrix without them answers exactly as before."""
    row, col, matrix, stats = view.state.row, view.state.col, view.matrix, view.stats
    if row is None and col is None:
        return {}
    # resolve() checked the labels against the stored matrix; a derived one may lack them.
    parts = {axis: breakdown(matrix, axis, label, stats) if label in matrix.labels(axis) else None
             for axis, label in (("row", row), ("col", col)) if label is not None}
    selection = {"row": None, "col": None, "cell": None}
    selection.update({axis: item.to_json(values) if item else None for axis, item in parts.items()})
    if parts.get("row") and parts.get("col"):
        j = matrix.cols.index(col)
        value = parts["row"].values[j]
        selection["cell"] = {"row": row, "col": col, "value": None if math.isnan(value) else float(value)}
        if stats is not None:
            selection["cell"].update(cell_uncertainty(stats, matrix.rows.index(row), j))
    return {"selection": selection}
