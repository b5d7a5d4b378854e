"""A view: a link's state resolved against the stored data, and its JSON twin (/api/view).

`open_view` is the one path from a query string (or control values) to what is shown; both the
page's callbacks and the HTTP API use it, so the JSON describes exactly what the page draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

from .breakdown import breakdown, cell_uncertainty
from .clustering import Clustering, ClusterOptions, cluster_matrix, fingerprint
from .compare import Comparison, Derived, derive
from .datasets import Datasets
from .insights import Insight, build_insights
from .lru import ByteLRU, matrix_bytes
from .matrix import TransferMatrix, values_to_json
from .thresholds import highlight_json
from .uncertainty import CellStats, cell_stats, reach_notice
from .viewstate import ViewState, parse_query, resolve, resolve_thresholds, resolve_uncertainty


@dataclass(frozen=True)
class View:
    state: ViewState  # resolved and valid for `stored`
    notices: tuple[str, ...]
    dataset_id: str
    stored: TransferMatrix  # the matrix as stored (its `source` is where it comes from)
    matrix: TransferMatrix  # the matrix as displayed (derived and ordered)
    derived: TransferMatrix | None = None  # the matrix as displayed, in the file's order
    comparison: Comparison | None = None  # set when `compare` names another matrix

    @property
    def query(self) -> str:
        return self.state.to_query()

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
        state = replace(state, dataset=datasets.default_id)
        stored = datasets.get(state.dataset)
    state, more = resolve(state, stored, known_dataset=lambda other: datasets.get(other) is not None)
    notices.extend(more)
    derived = derived_matrix(datasets, stored, state)
    notices.extend(derived.notices)
    state, more = resolve_thresholds(replace(state, **derived.changes), derived.matrix)
    notices.extend(more)
    state, more = resolve_uncertainty(state, derived.matrix)
    notices.extend(more)
    matrix = arranged_matrix(derived.matrix, state)
    if matrix.spread is not None:
        reach = reach_notice(cell_stats(matrix, state.ci), state.sig or 0.05)
        notices.extend([reach] if reach else [])
    return View(
        state=state, notices=tuple(notices), dataset_id=state.dataset, stored=stored,
        matrix=matrix, derived=derived.matrix, comparison=derived.comparison,
    )


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


def arranged_matrix(matrix: TransferMatrix, state: ViewState) -> TransferMatrix:
    """The displayed matrix in display order (`order=data` keeps the file's order)."""
    if state.order != "cluster":
        return matrix
    key = ("arranged", fingerprint(matrix), state.method, state.distance, state.profile)
    arranged = _DERIVED.get(key)
    if arranged is None:
        result = view_clustering(matrix, state)
        arranged = matrix.reordered(result.row_order(matrix), result.col_order(matrix))
        _DERIVED.add(key, arranged)
    return arranged


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

    return {
        "method": result.options.method,
        "distance": result.options.distance,
        "profile": result.options.profile if result.shared else None,
        "k": k,
        "shared": result.shared,  # one tree orders both axes
        "rows": tree_json(result.rows),
        "cols": tree_json(result.cols),
    }


def view_insights(view: View) -> list[Insight]:
    """The insights of the displayed matrix; with a cut (k > 1), the groups at that cut too
    (from the row tree, which is the one tree when both axes hold the same tasks); with
    replicates, what is significant at the view's `sig` (or 0.05) and `ci`."""
    clusters = None
    if view.state.k and view.state.k > 1:
        tree = view.clustering.rows
        clusters = dict(zip(tree.labels, (int(c) for c in tree.cut(view.state.k))))
    return build_insights(view.matrix, clusters, stats=view.stats, sig=view.state.sig)


def view_json(view: View) -> dict:
    """The JSON twin of a view: a pure function of the link and the stored data."""
    matrix = view.matrix
    highlight = highlight_json(matrix, view.state)
    return {
        "query": view.query,
        "notices": list(view.notices),
        "state": view.state.as_dict(),
        "dataset": {
            "id": view.dataset_id,
            "name": view.stored.name,
            "metric": view.stored.metric,
            "neutral": view.stored.neutral,
            "description": view.stored.description,
            "source": view.stored.source,
            "shape": list(view.stored.shape),
        },
        "displayed": {"metric": matrix.metric, "neutral": matrix.neutral, "shape": list(matrix.shape)},
        "color_range": list(matrix.value_range()),
        "rows": list(matrix.rows),
        "cols": list(matrix.cols),
        "values": values_to_json(matrix.values),
        "comparison": view.comparison.to_json() if view.comparison else None,
        "clusters": clusters_json(view),
        "insights": [insight.to_json() for insight in view_insights(view)],
        "uncertainty": uncertainty_json(view),
        **selection_json(view),
        **({"highlight": highlight} if highlight else {}),
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
