"""Tokens of the Lean 4 fragment, with source offsets.

Invariants:
- Offsets index the source string (codepoints); `line` is 1-based and `col` 0-based in
  codepoints, as Lean reports positions.
- Identifiers follow Lean's character classes (ASCII letters, `_`, Greek except `λΠΣ`,
  letter-like symbols, subscripts; `'`, `!`, `?` and digits after the first character) and
  include dotted components, numeric ones too (`h.1.2`).
- Comments (`--`, nested `/- -/`) and whitespace never produce tokens.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

KEYWORDS = frozenset(
    {
        "theorem", "lemma", "example", "def", "abbrev", "instance", "axiom", "structure",
        "inductive", "class", "namespace", "section", "end", "variable", "universe",
        "import", "open", "set_option", "in", "fun", "by", "have", "show", "from",
        "at", "with", "sorry", "let", "if", "then", "else", "do", "match", "calc",
        "suffices", "where", "#print", "#check", "#eval", "#exit", "#reduce",
        "private", "protected",
    }
)  # fmt: skip

COMMAND_STARTS = frozenset(
    {
        "theorem", "lemma", "example", "def", "abbrev", "instance", "axiom", "structure",
        "inductive", "class", "namespace", "section", "end", "variable", "universe",
        "import", "open", "set_option", "#print", "#check", "#eval", "#exit", "#reduce",
        "private", "protected",
    }
)  # fmt: skip

# Longest match first.
SYMBOLS = (
    "<;>", "<->", ":=", "=>", "->", "/\\", "\\/", "?_", "<|", "|>", "←", "<-",
    "⟨", "⟩", "(", ")", "{", "}", "[", "]", ",", ":", "→", "↔", "∧", "∨", "¬", "·",
    ".", ";", "|", "@", "↦", "λ", "=", "≠", "<", ">", "+", "-", "*", "/", "^", "!", "$", "%", "&",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # "ident" | "kw" | "sym" | "num" | "eof" | "bad"
    text: str
    start: int
    end: int
    line: int
    col: int
    first_on_line: bool


def _letter_like(c: str) -> bool:
    o = ord(c)
    return (
        (0x3B1 <= o <= 0x3C9 and o != 0x3BB)
        or (0x391 <= o <= 0x3A9 and o not in (0x3A0, 0x3A3))
        or 0x3CA <= o <= 0x3FB
        or 0x1F00 <= o <= 0x1FFE
        or 0x2100 <= o <= 0x214F
        or 0x1D49C <= o <= 0x1D59F
    )


def _subscript(c: str) -> bool:
    o = ord(c)
    return 0x2080 <= o <= 0x2089 or 0x2090 <= o <= 0x209C or 0x1D62 <= o <= 0x1D6A


def is_id_first(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z") or c == "_" or _letter_like(c)


def is_id_rest(c: str) -> bool:
    return is_id_first(c) or (c.isdigit() and c.isascii()) or c in "'!?" or _subscript(c)


class LineMap:
    """Offset → (line, column) for one source text."""

    def __init__(self, src: str) -> None:
        self.starts = [0] + [i + 1 for i, c in enumerate(src) if c == "\n"]

    def pos(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i]


class LexError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def tokenize(src: str) -> list[Tok]:
    """All tokens of `src`, ending with an `eof` token. Unterminated comments raise."""
    lm = LineMap(src)
    toks: list[Tok] = []
    i, n = 0, len(src)
    last_line = 0
    while True:
        # skip whitespace and comments
        while i < n:
            c = src[i]
            if c in " \t\r\n":
                i += 1
            elif src.startswith("--", i):
                j = src.find("\n", i)
                i = n if j < 0 else j + 1
            elif src.startswith("/-", i):
                i = _skip_block_comment(src, i)
            else:
                break
        line, col = lm.pos(i)
        first = line != last_line
        if i >= n:
            toks.append(Tok("eof", "", n, n, line, col, first))
            return toks
        c = src[i]
        start = i
        if is_id_first(c) or (c == "#" and i + 1 < n and is_id_first(src[i + 1])):
            i += 1
            while i < n:
                if is_id_rest(src[i]) or (
                    src[i] == "."
                    and i + 1 < n
                    and (is_id_first(src[i + 1]) or src[i + 1].isdigit())
                ):
                    i += 1
                else:
                    break
            text = src[start:i]
            if text == "_":
                kind = "sym"
            elif text in KEYWORDS:
                kind = "kw"
            else:
                kind = "ident"
        elif c.isdigit() and c.isascii():
            while i < n and src[i].isdigit() and src[i].isascii():
                i += 1
            text, kind = src[start:i], "num"
        else:
            for s in SYMBOLS:
                if src.startswith(s, i):
                    text, kind = s, "sym"
                    i += len(s)
                    break
            else:
                text, kind = c, "bad"
                i += 1
        toks.append(Tok(kind, text, start, i, line, col, first))
        last_line = line


def _skip_block_comment(src: str, i: int) -> int:
    depth = 0
    n = len(src)
    start = i
    while i < n:
        if src.startswith("/-", i):
            depth += 1
            i += 2
        elif src.startswith("-/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise LexError("unterminated comment", start)
