"""Budgets that keep a worst-case link from running away (issue 20, target 4): the optimal leaf
ordering's time limit (TMX_LEAF_ORDER_SECONDS) and the permutation test's deterministic size."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster import hierarchy

from transfer import clustering, taskgroups
from transfer import view as view_module
from transfer.annotations import Annotations
from transfer.clustering import ClusterOptions, cluster_matrix, profile_distances, task_profiles
from transfer.insights import group_transfer
from transfer.matrix import TransferMatrix

N = clustering.INLINE_LEAF_ORDER_TASKS + 40  # large enough to be ordered in a child process


def tied_matrix(n: int = N, seed: int = 0) -> TransferMatrix:
    """Scores rounded to one decimal, with duplicated tasks: ties everywhere."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, n // 20, size=n)
    values = np.round(0.1 * rng.normal(size=(n, n)) + 0.2 * (groups[:, None] == groups[None, :]), 1)
    values[5], values[:, 5] = values[3], values[:, 3]
    labels = [f"task-{i:04d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values)


def subtrees(linkage: np.ndarray) -> set[frozenset[int]]:
    """The leaves under each merge: what a tree is, whatever the order of its children."""
    n = len(linkage) + 1
    members: list[frozenset[int]] = [frozenset([i]) for i in range(n)]
    for a, b, *_ in linkage:
        members.append(members[int(a)] | members[int(b)])
    return set(members[n:])


def in_order(leaves, linkage: np.ndarray) -> bool:
    """Whether `leaves` is a leaf order of the tree: every subtree's leaves sit side by side."""
    position = {leaf: i for i, leaf in enumerate(leaves)}
    return all(max(position[x] for x in tree) - min(position[x] for x in tree) == len(tree) - 1
               for tree in subtrees(linkage))


@pytest.fixture
def budget():
    """Set the leaf ordering's budget for one test; the caches and the default come back after."""
    def set_budget(seconds: float) -> None:
        clustering.configure(seconds)
        clear()

    def clear() -> None:
        clustering.cache_clear()
        view_module._DERIVED.clear()

    yield set_budget
    clustering.configure(clustering.DEFAULT_LEAF_ORDER_SECONDS)
    clear()


@pytest.mark.parametrize("method", ["complete", "average"])
def test_a_zero_budget_keeps_the_same_tree_in_its_plain_order_and_says_so(budget, method):
    budget(0)
    matrix = tied_matrix()
    result = cluster_matrix(matrix, ClusterOptions(method=method))
    tree = result.rows
    condensed, _ = profile_distances(task_profiles(matrix, "both"), "euclidean")
    plain = hierarchy.linkage(condensed, method=method)
    ordered = hierarchy.optimal_leaf_ordering(plain, condensed)
    assert subtrees(tree.linkage) == subtrees(ordered)  # the same tree as with the ordering
    assert sorted(tree.leaves) == list(range(N)) and in_order(tree.leaves, ordered)
    assert list(tree.leaves) == hierarchy.leaves_list(plain).tolist()  # deterministic: linkage's own order
    assert result.notices == (tree.leaf_order_note,)
    assert tree.leaf_order_note == (f"Optimal leaf ordering of {N} tasks took longer than 0 s and was skipped; "
                                    "they are in the tree's plain order.")
    clustering.cache_clear()
    assert cluster_matrix(matrix, ClusterOptions(method=method)).rows.leaves == tree.leaves  # again, the same


def test_a_child_process_orders_large_trees_and_is_stopped_when_out_of_time(budget):
    matrix = tied_matrix()
    condensed, _ = profile_distances(task_profiles(matrix, "both"), "euclidean")
    plain = hierarchy.linkage(condensed, method="average")
    budget(120)  # plenty: the child's answer is SciPy's ordering
    ordered, note = clustering.optimal_order(plain, condensed, 120)
    assert note is None
    np.testing.assert_array_equal(ordered, hierarchy.optimal_leaf_ordering(plain, condensed))
    tree = cluster_matrix(matrix).rows
    assert tree.leaf_order_note is None and cluster_matrix(matrix).notices == ()
    assert list(tree.leaves) == hierarchy.leaves_list(ordered).tolist()
    budget(1e-6)  # the child cannot even start in time: killed, the plain order, a notice
    same, note = clustering.optimal_order(plain, condensed, 1e-6)
    assert same is plain and "took longer than 1e-06 s" in note
    small = hierarchy.linkage(condensed[: 45], method="average")  # 10 tasks: ordered here, whatever the budget
    assert clustering.optimal_order(small, condensed[:45], 0)[1] is None


def test_the_notice_reaches_the_json_and_the_page_and_the_same_link_gives_the_same_order(budget, app, client):
    budget(0)
    with app.server.app_context():
        dataset_id = app.server.config["TMX_DATASETS"].put(tied_matrix())
    query = f"dataset={dataset_id}&order=cluster&method=complete&k=3"
    first = client.get("/api/view?" + query).get_json()
    skipped = [text for text in first["notices"] if "Optimal leaf ordering" in text]
    assert len(skipped) == 1 and "was skipped" in skipped[0]
    assert first["rows"] == first["clusters"]["rows"]["order"] and first["cols"] == first["rows"]
    clustering.cache_clear()  # computed again: the same plain order
    view_module._DERIVED.clear()
    again = client.get("/api/view?" + query).get_json()
    assert again["rows"] == first["rows"] and again["notices"] == first["notices"]
    # the page: its layout for this link carries the notices of open_view (components/state.py)
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/?" + query})
    assert layout.status_code == 200 and skipped[0] in layout.get_data(as_text=True)
    # order=data draws no leaf order on the page, but /api/view's `clusters` carries one
    data_view = client.get(f"/api/view?dataset={dataset_id}").get_json()
    assert any("Optimal leaf ordering" in text for text in data_view["notices"])


def test_the_budget_is_read_from_the_environment_with_a_clear_error(monkeypatch, make_app):
    from web.config import Config

    monkeypatch.delenv("TMX_LEAF_ORDER_SECONDS", raising=False)
    assert Config().leaf_order_seconds == clustering.DEFAULT_LEAF_ORDER_SECONDS
    monkeypatch.setenv("TMX_LEAF_ORDER_SECONDS", "2.5")
    assert Config().leaf_order_seconds == 2.5
    for bad in ("four", "-1", "nan", "inf"):
        monkeypatch.setenv("TMX_LEAF_ORDER_SECONDS", bad)
        with pytest.raises(ValueError, match=f"TMX_LEAF_ORDER_SECONDS must be a number of seconds >= 0.*'{bad}'"):
            Config()
    monkeypatch.delenv("TMX_LEAF_ORDER_SECONDS")
    try:
        make_app(leaf_order_seconds=1.5)
        assert clustering.LEAF_ORDER_SECONDS == 1.5
    finally:
        clustering.configure(clustering.DEFAULT_LEAF_ORDER_SECONDS)
    with pytest.raises(ValueError, match="budget must be a number of seconds >= 0"):
        clustering.configure(-2)


def test_large_groups_get_fewer_permutations_deterministically_and_the_panel_says_so(monkeypatch):
    assert taskgroups.permutation_budget(49_500) == 9999  # 1000 tasks in 10 groups: every permutation
    assert taskgroups.permutation_budget(199_000) == 1999  # 2000 tasks in 10 groups
    assert taskgroups.permutation_budget(99_000) == 4999
    assert taskgroups.permutation_budget(10**9) == taskgroups.MIN_PERMUTATIONS
    assert taskgroups.permutation_budget(10, 500) == 500
    n = 60
    rng = np.random.default_rng(1)
    labels = [f"t{i}" for i in range(n)]
    kind = np.arange(n) % 3
    values = rng.normal(size=(n, n)) + 0.5 * (kind[:, None] == kind[None, :])
    matrix = TransferMatrix(rows=labels, cols=labels, values=values)
    annotations = Annotations(("kind",), tuple(labels), {label: (f"k{kind[i]}",) for i, label in enumerate(labels)})
    full = taskgroups.group_stats(matrix, annotations, "kind")
    assert full.permutations == 9999
    monkeypatch.setattr(taskgroups, "PERMUTATION_CELLS", 1_500_000)  # 570 pairs: 2,631 fit
    reduced = taskgroups.group_stats(matrix, annotations, "kind")
    assert reduced.permutations == 1999 and reduced == taskgroups.group_stats(matrix, annotations, "kind")
    assert reduced.p >= 1 / 2000 and reduced.within == full.within
    assert "fewer than 9,999 at this size, so p is resolved to 1/2,000" in group_transfer(reduced, 0.0).text
    assert "resolved" not in group_transfer(full, 0.0).text


def test_distances_that_must_tie_go_straight_to_pdist():
    from scipy.spatial import distance

    # 240 tasks scored 0, 0.1 or 0.2: squared distances are whole multiples of 0.01 up to 480 x 0.04,
    # 1,921 possible values for 28,680 pairs
    tied = np.round(np.random.default_rng(1).uniform(0, 0.2, size=(N, 2 * N)), 1)
    assert clustering._certain_ties(tied)
    np.testing.assert_array_equal(clustering.fast_euclidean(tied), distance.pdist(tied))
    gaussian = np.random.default_rng(2).normal(size=(N, 2 * N))
    assert not clustering._certain_ties(gaussian)
    assert not clustering._certain_ties(np.round(gaussian, 1)[:20])  # too few pairs to prove a tie
    assert not clustering._certain_ties(np.round(gaussian * 1000) / 1000 + 0.0001)  # finer than the grid


def test_values_to_json_puts_none_for_missing_values_and_keeps_every_digit():
    from transfer.matrix import values_to_json

    values = np.array([[0.1, np.nan], [-0.0, 1 / 3]])
    assert values_to_json(values) == [[0.1, None], [-0.0, 1 / 3]]
    assert values_to_json(values[:, :1]) == [[0.1], [-0.0]] and all(
        type(v) is float for row in values_to_json(values[:, :1]) for v in row)


def test_a_tree_out_of_time_once_skips_at_once_and_a_process_that_cannot_start_is_said(budget, monkeypatch):
    matrix = tied_matrix()
    condensed, _ = profile_distances(task_profiles(matrix, "both"), "euclidean")
    plain = hierarchy.linkage(condensed, method="complete")
    calls = []

    def out_of_time(linkage, distances, seconds):
        calls.append(seconds)
        return None

    monkeypatch.setattr(clustering, "_order_in_child", out_of_time)
    budget(3)
    first, note = clustering.optimal_order(plain, condensed, 3)
    again, same_note = clustering.optimal_order(plain, condensed, 3)  # remembered: no second attempt
    assert first is plain and again is plain and note == same_note and calls == [3]

    def cannot_start(linkage, distances, seconds):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(clustering, "_order_in_child", cannot_start)
    _, note = clustering.optimal_order(plain, condensed, 5)
    assert note == (f"Optimal leaf ordering of {N} tasks was skipped (the process that would run it could not be "
                    "started: OSError); they are in the tree's plain order.")


@pytest.mark.parametrize("metric", ["euclidean", "cityblock", "correlation", "cosine"])
def test_distances_on_threads_are_pdists_bit_for_bit(monkeypatch, metric):
    from scipy.spatial import distance

    monkeypatch.setattr(clustering, "PARALLEL_PDIST_MIN", 50)
    profiles = np.round(np.random.default_rng(4).normal(size=(173, 90)), 1)
    profiles[7] = profiles[3]  # a duplicate
    profiles[11] = 0.0  # constant and all-zero: undefined under correlation and cosine
    with np.errstate(divide="ignore", invalid="ignore"):
        reference = distance.pdist(profiles, metric)
        threaded = clustering.pdist(profiles, metric)
    np.testing.assert_array_equal(threaded, reference)
    assert threaded.tobytes() == reference.tobytes()
