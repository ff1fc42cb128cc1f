"""(state, tactic) pairs of a Lean file, via the REPL's `allTactics` file mode."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prover_core.lean.repl import LeanRepl


@dataclass(frozen=True, slots=True)
class TacticPair:
    file: str
    line: int | None
    column: int | None
    state: str  # the goals before the tactic, as Lean prints them
    tactic: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def extract_file(repl: LeanRepl, path: Path) -> list[TacticPair]:
    """Every tactic of `path` with the state before it; files with errors still yield the
    tactics Lean elaborated. The REPL reads the file itself (run it in the project dir)."""
    result = await repl.file(path, all_tactics=True)
    return [
        TacticPair(
            file=str(path),
            line=t.pos.line if t.pos else None,
            column=t.pos.column if t.pos else None,
            state=t.goals_before,
            tactic=t.tactic,
        )
        for t in result.tactics
        if t.goals_before and t.tactic.strip()
    ]
