"""Screen untrusted Lean 4 proof text for the constructs banned by LEAN.md ("Soundness").

The text is lexed as Lean lexes it (`lexer.py`): banned words inside comments, strings,
char literals, longer or dotted identifiers (`sorry_free`, `foo.sorry`) and «quoted»
names (`«sorry»` names a constant, it is not the `sorry` term) are not findings.
Anything Lean would reject lexically is a finding, because Lean's error recovery then
resumes where this lexer does not look.

Judgment calls beyond the LEAN.md list:
- every `#`-command is a finding (a proof never needs one); `#x`, a single letter with
  primes/digits, is Mathlib's `Finset.card` notation and is allowed;
- `instance` anywhere (also `attribute [instance]`, `deriving instance`); `unsafe` except
  as an Aesop phase (`aesop (add unsafe apply h)`); `stop` (it is `repeat sorry`);
- a name literal is data: `` `sorry `` is no finding, but `` `IO.println `` is;
- metaprogramming: `by_elab`, `elab_rules`, `declare_syntax_cat`, `notation3`, simprocs,
  names under `Lean.Elab`/`Lean.Meta`/`Lean.Parser`, the monads `TacticM`, `MetaM`, …;
  attributes that register compiled or elaborator code (`@[tactic]`, `@[init]`, …);
- names ending in `sorryAx`, `reduceBool`/`reduceNat`, `trustCompiler`; any `unsafeX`;
- `+native` or `native := <not false>` anywhere is `decide +native`; `set_option doc.*`
  (Verso doc comments are elaborated, but doc comments are skipped here);
- an interpolated string (after `s!`, `m!`, `throwError`, …) containing a `{` hole:
  holes are code that Lean elaborates and this screen does not (choice: reject).
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from prover_core.lean.lexer import VERSION_DEPENDENT, Kind, Token, is_trivia, kind_of, lex, tile

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


def _by_reason(table: dict[str, str]) -> dict[str, str]:
    """{reason: "word word …"} → {word: reason}."""
    return {word: reason for reason, words in table.items() for word in words.split()}


_KEYWORDS = _by_reason(
    {
        "admits the goal without proof": "sorry admit",
        "admits every remaining goal (`repeat sorry`)": "stop",
        "trusts compiled code as proof (Lean.ofReduceBool)": "native_decide",
        "runs arbitrary metaprogram code": "run_tac run_cmd run_elab run_meta by_elab",
        "extends the parser or elaborator": "elab elab_rules macro macro_rules syntax "
        "declare_syntax_cat notation notation3 infix infixl infixr prefix postfix",
        "registers a simp metaprogram": "simproc dsimproc simproc_decl dsimproc_decl",
        "runs code when the module is initialized": "initialize builtin_initialize",
        "escapes the kernel's checks": "unsafe",
        "defines a function the kernel cannot unfold": "partial",
        "declares a constant whose definition the kernel never sees": "opaque",
        "asserts a statement without proof": "axiom",
        "declares an instance, changing how the statement elaborates": "instance",
    }
)
_REGISTERS = "registers elaborator or compiler code"
_ATTRIBUTES = _by_reason(
    {
        "binds the definition to native code": "extern",
        "swaps in different code at run time": "implemented_by",
        "rewrites compiled code that native evaluation trusts": "csimp",
        "exports the definition to native code": "export",
        "runs code when the module is initialized": "init",
        _REGISTERS: "tactic term_elab command_elab macro simproc norm_num positivity",
    }
)
_IO_NAMES = frozenset(("IO", "EIO", "BaseIO", "unsafeIO", "unsafeBaseIO", "unsafeEIO"))
_LAST_COMPONENT: dict[str, tuple[str, str]] = {
    "ofReduceBool": ("ofReduceBool", "trusts compiled code as proof"),
    "ofReduceNat": ("ofReduceBool", "trusts compiled code as proof"),
    "reduceBool": ("ofReduceBool", "makes the kernel run compiled code"),
    "reduceNat": ("ofReduceBool", "makes the kernel run compiled code"),
    "trustCompiler": ("ofReduceBool", "the axiom that trusts the compiler"),
    "sorryAx": ("sorry", "the axiom behind `sorry`"),
}
_META_ROOTS = frozenset(("Elab", "Meta", "Parser"))
_MONADS = frozenset(("TacticM", "TermElabM", "MetaM", "CoreM", "CommandElabM", "MacroM"))
# Every identifier `_check_name` or `_check_legacy_split` can flag matches this.
_SUSPECT = re.compile(
    "IO|unsafe|Lean|[rR]educe(?:Bool|Nat)|trustCompiler|sorryAx|"
    + "|".join(_MONADS)
    + "|"
    + VERSION_DEPENDENT.pattern
)
_WORDS = frozenset((*_KEYWORDS, "set_option", "native"))
_INTERPOLATORS = frozenset(("throwError", "throwErrorAt", "dbg_trace", "logInfo"))
_HEARTBEATS = frozenset(("maxHeartbeats", "synthInstance.maxHeartbeats"))
_OPTION_ROOTS = {
    "debug": ("set_option debug.*", "disables kernel or elaborator checks"),
    "doc": ("set_option doc.*", "Verso doc comments are elaborated; this screen skips comments"),
}
_CARD_NOTATION = re.compile(r"[^\W\d_][0-9'\u2080-\u2089]*")
_OPENERS = frozenset(("(", "[", "{", "⟨", "@["))
_CLOSERS = frozenset(")]}⟩")
_BRACKETS = _OPENERS | _CLOSERS


def screen(text: str) -> tuple[Finding, ...]:
    """Every banned construct in `text`, in order of position."""
    text = text.replace("\r\n", "\n")  # as Lean normalizes its input; columns are unchanged
    hits: list[_Hit] = []
    texts = tile(text)
    starts: list[int] | None = None  # offsets of `texts`; `tile` leaves them implicit
    if texts is None:
        tokens, problems = lex(text)
        hits.extend((p.start, p.end, p.construct, p.reason) for p in problems)
        texts, starts = [t.text for t in tokens], [t.start for t in tokens]
    unique = set(texts)
    attributes = "@[" in unique or "attribute" in unique
    hot = {t for t in unique if _is_hot(t, attributes)}
    if hot:
        if starts is None:
            starts = list(accumulate(map(len, texts), initial=0))
        _Checker(texts, starts, hits).run(hot)
    return _to_findings(text, hits) if hits else ()


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
    if kind is Kind.HASH or (kind is Kind.STRING and "{" in text):
        return True
    if kind is not Kind.IDENT and kind is not Kind.NAME_LIT:
        return False
    if text in _WORDS or _SUSPECT.search(text):
        return True
    name = _one_part_name(text) if kind is Kind.IDENT else None
    if name is None:
        return False
    return name == "native" or (attributes and (name in _ATTRIBUTES or name.startswith("builtin_")))


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


class _Checker:
    """Rules over a token stream: `texts[k]` starts at `starts[k]`; trivia may be mixed in."""

    def __init__(self, texts: list[str], starts: list[int], hits: list[_Hit]) -> None:
        self.texts, self.starts, self.hits = texts, starts, hits
        # Built on first use: attribute-list spans; bracket indices and innermost opener.
        self._attributes: list[tuple[int, int]] | None = None
        self._brackets: tuple[list[int], list[int]] | None = None

    def run(self, hot: set[str]) -> None:
        for k in _indices(self.texts, hot):
            tok = self.token(k)
            if tok.kind is Kind.HASH:
                _check_hash(tok, self.hits)
            elif tok.kind is Kind.STRING:
                prev = self.prev(k)
                if prev is not None:
                    _check_interpolation(self.token(prev), tok, self.hits)
            else:
                if _SUSPECT.search(tok.text):
                    _check_name(tok, self.hits)
                    if VERSION_DEPENDENT.search(tok.text):
                        _check_legacy_split(tok, self.hits)
                if tok.kind is Kind.IDENT:
                    self.check_word(k, tok)

    def token(self, k: int) -> Token:
        text = self.texts[k]
        return Token(kind_of(text), self.starts[k], self.starts[k] + len(text), text)

    def prev(self, k: int) -> int | None:
        k -= 1
        while k >= 0 and is_trivia(self.texts[k]):
            k -= 1
        return k if k >= 0 else None

    def next(self, k: int | None) -> int | None:
        if k is None:
            return None
        k += 1
        while k < len(self.texts) and is_trivia(self.texts[k]):
            k += 1
        return k if k < len(self.texts) else None

    def is_word(self, k: int | None, word: str) -> bool:
        return k is not None and self.texts[k] == word

    def check_word(self, k: int, tok: Token) -> None:
        word, hits = tok.text, self.hits
        if word in _KEYWORDS and not (word == "unsafe" and self.is_aesop_phase(k)):
            hits.append((tok.start, tok.end, word, _KEYWORDS[word]))
        # An identifier names an attribute or a config field even when «quoted».
        name = _one_part_name(word)
        if name and (name in _ATTRIBUTES or name.startswith("builtin_")) and self.in_attribute(k):
            hits.append((tok.start, tok.end, f"@[{name}]", _ATTRIBUTES.get(name, _REGISTERS)))
        if word == "set_option":
            self.check_set_option(k, tok)
        elif name == "native":
            self.check_native(k, tok)

    def in_attribute(self, k: int) -> bool:
        if self._attributes is None:
            self._attributes = self._attribute_spans()
        i = bisect_right(self._attributes, (k, k)) - 1
        return i >= 0 and self._attributes[i][0] < k < self._attributes[i][1]

    def _attribute_spans(self) -> list[tuple[int, int]]:
        """(opening, closing) bracket indices of each `@[…]` and `attribute […]`, in order."""
        spans: list[tuple[int, int]] = []
        depth = opened = 0  # depth: brackets open inside the current attribute list
        for j in [j for j, t in enumerate(self.texts) if t == "@[" or t == "[" or t == "]"]:
            text = self.texts[j]
            if text == "]":
                if depth == 1:
                    spans.append((opened, j))
                depth = max(0, depth - 1)
            elif depth or text == "@[" or self.is_word(self.prev(j), "attribute"):
                opened = j if depth == 0 else opened
                depth += 1
        if depth:
            spans.append((opened, len(self.texts)))
        return spans

    def is_aesop_phase(self, k: int) -> bool:
        """`unsafe` as an Aesop rule phase: `(add unsafe …)`, `(add safe …, unsafe …)` or
        `@[aesop unsafe …]`."""
        prev = self.prev(k)
        if self.is_word(prev, "add") or self.is_word(prev, "aesop"):
            return True
        if prev is None or self.texts[prev] != ",":
            return False
        opener = self.enclosing(k)
        return (
            opener is not None
            and self.texts[opener] == "("
            and self.is_word(self.next(opener), "add")
        )

    def enclosing(self, k: int) -> int | None:
        """Index of the innermost bracket still open at token `k` (any closer closes any)."""
        if self._brackets is None:
            indices = [j for j, t in enumerate(self.texts) if t in _BRACKETS]
            tops: list[int] = []
            stack: list[int] = []
            for j in indices:
                if self.texts[j] in _CLOSERS:
                    if stack:
                        stack.pop()
                else:
                    stack.append(j)
                tops.append(stack[-1] if stack else -1)
            self._brackets = (indices, tops)
        indices, tops = self._brackets
        i = bisect_left(indices, k) - 1
        return tops[i] if i >= 0 and tops[i] >= 0 else None

    def check_set_option(self, k: int, tok: Token) -> None:
        name_at = self.next(k)
        if name_at is None or kind_of(self.texts[name_at]) is not Kind.IDENT:
            return
        name = self.token(name_at)
        option = ".".join(name.parts)
        if name.parts[0] in _OPTION_ROOTS:
            self.hits.append((tok.start, name.end, *_OPTION_ROOTS[name.parts[0]]))
        elif option in _HEARTBEATS:
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
    if not _IO_NAMES.isdisjoint(parts):
        found.append(("IO", "performs input/output"))
    if any(p.startswith("unsafe") and p[6:7].isupper() and p not in _IO_NAMES for p in parts):
        found.append(("unsafe", "calls an unsafe primitive"))
    if parts and parts[-1] in _LAST_COMPONENT:
        found.append(_LAST_COMPONENT[parts[-1]])
    if len(parts) >= 2 and parts[0] == "Lean" and parts[1] in _META_ROOTS:
        found.append((f"Lean.{parts[1]}", "metaprogramming API"))
    found.extend((p, "metaprogram monad") for p in parts if p in _MONADS)
    hits.extend((tok.start, tok.end, construct, reason) for construct, reason in found)


def _check_legacy_split(tok: Token, hits: list[_Hit]) -> None:
    # Toolchains before Latin-1 letters were identifier characters split `xésorry`
    # into `x`, `é`, `sorry`: screen those pieces too.
    for sub in lex(tok.text, legacy=True)[0]:
        if sub.kind is Kind.IDENT or sub.kind is Kind.NAME_LIT:
            sub = sub._replace(start=sub.start + tok.start, end=sub.end + tok.start)
            _check_name(sub, hits)
            if sub.kind is Kind.IDENT and not sub.quoted and sub.text in _KEYWORDS:
                hits.append((sub.start, sub.end, sub.text, _KEYWORDS[sub.text]))


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


def _check_interpolation(prev: Token, tok: Token, hits: list[_Hit]) -> None:
    if "{" in tok.text and prev.kind is Kind.IDENT:
        last = prev.parts[-1]
        if last.endswith("!") or last in _INTERPOLATORS:
            hits.append(
                (tok.start, tok.end, "interpolated string", "`{…}` holes are code, not screened")
            )


def _to_findings(text: str, hits: list[_Hit]) -> tuple[Finding, ...]:
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def position(offset: int) -> tuple[int, int]:
        line = bisect_right(line_starts, offset) - 1
        return line + 1, offset - line_starts[line]

    return tuple(Finding(*position(s), *position(e), c, r) for s, e, c, r in sorted(set(hits)))
