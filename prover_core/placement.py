"""Where a found proof goes: the target `sorry` of a declaration and the idiomatic edit that
replaces it. Pure functions of the text; offsets index the text given."""

from __future__ import annotations

from dataclasses import dataclass

from prover_core.cursor import (
    block_indent_after,
    ends_with_by,
    line_bounds,
    sorry_spans,
    tactics_before,
)
from prover_core.lean.decl import Declaration, declaration_at, find_declaration, offset_of
from prover_core.results import TextEdit
from prover_core.types import Refusal


@dataclass
class SorryTarget:
    decl: Declaration
    sorry_start: int  # offset of the `sorry` to replace
    sorry_end: int
    index: int  # of this `sorry` among the declaration's sorries


def decl_text(text: str, decl: Declaration) -> str:
    return text[decl.start : decl.end].rstrip()


def make_edit(text: str, start: int, end: int, new_text: str) -> TextEdit:
    def lc(off: int) -> tuple[int, int]:
        line = text.count("\n", 0, off)
        return line, off - (text.rfind("\n", 0, off) + 1)

    (sl, sc), (el, ec) = lc(start), lc(end)
    return TextEdit(start, end, sl, sc, el, ec, new_text)


def sorry_target(text: str, decl: Declaration, index: int) -> SorryTarget | Refusal:
    """The `index`-th `sorry` of `decl`, when it can be replaced by tactics."""
    spans = sorry_spans(text, decl)
    if not 0 <= index < len(spans):
        return Refusal("no_sorry", f"{decl.name or 'the example'} has no sorry number {index + 1}")
    start, end = spans[index]
    if text[end : line_bounds(text, end)[1]].strip():
        return Refusal("no_sorry", "only a `sorry` that ends its line can be replaced by tactics")
    return SorryTarget(decl, start, end, index)


def proof_edit(text: str, t: SorryTarget, tactics: tuple[str, ...]) -> TextEdit:
    """Tactics in place of the `sorry`, idiomatically: a term `:= sorry` becomes `:= by` with
    the tactics on indented lines below; a `by sorry` keeps one tactic on its line and puts
    several on indented lines below `by`; a `sorry` on its own line is replaced by the tactics
    at its column."""
    ls = line_bounds(text, t.sorry_start)[0]
    before = text[ls : t.sorry_start]
    decl_column = t.decl.start - line_bounds(text, t.decl.start)[0]
    if t.sorry_start > t.decl.assign and not text[t.decl.assign + 2 : t.sorry_start].strip():
        ind = " " * (decl_column + 2)
        return make_edit(
            text, t.sorry_start, t.sorry_end, "by" + "".join(f"\n{ind}{x}" for x in tactics)
        )
    if ends_with_by(before) and len(tactics) > 1:
        by_end = ls + len(before.rstrip())
        ind = " " * block_indent_after(before.rstrip(), decl_column)
        return make_edit(text, by_end, t.sorry_end, "".join(f"\n{ind}{x}" for x in tactics))
    sep = "\n" + " " * (t.sorry_start - ls)
    return make_edit(text, t.sorry_start, t.sorry_end, sep.join(tactics))


def relocate_edit(old: str, new: str, edit: TextEdit) -> TextEdit | None:
    """`edit` (made on `old`, inside one named declaration) moved onto `new`, when that
    declaration is there with the very same text; None otherwise."""
    decl = declaration_at(old, edit.start)
    if decl is None or decl.name is None:
        return None
    moved = find_declaration(new, decl.name)
    if moved is None or decl_text(new, moved) != decl_text(old, decl):
        return None
    shift = moved.start - decl.start
    return make_edit(new, edit.start + shift, edit.end + shift, edit.new_text)


def position_offset(text: str, line: int | None, column: int | None) -> int | Refusal:
    """The offset of a 0-based position given instead of a theorem name."""
    if line is None or column is None:
        return Refusal("bad_request", "give a theorem name or a position")
    try:
        return offset_of(text, line, column)
    except ValueError as e:
        return Refusal("bad_request", str(e))


def find_target(
    text: str, theorem: str | None, line: int | None, column: int | None
) -> SorryTarget | Refusal:
    """The `sorry` to replace (by theorem name, or at a 0-based position: on, inside or after
    it, or the declaration's only one), or a refusal saying why there is none."""
    if theorem is not None:
        decl = find_declaration(text, theorem)
        if decl is None:
            return Refusal("no_theorem", f"no theorem named {theorem!r}")
        spans = sorry_spans(text, decl)
        if not spans:
            return Refusal("no_sorry", f"{theorem} has no sorry to prove")
        index = 0
    else:
        offset = position_offset(text, line, column)
        if isinstance(offset, Refusal):
            return offset
        found = declaration_at(text, offset)
        if found is None:
            return Refusal("no_theorem", "the position is not inside a theorem")
        decl = found
        spans = sorry_spans(text, decl)
        near = [i for i, (a, b) in enumerate(spans) if a <= offset <= b]
        if not near and len(spans) != 1:
            return Refusal("no_sorry", "put the cursor on the `sorry` to prove")
        index = (near or [0])[0]
    return sorry_target(text, decl, index)


def sketch_target(
    text: str, theorem: str | None, line: int | None, column: int | None
) -> tuple[Declaration, tuple[str, ...]] | Refusal:
    """The declaration to sketch and the tactics its proof has before the cursor's line
    (kept; the plan goes after them)."""
    if theorem is not None:
        found = find_declaration(text, theorem)
        return (found, ()) if found else Refusal("no_theorem", f"no theorem named {theorem!r}")
    offset = position_offset(text, line, column)
    if isinstance(offset, Refusal):
        return offset
    decl = declaration_at(text, offset)
    if decl is None or decl.name is None:
        return Refusal("no_theorem", "put the cursor inside a named theorem")
    return decl, tactics_before(text, decl, offset)
