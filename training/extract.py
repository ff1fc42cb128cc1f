"""Seed data: (state, tactic) records from reference proofs, Lean projects, LeanDojo files.

- Reference proofs (the propositional corpus): the structured proof is flattened into one
  tactic per step (bullets dropped, `have h : T := by` becomes `have h : T`, which puts the
  goal for `T` first) and replayed in the REPL; each step's record holds the state the
  tactic ran on. A proof whose replay does not end in `Proved` yields no records.
- Lean projects: every `*.lean` file (outside `.lake/`) through the REPL's `allTactics` file
  mode, the REPL running in the project directory; tactics the screen flags (`sorry`,
  banned constructs) are left out.
- LeanDojo benchmark files (`train.json` of a traced repository): each theorem's
  `traced_tactics` (`state_before`, `tactic`); plain JSON, no `lean-dojo` import needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from prover_core.config import LeanConfig
from prover_core.lean.extract import extract_file
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.lean.screen import screen
from prover_core.types import Proved, is_clean_advance
from training.problems import Problem, lean_files
from training.records import Record, atomic_open


def flatten_proof(proof: str) -> list[str]:
    """Tactic lines of a structured proof as one linear tactic sequence."""
    out = []
    for line in proof.splitlines():
        tactic = line.strip()
        while tactic.startswith("·"):
            tactic = tactic[1:].strip()
        if tactic.endswith(":= by"):
            tactic = tactic[: -len(":= by")].rstrip()
        if tactic and not tactic.startswith("--"):
            out.append(tactic)
    return out


async def replay_reference(repl: LeanRepl, env: object, problem: Problem) -> list[Record]:
    """The reference proof's steps as records; [] when it does not replay to `Proved`."""
    if problem.proof is None:
        return []
    root = await repl.command(problem.root_command, env)  # type: ignore[arg-type]
    if root.errors or len(root.sorries) != 1:
        return []
    state = root.sorries[0].state
    records = []
    tactics = flatten_proof(problem.proof)
    for i, tactic in enumerate(tactics):
        records.append(Record(problem.name, state.text, tactic, source="corpus"))
        outcome = await repl.tactic(state, tactic)
        if isinstance(outcome, Proved):
            return records if i == len(tactics) - 1 else []
        if not is_clean_advance(outcome):
            return []
        state = outcome.state
    return []


async def corpus_records(problems: Sequence[Problem], lean: LeanConfig) -> list[Record]:
    """Records of every problem's reference proof, in problem order."""
    pool = ReplPool(lean)
    out: list[Record] = []
    try:
        for p in problems:
            async with pool.lease(p.header) as lease:
                out.extend(await replay_reference(lease.repl, lease.env, p))
    finally:
        await pool.close()
    return out


async def extract_project(project_dir: Path, lean: LeanConfig, out: Path) -> tuple[int, int]:
    """Write the records of every Lean file of a project; returns (files, records)."""
    files = lean_files(project_dir)
    repl = LeanRepl(lean, cwd=project_dir)
    count = 0
    try:
        with atomic_open(out) as f:
            for path in files:
                for pair in await extract_file(repl, path.relative_to(project_dir)):
                    if screen(pair.tactic):  # `sorry` and other banned constructs: no data
                        continue
                    theorem = f"{pair.file}:{pair.line}"
                    record = Record(theorem, pair.state, pair.tactic, source="extract")
                    f.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
                    count += 1
    finally:
        await repl.close()
    return len(files), count


def read_dojo(path: Path) -> Iterator[Record]:
    """Records from a LeanDojo benchmark split file (a JSON list of traced theorems)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for thm in data:
        name = thm.get("full_name") or f"{thm.get('file_path')}:{thm.get('start')}"
        for t in thm.get("traced_tactics", []):
            state, tactic = t.get("state_before", ""), t.get("tactic", "")
            if state and state != "no goals" and tactic.strip():
                yield Record(name, state, tactic, source="dojo")
