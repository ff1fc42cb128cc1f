"""Writing a verified proof into the file on disk (`leanstep prove --write`).

The proof was found and verified on the text read at the start; the file may have changed
since. Invariants: the placement follows `anchoring` (the editor's rule): the same
declaration and `sorry` or nothing, verified again when the file up to the declaration
changed; the file is read again just before writing and nothing is written if it moved on
meanwhile; the bytes outside the edit are kept (`fileio.Source.replace`).
"""

from __future__ import annotations

from pathlib import Path

from prover_core.anchoring import place_proof
from prover_core.config import LeanConfig
from prover_core.fileio import Source, read_source, write_source
from prover_core.results import ProveResult


async def write_proof(
    path: Path, read: Source, result: ProveResult, lean: LeanConfig, cwd: Path | None = None
) -> str | None:
    """Write the verified proof of `result` (found on `read`) into `path` as it is now.

    Returns None once written, or a one-line reason why nothing was written. Raises
    `SourceFileError` when the file cannot be read or written.
    """
    assert result.proved and result.edit is not None and result.proof is not None
    now = read_source(path)
    if now.raw == read.raw:
        edit = result.edit
    elif result.anchor is None:
        return f"{path} changed while leanstep worked and an `example` cannot be found again"
    else:
        placed = await place_proof(
            lean, cwd, now.text, result.anchor, result.proof, result.verified_on
        )
        if placed.edit is None:
            return f"{path} changed while leanstep worked: {placed.message}; nothing was written"
        if read_source(path).raw != now.raw:
            return f"{path} keeps changing; nothing was written"
        edit = placed.edit
    write_source(path, now.raw, now.replace(edit.start, edit.end, edit.new_text))
    return None
