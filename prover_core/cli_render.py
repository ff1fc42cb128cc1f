"""Terminal output of the CLI: tables, progress bars, and the verified-write step."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import typer
from tqdm import tqdm

from prover_core.errors import LeanstepError
from prover_core.search.best_first import SearchStats
from prover_core.service import ProveResult, SuggestResult, TextEdit


class FileChanged(LeanstepError):
    """The file changed on disk while leanstep worked on it; nothing was written."""


class SearchProgress:
    """A tqdm bar over expansions, fed by the search's `on_expand` callback."""

    def __init__(self, total: int) -> None:
        self._bar = tqdm(total=total, unit="exp", desc="search", leave=False, dynamic_ncols=True)
        self._last = 0

    def update(self, stats: SearchStats) -> None:
        self._bar.update(stats.expansions - self._last)
        self._last = stats.expansions
        self._bar.set_postfix(tactics=stats.tactics_run)

    def __enter__(self) -> SearchProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.close()


def render_suggestions(result: SuggestResult) -> None:
    if result.goal is not None:
        typer.echo(result.goal)
        typer.echo("")
    width = max((len(s.tactic) for s in result.suggestions), default=10)
    for s in result.suggestions:
        extra = ""
        if s.outcome == "advanced":
            extra = f"{len(s.goals_after)} goal(s) left"
        elif s.message:
            extra = s.message.splitlines()[0][:80]
        typer.echo(f"{s.outcome:<9} {s.score:7.3f}  {s.tactic:<{width}}  {extra}")
    typer.echo(result.summary)


def render_prove(result: ProveResult, *, json_only: bool = False) -> dict[str, Any]:
    stats = result.search.stats.to_json() if result.search else {}
    payload = {
        "proved": result.proved,
        "message": result.message,
        "proof": list(result.proof) if result.proof else None,
        "edit": dataclasses.asdict(result.edit) if result.edit else None,
        "verdict": dataclasses.asdict(result.verdict) if result.verdict else None,
        "stats": stats,
    }
    if not json_only:
        typer.echo(result.message)
        if result.proof:
            typer.echo("\n".join(f"  {t}" for t in result.proof))
        if stats:
            typer.echo(
                f"expansions {stats['expansions']}  tactics {stats['tactics_run']}  "
                f"wall {stats['wall_s']:.2f}s  policy {stats['policy_s']:.2f}s  "
                f"lean {stats['lean_s']:.2f}s"
            )
    return payload


def write_verified(path: Path, original: str, edit: TextEdit) -> None:
    """Apply `edit` to `path` atomically, keeping `path.bak`, unless the file changed since
    `original` was read (then raise `FileChanged` and write nothing)."""
    current = path.read_text(encoding="utf-8")
    if current != original:
        raise FileChanged(f"{path} changed while leanstep worked on it; nothing was written")
    backup = path.with_name(path.name + ".bak")
    backup.write_text(original, encoding="utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(edit.apply(original))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
