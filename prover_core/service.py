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
from typing import Literal

from prover_core.config import Config, SearchConfig
from prover_core.cursor import (
    CursorTarget,
    InsertPlan,
    Mode,
    block_indent_after,
    ends_with_by,
    line_bounds,
    locate,
    sorry_spans,
    tactics_before,
)
from prover_core.lean.decl import Declaration, declaration_at, find_declaration, offset_of
from prover_core.lean.goal_at import goal_at, split_imports
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.lean.screen import screen
from prover_core.lean.verify import Verdict, verify_proof
from prover_core.policy.batcher import participant
from prover_core.policy.factory import sampling_of
from prover_core.policy.protocol import TacticGenerator
from prover_core.search.best_first import BestFirstSearch, SearchResult, SearchStats
from prover_core.search.planner import PlannerClient
from prover_core.search.planner_prover import PlannerProver, PlannerProverResult
from prover_core.search.tree import Tree, dedupe
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

_RANK: dict[OutcomeName, int] = {"proved": 0, "advanced": 1, "failed": 2}
_CONTEXT_CACHE = 32


@dataclass(frozen=True, slots=True)
class Suggestion:
    tactic: str
    score: float
    outcome: OutcomeName
    goals_after: tuple[str, ...] = ()
    message: str | None = None
    insert_text: str = ""  # what to put at the result's `insert` range (the cursor rule)


@dataclass(frozen=True, slots=True)
class SuggestCounts:
    """What became of the sampled candidates: sampled = duplicates + screened + filtered
    (not matching a typed prefix) + proved + advanced + failed."""

    sampled: int = 0
    duplicates: int = 0
    screened: int = 0
    filtered: int = 0
    proved: int = 0
    advanced: int = 0
    failed: int = 0

    def summary(self) -> str:
        parts = [
            f"{self.proved} proves the goal"
            if self.proved == 1
            else f"{self.proved} prove the goal",
            f"{self.advanced} makes progress"
            if self.advanced == 1
            else f"{self.advanced} make progress",
            f"{self.failed} rejected by Lean",
            f"{self.duplicates} duplicate" + ("" if self.duplicates == 1 else "s"),
            f"{self.screened} screened out",
            f"{self.filtered} not matching what is typed",
        ]
        counts = (self.proved, self.advanced, self.failed, self.duplicates, self.screened,
                  self.filtered)  # fmt: skip
        said = [p for p, c in zip(parts, counts, strict=True) if c]
        if self.proved + self.advanced == 0:
            said.insert(0, "none works")
        return f"{self.sampled} sampled: " + ", ".join(said)


@dataclass(frozen=True, slots=True)
class SuggestResult:
    """Checked suggestions at a position, or a refusal saying why there are none.
    `lean_s`/`policy_s`: time this request waited for Lean / for the model (an early model
    call overlapping Lean counts only where it was waited for)."""

    goal: str | None
    suggestions: tuple[Suggestion, ...]
    summary: str
    counts: SuggestCounts = SuggestCounts()
    insert: InsertPlan | None = None
    refusal: Refusal | None = None
    lean_s: float = 0.0
    policy_s: float = 0.0

    @classmethod
    def refused(cls, refusal: Refusal, lean_s: float = 0.0) -> SuggestResult:
        return cls(None, (), refusal.message, refusal=refusal, lean_s=lean_s)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A `sorry` identified across edits: the declaration's full name and the index of the
    `sorry` among that declaration's sorries."""

    declaration: str
    sorry: int


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


ProveStatus = Literal[
    "proved", "exhausted", "budget", "timeout", "unverified", "refused", "withheld"
]
_SEARCH_STATUS: dict[str, ProveStatus] = {
    "proved": "proved",
    "exhausted": "exhausted",
    "expansion_budget": "budget",
    "time_budget": "timeout",
}


@dataclass
class ProveResult:
    """`edit` only for a verified proof; `verified_on` is the declaration text (from its
    start to its end) the proof was verified in, so a later placement can tell whether the
    declaration changed since."""

    proved: bool
    edit: TextEdit | None = None
    proof: tuple[str, ...] | None = None
    verdict: Verdict | None = None
    search: SearchResult | None = None
    message: str = ""
    status: ProveStatus = "refused"
    anchor: Anchor | None = None
    verified_on: str | None = None
    refusal: Refusal | None = None


@dataclass(frozen=True, slots=True)
class ProveProgress:
    """A running search after an expansion (valid only during the callback)."""

    stats: SearchStats
    budget: int  # expansions allowed in all
    tree: Tree

    def best_path(self) -> tuple[str, ...]:
        """Tactics to the deepest state reached (the best path score among equals)."""
        node = max(self.tree.nodes.values(), key=lambda n: (n.depth, n.path_score))
        return tuple(e.tactic for e in self.tree.path_to(node))


@dataclass(frozen=True, slots=True)
class PlaceResult:
    edit: TextEdit | None
    status: Literal["placed", "withheld"]
    message: str


@dataclass
class SketchResult:
    edit: TextEdit | None
    planner: PlannerProverResult | None = None
    message: str = ""
    status: Literal["sketched", "refused", "rejected"] = "sketched"
    rejected: tuple[str, ...] = ()
    refusal: Refusal | None = None


@dataclass
class _Target:
    decl: Declaration
    sorry_start: int  # offset of the `sorry` to replace
    sorry_end: int
    index: int  # of this `sorry` among the declaration's sorries


def _decl_text(text: str, decl: Declaration) -> str:
    return text[decl.start : decl.end].rstrip()


_NO_STATE = Refusal(
    "no_goal",
    "no proof state here: Lean reports no goal at the cursor (the proof may be complete, "
    "or the lines above it do not elaborate)",
)


def _edit(text: str, start: int, end: int, new_text: str) -> TextEdit:
    def lc(off: int) -> tuple[int, int]:
        line = text.count("\n", 0, off)
        return line, off - (text.rfind("\n", 0, off) + 1)

    (sl, sc), (el, ec) = lc(start), lc(end)
    return TextEdit(start, end, sl, sc, el, ec, new_text)


class _NotElaborating(Exception):
    """The target declaration gives no goal at its `sorry` (internal to `prove`)."""


def _checked_target(text: str, decl: Declaration, index: int) -> _Target | Refusal:
    """The `index`-th `sorry` of `decl`, when it can be replaced by tactics."""
    spans = sorry_spans(text, decl)
    if not 0 <= index < len(spans):
        return Refusal("no_sorry", f"{decl.name or 'the example'} has no sorry number {index + 1}")
    start, end = spans[index]
    if text[end : line_bounds(text, end)[1]].strip():
        return Refusal("no_sorry", "only a `sorry` that ends its line can be replaced by tactics")
    return _Target(decl, start, end, index)


def _proof_text(text: str, t: _Target, tactics: tuple[str, ...]) -> TextEdit:
    """Tactics in place of the `sorry`, idiomatically: a term `:= sorry` becomes `:= by` with
    the tactics on indented lines below; a `by sorry` keeps one tactic on its line and puts
    several on indented lines below `by`; a `sorry` on its own line is replaced by the tactics
    at its column."""
    ls = line_bounds(text, t.sorry_start)[0]
    before = text[ls : t.sorry_start]
    decl_column = t.decl.start - line_bounds(text, t.decl.start)[0]
    if t.sorry_start > t.decl.assign and not text[t.decl.assign + 2 : t.sorry_start].strip():
        ind = " " * (decl_column + 2)
        return _edit(
            text, t.sorry_start, t.sorry_end, "by" + "".join(f"\n{ind}{x}" for x in tactics)
        )
    if ends_with_by(before) and len(tactics) > 1:
        by_end = ls + len(before.rstrip())
        ind = " " * block_indent_after(before.rstrip(), decl_column)
        return _edit(text, by_end, t.sorry_end, "".join(f"\n{ind}{x}" for x in tactics))
    sep = "\n" + " " * (t.sorry_start - ls)
    return _edit(text, t.sorry_start, t.sorry_end, sep.join(tactics))


def relocate_edit(old: str, new: str, edit: TextEdit) -> TextEdit | None:
    """`edit` (made on `old`, inside one named declaration) moved onto `new`, when that
    declaration is there with the very same text; None otherwise."""
    decl = declaration_at(old, edit.start)
    if decl is None or decl.name is None:
        return None
    moved = find_declaration(new, decl.name)
    if moved is None or _decl_text(new, moved) != _decl_text(old, decl):
        return None
    shift = moved.start - decl.start
    return _edit(new, edit.start + shift, edit.end + shift, edit.new_text)


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
        sampling = sampling_of(self.config.policy)
        early = asyncio.ensure_future(policy.generate([goal], n, sampling)) if goal else None
        imports, rest = split_imports(target.probe.context)
        clock = time.perf_counter
        try:
            t0 = clock()
            async with self.pool.lease(imports) as lease:
                env = await self._context_env(lease.repl, lease.env, rest)
                state = await goal_at(lease.repl, env, target.probe)
                t1 = clock()
                if state is None:
                    return SuggestResult.refused(_NO_STATE, t1 - t0)
                same = goal is not None and " ".join(goal.split()) == " ".join(state.text.split())
                if early is not None and same:
                    [candidates] = await early
                else:
                    [candidates] = await policy.generate([state.text], n, sampling)
                t2 = clock()
                suggestions, counts = await self._check(lease.repl, state, candidates, target)
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
        repl: LeanRepl,
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
    ) -> _Target | Refusal:
        """The `sorry` to replace, or a refusal saying why there is none."""
        if theorem is not None:
            decl = find_declaration(text, theorem)
            if decl is None:
                return Refusal("no_theorem", f"no theorem named {theorem!r}")
            spans = sorry_spans(text, decl)
            if not spans:
                return Refusal("no_sorry", f"{theorem} has no sorry to prove")
            index = 0
        else:
            if line is None or column is None:
                return Refusal("bad_request", "give a theorem name or a position")
            try:
                offset = offset_of(text, line, column)
            except ValueError as e:
                return Refusal("bad_request", str(e))
            found = declaration_at(text, offset)
            if found is None:
                return Refusal("no_theorem", "the position is not inside a theorem")
            decl = found
            spans = sorry_spans(text, decl)
            near = [i for i, (a, b) in enumerate(spans) if a <= offset <= b]
            if not near and len(spans) != 1:
                return Refusal("no_sorry", "put the cursor on the `sorry` to prove")
            index = (near or [0])[0]
        return _checked_target(text, decl, index)

    def anchor_of(self, target: _Target) -> Anchor | None:
        name = target.decl.name
        return None if name is None else Anchor(name, target.index)

    async def _root_state(self, repl: LeanRepl, env: Env, text: str, t: _Target) -> ProofState:
        """The state of the target `sorry`, as the REPL reports it for the declaration as
        written (a root state: closing it is `Completed`). Raises `_NotElaborating`."""
        decl_text = text[t.decl.start : t.decl.end]
        result = await repl.command(decl_text, env)
        rel = t.sorry_start - t.decl.start
        line = decl_text.count("\n", 0, rel) + 1
        column = rel - (decl_text.rfind("\n", 0, rel) + 1)
        for s in result.sorries:
            if s.pos is not None and (s.pos.line, s.pos.column) == (line, column):
                return s.state
        if result.errors:
            raise _NotElaborating("the declaration does not elaborate: " + result.errors[0].data)
        raise _NotElaborating("Lean reports no goal at this sorry")

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
            try:
                root = await self._root_state(lease.repl, env, text, target)
            except _NotElaborating as e:
                refusal = Refusal("not_elaborating", str(e))
                return ProveResult(False, message=str(e), anchor=anchor, refusal=refusal)
            searches: list[BestFirstSearch] = []
            total = search_cfg.expansions * search_cfg.passes

            def expanded(stats: SearchStats) -> None:
                if on_expand is not None:
                    on_expand(stats)
                if on_progress is not None and searches:
                    on_progress(ProveProgress(stats, total, searches[0].tree))

            search = BestFirstSearch(
                root,
                lease.repl,
                self.policy,
                search_cfg,
                sampling_of(self.config.policy),
                on_expand=expanded,
            )
            searches.append(search)
            del root
            result = await search.run()
        status = _SEARCH_STATUS.get(result.status, "exhausted")
        if result.proof is None:
            return ProveResult(
                False,
                search=result,
                message=_no_proof_message(status, search_cfg),
                status=status,
                anchor=anchor,
            )
        edit, verdict = await self._verified_edit(text, target, result.proof)
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
            _decl_text(text, target.decl),
        )

    async def _verified_edit(
        self, text: str, target: _Target, proof: tuple[str, ...]
    ) -> tuple[TextEdit, Verdict]:
        """The edit putting `proof` in place of the target `sorry`, and the fresh-process
        verdict on the whole file up to the declaration with that edit applied."""
        edit = _proof_text(text, target, proof)
        new_decl = declaration_at(edit.apply(text), target.decl.start)
        assert new_decl is not None
        verdict = await verify_proof(
            self.config.lean,
            text[: target.decl.start],
            target.decl.head,
            new_decl.proof,
            candidate_head=new_decl.head,
            cwd=self.cwd,
        )
        return edit, verdict

    async def place(
        self, text: str, anchor: Anchor, proof: tuple[str, ...], verified_on: str | None
    ) -> PlaceResult:
        """The edit putting a found proof at its anchor in `text` (the current text). The
        declaration and its `sorry` are found again by name and index; when the declaration's
        text differs from `verified_on` (or that is unknown) the proof is verified again on
        `text`, and withheld when it no longer checks. Changes outside the declaration
        never stop it."""
        decl = find_declaration(text, anchor.declaration)
        if decl is None:
            return PlaceResult(
                None, "withheld", f"{anchor.declaration} is no longer in the file; proof withheld"
            )
        target = _checked_target(text, decl, anchor.sorry)
        if isinstance(target, Refusal):
            return PlaceResult(
                None,
                "withheld",
                f"the `sorry` of {anchor.declaration} the proof was for is gone: proof withheld",
            )
        if verified_on is not None and _decl_text(text, decl) == verified_on:
            return PlaceResult(_proof_text(text, target, proof), "placed", "proved and verified")
        edit, verdict = await self._verified_edit(text, target, proof)
        if not verdict.ok:
            return PlaceResult(
                None,
                "withheld",
                f"{anchor.declaration} changed during the search and the proof no longer "
                f"checks ({verdict.check}): proof withheld",
            )
        return PlaceResult(edit, "placed", "proved, and verified again on the changed declaration")

    # --- sketch ----------------------------------------------------------------------------

    async def sketch(
        self,
        text: str,
        theorem: str | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
        prove_steps: bool = False,
    ) -> SketchResult:
        """The planner's checked `have … := by sorry` skeleton as an edit of the proof of the
        theorem named (or the one at the 0-based position); with `prove_steps`, prover agents
        attack the steps (planner-prover)."""
        found = self._sketch_target(text, theorem, line, column)
        if isinstance(found, Refusal):
            return SketchResult(None, message=found.message, status="refused", refusal=found)
        decl, prelude = found
        if self.planner is None:
            refusal = Refusal("not_configured", "no planner configured (planner.endpoint)")
            return SketchResult(None, message=refusal.message, status="refused", refusal=refusal)
        imports, rest = split_imports(text[: decl.start])
        pp = PlannerProver(self.planner, self.policy, self.config)
        reasons: list[str] = []
        planner = self.planner
        async with self.pool.lease(imports) as lease:
            env = await self._context_env(lease.repl, lease.env, rest)
            if prove_steps:
                res = await pp.prove(lease.repl, env, decl.head)
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
        end = decl.assign + 2 + len(text[decl.assign + 2 : decl.end].rstrip())
        return SketchResult(
            _edit(text, decl.assign, end, ":= by\n" + block), res, "sketch inserted"
        )

    def _sketch_target(
        self, text: str, theorem: str | None, line: int | None, column: int | None
    ) -> tuple[Declaration, tuple[str, ...]] | Refusal:
        """The declaration to sketch and the tactics its proof has before the cursor's line
        (kept; the plan goes after them)."""
        if theorem is not None:
            found = find_declaration(text, theorem)
            return (found, ()) if found else Refusal("no_theorem", f"no theorem named {theorem!r}")
        if line is None or column is None:
            return Refusal("bad_request", "give a theorem name or a position")
        try:
            offset = offset_of(text, line, column)
        except ValueError as e:
            return Refusal("bad_request", str(e))
        decl = declaration_at(text, offset)
        if decl is None or decl.name is None:
            return Refusal("no_theorem", "put the cursor inside a named theorem")
        return decl, tactics_before(text, decl, offset)


def build_service(config: Config, *, cwd: Path | None = None) -> Service:
    """Wire the configured backends (the only constructor the CLI and the server use)."""
    from prover_core.policy.factory import batched, make_policy

    policy = batched(make_policy(config.policy), config.policy)
    planner = PlannerClient(config.planner) if config.planner.endpoint else None
    pool = ReplPool(config.lean, cwd=cwd)
    return Service(config, policy, pool, planner=planner, cwd=cwd)
