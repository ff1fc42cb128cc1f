"""Reading leanprover-community/repl transcripts (`*.in` / `*.expected.out`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "lean-repl"


def fixtures_dir() -> Path:
    return Path(os.environ.get("LEANSTEP_REPL_FIXTURES", str(DEFAULT_DIR)))


def split_chunks(text: str) -> list[str]:
    return [c for c in text.split("\n\n") if c.strip()]


def parse_request(chunk: str) -> dict[str, Any]:
    """As the REPL reads a request: its lines joined (raw newlines vanish), then JSON."""
    obj = json.loads(chunk.replace("\n", ""))
    assert isinstance(obj, dict)
    return obj


@dataclass(frozen=True)
class Transcript:
    name: str
    requests: list[dict[str, Any]]
    responses: list[dict[str, Any]]


def load(base: Path) -> Transcript:
    requests = [parse_request(c) for c in split_chunks(base.with_suffix(".in").read_text())]
    out = base.parent / f"{base.name}.expected.out"
    responses = [json.loads(c) for c in split_chunks(out.read_text())]
    return Transcript(base.name, requests, responses)


def all_bases(directory: Path) -> list[Path]:
    return sorted(p.with_suffix("") for p in directory.glob("*.in"))
