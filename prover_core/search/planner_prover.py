"""Planner-enhanced multi-agent search (ALGORITHMS.md, "Planner-prover").

Invariants: a plan is used only if its skeleton (unproven steps as `sorry`) elaborates with no
error; all agents work on the current subgoal, the first proof is written to the shared cache
and the other agents are cancelled at once; proven steps are kept verbatim across replans;
the final proof is the skeleton with every step proven, verified as a whole by the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from prover_core.config import Config
from prover_core.lean.repl import LeanRejected, LeanRepl
from prover_core.lean.screen import screen
from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.search.best_first import BestFirstSearch
from prover_core.search.planner import Plan, PlannerClient, parse_plan
from prover_core.search.subgoal_cache import SubgoalCache, replay_proof
from prover_core.types import Env, Sorry


@dataclass
class StepReport:
    name: str
    statement: str
    proof: tuple[str, ...] | None = None
    source: str = ""  # "search", "cache" or "" when unproven


@dataclass
class PlannerProverResult:
    plan: Plan | None
    proof_block: str | None  # the tactic block after `:= by`, when every step is proven
    steps: list[StepReport] = field(default_factory=list)
    replans: int = 0
    plans_rejected: int = 0
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "proof_block": self.proof_block,
            "skeleton": self.plan.skeleton() if self.plan else None,
            "steps": [s.__dict__ for s in self.steps],
            "replans": self.replans,
            "plans_rejected": self.plans_rejected,
            "message": self.message,
        }


class PlannerProver:
    def __init__(
        self,
        planner: PlannerClient,
        policy: TacticGenerator,
        config: Config,
        cache: SubgoalCache | None = None,
    ) -> None:
        self._planner = planner
        self._policy = policy
        self._config = config
        self.cache = cache if cache is not None else SubgoalCache()

    async def check(
        self,
        repl: LeanRepl,
        env: Env,
        head: str,
        plan: Plan,
        proofs: dict[str, tuple[str, ...]],
        reasons: list[str] | None = None,
    ) -> tuple[Sorry, ...] | None:
        """The sorries of the skeleton (one per unproven step, in order), or None if it does
        not elaborate or its text is screened out (why, in plain words, goes to `reasons`)."""
        why = reasons if reasons is not None else []
        block = plan.skeleton({k: list(v) for k, v in proofs.items()})
        closing_and_steps = "\n".join(
            [*plan.prelude, *plan.closing, *(s.statement for s in plan.steps)]
        )
        if findings := screen(closing_and_steps):
            why.append(f"screened out: {findings[0].construct} ({findings[0].reason})")
            return None
        try:
            result = await repl.command(f"{head} := by\n{block}", env)
        except LeanRejected as e:
            why.append(f"Lean refused the skeleton: {e}")
            return None
        if result.errors:
            err = result.errors[0]
            where = f"line {err.pos.line - head.count(chr(10)) - 1}: " if err.pos else ""
            why.append(f"{where}does not elaborate: {err.data.splitlines()[0]}")
            return None
        unproven = [s for s in plan.steps if s.name not in proofs]
        if len(result.sorries) != len(unproven):
            why.append("the skeleton has other `sorry`s than one per step")
            return None
        return result.sorries

    async def make_plan(
        self,
        repl: LeanRepl,
        env: Env,
        head: str,
        answer_of: Callable[[], Awaitable[str]] | None = None,
        reasons: list[str] | None = None,
        prelude: tuple[str, ...] = (),
    ) -> tuple[Plan | None, int]:
        """A checked plan (asking again up to `plan_retries` times) and the rejects count;
        why each was rejected goes to `reasons`, one line per plan. `prelude`: tactics the
        proof already starts with (kept before the plan's own)."""
        rejected = 0
        for attempt in range(self._config.planner.plan_retries + 1):
            answer = await (answer_of() if answer_of is not None else self._planner.plan(head))
            plan = parse_plan(answer)
            if plan is not None and prelude:
                own = (
                    plan.prelude[len(prelude) :]
                    if plan.prelude[: len(prelude)] == prelude
                    else plan.prelude
                )
                plan = dataclasses.replace(plan, prelude=(*prelude, *own))
            why: list[str] = [] if plan is not None else ["no `have … := by sorry` step"]
            if plan is not None and await self.check(repl, env, head, plan, {}, why) is not None:
                return plan, rejected
            rejected += 1
            if reasons is not None:
                reasons.append(f"plan {attempt + 1}: " + "; ".join(why))
        return None, rejected

    async def prove(self, repl: LeanRepl, env: Env, head: str) -> PlannerProverResult:
        plan, rejected = await self.make_plan(repl, env, head)
        result = PlannerProverResult(plan, None, plans_rejected=rejected)
        if plan is None:
            result.message = "no plan elaborated"
            return result
        proofs: dict[str, tuple[str, ...]] = {}
        while True:
            assert plan is not None
            sorries = await self.check(repl, env, head, plan, proofs)
            if sorries is None:
                result.message = "the plan stopped elaborating"
                break
            unproven = [s for s in plan.steps if s.name not in proofs]
            if not unproven:
                result.proof_block = plan.skeleton({k: list(v) for k, v in proofs.items()})
                break
            step, state = unproven[0], sorries[0]
            proof, source = await self._prove_step(repl, head, step.statement, state)
            result.steps.append(StepReport(step.name, step.statement, proof, source))
            if proof is not None:
                proofs[step.name] = proof
                continue
            if result.replans >= self._config.planner.replans:
                result.message = f"subgoal {step.name} unproven after {result.replans} replans"
                break
            result.replans += 1
            plan = await self._replan(repl, env, head, plan, proofs, step.name)
            if plan is None:
                result.message = "replanning gave no usable plan"
                break
        result.plan = plan
        return result

    async def _replan(
        self,
        repl: LeanRepl,
        env: Env,
        head: str,
        plan: Plan,
        proofs: dict[str, tuple[str, ...]],
        stuck: str,
    ) -> Plan | None:
        proven = [s for s in plan.steps if s.name in proofs]
        proven_text = Plan(tuple(proven), ()).skeleton(
            {k: list(v) for k, v in proofs.items()}, indent=""
        )
        stuck_step = next(s for s in plan.steps if s.name == stuck)

        async def ask() -> str:
            return await self._planner.replan(head, proven_text, stuck_step.with_proof(None, ""))

        new, _ = await self.make_plan(repl, env, head, ask)
        if new is None:
            return None
        # proven steps are kept verbatim, ahead of the new ones
        keep = {(s.name, s.statement) for s in proven}
        rest = tuple(s for s in new.steps if (s.name, s.statement) not in keep)
        merged = Plan(tuple(proven) + rest, new.closing)
        if await self.check(repl, env, head, merged, proofs) is None:
            return None
        return merged

    async def _prove_step(
        self, repl: LeanRepl, head: str, statement: str, state: Sorry
    ) -> tuple[tuple[str, ...] | None, str]:
        cached = self.cache.get(head, statement)
        if cached is not None:
            if await replay_proof(repl, state.state, cached):
                self.cache.hits += 1
                return cached, "cache"
            self.cache.discard(head, statement)
        proof = await self._agents(repl, head, statement, state)
        return (proof, "search") if proof is not None else (None, "")

    async def _agents(
        self, repl: LeanRepl, head: str, statement: str, state: Sorry
    ) -> tuple[str, ...] | None:
        """k best-first searches on one subgoal; the first proof wins, the rest are cancelled."""
        cfg = self._config
        search_cfg = cfg.search.model_copy(update={"expansions": cfg.planner.subgoal_expansions})
        done = self.cache.event(head, statement)

        async def agent(i: int) -> tuple[str, ...] | None:
            sampling = Sampling(
                temperature=cfg.policy.temperature + 0.1 * i,
                top_p=cfg.policy.top_p,
                max_tokens=cfg.policy.max_tokens,
                seed=i,
            )
            search = BestFirstSearch(state.state, repl, self._policy, search_cfg, sampling)
            res = await search.run()
            if res.proof is not None:
                self.cache.put(head, statement, res.proof)
            return res.proof

        tasks = [asyncio.create_task(agent(i)) for i in range(cfg.planner.agents)]
        waiter = asyncio.create_task(done.wait())
        try:
            pending: set[asyncio.Future[Any]] = {*tasks, waiter}
            while pending and not done.is_set():
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if all(t.done() for t in tasks):
                    break
        finally:
            for t in [*tasks, waiter]:
                t.cancel()
            for t in [*tasks, waiter]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        return self.cache.get(head, statement)
