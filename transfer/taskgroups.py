"""Matrices by task metadata: filter, group order, collapse to groups, transfer within vs between
groups (with a permutation test) and agreement of clusters with a field.

Every function takes a `TransferMatrix` and `Annotations` (`transfer.annotations`) and returns new
values; none imports Dash. A task without a value for a field is in the group `NONE_LABEL`.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.special import comb
from scipy.stats.contingency import crosstab

from .annotations import NONE_LABEL, Annotations
from .matrix import TransferMatrix
from .replicates import Spread
from .viewstate import echo

PERMUTATIONS = 9999
SEED = 20251
# Permutations are drawn in chunks of this many, chunk k from its own generator spawned from the
# seed: the same permutations whatever the number of threads (fixed: changing it changes p-values).
CHUNK = 256
THREADS = 2
# |shuffled difference| within this much (times the largest |value|) of |observed| counts as a tie
# (>=): sums in another order differ in their last bits, float32 sums (large matrices) in more.
# Tight enough that two truly different differences of small matrices never count as one.
TIE_TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-5}
_FLOAT64_TASKS = 256  # up to this many tasks the shuffled sums are float64 (small, cheap)
# The test's budget, deterministic (never the clock: the same p on every call): each permutation
# reads the within pairs once, ~1 s per 5e8 cells read here. 9,999 permutations up to that
# (1000 tasks in 10 groups: 4.95e8), fewer above it, in thousands minus one (1,999; 4,999: p
# then resolves to 1/2,000, 1/5,000), never fewer than `MIN_PERMUTATIONS`.
PERMUTATION_CELLS = 5 * 10**8
MIN_PERMUTATIONS = 999


def permutation_budget(pairs: int, permutations: int = PERMUTATIONS) -> int:
    """How many of `permutations` fit `PERMUTATION_CELLS` for `pairs` within pairs per permutation."""
    fits = PERMUTATION_CELLS // max(pairs, 1)
    if fits >= permutations:
        return permutations
    return min(permutations, max(MIN_PERMUTATIONS, (fits + 1) // 1000 * 1000 - 1))


def _value_of(annotations: Annotations | None, label: str, field: str) -> str:
    value = annotations.value(label, field) if annotations is not None else None
    return NONE_LABEL if value is None else value


def _usable(annotations: Annotations | None, field: str | None) -> bool:
    return annotations is not None and field is not None and annotations.has_field(field)


# --- filter -------------------------------------------------------------------------------------


def filter_matrix(
    matrix: TransferMatrix,
    annotations: Annotations | None,
    text: str | None,
    where: tuple[str, tuple[str, ...]] | None,
) -> tuple[TransferMatrix, list[str]]:
    """Rows and columns whose label contains `text` (case-insensitive) and whose `where` field has
    one of the values (NONE_LABEL: no value), on both axes, and notices. A filter that would leave
    fewer than 2 rows or 2 columns is not applied: the matrix comes back unchanged, with a notice
    naming the filter and what would remain. A `where` on a field the annotations lack is ignored,
    with a notice."""
    notices: list[str] = []
    tests = []
    described = []
    if text:
        needle = text.casefold()
        tests.append(lambda label: needle in label.casefold())
        described.append(f"filter '{echo(text)}'")
    if where is not None:
        field, values = where
        if not _usable(annotations, field):
            notices.append(
                "Ignored where: no annotations are loaded." if annotations is None
                else f"Ignored where: the annotations have no field '{echo(field)}' (fields: "
                f"{echo(', '.join(annotations.fields), 120)})."
            )
        else:
            wanted = set(values)
            tests.append(lambda label: _value_of(annotations, label, field) in wanted)
            described.append(f"where {echo(field)} = {echo(' or '.join(values), 80)}")
    if not tests:
        return matrix, notices
    rows = [i for i, label in enumerate(matrix.rows) if all(test(label) for test in tests)]
    cols = [j for j, label in enumerate(matrix.cols) if all(test(label) for test in tests)]
    if len(rows) < 2 or len(cols) < 2:
        notices.append(
            f"Ignored {' and '.join(described)}: {'they' if len(described) > 1 else 'it'} would leave {len(rows)} "
            f"train x {len(cols)} test datasets; at least 2 of each are needed."
        )
        return matrix, notices
    if len(rows) == len(matrix.rows) and len(cols) == len(matrix.cols):
        return matrix, notices
    return matrix.reordered(rows, cols), notices


# --- group order ----------------------------------------------------------------------------------


def _ranks(labels, annotations: Annotations | None, field: str) -> list[int]:
    if not _usable(annotations, field):
        return [0] * len(labels)
    rank = {value: k for k, value in enumerate(annotations.values(field))}
    last = len(rank)
    return [rank.get(annotations.value(label, field), last) for label in labels]


def group_order(matrix: TransferMatrix, annotations: Annotations | None, field: str) -> tuple[list[int], list[int]]:
    """Row and column index orders by the field's values, in the order `annotations.values(field)`
    lists them (order of first appearance in the file), unannotated tasks last; within a group,
    the data order (stable). Identity orders without annotations or the field."""
    orders = []
    for labels in (matrix.rows, matrix.cols):
        ranks = _ranks(labels, annotations, field)
        orders.append(sorted(range(len(labels)), key=ranks.__getitem__))
    return orders[0], orders[1]


def group_runs(labels, annotations: Annotations | None, field: str) -> list[tuple[str, int, int]]:
    """Consecutive runs along already-ordered labels: (value or NONE_LABEL, first index, last index)."""
    runs: list[tuple[str, int, int]] = []
    for index, label in enumerate(labels):
        value = _value_of(annotations, label, field) if _usable(annotations, field) else NONE_LABEL
        if runs and runs[-1][0] == value and runs[-1][2] == index - 1:
            runs[-1] = (value, runs[-1][1], index)
        else:
            runs.append((value, index, index))
    return runs


# --- collapse -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Collapsed:
    """The group x group matrix of a field: rows and columns are the field's values present on
    each axis (NONE_LABEL last if a task has none), values the block means, `counts` the cells
    behind each mean, `row_members`/`col_members` the tasks of each group."""

    matrix: TransferMatrix
    counts: np.ndarray
    row_members: dict[str, tuple[str, ...]]
    col_members: dict[str, tuple[str, ...]]
    field: str = ""


def _groups(labels, annotations: Annotations, field: str) -> tuple[list[str], np.ndarray]:
    """The groups present along an axis (file order, NONE_LABEL last) and each label's group index."""
    ranks = _ranks(labels, annotations, field)
    values = annotations.values(field)
    present = sorted(set(ranks))
    names = [values[r] if r < len(values) else NONE_LABEL for r in present]
    position = {r: k for k, r in enumerate(present)}
    return names, np.array([position[r] for r in ranks], dtype=np.intp)


def _indicator(groups: np.ndarray, n_groups: int) -> np.ndarray:
    onehot = np.zeros((n_groups, groups.size))
    onehot[groups, np.arange(groups.size)] = 1.0
    return onehot


def collapse(matrix: TransferMatrix, annotations: Annotations, field: str) -> Collapsed:
    """Block means of present cells, leaving out in-domain cells (train label == test label); a
    block without such a cell is NaN. metric, neutral and scale are kept, the name gets
    " by <field>". With replicates (a spread in replicate form), each replicate's block means
    make the collapsed matrix's replicates (`Spread.from_samples`), so each block mean carries its
    interval; a summary-form spread (std and n only) is dropped. ValueError for an unknown field."""
    if not _usable(annotations, field):
        raise ValueError(f"the annotations have no field '{field}'")
    row_names, row_group = _groups(matrix.rows, annotations, field)
    col_names, col_group = _groups(matrix.cols, annotations, field)
    left, right = _indicator(row_group, len(row_names)), _indicator(col_group, len(col_names)).T
    used = ~np.isnan(matrix.values) & ~matrix.diagonal_mask
    counts = left @ used.astype(np.float64) @ right
    sums = left @ np.where(used, matrix.values, 0.0) @ right
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    spread = None
    if matrix.spread is not None and matrix.spread.samples is not None:
        samples = matrix.spread.samples
        kept = ~np.isnan(samples) & ~matrix.diagonal_mask[..., None]
        # (groups x rows) . (rows x cols x R) . (cols x groups), replicate by replicate
        block_sums = np.einsum("gi,ijr,jh->ghr", left, np.where(kept, samples, 0.0), right, optimize=True)
        block_counts = np.einsum("gi,ijr,jh->ghr", left, kept.astype(np.float64), right, optimize=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            block_means = np.where(block_counts > 0, block_sums / block_counts, np.nan)
        spread = Spread.from_samples(block_means, matrix.spread.ids or ())
    collapsed = TransferMatrix(
        rows=tuple(row_names),
        cols=tuple(col_names),
        values=means,
        name=f"{matrix.name} by {field}" if matrix.name else f"by {field}",
        metric=matrix.metric,
        neutral=matrix.neutral,
        neutral_basis=matrix.neutral_basis,
        description=matrix.description,
        scale=matrix.scale,
        source=matrix.source,
        spread=spread,
    )
    return Collapsed(
        matrix=collapsed,
        counts=counts.astype(np.int64),
        row_members=_members(matrix.rows, row_group, row_names),
        col_members=_members(matrix.cols, col_group, col_names),
        field=field,
    )


def _members(labels, groups: np.ndarray, names: list[str]) -> dict[str, tuple[str, ...]]:
    members: dict[str, list[str]] = {name: [] for name in names}
    for label, group in zip(labels, groups.tolist()):
        members[names[group]].append(label)
    return {name: tuple(tasks) for name, tasks in members.items()}


# --- within vs between groups ----------------------------------------------------------------------


@dataclass(frozen=True)
class GroupStats:
    """Mean transfer within groups (train and test task share the field's value) and between
    groups, over present off-diagonal cells among annotated tasks, and the permutation p-value of
    their difference."""

    field: str
    within: float
    between: float
    difference: float
    p: float
    permutations: int
    n_within: int
    n_between: int

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "within": self.within,
            "between": self.between,
            "difference": self.difference,
            "p": self.p,
            "permutations": self.permutations,
        }


def group_stats(
    matrix: TransferMatrix,
    annotations: Annotations | None,
    field: str,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> GroupStats | None:
    """Within vs between for a square matrix with shared labels (`matrix.is_square_tasks`), else
    None; None too without the field, or when within or between has no cell.

    p = (1 + #{|shuffled difference| >= |observed|}) / (permutations + 1), the field's values
    shuffled among the annotated tasks by a numpy Generator seeded with `seed`: the same answer on
    every call, every instance. Large groups get fewer permutations (`permutation_budget`), from the
    same seeded chunks; `GroupStats.permutations` says how many."""
    if not _usable(annotations, field) or not matrix.is_square_tasks:
        return None
    col_of = {label: j for j, label in enumerate(matrix.cols)}
    tasks = [label for label in matrix.rows if annotations.value(label, field) is not None]
    if len(tasks) < 2:
        return None
    rank = {value: k for k, value in enumerate(annotations.values(field))}
    codes = np.array([rank[annotations.value(label, field)] for label in tasks], dtype=np.intp)
    row_index = {label: i for i, label in enumerate(matrix.rows)}
    rows = [row_index[label] for label in tasks]
    values = matrix.values[np.ix_(rows, [col_of[label] for label in tasks])]  # aligned: diagonal in-domain
    present = ~np.isnan(values)
    np.fill_diagonal(present, False)
    filled = np.where(present, values, 0.0)
    same = codes[:, None] == codes[None, :]
    n_total, n_within = int(present.sum()), int((present & same).sum())
    n_between = n_total - n_within
    if n_within == 0 or n_between == 0:
        return None
    total, within_sum = float(filled.sum()), float(filled[same].sum())
    within, between = within_sum / n_within, (total - within_sum) / n_between
    difference = within - between
    p = 1.0
    if permutations > 0:
        engine = _Engine(filled, present, codes)
        permutations = permutation_budget(engine.pairs, permutations)
        shuffled = engine.shuffled(permutations, seed)
        observed = engine.observed()  # in the same arithmetic as the shuffled ones
        scale = float(np.max(np.abs(filled)))
        extreme = np.abs(shuffled) >= abs(observed) - TIE_TOLERANCE[engine.table.dtype] * scale
        p = (1 + int(np.count_nonzero(extreme))) / (permutations + 1)
    return GroupStats(
        field=field,
        within=within,
        between=between,
        difference=difference,
        p=p,
        permutations=permutations,
        n_within=n_within,
        n_between=n_between,
    )


def _chunks(permutations: int, seed: int) -> list[tuple[int, int, np.random.SeedSequence]]:
    """(first permutation, size, seed sequence) of each chunk of permutations."""
    children = np.random.SeedSequence(seed).spawn(math.ceil(permutations / CHUNK))
    return [(k * CHUNK, min(CHUNK, permutations - k * CHUNK), child) for k, child in enumerate(children)]


def _labels(block_of: np.ndarray, size: int, child: np.random.SeedSequence) -> np.ndarray:
    """size x n: each row the tasks' group numbers (`block_of`: sizes[0] zeros, sizes[1] ones, ...)
    uniformly shuffled among the tasks."""
    rng = np.random.Generator(np.random.PCG64(child))
    # Shuffled as 8-byte integers: `permuted` makes the same swaps from the same draws whatever the
    # item size (one Fisher-Yates loop), but numpy compiles a faster copy of it for 8-byte items.
    return rng.permuted(np.tile(block_of.astype(np.int64), (size, 1)), axis=1).astype(block_of.dtype)


def _block_of(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes), dtype=np.int8 if len(sizes) < 128 else np.intp), sizes)


def permutation_labels(codes: np.ndarray, permutations: int, seed: int = SEED):
    """The shuffled labellings `group_stats` draws, chunk by chunk: (first permutation, array
    chunk x n), row b giving each task its group code in permutation b (the codes shuffled among
    the tasks). For tests and reference implementations."""
    values, compact = np.unique(np.asarray(codes), return_inverse=True)
    block_of = _block_of(np.bincount(compact).tolist())
    for start, size, child in _chunks(permutations, seed):
        yield start, values[_labels(block_of, size, child)]


def shuffled_differences(
    filled: np.ndarray,
    present: np.ndarray,
    codes: np.ndarray,
    permutations: int,
    seed: int = SEED,
) -> np.ndarray:
    """within - between mean for each shuffled labelling (`permutations` of them, as
    `permutation_labels` draws them; 0: the labelling `codes` itself), over a square aligned matrix
    `filled` (0 where not `present`; the diagonal not present) and the tasks' group codes.

    Only the cells inside the shuffled groups' diagonal blocks are read, each unordered pair once
    from the symmetric sums W = V + V^T (and the present counts C = P + P^T, when a cell is
    missing; with none the within count is the same for every labelling): n^2 / (2 m) cells per
    permutation for m equal groups, not n^2. The chunks of permutations are drawn from their own
    seeded generators and summed as sparse matrix products (which release the GIL) on `THREADS`
    threads: the same numbers whatever the threads."""
    engine = _Engine(filled, present, codes)
    return engine.shuffled(permutations, seed) if permutations else np.array([engine.observed()])


SUB_CELLS = 2**20  # cells gathered per sparse product (its index buffer: 4 MB)
MISSING_BATCH = 2048  # missing cells compared at a time (x permutations bytes)


class _Engine:
    """What one `shuffled_differences` call shares between its threads: the symmetric table W,
    how the within count is had, the groups' sizes; and one workspace per thread (buffers reused
    from chunk to chunk: fresh large arrays cost page faults).

    The within count (ordered present cells) of a labelling is 2 x pairs when no off-diagonal cell
    is missing; with a few missing, 2 x pairs minus the missing cells whose two tasks share a group
    (a comparison per missing cell); with many, the gather of C = P + P^T beside W."""

    def __init__(self, filled: np.ndarray, present: np.ndarray, codes: np.ndarray):
        n = self.n = filled.shape[0]
        dtype = np.float64 if n <= _FLOAT64_TASKS else np.float32
        self.table = (filled + filled.T).astype(dtype).ravel()
        self.total, self.n_total = float(filled.sum()), int(present.sum())
        _, self.compact = np.unique(np.asarray(codes), return_inverse=True)
        self.sizes = np.bincount(self.compact).tolist()
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(int).tolist()
        self.pairs = sum(s * (s - 1) // 2 for s in self.sizes)
        missing = ~present
        np.fill_diagonal(missing, False)
        self.missing = self.both = None
        if missing.sum() > self.pairs:
            counts = present.astype(dtype)
            # W and C side by side: one sparse product gathers both (each row's sums in the same
            # order, so the same numbers as two products), a cell's two values in one cache line
            self.both = np.stack([self.table, (counts + counts.T).ravel()], axis=1)
        elif missing.any():
            self.missing = tuple(index.astype(np.intp) for index in np.nonzero(missing))
        self.block_of = _block_of(self.sizes)
        self._local = threading.local()

    def observed(self) -> float:
        """within - between of the labelling itself."""
        return float(self.differences(self.workspace().sums(self.compact[None, :].astype(self.block_of.dtype)))[0])

    def shuffled(self, permutations: int, seed: int) -> np.ndarray:
        """within - between of each shuffled labelling, as `permutation_labels` draws them."""
        sums = np.empty((permutations, 2))

        def run(item) -> None:
            start, size, child = item
            sums[start : start + size] = self.workspace().sums(_labels(self.block_of, size, child))

        work = _chunks(permutations, seed)
        if THREADS > 1 and len(work) > 1:
            with ThreadPoolExecutor(THREADS) as pool:
                list(pool.map(run, work))
        else:
            for item in work:
                run(item)
        return self.differences(sums)

    def workspace(self) -> "_Workspace":
        space = getattr(self._local, "space", None)
        if space is None:
            space = self._local.space = _Workspace(self)
        return space

    def differences(self, sums: np.ndarray) -> np.ndarray:
        """within - between from each labelling's (within sum, within count)."""
        within_sum, within_n = sums[:, 0], sums[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            return within_sum / within_n - (self.total - within_sum) / (self.n_total - within_n)


class _Workspace:
    """An index buffer (`rows` x pairs cells) and the sparse matrix that reads it: row b picks
    permutation b's within pairs; times the table, the within sums."""

    def __init__(self, engine: _Engine):
        self.engine = engine
        pairs = max(engine.pairs, 1)
        self.rows = rows = max(1, min(CHUNK, SUB_CELLS // pairs))  # permutations per sparse product
        dtype = np.int32 if max(engine.n**2, (rows + 1) * pairs) < 2**31 else np.int64
        self.index = np.zeros((rows, pairs), dtype=dtype)  # padding rows read cell 0 (a zero)
        indptr = np.arange(0, (rows + 1) * pairs, pairs, dtype=dtype)
        data = np.ones(self.index.size, dtype=engine.table.dtype)
        self.matrix = scipy.sparse.csr_array((data, self.index.reshape(-1), indptr), shape=(rows, engine.n**2))
        if not np.shares_memory(self.matrix.indices, self.index):  # filled in place below
            self.index = self.matrix.indices.reshape(rows, pairs)
        self.runs: list[tuple[int, int, int]] = []  # (size, first slot, groups): consecutive groups of a size
        for size, start in zip(engine.sizes, engine.starts):
            if self.runs and self.runs[-1][0] == size:
                self.runs[-1] = (size, self.runs[-1][1], self.runs[-1][2] + 1)
            else:
                self.runs.append((size, start, 1))

    def sums(self, labels: np.ndarray) -> np.ndarray:
        """(within sum, within count) of each labelling (a row of group numbers): over the ordered
        within cells, i.e. W over the pairs."""
        engine = self.engine
        members = np.argsort(labels, axis=1, kind="stable").astype(np.int32)  # by group, ascending
        out = np.zeros((len(members), 2))
        out[:, 1] = 2 * engine.pairs
        if engine.pairs == 0:
            return out
        for first in range(0, len(members), self.rows):
            part = members[first : first + self.rows]
            self._fill(part)
            if len(part) < self.rows:
                self.index[len(part) :] = 0
            if engine.both is None:
                out[first : first + len(part), 0] = (self.matrix @ engine.table)[: len(part)]
            else:
                out[first : first + len(part)] = (self.matrix @ engine.both)[: len(part)]
        if engine.missing is not None:  # task x permutation groups: a missing cell's two rows compared
            groups = np.ascontiguousarray(labels.T)
            rows, cols = engine.missing
            shared = np.zeros(len(labels), dtype=np.int64)
            for first in range(0, len(rows), MISSING_BATCH):  # byte rows summed down (cached, vectorised)
                same = groups[rows[first : first + MISSING_BATCH]] == groups[cols[first : first + MISSING_BATCH]]
                shared += np.add.reduce(same.view(np.uint8), axis=0, dtype=np.int32)
            out[:, 1] -= shared
        return out

    def _fill(self, members: np.ndarray) -> None:
        """Pairs listed round-robin: member a with the next h = (s-1)//2 members of its group,
        cyclically (and for even s, a with a + s/2 for a < s/2): each unordered pair once, built by
        broadcasting rather than by gathering a triangle's indices. Distance by distance (all a for
        d = 1, then d = 2, ...): contiguous additions, and a block's rows stay in cache between
        distances. Consecutive groups of the same size are filled by one addition (`runs`), each
        group's pairs in the same place and order as on its own."""
        engine, chunk = self.engine, len(members)
        index = self.index[:chunk]
        n = self.index.dtype.type(engine.n)
        offset = 0
        for size, start, count in self.runs:
            if size < 2:  # a task alone in its group: no pair
                continue
            block = members[:, start : start + size * count].reshape(chunk, count, size)
            rows = block * n
            half = (size - 1) // 2
            length = size * (size - 1) // 2  # one group's pairs: s h, and s / 2 more for even s
            out = _view(index[:, offset : offset + count * length], (chunk, count, length))
            if half:
                ring = np.concatenate([block, block[:, :, : half + 1]], axis=2)
                step = ring.strides[2]  # window[b, g, d, a] = ring[b, g, a + 1 + d], a view
                window = np.ndarray(
                    (chunk, count, half, size), ring.dtype, ring, step, (ring.strides[0], ring.strides[1], step, step)
                )
                np.add(rows[:, :, None, :], window, out=_view(out[:, :, : size * half], (chunk, count, half, size)))
            if size % 2 == 0:
                np.add(rows[:, :, : size // 2], block[:, :, size // 2 :], out=out[:, :, size * half :])
            offset += count * length


def _view(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """`array` (last axis contiguous) with its last axis split into `shape[1:]`: a view, to write into."""
    view = array.reshape(shape)
    if not np.may_share_memory(view, array):  # never: splitting a contiguous axis needs no copy
        raise AssertionError("not a view")
    return view


# --- clusters vs metadata --------------------------------------------------------------------------


def agreement(tree_labels, cluster_ids, annotations: Annotations | None, field: str) -> float | None:
    """Adjusted Rand index between clusters (`cluster_ids`, one per label of `tree_labels`) and the
    field's values, over the annotated tasks; None with fewer than 2 of them. 1 for the same
    partition (whatever the names), about 0 for unrelated ones; 1 when both partitions are trivial."""
    if not _usable(annotations, field):
        return None
    pairs = [(cluster, annotations.value(label, field)) for label, cluster in zip(tree_labels, cluster_ids)]
    pairs = [(str(cluster), value) for cluster, value in pairs if value is not None]
    if len(pairs) < 2:
        return None
    table = crosstab([cluster for cluster, _ in pairs], [value for _, value in pairs]).count
    return adjusted_rand_index(table)


def adjusted_rand_index(table: np.ndarray) -> float:
    """ARI from a contingency table (Hubert & Arabie 1985)."""
    table = np.asarray(table, dtype=np.int64)
    n = int(table.sum())
    index = float(comb(table, 2).sum())
    rows, cols = float(comb(table.sum(axis=1), 2).sum()), float(comb(table.sum(axis=0), 2).sum())
    expected = rows * cols / float(comb(n, 2)) if n >= 2 else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
