"""The `leanstep` command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.cli import run_async as run
from tests.support.cli import write_project
from tests.support.scripted_openai import scripted_openai

FILE = """theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry

theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  constructor
  \n  exact hq
"""


def policy(state: str) -> Sequence[tuple[str, float]]:
    goal = state.split("⊢")[1].split("\n")[0].strip()
    return {"q ∧ p": [("exact ⟨h.2, h.1⟩", -0.3)], "p": [("exact hp", -0.1)]}.get(
        goal, [("exact hq", -1.0)]
    )


async def test_screen_exit_codes(tmp_path: Path) -> None:
    clean, dirty = tmp_path / "a.lean", tmp_path / "b.lean"
    clean.write_text("by\n  exact h -- sorry in a comment\n")
    dirty.write_text("by\n  sorry\n")
    assert (await run("screen", str(clean)))[0] == 0
    code, out, _ = await run("screen", str(dirty))
    assert code == 1 and out.strip().startswith(f"{dirty}:2:2: sorry — ")
    assert (await run("screen", str(tmp_path / "missing.lean")))[0] == 2


async def test_corpus(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    code, stdout, _ = await run("corpus", "propositional", "--n", "5", "--seed", "1",
                                "--out", str(out))  # fmt: skip
    assert code == 0 and "wrote 5" in stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"name", "split", "formal_statement", "goal", "header", "proof"} <= set(records[0])


async def test_prove_write_and_verify(tmp_path: Path) -> None:
    async with scripted_openai(policy) as server:
        path = write_project(tmp_path, server.url, FILE.encode(), 20)
        code, out, err = await run("prove", str(path), "--theorem", "u", "--write",
                                   cwd=tmp_path)  # fmt: skip
    assert code == 0, err
    assert "proved and verified" in out
    new = path.read_text()
    assert "  exact ⟨h.2, h.1⟩" in new and new.count("sorry") == 0
    assert (tmp_path / "Demo.lean.bak").read_text() == FILE
    code, out, _ = await run("verify", str(path), "--theorem", "u", cwd=tmp_path)
    assert code == 0 and json.loads(out)["ok"]


async def test_prove_writes_nothing_without_a_proof(tmp_path: Path) -> None:
    async with scripted_openai(lambda s: [("exact hq", -1.0)]) as server:
        path = write_project(tmp_path, server.url, FILE.encode(), 20)
        code, out, _ = await run("prove", str(path), "--theorem", "u", "--write", "--json",
                                 cwd=tmp_path)  # fmt: skip
    assert code == 1 and not json.loads(out)["proved"]
    assert path.read_text() == FILE and not (tmp_path / "Demo.lean.bak").exists()


async def test_suggest_json(tmp_path: Path) -> None:
    async with scripted_openai(policy) as server:
        path = write_project(tmp_path, server.url, FILE.encode(), 20)
        code, out, err = await run("suggest", str(path), "--line", "6", "--col", "2", "-n", "2",
                                   "--json", cwd=tmp_path)  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["goal"].startswith("case left")
    assert res["suggestions"][0]["tactic"] == "exact hp"
    assert res["suggestions"][0]["outcome"] == "advanced"


async def test_config_typo_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "leanstep.toml").write_text("[search]\nexpansion = 3\n")
    (tmp_path / "x.lean").write_text(FILE)
    code, _, err = await run("suggest", str(tmp_path / "x.lean"), "--line", "2", "--col", "2",
                             cwd=tmp_path)  # fmt: skip
    assert code == 2 and "search.expansion: unknown key" in err


@pytest.mark.parametrize("args", [["prove", "nope.lean", "--theorem", "x"], ["serve"]])
async def test_bad_invocations_fail_cleanly(tmp_path: Path, args: list[str]) -> None:
    code, _, err = await run(*args, cwd=tmp_path)
    assert code == 2 and "Traceback" not in err
