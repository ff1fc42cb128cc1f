"""The one facade the editor and the CLI call: `suggest`, `prove`, `sketch`.

This is the one place where the Lean layer, the policy and search are wired together.
Invariants: every suggestion returned was run in Lean; `prove` returns an edit only for a
proof that passed the fresh-process verifier; the user's text is never modified here (edits
are values the caller applies).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable
from pathlib import Path

from prover_core.anchoring import place_proof, verified_edit
from prover_core.config import Config, SearchConfig
from prover_core.cursor import (
    CursorTarget,
    Mode,
    locate,
)
from prover_core.lean.decl import offset_of
from prover_core.lean.goal_at import goal_at, split_imports
from prover_core.lean.group import ProcessGroup, TacticRunner
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.lean.screen import screen
from prover_core.placement import (
    SorryTarget,
    find_target,
    make_edit,
    sketch_target,
    verified_text,
)
from prover_core.policy.batcher import participant
from prover_core.policy.factory import sampling_of
from prover_core.policy.protocol import TacticGenerator
from prover_core.results import (
    SEARCH_STATUS,
    Anchor,
    PlaceResult,
    ProveProgress,
    ProveResult,
    ProveStatus,
    SketchResult,
    SuggestCounts,
    Suggestion,
    SuggestResult,
    TextEdit,
)
from prover_core.search.best_first import BestFirstSearch, SearchStats
from prover_core.search.planner import PlannerClient
from prover_core.search.planner_prover import PlannerProver, PlannerProverResult, RemoteAgents
from prover_core.search.tree import dedupe
from prover_core.types import (
    Env,
    OutcomeName,
    ProofState,
    Proved,
    Refusal,
    TacticCandidate,
    TacticFailed,
    is_clean_advance,
)

# the result types are part of the facade: callers may import them from here
__all__ = [
    "Anchor",
    "PlaceResult",
    "ProveProgress",
    "ProveResult",
    "Service",
    "SketchResult",
    "SuggestCounts",
    "SuggestResult",
    "Suggestion",
    "TextEdit",
    "build_service",
]

_RANK: dict[OutcomeName, int] = {"proved": 0, "advanced": 1, "failed": 2}
_CONTEXT_CACHE = 32


_NO_STATE = Refusal(
    "no_goal",
    "no proof state here: Lean reports no goal at the cursor (the proof may be complete, "
    "or the lines above it do not elaborate)",
)


def _no_proof_message(status: ProveStatus, budget: SearchConfig) -> str:
    if status == "budget":
        return f"no proof found within {budget.expansions} expansions"
    if status == "timeout":
        return f"no proof found within {budget.wall_time_s:g} s"
    return "no proof found: every path the model proposed was tried (search exhausted)"


class Service:
    def __init__(
        self,
        config: Config,
        policy: TacticGenerator,
        pool: ReplPool,
        *,
        planner: PlannerClient | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.config = config
        self.policy = policy
        self.pool = pool
        self.planner = planner
        self.cwd = cwd
        self._contexts: collections.OrderedDict[tuple[int, str], Env] = collections.OrderedDict()

    async def aclose(self) -> None:
        await self.pool.close()
        await self.policy.aclose()
        if self.planner is not None:
            await self.planner.aclose()

    # --- context environments -----------------------------------------------------------

    async def _context_env(self, repl: LeanRepl, header_env: Env, rest: str) -> Env:
        """The environment after the file's commands before the declaration (cached)."""
        if not rest.strip():
            return header_env
        key = (id(repl), rest)
        env = self._contexts.get(key)
        if env is not None:
            self._contexts.move_to_end(key)
            return env
        result = await repl.command(rest, header_env)
        self._contexts[key] = result.env
        while len(self._contexts) > _CONTEXT_CACHE:
            self._contexts.popitem(last=False)
        return result.env

    # --- suggest ---------------------------------------------------------------------------

    async def suggest(
        self,
        text: str,
        line: int,
        column: int,
        n: int | None = None,
        goal: str | None = None,
        mode: Mode = "list",
    ) -> SuggestResult:
        """Checked next-tactic suggestions at a 0-based position by the one cursor rule
        (`prover_core.cursor`), ranked proved → advanced → failed, by score within. `n` above
        `search.max_suggestions` is refused. `goal` (Lean's own rendering, from the editor)
        starts the model early; a typed prefix filters only in mode "inline"."""
        cap = self.config.search.max_suggestions
        if n is not None and not 1 <= n <= cap:
            return SuggestResult.refused(
                Refusal("bad_request", f"n = {n} is outside 1..{cap} (search.max_suggestions)")
            )
        try:
            offset = offset_of(text, line, column)
        except ValueError as e:
            return SuggestResult.refused(Refusal("bad_request", str(e)))
        target = locate(text, offset, mode)
        if isinstance(target, Refusal):
            return SuggestResult.refused(target)
        n = n or min(self.config.search.suggestions, cap)
        async with participant(self.policy) as policy:
            return await self._suggest(policy, target, n, goal)

    async def _suggest(
        self, policy: TacticGenerator, target: CursorTarget, n: int, goal: str | None
    ) -> SuggestResult:
        sampling = sampling_of(self.config.policy, seed=self.config.policy.seed)
        early = asyncio.ensure_future(policy.generate([goal], n, sampling)) if goal else None
        imports, rest = split_imports(target.probe.context)
        clock = time.perf_counter
        try:
            t0 = clock()
            async with self.pool.lease(imports) as lease:
                env = await self._context_env(lease.repl, lease.env, rest)
                state = await goal_at(lease.group, env, target.probe)
                t1 = clock()
                if state is None:
                    return SuggestResult.refused(_NO_STATE, t1 - t0)
                lease.group.prefetch(state, n)  # copies travel while the model samples
                same = goal is not None and " ".join(goal.split()) == " ".join(state.text.split())
                if early is not None and same:
                    [candidates] = await early
                else:
                    [candidates] = await policy.generate([state.text], n, sampling)
                t2 = clock()
                suggestions, counts = await self._check(lease.group, state, candidates, target)
                t3 = clock()
                return SuggestResult(
                    state.text,
                    suggestions,
                    counts.summary(),
                    counts,
                    target.plan,
                    None,
                    t1 - t0 + t3 - t2,
                    t2 - t1,
                )
        finally:
            if early is not None and not early.done():
                early.cancel()

    async def _check(
        self,
        repl: TacticRunner,
        state: ProofState,
        candidates: list[TacticCandidate],
        target: CursorTarget,
    ) -> tuple[tuple[Suggestion, ...], SuggestCounts]:
        unique, duplicates = dedupe(candidates)
        filtered = 0
        screened = len(candidates) - len(unique) - duplicates  # empty texts
        runnable: dict[str, TacticCandidate] = {}
        for key, cand in unique.items():
            if target.typed and not key.startswith(target.typed):
                filtered += 1
            elif screen(key):
                screened += 1
            else:
                runnable[key] = cand
        timeout = self.config.search.tactic_timeout_s
        outcomes = await asyncio.gather(
            *(repl.tactic(state, t, timeout=timeout) for t in runnable), return_exceptions=True
        )
        out = []
        for (tactic, cand), outcome in zip(runnable.items(), outcomes, strict=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome
            if isinstance(outcome, Proved):
                text = target.plan.text_for(tactic, 0)
                out.append(Suggestion(tactic, cand.score, "proved", (), None, text))
            elif is_clean_advance(outcome):
                goals = outcome.state.goals
                new_goals = len(goals) - (len(state.goals) - 1)
                text = target.plan.text_for(tactic, new_goals)
                out.append(Suggestion(tactic, cand.score, "advanced", goals, None, text))
            else:
                msg = (
                    outcome.message
                    if isinstance(outcome, TacticFailed)
                    else str(outcome)
                    if isinstance(outcome, Exception)
                    else "left sorries"
                )
                text = target.plan.text_for(tactic, 0)
                out.append(Suggestion(tactic, cand.score, "failed", (), msg, text))
        out.sort(key=lambda s: (_RANK[s.outcome], -s.score))
        counts = SuggestCounts(
            sampled=len(candidates),
            duplicates=duplicates,
            screened=screened,
            filtered=filtered,
            proved=sum(s.outcome == "proved" for s in out),
            advanced=sum(s.outcome == "advanced" for s in out),
            failed=sum(s.outcome == "failed" for s in out),
        )
        return tuple(out), counts

    # --- prove -----------------------------------------------------------------------------

    def _target(
        self, text: str, theorem: str | None, line: int | None, column: int | None
    ) -> SorryTarget | Refusal:
        return find_target(text, theorem, line, column)

    def anchor_of(self, target: SorryTarget) -> Anchor | None:
        name = target.decl.name
        return None if name is None else Anchor(name, target.index)

    async def _root_state(
        self, repl: LeanRepl | ProcessGroup, env: Env, text: str, t: SorryTarget
    ) -> ProofState | Refusal:
        """The state of the target `sorry`, as the REPL reports it for the declaration as
        written (a root state: closing it is `Completed`), or why there is none."""
        decl_text = text[t.decl.start : t.decl.end]
        result = await repl.command(decl_text, env)
        rel = t.sorry_start - t.decl.start
        line = decl_text.count("\n", 0, rel) + 1
        column = rel - (decl_text.rfind("\n", 0, rel) + 1)
        for s in result.sorries:
            if s.pos is not None and (s.pos.line, s.pos.column) == (line, column):
                return s.state
        if result.errors:
            why = "the declaration does not elaborate: " + result.errors[0].data
            return Refusal("not_elaborating", why)
        return Refusal("not_elaborating", "Lean reports no goal at this sorry")

    async def prove(
        self,
        text: str,
        *,
        theorem: str | None = None,
        line: int | None = None,
        column: int | None = None,
        budget: SearchConfig | None = None,
        on_expand: Callable[[SearchStats], None] | None = None,
        on_progress: Callable[[ProveProgress], None] | None = None,
    ) -> ProveResult:
        """Best-first search on a `sorry`; an edit only for a verified proof. `on_expand`
        gets the counters after each expansion, `on_progress` also the tree so far."""
        target = self._target(text, theorem, line, column)
        if isinstance(target, Refusal):
            return ProveResult(False, message=target.message, refusal=target)
        anchor = self.anchor_of(target)
        context = text[: target.decl.start]
        imports, rest = split_imports(context)
        search_cfg = budget or self.config.search
        async with self.pool.lease(imports) as lease:
            env = await self._context_env(lease.repl, lease.env, rest)
            root = await self._root_state(lease.group, env, text, target)
            if isinstance(root, Refusal):
                return ProveResult(False, message=root.message, anchor=anchor, refusal=root)
            searches: list[BestFirstSearch] = []
            total = search_cfg.expansions * search_cfg.passes

            def expanded(stats: SearchStats) -> None:
                if on_expand is not None:
                    on_expand(stats)
                if on_progress is not None and searches:
                    on_progress(ProveProgress(stats, total, searches[0].tree))

            search = BestFirstSearch(
                root,
                lease.group,
                self.policy,
                search_cfg,
                sampling_of(self.config.policy, seed=self.config.policy.seed),
                on_expand=expanded,
            )
            searches.append(search)
            del root
            result = await search.run()
        status = SEARCH_STATUS.get(result.status, "exhausted")
        if result.proof is None:
            return ProveResult(
                False,
                search=result,
                message=_no_proof_message(status, search_cfg),
                status=status,
                anchor=anchor,
            )
        edit, verdict = await verified_edit(self.config.lean, self.cwd, text, target, result.proof)
        if not verdict.ok:
            return ProveResult(
                False,
                None,
                result.proof,
                verdict,
                result,
                f"the proof found failed verification ({verdict.check})",
                "unverified",
                anchor,
            )
        return ProveResult(
            True,
            edit,
            result.proof,
            verdict,
            result,
            "proved and verified",
            "proved",
            anchor,
            verified_text(text, target.decl),
        )

    async def place(
        self, text: str, anchor: Anchor, proof: tuple[str, ...], verified_on: str | None
    ) -> PlaceResult:
        """A found proof placed at its anchor in the current `text` (`anchoring`)."""
        return await place_proof(self.config.lean, self.cwd, text, anchor, proof, verified_on)

    # --- sketch ----------------------------------------------------------------------------

    async def sketch(
        self,
        text: str,
        theorem: str | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
        prove_steps: bool = False,
        remote: RemoteAgents | None = None,
    ) -> SketchResult:
        """The planner's checked `have … := by sorry` skeleton as an edit of the proof of the
        theorem named (or the one at the 0-based position); with `prove_steps`, prover agents
        attack the steps (planner-prover)."""
        found = sketch_target(text, theorem, line, column)
        if isinstance(found, Refusal):
            return SketchResult(None, message=found.message, status="refused", refusal=found)
        decl, prelude = found
        if self.planner is None:
            refusal = Refusal("not_configured", "no planner configured (planner.endpoint)")
            return SketchResult(None, message=refusal.message, status="refused", refusal=refusal)
        imports, rest = split_imports(text[: decl.start])
        pp = PlannerProver(self.planner, self.policy, self.config, remote=remote)
        reasons: list[str] = []
        planner = self.planner
        async with self.pool.lease(imports) as lease:
            env = await self._context_env(lease.repl, lease.env, rest)
            if prove_steps:
                res = await pp.prove(
                    lease.repl,
                    env,
                    decl.head,
                    context=text[: decl.start],
                    group=lease.group,
                    cwd=self.cwd,
                )
                block = res.proof_block or (res.plan.skeleton() if res.plan else None)
            else:
                so_far = "".join(f"\n  {t}" for t in prelude)
                plan, rejected = await pp.make_plan(
                    lease.repl,
                    env,
                    decl.head,
                    (lambda: planner.plan(f"{decl.head} := by{so_far}")) if prelude else None,
                    reasons,
                    prelude,
                )
                res = PlannerProverResult(plan, None, plans_rejected=rejected)
                block = plan.skeleton() if plan else None
        if block is None:
            why = res.message or f"the planner gave no usable plan ({res.plans_rejected} rejected)"
            return SketchResult(None, res, why, "rejected", tuple(reasons))
        return SketchResult(
            make_edit(text, decl.assign, decl.body_end, ":= by\n" + block), res, "sketch inserted"
        )


def build_service(config: Config, *, cwd: Path | None = None) -> Service:
    """Wire the configured backends (the only constructor the CLI and the server use)."""
    from prover_core.policy.factory import batched, make_policy

    policy = batched(make_policy(config.policy), config.policy)
    planner = PlannerClient(config.planner) if config.planner.endpoint else None
    pool = ReplPool(config.lean, cwd=cwd)
    return Service(config, policy, pool, planner=planner, cwd=cwd)
