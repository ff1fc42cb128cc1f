"""The expert-iteration loop's decisions, with the model stages replaced by scripted fakes:
retraining as the method says, `data_window`, `models/best`. (The real stages run in
test_resume.py and in the demo.)"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from prover_core.config import SearchConfig
from training import expert_iteration as ei
from training.config import (
    FilterConfig,
    FinetuneConfig,
    LoopConfig,
    ProblemsConfig,
    SearchStage,
    TrainConfig,
)
from training.generate import Attempt, Step
from training.problems import Problem
from training.records import Record, read_records, write_records
from training.results import EvalSummary, FinetuneResult

TRAIN = ["a", "b", "c", "d", "e"]
# (search kind, round) -> {theorem: proof length}; "reprove" runs with the best model
PROOFS = {
    ("generate", 1): {"b": 3},
    ("generate", 2): {"c": 4},
    ("reprove", 3): {"a": 1, "b": 1, "d": 1},
    ("generate", 4): {"e": 1},
}
RATES = {"sft": 0.1, "r001": 0.2, "r002": 0.3, "r003-retrain": 0.25, "r004": 0.35}


def _tactic(theorem: str, kind: str, r: int, k: int) -> str:
    return f"{kind}{r}_{theorem}_{k}"


class World:
    """Scripted searches, fine-tunes and scores; records every call."""

    def __init__(self) -> None:
        self.searches: list[tuple[str, int, str, list[str]]] = []
        self.tunes: dict[str, dict[str, Any]] = {}

    async def prove_all(
        self, model_dir: Path, policy: Any, problems: Sequence[Problem], stage: Any, lean: Any,
        seed: int, out_dir: Path, *, ray_address: str | None = None, desc: str = "",
    ) -> list[list[Attempt]]:  # fmt: skip
        kind, r = desc.split(" r")[0], int(desc.split(" r")[1])
        self.searches.append((kind, r, model_dir.name, [p.name for p in problems]))
        found = PROOFS.get((kind, r), {})
        out = []
        for p in problems:
            n = found.get(p.name)
            if n is None:
                out.append([Attempt(problem=p.name, attempt=0, status="exhausted")])
                continue
            path = [Step(f"{p.name}.{k}", _tactic(p.name, kind, r, k), -1.0, 2) for k in range(n)]
            proof = [s.tactic for s in path]
            out.append(
                [Attempt(problem=p.name, attempt=0, status="proved", proof=proof, path=path)]
            )
        return out

    def finetune(
        self, start: Path, out: Path, pairs: Sequence[tuple[str, str]], config: Any, **kw: Any
    ) -> FinetuneResult:
        self.tunes[out.name] = {"start": start, "pairs": set(pairs), "fresh": kw["fresh_adapter"]}
        out.mkdir(parents=True)
        (out / "weights").write_text(out.name)
        return FinetuneResult(1, len(pairs), 0, 10, 1.0, 0.5, 0.01)


class Scorer:
    """Token log-probs that spread perplexities by a hash of the tactic; the SFT corpus's
    tactics are the best-learnt (perplexity 1, below every other), as under a real model
    fine-tuned on them."""

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return [
            [0.0 if t.startswith("seed_") else -(hashlib.sha256(t.encode()).digest()[0] + 1) / 64]
            for _, t in pairs
        ]

    async def aclose(self) -> None:
        return None


def _eval(self: ei.ExpertIteration, model: str) -> EvalSummary:
    rate = RATES[model]
    return EvalSummary(
        problems=10, proved=int(10 * rate), pass_rate=rate, budget="1 × 1 × 1", pass_at=1,
        errors=0, unverified=0, verified=False, search_s_total=0.0, search_s_mean=0.0,
        search_s_median=0.0, expansions=0, tactics_run=0, tokens=0, tokens_per_problem=0.0,
    )  # fmt: skip


def _setup(tmp: Path, window: str) -> TrainConfig:
    rows = [(n, "valid") for n in TRAIN] + [("t1", "test"), ("t2", "test")]
    corpus = tmp / "problems.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"name": n, "split": s, "formal_statement": f"theorem {n} : {n} := by"})
            + "\n"
            for n, s in rows
        )
    )
    seed = tmp / "seed.jsonl"
    write_records(
        seed,
        [Record("a", f"a.{k}", f"seed_a_{k}") for k in range(2)]
        + [Record("ext", f"ext.{k}", f"seed_ext_{k}") for k in range(3)],
    )
    base = tmp / "base"
    base.mkdir()
    (base / "weights").write_text("base")
    stage = SearchStage(search=SearchConfig(width=1, expansions=1))
    return TrainConfig(
        run_dir=tmp / "run",
        base_model=base,
        seed_data=(seed,),
        problems=ProblemsConfig(train=str(corpus)),
        sft=FinetuneConfig(),
        finetune=FinetuneConfig(),
        generate=stage,
        evaluate=stage,
        filter=FilterConfig(low_quantile=0.1, high_quantile=0.9),
        loop=LoopConfig(
            rounds=4,
            retrain_rounds=(3,),
            plateau_patience=5,
            data_window=window,  # type: ignore[arg-type]
            retrain_filter=FilterConfig(low_quantile=0.2, high_quantile=0.8),
        ),
    )


def _run(tmp: Path, monkeypatch: pytest.MonkeyPatch, window: str) -> tuple[World, TrainConfig]:
    world = World()
    monkeypatch.setattr(ei, "prove_all", world.prove_all)
    monkeypatch.setattr(ei, "finetune", world.finetune)
    monkeypatch.setattr(ei, "load_policy", lambda model_dir, policy: Scorer())
    monkeypatch.setattr(ei.ExpertIteration, "_eval", _eval)
    cfg = _setup(tmp, window)
    ei.train(cfg)
    return world, cfg


def _pairs(path: Path) -> set[tuple[str, str]]:
    return {(r.state, r.tactic) for r in read_records(path)}


def test_retraining_follows_the_method(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world, cfg = _run(tmp_path, monkeypatch, "cumulative")
    run = cfg.run_dir
    # every problem encountered so far, solved or not, re-searched with the best model
    reprove = [s for s in world.searches if s[0] == "reprove"]
    assert reprove == [("reprove", 3, "r002", TRAIN)]
    # the retrain set: the shortest proof per theorem plus the whole SFT corpus
    rset = _pairs(run / "rounds/r003/retrain-set.jsonl")
    shortest = {("a.0", "reprove3_a_0"), ("b.0", "reprove3_b_0"), ("d.0", "reprove3_d_0")}
    shortest |= {(f"c.{k}", f"generate2_c_{k}") for k in range(4)}
    corpus = _pairs(run / "data/seed.jsonl")
    assert len(corpus) == 5 and rset == shortest | corpus
    assert not any(t.startswith("generate1_b") for _, t in rset)  # a longer proof
    # ... its size and coverage logged
    steps = json.loads((run / "steps.json").read_text())
    logged = steps["r003-retrain/retrain-set"]
    assert (logged["records"], logged["covered"], logged["theorems"]) == (len(rset), 4, 5)
    assert logged["corpus_records"] == 5 and logged["proof_records"] == len(shortest)
    row = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()][3]
    assert row["kind"] == "retrain" and row["retrain_records"] == len(rset)
    assert row["retrain_coverage"] == pytest.approx(4 / 5)
    # ... the proofs filtered by the retraining band, trained from the base checkpoint on it
    kept = _pairs(run / "rounds/r003/retrain-set-kept.jsonl")
    flt = steps["r003-retrain/filter"]
    assert flt["dropped_low"] > 0 and flt["dropped_high"] > 0
    assert flt["dropped_low"] + flt["dropped_high"] + len(kept) == len(rset) == flt["harvested"]
    tune = world.tunes["r003-retrain"]
    assert tune["start"] == cfg.base_model and tune["fresh"] and tune["pairs"] == kept
    # ... and it replaces the accumulated data: round 4 learns from it and its own harvest
    r4 = world.tunes["r004"]["pairs"]
    own = _pairs(run / "rounds/r004/harvest-kept.jsonl")
    assert r4 == kept | own | corpus
    assert not r4 & (_pairs(run / "rounds/r001/harvest-kept.jsonl") - kept)


def test_cumulative_window_keeps_earlier_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, cfg = _run(tmp_path, monkeypatch, "cumulative")
    r1 = _pairs(cfg.run_dir / "rounds/r001/harvest-kept.jsonl")
    r2 = _pairs(cfg.run_dir / "rounds/r002/harvest-kept.jsonl")
    assert r1 and r2
    assert world.tunes["r002"]["pairs"] == r1 | r2 | _pairs(cfg.run_dir / "data/seed.jsonl")


def test_round_window_uses_this_round_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world, cfg = _run(tmp_path, monkeypatch, "round")
    r1 = _pairs(cfg.run_dir / "rounds/r001/harvest-kept.jsonl")
    r2 = _pairs(cfg.run_dir / "rounds/r002/harvest-kept.jsonl")
    assert r1 and r2
    assert world.tunes["r002"]["pairs"] == r2 | _pairs(cfg.run_dir / "data/seed.jsonl")
    assert world.tunes["r002"]["start"] == cfg.run_dir / "models/r001"


def test_models_best_follows_the_best_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cfg = _run(tmp_path, monkeypatch, "cumulative")
    best = cfg.run_dir / "models/best"
    assert best.is_symlink() and best.resolve() == (cfg.run_dir / "models/r004").resolve()
    assert (best / "weights").read_text() == "r004"
    rows = [json.loads(x) for x in (cfg.run_dir / "metrics.jsonl").read_text().splitlines()]
    # the retraining (0.25) did not beat r002 (0.30): best stayed r002 until r004
    assert [r["best"] for r in rows] == ["sft", "r001", "r002", "r002", "r004"]


def test_retraining_keeps_the_whole_sft_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (benchmark collapse to ~4%): the SFT corpus's tactics have the lowest
    perplexity under the best model, so a band over the whole retrain set cut them, and the
    from-base model never learnt the commonest tactics. The corpus passes unfiltered (as in
    every inner fine-tune); the band's quantiles are over the proofs' records alone."""
    world, cfg = _run(tmp_path, monkeypatch, "round")
    run = cfg.run_dir
    corpus = _pairs(run / "data/seed.jsonl")
    kept = _pairs(run / "rounds/r003/retrain-set-kept.jsonl")
    assert corpus <= kept and corpus <= world.tunes["r003-retrain"]["pairs"]
    flt = json.loads((run / "steps.json").read_text())["r003-retrain/filter"]
    assert flt["dropped_low"] > 0 and flt["low_cut"] > 1.0  # the cut lies above the corpus
    proofs = _pairs(run / "rounds/r003/retrain-set.jsonl") - corpus
    assert flt["dropped_low"] + flt["dropped_high"] + len(kept - corpus) == len(proofs)
