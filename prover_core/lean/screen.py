"""Screen untrusted Lean 4 proof text for banned constructs (LEAN.md, "Soundness").

What is banned, and why, is `banned.py`; this module finds it. The text is lexed as Lean
lexes it (`lexer.py`): banned words inside comments, strings, char literals, longer or
dotted identifiers (`sorry_free`, `foo.sorry`) and «quoted» names (`«sorry»` names a
constant, it is not the `sorry` term) are not findings; a name literal is data (`` `sorry ``
is none, `` `IO.println `` is one).

Anything Lean would reject lexically is a finding, because Lean's error recovery then
resumes where this lexer does not look: lexer problems (unterminated comments and strings,
bad escapes, malformed numerals, …; a `\\{` escape only where no interpolating token such as
`s!` or `trace[…]` precedes the string) and the characters of `charset.py` outside comments
and literals (controls, invisible and fullwidth characters, non-ASCII spaces, combining
marks, look-alike letters, replacement characters); bidirectional controls and NUL are
findings anywhere.

Context, not the previous token, decides two rules:
- `unsafe` is allowed only as an Aesop rule phase: inside the `(add …)` clause of a
  tactic that takes Aesop clauses (`aesop (config := …) (add safe h, unsafe 50% apply g)`,
  also `aesop_cat`, `finiteness`, …) or in an `aesop` attribute (`@[aesop unsafe apply]`);
- a string containing `{` is also read as Lean reads an interpolated string (after `s!`,
  `m!`, `f!`, `throwError`, `trace[cls]`, or any syntax taking `interpolatedStr`), and the
  code in its holes is screened, nested holes too (banned constructs; a hole's lexical
  errors fail the string if Lean interpolates it, and a plain string's braces are no
  code). Where that reading ends somewhere the plain reading has no token boundary, the
  string is a finding ("ambiguous string"): the code after it is not where this screen
  looks. A hole that never closes is screened to where reading stopped (Lean elaborates
  partial syntax). Reading holes has a budget linear in the text, and nesting is capped;
  text past either (only pathological text) is a finding.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from prover_core.lean.banned import (
    HEARTBEATS,
    IO_NAMES,
    KEYWORDS,
    LAST_COMPONENT,
    META_ROOTS,
    MONADS,
    OPTION_ROOTS,
    OPTIONS,
    attribute_reason,
)
from prover_core.lean.charset import OddCharacter, odd_characters
from prover_core.lean.lexer import (
    VERSION_DEPENDENT,
    Kind,
    Problem,
    Token,
    kind_of,
    lex,
    read_interpolated,
    tile,
)
from prover_core.lean.stream import TokenStream

__all__ = ["Finding", "format_finding", "is_clean", "main", "screen", "screen_file"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A banned construct at Lean positions: 1-based lines, 0-based codepoint columns."""

    line: int
    column: int
    end_line: int
    end_column: int
    construct: str
    reason: str


# (start offset, end offset, construct, reason)
_Hit = tuple[int, int, str, str]

# Every identifier `_check_name` or `_check_legacy_split` can flag matches this.
_SUSPECT = re.compile(
    "IO|unsafe|Lean|[rR]educe(?:Bool|Nat)|trustCompiler|sorryAx|"
    + "|".join(MONADS)
    + "|"
    + VERSION_DEPENDENT.pattern
)
_WORDS = frozenset((*KEYWORDS, "set_option", "native"))
_CARD_NOTATION = re.compile(r"[^\W\d_][0-9'\u2080-\u2089]*")


def screen(text: str) -> tuple[Finding, ...]:
    """Every banned construct in `text`, in order of position."""
    text = text.replace("\r\n", "\n")  # as Lean normalizes its input; columns are unchanged
    hits = _hits(text, _Budget(_BUDGET_PER_CHAR * len(text) + _BUDGET_BASE), 0, lexical=True)
    return _to_findings(text, hits) if hits else ()


@dataclass(slots=True)
class _Budget:
    """Characters that interpolated-string holes may still cost, shared by one `screen` call:
    reading and re-screening holes is what could make screening superlinear."""

    chars: int


# Real proofs spend a few hundred characters; pathological text runs out and is a finding.
_BUDGET_PER_CHAR, _BUDGET_BASE = 2, 1 << 14
_MAX_DEPTH = 8  # interpolated strings nested deeper than this are a finding


def _hits(text: str, budget: _Budget, depth: int, *, lexical: bool) -> list[_Hit]:
    """Hits in `text` (offsets into it); `lexical`: whether lexical problems count."""
    hits: list[_Hit] = []
    texts = tile(text)
    starts: list[int] | None = None  # offsets of `texts`; `tile` leaves them implicit
    if texts is None:
        tokens, problems = lex(text)
        texts, starts = [t.text for t in tokens], [t.start for t in tokens]
        if lexical:
            kept = [p for p in problems if not _is_interpolation_escape(text, p, tokens, starts)]
            hits.extend((p.start, p.end, p.construct, p.reason) for p in kept)
    unique = set(texts)
    attributes = "@[" in unique or "attribute" in unique
    hot = {t for t in unique if _is_hot(t, attributes)}
    odd = list(odd_characters(text)) if lexical else []
    if hot or odd:
        if starts is None:
            starts = list(accumulate(map(len, texts), initial=0))
        checker = _Checker(text, texts, starts, hits)
        checker.run(hot, budget, depth)
        checker.characters(odd)
    return hits


# Tokens after which Lean's own syntax reads an interpolated string (`trace[cls] "…"` ends
# in `]`; `s!`, `m!`, `f!` and most custom ones end in `!`).
_INTERPOLATORS = frozenset(("throwError", "throwErrorAt", "throwNamedError", "dbg_trace", "]"))


def _is_interpolation_escape(text: str, p: Problem, tokens: list[Token], starts: list[int]) -> bool:
    """Whether `p` is a `\\{` escape (valid only in interpolated strings) in a string after
    a token that makes it an interpolated string."""
    if not text.startswith("\\{", p.start):
        return False
    k = bisect_right(starts, p.start) - 1
    if k < 1 or tokens[k].kind is not Kind.STRING:
        return False
    prev = tokens[k - 1].text
    return prev in _INTERPOLATORS or (tokens[k - 1].kind is Kind.IDENT and prev.endswith("!"))


def is_clean(text: str) -> bool:
    return not screen(text)


def screen_file(path: Path) -> tuple[Finding, ...]:
    """Screen a UTF-8 file; raises OSError or UnicodeDecodeError if it cannot be read."""
    return screen(path.read_bytes().decode("utf-8"))


def format_finding(path: str, f: Finding) -> str:
    return f"{path}:{f.line}:{f.column}: {f.construct} — {f.reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """`screen FILE` (argv excludes the program name): 0 clean, 1 findings, 2 unreadable."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: leanstep screen FILE", file=sys.stderr)
        return 2
    try:
        findings = screen_file(Path(args[0]))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args[0]}: cannot read: {exc}", file=sys.stderr)
        return 2
    for f in findings:
        print(format_finding(args[0], f))
    return 1 if findings else 0


def _is_hot(text: str, attributes: bool) -> bool:
    """Whether the token spelled `text` can yield a finding (trivia never does);
    `attributes`: whether the text has an attribute list at all."""
    kind = kind_of(text)
    if kind is Kind.HASH or (kind is Kind.STRING and "{" in text and text[0] == '"'):
        return True
    if kind is not Kind.IDENT and kind is not Kind.NAME_LIT:
        return False
    if text in _WORDS or _SUSPECT.search(text):
        return True
    name = _one_part_name(text) if kind is Kind.IDENT else None
    if name is None:
        return False
    return name == "native" or (attributes and attribute_reason(name) is not None)


def _one_part_name(ident: str) -> str | None:
    """The name of a one-component identifier, «» removed; None for dotted names."""
    if "«" not in ident:
        return None if "." in ident else ident
    parts = Token(Kind.IDENT, 0, len(ident), ident).parts
    return parts[0] if len(parts) == 1 else None


def _indices(texts: list[str], hot: set[str]) -> list[int]:
    """Sorted indices of the hot texts; `list.index` scans in C when they are few."""
    if len(hot) > 8:
        return [k for k, t in enumerate(texts) if t in hot]
    found: list[int] = []
    for t in hot:
        k = texts.index(t)
        while True:
            found.append(k)
            try:
                k = texts.index(t, k + 1)
            except ValueError:
                break
    return sorted(found)


class _Checker(TokenStream):
    """The rules over the token stream of `text`; hits go to `hits`."""

    def __init__(self, text: str, texts: list[str], starts: list[int], hits: list[_Hit]) -> None:
        super().__init__(texts, starts)
        self.text, self.hits = text, hits

    def run(self, hot: set[str], budget: _Budget, depth: int) -> None:
        for k in _indices(self.texts, hot):
            tok = self.token(k)
            if tok.kind is Kind.HASH:
                _check_hash(tok, self.hits)
            elif tok.kind is Kind.STRING:
                self.check_string(tok, budget, depth)
            else:
                if _SUSPECT.search(tok.text):
                    _check_name(tok, self.hits)
                    if VERSION_DEPENDENT.search(tok.text):
                        _check_legacy_split(tok, self.hits)
                if tok.kind is Kind.IDENT:
                    self.check_word(k, tok)

    def check_word(self, k: int, tok: Token) -> None:
        word, hits = tok.text, self.hits
        if word in KEYWORDS and not (word == "unsafe" and self.is_aesop_phase(k)):
            hits.append((tok.start, tok.end, word, KEYWORDS[word]))
        # An identifier names an attribute or a config field even when «quoted».
        name = _one_part_name(word)
        reason = attribute_reason(name) if name else None
        if reason and self.in_attribute(k):
            hits.append((tok.start, tok.end, f"@[{name}]", reason))
        if word == "set_option":
            self.check_set_option(k, tok)
        elif name == "native":
            self.check_native(k, tok)

    def check_string(self, tok: Token, budget: _Budget, depth: int) -> None:
        """Screen the holes of `tok` read as an interpolated string."""
        what = "interpolated string"
        if depth >= _MAX_DEPTH:
            self.hits.append((tok.start, tok.end, what, f"nested deeper than {_MAX_DEPTH}"))
            return
        stop = min(len(self.text), tok.start + max(budget.chars, 0))
        reading = read_interpolated(self.text, tok.start, stop)
        budget.chars -= reading.reached - tok.start
        if reading.cut or budget.chars < 0:
            self.hits.append((tok.start, tok.end, what, "too many or too long holes to screen"))
        if reading.end is not None and not self.ends_string(reading.end):
            reason = "reads differently when Lean interpolates it (`s!`, `m!`, `trace[…]`, …)"
            self.hits.append((tok.start, reading.end, "ambiguous string", reason))
        for s, e in reading.holes:
            budget.chars -= e - s
            if budget.chars < 0:
                self.hits.append((s, e, what, "too many or too long holes to screen"))
                return
            # A hole's lexical errors fail an interpolated string; a plain string has none.
            for hs, he, c, r in _hits(self.text[s:e], budget, depth + 1, lexical=False):
                self.hits.append((hs + s, he + s, c, r))

    def characters(self, odd: list[OddCharacter]) -> None:
        """Hits for odd characters in code (or anywhere); adjacent alike ones join."""
        merged: list[_Hit] = []
        for o in odd:
            if not (o.anywhere or self.is_symbol_at(o.offset, self.text[o.offset])):
                continue
            if merged and merged[-1][1] == o.offset and merged[-1][2] == o.construct:
                merged[-1] = (merged[-1][0], o.offset + 1, o.construct, merged[-1][3])
            else:
                merged.append((o.offset, o.offset + 1, o.construct, o.reason))
        self.hits.extend(merged)

    def is_aesop_phase(self, k: int) -> bool:
        """`unsafe` at `k` as an Aesop rule phase: in the `(add …)` clause after a tactic
        name and its other clauses, or in an `aesop` attribute (`@[aesop unsafe …]`,
        `attribute [aesop unsafe] …`). Other modifiers may come first: `(add 50% unsafe h)`."""
        opener = self.enclosing(k)
        head = None if opener is None else self.segment_head(k, opener)
        if opener is None or head is None:
            return False
        if self.texts[opener] == "(":
            return self.is_word(self.next(opener), "add") and self.follows_tactic(opener)
        if self.texts[opener] == "@[" or (
            self.texts[opener] == "[" and self.is_word(self.prev(opener), "attribute")
        ):
            while head is not None and self.texts[head] in ("local", "scoped"):
                head = self.next(head)
            return self.is_word(head, "aesop")
        return False

    def check_set_option(self, k: int, tok: Token) -> None:
        name_at = self.next(k)
        if name_at is None or kind_of(self.texts[name_at]) is not Kind.IDENT:
            return
        name = self.token(name_at)
        option = ".".join(name.parts)
        if name.parts[0] in OPTION_ROOTS:
            self.hits.append((tok.start, name.end, *OPTION_ROOTS[name.parts[0]]))
        elif option in OPTIONS:
            self.hits.append((tok.start, name.end, f"set_option {option}", OPTIONS[option]))
        elif option in HEARTBEATS:
            value_at = self.next(name_at)
            if value_at is not None and _nat_value(self.texts[value_at]) == 0:
                end = self.token(value_at).end
                self.hits.append(
                    (tok.start, end, f"set_option {option} 0", "removes the time limit")
                )

    def check_native(self, k: int, tok: Token) -> None:
        reason = "native evaluation trusts the compiler"
        prev = self.prev(k)
        if prev is not None and self.texts[prev] == "+" and self.starts[prev] + 1 == tok.start:
            self.hits.append((self.starts[prev], tok.end, "decide +native", reason))
        assign = self.next(k)
        if assign is not None and self.texts[assign] == ":=":
            value = self.next(assign)
            if not self.is_word(value, "false"):
                end = self.token(assign if value is None else value).end
                self.hits.append((tok.start, end, "decide +native", reason))


def _check_name(tok: Token, hits: list[_Hit]) -> None:
    parts = tok.parts
    if parts and parts[0] == "_root_":
        parts = parts[1:]
    found: list[tuple[str, str]] = []
    if not IO_NAMES.isdisjoint(parts):
        found.append(("IO", "performs input/output"))
    if any(p.startswith("unsafe") and p[6:7].isupper() and p not in IO_NAMES for p in parts):
        found.append(("unsafe", "calls an unsafe primitive"))
    if parts and parts[-1] in LAST_COMPONENT:
        found.append(LAST_COMPONENT[parts[-1]])
    if len(parts) >= 2 and parts[0] == "Lean" and parts[1] in META_ROOTS:
        found.append((f"Lean.{parts[1]}", "metaprogramming API"))
    found.extend((p, "metaprogram monad") for p in parts if p in MONADS)
    hits.extend((tok.start, tok.end, construct, reason) for construct, reason in found)


def _check_legacy_split(tok: Token, hits: list[_Hit]) -> None:
    # Toolchains before Latin-1 letters were identifier characters split `xésorry`
    # into `x`, `é`, `sorry`: screen those pieces too.
    for sub in lex(tok.text, legacy=True)[0]:
        if sub.kind is Kind.IDENT or sub.kind is Kind.NAME_LIT:
            sub = sub._replace(start=sub.start + tok.start, end=sub.end + tok.start)
            _check_name(sub, hits)
            if sub.kind is Kind.IDENT and not sub.quoted and sub.text in KEYWORDS:
                hits.append((sub.start, sub.end, sub.text, KEYWORDS[sub.text]))


def _nat_value(numeral: str) -> int | None:
    digits = numeral.replace("_", "").lower()
    base = {"0x": 16, "0b": 2, "0o": 8}.get(digits[:2])
    try:
        return int(digits[2:], base) if base else int(digits) if digits.isdigit() else None
    except ValueError:
        return None


def _check_hash(tok: Token, hits: list[_Hit]) -> None:
    word = tok.text[1:]
    # Lean reads the longest `#`-token, so `#evalx` is `#eval x`.
    if word.startswith("eval"):
        hits.append((tok.start, tok.end, "#eval", "evaluates arbitrary code"))
    elif word.startswith("exit"):
        hits.append((tok.start, tok.end, "#exit", "stops Lean before the rest is checked"))
    elif not _CARD_NOTATION.fullmatch(word):
        hits.append((tok.start, tok.end, tok.text, "a proof never needs a `#` command"))


def _to_findings(text: str, hits: list[_Hit]) -> tuple[Finding, ...]:
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def position(offset: int) -> tuple[int, int]:
        line = bisect_right(line_starts, offset) - 1
        return line + 1, offset - line_starts[line]

    return tuple(Finding(*position(s), *position(e), c, r) for s, e, c, r in sorted(set(hits)))
