"""Proof generation and evaluation on Ray (the `distributed` extra).

Actors:
- `PolicyActor`: the policy engine (one model copy, on a GPU when the cluster has one). It
  hosts the chunk's `Lockstep`, so waves are formed exactly as in local mode: every worker's
  searches of a chunk are participants of one wave barrier, ordered by problem index.
- `ProverWorker`: searches with its own `ReplPool`; its searches ask the policy actor for
  tactics through `RemoteMember`.
- `SubgoalCacheActor` (from `prover_core.search.ray_agents`, where the planner-prover's
  agents use it): the shared subgoal cache as a named actor (`leanstep-subgoal-cache`), so
  agents on any node see one cache.

Invariant: for a fixed seed, `RayProver.search_chunk` returns what `LocalProver` returns
(same waves, same seeds, results reordered into problem order).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ray

from prover_core.config import LeanConfig, PolicyConfig
from prover_core.lean.pool import ReplPool
from prover_core.policy.protocol import Sampling
from prover_core.search.ray_agents import CACHE_NAME, SubgoalCacheActor, connect, subgoal_cache
from prover_core.types import TacticCandidate
from training.config import SearchStage
from training.generate import Attempt, prove_one
from training.lockstep import Lockstep
from training.problems import Problem
from training.serving import load_policy

__all__ = ["CACHE_NAME", "RayProver", "SubgoalCacheActor", "connect", "subgoal_cache"]


@ray.remote
class PolicyActor:
    def __init__(self, model_dir: str, policy: PolicyConfig) -> None:
        self.policy = load_policy(Path(model_dir), policy)
        self.chunks: dict[int, Lockstep] = {}

    def begin(self, chunk: int, pids: list[int], sampling: Sampling, seed: int) -> None:
        self.chunks[chunk] = Lockstep(self.policy, sampling, seed, pids)

    async def generate(
        self, chunk: int, pid: int, states: list[str], n: int
    ) -> list[list[TacticCandidate]]:
        return await self.chunks[chunk].generate(pid, states, n)

    async def done(self, chunk: int, pid: int) -> None:
        await self.chunks[chunk].done(pid)

    def end(self, chunk: int) -> None:
        self.chunks.pop(chunk, None)

    async def score(self, pairs: list[tuple[str, str]]) -> list[list[float]]:
        result: list[list[float]] = await self.policy.score(pairs)
        return result


class RemoteMember:
    """A lockstep participant whose wave barrier lives in the policy actor."""

    def __init__(self, policy: Any, chunk: int, pid: int) -> None:
        self._policy = policy
        self._chunk = chunk
        self.pid = pid
        self.tokens = 0

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        out: list[list[TacticCandidate]] = await self._policy.generate.remote(
            self._chunk, self.pid, list(states), n
        )
        self.tokens += sum(c.n_tokens for row in out for c in row)
        return out

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        result: list[list[float]] = await self._policy.score.remote(list(pairs))
        return result

    async def aclose(self) -> None:
        await self._policy.done.remote(self._chunk, self.pid)


@ray.remote
class ProverWorker:
    def __init__(self, lean: LeanConfig, budget: SearchStage) -> None:
        self.lean = lean
        self.budget = budget
        self.pool: ReplPool | None = None

    async def search(
        self, policy: Any, chunk: int, items: list[tuple[int, Problem]], attempt: int
    ) -> list[dict[str, Any]]:
        if self.pool is None:
            self.pool = ReplPool(self.lean)
        results = await asyncio.gather(
            *(
                prove_one(p, attempt, RemoteMember(policy, chunk, pid), self.pool, self.budget)
                for pid, p in items
            )
        )
        return [r.to_json() for r in results]

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()


class RayProver:
    """A `ChunkProver` whose searches run on Ray workers."""

    def __init__(
        self,
        model_dir: Path,
        policy: PolicyConfig,
        budget: SearchStage,
        lean: LeanConfig,
        address: str,
        *,
        workers: int = 2,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        connect(address)
        gpus = 1 if policy.device.startswith("cuda") or _cluster_has_gpu() else 0
        self.budget = budget
        self.on_done = on_done
        self.policy = PolicyActor.options(num_gpus=gpus, num_cpus=0).remote(str(model_dir), policy)  # type: ignore[attr-defined]
        self.workers = [
            ProverWorker.options(num_cpus=0).remote(lean, budget)  # type: ignore[attr-defined]
            for _ in range(workers)
        ]
        self.cache = subgoal_cache()
        self._chunks = 0

    async def search_chunk(
        self, items: Sequence[tuple[int, Problem]], attempt: int, seed: int
    ) -> list[Attempt]:
        chunk = self._chunks
        self._chunks += 1
        sampling = self.budget.sampling()
        await self.policy.begin.remote(chunk, [pid for pid, _ in items], sampling, seed)
        shards = [list(items[i :: len(self.workers)]) for i in range(len(self.workers))]
        parts = await asyncio.gather(
            *(
                w.search.remote(self.policy, chunk, shard, attempt)
                for w, shard in zip(self.workers, shards, strict=True)
                if shard
            )
        )
        await self.policy.end.remote(chunk)
        by_name = {d["problem"]: Attempt.from_json(d) for part in parts for d in part}
        if self.on_done is not None:
            for _ in items:
                self.on_done()
        return [by_name[p.name] for _, p in items]

    def close(self) -> None:
        ray.get([w.close.remote() for w in self.workers])
        for actor in (*self.workers, self.policy):
            ray.kill(actor)


def _cluster_has_gpu() -> bool:
    resources: dict[str, float] = ray.cluster_resources()
    return float(resources.get("GPU", 0)) > 0
