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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from prover_core.config import Config, SearchConfig
from prover_core.lean.decl import DeclarationLookupError, declaration_at, resolve
from prover_core.lean.goal_at import Probe, goal_at, make_probe, split_imports
from prover_core.lean.group import TacticRunner
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.lean.screen import screen
from prover_core.lean.target import Target as _Target
from prover_core.lean.target import find_target
from prover_core.lean.verify import Verdict, verify_proof
from prover_core.policy.batcher import participant
from prover_core.policy.factory import sampling_of
from prover_core.policy.protocol import TacticGenerator
from prover_core.search.best_first import BestFirstSearch, SearchResult, SearchStats
from prover_core.search.planner import PlannerClient
from prover_core.search.planner_prover import PlannerProver, PlannerProverResult, RemoteAgents
from prover_core.search.tree import normalise_tactic
from prover_core.types import Advanced, Env, ProofState, Proved, TacticFailed

SuggestOutcome = Literal["proves", "progress", "fails"]
_RANK: dict[str, int] = {"proves": 0, "progress": 1, "fails": 2}
_CONTEXT_CACHE = 32


@dataclass(frozen=True, slots=True)
class Suggestion:
    tactic: str
    score: float
    outcome: SuggestOutcome
    goals_after: tuple[str, ...] = ()
    message: str | None = None


@dataclass(frozen=True, slots=True)
class SuggestResult:
    """`lean_s`/`policy_s`: time this request waited for Lean / for the model (an early
    model call overlapping Lean counts only where it was waited for)."""

    goal: str | None
    suggestions: tuple[Suggestion, ...]
    error: str | None = None
    lean_s: float = 0.0
    policy_s: float = 0.0


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace `text[start:end]` (offsets) by `new_text`; lines/columns are 0-based."""

    start: int
    end: int
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    new_text: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.new_text + text[self.end :]


@dataclass
class ProveResult:
    proved: bool
    edit: TextEdit | None = None
    proof: tuple[str, ...] | None = None
    verdict: Verdict | None = None
    search: SearchResult | None = None
    message: str = ""


@dataclass
class SketchResult:
    edit: TextEdit | None
    planner: PlannerProverResult | None = None
    message: str = ""


def _edit(text: str, start: int, end: int, new_text: str) -> TextEdit:
    def lc(off: int) -> tuple[int, int]:
        line = text.count("\n", 0, off)
        return line, off - (text.rfind("\n", 0, off) + 1)

    (sl, sc), (el, ec) = lc(start), lc(end)
    return TextEdit(start, end, sl, sc, el, ec, new_text)


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
        self, text: str, line: int, column: int, n: int | None = None, goal: str | None = None
    ) -> SuggestResult:
        """Checked next-tactic suggestions at a 0-based position, ranked proves → progress →
        score. `goal` (Lean's own rendering, from the editor) starts the model early."""
        try:
            probe = make_probe(text, line, column)
        except ValueError as e:
            return SuggestResult(None, (), str(e))
        if probe is None:
            return SuggestResult(None, (), "the position is not inside a tactic block")
        n = n or self.config.search.suggestions
        async with participant(self.policy) as policy:
            return await self._suggest(policy, probe, n, goal)

    async def _suggest(
        self, policy: TacticGenerator, probe: Probe, n: int, goal: str | None
    ) -> SuggestResult:
        sampling = sampling_of(self.config.policy)
        early = asyncio.ensure_future(policy.generate([goal], n, sampling)) if goal else None
        imports, rest = split_imports(probe.context)
        clock = time.perf_counter
        try:
            t0 = clock()
            async with self.pool.lease(imports) as lease:
                env = await self._context_env(lease.repl, lease.env, rest)
                state = await goal_at(lease.repl, env, probe)
                t1 = clock()
                if state is None:
                    return SuggestResult(None, (), "no proof state at this position", t1 - t0)
                lease.group.prefetch(state, n)  # copies travel while the model samples
                same = goal is not None and " ".join(goal.split()) == " ".join(state.text.split())
                if early is not None and same:
                    [candidates] = await early
                else:
                    [candidates] = await policy.generate([state.text], n, sampling)
                t2 = clock()
                suggestions = await self._check(lease.group, state, candidates, probe.typed)
                t3 = clock()
                return SuggestResult(state.text, suggestions, None, t1 - t0 + t3 - t2, t2 - t1)
        finally:
            if early is not None and not early.done():
                early.cancel()

    async def _check(
        self, repl: TacticRunner, state: ProofState, candidates: list[Any], typed: str
    ) -> tuple[Suggestion, ...]:
        best: dict[str, Any] = {}
        for c in candidates:
            key = normalise_tactic(c.text)
            if not key or (typed and not key.startswith(typed)) or screen(key):
                continue
            if key not in best or c.score > best[key].score:
                best[key] = c
        timeout = self.config.search.tactic_timeout_s
        outcomes = await asyncio.gather(
            *(repl.tactic(state, t, timeout=timeout) for t in best), return_exceptions=True
        )
        out = []
        for (tactic, cand), outcome in zip(best.items(), outcomes, strict=True):
            if isinstance(outcome, Proved):
                out.append(Suggestion(tactic, cand.score, "proves"))
            elif isinstance(outcome, Advanced) and not outcome.sorries:
                out.append(Suggestion(tactic, cand.score, "progress", outcome.state.goals))
            elif isinstance(outcome, TacticFailed):
                out.append(Suggestion(tactic, cand.score, "fails", (), outcome.message))
            elif isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome
            else:
                msg = str(outcome) if isinstance(outcome, Exception) else "left sorries"
                out.append(Suggestion(tactic, cand.score, "fails", (), msg))
        out.sort(key=lambda s: (_RANK[s.outcome], -s.score))
        return tuple(out)

    # --- prove -----------------------------------------------------------------------------

    def _target(
        self, text: str, theorem: str | None, line: int | None, column: int | None
    ) -> _Target | str:
        """The `sorry` to replace, or a message saying why there is none."""
        return find_target(text, theorem, line, column)

    async def _root_state(self, repl: LeanRepl, env: Env, text: str, t: _Target) -> ProofState:
        """The state of the target `sorry`, as the REPL reports it for the declaration as
        written (a root state: closing it is `Completed`)."""
        decl_text = text[t.decl.start : t.decl.end]
        result = await repl.command(decl_text, env)
        rel = t.sorry_start - t.decl.start
        line = decl_text.count("\n", 0, rel) + 1
        column = rel - (decl_text.rfind("\n", 0, rel) + 1)
        for s in result.sorries:
            if s.pos is not None and (s.pos.line, s.pos.column) == (line, column):
                return s.state
        if result.errors:
            raise ValueError("the declaration does not elaborate: " + result.errors[0].data)
        raise ValueError("Lean reports no goal at this sorry")

    def _proof_text(self, text: str, t: _Target, tactics: tuple[str, ...]) -> TextEdit:
        if t.whole and text[t.decl.assign + 2 : t.sorry_start].strip() == "":
            body = "by\n" + "\n".join(f"  {tac}" for tac in tactics)
            return _edit(text, t.sorry_start, t.sorry_end, body)
        sep = "\n" + " " * t.indent
        return _edit(text, t.sorry_start, t.sorry_end, sep.join(tactics))

    async def prove(
        self,
        text: str,
        *,
        theorem: str | None = None,
        line: int | None = None,
        column: int | None = None,
        budget: SearchConfig | None = None,
        on_expand: Callable[[SearchStats], None] | None = None,
    ) -> ProveResult:
        """Best-first search on a `sorry`; an edit only for a verified proof."""
        target = self._target(text, theorem, line, column)
        if isinstance(target, str):
            return ProveResult(False, message=target)
        context = text[: target.decl.start]
        imports, rest = split_imports(context)
        search_cfg = budget or self.config.search
        async with self.pool.lease(imports) as lease:
            env = await self._context_env(lease.repl, lease.env, rest)
            try:
                root = await self._root_state(lease.repl, env, text, target)
            except ValueError as e:
                return ProveResult(False, message=str(e))
            search = BestFirstSearch(
                root,
                lease.group,
                self.policy,
                search_cfg,
                sampling_of(self.config.policy),
                on_expand=on_expand,
            )
            del root
            result = await search.run()
        if result.proof is None:
            return ProveResult(False, search=result, message=f"no proof found ({result.status})")
        edit = self._proof_text(text, target, result.proof)
        new_text = edit.apply(text)
        new_decl = declaration_at(new_text, target.decl.start)
        assert new_decl is not None
        verdict = await verify_proof(
            self.config.lean,
            context,
            target.decl.head,
            new_decl.proof,
            candidate_head=new_decl.head,
            cwd=self.cwd,
        )
        if not verdict.ok:
            return ProveResult(
                False,
                None,
                result.proof,
                verdict,
                result,
                f"the proof found failed verification ({verdict.check})",
            )
        return ProveResult(True, edit, result.proof, verdict, result, "proved and verified")

    # --- sketch ----------------------------------------------------------------------------

    async def sketch(
        self,
        text: str,
        theorem: str,
        *,
        prove_steps: bool = False,
        remote: RemoteAgents | None = None,
    ) -> SketchResult:
        """The planner's checked `have … := by sorry` skeleton as an edit of the proof;
        with `prove_steps`, prover agents attack the steps (planner-prover)."""
        if self.planner is None:
            return SketchResult(None, message="no planner configured (planner.endpoint)")
        try:
            decl = resolve(text, theorem)
        except DeclarationLookupError as e:
            return SketchResult(None, message=str(e))
        imports, rest = split_imports(text[: decl.start])
        pp = PlannerProver(self.planner, self.policy, self.config, remote=remote)
        async with self.pool.lease(imports) as lease:
            env = await self._context_env(lease.repl, lease.env, rest)
            if prove_steps:
                context = text[: decl.start]
                res = await pp.prove(
                    lease.repl, env, decl.head, context=context, group=lease.group, cwd=self.cwd
                )
                block = res.proof_block or (res.plan.skeleton() if res.plan else None)
            else:
                plan, rejected = await pp.make_plan(lease.repl, env, decl.head)
                res = PlannerProverResult(plan, None, plans_rejected=rejected)
                block = plan.skeleton() if plan else None
        if block is None:
            return SketchResult(None, res, res.message or "the planner gave no usable plan")
        return SketchResult(_edit(text, decl.assign, decl.body_end, ":= by\n" + block), res)


def build_service(config: Config, *, cwd: Path | None = None) -> Service:
    """Wire the configured backends (the only constructor the CLI and the server use)."""
    from prover_core.policy.factory import batched, make_policy

    policy = batched(make_policy(config.policy), config.policy)
    planner = PlannerClient(config.planner) if config.planner.endpoint else None
    pool = ReplPool(config.lean, cwd=cwd)
    return Service(config, policy, pool, planner=planner, cwd=cwd)
