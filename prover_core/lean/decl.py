"""Theorem-like declarations of a Lean file (`theorem`, `lemma`, `example`), located on Lean
tokens (`outline`), named as Lean names them.

Invariants:
- nothing inside a comment, doc comment, string or «quoted» name is ever a declaration;
- `Declaration.name` is the full name Lean declares (`namespace A` + `theorem B.foo` is
  `A.B.foo`; `_root_.x` is `x`); a lookup matches full names only, so `foo` never finds
  `A.foo`, and a name declared twice in the file is ambiguous (`DeclarationLookupError`);
- `start` includes the doc comment, attributes, modifiers and `open … in`/`set_option … in`
  prefixes, so `text[:start]` is a sequence of whole commands.

A failed lookup is an expected outcome of user input: `DeclarationLookupError` is a
`ValueError` whose message is the one line to show the user.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from prover_core.lean.lexer import Kind, Token, lex
from prover_core.lean.outline import DECL_KEYWORDS, outline, parse_name, show_name

THEOREM_KEYWORDS = frozenset({"theorem", "lemma", "example"})
_OPEN = "([{⦃⟨"
_CLOSE = ")]}⦄⟩"


LookupFailure = Literal["missing", "ambiguous", "not a name"]


class DeclarationLookupError(ValueError):
    """No declaration, or more than one, has the requested name."""

    def __init__(
        self, message: str, reason: LookupFailure, candidates: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.candidates = candidates


@dataclass(frozen=True, slots=True)
class Declaration:
    """A theorem-like declaration. Offsets index the text it was found in."""

    keyword: str
    name: str | None  # the full name (`A.B.foo`); None for `example`
    start: int  # offset of its doc comment, attributes, modifiers or keyword
    assign: int  # offset of the `:=` that starts the proof
    end: int  # past its text and trailing comments: where the next command or stray text starts
    text: str
    keyword_start: int = 0  # offset of the keyword
    name_end: int = 0  # offset just past the written name (past the keyword for `example`)
    body_end: int = 0  # offset just past its last token
    modifiers: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # components of the full name

    @property
    def head(self) -> str:
        """The statement up to (not including) `:=`, trailing whitespace removed."""
        return self.text[self.start : self.assign].rstrip()

    @property
    def proof(self) -> str:
        """The proof text after `:=` (trailing comments excluded), whitespace stripped."""
        return self.text[self.assign + 2 : self.body_end].strip()

    @property
    def line(self) -> int:
        """1-based line of the keyword."""
        return self.text.count("\n", 0, self.keyword_start) + 1

    def with_name(self, name: str) -> str:
        """The head with its keyword and name replaced by `theorem name`."""
        before = self.text[self.start : self.keyword_start]
        return f"{before}theorem {name}{self.text[self.name_end : self.assign].rstrip()}"


def _top_level_assign(tokens: Iterable[Token]) -> Token | None:
    """The first `:=` outside brackets (comments and strings are not tokens)."""
    depth = 0
    for tok in tokens:
        if tok.kind is not Kind.SYMBOL:
            continue
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and tok.text == ":=":
            return tok
    return None


def find_assign(text: str, start: int, stop: int | None = None) -> int | None:
    """Offset of the first top-level `:=` at or after `start` (None if there is none).

    Lean tokens decide: a `:=` inside a comment, string or brackets does not count.
    """
    tok = _top_level_assign(lex(text[start:stop])[0])
    return None if tok is None else start + tok.start


@functools.lru_cache(maxsize=16)
def _scan(text: str) -> tuple[tuple[Declaration, ...], tuple[tuple[str, int], ...]]:
    """(theorem-like declarations, (full name, line) of every named declaration)."""
    o = outline(text)
    decls: list[Declaration] = []
    named: list[tuple[str, int]] = []
    line, counted = 1, 0
    for cmd in o.commands:
        full = cmd.full_name
        kw_tok = o.tokens[cmd.kw] if cmd.kw <= cmd.last else None
        if kw_tok is None or cmd.keyword not in DECL_KEYWORDS:
            continue
        line, counted = line + text.count("\n", counted, kw_tok.start), kw_tok.start
        if full is not None:
            named.append((show_name(full), line))
        if cmd.keyword not in THEOREM_KEYWORDS or (full is None and cmd.keyword != "example"):
            continue
        assign_tok = _top_level_assign(o.tokens[cmd.kw + 1 : cmd.last + 1])
        if assign_tok is None:
            continue
        assign = assign_tok.start
        name_end = o.tokens[cmd.name_token].end if cmd.name_token is not None else kw_tok.end
        decls.append(
            Declaration(
                cmd.keyword,
                None if full is None else show_name(full),
                cmd.start,
                assign,
                cmd.end,
                text,
                kw_tok.start,
                name_end,
                cmd.body_end,
                cmd.modifiers,
                full or (),
            )
        )
    return tuple(decls), tuple(named)


def declarations(text: str) -> list[Declaration]:
    """Theorem-like declarations (with a `:=` proof), in order."""
    return list(_scan(text)[0])


def declaration_at(text: str, offset: int) -> Declaration | None:
    """The declaration whose text contains `offset` (the later one where two touch)."""
    found = None
    for d in _scan(text)[0]:
        if d.start <= offset <= d.end:
            found = d
    return found


def resolve(text: str, name: str) -> Declaration:
    """The theorem whose full name is `name`; raises `DeclarationLookupError` when there is
    none or the file declares that name more than once."""
    parts = parse_name(name)
    if parts is None:
        raise DeclarationLookupError(f"{name!r} is not a Lean name", "not a name")
    decls, named = _scan(text)
    shown = show_name(parts)
    same = [line for full, line in named if full == shown]
    if len(same) > 1:
        lines = ", ".join(str(n) for n in same)
        raise DeclarationLookupError(
            f"{shown!r} is declared more than once (lines {lines})", "ambiguous", (shown,)
        )
    for d in decls:
        if d.parts == parts:
            return d
    if same:
        raise DeclarationLookupError(
            f"{shown!r} (line {same[0]}) is not a theorem with a `:=` proof", "missing", (shown,)
        )
    similar = tuple(full for full, _ in named if full.split(".")[-1] == parts[-1])
    hint = f"; full names that end in {parts[-1]!r}: {', '.join(similar)}" if similar else ""
    raise DeclarationLookupError(f"no theorem named {shown!r}{hint}", "missing", similar)


def find_declaration(text: str, name: str) -> Declaration | None:
    """The theorem whose full name is `name`, None if there is none; raises
    `DeclarationLookupError` when the name is ambiguous or not a name."""
    try:
        return resolve(text, name)
    except DeclarationLookupError as e:
        if e.reason == "missing":
            return None
        raise


def offset_of(text: str, line: int, column: int) -> int:
    """Offset of a 0-based (line, column) position, columns counted in codepoints.

    Raises ValueError when the position is outside the text.
    """
    lines = text.split("\n")
    if not 0 <= line < len(lines) or not 0 <= column <= len(lines[line]):
        raise ValueError(f"position {line}:{column} is outside the text")
    return sum(len(ln) + 1 for ln in lines[:line]) + column
