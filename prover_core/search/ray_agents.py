"""Planner-prover agents as Ray actors sharing one subgoal-cache actor (the `distributed`
extra): focused parallelism across machines.

Invariants:
- An agent re-creates the subgoal from text (context, theorem head, the skeleton with the
  proofs so far, the sorry's index) in its own REPL pool, so it never needs another
  process's handle; it draws from the same (seed, stream) as a local agent would, so with
  a deterministic policy the answer is the local one.
- The first proof is written to the cluster's one cache actor and returned; the other
  agents' calls are cancelled. An agent's error (policy or REPL) reaches the caller.
- A cached proof is re-verified by replay on the agent's own state before it is reused.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ray

from prover_core.config import Config, PolicyConfig
from prover_core.errors import StateLost
from prover_core.lean.goal_at import split_imports
from prover_core.lean.pool import ReplPool
from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.search.best_first import BestFirstSearch
from prover_core.search.planner_prover import SubgoalJob
from prover_core.search.subgoal_cache import SubgoalCache, replay_proof

CACHE_NAME = "leanstep-subgoal-cache"


def connect(address: str) -> None:
    """`local` (or ""): start a local cluster; `auto` or HOST:PORT: join that cluster."""
    if ray.is_initialized():
        return
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {"env_vars": {"PYTHONPATH": path}}
    if address in ("", "local"):
        ray.init(include_dashboard=False, log_to_driver=False, runtime_env=env)
    else:
        ray.init(address=address, log_to_driver=False, runtime_env=env)


def configured_policy(config: PolicyConfig) -> TacticGenerator:
    """The policy `config` describes, batched: an agent's `make_policy` (via partial)."""
    from prover_core.policy.factory import batched, make_policy

    return batched(make_policy(config), config)


@ray.remote
class SubgoalCacheActor:
    """The shared subgoal cache: first proof written for a key wins."""

    def __init__(self) -> None:
        self.cache = SubgoalCache()

    def get(self, theorem: str, statement: str) -> tuple[str, ...] | None:
        return self.cache.get(theorem, statement)

    def put(self, theorem: str, statement: str, proof: list[str]) -> bool:
        return self.cache.put(theorem, statement, proof)

    def size(self) -> int:
        return len(self.cache)


def subgoal_cache() -> Any:
    """The cluster's one subgoal cache actor (created on first use)."""
    return SubgoalCacheActor.options(name=CACHE_NAME, get_if_exists=True).remote()  # type: ignore[attr-defined]


@ray.remote
class ProverAgent:
    """One prover agent with its own policy and REPL processes."""

    def __init__(self, config: Config, make_policy: Callable[[], TacticGenerator]) -> None:
        self._config = config
        self._policy = make_policy()
        self._pool: ReplPool | None = None
        self._cache = subgoal_cache()

    async def prove(self, job: SubgoalJob, sampling: Sampling, stream: Any) -> list[str] | None:
        if self._pool is None:
            self._pool = ReplPool(self._config.lean)
        cfg = self._config
        search_cfg = cfg.search.model_copy(update={"expansions": cfg.planner.subgoal_expansions})
        cached = await self._cache.get.remote(job.head, job.statement)
        imports, rest = split_imports(job.context)
        async with self._pool.lease(imports) as lease:
            env = lease.env
            if rest.strip():
                env = (await lease.repl.command(rest, env)).env
            skeleton = await lease.repl.command(f"{job.head} := by\n{job.block}", env)
            if skeleton.errors or len(skeleton.sorries) <= job.index:
                raise StateLost("the plan's skeleton does not elaborate in this agent")
            state = skeleton.sorries[job.index].state
            if cached is not None and await replay_proof(lease.repl, state, cached):
                return list(cached)
            search = BestFirstSearch(
                state, lease.group, self._policy, search_cfg, sampling, stream=stream
            )
            result = await search.run()
        if result.proof is None:
            return None
        await self._cache.put.remote(job.head, job.statement, list(result.proof))
        return list(result.proof)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        await self._policy.aclose()


class RayAgents:
    """`agents` prover agents on a Ray cluster; `PlannerProver(..., remote=RayAgents(...))`."""

    def __init__(
        self, config: Config, make_policy: Callable[[], TacticGenerator], address: str
    ) -> None:
        connect(address)
        self._actors = [
            ProverAgent.options(num_cpus=0).remote(config, make_policy)  # type: ignore[attr-defined]
            for _ in range(config.planner.agents)
        ]

    async def prove(
        self, job: SubgoalJob, samplings: Sequence[Sampling], streams: Sequence[object]
    ) -> tuple[str, ...] | None:
        """The first agent's proof (the others are cancelled), or None if none found one."""
        refs = [
            actor.prove.remote(job, sampling, stream)
            for actor, sampling, stream in zip(self._actors, samplings, streams, strict=True)
        ]

        async def answer(ref: Any) -> list[str] | None:
            proof: list[str] | None = await ref
            return proof

        try:
            for next_done in asyncio.as_completed([answer(r) for r in refs]):
                proof = await next_done
                if proof is not None:
                    return tuple(proof)
            return None
        finally:
            for ref in refs:
                ray.cancel(ref)

    async def aclose(self) -> None:
        await asyncio.gather(*(a.close.remote() for a in self._actors))
        for actor in self._actors:
            ray.kill(actor)
