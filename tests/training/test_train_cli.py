"""The training commands through Typer: help, extract (corpus, Lean project), eval."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from training.cli import parse_budget, register
from training.problems import load_problems

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_help_lists_the_commands() -> None:
    result = runner.invoke(_app(), ["--help"])
    assert result.exit_code == 0
    for name in ("train", "eval", "demo", "extract"):
        assert name in result.output


def test_budget_notation() -> None:
    assert parse_budget("4×64") == (4, 64) and parse_budget("8x600") == (8, 600)


def test_extract_replays_a_corpus(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "recs.jsonl"
    result = runner.invoke(
        _app(), ["extract", str(corpus), "--out", str(out), "--split", "test", "--standin"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    test_names = {p.name for p in load_problems(corpus, "test")}
    assert rows and {r["theorem"] for r in rows} <= test_names
    assert all(r["source"] == "corpus" for r in rows)


def test_extract_walks_a_lean_project(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    (proj / "Src").mkdir(parents=True)
    (proj / ".lake").mkdir()
    thm = (
        "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n"
        "  constructor\n  exact hp\n  exact hq\n"
    )
    (proj / "Src" / "A.lean").write_text(thm)
    (proj / ".lake" / "B.lean").write_text(thm.replace("theorem t", "theorem u"))
    (proj / "Src" / "Todo.lean").write_text("theorem todo (p : Prop) (hp : p) : p := by sorry\n")
    out = tmp_path / "pairs.jsonl"
    result = runner.invoke(_app(), ["extract", str(proj), "--out", str(out), "--standin"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["tactic"] for r in rows] == ["constructor", "exact hp", "exact hq"]
    assert all(r["theorem"].startswith("Src/A.lean:") for r in rows)
    todo = load_problems(proj)
    assert [p.name for p in todo] == ["todo"] and todo[0].root_command.endswith("sorry")


def test_eval_writes_results_and_report(corpus: Path, tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval"
    args = ["eval", "--model", str(tiny_model), "--problems", str(corpus), "--out", str(out)]
    args += ["--limit", "4", "--budget", "2x3", "--attempts", "2", "--standin", "--device", "cpu"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    summary = json.loads((out / "summary.json").read_text())
    assert len(rows) == 4 and summary["problems"] == 4
    assert summary["proved"] == sum(r["proved"] for r in rows)
    assert "pass@2" in result.output and "2 × 2 × 3" in (out / "report.md").read_text()


def test_extract_uses_the_configured_repl(corpus: Path, tmp_path: Path) -> None:
    """No --standin: the project's leanstep.toml decides the REPL (here a broken one)."""
    (tmp_path / "leanstep.toml").write_text('[lean]\nrepl_command = ["/nonexistent/repl"]\n')
    data = tmp_path / "corpus.jsonl"
    data.write_text(corpus.read_text())
    out = tmp_path / "recs.jsonl"
    result = runner.invoke(_app(), ["extract", str(data), "--out", str(out)])
    assert result.exit_code != 0 and not out.exists()
    assert "/nonexistent/repl" in str(result.exception)
    result = runner.invoke(_app(), ["extract", str(data), "--out", str(out), "--standin"])
    assert result.exit_code == 0, result.output
    assert out.read_text().strip()
