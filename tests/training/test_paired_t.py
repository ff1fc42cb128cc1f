"""The benchmark's paired t-test against textbook values."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
pytest.importorskip("mpmath")

from ei_stats import paired_t, t_two_sided_p


@pytest.mark.parametrize(
    ("t", "df", "p"),
    [(2.776445, 4, 0.05), (2.262157, 9, 0.05), (4.604095, 4, 0.01), (1.0, 1, 0.5), (0.0, 7, 1.0)],
)
def test_t_distribution_tail(t: float, df: int, p: float) -> None:
    assert t_two_sided_p(t, df) == pytest.approx(p, abs=1e-5)


def test_paired_test_on_known_data() -> None:
    # differences 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5) / sqrt(5)) = 4.2426
    r = paired_t([2, 4, 6, 8, 10], [1, 2, 3, 4, 5])
    assert r.mean == 3 and r.t == pytest.approx(4.242641) and r.n == 5
    assert r.p == pytest.approx(0.013236, abs=1e-5) and r.words() == "higher"
    assert paired_t([1, 2, 3], [1, 2, 3]).p == 1.0
    assert paired_t([0.1, 0.3], [0.2, 0.1]).words() == "no detectable difference"
