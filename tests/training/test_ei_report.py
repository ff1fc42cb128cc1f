"""The expert-iteration report's sweep: onset of an effect, and words computed from numbers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
pytest.importorskip("mpmath")

from ei_report import effects, onset, render
from ei_stats import paired_t

SEEDS = [0, 1, 2, 3, 4]
NOISE = [0.01, -0.02, 0.0, 0.02, -0.01]


def _history(sft: float, final: float, retrain: bool) -> list[dict[str, Any]]:
    def row(r: int, kind: str, rate: float) -> dict[str, Any]:
        extra = {"retrain_records": 50, "retrain_coverage": 0.5} if kind == "retrain" else {}
        return {"round": r, "kind": kind, "pass_rate": rate, "eval_problems": 25,
                "pool_proved": 3, "harvested": 10, "kept": 8, **extra}  # fmt: skip

    mid = "retrain" if retrain else "inner"
    return [row(0, "sft", sft), row(1, "inner", sft), row(2, mid, sft), row(3, "inner", final)]


def _results(filter_gain: dict[int, float]) -> dict[str, Any]:
    """Full beats SFT by 10 pp everywhere; filtering adds `filter_gain[size]`; retraining
    adds nothing; per-seed noise keeps the differences from being constant."""
    sizes = {}
    for t, gain in filter_gain.items():
        runs: dict[str, dict[str, Any]] = {"full": {}, "no-filter": {}, "no-retrain": {}}
        for s, e in zip(SEEDS, NOISE, strict=True):
            sft = 0.2 + e
            for v, final in (("full", sft + 0.1 + gain + e), ("no-filter", sft + 0.1),
                             ("no-retrain", sft + 0.1 + gain + e / 2)):  # fmt: skip
                hist = _history(sft, final, retrain=v != "no-retrain")
                runs[v][str(s)] = {"history": hist, "run_s": 1.0}
        sizes[str(t)] = {"settings": {"theorems": t, "rounds": 3, "retrain_round": 2},
                         "prepare_s": {}, "runs": runs}  # fmt: skip
    band = {"enabled": True, "low_quantile": 0.1, "high_quantile": 0.95}
    return {"command": "python benchmarks/expert_iteration.py", "seeds": SEEDS,
            "code": {"commit": "abc", "source_sha256": "0"}, "wall_s": 60.0,
            "machine": {"cpus": 2, "jobs": 2}, "eval_budget": "1 × 4 × 32",
            "filter": band, "retrain_filter": band, "sizes": sizes}  # fmt: skip


def test_onset_is_the_first_size_of_an_unbroken_run_of_significant_gains() -> None:
    up = paired_t([0.3, 0.4, 0.5, 0.35, 0.45], [0.1] * 5)
    flat = paired_t([0.1, 0.2, 0.0, 0.15, 0.05], [0.1] * 5)
    assert onset([100, 200, 400, 800], [flat, up, flat, up]) == 800
    assert onset([100, 200, 400], [up, flat, up]) == 400
    assert onset([100, 200, 400], [flat, up, up]) == 200
    assert onset([100, 200], [up, flat]) is None


def test_report_names_the_size_where_filtering_starts_to_help() -> None:
    res = _results({100: 0.0, 200: 0.0, 400: 0.08})
    eff = effects(res)
    assert [round(r.mean, 3) for r in eff["filtering (full − no-filter)"]] == [0.0, 0.0, 0.08]
    text = render(res)
    assert "Filtering (full − no-filter) helps from 400 theorems per seed on" in text
    assert "Expert iteration (full − SFT) helps from 100 theorems per seed on" in text
    assert "Retraining (full − no-retrain) helps at no size measured (100–400" in text
    assert "## 400 theorems per seed, round by round" in text


def test_report_says_when_the_sweep_does_not_reach_the_onset() -> None:
    text = render(_results({100: 0.08, 200: 0.0}))
    assert "Filtering (full − no-filter) helps at 100 theorems but not at the largest" in text
    assert "helps from" not in text.split("Filtering")[1].split("\n")[0]
