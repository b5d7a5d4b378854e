"""The statistics of replicated matrices against direct scipy.stats calls, cell by cell."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from transfer.compare import derive
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread, TTest
from transfer.uncertainty import cell_stats, marks, reach_notice, summary
from transfer.view import open_view, view_json
from transfer.viewstate import ViewState, parse_query

from replicated import DatasetsStub, replicated_matrix

replicated = replicated_matrix


@st.composite
def sample_arrays(draw, max_side: int = 4, max_reps: int = 5):
    rows, cols = draw(st.integers(2, max_side)), draw(st.integers(2, max_side))
    reps = draw(st.integers(2, max_reps))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    samples = rng.normal(rng.normal(0, 0.1), 0.05, (rows, cols, reps)).round(draw(st.sampled_from([2, 3, 8])))
    samples[rng.random(samples.shape) < 0.2] = np.nan  # ragged replicate counts, some missing cells
    return samples


def _present(values: np.ndarray) -> np.ndarray:
    return values[~np.isnan(values)]


def close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(sample_arrays(), st.sampled_from([90, 95, 99]))
def test_one_sample_cells_match_scipy(samples, level):
    matrix = replicated(samples, neutral=0.01)
    result = cell_stats(matrix, level)
    for (i, j), _ in np.ndenumerate(matrix.values):
        x = _present(samples[i, j])
        assert result.n[i, j] == (x.size if x.size else np.nan) or (x.size == 0 and np.isnan(result.n[i, j]))
        if x.size < 2 or np.ptp(x) == 0:
            assert np.isnan(result.p[i, j])
            continue
        test = stats.ttest_1samp(x, 0.01)
        interval = test.confidence_interval(level / 100)
        assert close(result.p[i, j], test.pvalue)
        assert close(result.ci_low[i, j], interval.low) and close(result.ci_high[i, j], interval.high)
        assert close(result.std[i, j], float(np.std(x, ddof=1)))
    tested = ~np.isnan(result.p)
    if tested.any():
        np.testing.assert_allclose(result.q[tested], stats.false_discovery_control(result.p[tested], method="bh"))
    assert np.isnan(result.q[~tested]).all()


@settings(max_examples=30, deadline=None)
@given(sample_arrays(max_side=3), st.integers(0, 2**32 - 1))
def test_comparison_is_paired_on_shared_seeds_and_welch_otherwise(samples, seed):
    rng = np.random.default_rng(seed)
    other_samples = samples + rng.normal(0.02, 0.03, samples.shape)
    other_samples[np.isnan(samples)] = np.nan
    other_samples[0, 0, 0] = np.nan if not np.isnan(samples[0, 0, 0]) else 0.5  # cell (0, 0): other seeds
    this, other = replicated(samples), replicated(other_samples)
    difference = derive(this, "none", other, "other").matrix
    result = cell_stats(difference)
    for (i, j), _ in np.ndenumerate(difference.values):
        a, b = samples[i, j], other_samples[i, j]
        same_seeds = np.array_equal(np.isnan(a), np.isnan(b))
        if same_seeds and _present(a).size >= 2:
            assert difference.spread.test[i, j] == TTest.PAIRED
            d = _present(a - b)
            if np.ptp(d) == 0:
                continue
            expected = stats.ttest_rel(_present(a), _present(b))
            assert close(result.p[i, j], expected.pvalue)
            interval = expected.confidence_interval(0.95)
            assert close(result.ci_low[i, j], interval.low)
        elif _present(a).size >= 2 and _present(b).size >= 2:
            assert difference.spread.test[i, j] == TTest.WELCH
            if np.ptp(_present(a)) == 0 and np.ptp(_present(b)) == 0:
                continue
            expected = stats.ttest_ind(_present(a), _present(b), equal_var=False)
            assert close(result.p[i, j], expected.pvalue)
            interval = expected.confidence_interval(0.95)
            assert close(result.ci_low[i, j], interval.low) and close(result.ci_high[i, j], interval.high)
        else:
            assert np.isnan(result.p[i, j])


def test_norm_diag_pairs_each_cell_with_its_rows_in_domain_cell():
    rng = np.random.default_rng(3)
    samples = rng.normal(0.5, 0.05, (3, 3, 5))
    matrix = replicated(samples, labels=["a", "b", "c"])
    derived = derive(matrix, "diag").matrix
    result = cell_stats(derived)
    for i in range(3):
        for j in range(3):
            if i == j:  # the in-domain cell minus itself: exactly 0, no test
                assert derived.values[i, j] == 0 and np.isnan(result.p[i, j])
                assert result.ci_low[i, j] == result.ci_high[i, j] == 0
                continue
            expected = stats.ttest_rel(samples[i, j], samples[i, i])
            assert close(result.p[i, j], expected.pvalue)


def test_summary_form_gives_the_same_statistics_as_its_replicates():
    rng = np.random.default_rng(5)
    samples = rng.normal(0.03, 0.04, (3, 4, 4))
    full = replicated(samples)
    summary_matrix = TransferMatrix(
        rows=full.rows, cols=full.cols, values=full.values,
        spread=Spread.from_summary(np.std(samples, axis=2, ddof=1), np.full((3, 4), 4)),
    )
    a, b = cell_stats(full), cell_stats(summary_matrix)
    np.testing.assert_allclose(a.p, b.p)
    np.testing.assert_allclose(a.ci_low, b.ci_low)
    # Without the replicates themselves a comparison cannot pair: Welch.
    other = replicated(samples + 0.01)
    assert set(np.unique(derive(summary_matrix, "none", other, "o").matrix.spread.test)) == {TTest.WELCH}


def test_one_replicate_has_a_value_and_no_interval():
    samples = np.full((2, 2, 3), np.nan)
    samples[..., 0] = [[0.1, 0.2], [0.3, 0.4]]
    samples[0, 0, 1:] = [0.12, 0.14]
    result = cell_stats(replicated(samples))
    assert result.n[1, 1] == 1 and np.isnan(result.ci_low[1, 1]) and np.isnan(result.p[1, 1])
    assert not np.isnan(result.p[0, 0])


def test_z_score_norms_drop_the_statistics_with_a_notice():
    matrix = replicated(np.random.default_rng(1).normal(0, 0.1, (3, 3, 3)))
    derived = derive(matrix, "zrow")
    assert derived.matrix.spread is None
    assert any("z-scores have no interval" in notice for notice in derived.notices)


def test_unreachable_significance_is_said_in_plain_words():
    """3 seeds and 100 cells: the smallest attainable q needs |t| near 45."""
    rng = np.random.default_rng(0)
    samples = rng.normal(0.0, 0.05, (10, 10, 3))
    result = cell_stats(replicated(samples))
    assert not result.significant(0.05).any()
    notice = reach_notice(result)
    assert "100 tests" in notice and "3 replicates" in notice
    needed = float(notice.split("|t| >= ")[1].split(" ")[0])
    assert needed == pytest.approx(stats.t.isf(0.05 / 200, 2), rel=1e-2) and 40 < needed < 50
    assert "almost never reach" in notice


def test_significant_cells_get_marks_and_counts():
    rng = np.random.default_rng(2)
    samples = rng.normal(0.0, 0.05, (6, 6, 5))
    samples[0, 1] = [0.5, 0.51, 0.49, 0.5, 0.52]  # a strong, certain effect
    matrix = replicated(samples)
    result = cell_stats(matrix)
    assert result.q[0, 1] < 0.001
    assert marks(result.codes())[0, 1] == "***"
    assert reach_notice(result) is None
    counted = summary(result, matrix)
    assert counted["significant"] == int(np.count_nonzero(result.q < 0.05))
    assert counted["tested"] == 36


def test_spread_changes_the_content_id_and_a_plain_matrix_keeps_its_own():
    samples = np.random.default_rng(4).normal(0, 0.1, (2, 3, 3))
    matrix = replicated(samples)
    plain = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=matrix.values)
    assert matrix.content_id() != plain.content_id()
    reseeded = replicated(samples, ids=["a", "b", "c"])
    assert reseeded.content_id() != matrix.content_id()



def test_api_view_carries_the_uncertainty_in_display_order():
    rng = np.random.default_rng(7)
    samples = rng.normal(0.0, 0.05, (4, 4, 5))
    samples[2, 3] += 0.4
    matrix = replicated(samples, labels=["a", "b", "c", "d"])
    datasets = DatasetsStub(rep=matrix, plain=TransferMatrix(rows="ab", cols="ab", values=[[0.1, 0.2], [0.3, 0.4]]))
    state, _ = parse_query("dataset=rep&order=cluster&ci=99&sig=0.05&pos=0.1")
    view = open_view(datasets, state)
    section = view_json(view)["uncertainty"]
    assert section["level"] == 99 and section["test"] == "one-sample t" and section["correction"] == "bh"
    i, j = view.matrix.rows.index("c"), view.matrix.cols.index("d")
    expected = stats.ttest_1samp(samples[2, 3], 0.0)
    assert close(section["p"][i][j], expected.pvalue)
    assert close(section["ci_low"][i][j], expected.confidence_interval(0.99).low)
    assert section["n"][i][j] == 5
    highlight = view_json(view)["highlight"]
    assert highlight["sig"] == 0.05 and highlight["positive"] == [["c", "d"]]
    plain = open_view(datasets, ViewState(dataset="plain", ci=99, sig=0.05))
    assert view_json(plain)["uncertainty"] is None
    assert plain.state.ci == 95 and plain.state.sig is None
    assert any("Ignored ci, sig: this matrix has no replicates" in n for n in plain.notices)


@pytest.mark.parametrize("query, notice", [
    ("ci=80", "Ignored ci: '80' is not one of 90, 95, 99 (percent)."),
    ("sig=0.2", "Ignored sig: '0.2' is not one of 0.1, 0.05, 0.01, 0.001."),
    ("unc=fancy", "Ignored unc: 'fancy' is not one of vsup, none."),
    ("marks=2", "Ignored marks: '2' is not 0 or 1."),
])
def test_bad_uncertainty_keys_fall_back_with_a_notice(query, notice):
    state, notices = parse_query(query)
    assert state == ViewState() and notices == [notice]


def test_uncertainty_keys_are_canonical():
    state, _ = parse_query("unc=none&marks=0&sig=0.010&ci=99&unc=vsup")
    assert state.to_query() == "ci=99&sig=0.01&marks=0"
