"""Replays the real-Lean REPL transcripts that stay inside the propositional fragment, and
checks our JSON rendering against every real response, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prover_core.propositional.jsonfmt import render_json
from prover_core.propositional.repl import Repl

from .conftest import fixtures_dir

FIXTURES = fixtures_dir()
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="REPL transcripts not available")

# transcripts whose every request is propositional logic
PROPOSITIONAL = ["proof_branching", "proof_branching2", "all_tactics-20250622"]


def _chunks(path: Path) -> list[str]:
    return [c.strip("\n") for c in path.read_text(encoding="utf-8").split("\n\n") if c.strip()]


@pytest.mark.parametrize("name", PROPOSITIONAL)
def test_transcript_replays_exactly(name: str) -> None:
    requests = _chunks(FIXTURES / f"{name}.in")
    expected = _chunks(FIXTURES / f"{name}.expected.out")
    repl = Repl()
    got = [render_json(repl.handle(json.loads(r))) for r in requests]
    assert got == expected


def test_json_rendering_matches_every_real_response() -> None:
    n = 0
    for path in sorted(FIXTURES.glob("*.expected.out")):
        for chunk in _chunks(path):
            try:
                value = json.loads(chunk)
            except json.JSONDecodeError:
                continue
            assert render_json(value) == chunk, path.name
            n += 1
    assert n > 100


def test_tactic_mode_error_shapes_mirror_lean() -> None:
    # invalid_tactic / unknown_tactic / unknown_proof_state, on a propositional statement
    repl = Repl()
    r = repl.handle({"cmd": "theorem my_theorem (x : Prop) (hx : x) : x := by sorry"})
    assert r["sorries"][0]["proofState"] == 0
    r = repl.handle({"tactic": "exact my_fake_premise", "proofState": 0})
    assert r == {
        "proofStatus": "Incomplete: contains sorry",
        "proofState": 1,
        "messages": [
            {
                "severity": "error",
                "pos": {"line": 0, "column": 0},
                "endPos": {"line": 0, "column": 0},
                "data": "Unknown identifier `my_fake_premise`",
            }
        ],
        "goals": [],
    }
    assert repl.handle({"tactic": "exat 42", "proofState": 0}) == {
        "message": "Lean error:\n<input>:1:1: unknown tactic"
    }
    assert repl.handle({"tactic": "exact hx", "proofState": 7}) == {
        "message": "Unknown proof state."
    }
    assert repl.handle({"cmd": "example : True := trivial", "env": 5}) == {
        "message": "Unknown environment."
    }
