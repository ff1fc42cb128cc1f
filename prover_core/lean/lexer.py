"""Lean 4 token boundaries, as Lean's own `tokenFn` and `whitespace` draw them.

Mirrors `Lean/Parser/Basic.lean`: `--` and nested `/- -/` comments (doc comments
`/--`, `/-!` included), strings with escapes and gaps, raw strings `r#"…"#`, char
literals (`'` not followed by `'`), numerals with `_` separators, identifiers with
dotted and `«»`-quoted components, name literals, `#`-words, and single-char symbols.

Invariant: on text that yields no `Problem`, every token boundary here is one Lean
draws too, so nothing Lean reads as code is inside a comment, string, char literal or
quoted name here. Lean's error recovery resumes at token granularity, so text Lean
rejects lexically (unterminated, bad escape, malformed numeral) is always a Problem.
Where a boundary depends on the environment's token table (an operator glued to `--`,
`/-` or `'`), the lexer reports a Problem or takes the reading that exposes more code.

`lex` is the reference (a Python loop); `tile` is a single-regex fast path that either
agrees with `lex` token for token on a problem-free text or declines. Both read every `"`
as a plain string; `read_interpolated` reads one as Lean's `interpolatedStrFn` does, for
the syntax (`s!`, `m!`, `trace[…]`, …) that parses it so.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple


class Kind(Enum):
    IDENT = "identifier"
    NAME_LIT = "name literal"
    NUMBER = "numeral"
    STRING = "string"
    CHAR = "char"
    HASH = "#-word"
    SYMBOL = "symbol"


class Token(NamedTuple):
    kind: Kind
    start: int
    end: int
    text: str

    @property
    def quoted(self) -> bool:
        """True iff some name component is written «quoted»."""
        return "«" in self.text

    @property
    def parts(self) -> tuple[str, ...]:
        """Name components with «» removed (IDENT, NAME_LIT); () for other kinds."""
        if self.kind is Kind.IDENT:
            name = self.text
        elif self.kind is Kind.NAME_LIT:
            name = self.text[1:]
        else:
            return ()
        if "«" not in name:
            return tuple(name.split("."))
        return tuple(m[1] if m[2] is None else m[2] for m in _PART.finditer(name))


class Problem(NamedTuple):
    start: int
    end: int
    construct: str
    reason: str


# Lean's `isLetterLike` (Init/Meta/Defs.lean); _LATIN and U+2C7C joined it late, so
# `legacy=True` lexes as older toolchains do.
_LETTERLIKE = (
    "\u03b1-\u03ba\u03bc-\u03c9"  # lower Greek but λ
    "\u0391-\u039f\u03a1\u03a2\u03a4-\u03a9"  # upper Greek but Π and Σ
    "\u03ca-\u03fb\u1f00-\u1ffe\u2100-\u214f\U0001d49c-\U0001d59f"
)
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u017f"
_SUBSCRIPT = "\u2080-\u2089\u2090-\u209c\u1d62-\u1d6a"
# Every character an identifier may contain (a regex class body), as the current toolchain has it.
IDENTIFIER_CHARACTERS = "A-Za-z0-9_'!?" + _LETTERLIKE + _LATIN + _SUBSCRIPT + "\u2c7c"
# Characters whose identifier status depends on the toolchain version.
VERSION_DEPENDENT = re.compile("[\u00c0-\u017f\u2c7c]")

_DEC = frozenset("0123456789")
_RADIX = {
    "b": frozenset("01"),
    "o": frozenset("01234567"),
    "x": frozenset("0123456789abcdefABCDEF"),
}
_HEX = _RADIX["x"]
_SIMPLE_ESCAPES = frozenset("\\\"'rnt")
# A symbol ending in one of these never forms a longer token with a following `-`/`/`/`'`.
_CLOSERS = frozenset(")]}⟩⦄⟧,;")
# After an operator glued to `'`, a malformed char literal may be read as part of the
# operator (`∑' x`) only if Lean, skipping `'` and one char, resumes where we do.
_AFTER_OPERATOR_PRIME = frozenset(" \n([{⟨⦃")
_NEST = re.compile(r"/-|-/")
_STR_STOP = re.compile(r'["\\]')
_PART = re.compile(r"«([^»]*)»|([^.«]+)")
_RAW_OPEN = re.compile(r'r#*"')


def _master(legacy: bool) -> re.Pattern[str]:
    first = "A-Za-z_" + _LETTERLIKE + ("" if legacy else _LATIN)
    rest = first + "0-9'!?" + _SUBSCRIPT + ("" if legacy else "\u2c7c")
    part = f"(?:[{first}][{rest}]*|«[^»]*»)"
    name = f"{part}(?:\\.{part})*"
    # Whitespace matches no alternative, so `finditer` skips it. Groups ending in "_"
    # open constructs that the Python helpers finish.
    alternatives = [
        r'(?P<raw_>r#*")',  # Lean tries raw strings before identifiers
        f"(?P<ident>{name})",
        r"(?P<num>[0-9]++(?![._eEbBoOxX]))",
        r"(?P<line>--[^\n]*)",
        r"(?P<block_>/-)",
        r'(?P<str_>")',
        r"(?P<char_>'(?!'))",
        r"(?P<num_>[0-9])",
        f"(?P<namelit>`{name})",
        f"(?P<hash>#[{first}][{rest}]*)",
        r"(?P<quote_>«)",
        r"(?P<sym>@\[|:=|[^ \t\r\n])",
    ]
    return re.compile("|".join(alternatives))


_MASTER = {False: _master(False), True: _master(True)}


def _tile_pattern() -> re.Pattern[str]:
    first = "A-Za-z_" + _LETTERLIKE + _LATIN
    rest = first + "0-9'!?" + _SUBSCRIPT + "\u2c7c"
    part = f"(?:[{first}][{rest}]*+|«[^»]*+»)"
    name = f"{part}(?:\\.{part})*+"
    # Characters that may end a token other than an operator (or end a comment).
    not_operator = rf" \t\r\nA-Za-z0-9_\"'».#!?/{_LETTERLIKE}{_LATIN}{_SUBSCRIPT}\u2c7c"
    escape = r"\\(?:[\\\"'rnt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})"
    number = (  # exact for valid numerals; `_NEEDS_LEX` catches the invalid ones
        r"0[xX][0-9a-fA-F_]*+|0[bB][01_]*+|0[oO][0-7_]*+"
        r"|[0-9][0-9_]*+(?:\.(?:[0-9][0-9_]*+)?)?(?:[eE][+-]?[0-9][0-9_]*+)?"
    )
    alternatives = [
        r"[ \t\r\n]++",
        r'r#*"',  # raw string opener: trouble
        name,
        number,
        r"--[^\n]*+",
        r"/-(?s:.)(?:[^/-]++|/(?!-)|-(?!/))*+-/",  # block comment with nothing nested
        f'"(?:[^"\\\\{{]++|{escape})*+"',  # string without gap or `{`
        f"'(?:[^'\\\\]|{escape})'",
        f"(?<=[^{not_operator}])'(?=[ \\n([{{⟨⦃])",  # prime of an operator (`⁻¹' s`)
        r"'(?s:.)",  # trouble
        f"`{name}",
        f"#[{first}][{rest}]*+",
        r"@\[|:=|/-|(?s:.)",  # trouble when alone: `"`, `«`, `/-`, a final `'`
    ]
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_TILE = _tile_pattern()
_TROUBLE = frozenset(('"', "«", "/-"))
# Superset of the places where `lex` reports a comment opener glued to an operator or a
# malformed numeral (it may also match inside comments, strings and identifiers). A
# numeral starts at a digit that follows no identifier letter, digit or `_`. Each
# alternative starts with a literal or a digit, so the search skips ahead quickly.
_GLUED_OPENER = (
    r"--(?<=[^A-Za-z0-9_\")\]}⟩⦄⟧,; \t\r\n/-]--)|/-(?<=[^A-Za-z0-9_\")\]}⟩⦄⟧,; \t\r\n]/-)"
)
_BAD_NUMERAL = (
    f"[0-9](?<![A-Za-z0-9_{_LETTERLIKE}{_LATIN}][0-9])"
    r"(?:(?<=0)(?:[xX][0-9a-fA-F_]*+(?<![0-9a-fA-F])|[bB][01_]*+(?<![01])|[oO][0-7_]*+(?<![0-7]))"
    r"|[0-9_]*+(?:(?<=_)|(?:\.(?:[0-9][0-9_]*+)?+)?+"
    r"(?:(?<=_)|[eE][+-]?+(?:(?![0-9])|[0-9][0-9_]*+(?<=_)))))"
)
_NEEDS_LEX = re.compile(f"{_GLUED_OPENER}|{_BAD_NUMERAL}")


def tile(text: str) -> list[str] | None:
    """Texts of consecutive tokens covering `text`, whitespace and comments included, or
    None if `text` needs `lex`. Invariant: if not None, `lex(text)` reports no problem
    and its tokens are exactly these texts minus trivia, at the same offsets."""
    if _NEEDS_LEX.search(text) or text.rfind("«") > text.rfind("»"):
        return None  # the second test also keeps `«` scans from going quadratic
    texts: list[str] = _TILE.findall(text)
    for t in set(texts):
        if t in _TROUBLE or (t[0] == "'" and len(t) == 2) or _RAW_OPEN.match(t):
            return None
    return None if texts and texts[-1] == "'" else texts


def is_trivia(text: str) -> bool:
    """Whether a `tile` text is whitespace or a comment."""
    return text[0] in " \t\r\n" or text.startswith(("--", "/-"))


_ID_START = re.compile(f"[A-Za-z_«{_LETTERLIKE}{_LATIN}]")


def kind_of(text: str) -> Kind:
    """The kind of the token spelled `text` (a token of `lex` or a non-trivia of `tile`)."""
    c = text[0]
    if c == '"' or _RAW_OPEN.match(text):
        return Kind.STRING
    if len(text) > 1 and c in "'`#":
        return Kind.CHAR if c == "'" else Kind.NAME_LIT if c == "`" else Kind.HASH
    if "0" <= c <= "9":
        return Kind.NUMBER
    return Kind.IDENT if _ID_START.match(c) else Kind.SYMBOL


_KINDS = {"ident": Kind.IDENT, "sym": Kind.SYMBOL, "num": Kind.NUMBER, "hash": Kind.HASH}


def lex(text: str, *, legacy: bool = False) -> tuple[list[Token], list[Problem]]:
    """Tokens of `text` (comments and whitespace dropped) and its lexical problems."""
    finditer = _MASTER[legacy].finditer
    tokens: list[Token] = []
    problems: list[Problem] = []
    n, pos = len(text), 0
    while pos < n:
        for m in finditer(text, pos):
            group = m.lastgroup or ""
            kind = _KINDS.get(group)
            if kind is not None:
                tokens.append(Token(kind, m.start(), m.end(), m.group()))
                continue
            i, j = m.span()
            if group == "line":
                _check_glued_opener(tokens, i, problems)
            elif group == "namelit":
                tokens.append(Token(Kind.NAME_LIT, i, j, m.group()))
            else:
                pos = _lex_slow(group, text, i, tokens, problems)
                break
        else:
            break
    return tokens, problems


def _lex_slow(group: str, text: str, i: int, tokens: list[Token], ps: list[Problem]) -> int:
    """Lex the construct starting at `i` that `group` opened; return where lexing resumes."""
    if group == "block_":
        _check_glued_opener(tokens, i, ps)
        return _end_of_block(text, i, ps)
    if group == "char_":
        return _lex_char(text, i, tokens, ps)
    if group == "raw_":
        end = _end_of_raw_string(text, i, text.index('"', i) + 1, ps)
        tokens.append(Token(Kind.STRING, i, end, text[i:end]))
        return end
    if group == "quote_":  # a `«` with no closing `»` anywhere after it
        ps.append(Problem(i, len(text), "unterminated quoted name", "no closing `»`"))
        return len(text)
    kind, end = (
        (Kind.STRING, _end_of_string(text, i, ps))
        if group == "str_"
        else (Kind.NUMBER, _end_of_number(text, i, ps))
    )
    tokens.append(Token(kind, i, end, text[i:end]))
    return end


def _check_glued_opener(tokens: list[Token], i: int, problems: list[Problem]) -> None:
    prev = tokens[-1] if tokens else None
    if prev and prev.end == i and prev.kind is Kind.SYMBOL and prev.text[-1] not in _CLOSERS:
        problems.append(
            Problem(
                prev.start,
                i + 2,
                "ambiguous comment",
                "comment opener glued to an operator; Lean may read them as one token",
            )
        )


def _end_of_block(text: str, i: int, problems: list[Problem]) -> int:
    # Lean's `whitespace` skips the character after `/-` unexamined (for `/--` and
    # `/-!` it is part of the doc-comment token), then counts `/-` and `-/` pairs.
    j, depth = i + 3, 1
    while True:
        m = _NEST.search(text, j)
        if m is None:
            problems.append(Problem(i, len(text), "unterminated comment", "no closing `-/`"))
            return len(text)
        depth += 1 if text[m.start()] == "/" else -1
        j = m.end()
        if depth == 0:
            return j


def _take_digits(text: str, j: int, digits: frozenset[str], need: bool) -> tuple[int, bool]:
    """Lean's `takeDigitsFn`: digits and `_`; a `_` must be followed by a digit."""
    n = len(text)
    while j < n:
        c = text[j]
        if c == "_":
            need = True
        elif c in digits:
            need = False
        else:
            break
        j += 1
    return j, not need


def _end_of_number(text: str, i: int, problems: list[Problem]) -> int:
    n = len(text)
    radix = text[i + 1 : i + 2].lower() if text[i] == "0" else ""
    if radix in _RADIX:
        j, ok = _take_digits(text, i + 2, _RADIX[radix], need=True)
    else:
        j, ok = _take_digits(text, i + 1, _DEC, need=False)
        if ok and j < n and text[j] == ".":
            j += 1
            if j < n and text[j] in _DEC:
                j, ok = _take_digits(text, j, _DEC, need=False)
        if ok and j < n and text[j] in "eE":
            j += 1
            if j < n and text[j] in "+-":
                j += 1
            ok = j < n and text[j] in _DEC
            if ok:
                j, ok = _take_digits(text, j, _DEC, need=False)
    if not ok:
        problems.append(Problem(i, j, "malformed numeral", "Lean rejects this numeric literal"))
    return j


def _escape_end(text: str, k: int) -> int | None:
    """End of the escape whose `\\` is at `k` (no string gaps), or None if invalid."""
    e = text[k + 1 : k + 2]
    if e and e in _SIMPLE_ESCAPES:
        return k + 2
    width = 2 if e == "x" else 4 if e == "u" else 0
    digits = text[k + 2 : k + 2 + width]
    if width and len(digits) == width and all(c in _HEX for c in digits):
        return k + 2 + width
    return None


def _end_of_string(text: str, i: int, problems: list[Problem]) -> int:
    n, j = len(text), i + 1
    while True:
        m = _STR_STOP.search(text, j)
        if m is None:
            problems.append(Problem(i, n, "unterminated string", 'no closing `"`'))
            return n
        k = m.start()
        if text[k] == '"':
            return k + 1
        if text.startswith("\\\n", k):  # string gap: newline, then spaces, no 2nd newline
            j = k + 2
            while j < n and text[j] in " \t\r":
                j += 1
            if j < n and text[j] == "\n":
                problems.append(Problem(k, j + 1, "invalid escape", "string gap spans two lines"))
            continue
        end = _escape_end(text, k)
        if end is None:
            if k + 1 < n:
                problems.append(Problem(k, k + 2, "invalid escape", "Lean rejects this escape"))
            end = k + 2
        j = end


def _lex_char(text: str, i: int, tokens: list[Token], problems: list[Problem]) -> int:
    n = len(text)
    end = _escape_end(text, i + 1) if text.startswith("\\", i + 1) else min(i + 2, n)
    if end is not None and end < n and text[end] == "'":
        tokens.append(Token(Kind.CHAR, i, end + 1, text[i : end + 1]))
        return end + 1
    glued = tokens and tokens[-1].end == i and tokens[-1].kind is Kind.SYMBOL
    if glued and text[i + 1 : i + 2] in _AFTER_OPERATOR_PRIME:
        tokens.append(Token(Kind.SYMBOL, i, i + 1, "'"))  # e.g. Mathlib's `∑'`
        return i + 1
    stop = min(n, (end or i + 2) + 1)
    problems.append(Problem(i, stop, "malformed char literal", "Lean rejects this char literal"))
    return i + 1


def _end_of_raw_string(text: str, i: int, opened: int, problems: list[Problem]) -> int:
    closer = '"' + "#" * (opened - i - 2)
    k = text.find(closer, opened)
    if k < 0:
        problems.append(Problem(i, len(text), "unterminated string", "raw string never closed"))
        return len(text)
    if "\\" in text[opened:k] or '"' in text[opened:k]:
        problems.append(
            Problem(
                i, k + len(closer), "ambiguous raw string", "older toolchains lex it differently"
            )
        )
    return k + len(closer)


class Interpolation(NamedTuple):
    """Lean's reading of an interpolated string (`interpolatedStrFn`) from its `"`.

    `holes`: the code spans between each `{` and its closing `}`, in order; the last one
    runs to where reading stopped if it never closed. `end`: the offset after the closing
    `"`, or None if Lean's reading fails (error) or `stop` cut it short (`cut`). `reached`:
    where reading stopped (`end` if it closed)."""

    holes: tuple[tuple[int, int], ...]
    end: int | None
    cut: bool
    reached: int


_INTERPOLATION_STOP = re.compile(r'["\\{]')


def read_interpolated(text: str, i: int, stop: int) -> Interpolation:
    """Read `text[i:]` (starting at `"`) as an interpolated string, looking no further than
    `stop`. Holes are code lexed as `lex` lexes it, strings in them as plain strings
    (a nested interpolated string keeps its braces balanced inside its quotes)."""
    holes: list[tuple[int, int]] = []
    j = i + 1
    while True:
        m = _INTERPOLATION_STOP.search(text, j, stop)
        if m is None:
            return Interpolation(tuple(holes), None, stop < len(text), stop)
        k = m.start()
        if text[k] == '"':
            return Interpolation(tuple(holes), k + 1, False, k + 1)
        if text[k] == "\\":
            # `\{` escapes a brace; `\` + newline is a gap (`lex` checks its spaces)
            end = k + 2 if text[k + 1 : k + 2] in ("{", "\n") else _escape_end(text, k)
            if end is None:
                return Interpolation(tuple(holes), None, False, k)
            j = end
            continue
        close = _end_of_hole(text, k + 1, stop)
        holes.append((k + 1, stop if close is None else close))
        if close is None or close >= stop:
            return Interpolation(tuple(holes), None, stop < len(text), stop)
        j = close + 1


def _end_of_hole(text: str, h: int, stop: int) -> int | None:
    """Offset of the `}` closing the hole that starts at `h`; None if none before `stop`."""
    depth, pos = 0, h
    tokens: list[Token] = []  # scratch: slow constructs are lexed for their extent only
    problems: list[Problem] = []
    while pos < stop:
        for m in _MASTER[False].finditer(text, pos, stop):
            group = m.lastgroup or ""
            if group == "sym" and m.group() == "{":
                depth += 1
            elif group == "sym" and m.group() == "}":
                if depth == 0:
                    return m.start()
                depth -= 1
            elif group.endswith("_"):
                pos = _lex_slow(group, text, m.start(), tokens, problems)
                tokens.clear()
                break
        else:
            return None
    return None
