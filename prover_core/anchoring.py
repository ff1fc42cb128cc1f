"""Placing a verified proof in a text that may have moved on since the proof was found: the
one rule that the editor's anchored edits and `leanstep prove --write` (the file on disk)
both follow.

Invariants: the proof goes to the same declaration (by full name) and the same `sorry` (by
its index among the declaration's sorries), or nowhere; when the file up to the
declaration's end differs from the text the proof was verified in (`placement.verified_text`),
the proof is verified again, in a fresh process, on the current text and withheld if it no
longer checks; text after the declaration never matters.
"""

from __future__ import annotations

from pathlib import Path

from prover_core.config import LeanConfig
from prover_core.lean.decl import declaration_at
from prover_core.lean.verify import Verdict, verify_proof
from prover_core.placement import SorryTarget, lookup, proof_edit, sorry_target, verified_text
from prover_core.results import Anchor, PlaceResult, TextEdit
from prover_core.types import Refusal


async def verified_edit(
    lean: LeanConfig, cwd: Path | None, text: str, target: SorryTarget, proof: tuple[str, ...]
) -> tuple[TextEdit, Verdict]:
    """The edit putting `proof` in place of the target `sorry`, and the fresh-process verdict
    on the whole file up to the declaration with that edit applied."""
    edit = proof_edit(text, target, proof)
    new_decl = declaration_at(edit.apply(text), target.decl.start)
    assert new_decl is not None
    verdict = await verify_proof(
        lean,
        text[: target.decl.start],
        target.decl.head,
        new_decl.proof,
        candidate_head=new_decl.head,
        cwd=cwd,
    )
    return edit, verdict


async def place_proof(
    lean: LeanConfig,
    cwd: Path | None,
    text: str,
    anchor: Anchor,
    proof: tuple[str, ...],
    verified_on: str | None,
) -> PlaceResult:
    """The edit putting a found proof at its anchor in `text` (the current text), or why it
    is withheld (see the module's invariants)."""
    decl = lookup(text, anchor.declaration)
    if isinstance(decl, Refusal):
        return PlaceResult(
            None,
            "withheld",
            f"{anchor.declaration} is no longer in the file as one theorem ({decl.message}); "
            "proof withheld",
        )
    target = sorry_target(text, decl, anchor.sorry)
    if isinstance(target, Refusal):
        return PlaceResult(
            None,
            "withheld",
            f"the `sorry` of {anchor.declaration} the proof was for is gone: proof withheld",
        )
    if verified_on is not None and verified_text(text, decl) == verified_on:
        return PlaceResult(proof_edit(text, target, proof), "placed", "proved and verified")
    edit, verdict = await verified_edit(lean, cwd, text, target, proof)
    if not verdict.ok:
        return PlaceResult(
            None,
            "withheld",
            f"the file changed during the search and the proof of {anchor.declaration} no "
            f"longer checks ({verdict.check}): proof withheld",
        )
    return PlaceResult(edit, "placed", "proved, and verified again on the changed file")
