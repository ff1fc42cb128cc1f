"""Locating theorem declarations in Lean source: name, statement head, proof body.

Works on the source text as written; the head is everything before the top-level `:=` that
starts the proof (found on Lean tokens, so brackets, comments and strings are skipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover_core.lean.lexer import Kind, lex

_DECL = re.compile(
    r"^(?P<mods>(?:@\[[^\]]*\]\s*)?(?:(?:private|protected|noncomputable|nonrec)\s+)*)"
    r"(?P<kw>theorem|lemma|example)\b(?:\s+(?P<name>«[^»]+»|[^\s(\[{:⦃]+))?",
    re.MULTILINE,
)
_OPEN = "([{⦃⟨"
_CLOSE = ")]}⦄⟩"


@dataclass(frozen=True, slots=True)
class Declaration:
    """A theorem-like declaration. Offsets index the text it was found in."""

    keyword: str
    name: str | None  # None for `example`
    start: int  # offset of the first modifier or keyword
    assign: int  # offset of the `:=` that starts the proof
    end: int  # offset just past the declaration's text (before the next command)
    text: str

    @property
    def head(self) -> str:
        """The statement up to (not including) `:=`, trailing whitespace removed."""
        return self.text[self.start : self.assign].rstrip()

    @property
    def proof(self) -> str:
        """The proof text after `:=`, surrounding whitespace removed."""
        return self.text[self.assign + 2 : self.end].strip()

    def with_name(self, name: str) -> str:
        """The head with its name (or `example`) replaced by `theorem name`."""
        m = _DECL.match(self.text, self.start)
        assert m is not None
        return f"{m.group('mods')}theorem {name}{self.text[m.end() : self.assign].rstrip()}"


def find_assign(text: str, start: int, stop: int | None = None) -> int | None:
    """Offset of the first top-level `:=` at or after `start` (None if there is none).

    Lean tokens decide: a `:=` inside a comment, string or brackets does not count.
    """
    depth = 0
    for tok in lex(text[start:stop])[0]:
        if tok.kind is not Kind.SYMBOL:
            continue
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and tok.text == ":=":
            return start + tok.start
    return None


_COMMAND_START = re.compile(
    r"^(?:@\[|theorem\b|lemma\b|example\b|def\b|instance\b|structure\b|inductive\b|class\b|"
    r"namespace\b|section\b|end\b|open\b|variable\b|universe\b|set_option\b|#|"
    r"noncomputable\b|private\b|protected\b|abbrev\b|axiom\b|attribute\b|import\b|/--|/-!)",
    re.MULTILINE,
)


def declarations(text: str) -> list[Declaration]:
    """Theorem-like declarations starting at a line start, in order."""
    out = []
    for m in _DECL.finditer(text):
        assign = find_assign(text, m.end())
        if assign is None:
            continue
        nxt = _COMMAND_START.search(text, assign + 2)
        end = nxt.start() if nxt is not None else len(text)
        out.append(Declaration(m.group("kw"), m.group("name"), m.start(), assign, end, text))
    return out


def declaration_at(text: str, offset: int) -> Declaration | None:
    """The declaration whose text contains `offset` (the later one where two touch)."""
    found = None
    for d in declarations(text):
        if d.start <= offset <= d.end:
            found = d
    return found


def find_declaration(text: str, name: str) -> Declaration | None:
    for d in declarations(text):
        if d.name == name or (d.name is not None and d.name.split(".")[-1] == name):
            return d
    return None


def offset_of(text: str, line: int, column: int) -> int:
    """Offset of a 0-based (line, column) position, columns counted in codepoints.

    Raises ValueError when the position is outside the text.
    """
    lines = text.split("\n")
    if not 0 <= line < len(lines) or not 0 <= column <= len(lines[line]):
        raise ValueError(f"position {line}:{column} is outside the text")
    return sum(len(ln) + 1 for ln in lines[:line]) + column
