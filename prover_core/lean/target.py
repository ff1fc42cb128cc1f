"""The `sorry` a proof search replaces: chosen by theorem name or by position.

Invariants: the theorem is found by `decl.resolve` (full names; ambiguous names refused); a
`sorry` is a Lean token of the declaration's proof, never text inside a comment or string.
"""

from __future__ import annotations

from dataclasses import dataclass

from prover_core.lean.decl import Declaration, DeclarationLookupError, declaration_at, offset_of
from prover_core.lean.decl import resolve as resolve_declaration
from prover_core.lean.lexer import lex


@dataclass(frozen=True, slots=True)
class Target:
    decl: Declaration
    sorry_start: int  # offset of the `sorry` to replace
    sorry_end: int
    indent: int  # column where continuation tactics go
    whole: bool  # the sorry is the whole proof (`:= sorry` / `:= by sorry`)


def sorry_spans(decl: Declaration) -> list[tuple[int, int]]:
    """Offsets of the `sorry` tokens of the declaration's proof, in order."""
    # `assign` starts a token and `end` starts a command (or the end), so lexing the slice
    # draws the same tokens as lexing the whole text.
    text = decl.text
    return [
        (decl.assign + t.start, decl.assign + t.end)
        for t in lex(text[decl.assign : decl.end])[0]
        if t.text == "sorry"
    ]


def find_target(
    text: str, theorem: str | None, line: int | None, column: int | None
) -> Target | str:
    """The `sorry` to replace, or a one-line message saying why there is none."""
    if theorem is not None:
        try:
            decl = resolve_declaration(text, theorem)
        except DeclarationLookupError as e:
            return str(e)
        sorries = sorry_spans(decl)
        if not sorries:
            return f"{decl.name} has no sorry to prove"
        start = sorries[0][0]
    else:
        if line is None or column is None:
            return "give a theorem name or a position"
        try:
            offset = offset_of(text, line, column)
        except ValueError as e:
            return str(e)
        found = declaration_at(text, offset)
        if found is None:
            return "the position is not inside a theorem"
        decl = found
        sorries = sorry_spans(decl)
        near = [s for s in sorries if s[0] <= offset <= s[1]]
        if not near and len(sorries) != 1:
            return "put the cursor on the `sorry` to prove"
        start = (near or sorries)[0][0]
    end = start + len("sorry")
    after = text[end : text.find("\n", end) if "\n" in text[end:] else len(text)]
    if after.strip():
        return "only a `sorry` that ends its line can be replaced by tactics"
    body_before = text[decl.assign + 2 : start].strip()
    whole = body_before in ("", "by")
    indent = start - (text.rfind("\n", 0, start) + 1)
    return Target(decl, start, end, indent, whole)
