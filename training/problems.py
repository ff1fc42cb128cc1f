"""Problem sets: theorems to prove, from miniF2F-style JSONL or a user's Lean files.

Splits: a JSONL record carries its own (`valid`, `test`, …). A theorem from a Lean file or
folder has none, so `lean_split` gives it one from its name alone: `test` for about one
theorem in ten (the first byte of sha256(name) below 26), `valid` for the rest. The rule is
stable (adding files never moves a theorem) and needs no list kept beside the sources.

A problem is a declaration head (the statement without `:=`) and the context it elaborates
in (`header`: imports and preceding commands). Its root proof state is the `sorry` of
`{head} := by\\n  sorry`. Problem order is the source's order and is kept everywhere, since
the order of searches seeds them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prover_core.errors import ConfigError
from prover_core.fileio import read_source
from prover_core.lean.decl import declarations
from prover_core.lean.lexer import lex
from training.records import read_jsonl

NAMED_SETS = {"minif2f": "minif2f.jsonl", "proofnet": "proofnet.jsonl"}
PUBLIC_SOURCE = (
    "the Lean 4 JSONL of miniF2F and ProofNet is published with DeepSeek-Prover-V1.5 "
    "(https://github.com/deepseek-ai/DeepSeek-Prover-V1.5, datasets/minif2f.jsonl and "
    "datasets/proofnet.jsonl)"
)
TEST_SHARE_BYTE = 26  # sha256(name)[0] below this: `test` (26/256, about 1 in 10)
SKIP_DIRS = {".lake", ".git", "build", "lake-packages"}


@dataclass(frozen=True, slots=True)
class Problem:
    name: str
    head: str  # `theorem name binders : type`, no `:=`
    header: str = ""
    split: str = ""
    difficulty: int | None = None
    proof: str | None = None  # reference proof text (tactic lines), when the source has one

    @property
    def root_command(self) -> str:
        return f"{self.head} := by\n  sorry"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "split": self.split, "difficulty": self.difficulty}


def benchmarks_dir() -> Path:
    """Shared benchmark files: `$LEANSTEP_BENCHMARKS_DIR`, else `shared/benchmarks` beside the
    repository (read in place, never copied)."""
    override = os.environ.get("LEANSTEP_BENCHMARKS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


def _head_of(formal_statement: str) -> str:
    text = formal_statement.rstrip()
    for suffix in (":= by", ":="):
        if text.endswith(suffix):
            return text[: -len(suffix)].rstrip()
    raise ValueError(f"formal_statement does not end with `:= by`: {text[-40:]!r}")


def from_jsonl(path: Path) -> Iterator[Problem]:
    """miniF2F / ProofNet / propositional-corpus records."""
    for row in read_jsonl(path):
        yield Problem(
            name=row["name"],
            head=_head_of(row["formal_statement"]),
            header=row.get("header", ""),
            split=row.get("split", ""),
            difficulty=row.get("difficulty"),
            proof=row.get("proof"),
        )


def _is_sorry(proof: str) -> bool:
    """The proof is `sorry` or `by sorry` (comments aside), on Lean tokens."""
    return [t.text for t in lex(proof)[0]] in (["by", "sorry"], ["sorry"])


def from_lean_file(path: Path) -> Iterator[Problem]:
    """Every `theorem … := by sorry` of a file; its header is the file text before it."""
    text = read_source(path).text  # BOM dropped, CRLF read as LF
    for d in declarations(text):
        if d.name is not None and _is_sorry(d.proof):
            yield Problem(d.name, d.head, header=text[: d.start], split=lean_split(d.name))


def lean_split(name: str) -> str:
    """The split of a theorem from a Lean source (module docstring)."""
    return "test" if hashlib.sha256(name.encode()).digest()[0] < TEST_SHARE_BYTE else "valid"


def statement_key(problem: Problem) -> str:
    """The statement without its keyword and name, whitespace-normalised."""
    body = re.sub(r"^\s*(theorem|lemma)\s+\S+", "", problem.head)
    return " ".join(body.split())


def check_held_out(train: Sequence[Problem], held_out: Sequence[Problem], what: str) -> None:
    """`held_out` is non-empty and shares no name and no statement with `train`."""
    if not held_out:
        raise ConfigError(f"{what}: the evaluation set is empty")
    names = {p.name for p in train}
    statements = {statement_key(p): p.name for p in train}
    same_name = [p.name for p in held_out if p.name in names]
    same_stmt = [
        f"{p.name} = {statements[statement_key(p)]}"
        for p in held_out
        if statement_key(p) in statements and p.name not in names
    ]
    if same_name or same_stmt:
        overlap = ", ".join([*same_name, *same_stmt][:10])
        n = len(same_name) + len(same_stmt)
        raise ConfigError(
            f"{what}: {n} evaluation problems are also training problems (by name or by "
            f"statement): {overlap}"
        )


def lean_files(root: Path) -> list[Path]:
    """`*.lean` under `root` in sorted order, skipping build and package directories."""
    return sorted(
        p for p in root.rglob("*.lean") if not SKIP_DIRS.intersection(p.relative_to(root).parts)
    )


def load_problems(
    source: str | Path, split: str | None = None, limit: int | None = None
) -> list[Problem]:
    """`minif2f`, `proofnet`, a JSONL file, a `.lean` file, or a directory of Lean files."""
    name = str(source)
    path = benchmarks_dir() / NAMED_SETS[name] if name in NAMED_SETS else Path(source)
    if name in NAMED_SETS and not path.is_file():
        raise ConfigError(
            f"{name}: no file at {path}; {PUBLIC_SOURCE}. Download it and pass its path "
            f"(`--problems /path/to/{NAMED_SETS[name]}`, or `problems.train` in a training "
            "config), or put it in the folder named by LEANSTEP_BENCHMARKS_DIR"
        )
    if path.is_dir():
        found = [p for f in lean_files(path) for p in from_lean_file(f)]
    elif path.suffix == ".lean":
        found = list(from_lean_file(path))
    elif path.is_file():
        found = list(from_jsonl(path))
    else:
        raise ConfigError(f"no problem set at {path} (a JSONL file, a .lean file or a folder)")
    if split is not None:
        found = [p for p in found if p.split == split]
    return found[:limit] if limit is not None else found
