"""Perplexity band filter: quantiles on known distributions, cut lines, histogram."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from training.config import FilterConfig
from training.filter import band_filter, perplexity, plot_histogram, quantile
from training.records import Record


def _records(ppls: list[float]) -> list[Record]:
    return [Record("t", f"s{i}", "tac", ppl=p) for i, p in enumerate(ppls)]


@pytest.mark.parametrize("q", [0.0, 0.1, 0.25, 0.5, 0.9, 1.0])
def test_quantile_matches_numpy_linear(q: float) -> None:
    np = pytest.importorskip("numpy")
    rng = random.Random(1)
    xs = [rng.lognormvariate(0, 1) for _ in range(501)]
    assert quantile(xs, q) == pytest.approx(float(np.quantile(xs, q)))


def test_uniform_band_keeps_the_middle() -> None:
    ppls = [float(i) for i in range(1, 101)]  # quantile(q) = 1 + 99 q
    result = band_filter(_records(ppls), FilterConfig(low_quantile=0.2, high_quantile=0.9))
    assert result.low_cut == pytest.approx(20.8)
    assert result.high_cut == pytest.approx(90.1)
    kept = sorted(r.ppl for r in result.kept if r.ppl is not None)
    assert kept == [float(i) for i in range(21, 91)]
    assert (result.dropped_low, result.dropped_high) == (20, 10)


def test_band_depends_on_values_not_order() -> None:
    rng = random.Random(3)
    ppls = [rng.expovariate(0.5) + 1 for _ in range(200)]
    shuffled = ppls[:]
    rng.shuffle(shuffled)
    cfg = FilterConfig(low_quantile=0.15, high_quantile=0.85)
    a, b = band_filter(_records(ppls), cfg), band_filter(_records(shuffled), cfg)
    assert (a.low_cut, a.high_cut) == (b.low_cut, b.high_cut)
    assert sorted(r.ppl or 0 for r in a.kept) == sorted(r.ppl or 0 for r in b.kept)
    assert len(a.kept) == pytest.approx(0.7 * 200, abs=2)


def test_disabled_filter_keeps_everything() -> None:
    records = _records([1.0, 50.0, 1000.0])
    result = band_filter(records, FilterConfig(enabled=False))
    assert result.kept == records and result.low_cut is None


def test_unscored_records_are_an_error() -> None:
    with pytest.raises(ValueError):
        band_filter([Record("t", "s", "x")], FilterConfig())


def test_perplexity_is_exp_of_negative_mean_logprob() -> None:
    assert perplexity([math.log(0.5), math.log(0.5)]) == pytest.approx(2.0)
    assert perplexity([0.0]) == 1.0


def test_quantiles_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        FilterConfig(low_quantile=0.9, high_quantile=0.1)


def test_histogram_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    ppls = [1.0 + i / 10 for i in range(100)]
    result = band_filter(_records(ppls), FilterConfig())
    out = tmp_path / "hist.png"
    plot_histogram(ppls, result, out, "test")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
