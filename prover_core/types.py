"""Frozen value types shared across leanstep.

Proof states are opaque handles: only the REPL session that issued one may resolve it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeGuard

Severity = Literal["error", "warning", "info", "trace"]


@dataclass(frozen=True, slots=True)
class Position:
    """A Lean position: 1-based line, 0-based column (codepoints), as the REPL reports."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Message:
    severity: Severity
    data: str
    pos: Position | None = None
    end_pos: Position | None = None


@dataclass(frozen=True, eq=False)
class ProofState:
    """A handle to a proof state living in one REPL session, with its pretty-printed goals.

    `goals` is Lean's rendering, one string per goal. The handle's identity is what the
    issuing session resolves; equality is identity. Weak references to it are allowed
    (the session forgets how to restore a state once no caller holds it).
    """

    goals: tuple[str, ...]
    owner: object = field(repr=False)
    # An interior state sits inside a larger proof (a tactic of a file, a `sorry` inside a
    # tactic): Lean reports "contains metavariable(s)" rather than `Completed` once its own
    # goals are closed, because the rest of the enclosing proof is not part of it.
    interior: bool = False

    @property
    def text(self) -> str:
        """The whole state as the policy sees it: goals separated by blank lines."""
        return "\n\n".join(self.goals)


@dataclass(frozen=True, eq=False)
class Env:
    """A handle to a Lean environment (after a header or a command) in one REPL session."""

    owner: object = field(repr=False)


@dataclass(frozen=True, slots=True)
class Sorry:
    state: ProofState
    goal: str
    pos: Position | None
    end_pos: Position | None


@dataclass(frozen=True, slots=True)
class TacticRecord:
    """One tactic of a file with the state before it (the REPL's `allTactics`)."""

    tactic: str
    goals_before: str
    pos: Position | None
    end_pos: Position | None
    state: ProofState | None
    used_constants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandResult:
    env: Env
    messages: tuple[Message, ...]
    sorries: tuple[Sorry, ...]
    tactics: tuple[TacticRecord, ...] = ()
    infotree: object | None = None

    @property
    def errors(self) -> tuple[Message, ...]:
        return tuple(m for m in self.messages if m.severity == "error")


@dataclass(frozen=True, slots=True)
class Proved:
    """The tactic closed every goal of the state, with no error message: Lean reported
    `Completed` (root states), or — for an interior state only — no goal, no sorry and
    "contains metavariable(s)" (the enclosing proof's other goals). Interior results are
    trusted only after the assembled proof passes `verify_proof`."""

    state: ProofState
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True, slots=True)
class Advanced:
    """The tactic elaborated without error and left goals (or `sorry`-closed subgoals).

    `sorries` are the states of `sorry`s the tactic itself contained (e.g. a skeleton
    `have h : P := sorry`); a state with sorries is never a proof.
    """

    state: ProofState
    messages: tuple[Message, ...] = ()
    sorries: tuple[Sorry, ...] = ()

    @property
    def goals(self) -> tuple[str, ...]:
        return self.state.goals


@dataclass(frozen=True, slots=True)
class TacticFailed:
    """The tactic did not elaborate (or left an unusable state); `message` is Lean's text."""

    message: str
    proof_status: str | None = None


TacticOutcome = Proved | Advanced | TacticFailed

# The one outcome vocabulary, from the REPL layer to the wire: `Proved` → "proved",
# a clean `Advanced` → "advanced", anything else → "failed".
OutcomeName = Literal["proved", "advanced", "failed"]


def is_clean_advance(outcome: object) -> TypeGuard[Advanced]:
    """The one classifier for progress a proof may build on: an `Advanced` that left no
    `sorry` (an `Advanced` with sorries is never part of a proof)."""
    return isinstance(outcome, Advanced) and not outcome.sorries


RefusalKind = Literal[
    "bad_request",  # the request itself is invalid (position outside the text, `n` over the cap)
    "no_goal",  # no proof state at the position
    "no_theorem",  # no declaration found (by name or at the position)
    "no_sorry",  # the declaration has no `sorry` to work on, or the cursor is not on one
    "not_elaborating",  # the declaration does not elaborate, so there is nothing to work from
    "not_configured",  # a component the request needs is not configured
]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the service could not serve a request: a value in its result, never an exception.
    `message` is plain words for the user."""

    kind: RefusalKind
    message: str


@dataclass(frozen=True, slots=True)
class TacticCandidate:
    """A tactic proposed by the policy with its raw cumulative log-prob and token count."""

    text: str
    logprob: float
    n_tokens: int

    @property
    def score(self) -> float:
        """Mean per-token log-probability (ALGORITHMS.md)."""
        return self.logprob / max(self.n_tokens, 1)
