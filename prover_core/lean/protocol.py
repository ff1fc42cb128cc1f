"""The leanprover-community/repl wire format: framing and tolerant parsing of responses.

Requests are one JSON object followed by a blank line. A response is (pretty-printed,
possibly multi-line) JSON followed by a blank line. Unknown keys are ignored: forks add keys.
Outcomes are decided from structure (`proofStatus`, message severities), never message text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prover_core.errors import LeanProtocolError
from prover_core.types import Message, Position, Severity

COMPLETED = "Completed"
INCOMPLETE_MVARS = "Incomplete: contains metavariable"
_SEVERITIES: frozenset[str] = frozenset({"error", "warning", "info", "trace"})


def encode(request: Mapping[str, Any]) -> bytes:
    """One request on the wire. JSON-encoding keeps newlines inside strings intact."""
    return (json.dumps(request, ensure_ascii=False) + "\n\n").encode()


def decode(raw: str) -> dict[str, Any]:
    """Parse one framed response; anything but a JSON object is a protocol error."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as e:
        raise LeanProtocolError(f"REPL answered non-JSON: {raw[:200]!r}") from e
    if not isinstance(obj, dict):
        raise LeanProtocolError(f"REPL answered a JSON {type(obj).__name__}, not an object")
    return obj


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LeanProtocolError(f"response field {key!r} is not an integer: {value!r}")
    return value


def parse_position(value: Any) -> Position | None:
    if not isinstance(value, Mapping):
        return None
    line, column = value.get("line"), value.get("column")
    if isinstance(line, int) and isinstance(column, int):
        return Position(line, column)
    return None


def parse_messages(obj: Mapping[str, Any]) -> tuple[Message, ...]:
    out = []
    for m in obj.get("messages") or ():
        if not isinstance(m, Mapping):
            raise LeanProtocolError(f"malformed message entry: {m!r}")
        sev = m.get("severity")
        severity: Severity = sev if sev in _SEVERITIES else "error"
        data = m.get("data")
        out.append(
            Message(
                severity=severity,
                data=data if isinstance(data, str) else json.dumps(data),
                pos=parse_position(m.get("pos")),
                end_pos=parse_position(m.get("endPos")),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class RawSorry:
    proof_state: int
    goal: str
    pos: Position | None
    end_pos: Position | None


def parse_sorries(obj: Mapping[str, Any]) -> tuple[RawSorry, ...]:
    out = []
    for s in obj.get("sorries") or ():
        if not isinstance(s, Mapping):
            raise LeanProtocolError(f"malformed sorry entry: {s!r}")
        goal = s.get("goal")
        out.append(
            RawSorry(
                proof_state=_int(s, "proofState"),
                goal=goal if isinstance(goal, str) else "",
                pos=parse_position(s.get("pos")),
                end_pos=parse_position(s.get("endPos")),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class RawTactic:
    tactic: str
    goals: str
    proof_state: int | None
    pos: Position | None
    end_pos: Position | None
    used_constants: tuple[str, ...]


def parse_tactics(obj: Mapping[str, Any]) -> tuple[RawTactic, ...]:
    out = []
    for t in obj.get("tactics") or ():
        if not isinstance(t, Mapping) or not isinstance(t.get("tactic"), str):
            raise LeanProtocolError(f"malformed tactic entry: {t!r}")
        ps = t.get("proofState")
        used = t.get("usedConstants") or ()
        goals = t.get("goals")
        out.append(
            RawTactic(
                tactic=t["tactic"],
                goals=goals if isinstance(goals, str) else "",
                proof_state=ps if isinstance(ps, int) and not isinstance(ps, bool) else None,
                pos=parse_position(t.get("pos")),
                end_pos=parse_position(t.get("endPos")),
                used_constants=tuple(c for c in used if isinstance(c, str)),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class RawCommand:
    env: int
    messages: tuple[Message, ...]
    sorries: tuple[RawSorry, ...]
    tactics: tuple[RawTactic, ...]
    infotree: object | None


@dataclass(frozen=True, slots=True)
class RawTacticResult:
    proof_state: int
    goals: tuple[str, ...]
    proof_status: str | None
    messages: tuple[Message, ...]
    sorries: tuple[RawSorry, ...]

    @property
    def has_error(self) -> bool:
        return any(m.severity == "error" for m in self.messages)

    @property
    def completed(self) -> bool:
        """A proof only when Lean says `Completed` and no message is an error (LEAN.md)."""
        return self.proof_status == COMPLETED and not self.has_error

    @property
    def closed_inside(self) -> bool:
        """No goal, sorry or error left, only the enclosing proof's metavariables: what an
        interior state reports once its own goals are closed."""
        return (
            not self.goals
            and not self.sorries
            and not self.has_error
            and (self.proof_status or "").startswith(INCOMPLETE_MVARS)
        )


@dataclass(frozen=True, slots=True)
class ReplFailure:
    """The REPL's `{"message": ...}` answer: the request was refused as a whole."""

    message: str

    @property
    def lean_message(self) -> str:
        """Lean's own text, without the REPL's `Lean error:` header."""
        return self.message.removeprefix("Lean error:").strip() or self.message

    @property
    def is_lean_error(self) -> bool:
        """Lean rejected the input (parse or elaboration), as opposed to a bad handle."""
        return self.message.startswith("Lean error")


def failure_of(obj: Mapping[str, Any]) -> ReplFailure | None:
    if "message" in obj and "env" not in obj and "proofState" not in obj:
        msg = obj["message"]
        return ReplFailure(msg if isinstance(msg, str) else json.dumps(msg))
    return None


def parse_command(obj: Mapping[str, Any]) -> RawCommand:
    return RawCommand(
        env=_int(obj, "env"),
        messages=parse_messages(obj),
        sorries=parse_sorries(obj),
        tactics=parse_tactics(obj),
        infotree=obj.get("infotree"),
    )


def parse_tactic_result(obj: Mapping[str, Any]) -> RawTacticResult:
    goals = obj.get("goals") or []
    if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
        raise LeanProtocolError(f"malformed goals: {goals!r}")
    status = obj.get("proofStatus")
    return RawTacticResult(
        proof_state=_int(obj, "proofState"),
        goals=tuple(goals),
        proof_status=status if isinstance(status, str) else None,
        messages=parse_messages(obj),
        sorries=parse_sorries(obj),
    )
