"""Clustering core: the same trees, orders and cuts as SciPy's own functions on the same inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.cluster import hierarchy
from scipy.spatial import distance

from transfer import clustering
from transfer.clustering import ClusterOptions, cluster_matrix, profile_distances, tree_links
from transfer.datasets import Datasets
from transfer.matrix import TransferMatrix


def square(n=12, seed=0, shuffle_cols=False) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    labels = [f"task{i}" for i in range(n)]
    values = rng.normal(size=(n, n)) + np.repeat(np.arange(3), -(-n // 3))[:n, None]
    matrix = TransferMatrix(rows=labels, cols=labels, values=values)
    if shuffle_cols:  # same tasks, columns in another order
        matrix = matrix.reordered(range(n), rng.permutation(n))
    return matrix


def rectangular(rows=9, cols=14, seed=1) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    return TransferMatrix(
        rows=[f"train{i}" for i in range(rows)], cols=[f"test{j}" for j in range(cols)],
        values=rng.normal(size=(rows, cols)),
    )


def same_partition(a, b) -> bool:
    """Two flat clusterings are the same partition (ids may differ)."""
    return len(set(zip(a, b))) == len(set(a)) == len(set(b))


def scipy_reference(profiles, options, k):
    z = hierarchy.linkage(profiles, method=options.method, metric=options.distance, optimal_ordering=True)
    return z, hierarchy.dendrogram(z, no_plot=True)["leaves"], hierarchy.fcluster(z, k, criterion="maxclust")


def by_label(matrix, axis):
    """Profiles of an axis with the shared task order (columns re-indexed by row labels)."""
    index = {label: j for j, label in enumerate(matrix.cols)}
    aligned = matrix.values[:, [index[label] for label in matrix.rows]]
    return aligned if axis == "rows" else aligned.T


OPTIONS = [
    ClusterOptions("average", "euclidean", "both"),
    ClusterOptions("complete", "correlation", "rows"),
    ClusterOptions("single", "cosine", "cols"),
    ClusterOptions("weighted", "cityblock", "both"),
    ClusterOptions("ward", "euclidean", "rows"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"{o.method}-{o.distance}-{o.profile}")
@pytest.mark.parametrize("shuffle_cols", [False, True], ids=["aligned", "shuffled-cols"])
def test_square_matrix_has_one_tree_equal_to_scipy(options, shuffle_cols):
    matrix = square(shuffle_cols=shuffle_cols)
    result = cluster_matrix(matrix, options)
    assert result.shared and result.rows is result.cols
    rows, cols = by_label(matrix, "rows"), by_label(matrix, "cols")
    profiles = {"rows": rows, "cols": cols, "both": np.hstack([rows, cols])}[options.profile]
    z, leaves, flat = scipy_reference(profiles, options, 3)
    np.testing.assert_allclose(result.rows.linkage, z)
    assert list(result.rows.leaves) == leaves
    assert same_partition(result.rows.cut(3), flat)
    expected = hierarchy.cophenet(z, distance.pdist(profiles, options.distance))[0]
    assert result.rows.cophenetic == pytest.approx(expected)
    # one order for both axes: the diagonal stays on the diagonal
    arranged = matrix.reordered(result.row_order(matrix), result.col_order(matrix))
    assert arranged.rows == arranged.cols
    np.testing.assert_array_equal(arranged.diagonal_mask, np.eye(matrix.shape[0], dtype=bool))


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"{o.method}-{o.distance}")
def test_rectangular_matrix_clusters_rows_by_rows_and_cols_by_cols(options):
    matrix = rectangular()
    result = cluster_matrix(matrix, options)
    assert not result.shared
    for tree, profiles in ((result.rows, matrix.values), (result.cols, matrix.values.T)):
        z, leaves, flat = scipy_reference(profiles, options, 4)
        assert list(tree.leaves) == leaves
        assert same_partition(tree.cut(4), flat)
    assert result.rows.labels == matrix.rows and result.cols.labels == matrix.cols
    assert sorted(result.col_order(matrix)) == list(range(matrix.shape[1]))


def test_cluster_ids_are_numbered_in_leaf_order_and_members_follow_it():
    tree = cluster_matrix(square(15)).rows
    ids = tree.cut(4)
    in_leaf_order = [ids[leaf] for leaf in tree.leaves]
    assert in_leaf_order == sorted(in_leaf_order) and in_leaf_order[0] == 1 and max(ids) == 4
    members = tree.members(4)
    assert [label for group in members for label in group] == list(tree.ordered_labels)
    assert tree.cut(None).tolist() == [1] * 15 and tree.cut(100).max() == 15


def test_the_seed_matrix_puts_winobias_next_to_winogrande(sqlite_url):
    from transfer.store import DatasetStore

    matrix = Datasets(DatasetStore(sqlite_url)).get("mistral-7b-instruct_auc-diff")
    order = list(cluster_matrix(matrix).rows.ordered_labels)
    assert abs(order.index("Winobias") - order.index("Winogrande")) == 1


@pytest.mark.parametrize("metric", ["euclidean", "cityblock", "cosine", "correlation"])
def test_missing_values_use_pairwise_shared_coordinates_rescaled(metric):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(8, 10))
    x[rng.random(x.shape) < 0.25] = np.nan
    condensed, undefined = profile_distances(x, metric)
    assert undefined == 0 and np.isfinite(condensed).all()
    expected = []
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            both = ~np.isnan(x[i]) & ~np.isnan(x[j])
            d = distance.pdist(np.vstack([x[i, both], x[j, both]]), metric)[0]
            scale = x.shape[1] / both.sum()
            expected.append(d * (math.sqrt(scale) if metric == "euclidean" else scale if metric == "cityblock" else 1))
    np.testing.assert_allclose(condensed, expected, rtol=1e-9, atol=1e-12)


def test_missing_cells_do_not_break_clustering_and_undefined_pairs_join_last():
    values = np.array(
        [
            [1.0, 1.1, np.nan, np.nan],
            [1.0, 1.2, np.nan, np.nan],
            [np.nan, np.nan, 5.0, 5.1],
            [np.nan, np.nan, 5.0, 5.3],
        ]
    )
    matrix = TransferMatrix(rows=list("abcd"), cols=list("wxyz"), values=values)
    result = cluster_matrix(matrix)
    # a/b and c/d share no cell: those 4 row pairs are filled above the largest defined distance
    assert result.rows.undefined_pairs == 4
    assert sorted(map(sorted, result.rows.members(2))) == [["a", "b"], ["c", "d"]]
    assert result.rows.linkage[-1, 2] == pytest.approx(1.5 * math.dist([5.0, 5.1], [5.0, 5.3]) * math.sqrt(2))
    assert np.isfinite(result.rows.linkage).all() and np.isfinite(result.cols.linkage).all()


def test_a_task_with_no_values_at_all_still_gets_a_place():
    matrix = square(6)
    values = matrix.values.copy()
    values[2, :] = np.nan
    values[:, 2] = np.nan
    matrix = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=values)
    result = cluster_matrix(matrix, ClusterOptions(distance="correlation"))
    assert sorted(result.rows.leaves) == list(range(6))
    assert result.rows.undefined_pairs == 5


def test_constant_profile_under_correlation_is_filled_not_an_error():
    values = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0], [3.0, 2.0, 1.1]])
    result = cluster_matrix(
        TransferMatrix(rows=list("abc"), cols=list("xyz"), values=values), ClusterOptions(distance="correlation"),
    )
    assert result.rows.undefined_pairs == 2 and len(result.rows.leaves) == 3


def test_ward_with_another_distance_is_refused_with_a_message():
    with pytest.raises(ValueError, match="Ward linkage needs the euclidean distance, not cosine"):
        ClusterOptions(method="ward", distance="cosine")
    with pytest.raises(ValueError, match="method 'median' is not one of"):
        ClusterOptions(method="median")


def test_one_and_two_task_matrices():
    one = cluster_matrix(TransferMatrix(rows=["a"], cols=["a"], values=[[1.0]]))
    assert one.rows.leaves == (0,) and one.rows.cut(3).tolist() == [1] and math.isnan(one.rows.cophenetic)
    two = cluster_matrix(TransferMatrix(rows=["a", "b"], cols=["x"], values=[[1.0], [2.0]]))
    assert sorted(two.rows.leaves) == [0, 1] and two.rows.cut(2).tolist() in ([1, 2], [2, 1])


def test_linkage_is_cached_per_content_and_options():
    clustering.cache_clear()
    matrix = square(10)
    first = cluster_matrix(matrix)
    assert cluster_matrix(matrix) is first
    twin = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=matrix.values.copy())
    assert cluster_matrix(twin) is first  # same content, another object
    assert cluster_matrix(matrix, ClusterOptions(method="complete")) is not first
    changed = matrix.values.copy()
    changed[0, 0] += 1
    assert cluster_matrix(TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=changed)) is not first


def test_links_trace_the_tree_with_cluster_colours():
    tree = cluster_matrix(square(9)).rows
    ids = tree.cut(3)
    links = tree_links(tree, ids)
    assert links.x.shape == (8, 4)
    # the root joins the whole tree at the top, above the cut
    assert links.height[-1, 1] == pytest.approx(tree.linkage[-1, 2]) and links.cluster[-1] == 0
    # exactly the merges inside a flat cluster carry its colour: n - k of them
    assert (links.cluster > 0).sum() == 9 - 3
    assert links.x.min() == 0 and links.x.max() == 8


def _segments(xs, ys) -> set:
    """The unit pieces (between consecutive points, NaN gaps skipped) a line draws."""
    out = set()
    for i in range(len(xs) - 1):
        a, b = (float(xs[i]), float(ys[i])), (float(xs[i + 1]), float(ys[i + 1]))
        if not (math.isnan(a[0]) or math.isnan(b[0])) and a != b:
            out.add(frozenset((a, b)))
    return out


@pytest.mark.parametrize("k", [1, 3, 40])
def test_margin_dendrograms_are_one_stroke_per_coloured_subtree_and_draw_every_link(k):
    from transfer.cluster_figures import COLOUR_TRACES, colour_slot, dendrogram_traces

    tree = cluster_matrix(square(60)).rows
    ids = tree.cut(k)
    links = tree_links(tree, ids)
    strokes = dendrogram_traces(tree, ids, vertical=True, xaxis="x4", yaxis="y4")
    linked = dendrogram_traces(tree, ids, vertical=True, xaxis="x4", yaxis="y4", clickable=True)
    assert len(strokes) == len(linked) == COLOUR_TRACES
    slots = [colour_slot(c) for c in links.cluster]
    for slot, (stroke, per_link) in enumerate(zip(strokes, linked)):
        drawn, wanted = (_segments(stroke.x, stroke.y),
                         _corner_segments(links, [j for j, s in enumerate(slots) if s == slot]))
        # every corner-to-corner piece of the slot's links, and nothing off them (a bar is also
        # walked in halves, from its middle)
        assert wanted <= drawn
        assert all(_inside(piece, wanted) for piece in drawn - wanted)
        # the dendrogram tab's links (points all along them, for hover) lie on the same pieces
        assert all(_on(piece, wanted) for piece in _segments(per_link.x, per_link.y))
        # pieces: one per top link of a same-coloured subtree (its parent has another colour)
        parent = {int(child) - tree.n: j
                  for j, pair in enumerate(tree.linkage[:, :2]) for child in pair if child >= tree.n}
        tops = sum(1 for j, s in enumerate(slots) if s == slot and (j not in parent or slots[parent[j]] != slot))
        gaps = int(np.isnan(np.asarray(stroke.y, dtype=float)).sum()) if tops else 0
        assert (gaps + 1 if len(stroke.y) else 0) == tops
    assert sum(1 for s in strokes if len(s.x)) >= 1


def _corner_segments(links, chosen) -> set:
    """The corner-to-corner pieces of the chosen links (positions on x, heights on y, float32 as drawn)."""
    out = set()
    for j in chosen:
        corners = (np.asarray(a, dtype=np.float32).tolist() for a in (links.x[j], links.height[j]))
        (xa, _, xb, _), (ha, h, _, hb) = corners
        for a, b in (((xa, ha), (xa, h)), ((xa, h), (xb, h)), ((xb, h), (xb, hb))):
            if a != b:
                out.add(frozenset((a, b)))
    return out


def _on(piece, segments, tolerance: float = 1e-4) -> bool:
    """Whether `piece` lies along one of the axis-parallel `segments`."""
    (x0, y0), (x1, y1) = sorted(piece)
    for (a0, b0), (a1, b1) in map(sorted, segments):
        if a0 == a1 and abs(x0 - a0) < tolerance and abs(x1 - a0) < tolerance:  # a leg
            low, high = min(b0, b1), max(b0, b1)
            if low - tolerance <= min(y0, y1) and max(y0, y1) <= high + tolerance:
                return True
        if (b0 == b1 and abs(y0 - b0) < tolerance and abs(y1 - b0) < tolerance  # a bar
                and a0 - tolerance <= x0 and x1 <= a1 + tolerance):
            return True
    return False


def _inside(piece, segments) -> bool:
    """Whether the horizontal `piece` lies on one of the horizontal `segments`."""
    (x0, y0), (x1, y1) = sorted(piece)
    return any(y0 == y1 == b0 == b1 and a0 <= x0 and x1 <= a1 for (a0, b0), (a1, b1) in map(sorted, segments))


def _tie_prone(n: int, seed: int) -> np.ndarray:
    """Values on a coarse grid with duplicated and near-duplicated profiles: where ties and
    cancellation would show."""
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=(n, 2 * n)) * 4) / 20 + 10.0  # large offset, small spread
    values[5] = values[3]  # identical profiles
    values[7] = values[3] + 1e-9  # nearly identical
    return values


@pytest.mark.parametrize("method", ["average", "complete", "single", "weighted", "ward"])
@pytest.mark.parametrize("data", ["gaussian", "tie-prone"])
def test_fast_euclidean_distances_give_scipys_linkage(method, data):
    n = clustering.FAST_EUCLIDEAN_MIN + 86
    profiles = np.random.default_rng(3).normal(size=(n, 2 * n)) if data == "gaussian" else _tie_prone(n, 4)
    reference = distance.pdist(profiles, "euclidean")
    fast = clustering.fast_euclidean(profiles)
    np.testing.assert_allclose(fast, reference, rtol=1e-12, atol=1e-12)
    if data == "gaussian":  # the product path itself, not the fallback
        np.testing.assert_array_equal(fast, clustering.product_euclidean(profiles)[0])
    else:  # exact ties in pdist: pdist decides, bit for bit
        np.testing.assert_array_equal(fast, reference)
    ours = hierarchy.linkage(profile_distances(profiles, "euclidean")[0], method=method, optimal_ordering=True)
    scipy_z = hierarchy.linkage(reference, method=method, optimal_ordering=True)
    np.testing.assert_allclose(ours, scipy_z, rtol=1e-9, atol=1e-12)
    assert hierarchy.leaves_list(ours).tolist() == hierarchy.leaves_list(scipy_z).tolist()


def test_product_distances_are_exactly_zero_for_identical_profiles_and_none_for_many():
    profiles = np.random.default_rng(5).normal(size=(80, 40)) + 100.0  # large offset: cancellation
    profiles[5] = profiles[3]
    profiles[7] = profiles[3] + 1e-9
    product, _ = clustering.product_euclidean(profiles)
    reference = distance.pdist(profiles)
    assert product[_condensed_index(80, 3, 5)] == 0.0
    np.testing.assert_allclose(product, reference, rtol=1e-12, atol=1e-14)
    duplicates = np.ones((clustering.FAST_EUCLIDEAN_MIN + 10, 30))
    duplicates[0, 0] = 2.0
    assert clustering.product_euclidean(duplicates) is None
    np.testing.assert_array_equal(clustering.fast_euclidean(duplicates), distance.pdist(duplicates))


def _condensed_index(n: int, i: int, j: int) -> int:
    return n * i - i * (i + 1) // 2 + j - i - 1


def test_derived_and_arranged_matrices_are_cached_and_the_cache_is_bounded(monkeypatch, sqlite_url):
    from transfer import view as view_module
    from transfer.lru import ByteLRU
    from transfer.store import DatasetStore
    from transfer.viewstate import ViewState

    datasets = Datasets(DatasetStore(sqlite_url))
    one = view_module.open_view(datasets, ViewState(norm="zrow", order="cluster"))
    two = view_module.open_view(datasets, ViewState(norm="zrow", order="cluster", row=one.matrix.rows[0]))
    assert two.derived is one.derived and two.matrix is one.matrix  # no recomputation per click
    size = one.matrix.values.nbytes + 64 * sum(one.matrix.shape)
    small = ByteLRU(2 * size, view_module._derived_bytes)  # room for two matrices
    monkeypatch.setattr(view_module, "_DERIVED", small)
    for norm in ("zrow", "zcol", "diag"):
        for order in ("data", "cluster"):
            view_module.open_view(datasets, ViewState(norm=norm, order=order))
    assert len(small) == 2 and small.bytes <= small.max_bytes
