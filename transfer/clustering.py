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
`fast_euclidean`: the same distances to ~1e-14 and the same linkage, ~5x faster), on two
threads from 800 tasks on (`pdist`: bit for bit).

Leaves are in optimal leaf order (`hierarchy.optimal_leaf_ordering`) within a time budget
(`LEAF_ORDER_SECONDS`, set from TMX_LEAF_ORDER_SECONDS by `configure`): on heavily tied
distances SciPy's ordering can take over a minute for 2000 tasks, in C code that cannot be
interrupted, so trees of `INLINE_LEAF_ORDER_TASKS` tasks or more are ordered in a child process
(a forkserver's: never a fork of the threaded server process) that is killed when the budget
runs out. The tree then keeps linkage's own leaf order, which is deterministic, and says so
(`Tree.leaf_order_note`, `Clustering.notices`); that result is cached like any other. Flat clusters are
`fcluster(Z, k, criterion="maxclust")`, renumbered 1..k in leaf order (cluster 1 holds the first
leaf) so that ids read top to bottom on the heatmap. Linkage is cached per matrix content and
options; a new `k` only re-cuts the cached tree.
"""

from __future__ import annotations

import hashlib
import io
import math
import multiprocessing
import multiprocessing.context
import os
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial import distance

from .lru import ByteLRU
from .matrix import TransferMatrix
from .viewstate import DISTANCES, METHODS, PROFILES

# Trees per matrix content and options: a 2000-task tree is ~0.2 MB, its linkage seconds of CPU.
CACHE_BYTES = 16 * 2**20
UNDEFINED_FACTOR = 1.5  # undefined distances: this times the largest defined one
# Optimal leaf ordering: the most seconds it may take (web.config: TMX_LEAF_ORDER_SECONDS), and the
# tree size from which it runs in a child process that can be stopped (smaller trees take milliseconds).
DEFAULT_LEAF_ORDER_SECONDS = 2.0  # a 2000-task view: ~3-5 s of distances, 2 s at most here, 1-2 s to draw
LEAF_ORDER_SECONDS = DEFAULT_LEAF_ORDER_SECONDS
INLINE_LEAF_ORDER_TASKS = 200


def configure(leaf_order_seconds: float) -> None:
    """Set the optimal leaf ordering's budget (seconds, >= 0; 0 skips it for every tree of
    `INLINE_LEAF_ORDER_TASKS` tasks or more)."""
    global LEAF_ORDER_SECONDS
    if not (isinstance(leaf_order_seconds, (int, float)) and math.isfinite(leaf_order_seconds)
            and leaf_order_seconds >= 0):
        raise ValueError(f"the leaf ordering budget must be a number of seconds >= 0, not {leaf_order_seconds!r}")
    LEAF_ORDER_SECONDS = float(leaf_order_seconds)


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
    leaf_order_note: str | None = None  # why the leaves are not in optimal order (None: they are)

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

    @property
    def notices(self) -> tuple[str, ...]:
        """What the view should say about these trees: an optimal leaf ordering that was skipped."""
        trees = (self.rows,) if self.shared else (self.rows, self.cols)
        return tuple(dict.fromkeys(tree.leaf_order_note for tree in trees if tree.leaf_order_note))

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
    key = (fingerprint(matrix), options, LEAF_ORDER_SECONDS)
    result = _CACHE.get(key)
    if result is None:
        result = _compute(matrix, options)
        _CACHE.add(key, result)
    return result


def cache_clear() -> None:
    _CACHE.clear()
    _OUT_OF_TIME.clear()


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
    linkage = hierarchy.linkage(condensed, method=options.method)
    linkage, note = optimal_order(linkage, condensed, LEAF_ORDER_SECONDS)
    leaves = tuple(int(i) for i in hierarchy.leaves_list(linkage))
    cophenetic = math.nan
    if len(labels) > 2 and np.ptp(condensed) > 0:
        cophenetic = float(hierarchy.cophenet(linkage, condensed)[0])
    return Tree(labels=labels, linkage=linkage, leaves=leaves, cophenetic=cophenetic, undefined_pairs=undefined,
                leaf_order_note=note)


def optimal_order(linkage: np.ndarray, condensed: np.ndarray, seconds: float) -> tuple[np.ndarray, str | None]:
    """`linkage` with its leaves in optimal order (what `linkage(..., optimal_ordering=True)`
    returns), and None; or, when that takes longer than `seconds`, `linkage` itself and a notice.
    Trees under `INLINE_LEAF_ORDER_TASKS` tasks are ordered here, larger ones in a child process."""
    n = len(linkage) + 1
    if n < INLINE_LEAF_ORDER_TASKS:
        return hierarchy.optimal_leaf_ordering(linkage, condensed), None
    skipped = (f"Optimal leaf ordering of {n} tasks took longer than {seconds:g} s and was skipped; "
               "they are in the tree's plain order.")
    tried = (hashlib.blake2b(np.ascontiguousarray(linkage).tobytes(), digest_size=16).digest(), seconds)
    if seconds <= 0 or _OUT_OF_TIME.get(tried):  # a tree seen to run out of time: not again
        return linkage, skipped
    try:
        ordered = _order_in_child(linkage, condensed, seconds)
    except (OSError, RuntimeError, AssertionError) as err:  # no process could be started (host limits, daemon)
        return linkage, (f"Optimal leaf ordering of {n} tasks was skipped (the process that would run it could not "
                         f"be started: {type(err).__name__}); they are in the tree's plain order.")
    if ordered is None:
        _OUT_OF_TIME.add(tried, True)
        return linkage, skipped
    return ordered, None


# Trees whose ordering ran out of time (by linkage and budget): computed again after leaving the
# cache, they skip it at once, in the same plain order, instead of spending the budget again.
_OUT_OF_TIME = ByteLRU(4096, lambda _item: 1)


_CONTEXT_LOCK = threading.Lock()
_CONTEXT: list = []


def _process_context():
    """A forkserver context: its children are forked from a single-threaded server process
    (started once, with this module preloaded), never from the threaded process that asks."""
    with _CONTEXT_LOCK:
        if not _CONTEXT:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _CONTEXT.append(context)
        return _CONTEXT[0]


class _LeanPopen(popen_forkserver.Popen):
    """The forkserver's Popen (as in Python 3.11) without the parent's main module in the child's
    preparation data: a child that orders a tree needs only this module, which the server has
    preloaded, not the script that started the parent (`python app.py` would build a whole app
    in every child, a benchmark script import Dash). The arguments are written as soon as the
    child starts reading them: milliseconds, not the seconds of importing a main module."""

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buffer = io.BytesIO()
        multiprocessing.context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buffer)
            reduction.dump(process_obj, buffer)
        finally:
            multiprocessing.context.set_spawning_popen(None)
        self.sentinel, write_end = forkserver.connect_to_new_process(self._fds)
        parent_end = os.dup(write_end)  # the child's sentinel of its parent, as the stdlib keeps it
        self.finalizer = util.Finalize(self, util.close_fds, (parent_end, self.sentinel))
        with open(write_end, "wb", closefd=True) as stream:
            stream.write(buffer.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _LeanProcess(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _LeanPopen(process_obj)


def _order_in_child(linkage: np.ndarray, condensed: np.ndarray, seconds: float) -> np.ndarray | None:
    """`optimal_leaf_ordering` in a child process; None (the child killed) after `seconds`, counted
    from when the forkserver runs (starting it, once per process, takes about a second)."""
    context = _process_context()
    forkserver.ensure_running()
    deadline = time.monotonic() + seconds
    receiver, sender = context.Pipe(duplex=False)
    child = _LeanProcess(target=_order_child, args=(sender, linkage, condensed), daemon=True)
    try:
        child.start()
        sender.close()
        if receiver.poll(max(0.0, deadline - time.monotonic())):
            return receiver.recv()
        return None
    except EOFError:  # the child ended without an answer (killed from outside, out of memory)
        return None
    finally:
        if child.is_alive():
            child.kill()
        if child.pid is not None:
            child.join()
        sender.close()
        receiver.close()


def _order_child(sender, linkage: np.ndarray, condensed: np.ndarray) -> None:
    sender.send(hierarchy.optimal_leaf_ordering(linkage, condensed))
    sender.close()


def profile_distances(profiles: np.ndarray, metric: str) -> tuple[np.ndarray, int]:
    """Condensed distances between profile rows, and how many were undefined and filled in."""
    profiles = np.asarray(profiles, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.isnan(profiles).any():
            condensed = distance.squareform(_pairwise_complete(profiles, metric), checks=False)
        elif metric == "euclidean" and len(profiles) >= FAST_EUCLIDEAN_MIN:
            condensed = fast_euclidean(profiles)
        else:
            condensed = pdist(profiles, metric)
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
    if _certain_ties(x):  # the product would find them and fall back: skip its second of BLAS
        return pdist(x, "euclidean")
    product = product_euclidean(x)
    if product is None:
        return pdist(x, "euclidean")
    condensed, norms = product
    return pdist(x, "euclidean") if _near_ties(condensed, norms) else condensed


DISTANCE_THREADS = 2
PARALLEL_PDIST_MIN = 800  # profiles; below this one thread is as fast


def pdist(x: np.ndarray, metric: str) -> np.ndarray:
    """`scipy.spatial.distance.pdist(x, metric)`, bit for bit, on `DISTANCE_THREADS` threads from
    `PARALLEL_PDIST_MIN` profiles on (4 s of one core for 2000 tasks' profiles of 4000 cells):
    `cdist` of bands of rows against every row from the band's first on, which does the same
    arithmetic per pair and releases the GIL. Bands hold about equal numbers of pairs."""
    n = len(x)
    if n < PARALLEL_PDIST_MIN or DISTANCE_THREADS < 2:
        return distance.pdist(x, metric)
    x = np.ascontiguousarray(x, dtype=np.float64)
    bands = 4 * DISTANCE_THREADS
    cuts = np.unique(np.round(n - n * np.sqrt(1 - np.linspace(0, 1, bands + 1))).astype(int)).tolist()
    out = np.empty(n * (n - 1) // 2)

    def band(k: int) -> None:
        first, last = cuts[k], cuts[k + 1]
        block = distance.cdist(x[first:last], x[first:], metric)
        for i in range(first, last):
            start = n * i - i * (i + 1) // 2  # pair (i, i + 1) in the condensed order
            out[start : start + n - i - 1] = block[i - first, i - first + 1 :]

    with ThreadPoolExecutor(DISTANCE_THREADS) as pool:
        list(pool.map(band, range(len(cuts) - 1)))
    return out


def _certain_ties(x: np.ndarray, decimals: int = 3) -> bool:
    """Whether some distances must tie: profiles on a decimal grid (scores rounded to at most
    `decimals` places) have squared distances that are whole multiples of the grid's square, and
    when there are fewer such multiples up to the largest possible distance than pairs, two pairs
    share one (pigeonhole). Scores rounded to one decimal, 2000 tasks: always."""
    n, width = x.shape
    pairs = n * (n - 1) // 2
    span = float(np.ptp(x)) if x.size else 0.0
    for places in range(decimals + 1):
        scale = 10.0**places
        if width * (span * scale) ** 2 + 1 >= pairs:
            return False  # too fine a grid (or too few pairs) for the count to prove a tie
        scaled = x * scale
        if np.allclose(scaled, np.round(scaled), rtol=0.0, atol=1e-9 * max(1.0, float(np.abs(scaled).max()))):
            return True
    return False


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
