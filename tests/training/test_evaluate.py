"""Evaluation on the stand-in with a scripted policy: pass@K counts, report, resumption."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

from prover_core.config import SearchConfig
from prover_core.lean.pool import ReplPool
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config
from training.config import SearchStage
from training.evaluate import evaluate, render_report, summarize, write_report
from training.extract import corpus_records
from training.generate import LocalProver
from training.problems import load_problems
from training.records import Record


def oracle(records: Sequence[Record]) -> ScriptedPolicy:
    """Answers each known state with its reference tactic (plus junk); unknown: junk only."""
    known = {r.state: r.tactic for r in records}

    def script(state: str) -> list[tuple[str, float]]:
        junk = [("exact absurd", -3.0), ("left", -2.5)]
        if state in known:
            return [(known[state], -0.2), *junk]
        return junk

    return ScriptedPolicy(script)


BUDGET = SearchStage(
    attempts=2, search=SearchConfig(width=3, expansions=12), temperature=1.0, concurrency=5
)


def _run(corpus: Path, out: Path, known_every: int = 2, verify: bool = False):
    problems = load_problems(corpus, "valid")[:12]
    lean = standin_config()
    known = asyncio.run(corpus_records(problems[::known_every], lean))

    async def go():
        pool = ReplPool(lean)
        try:
            prover = LocalProver(oracle(known), pool, BUDGET)
            return await evaluate(prover, problems, BUDGET, 0, out, lean if verify else None)
        finally:
            await pool.close()

    return problems, {r.theorem for r in known}, asyncio.run(go())


def test_pass_at_k_and_report_agree_with_the_rows(corpus: Path, tmp_path: Path) -> None:
    problems, known, rows = _run(corpus, tmp_path, verify=True)
    assert [r.name for r in rows] == [p.name for p in problems]  # problem order kept
    proved = {r.name for r in rows if r.proved}
    assert known <= proved  # the oracle's theorems are proved (and verified)
    assert all(r.verified for r in rows if r.proved)
    # attempts stop once a problem is proved
    assert all(r.attempts == 1 for r in rows if r.name in known)
    assert all(r.attempts == 2 and r.proof is None for r in rows if not r.proved)
    summary = write_report(rows, BUDGET, tmp_path, "scripted", verified=True)
    assert summary.proved == len(proved)
    assert summary.pass_rate == len(proved) / len(problems)
    assert summary.budget == "2 × 3 × 12"
    on_disk = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sum(r["proved"] for r in on_disk) == summary.proved
    report = (tmp_path / "report.md").read_text()
    assert f"{summary.proved}/{len(problems)}" in report and "2 × 3 × 12" in report
    assert "re-checked by the sound verifier" in report
    assert summary.tokens == sum(r.tokens for r in rows) > 0


def test_rerun_reuses_finished_chunks(corpus: Path, tmp_path: Path) -> None:
    _, _, first = _run(corpus, tmp_path)
    chunks = sorted((tmp_path / "chunks").iterdir())
    stamps = [c.stat().st_mtime_ns for c in chunks]
    _, _, second = _run(corpus, tmp_path)
    assert [c.stat().st_mtime_ns for c in sorted((tmp_path / "chunks").iterdir())] == stamps
    assert [r.proved for r in first] == [r.proved for r in second]


def test_report_renders_difficulty_table() -> None:
    from training.evaluate import ProblemResult

    rows = [
        ProblemResult("a", 1, True, 1, ["trivial"], None, 0.1, 1, 1, 4, "proved"),
        ProblemResult("b", 2, False, 1, None, None, 0.3, 5, 9, 20, "exhausted"),
    ]
    s = summarize(rows, SearchStage(search=SearchConfig(width=2, expansions=5)), verified=False)
    text = render_report(s, "t")
    assert "pass@1 = **1/2 = 50.0%**" in text and "| 2 | 0 | 1 | 0% |" in text
