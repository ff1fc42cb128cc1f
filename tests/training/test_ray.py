"""Searches on a local Ray cluster return exactly what local mode returns (same seed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prover_core.config import PolicyConfig, SearchConfig
from prover_core.lean.pool import ReplPool
from tests.support.standin import standin_config
from training.config import SearchStage
from training.problems import load_problems
from training.serving import load_policy

ray = pytest.importorskip("ray")
BUDGET = SearchStage(
    search=SearchConfig(width=3, expansions=6), max_tokens=12, temperature=1.3, concurrency=6
)


@pytest.mark.slow
def test_ray_chunk_equals_local_chunk(
    corpus: Path, sft_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.distributed import RayProver
    from training.generate import LocalProver, generate_proofs

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # Ray writes its auth token under HOME
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    problems = load_problems(corpus, "valid")[:6]
    engine = PolicyConfig(device="cpu", dtype="float32")
    lean = standin_config()

    async def local() -> list:
        pool = ReplPool(lean)
        policy = load_policy(sft_model, engine)
        try:
            prover = LocalProver(policy, pool, BUDGET)
            return await generate_proofs(prover, problems, BUDGET, 9, tmp_path / "local")
        finally:
            await pool.close()

    async def remote() -> list:
        prover = RayProver(sft_model, engine, BUDGET, lean, "local", workers=2)
        try:
            return await generate_proofs(prover, problems, BUDGET, 9, tmp_path / "ray")
        finally:
            prover.close()

    try:
        a = asyncio.run(local())
        b = asyncio.run(remote())
    finally:
        ray.shutdown()

    def key(rows: list) -> list:
        return [
            (x.problem, x.status, x.proof, x.path, x.expansions, x.tokens) for r in rows for x in r
        ]

    assert key(a) == key(b)
    assert sum(x.expansions for r in a for x in r) > len(problems)  # searches really ran
