"""Matrices by task metadata (transfer/taskgroups.py): filter, group order, collapse, within vs
between with its permutation test, and the adjusted Rand index, on small matrices worked out by
hand, and their invariants with Hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import transfer.taskgroups as taskgroups
from transfer.annotations import NONE_LABEL, Annotations
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread
from transfer.taskgroups import (
    adjusted_rand_index,
    agreement,
    collapse,
    filter_matrix,
    group_order,
    group_runs,
    group_stats,
    permutation_labels,
    shuffled_differences,
)

NAN = math.nan
LABELS = ("A", "B", "C", "D")
# train rows x test columns; the 9s are in-domain (train label == test label) and never count.
VALUES = np.array(
    [
        [9.0, 1.0, 2.0, 3.0],
        [4.0, 9.0, 5.0, 6.0],
        [7.0, 8.0, 9.0, 1.0],
        [2.0, 3.0, 4.0, 9.0],
    ]
)


def annotations(table: dict[str, tuple], fields=("kind",)) -> Annotations:
    return Annotations(tuple(fields), tuple(table), table)


KIND = annotations({"A": ("x",), "B": ("x",), "C": ("y",), "D": ("y",)})


def matrix(values=VALUES, rows=LABELS, cols=LABELS, **kw) -> TransferMatrix:
    return TransferMatrix(rows, cols, np.array(values, dtype=float), name="M", metric="AUC", neutral=0.5, **kw)


# --- filter -------------------------------------------------------------------------------------


def test_filter_by_text_is_case_insensitive_on_both_axes():
    m = matrix(rows=("TriviaQA", "HotpotQA", "Movies", "NQ"), cols=("TriviaQA", "hotpotqa_WC", "Movies", "NQ_qa"))
    filtered, notices = filter_matrix(m, None, "QA", None)
    assert filtered.rows == ("TriviaQA", "HotpotQA") and filtered.cols == ("TriviaQA", "hotpotqa_WC", "NQ_qa")
    assert notices == []
    np.testing.assert_array_equal(filtered.values, VALUES[np.ix_([0, 1], [0, 1, 3])])


def test_filter_by_field_values_and_none():
    ann = annotations({"A": ("x",), "B": ("x",), "C": ("y",)})  # D unannotated
    filtered, notices = filter_matrix(matrix(), ann, None, ("kind", ("x",)))
    assert filtered.rows == filtered.cols == ("A", "B") and notices == []
    filtered, _ = filter_matrix(matrix(), ann, None, ("kind", ("y", NONE_LABEL)))
    assert filtered.rows == ("C", "D")
    filtered, notices = filter_matrix(matrix(), ann, "b", ("kind", ("x", "y")))  # text AND field: B alone
    assert filtered.rows == LABELS
    assert notices == [
        "Ignored filter 'b' and where kind = x or y: they would leave 1 train x 1 test datasets; at least 2 of "
        "each are needed."
    ]
    labels = ("qa1", "qa2", "nli1", "nli2")
    ann = annotations({"qa1": ("x",), "qa2": ("x",), "nli1": ("y",)})
    filtered, notices = filter_matrix(matrix(rows=labels, cols=labels), ann, "1", ("kind", ("x", "y")))
    assert filtered.rows == filtered.cols == ("qa1", "nli1") and notices == []
    filtered, _ = filter_matrix(matrix(rows=labels, cols=labels), ann, "2", ("kind", ("x", NONE_LABEL)))
    assert filtered.rows == filtered.cols == ("qa2", "nli2")


def test_filter_refusals_keep_the_matrix():
    m = matrix()
    same, notices = filter_matrix(m, None, "a", None)
    assert same is m
    assert notices == [
        "Ignored filter 'a': it would leave 1 train x 1 test datasets; at least 2 of each are needed."
    ]
    same, notices = filter_matrix(m, KIND, None, ("kind", ("z",)))
    assert same is m and notices[0].startswith("Ignored where kind = z: it would leave 0 train x 0 test datasets")


def test_filter_with_an_unknown_field_or_no_annotations_is_ignored_with_a_notice():
    m = matrix()
    same, notices = filter_matrix(m, KIND, None, ("domain", ("qa",)))
    assert same is m and notices == [
        "Ignored where: the annotations have no field 'domain' (fields: kind)."
    ]
    same, notices = filter_matrix(m, None, None, ("kind", ("x", "y")))
    assert same is m and notices == ["Ignored where: no annotations are loaded."]
    filtered, notices = filter_matrix(m, None, "[ab]", ("kind", ("x",)))  # text is plain text, not a pattern
    assert filtered is m and "would leave 0 train" in notices[1]


def test_filter_carries_replicates_along():
    samples = np.stack([VALUES, VALUES + 1.0], axis=2)
    m = matrix(VALUES + 0.5, spread=Spread.from_samples(samples, ["1", "2"]))
    filtered, _ = filter_matrix(m, KIND, None, ("kind", ("y",)))
    np.testing.assert_array_equal(filtered.spread.samples, samples[2:, 2:])


# --- group order and runs -------------------------------------------------------------------------


def test_group_order_follows_the_file_order_unannotated_last_stable():
    ann = annotations({"C": ("y",), "A": ("x",), "B": ("x",)})  # values in file order: y, x; D has none
    rows, cols = group_order(matrix(), ann, "kind")
    assert rows == [2, 0, 1, 3] and cols == [2, 0, 1, 3]
    m = matrix(rows=("D", "B", "C", "A"), cols=("A", "D", "B", "C"))
    rows, cols = group_order(m, ann, "kind")
    assert [m.rows[i] for i in rows] == ["C", "B", "A", "D"]  # B before A: data order within x
    assert [m.cols[j] for j in cols] == ["C", "A", "B", "D"]
    assert group_order(m, ann, "domain") == ([0, 1, 2, 3], [0, 1, 2, 3])
    assert group_order(m, None, "kind") == ([0, 1, 2, 3], [0, 1, 2, 3])


def test_group_runs():
    ann = annotations({"C": ("y",), "A": ("x",), "B": ("x",)})
    assert group_runs(["C", "A", "B", "D", "E"], ann, "kind") == [("y", 0, 0), ("x", 1, 2), (NONE_LABEL, 3, 4)]
    assert group_runs(["A", "C", "B"], ann, "kind") == [("x", 0, 0), ("y", 1, 1), ("x", 2, 2)]
    assert group_runs([], ann, "kind") == []


# --- collapse -------------------------------------------------------------------------------------


def test_collapse_by_hand():
    # x = {A, B}, y = {C, D}; in-domain cells (the 9s) left out:
    # x->x: (A,B)=1, (B,A)=4 -> 2.5 over 2 cells; x->y: 2, 3, 5, 6 -> 4 over 4
    # y->x: 7, 8, 2, 3 -> 5 over 4;               y->y: (C,D)=1, (D,C)=4 -> 2.5 over 2
    collapsed = collapse(matrix(), KIND, "kind")
    m = collapsed.matrix
    assert m.rows == m.cols == ("x", "y")
    np.testing.assert_array_equal(m.values, [[2.5, 4.0], [5.0, 2.5]])
    np.testing.assert_array_equal(collapsed.counts, [[2, 4], [4, 2]])
    assert collapsed.row_members == collapsed.col_members == {"x": ("A", "B"), "y": ("C", "D")}
    assert (m.name, m.metric, m.neutral) == ("M by kind", "AUC", 0.5)
    assert collapsed.field == "kind"


def test_collapse_with_missing_cells_none_group_and_an_empty_block():
    # C unannotated -> (none); the only x -> (none) cells are A->C (2) and B->C (5): 3.5.
    # (none) -> (none) is C->C alone, in-domain: no cell, so missing. B->A is missing: x->x is A->B = 1.
    values = VALUES.copy()
    values[1, 0] = NAN
    ann = annotations({"A": ("x",), "B": ("x",), "D": ("y",)})
    m = TransferMatrix(("A", "B", "C"), ("A", "B", "C", "D"), values[:3], name="M")
    collapsed = collapse(m, ann, "kind")
    assert collapsed.matrix.rows == ("x", NONE_LABEL) and collapsed.matrix.cols == ("x", "y", NONE_LABEL)
    # rows x: A, B; none: C.  cols x: A, B; y: D; none: C
    # x->x: A->B = 1 (B->A missing)            x->y: A->D = 3, B->D = 6 -> 4.5   x->none: 2, 5 -> 3.5
    # none->x: C->A = 7, C->B = 8 -> 7.5       none->y: C->D = 1               none->none: in-domain only
    np.testing.assert_array_equal(collapsed.matrix.values, [[1.0, 4.5, 3.5], [7.5, 1.0, NAN]])
    np.testing.assert_array_equal(collapsed.counts, [[1, 2, 2], [2, 1, 0]])
    assert collapsed.col_members == {"x": ("A", "B"), "y": ("D",), NONE_LABEL: ("C",)}


def test_collapse_with_replicates_gives_each_block_its_replicates():
    # replicate 1 = VALUES, replicate 2 = VALUES + 2 except (A,B) missing in replicate 2.
    second = VALUES + 2.0
    second[0, 1] = NAN
    samples = np.stack([VALUES, second], axis=2)
    spread = Spread.from_samples(samples, ["s1", "s2"])
    means = np.nanmean(samples, axis=2)
    collapsed = collapse(matrix(means, spread=spread), KIND, "kind")
    blocks = collapsed.matrix.spread.samples
    # x->x: replicate 1: (1 + 4)/2 = 2.5; replicate 2: (B,A) alone = 6
    assert blocks[0, 0].tolist() == [2.5, 6.0]
    # x->y: replicate 1: 4; replicate 2: 6.  y->y: 2.5 and 4.5
    assert blocks[0, 1].tolist() == [4.0, 6.0] and blocks[1, 1].tolist() == [2.5, 4.5]
    assert collapsed.matrix.spread.ids == ("s1", "s2")
    np.testing.assert_allclose(collapsed.matrix.spread.std[0, 1], math.sqrt(2.0))  # std of 4 and 6
    # the block's value is the mean of its cells' means: x->x = (A,B) mean 1, (B,A) mean 5 -> 3
    assert collapsed.matrix.values[0, 0] == 3.0


def test_collapse_drops_a_summary_spread():
    spread = Spread.from_summary(np.full((4, 4), 0.1), np.full((4, 4), 5))
    assert collapse(matrix(spread=spread), KIND, "kind").matrix.spread is None


def test_collapse_of_an_unknown_field_is_an_error():
    with pytest.raises(ValueError, match="no field 'domain'"):
        collapse(matrix(), KIND, "domain")


# --- within vs between ------------------------------------------------------------------------------


def test_within_between_by_hand():
    # within: (A,B)=1 (B,A)=4 (C,D)=1 (D,C)=4 -> 10 / 4 = 2.5
    # between: 2 3 5 6 7 8 2 3 -> 36 / 8 = 4.5; difference -2
    stats = group_stats(matrix(), KIND, "kind")
    assert (stats.within, stats.between, stats.difference) == (2.5, 4.5, -2.0)
    assert (stats.n_within, stats.n_between, stats.permutations) == (4, 8, 9999)
    assert stats.to_json() == {
        "field": "kind",
        "within": 2.5,
        "between": 4.5,
        "difference": -2.0,
        "p": stats.p,
        "permutations": 9999,
    }


def test_p_value_by_hand():
    # Two pairs out of four tasks: 3 partitions. {AB|CD} is the observed one (difference -2);
    # {AC|BD}: within 2 7 6 3 -> 4.5, between (46 - 18) / 8 = 3.5 -> +1; {AD|BC}: 3 2 5 8 -> +1 too.
    # Only shuffles that land on {AB|CD} reach |difference| >= 2: about a third of them.
    stats = group_stats(matrix(), KIND, "kind")
    codes = np.array([0, 0, 1, 1])
    hits = sum(
        int(((labels[:, 0] == labels[:, 1]) & (labels[:, 2] == labels[:, 3])).sum())
        for _, labels in permutation_labels(codes, 9999)
    )
    assert stats.p == (1 + hits) / 10000
    assert abs(stats.p - 1 / 3) < 0.02


def test_within_between_with_missing_cells_and_unannotated_tasks():
    values = VALUES.copy()
    values[1, 0] = NAN  # B->A
    ann = annotations({"A": ("x",), "B": ("x",), "C": ("y",), "D": ("y",), "E": ("x",)})
    m = matrix(values, rows=("A", "B", "C", "D"), cols=("D", "C", "B", "A"))  # the same tasks, another order
    m = TransferMatrix(m.rows, m.cols, values[:, ::-1])
    stats = group_stats(m, ann, "kind")
    # within: 1, 1, 4 -> 2; between unchanged: 4.5
    assert (stats.within, stats.between, stats.n_within, stats.n_between) == (2.0, 4.5, 3, 8)
    partial = annotations({"A": ("x",), "B": ("x",), "C": ("y",)})  # D unannotated: left out entirely
    stats = group_stats(matrix(), partial, "kind")
    # within (A,B)=1 (B,A)=4 -> 2.5; between A->C 2, B->C 5, C->A 7, C->B 8 -> 5.5
    assert (stats.within, stats.between, stats.n_within, stats.n_between) == (2.5, 5.5, 2, 4)


def test_group_stats_is_none_where_it_has_no_answer():
    assert group_stats(matrix(rows=("A", "B", "C", "E")), KIND, "kind") is None  # not the same tasks
    assert group_stats(TransferMatrix(LABELS, LABELS[:3], VALUES[:, :3]), KIND, "kind") is None  # not square
    assert group_stats(matrix(), KIND, "domain") is None
    assert group_stats(matrix(), None, "kind") is None
    one_group = annotations({"A": ("x",), "B": ("x",), "C": ("x",)})
    assert group_stats(matrix(), one_group, "kind") is None  # no between cell
    singletons = annotations({"A": ("a",), "B": ("b",), "C": ("c",), "D": ("d",)})
    assert group_stats(matrix(), singletons, "kind") is None  # no within cell
    assert group_stats(matrix(), annotations({"A": ("x",)}), "kind") is None


def test_p_value_bounds_determinism_and_threads():
    rng = np.random.default_rng(7)
    labels = tuple(f"t{i}" for i in range(40))
    m = TransferMatrix(labels, labels, rng.normal(size=(40, 40)))
    ann = annotations({label: (f"g{i % 4}",) for i, label in enumerate(labels)})
    first = group_stats(m, ann, "kind")
    assert 1 / 10000 <= first.p <= 1
    assert group_stats(m, ann, "kind") == first
    taskgroups.THREADS = 1
    try:
        assert group_stats(m, ann, "kind") == first
    finally:
        taskgroups.THREADS = 2
    assert group_stats(m, ann, "kind", permutations=0).p == 1.0


def test_a_strong_grouping_has_the_smallest_p():
    # within-group transfer 1, between -1, plus a little noise: no shuffle comes close
    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(3), 10)
    values = np.where(codes[:, None] == codes[None, :], 1.0, -1.0) + rng.normal(0, 0.01, (30, 30))
    labels = tuple(f"t{i}" for i in range(30))
    stats = group_stats(
        TransferMatrix(labels, labels, values),
        annotations({label: (f"g{c}",) for label, c in zip(labels, codes)}),
        "kind",
    )
    assert stats.p == 1 / 10000 and stats.difference > 1.9


def reference_differences(values: np.ndarray, codes: np.ndarray, permutations: int, seed: int) -> np.ndarray:
    """The slow way: for each shuffled labelling, masks over the whole matrix."""
    present = ~np.isnan(values)
    np.fill_diagonal(present, False)
    out = []
    for _, chunk in permutation_labels(codes, permutations, seed):
        for labels in chunk:
            same = labels[:, None] == labels[None, :]
            within, between = present & same, present & ~same
            with np.errstate(invalid="ignore", divide="ignore"):
                out.append(values[within].sum() / within.sum() - values[between].sum() / between.sum())
    return np.array(out)


@st.composite
def grouped_matrices(draw, max_tasks=12):
    n = draw(st.integers(3, max_tasks))
    codes = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    eighths = draw(st.lists(st.one_of(st.integers(-16, 16), st.none()), min_size=n * n, max_size=n * n))
    values = np.array([NAN if v is None else v / 8 for v in eighths]).reshape(n, n)  # exact in float32
    return values, codes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped_matrices(), st.integers(0, 2**32 - 1))
def test_p_value_equals_a_slow_reference(data, seed):
    values, codes = data
    n = len(codes)
    labels = tuple(f"t{i}" for i in range(n))
    ann = annotations({label: (f"g{c}",) for label, c in zip(labels, codes)})
    stats = group_stats(TransferMatrix(labels, labels, values), ann, "kind", permutations=199, seed=seed)
    present = ~np.isnan(values)
    np.fill_diagonal(present, False)
    same = codes[:, None] == codes[None, :]
    if not (present & same).any() or not (present & ~same).any():
        assert stats is None
        return
    observed = values[present & same].mean() - values[present & ~same].mean()
    assert stats.difference == pytest.approx(observed)
    # group_stats numbers the groups in the order their values first appear
    first_seen = list(dict.fromkeys(codes.tolist()))
    codes = np.array([first_seen.index(code) for code in codes.tolist()])
    reference = reference_differences(values, codes, 199, seed)
    np.testing.assert_array_equal(
        shuffled_differences(np.where(present, values, 0.0), present, codes, 199, seed), reference
    )
    # a permutation giving the observed split again ties with it, whatever the order of its sums
    tie = taskgroups.TIE_TOLERANCE[np.dtype(np.float64)] * np.max(np.abs(values[present]))
    assert stats.p == (1 + int(np.sum(np.abs(reference) >= abs(observed) - tie))) / 200
    assert 1 / 200 <= stats.p <= 1


def test_the_float32_path_equals_the_reference_too():
    # above taskgroups._FLOAT64_TASKS tasks the shuffled sums are float32: exact for these eighths
    rng = np.random.default_rng(11)
    n = taskgroups._FLOAT64_TASKS + 44
    codes = rng.integers(0, 5, n)
    values = rng.integers(-16, 17, (n, n)) / 8
    values[rng.random((n, n)) < 0.05] = NAN
    present = ~np.isnan(values)
    np.fill_diagonal(present, False)
    filled = np.where(present, values, 0.0)
    np.testing.assert_array_equal(
        shuffled_differences(filled, present, codes, 70, 5), reference_differences(values, codes, 70, 5)
    )
    complete = rng.integers(-16, 17, (n, n)) / 8
    everywhere = ~np.eye(n, dtype=bool)
    np.testing.assert_array_equal(
        shuffled_differences(np.where(everywhere, complete, 0.0), everywhere, codes, 70, 5),
        reference_differences(complete, codes, 70, 5),
    )


def test_shuffles_are_uniform_over_labellings():
    # 3 tasks, codes (0, 0, 1): the task alone in group 1 is each task a third of the time
    counts = np.zeros(3)
    for _, labels in permutation_labels(np.array([0, 0, 1]), 3000, seed=4):
        counts += (labels == 1).sum(axis=0)
    assert np.all(np.abs(counts / 3000 - 1 / 3) < 0.03)



def pinned_case(n: int, groups: int, missing: float, seed: int):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, groups, n)
    values = rng.normal(0.0, 1.0, (n, n)) + 0.02 * (codes[:, None] == codes[None, :])
    values[rng.random((n, n)) < missing] = NAN
    labels = tuple(f"t{i}" for i in range(n))
    ann = Annotations(("kind",), labels, {label: (f"g{c}",) for label, c in zip(labels, codes)})
    return TransferMatrix(labels, labels, values), ann, codes


# Recorded from the implementation before its speed-ups (Dec 2026): any change to the shuffles, the
# order of the sums or the arithmetic shows here. (n, groups, share missing, seed): within and
# between (float.hex), p x 2000 at 1,999 permutations, sha256 of `shuffled_differences`' bytes.
PINNED = [
    ((60, 4, 0.05, 1), "0x1.797c5a4e7421ap-6", "0x1.36dcd945447f3p-7", 1478, "a70db2cc63c1b398"),  # float64
    ((300, 7, 0.02, 2), "0x1.f92f5d186097bp-9", "0x1.48759f19f9f04p-9", 1780, "f5f7cf1720b3f980"),  # few missing
    ((300, 5, 0.7, 3), "0x1.a28ed833e2977p-9", "0x1.1541ce6730e7dp-8", 1921, "874a6a186ce76e17"),  # many missing
    ((300, 30, 0.0, 4), "-0x1.d7148e168930ap-8", "0x1.026fab1614676p-8", 1142, "5e62e4d7c4dae9e9"),  # none missing
]


@pytest.mark.parametrize("case, within, between, hits, digest", PINNED)
def test_results_are_pinned_bit_for_bit(case, within, between, hits, digest):
    import hashlib

    m, ann, codes = pinned_case(*case)
    stats = group_stats(m, ann, "kind", permutations=1999)
    assert (stats.within.hex(), stats.between.hex()) == (within, between)
    assert (stats.p, stats.permutations) == (hits / 2000, 1999)
    present = ~np.isnan(m.values)
    np.fill_diagonal(present, False)
    shuffled = shuffled_differences(np.where(present, m.values, 0.0), present, codes, 1999, taskgroups.SEED)
    assert hashlib.sha256(shuffled.tobytes()).hexdigest()[:16] == digest


# --- clusters vs metadata ---------------------------------------------------------------------------


def test_adjusted_rand_index_by_hand():
    # clusters 1 1 2 2 2 against x x x y y: table [[2, 0], [1, 2]]
    # sum C(n_ij, 2) = 1 + 0 + 0 + 1 = 2; rows C(2,2) + C(3,2) = 4; cols C(3,2) + C(2,2) = 4; C(5,2) = 10
    # expected 4 * 4 / 10 = 1.6; max (4 + 4) / 2 = 4; ARI = (2 - 1.6) / (4 - 1.6) = 1/6
    ann = annotations({"A": ("x",), "B": ("x",), "C": ("x",), "D": ("y",), "E": ("y",)})
    assert agreement(list("ABCDE"), [1, 1, 2, 2, 2], ann, "kind") == pytest.approx(1 / 6)
    assert adjusted_rand_index(np.array([[2, 0], [1, 2]])) == pytest.approx(1 / 6)


def test_agreement_over_annotated_tasks_only():
    ann = annotations({"A": ("x",), "B": ("x",), "C": ("y",), "D": (None,)})
    assert agreement(list("ABCDE"), [1, 1, 2, 1, 2], ann, "kind") == 1.0  # D and E left out
    assert agreement(list("ABCDE"), [1, 1, 2, 1, 2], ann, "domain") is None
    assert agreement(list("ADE"), [1, 2, 3], ann, "kind") is None  # one annotated task
    assert agreement(list("AB"), [1, 1], ann, "kind") == 1.0  # both trivial


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=30), st.permutations(range(5)))
def test_ari_is_one_for_the_same_partition_and_symmetric(pairs, renaming):
    labels = [f"t{i}" for i in range(len(pairs))]
    clusters = [a for a, _ in pairs]
    values = {label: (f"v{renaming[a]}",) for label, (a, _) in zip(labels, pairs)}  # the same partition, renamed
    assert agreement(labels, clusters, annotations(values), "kind") == pytest.approx(1.0)
    other = [b for _, b in pairs]
    forward = agreement(labels, clusters, annotations({lb: (f"v{b}",) for lb, b in zip(labels, other)}), "kind")
    backward = agreement(labels, other, annotations({lb: (f"v{a}",) for lb, a in zip(labels, clusters)}), "kind")
    assert forward == pytest.approx(backward)
    assert -1.0 <= forward <= 1.0 + 1e-12


# --- invariants ------------------------------------------------------------------------------------

POOL = ("A", "B", "C", "D", "E", "F", "G", "H")


@st.composite
def matrices(draw):
    rows = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=6, unique=True))
    cols = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=6, unique=True))
    cells = draw(
        st.lists(
            st.one_of(st.floats(-1, 1), st.just(NAN)), min_size=len(rows) * len(cols), max_size=len(rows) * len(cols)
        )
    )
    return TransferMatrix(tuple(rows), tuple(cols), np.array(cells).reshape(len(rows), len(cols)))


@settings(max_examples=200, deadline=None)
@given(matrices())
def test_collapse_of_singleton_groups_is_the_matrix_without_its_diagonal(m):
    labels = list(dict.fromkeys(m.rows + m.cols))
    ann = annotations({label: (f"only {label}",) for label in labels})
    collapsed = collapse(m, ann, "kind")
    assert collapsed.matrix.rows == tuple(f"only {label}" for label in m.rows)
    assert collapsed.matrix.cols == tuple(f"only {label}" for label in sorted(m.cols, key=labels.index))
    order = [m.cols.index(label) for label in sorted(m.cols, key=labels.index)]
    expected = np.where(m.diagonal_mask, NAN, m.values)[:, order]
    np.testing.assert_array_equal(collapsed.matrix.values, expected)
    np.testing.assert_array_equal(collapsed.counts, ~np.isnan(expected))


@settings(max_examples=300, deadline=None)
@given(matrices(), st.text(alphabet="aAbBcC", min_size=1, max_size=2))
def test_filter_keeps_exactly_the_labels_containing_the_text(m, text):
    m = TransferMatrix(
        tuple(f"{label}{label.lower()}x" for label in m.rows),
        tuple(f"{label.lower()}{label}y" for label in m.cols),
        m.values,
    )
    filtered, notices = filter_matrix(m, None, text, None)
    rows = [label for label in m.rows if text.lower() in label.lower()]
    cols = [label for label in m.cols if text.lower() in label.lower()]
    if len(rows) < 2 or len(cols) < 2:
        assert filtered is m and len(notices) == 1
    else:
        assert list(filtered.rows) == rows and list(filtered.cols) == cols and notices == []
        np.testing.assert_array_equal(
            filtered.values, m.values[np.ix_([m.rows.index(r) for r in rows], [m.cols.index(c) for c in cols])]
        )


@settings(max_examples=300, deadline=None)
@given(matrices(), st.lists(st.one_of(st.none(), st.sampled_from("pqr")), min_size=len(POOL), max_size=len(POOL)))
def test_group_order_is_a_stable_permutation(m, values):
    ann = annotations({label: (value,) for label, value in zip(POOL, values)})
    known = ann.values("kind")
    rows, cols = group_order(m, ann, "kind")
    for labels, order in ((m.rows, rows), (m.cols, cols)):
        assert sorted(order) == list(range(len(labels)))
        ranks = [
            known.index(ann.value(labels[i], "kind")) if ann.value(labels[i], "kind") else len(known) for i in order
        ]
        assert ranks == sorted(ranks)
        assert all(a < b for a, b, ra, rb in zip(order, order[1:], ranks, ranks[1:]) if ra == rb)
        runs = group_runs([labels[i] for i in order], ann, "kind")
        assert len(runs) == len(set(ranks)) and runs[-1][2] == len(labels) - 1
