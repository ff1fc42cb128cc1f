"""Wiring a checkpoint to searches: the policy engine and a chunk prover (local or Ray)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prover_core.config import LeanConfig
from prover_core.lean.pool import ReplPool
from training.config import SearchBudget, TrainConfig
from training.generate import Attempt, ChunkProver, LocalProver, generate_proofs
from training.problems import Problem


@dataclass(frozen=True)
class Engine:
    """How a checkpoint is served to searches."""

    device: str = "auto"
    dtype: str = "auto"
    template: str = "{state}:::"
    max_batch: int = 256

    @classmethod
    def of(cls, cfg: TrainConfig) -> Engine:
        return cls(cfg.device, cfg.dtype, cfg.prompt_template, cfg.policy_max_batch)


def load_policy(model_dir: Path, engine: Engine) -> Any:
    """An `HfTacticGenerator` over a checkpoint (LoRA adapters merged)."""
    from prover_core.policy.hf import HfTacticGenerator
    from training.finetune import load_for_inference

    model, tokenizer = load_for_inference(model_dir, engine.device, engine.dtype)
    return HfTacticGenerator(
        model,
        tokenizer,
        device=engine.device,
        dtype=engine.dtype,
        prompt_template=engine.template,
        max_batch=engine.max_batch,
    )


@contextlib.asynccontextmanager
async def open_prover(
    model_dir: Path,
    engine: Engine,
    budget: SearchBudget,
    lean: LeanConfig,
    *,
    ray_address: str | None = None,
    on_done: Callable[[], None] | None = None,
) -> AsyncIterator[ChunkProver]:
    """A chunk prover for `model_dir`: in this process, or on Ray when `ray_address` is set
    ("" for a local cluster)."""
    if ray_address is not None:
        from training.distributed import RayProver

        ray_prover = RayProver(model_dir, engine, budget, lean, ray_address, on_done=on_done)
        try:
            yield ray_prover
        finally:
            ray_prover.close()
        return
    policy = load_policy(model_dir, engine)
    pool = ReplPool(lean)
    try:
        yield LocalProver(policy, pool, budget, on_done)
    finally:
        await pool.close()
        await policy.aclose()


async def prove_all(
    model_dir: Path,
    engine: Engine,
    problems: Sequence[Problem],
    budget: SearchBudget,
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
            model_dir, engine, budget, lean, ray_address=ray_address, on_done=lambda: bar.update()
        ) as prover:
            return await generate_proofs(
                prover, problems, budget, seed, out_dir, on_cached=bar.update
            )
    finally:
        bar.close()
