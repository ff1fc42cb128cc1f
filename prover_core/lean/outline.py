"""The command outline of a Lean file, drawn on Lean tokens (`lexer.lex`).

A command starts at a command keyword or a declaration modifier (`@[…]`, `private`, …),
extended back over the doc comment before it; it ends where the next command starts. The
scope stack (`namespace`/`section`/`mutual` … `end`) gives each command its namespace.

Invariants:
- comments, doc comments, strings, char literals and «quoted» names never start a command
  (they are not tokens, or not keyword tokens);
- `open … in` and `set_option … in` prefixes belong to the command they prefix;
- `open`, `set_option` and `#`-words also exist as tactics (or terms), so they start a command
  only as the first token of a line at column 0; the other keywords start one anywhere
  outside an attribute list (`@[instance]`, `attribute [instance]`, `deriving instance`);
- a declaration ends at the first token at column 0, outside brackets, after one of its `by`s
  (Lean's tactic blocks end at a lesser column), unless that token is `where`,
  `termination_by`, `decreasing_by` or `|`: what follows up to the next command (a mistyped
  keyword, a half-typed line) is in no command, so it never becomes part of a proof.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover_core.lean.lexer import Kind, Token, lex

# Declarations that may declare a name (`example` and an anonymous `instance` do not).
DECL_KEYWORDS = frozenset(
    {"theorem", "lemma", "example", "def", "abbrev", "instance", "axiom", "opaque",
     "structure", "inductive", "class"}
)  # fmt: skip
_COMMANDS = DECL_KEYWORDS | frozenset(
    {"namespace", "section", "end", "mutual", "variable", "universe", "import", "attribute",
     "macro", "macro_rules", "syntax", "notation", "infix", "infixl", "infixr", "prefix",
     "postfix", "elab", "elab_rules", "declare_syntax_cat", "initialize",
     "builtin_initialize", "deriving", "export", "omit", "include", "add_decl_doc"}
)  # fmt: skip
_MODIFIERS = frozenset({"private", "protected", "noncomputable", "unsafe", "partial", "nonrec"})
_SCOPED = frozenset({"local", "scoped"})
_PREFIXES = frozenset({"open", "set_option"})  # `… in` may prefix a command
# A keyword right after one of these continues the command (`class inductive`, …).
_CONTINUES = {"class": frozenset({"inductive", "abbrev", "structure"}), "deriving": _COMMANDS}
_KEYWORDS = _COMMANDS | _MODIFIERS | _SCOPED | _PREFIXES | frozenset({"where", "in"})
# Words a name component must be «quoted» to be (besides the command words above).
_TERM_KEYWORDS = frozenset(
    {"fun", "by", "have", "show", "from", "at", "with", "let", "if", "then", "else", "do",
     "match", "calc", "suffices", "this", "Type", "Prop", "Sort", "sorry", "forall"}
)  # fmt: skip
_NAMED = (DECL_KEYWORDS - {"example"}) | {"namespace", "section", "end"}
# Column-0 tokens that continue a declaration after a tactic block.
_BLOCK_CONTINUES = frozenset({"where", "termination_by", "decreasing_by", "|"})
_OPENS = frozenset({"(", "[", "{", "⟨", "@[", "⦃"})  # the lexer's bracket symbols
_CLOSES = frozenset({")", "]", "}", "⟩", "⦄"})
_OPENER = re.compile(r"--|/-")
_NEST = re.compile(r"/-|-/")
_PLAIN_PART = re.compile(r"[^\W\d][\w'!?₀-₉ₐ-ₜᵢ-ᵪ]*")


@dataclass(frozen=True, slots=True)
class Command:
    """One command. Offsets index the text; token indexes index `Outline.tokens`."""

    keyword: str  # the command keyword (`theorem`, `namespace`, …), "" if none was found
    start: int  # offset of its doc comment, else of its first token
    end: int  # where the next command, a `/-!` comment or text in no command starts
    body_end: int  # offset just past its last token
    first: int  # index of its first token
    kw: int  # index of its keyword token (== `last` + 1 if none)
    last: int  # index of its last token
    modifiers: tuple[str, ...]  # `private`, `protected`, … (attributes not included)
    name: tuple[str, ...] | None  # the declared name as written (components), if any
    name_token: int | None  # index of the name token
    namespace: tuple[str, ...]  # the namespace a declaration is in (() for other commands)

    @property
    def full_name(self) -> tuple[str, ...] | None:
        """The name Lean declares: namespace + written name (`_root_.x` is `x`)."""
        if self.name is None:
            return None
        if self.name[0] == "_root_":
            return self.name[1:]
        return self.namespace + self.name


@dataclass(frozen=True, slots=True)
class Outline:
    text: str
    tokens: tuple[Token, ...]
    commands: tuple[Command, ...]


def show_name(parts: tuple[str, ...]) -> str:
    """A name as Lean prints it: components joined by `.`, odd ones «quoted»."""
    return ".".join(
        p if _PLAIN_PART.fullmatch(p) and p not in _KEYWORDS | _TERM_KEYWORDS else f"«{p}»"
        for p in parts
    )


def parse_name(name: str) -> tuple[str, ...] | None:
    """The components of a name written as in Lean (`A.foo`, `«a b».c`), or None."""
    tokens, problems = lex(name)
    if problems or len(tokens) != 1 or tokens[0].kind is not Kind.IDENT:
        return None
    parts = tokens[0].parts
    return parts[1:] if parts[0] == "_root_" and len(parts) > 1 else parts


def _at_line_start(text: str, tok: Token) -> bool:
    return tok.start == 0 or text[tok.start - 1] == "\n"


def _trivia_comments(text: str, lo: int, hi: int) -> list[tuple[int, str]]:
    """(offset, opener) of the comments in `text[lo:hi]`, a stretch of whitespace and
    comments only (between two tokens). Openers: `--`, `/-`, `/--`, `/-!`."""
    out: list[tuple[int, str]] = []
    i = lo
    while (m := _OPENER.search(text, i, hi)) is not None:
        i = m.start()
        if m.group() == "--":
            out.append((i, "--"))
            j = text.find("\n", i, hi)
            i = hi if j < 0 else j + 1
            continue
        out.append((i, text[i : i + 3] if text[i + 2 : i + 3] in ("-", "!") else "/-"))
        depth, i = 1, i + 3
        while depth and (n := _NEST.search(text, i, hi)) is not None:
            depth += 1 if n.group() == "/-" else -1
            i = n.end()
        if depth:
            break
    return out


class _Scan:
    """Command boundaries on a token stream; every question answered in O(1) amortised
    (bracket matches and modifier runs are computed once), so any input stays linear."""

    def __init__(self, text: str, toks: tuple[Token, ...]) -> None:
        self.text, self.toks = text, toks
        n = len(toks)
        self.closes: dict[int, int] = {}  # `[`/`@[` index -> its `]` (n - 1 if unmatched)
        opened: list[int] = []
        for i, t in enumerate(toks):
            if opened and t.text in _COMMANDS and _at_line_start(text, t):
                # a command keyword at column 0 ends any unclosed attribute list before it
                self.closes.update((o, i - 1) for o in opened)
                opened.clear()
            if t.kind is Kind.SYMBOL and t.text in ("[", "@["):
                opened.append(i)
            elif t.kind is Kind.SYMBOL and t.text == "]" and opened:
                self.closes[opened.pop()] = i
        self.closes.update((i, n - 1) for i in opened)
        # after_mods[i]: the first index at or after i that is not a modifier word
        self.after_mods = list(range(n + 1))
        for i in range(n - 1, -1, -1):
            if toks[i].text in _MODIFIERS or toks[i].text in _SCOPED:
                self.after_mods[i] = self.after_mods[i + 1]

    def starts(self, i: int) -> bool:
        """Whether token `i` starts a command."""
        toks, t = self.toks, self.toks[i]
        prev = toks[i - 1] if i else None
        if t.kind is Kind.SYMBOL:
            return t.text == "@["
        if (
            prev is not None
            and prev.kind is Kind.SYMBOL
            and prev.text == "."
            and prev.end == t.start
        ):
            return False  # `(x).end`: a field, not a keyword
        if t.kind is Kind.HASH:
            return _at_line_start(self.text, t)
        if t.kind is not Kind.IDENT:
            return False
        word = t.text
        if prev is not None and word in _CONTINUES.get(prev.text, ()):
            return False
        if word in _PREFIXES:
            return _at_line_start(self.text, t)
        if word in _SCOPED or word in _MODIFIERS:
            # a modifier only where a command keyword follows: `aesop (add unsafe apply h)`
            j = self.after_mods[i]
            return j < len(toks) and toks[j].text in _COMMANDS
        return word in _COMMANDS

    def header(self, i: int, end: int) -> tuple[int, tuple[str, ...]]:
        """(index of the keyword after attributes and modifiers from `i`, the modifiers)."""
        mods: list[str] = []
        while i < end:
            t = self.toks[i]
            if t.kind is Kind.SYMBOL and t.text == "@[":
                i = self.closes[i] + 1
            elif t.kind is Kind.IDENT and (t.text in _MODIFIERS or t.text in _SCOPED):
                mods.append(t.text)
                i += 1
            else:
                break
        return i, tuple(mods)

    def next_start(self, k: int) -> int:
        """Index of the first command start at or after `k` (len(toks) if none)."""
        toks = self.toks
        k = min(k, len(toks))
        while k < len(toks):
            if toks[k].text == "[" and k and toks[k - 1].text == "attribute":
                k = self.closes[k]
            elif self.starts(k):
                return k
            k += 1
        return k

    def block_end(self, kw: int, j: int) -> int:
        """Index of the first token in (kw, j) that ends declaration `kw` after a tactic
        block (this module's invariants), else `j`."""
        toks, seen_by, depth = self.toks, False, 0
        for k in range(kw + 1, j):
            t = toks[k]
            if (
                seen_by
                and depth == 0
                and _at_line_start(self.text, t)
                and t.text not in _BLOCK_CONTINUES
            ):
                return k
            if t.kind is Kind.SYMBOL and t.text in _OPENS:
                depth += 1
            elif t.kind is Kind.SYMBOL and t.text in _CLOSES:
                depth = max(depth - 1, 0)
            seen_by = seen_by or (t.kind is Kind.IDENT and t.text == "by")
        return j

    def segments(self) -> list[tuple[int, int, int]]:
        """(first token, keyword token, last token) of each command, `… in` prefixes
        merged. Tokens before the first command (a stray BOM, garbage) or after a
        declaration's end (`block_end`) are in none."""
        out: list[tuple[int, int, int]] = []
        toks, n = self.toks, len(self.toks)
        i = first = self.next_start(0)
        while i < n:
            kw, _ = self.header(i, n)
            j = self.next_start(kw + 1)
            if kw < n and toks[kw].text in _PREFIXES and j < n and toks[j - 1].text == "in":
                i = j  # `open Foo in` / `set_option x v in`: part of the next command
                continue
            cut = self.block_end(kw, j) if kw < n and toks[kw].text in DECL_KEYWORDS else j
            out.append((first, kw, cut - 1))
            i = first = j
        return out


def _name_of(toks: tuple[Token, ...], kw: int, last: int) -> tuple[tuple[str, ...], int] | None:
    i = kw + 1
    if i > last or toks[i].kind is not Kind.IDENT or toks[i].text in _KEYWORDS:
        return None
    return toks[i].parts, i


def outline(text: str) -> Outline:
    """The commands of `text`, in order."""
    toks = tuple(lex(text)[0])
    scan = _Scan(text, toks)
    segs = scan.segments()
    starts: list[int] = []
    for first, _, _ in segs:
        lo = toks[first - 1].end if first else 0
        docs = [o for o, op in _trivia_comments(text, lo, toks[first].start) if op == "/--"]
        starts.append(docs[-1] if docs else toks[first].start)
    scopes: list[tuple[str, _Ns]] = []  # (kind, the namespace inside it)
    commands: list[Command] = []
    for n, (first, kw, last) in enumerate(segs):
        end = starts[n + 1] if n + 1 < len(segs) else len(text)
        if last + 1 < (segs[n + 1][0] if n + 1 < len(segs) else len(toks)):
            end = toks[last + 1].start  # tokens in no command follow
        body_end = toks[last].end
        module_docs = [o for o, op in _trivia_comments(text, body_end, end) if op == "/-!"]
        end = module_docs[0] if module_docs else end
        keyword = toks[kw].text if kw <= last else ""
        _, mods = scan.header(first, last + 1)
        named = _name_of(toks, kw, last) if keyword in _NAMED else None
        parts, name_tok = named if named is not None else (None, None)
        declared = keyword in DECL_KEYWORDS
        ns = _names(scopes[-1][1]) if scopes and keyword in DECL_KEYWORDS else ()
        name = (parts, name_tok) if declared else (None, None)
        commands.append(
            Command(keyword, starts[n], end, body_end, first, kw, last, mods, *name, ns)
        )
        _enter(scopes, keyword, parts)
    return Outline(text, toks, tuple(commands))


# A namespace as a linked list (innermost component first): deep nesting stays linear.
_Ns = tuple["_Ns", str] | None


def _names(ns: _Ns) -> tuple[str, ...]:
    out: list[str] = []
    while ns is not None:
        ns, part = ns
        out.append(part)
    return tuple(reversed(out))


def _enter(scopes: list[tuple[str, _Ns]], keyword: str, name: tuple[str, ...] | None) -> None:
    """Update the scope stack for a `namespace`/`section`/`mutual`/`end` command; each entry
    holds the namespace inside it."""
    ns = scopes[-1][1] if scopes else None
    if keyword == "namespace" and name:
        for p in name:
            ns = (ns, p)
            scopes.append(("namespace", ns))
    elif keyword in ("section", "mutual"):
        scopes.append((keyword, ns))
    elif keyword == "end":
        del scopes[max(0, len(scopes) - max(1, len(name or ()))) :]
