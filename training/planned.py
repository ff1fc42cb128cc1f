"""Evaluation with the planner (BFS-Prover-V2's inference-time scaling): each problem is
decomposed by the planner LLM and its steps are proved by focused prover agents sharing one
subgoal cache (`prover_core.search.planner_prover`). Same `ChunkProver` interface as plain
best-first search, so reports and resumption are shared."""

from __future__ import annotations

import asyncio
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prover_core.config import Config
from prover_core.lean.pool import ReplPool
from prover_core.policy.protocol import TacticGenerator
from prover_core.search.planner import PlannerClient
from prover_core.search.planner_prover import PlannerProver, RemoteAgents
from prover_core.search.subgoal_cache import SubgoalCache
from training.generate import Attempt
from training.problems import Problem


@dataclass
class PlannerChunkProver:
    policy: TacticGenerator  # shared by every agent of every problem (batched)
    pool: ReplPool
    planner: PlannerClient
    config: Config  # planner, search and policy sections
    on_done: Callable[[], None] | None = None
    remote: RemoteAgents | None = None  # prover agents elsewhere (Ray)

    async def search_chunk(
        self, items: Sequence[tuple[int, Problem]], attempt: int, seed: int
    ) -> list[Attempt]:
        cache = SubgoalCache()
        return list(await asyncio.gather(*(self._one(p, attempt, cache, seed) for _, p in items)))

    async def _one(self, problem: Problem, attempt: int, cache: SubgoalCache, seed: int) -> Attempt:
        t0 = time.perf_counter()
        try:
            async with self.pool.lease(problem.header) as lease:
                pp = PlannerProver(
                    self.planner, self.policy, self.config, cache, seed=seed, remote=self.remote
                )
                result = await pp.prove(
                    lease.repl, lease.env, problem.head, context=problem.header, group=lease.group
                )
        finally:
            if self.on_done is not None:
                self.on_done()
        wall = time.perf_counter() - t0
        if result.proof_block is None:
            return Attempt(
                problem=problem.name,
                attempt=attempt,
                status="failed",
                wall_s=wall,
                detail=result.message,
            )
        # the block's lines, relative indentation kept: `by` + two spaces re-nests them
        lines = textwrap.dedent(result.proof_block).splitlines()
        detail = f"{len(result.steps)} steps, {result.replans} replans"
        return Attempt(
            problem=problem.name,
            attempt=attempt,
            status="proved",
            proof=lines,
            wall_s=wall,
            detail=detail,
        )
