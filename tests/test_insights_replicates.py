"""Insights of matrices with replicates: how many cells are significant after correction, and
which large effects are not distinguishable from no transfer, against transfer.uncertainty.summary
and direct scipy.stats calls."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from transfer.insights import build_insights, fmt, significance, uncertain_effects
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread, sample_means
from transfer.uncertainty import cell_stats, summary
from transfer.view import view_from_query, view_insights

from replicated import DatasetsStub

LABELS = ["TriviaQA", "HotpotQA", "Movies", "NLI", "IMDB", "Math"]
STRONG = {("TriviaQA", "HotpotQA"): 0.4, ("NLI", "IMDB"): -0.35, ("Movies", "Math"): 0.3}
NOISY = ("TriviaQA", "Math")  # a large mean from wildly spread replicates


def noisy_matrix(reps: int = 5, seed: int = 3) -> tuple[TransferMatrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    samples = rng.normal(0.0, 0.01, (6, 6, reps))
    for (train, test), shift in STRONG.items():
        samples[LABELS.index(train), LABELS.index(test)] += shift
    samples[LABELS.index(NOISY[0]), LABELS.index(NOISY[1])] = [0.9, -0.5, 0.6, -0.3, 0.7][:reps]
    _, mean = sample_means(samples)
    matrix = TransferMatrix(rows=LABELS, cols=LABELS, values=mean, name="noisy", metric="AUC difference",
                            spread=Spread.from_samples(samples, [f"seed{k}" for k in range(reps)]))
    return matrix, samples



def by_kind(insights) -> dict:
    return {insight.kind: insight for insight in insights}


@pytest.mark.parametrize("sig, level", [(None, 95), (0.05, 90), (0.01, 99), (0.001, 95)],
                         ids=["default", "sig05-ci90", "sig01-ci99", "sig001"])
def test_significance_counts_are_the_summarys(sig, level):
    matrix, _ = noisy_matrix()
    query = "&".join(part for part in (f"ci={level}", f"sig={sig}" if sig else "") if part)
    view = view_from_query(DatasetsStub(noisy=matrix), query)
    found = by_kind(view_insights(view))["significance"]
    expected = summary(cell_stats(view.matrix, level), view.matrix, sig or 0.05)
    assert found.numbers["tested"] == expected["tested"] == 36
    assert found.numbers["significant"] == expected["significant"]
    assert found.numbers["alpha"] == (sig or 0.05) and found.numbers["correction"] == "bh"
    assert found.text.startswith(f"{expected['significant']} of 36 tested cells ")
    assert f"q < {sig or 0.05:g}" in found.text and "Benjamini-Hochberg" in found.text


def test_the_strong_cells_are_significant_and_named_first_by_q():
    matrix, samples = noisy_matrix()
    result = cell_stats(matrix, 95)
    found = significance(matrix, result, 0.05)
    # The three shifted cells stand out; their p-values are scipy's one-sample t-tests, BH-adjusted.
    p = np.array([stats.ttest_1samp(samples[i, j], 0.0).pvalue for i in range(6) for j in range(6)])
    q = stats.false_discovery_control(p, method="bh").reshape(6, 6)
    assert found.numbers["significant"] == int((q < 0.05).sum()) == 3
    assert set(found.cells) == set(STRONG)
    first = found.cells[0]
    i, j = LABELS.index(first[0]), LABELS.index(first[1])
    assert np.isclose(q[i, j], q.min(), rtol=1e-9)
    assert found.numbers["q"] == sorted(found.numbers["q"])


def test_large_effects_whose_interval_crosses_zero_are_named_with_their_interval():
    matrix, samples = noisy_matrix()
    found = by_kind(build_insights(matrix, stats=cell_stats(matrix, 95)))["uncertain_effects"]
    i, j = LABELS.index(NOISY[0]), LABELS.index(NOISY[1])
    x = samples[i, j]
    low, high = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert found.cells[0] == NOISY
    assert found.text.startswith(f"TriviaQA \u2192 Math +{fmt(x.mean())}, 95% CI [{fmt(low)}, {fmt(high)}]")
    assert found.text.endswith("not distinguishable from no transfer (the interval crosses the neutral value 0.00).")
    listed = summary(cell_stats(matrix, 95), matrix, 0.05)["large_not_significant"]
    assert found.numbers["count"] == len(listed) and [c for c in found.cells] == [(r, c) for r, c, *_ in listed[:3]]


def test_the_level_of_the_view_is_the_level_of_the_intervals_quoted():
    matrix, _ = noisy_matrix()
    at_99 = by_kind(view_insights(view_from_query(DatasetsStub(noisy=matrix), "ci=99")))["uncertain_effects"]
    assert "99% CI [" in at_99.text and at_99.numbers["level"] == 99


def test_every_large_effect_significant_leaves_out_the_uncertain_insight():
    matrix, _ = noisy_matrix()
    quiet = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=matrix.values,
                           spread=Spread.from_summary(np.full(matrix.shape, 0.001), np.full(matrix.shape, 5)))
    assert uncertain_effects(quiet, cell_stats(quiet, 95), 0.05) is None
    kinds = [insight.kind for insight in build_insights(quiet, stats=cell_stats(quiet, 95))]
    assert kinds[0] == "significance" and "uncertain_effects" not in kinds


def test_nothing_tested_gives_no_significance_insight():
    values = np.array([[0.1, 0.2], [0.3, 0.4]])
    single = TransferMatrix(rows="ab", cols="ab", values=values,
                            spread=Spread.from_summary(np.full((2, 2), np.nan), np.ones((2, 2))))
    insights = build_insights(single, stats=cell_stats(single, 95))
    assert not {"significance", "uncertain_effects"} & {insight.kind for insight in insights}


def test_the_other_insights_read_the_means_as_before():
    matrix, _ = noisy_matrix()
    means_only = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=matrix.values, name=matrix.name,
                                metric=matrix.metric)
    with_stats = [i.to_json() for i in build_insights(matrix, stats=cell_stats(matrix, 95))]
    assert with_stats[2:] == [i.to_json() for i in build_insights(means_only)]
    assert [i.to_json() for i in build_insights(matrix)] == [i.to_json() for i in build_insights(means_only)]
