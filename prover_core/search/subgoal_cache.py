"""The shared subgoal cache of the planner-prover (in-process, async-safe).

Invariants: keys are (theorem, subgoal statement with whitespace normalised); the first proof
written for a key wins and later writes are ignored; an entry is re-verified by replaying it
on the caller's state before reuse (`replay_proof`), so a stale entry is never trusted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from prover_core.lean.repl import LeanRepl
from prover_core.types import ProofState, Proved, is_clean_advance


def subgoal_key(theorem: str, statement: str) -> tuple[str, str]:
    return (" ".join(theorem.split()), " ".join(statement.split()))


@dataclass
class SubgoalCache:
    _proofs: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    _events: dict[tuple[str, str], asyncio.Event] = field(default_factory=dict)
    hits: int = 0

    def get(self, theorem: str, statement: str) -> tuple[str, ...] | None:
        return self._proofs.get(subgoal_key(theorem, statement))

    def put(self, theorem: str, statement: str, proof: Sequence[str]) -> bool:
        """Record a proof; True if it is the first for this subgoal (it then wins)."""
        key = subgoal_key(theorem, statement)
        if key in self._proofs:
            return False
        self._proofs[key] = tuple(proof)
        self.event(theorem, statement).set()
        return True

    def discard(self, theorem: str, statement: str) -> None:
        """Forget an entry that failed re-verification (its event too, so agents can win)."""
        key = subgoal_key(theorem, statement)
        self._proofs.pop(key, None)
        self._events.pop(key, None)

    def event(self, theorem: str, statement: str) -> asyncio.Event:
        """Set once the subgoal has a proof: agents wait on it to stop early."""
        return self._events.setdefault(subgoal_key(theorem, statement), asyncio.Event())

    def __len__(self) -> int:
        return len(self._proofs)


async def replay_proof(repl: LeanRepl, state: ProofState, proof: Sequence[str]) -> bool:
    """Whether running `proof` tactic by tactic from `state` ends in `Proved`."""
    current = state
    for i, tactic in enumerate(proof):
        outcome = await repl.tactic(current, tactic)
        if isinstance(outcome, Proved):
            return i == len(proof) - 1
        if not is_clean_advance(outcome):
            return False
        current = outcome.state
    return False
