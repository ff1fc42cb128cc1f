"""Training records: one (state, tactic) pair with where it came from, as JSONL.

Invariants:
- A file is written whole or not at all: writers go to a temporary file in the same
  directory, fsync it, then rename it over the target (`atomic_write_*`).
- Readers stream line by line and never load a whole file to parse it.
- `dedup` keeps the first record of each (state, tactic) key, whitespace-normalised, so the
  order of the input decides which copy survives (callers give a deterministic order).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal

Source = Literal["seed", "search", "reprove", "extract", "corpus", "dojo"]


@dataclass(frozen=True, slots=True)
class Record:
    theorem: str
    state: str
    tactic: str
    model: str = ""  # the model that produced it ("" for human-written data)
    logprob: float | None = None  # raw cumulative log-prob under `model`, when known
    iteration: int = 0  # 0 = seed data; k = found in inner round k
    source: Source = "seed"
    ppl: float | None = None  # perplexity under the scoring model, set by the filter

    def key(self) -> tuple[str, str]:
        return (" ".join(self.state.split()), " ".join(self.tactic.split()))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})

    def with_ppl(self, ppl: float) -> Record:
        return replace(self, ppl=ppl)


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO[str]]:
    """A text file that appears at `path` only when the block ends without an exception."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o644)  # mkstemp's 0600 would make every written file private
    try:
        with os.fdopen(fd, mode, encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path) as f:
        f.write(text)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def atomic_write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{i}: not JSON: {e}") from None


def write_records(path: Path, records: Iterable[Record]) -> int:
    return atomic_write_jsonl(path, (r.to_json() for r in records))


def read_records(path: Path) -> Iterator[Record]:
    for row in read_jsonl(path):
        yield Record.from_json(row)


def dedup(records: Iterable[Record]) -> Iterator[Record]:
    seen: set[tuple[str, str]] = set()
    for r in records:
        k = r.key()
        if k not in seen:
            seen.add(k)
            yield r


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_sha256(path: Path) -> str:
    """A hash over every file under `path` (names and contents, sorted): a checkpoint's id."""
    if path.is_file():
        return file_sha256(path)
    h = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(path)).encode() + b"\0" + file_sha256(p).encode())
    return h.hexdigest()
