"""Writing a verified proof into the file on disk (`leanstep prove --write`).

The proof was found and verified on the text read at the start; the file may have changed
since. Invariants: the edit lands in the same declaration at the same `sorry`, or nothing is
written; if the text before that declaration changed, the proof is verified again against
the file as it is now before it is written; the bytes outside the edit are kept
(`fileio.Source.replace`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prover_core.config import LeanConfig
from prover_core.fileio import Source, read_source, write_source
from prover_core.lean.decl import Declaration, declaration_at, declarations
from prover_core.lean.verify import verify_proof


@dataclass(frozen=True, slots=True)
class Anchored:
    """The edit's place in the current text, and the declaration around it there."""

    start: int
    end: int
    decl: Declaration
    context_changed: bool  # the text before the declaration differs from the one verified


def _label(d: Declaration) -> str:
    return f"theorem {d.name}" if d.name is not None else f"the example at line {d.line}"


def reanchor(old_text: str, new_text: str, start: int, end: int) -> Anchored | str:
    """Where `old_text[start:end]` (inside a declaration) is in `new_text`, or a message
    saying why the edit cannot be placed there (its declaration changed or is gone)."""
    old = declaration_at(old_text, start)
    if old is None or not old.assign < start <= end <= old.body_end:
        return "the edit is not inside a declaration's proof"
    code = old_text[old.start : old.body_end]
    same_name = [
        d for d in declarations(new_text) if (d.keyword, d.name) == (old.keyword, old.name)
    ]
    same = [d for d in same_name if new_text[d.start : d.body_end] == code]
    if len(same) != 1:
        what = _label(old)
        if not same_name:
            return f"{what} is no longer in the file"
        return f"{what} changed since the proof was found" if not same else f"{what} is ambiguous"
    new = same[0]
    shift = new.start - old.start
    changed = old_text[: old.start] != new_text[: new.start]
    return Anchored(start + shift, end + shift, new, changed)


async def write_proof(
    path: Path,
    read: Source,
    start: int,
    end: int,
    new_text: str,
    lean: LeanConfig,
    cwd: Path | None = None,
) -> str | None:
    """Write `read.text[start:end] → new_text` (a verified proof) into `path` as it is now.

    Returns None once written, or a one-line reason why nothing was written. Raises
    `SourceFileError` when the file cannot be read or written.
    """
    now = read_source(path)
    if now.raw == read.raw:
        write_source(path, now.raw, now.replace(start, end, new_text))
        return None
    placed = reanchor(read.text, now.text, start, end)
    if isinstance(placed, str):
        return f"{path} changed while leanstep worked: {placed}; nothing was written"
    text = now.text
    if placed.context_changed:
        edited = text[: placed.start] + new_text + text[placed.end :]
        after = declaration_at(edited, placed.decl.start)
        assert after is not None and after.start == placed.decl.start
        verdict = await verify_proof(
            lean,
            text[: placed.decl.start],
            placed.decl.head,
            after.proof,
            candidate_head=after.head,
            cwd=cwd,
        )
        if not verdict.ok:
            return (
                f"{path} changed before {_label(placed.decl)} while leanstep worked and the "
                f"proof no longer verifies there ({verdict.check}); nothing was written"
            )
        if read_source(path).raw != now.raw:
            return f"{path} keeps changing; nothing was written"
    write_source(path, now.raw, now.replace(placed.start, placed.end, new_text))
    return None
