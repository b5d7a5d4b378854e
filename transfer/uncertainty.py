"""Statistics of a displayed matrix with replicates: intervals, tests and false discovery control.

Per displayed cell whose spread is defined (`transfer.replicates.Spread`; two or more
replicates): the t-interval of its value at level `ci` (90, 95 or 99 percent), and a two-sided
t-test of the value against the displayed neutral value: one-sample for a matrix's own
replicates, paired or Welch for a difference (a comparison, `norm=diag`). q-values are
Benjamini-Hochberg adjusted over every cell of the displayed matrix that has a p-value. A cell
whose replicates are all equal has a zero-width interval and no p-value. All from SciPy.

Significance is summarised per cell as a code (`SIG_LEVELS`): how many of the levels its q-value
is below, so the browser can mark cells (`*` q < 0.05, `**` < 0.01, `***` < 0.001) and apply the
"significant only" threshold (`sig`) without the q-values themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .matrix import TransferMatrix, values_to_json
from .replicates import TEST_NAMES, TTest

CI_LEVELS = (90, 95, 99)
SIG_LEVELS = (0.1, 0.05, 0.01, 0.001)  # the `sig` choices; code k means q < SIG_LEVELS[k - 1]
MARK_LEVELS = (0.05, 0.01, 0.001)  # one, two, three stars
UNREACHABLE_T = 10.0  # a |t| beyond this is out of reach of real replicates: say so plainly


@dataclass(frozen=True, eq=False)
class CellStats:
    """The statistics of each displayed cell (NaN where undefined), in the matrix's order."""

    level: int
    n: np.ndarray
    std: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p: np.ndarray
    q: np.ndarray
    tests: tuple[TTest, ...]  # the tests used, in TTest order
    df: np.ndarray

    @property
    def tested(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.p)))

    @property
    def test_name(self) -> str:
        names = [TEST_NAMES[t] for t in self.tests]
        if not names:
            return "none"
        if names == ["paired t", "Welch t"]:
            return "paired t where the replicate ids match, Welch t elsewhere"
        return " and ".join(names)

    def codes(self) -> np.ndarray:
        """Per cell, how many of SIG_LEVELS its q-value is below (0 without a q-value)."""
        q = np.where(np.isnan(self.q), np.inf, self.q)
        return sum((q < level).astype(np.uint8) for level in SIG_LEVELS).astype(np.uint8)

    def significant(self, alpha: float) -> np.ndarray:
        return np.where(np.isnan(self.q), False, self.q < alpha)

    def half_width(self) -> np.ndarray:
        return (self.ci_high - self.ci_low) / 2

    def to_json(self) -> dict:
        """/api/view's `uncertainty` (without the marks and palette, which the view adds)."""
        return {
            "level": self.level,
            "test": self.test_name,
            "correction": "bh",
            "tested": self.tested,
            **{name: values_to_json(getattr(self, name))
               for name in ("n", "std", "ci_low", "ci_high", "p", "q")},
        }


def marks(codes: np.ndarray) -> np.ndarray:
    """'*', '**', '***' or '' per cell from its significance code."""
    first = SIG_LEVELS.index(MARK_LEVELS[0]) + 1
    stars = np.array(["", "*", "**", "***"])
    return stars[np.clip(codes.astype(int) - first + 1, 0, 3)]


def cell_stats(matrix: TransferMatrix, level: int = 95) -> CellStats | None:
    """The statistics of the displayed matrix at `level` percent; None without replicates.
    Memoised on the matrix (immutable; every request of a view asks again), one level at a time:
    the byte-bounded caches that hold matrices count one set of statistics (`lru.matrix_bytes`)."""
    if matrix.spread is None:
        return None
    memo = matrix.__dict__.get("_cell_stats")
    if memo is None or memo.level != level:
        memo = _compute(matrix, level)
        object.__setattr__(matrix, "_cell_stats", memo)
    return memo


def _compute(matrix: TransferMatrix, level: int) -> CellStats:
    spread = matrix.spread
    value = matrix.values
    present = ~np.isnan(value)
    se, df = spread.se, spread.df
    defined = present & ~np.isnan(se) & (se > 0) & ~np.isnan(df) & (df > 0)
    flat = present & (se == 0)  # every replicate equal: the value is exact, no test
    ci_low, ci_high, p = (np.full(value.shape, np.nan) for _ in range(3))
    if defined.any():
        v, s, d = value[defined], se[defined], df[defined]
        # Few distinct degrees of freedom (n - 1) in most matrices: one quantile each.
        unique, inverse = np.unique(d, return_inverse=True)
        critical = stats.t.ppf(0.5 + level / 200, unique)[inverse]
        ci_low[defined], ci_high[defined] = v - critical * s, v + critical * s
        if matrix.scale_kind == "diverging":  # a matrix without a neutral value has nothing to test against
            p[defined] = 2 * stats.t.sf(np.abs(v - matrix.neutral) / s, d)
    ci_low[flat], ci_high[flat] = value[flat], value[flat]
    q = np.full(value.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    n = np.where(present, spread.n, np.nan)
    used = tuple(t for t in (TTest.ONE_SAMPLE, TTest.PAIRED, TTest.WELCH) if np.any(spread.test[tested] == t))
    return CellStats(
        level=level, n=n, std=np.where(present, spread.std, np.nan), se=np.where(present, se, np.nan),
        ci_low=ci_low, ci_high=ci_high, p=p, q=q, tests=used, df=np.where(defined, df, np.nan),
    )


def reach_notice(result: CellStats, alpha: float = 0.05, neutral: bool = True) -> str | None:
    """Plain words when no cell is significant after correction, with what it would take.
    `neutral`: whether the matrix has a neutral value to test against (not a sequential scale)."""
    m = result.tested
    if m == 0 and not neutral:
        return ("No cell is tested: this matrix has no neutral value to test against (declare one in the "
                "upload card's neutral value box). Intervals are shown.")
    if m == 0:
        return ("No cell has an interval: each needs at least two replicates that differ, and a test needs the "
                "neutral value's units (not z-scores).")
    if result.significant(alpha).any():
        return None
    typical_df = float(np.median(result.df[~np.isnan(result.df)]))
    needed = float(stats.t.isf(alpha / (2 * m), typical_df))
    replicates = int(round(typical_df + 1))
    text = (f"No cell is significant after correcting for {m} tests (q < {alpha:g}). With about {replicates} "
            f"replicates per cell, the most significant cell would need |t| >= {needed:.3g} (a value "
            f"{needed:.3g} standard errors from the neutral value)")
    if needed > UNREACHABLE_T:
        text += (", which replicates this few almost never reach. More replicates per cell, or fewer cells "
                 "tested (a comparison of fewer tasks), would make significance reachable.")
    else:
        text += "."
    return text


def summary(result: CellStats, matrix: TransferMatrix, alpha: float = 0.05, limit: int = 5) -> dict:
    """Counts for the insights: cells tested and significant, and up to `limit` of the large
    effects that are not (their interval crosses the neutral value), largest first."""
    significant = result.significant(alpha)
    crosses = (result.ci_low <= matrix.neutral) & (result.ci_high >= matrix.neutral) & ~np.isnan(result.p)
    effect = np.abs(matrix.values - matrix.neutral)
    finite = effect[~np.isnan(effect)]
    large = effect >= (np.percentile(finite, 90) if finite.size else math.inf)
    candidates = np.flatnonzero(crosses & large)
    total = int(candidates.size)
    if candidates.size > limit:
        candidates = candidates[np.argpartition(-effect.flat[candidates], limit)[:limit]]
    candidates = candidates[np.argsort(-effect.flat[candidates], kind="stable")]
    n_cols = matrix.shape[1]
    return {
        "tested": result.tested,
        "significant": int(np.count_nonzero(significant)),
        "alpha": alpha,
        "large_not_significant_total": total,
        "large_not_significant": [
            (matrix.rows[k // n_cols], matrix.cols[k % n_cols], float(matrix.values.flat[k]),
             float(result.ci_low.flat[k]), float(result.ci_high.flat[k])) for k in candidates.tolist()
        ],
    }
