"""Shared fixtures: a small propositional corpus, its seed records, a tiny base model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prover_core.propositional.generator import write_corpus
from tests.support.standin import standin_config
from training.extract import corpus_records
from training.problems import load_problems
from training.records import read_jsonl, write_records

pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    write_corpus(48, 7, path, levels=(1, 2, 3), test_fraction=0.25)
    return path


@pytest.fixture(scope="session")
def seed_file(corpus: Path) -> Path:
    easy = [p for p in load_problems(corpus, "valid") if (p.difficulty or 0) <= 1]
    path = corpus.parent / "seed.jsonl"
    write_records(path, asyncio.run(corpus_records(easy, standin_config())))
    return path


@pytest.fixture(scope="session")
def tiny_model(corpus: Path, seed_file: Path) -> Path:
    from prover_core.policy.tiny import build_tiny_policy

    texts = [r["goal"] for r in read_jsonl(corpus)] + [r["tactic"] for r in read_jsonl(seed_file)]
    return build_tiny_policy(
        texts,
        corpus.parent / "base",
        vocab_size=300,
        hidden=64,
        layers=2,
        heads=2,
        kv_heads=1,
        intermediate=128,
    )


@pytest.fixture(scope="session")
def sft_model(tiny_model: Path, seed_file: Path) -> Path:
    """The tiny model after a short SFT: its tactics often elaborate, so searches branch."""
    from training.config import FinetuneConfig
    from training.finetune import finetune
    from training.records import read_records

    pairs = [(r.state, r.tactic) for r in read_records(seed_file)]
    out = tiny_model.parent / "sft"
    cfg = FinetuneConfig(lr=5e-3, epochs=1, min_steps=200, batch_size=16)
    finetune(tiny_model, out, pairs, cfg, seed=0, device="cpu")
    return out
