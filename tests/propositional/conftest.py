"""Shared helpers for the stand-in REPL tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from prover_core.propositional.repl import Repl  # noqa: E402


def fixtures_dir() -> Path:
    """The real-Lean REPL transcripts (never copied into the repo)."""
    override = os.environ.get("LEANSTEP_REPL_FIXTURES")
    return Path(override) if override else ROOT.parent / "shared" / "fixtures" / "lean-repl"


class Session:
    """A REPL with shortcuts: `cmd` and `tac` return the response objects."""

    def __init__(self) -> None:
        self.repl = Repl()

    def cmd(self, src: str, **kw: Any) -> dict[str, Any]:
        return self.repl.handle({"cmd": src, **kw})

    def tac(self, tactic: str, state: int) -> dict[str, Any]:
        return self.repl.handle({"tactic": tactic, "proofState": state})

    def state(self, statement: str) -> int:
        """Proof state of `statement := by sorry` (its only sorry)."""
        r = self.cmd(statement + " := by sorry")
        assert [m["severity"] for m in r.get("messages", [])] == ["warning"], r
        return int(r["sorries"][0]["proofState"])

    def goals_after(self, statement: str, *tactics: str) -> list[str]:
        s = self.state(statement)
        r: dict[str, Any] = {}
        for t in tactics:
            r = self.tac(t, s)
            assert "proofState" in r, r
            s = r["proofState"]
        return list(r["goals"])


@pytest.fixture
def repl() -> Session:
    return Session()


def errors(resp: dict[str, Any]) -> list[str]:
    return [m["data"] for m in resp.get("messages", []) if m["severity"] == "error"]


def proves(resp: dict[str, Any]) -> bool:
    """A command response that proves its declarations: no error, no sorry."""
    return (
        not errors(resp)
        and "sorries" not in resp
        and not any("sorry" in m["data"] for m in resp.get("messages", []))
    )
