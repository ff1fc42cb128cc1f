"""Evaluation: pass@K under a fixed search budget (P × W × N), with a per-problem log.

Invariants: a problem counts as proved iff one of its attempts found a proof (and, with
verification on, that proof passed the sound check); the report is computed from the
per-problem rows alone, so `results.jsonl` and `report.md` never disagree.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prover_core.config import LeanConfig
from training.config import SearchStage
from training.generate import Attempt, ChunkProver, generate_proofs
from training.problems import Problem
from training.records import atomic_write_json, atomic_write_jsonl, atomic_write_text
from training.results import EvalSummary


@dataclass(frozen=True)
class ProblemResult:
    name: str
    difficulty: int | None
    proved: bool
    attempts: int  # attempts run (later ones stop once proved)
    proof: list[str] | None
    verified: bool | None  # None: not checked
    wall_s: float
    expansions: int
    tactics_run: int
    tokens: int
    status: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def verify_attempt(lean: LeanConfig, problem: Problem, proof: Sequence[str]) -> bool:
    from prover_core.lean.verify import verify_proof

    body = "by\n" + "".join(f"  {t}\n" for t in proof)
    verdict = await verify_proof(lean, problem.header, problem.head, body)
    return verdict.ok


async def evaluate(
    prover: ChunkProver,
    problems: Sequence[Problem],
    budget: SearchStage,
    seed: int,
    out_dir: Path,
    verify: LeanConfig | None = None,
) -> list[ProblemResult]:
    """Run the attempts (resumable under `out_dir/chunks`), write `results.jsonl`."""
    by_problem = await generate_proofs(prover, problems, budget, seed, out_dir / "chunks")
    rows = []
    for p, attempts in zip(problems, by_problem, strict=True):
        won: Attempt | None = next((a for a in attempts if a.proved), None)
        verified = None
        if won is not None and verify is not None:
            verified = await verify_attempt(verify, p, won.proof or [])
        rows.append(
            ProblemResult(
                name=p.name,
                difficulty=p.difficulty,
                proved=won is not None and verified is not False,
                attempts=len(attempts),
                proof=won.proof if won is not None else None,
                verified=verified,
                wall_s=sum(a.wall_s for a in attempts),
                expansions=sum(a.expansions for a in attempts),
                tactics_run=sum(a.tactics_run for a in attempts),
                tokens=sum(a.tokens for a in attempts),
                status=(won or attempts[-1]).status,
            )
        )
    atomic_write_jsonl(out_dir / "results.jsonl", (r.to_json() for r in rows))
    return rows


def summarize(rows: Sequence[ProblemResult], budget: SearchStage, verified: bool) -> EvalSummary:
    n = len(rows)
    proved = sum(r.proved for r in rows)
    walls = [r.wall_s for r in rows] or [0.0]
    by_diff: dict[str, list[int]] = {}
    for r in rows:
        cell = by_diff.setdefault(str(r.difficulty), [0, 0])
        cell[0] += r.proved
        cell[1] += 1
    return EvalSummary(
        problems=n,
        proved=proved,
        pass_rate=proved / n if n else 0.0,
        budget=budget.notation,
        pass_at=budget.attempts,
        errors=sum(r.status == "error" for r in rows),
        unverified=sum(r.verified is False for r in rows),
        verified=verified,
        search_s_total=sum(walls),
        search_s_mean=statistics.fmean(walls),
        search_s_median=statistics.median(walls),
        expansions=sum(r.expansions for r in rows),
        tactics_run=sum(r.tactics_run for r in rows),
        tokens=sum(r.tokens for r in rows),
        tokens_per_problem=sum(r.tokens for r in rows) / n if n else 0.0,
        by_difficulty={k: {"proved": v[0], "of": v[1]} for k, v in sorted(by_diff.items())},
    )


def render_report(s: EvalSummary, title: str, wall_s: float | None = None) -> str:
    checked = "every proof re-checked by the sound verifier" if s.verified else "not verified"
    lines = [
        f"# {title}",
        "",
        f"pass@{s.pass_at} = **{s.proved}/{s.problems} = {100 * s.pass_rate:.1f}%**"
        f" with budget {s.budget} (attempts × width × expansions); {checked}",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| statements that did not elaborate | {s.errors} |",
        f"| proofs rejected by the verifier | {s.unverified} |",
        f"| search time, total / mean / median per problem (s) | {s.search_s_total:.1f} / "
        f"{s.search_s_mean:.2f} / {s.search_s_median:.2f} |",
        f"| expansions | {s.expansions} |",
        f"| tactics run in the REPL | {s.tactics_run} |",
        f"| tokens sampled (total / per problem) | {s.tokens} / {s.tokens_per_problem:.0f} |",
    ]
    if wall_s is not None:
        lines.append(f"| wall time of the evaluation (s) | {wall_s:.1f} |")
    if len(s.by_difficulty) > 1:
        lines += ["", "| difficulty | proved | of | rate |", "| --- | --- | --- | --- |"]
        for k, v in s.by_difficulty.items():
            lines.append(
                f"| {k} | {v['proved']} | {v['of']} | {100 * v['proved'] / v['of']:.0f}% |"
            )
    return "\n".join(lines) + "\n"


def write_report(
    rows: Sequence[ProblemResult],
    budget: SearchStage,
    out_dir: Path,
    title: str,
    *,
    verified: bool,
    wall_s: float | None = None,
) -> EvalSummary:
    summary = summarize(rows, budget, verified)
    atomic_write_json(out_dir / "summary.json", summary.to_json())
    atomic_write_text(out_dir / "report.md", render_report(summary, title, wall_s))
    return summary
