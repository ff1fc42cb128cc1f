"""`leanstep demo`: the whole recipe on the propositional stand-in, on a CPU, offline.

The set-up is built so that expert iteration has something to conquer: stage 0 learns from
the reference proofs of the *easy* training theorems only (difficulty ≤ `seed_max_level`);
the harder training theorems form the unsolved pool, proved (or not) by search alone; the
held-out split has the corpus's full difficulty mix. The model is a small random-initialised
Qwen2 with a byte-level BPE tokenizer trained on the training side of the corpus.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path

from prover_core.config import STANDIN_COMMAND, LeanConfig, PolicyConfig, SearchConfig
from training.config import (
    FilterConfig,
    FinetuneConfig,
    LoopConfig,
    ProblemsConfig,
    SearchStage,
    TrainConfig,
)
from training.records import read_jsonl, read_records, write_records
from training.results import RoundRow

STANDIN = LeanConfig(
    repl_command=STANDIN_COMMAND,
    memory_limit_mb=None,
    timeout_s=60.0,
    header_timeout_s=60.0,
    pool_size=2,
    processes_per_header=2,
)


_SEARCH = SearchConfig(width=4, expansions=32, wall_time_s=3600.0)


@dataclass(frozen=True)
class DemoSettings:
    theorems: int
    levels: tuple[int, ...]
    test_fraction: float
    seed_max_level: int
    hidden: int
    layers: int
    vocab: int
    sft: FinetuneConfig
    finetune: FinetuneConfig
    generate: SearchStage
    evaluate: SearchStage
    loop: LoopConfig
    filter: FilterConfig = field(
        default_factory=lambda: FilterConfig(low_quantile=0.1, high_quantile=0.95)
    )


QUICK = DemoSettings(
    theorems=600,
    levels=(1, 2, 3, 4),
    test_fraction=0.25,
    seed_max_level=2,
    hidden=128,
    layers=2,
    vocab=384,
    sft=FinetuneConfig(lr=3e-3, epochs=10, batch_size=32, warmup_frac=0.05),
    finetune=FinetuneConfig(lr=1e-3, epochs=6, batch_size=32, warmup_frac=0.05),
    generate=SearchStage(temperature=1.3, max_tokens=40, concurrency=128, search=_SEARCH),
    evaluate=SearchStage(temperature=1.3, max_tokens=40, concurrency=128, search=_SEARCH),
    loop=LoopConfig(
        rounds=4,
        plateau_patience=2,
        max_retrains=1,
        retrain_rounds=(3,),
        retrain_filter=FilterConfig(low_quantile=0.15, high_quantile=0.9),
    ),
)
DEFAULT = replace(
    QUICK,
    theorems=1500,
    generate=QUICK.generate.model_copy(
        update={"search": _SEARCH.model_copy(update={"expansions": 64})}
    ),
    loop=QUICK.loop.model_copy(update={"rounds": 6, "retrain_rounds": (5,)}),
)


def prepare(workdir: Path, seed: int, settings: DemoSettings) -> TrainConfig:
    """Corpus, seed data and base model under `workdir` (reused when present); the config."""
    from prover_core.policy.tiny import build_tiny_policy
    from prover_core.propositional.generator import write_corpus
    from training.extract import corpus_records
    from training.problems import load_problems

    corpus = workdir / "corpus.jsonl"
    if not corpus.exists():
        tmp = workdir / ".corpus.jsonl.tmp"
        write_corpus(
            settings.theorems, seed, tmp, settings.levels, test_fraction=settings.test_fraction
        )
        tmp.replace(corpus)
    seed_file = workdir / "seed.jsonl"
    if not seed_file.exists():
        easy = [
            p
            for p in load_problems(corpus, "valid")
            if (p.difficulty or 0) <= settings.seed_max_level
        ]
        write_records(seed_file, asyncio.run(corpus_records(easy, STANDIN)))
    base = workdir / "base"
    if not (base / "config.json").exists():
        texts = [r["goal"] for r in read_jsonl(corpus) if r["split"] == "valid"]
        texts += [r.tactic for r in read_records(seed_file)]
        build_tiny_policy(
            texts,
            base,
            vocab_size=settings.vocab,
            hidden=settings.hidden,
            layers=settings.layers,
            heads=4,
            kv_heads=2,
            intermediate=2 * settings.hidden,
            seed=seed,
        )
    return TrainConfig(
        run_dir=workdir / "run",
        base_model=base,
        seed=seed,
        seed_data=(seed_file,),
        problems=ProblemsConfig(train=str(corpus), train_split="valid", eval_split="test"),
        policy=PolicyConfig(device="cpu", dtype="float32", max_batch=256),
        sft=settings.sft,
        finetune=settings.finetune,
        generate=settings.generate,
        evaluate=settings.evaluate,
        filter=settings.filter,
        loop=settings.loop,
        lean=STANDIN,
    )


def example_proof(cfg: TrainConfig, history: list[RoundRow]) -> str:
    """A held-out theorem the final model proved that the SFT model did not (else any)."""
    from training.problems import load_problems

    final = history[-1].model
    first = {r["name"]: r for r in read_jsonl(cfg.run_dir / "eval" / "sft" / "results.jsonl")}
    rows = list(read_jsonl(cfg.run_dir / "eval" / final / "results.jsonl"))
    proved = [r for r in rows if r["proved"]]
    if not proved:
        return "(no held-out theorem proved)"
    fresh = [r for r in proved if not first[r["name"]]["proved"]]
    pick = max(fresh or proved, key=lambda r: (r["difficulty"] or 0, len(r["proof"])))
    problem = next(p for p in load_problems(cfg.problems.train) if p.name == pick["name"])
    tag = "not proved by the SFT model" if fresh else "also proved by the SFT model"
    body = "\n".join(f"  {t}" for t in pick["proof"])
    return (
        f"-- held-out (never trained on), difficulty {pick['difficulty']}, {tag}; "
        f"found by {final}\n{problem.head} := by\n{body}"
    )
