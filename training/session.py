"""Wiring a checkpoint to searches: a chunk prover (local or Ray) and `prove_all`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from prover_core.config import LeanConfig, PolicyConfig
from prover_core.lean.pool import ReplPool
from training.config import SearchStage
from training.generate import Attempt, ChunkProver, LocalProver, generate_proofs
from training.problems import Problem
from training.serving import load_policy


@contextlib.asynccontextmanager
async def open_prover(
    model_dir: Path,
    policy: PolicyConfig,
    stage: SearchStage,
    lean: LeanConfig,
    *,
    ray_address: str | None = None,
    on_done: Callable[[], None] | None = None,
) -> AsyncIterator[ChunkProver]:
    """A chunk prover for `model_dir`: in this process, or on Ray when `ray_address` is set
    ("" for a local cluster)."""
    if ray_address is not None:
        from training.distributed import RayProver

        ray_prover = RayProver(model_dir, policy, stage, lean, ray_address, on_done=on_done)
        try:
            yield ray_prover
        finally:
            ray_prover.close()
        return
    generator = load_policy(model_dir, policy)
    pool = ReplPool(lean)
    try:
        yield LocalProver(generator, pool, stage, on_done)
    finally:
        await pool.close()
        await generator.aclose()


async def prove_all(
    model_dir: Path,
    policy: PolicyConfig,
    problems: Sequence[Problem],
    stage: SearchStage,
    lean: LeanConfig,
    seed: int,
    out_dir: Path,
    *,
    ray_address: str | None = None,
    desc: str = "search",
) -> list[list[Attempt]]:
    """Search every problem (resumable under `out_dir`), with a progress bar and ETA."""
    from tqdm import tqdm

    bar = tqdm(total=len(problems), desc=desc, unit="thm", leave=False)
    try:
        async with open_prover(
            model_dir, policy, stage, lean, ray_address=ray_address, on_done=lambda: bar.update()
        ) as prover:
            return await generate_proofs(
                prover, problems, stage, seed, out_dir, on_cached=bar.update
            )
    finally:
        bar.close()
