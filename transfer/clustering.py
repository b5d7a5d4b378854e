"""Hierarchical clustering of the tasks of a transfer matrix (SciPy), computed once and cached.

What describes a task (`profile`):
- matrices with the same tasks on both axes (`TransferMatrix.is_square_tasks`) get ONE tree whose
  order serves both axes, so in-domain cells stay on the diagonal. A task's profile is its row
  (`rows`: how training on it transfers out), its column (`cols`: how it is helped or hurt as a
  test set) or both concatenated (`both`, the default).
- other matrices get two trees: rows clustered by their rows, columns by their columns.

Missing cells: distances are computed pairwise over the coordinates both profiles have (R's
`dist` does the same). Euclidean and cityblock sums are rescaled by (all coordinates / shared
coordinates) so that a pair with fewer shared cells is not made to look closer; correlation and
cosine are scale-free and need no rescaling. A distance that stays undefined (two profiles with
no shared cell, a constant profile under `correlation`, an all-zero one under `cosine`) is set
to 1.5 times the largest defined distance: such a task joins the tree after every measured
pair, visibly above them, instead of at a made-up height among them. `Tree.undefined_pairs`
counts those pairs. Without missing cells the distances are
`scipy.spatial.distance.pdist`'s (euclidean from 64 tasks on through one matrix product,
`fast_euclidean`: the same distances to ~1e-14 and the same linkage, ~5x faster).

Leaves are in optimal leaf order (`linkage(..., optimal_ordering=True)`). Flat clusters are
`fcluster(Z, k, criterion="maxclust")`, renumbered 1..k in leaf order (cluster 1 holds the first
leaf) so that ids read top to bottom on the heatmap. Linkage is cached per matrix content and
options; a new `k` only re-cuts the cached tree.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from dataclasses import dataclass

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial import distance

from .lru import ByteLRU
from .matrix import TransferMatrix
from .viewstate import DISTANCES, METHODS, PROFILES

# Trees per matrix content and options: a 2000-task tree is ~0.2 MB, its linkage seconds of CPU.
CACHE_BYTES = 16 * 2**20
UNDEFINED_FACTOR = 1.5  # undefined distances: this times the largest defined one


@dataclass(frozen=True)
class ClusterOptions:
    """The choices that change the tree (not `k`, which only cuts it)."""

    method: str = "average"
    distance: str = "euclidean"  # between task profiles (scipy's `metric`)
    profile: str = "both"

    def __post_init__(self):
        for name, allowed in (("method", METHODS), ("distance", DISTANCES), ("profile", PROFILES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} '{getattr(self, name)}' is not one of {', '.join(allowed)}")
        if self.method == "ward" and self.distance != "euclidean":
            raise ValueError(f"Ward linkage needs the euclidean distance, not {self.distance}")


@dataclass(frozen=True, eq=False)
class Tree:
    """One dendrogram: labels in data order, SciPy's linkage matrix and what follows from it."""

    labels: tuple[str, ...]
    linkage: np.ndarray  # (n-1, 4) SciPy linkage matrix; empty for a single leaf
    leaves: tuple[int, ...]  # leaf order, as indices into `labels`
    cophenetic: float  # cophenetic correlation with the clustered distances (nan if undefined)
    undefined_pairs: int = 0  # pairs whose distance had to be filled in (see module docstring)

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def ordered_labels(self) -> tuple[str, ...]:
        return tuple(self.labels[i] for i in self.leaves)

    def cut(self, k: int | None) -> np.ndarray:
        """Cluster id (1..k, numbered in leaf order) of each label, in data order."""
        if self.n < 2 or not k or k <= 1:
            return np.ones(self.n, dtype=int)
        raw = hierarchy.fcluster(self.linkage, k, criterion="maxclust")
        renumber: dict[int, int] = {}
        for leaf in self.leaves:
            renumber.setdefault(int(raw[leaf]), len(renumber) + 1)
        return np.array([renumber[int(c)] for c in raw], dtype=int)

    def members(self, k: int | None) -> list[tuple[str, ...]]:
        """Labels of each cluster (index 0 is cluster 1), in leaf order."""
        ids = self.cut(k)
        groups: list[list[str]] = [[] for _ in range(int(ids.max()))]
        for leaf in self.leaves:
            groups[ids[leaf] - 1].append(self.labels[leaf])
        return [tuple(g) for g in groups]


@dataclass(frozen=True, eq=False)
class Clustering:
    """The trees of a matrix: one shared tree (`shared`) or one for rows and one for columns."""

    options: ClusterOptions
    shared: bool
    rows: Tree  # labels are the matrix's row labels in data order
    cols: Tree  # the same object as `rows` when shared

    def row_order(self, matrix: TransferMatrix) -> list[int]:
        index = {label: i for i, label in enumerate(matrix.rows)}
        return [index[label] for label in self.rows.ordered_labels]

    def col_order(self, matrix: TransferMatrix) -> list[int]:
        index = {label: j for j, label in enumerate(matrix.cols)}
        return [index[label] for label in self.cols.ordered_labels]


@dataclass(frozen=True)
class Links:
    """Drawing coordinates of a tree's U-shaped links, one link per merge.

    Leaf i of the leaf order sits at position i; `x` and `height` are (n-1, 4) arrays of the four
    corners of each link; `cluster` is the flat cluster a link lies in, 0 above the cut.
    """

    x: np.ndarray
    height: np.ndarray
    cluster: np.ndarray


def tree_links(tree: Tree, clusters: np.ndarray) -> Links:
    """Link corners and colours for `tree` cut into `clusters` (from `Tree.cut`)."""
    n = tree.n
    position = np.zeros(2 * n - 1)
    position[list(tree.leaves)] = np.arange(n)
    height = np.zeros(2 * n - 1)
    node_cluster = np.zeros(2 * n - 1, dtype=int)
    node_cluster[:n] = clusters
    xs = np.zeros((max(n - 1, 0), 4))
    hs = np.zeros((max(n - 1, 0), 4))
    for i, (a, b, h, _) in enumerate(tree.linkage):
        a, b, node = int(a), int(b), n + i
        xs[i] = (position[a], position[a], position[b], position[b])
        hs[i] = (height[a], h, h, height[b])
        position[node] = (position[a] + position[b]) / 2
        height[node] = h
        node_cluster[node] = node_cluster[a] if node_cluster[a] == node_cluster[b] else 0
    return Links(x=xs, height=hs, cluster=node_cluster[n:].copy())


def clustering_bytes(result: Clustering) -> int:
    """What a Clustering costs in memory, roughly: its linkage matrices, leaf orders and labels."""
    trees = (result.rows,) if result.cols is result.rows else (result.rows, result.cols)
    return sum(tree.linkage.nbytes + 8 * len(tree.leaves) + 64 * tree.n for tree in trees)


_CACHE = ByteLRU(CACHE_BYTES, clustering_bytes)


def cluster_matrix(matrix: TransferMatrix, options: ClusterOptions = ClusterOptions()) -> Clustering:
    """The clustering of `matrix` under `options`, from the cache when this content was seen."""
    key = (fingerprint(matrix), options)
    result = _CACHE.get(key)
    if result is None:
        result = _compute(matrix, options)
        _CACHE.add(key, result)
    return result


def cache_clear() -> None:
    _CACHE.clear()


_FINGERPRINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fingerprint(matrix: TransferMatrix) -> str:
    """A content hash of labels, values and spread (memoised per matrix object; matrices are immutable)."""
    try:
        return _FINGERPRINTS[matrix]
    except KeyError:
        pass
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\x1f".join(matrix.rows).encode())
    digest.update(b"\x1e")
    digest.update("\x1f".join(matrix.cols).encode())
    digest.update(b"\x1e")
    digest.update(np.ascontiguousarray(matrix.values).tobytes())
    if matrix.spread is not None:  # the same means with other replicates are another matrix
        for array in (matrix.spread.n, matrix.spread.std, matrix.spread.se, matrix.spread.df):
            digest.update(np.ascontiguousarray(array).tobytes())
    value = digest.hexdigest()
    _FINGERPRINTS[matrix] = value
    return value


def task_profiles(matrix: TransferMatrix, profile: str) -> np.ndarray:
    """One row per task (in row order) for a matrix with the same tasks on both axes."""
    col_index = {label: j for j, label in enumerate(matrix.cols)}
    by_row_label = matrix.values[:, [col_index[label] for label in matrix.rows]]
    columns = by_row_label.T  # task i's column, its cells in row order
    if profile == "rows":
        return by_row_label
    if profile == "cols":
        return columns
    return np.hstack([by_row_label, columns])


def _compute(matrix: TransferMatrix, options: ClusterOptions) -> Clustering:
    if matrix.is_square_tasks:
        tree = build_tree(matrix.rows, task_profiles(matrix, options.profile), options)
        return Clustering(options=options, shared=True, rows=tree, cols=tree)
    return Clustering(
        options=options,
        shared=False,
        rows=build_tree(matrix.rows, matrix.values, options),
        cols=build_tree(matrix.cols, matrix.values.T, options),
    )


def build_tree(labels, profiles: np.ndarray, options: ClusterOptions) -> Tree:
    """Linkage of the profile rows (SciPy, optimal leaf order)."""
    labels = tuple(labels)
    if len(labels) < 2:
        return Tree(labels=labels, linkage=np.zeros((0, 4)), leaves=tuple(range(len(labels))), cophenetic=math.nan)
    condensed, undefined = profile_distances(profiles, options.distance)
    linkage = hierarchy.linkage(condensed, method=options.method, optimal_ordering=True)
    leaves = tuple(int(i) for i in hierarchy.leaves_list(linkage))
    cophenetic = math.nan
    if len(labels) > 2 and np.ptp(condensed) > 0:
        cophenetic = float(hierarchy.cophenet(linkage, condensed)[0])
    return Tree(labels=labels, linkage=linkage, leaves=leaves, cophenetic=cophenetic, undefined_pairs=undefined)


def profile_distances(profiles: np.ndarray, metric: str) -> tuple[np.ndarray, int]:
    """Condensed distances between profile rows, and how many were undefined and filled in."""
    profiles = np.asarray(profiles, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.isnan(profiles).any():
            condensed = distance.squareform(_pairwise_complete(profiles, metric), checks=False)
        elif metric == "euclidean" and len(profiles) >= FAST_EUCLIDEAN_MIN:
            condensed = fast_euclidean(profiles)
        else:
            condensed = distance.pdist(profiles, metric)
    undefined = ~np.isfinite(condensed)
    count = int(undefined.sum())
    if count:
        condensed = condensed.copy()
        condensed[undefined] = UNDEFINED_FACTOR * condensed[~undefined].max() if count < condensed.size else 1.0
    return condensed, count


def fast_euclidean(x: np.ndarray) -> np.ndarray:
    """`pdist(x, "euclidean")`, ~5x faster on 1000 tasks, with the same linkage.

    The distances come from one matrix product (`product_euclidean`), which agrees with pdist's
    loop to ~1e-14 relative but not bit for bit. That only matters where two distances are
    (nearly) tied, as on coarse-grid values or duplicated profiles: which of two equal merges
    comes first would then depend on the last bit. So when any two distances lie within the
    product's error bound of each other, pdist computes them itself.
    """
    x = np.asarray(x, dtype=np.float64)
    product = product_euclidean(x)
    if product is None:
        return distance.pdist(x, "euclidean")
    condensed, norms = product
    return distance.pdist(x, "euclidean") if _near_ties(condensed, norms) else condensed


def _near_ties(condensed: np.ndarray, norms: np.ndarray) -> bool:
    """Whether two positive distances lie within the product's error bounds of each other: a
    quick test with the largest norms, then (only if that fails) one with each pair's own."""
    tolerance = _ERROR_FACTOR * np.finfo(np.float64).eps
    values = np.sort(condensed)
    values = values[np.searchsorted(values, 0.0, side="right"):]  # exact zeros: identical profiles, 0 in pdist too
    if values.size < 2 or not (np.diff(values) <= 2 * tolerance * 2 * norms.max() / values[:-1]).any():
        return False
    pair_norms = distance.squareform(norms[:, None] + norms[None, :], checks=False)
    order = np.argsort(condensed)
    values, margins = condensed[order], pair_norms[order]
    first = np.searchsorted(values, 0.0, side="right")
    values, margins = values[first:], tolerance * margins[first:] / values[first:]
    return bool((np.diff(values) <= margins[1:] + margins[:-1]).any())


def product_euclidean(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Condensed euclidean distances through |a-b|^2 = |a|^2 + |b|^2 - 2 a.b (BLAS, all cores),
    and the squared norms that bound their error: d(a, b) differs from pdist's by less than
    `_ERROR_FACTOR * eps * (|a|^2 + |b|^2) / d`.

    Columns are centred first (distances do not change, norms shrink); pairs whose squared
    distance is still below `_CANCELLATION` of their squared norms, where the product form loses
    digits, are recomputed directly (identical profiles come out exactly 0). None when there are
    more such pairs than profiles (a block of duplicates): pdist's loop is cheaper then.
    """
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean(axis=0)
    norms = np.einsum("ij,ij->i", x, x)
    squares = x @ x.T
    squares *= -2.0
    squares += norms[:, None]
    squares += norms[None, :]
    suspect = squares < _CANCELLATION * (norms[:, None] + norms[None, :])
    pairs = np.nonzero(np.triu(suspect, k=1))
    if len(pairs[0]) > len(x):
        return None
    for i, j in zip(*pairs):
        difference = x[i] - x[j]
        squares[i, j] = squares[j, i] = difference @ difference
    np.fill_diagonal(squares, 0.0)
    np.maximum(squares, 0.0, out=squares)
    condensed = distance.squareform(squares, checks=False)
    return np.sqrt(condensed, out=condensed), norms


_CANCELLATION = 1e-6
# Measured differences from pdist stay below 17 * eps * (|a|^2 + |b|^2) / d (seeded gaussian,
# block and coarse-grid profiles of 600-1000 tasks); twice that is the margin for a near-tie.
_ERROR_FACTOR = 32
FAST_EUCLIDEAN_MIN = 64  # below this, pdist is as fast and the product is not worth it


def _pairwise_complete(x: np.ndarray, metric: str) -> np.ndarray:
    """Square distance matrix over the coordinates each pair shares (nan where they share none)."""
    present = ~np.isnan(x)
    mask = present.astype(np.float64)
    x0 = np.where(present, x, 0.0)
    shared = mask @ mask.T
    width = x.shape[1]
    if metric == "cityblock":
        sums = np.zeros_like(shared)
        for i in range(len(x) - 1):  # no product form for |a - b|; one row against the rest
            sums[i, i + 1:] = np.nansum(np.abs(x[i] - x[i + 1:]), axis=1)
        sums = sums + sums.T
        result = sums * width / shared
    else:
        squares = x0 * x0
        xy = x0 @ x0.T
        xx = squares @ mask.T  # sum of a_i^2 over the coordinates a shares with b
        yy = xx.T
        if metric == "euclidean":
            result = np.sqrt(np.maximum(xx + yy - 2 * xy, 0.0) * width / shared)
        elif metric == "cosine":
            norms = np.sqrt(xx * yy)
            result = 1.0 - xy / np.where(norms > 0, norms, np.nan)
        elif metric == "correlation":
            sx = x0 @ mask.T
            sy = sx.T
            cov = xy - sx * sy / shared
            var = (xx - sx * sx / shared) * (yy - sy * sy / shared)
            result = 1.0 - cov / np.sqrt(np.where(var > 1e-24, var, np.nan))
        else:
            raise ValueError(f"metric '{metric}' is not one of {', '.join(DISTANCES)}")
        if metric != "euclidean":
            result = np.clip(result, 0.0, 2.0)
    result = (result + result.T) / 2
    np.fill_diagonal(result, 0.0)
    return result
