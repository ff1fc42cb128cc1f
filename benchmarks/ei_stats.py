"""Paired comparisons over seeds for the expert-iteration benchmark.

`paired_t` is the paired t-test: t = mean(d) / (sd(d) / sqrt(n)) over per-seed differences
d, with n - 1 degrees of freedom; the two-sided p-value is the regularised incomplete beta
I_{df/(df+t²)}(df/2, 1/2) (mpmath, installed with torch's sympy).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from mpmath import betainc  # type: ignore[import-untyped]


@dataclass(frozen=True)
class Paired:
    diffs: tuple[float, ...]
    mean: float
    sd: float
    t: float
    p: float  # two-sided; 1.0 when undefined (fewer than 2 seeds, or all differences 0)

    @property
    def n(self) -> int:
        return len(self.diffs)

    @property
    def se(self) -> float:
        """Standard error of the mean difference (0 for fewer than 2 seeds)."""
        return self.sd / math.sqrt(self.n) if self.n > 1 else 0.0

    def words(self, alpha: float = 0.05) -> str:
        """`higher`, `lower` or `no detectable difference` at level `alpha`."""
        if self.p >= alpha:
            return "no detectable difference"
        return "higher" if self.mean > 0 else "lower"


def t_two_sided_p(t: float, df: int) -> float:
    if df < 1:
        return 1.0
    if math.isinf(t):
        return 0.0
    x = df / (df + t * t)
    return float(betainc(df / 2, 0.5, 0, x, regularized=True))


def paired_t(a: Sequence[float], b: Sequence[float]) -> Paired:
    """a − b per seed (same seeds, same order)."""
    if len(a) != len(b):
        raise ValueError("paired samples differ in length")
    d = tuple(x - y for x, y in zip(a, b, strict=True))
    n = len(d)
    mean = statistics.fmean(d) if d else 0.0
    sd = statistics.stdev(d) if n > 1 else 0.0
    if n < 2 or (sd == 0.0 and mean == 0.0):
        return Paired(d, mean, sd, 0.0, 1.0)
    t = math.inf if sd == 0.0 else mean / (sd / math.sqrt(n))
    return Paired(d, mean, sd, t, t_two_sided_p(abs(t), n - 1))
