"""Several REPL sessions holding one header, used as one: a request's tactics run at once.

Invariants:
- `tactic` runs on the member that can start it soonest: a member already holding the state
  (or its copy) costs its queue; any other costs its queue plus one transfer. Ties go to
  the least loaded member, so a state's copies spread before they are needed twice.
- Outcomes carry states owned by the member that ran them; every later use of such a
  state elsewhere goes through `LeanRepl.adopt` (a cached copy), never a foreign id.
- Members join once their header is imported (`add`); a request never waits for one.
- `command` runs on every member at once (members are idle when a request starts): the
  primary's result is returned and the others' products are recorded as its copies, so a
  probe's or a root's state is native everywhere for one request's wall time, not two.
- `prefetch` only starts copies (e.g. of the node a search expands next, while the model
  samples its tactics); a failed prefetch is retried, and raises, at the state's real use.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from prover_core.errors import LeanstepError
from prover_core.lean.repl import LeanRepl
from prover_core.types import CommandResult, Env, ProofState, TacticOutcome

Transfer = Literal["replay", "pickle"]


class TacticRunner(Protocol):
    """What a search needs from Lean: one tactic on one state (a `LeanRepl` or a group)."""

    async def tactic(
        self, state: ProofState, tactic: str, *, timeout: float | None = None
    ) -> TacticOutcome: ...


class ProcessGroup:
    def __init__(
        self,
        primary: LeanRepl,
        env: Env,
        *,
        transfer: Transfer = "replay",
        pickle_dir: Path | None = None,
    ) -> None:
        if transfer == "pickle" and pickle_dir is None:
            raise ValueError("pickle transfers need a directory for the pickle files")
        self._members: list[LeanRepl] = [primary]
        self._envs: list[Env] = [env]
        self._load: dict[int, int] = {id(primary): 0}
        self._pickle_dir = pickle_dir if transfer == "pickle" else None
        self._prefetches: set[asyncio.Future[ProofState]] = set()

    @property
    def members(self) -> Sequence[LeanRepl]:
        return tuple(self._members)

    def add(self, repl: LeanRepl, env: Env) -> None:
        """A member holding the same header, `env` being that header's environment there."""
        if any(m is repl for m in self._members):
            return
        for other, other_env in zip(self._members, self._envs, strict=True):
            repl.alias(other_env, env)
            other.alias(env, other_env)
        self._members.append(repl)
        self._envs.append(env)
        self._load[id(repl)] = 0

    def split(self, k: int) -> list[ProcessGroup]:
        """`k` groups over the current members, disjoint while there are enough of them
        (member j goes to group j mod k); with fewer, groups share members round-robin."""
        parts: list[ProcessGroup] = []
        for i in range(k):
            picked = list(range(i, len(self._members), k)) or [i % len(self._members)]
            group = ProcessGroup(
                self._members[picked[0]],
                self._envs[picked[0]],
                transfer="pickle" if self._pickle_dir is not None else "replay",
                pickle_dir=self._pickle_dir,
            )
            for j in picked[1:]:
                group.add(self._members[j], self._envs[j])
            parts.append(group)
        return parts

    def _choose(self, state: ProofState, extra: dict[int, int] | None = None) -> LeanRepl:
        def cost(m: LeanRepl) -> tuple[int, int]:
            load = self._load[id(m)] + (extra or {}).get(id(m), 0)
            return (load + (0 if m.has_copy(state) else 1), load)

        return min(self._members, key=cost)

    async def command(
        self, cmd: str, env: Env | None = None, *, all_tactics: bool = False
    ) -> CommandResult:
        """`LeanRepl.command` on the primary, run at once on the other members too. A
        member's failure only loses its copies (the state's real use there retries and
        raises, as after a failed prefetch); the primary's failure is the request's."""
        primary, others = self._members[0], self._members[1:]
        copies = [asyncio.ensure_future(self._on(m, cmd, env, all_tactics)) for m in others]
        try:
            result = await self._on(primary, cmd, env, all_tactics)
        except BaseException:
            for task in copies:
                task.cancel()
            await asyncio.gather(*copies, return_exceptions=True)
            raise
        for member, task in zip(others, copies, strict=True):
            try:
                theirs = await task
            except (LeanstepError, OSError):
                continue  # no copies there: a later use adopts (and reports) as usual
            _record_products(member, result, theirs)
        return result

    async def _on(
        self, member: LeanRepl, cmd: str, env: Env | None, all_tactics: bool
    ) -> CommandResult:
        self._load[id(member)] += 1
        try:
            own = await member.adopt(env) if env is not None else None
            return await member.command(cmd, own, all_tactics=all_tactics)
        finally:
            self._load[id(member)] -= 1

    def prefetch(self, state: ProofState, tactics: int) -> None:
        """Start copying `state` to the members that `tactics` tactics on it would use now."""
        planned: dict[int, int] = {}
        for _ in range(tactics):
            member = self._choose(state, planned)
            planned[id(member)] = planned.get(id(member), 0) + 1
            if not member.has_copy(state):
                task = asyncio.ensure_future(member.adopt(state, pickle_dir=self._pickle_dir))
                self._prefetches.add(task)
                task.add_done_callback(self._prefetch_done)

    def _prefetch_done(self, task: asyncio.Future[ProofState]) -> None:
        self._prefetches.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved here; the state's real use retries and raises

    async def aclose(self) -> None:
        """Cancel prefetches still running (their copies are not needed any more)."""
        for task in list(self._prefetches):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._prefetches, return_exceptions=True)

    async def tactic(
        self, state: ProofState, tactic: str, *, timeout: float | None = None
    ) -> TacticOutcome:
        member = self._choose(state)
        self._load[id(member)] += 1
        try:
            own = await member.adopt(state, pickle_dir=self._pickle_dir)
            return await member.tactic(own, tactic, timeout=timeout)
        finally:
            self._load[id(member)] -= 1


def _record_products(member: LeanRepl, ours: CommandResult, theirs: CommandResult) -> None:
    """Record `theirs` (the same command run on `member`) as copies of `ours`, product by
    product, where both report the same goals at the same place."""
    member.record_copy(ours.env, theirs.env)
    if len(ours.sorries) == len(theirs.sorries):
        for a, b in zip(ours.sorries, theirs.sorries, strict=True):
            if a.pos == b.pos and a.state.goals == b.state.goals:
                member.record_copy(a.state, b.state)
    if len(ours.tactics) == len(theirs.tactics):
        for x, y in zip(ours.tactics, theirs.tactics, strict=True):
            if x.pos == y.pos and x.state and y.state and x.state.goals == y.state.goals:
                member.record_copy(x.state, y.state)
