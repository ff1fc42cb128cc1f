"""Several REPL sessions holding one header, used as one: a request's tactics run at once.

Invariants:
- `tactic` runs on the member that can start it soonest: a member already holding the state
  (or its copy) costs its queue; any other costs its queue plus one transfer. Ties go to
  the least loaded member, so a state's copies spread before they are needed twice.
- Outcomes carry states owned by the member that ran them; every later use of such a
  state elsewhere goes through `LeanRepl.adopt` (a cached copy), never a foreign id.
- Members join once their header is imported (`add`); a request never waits for one.
- `prefetch` only starts copies (e.g. of the node a search expands next, while the model
  samples its tactics); a failed prefetch is retried, and raises, at the state's real use.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from prover_core.lean.repl import LeanRepl
from prover_core.types import Env, ProofState, TacticOutcome

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
