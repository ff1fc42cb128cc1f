"""Parsing of tactic blocks and commands (Lean's layout-sensitive tactic sequences).

A tactic sequence starts at the column of its first tactic; the next tactic follows either
`;` or a line break back at exactly that column. A block that would start on a new line at
or left of the enclosing column is empty (Lean then reports the goals as unsolved).
"""

from __future__ import annotations

from .lexer import LexError, Tok, tokenize
from .parse_term import ParseError, TermParser
from .syntax import (
    Block,
    ByCases,
    ByContra,
    Case,
    Cases,
    CasesAlt,
    Combinator,
    Exacts,
    First,
    Have,
    Intro,
    Intros,
    Missing,
    Names,
    PName,
    RCases,
    Show,
    Simple,
    TacSeq,
    Tactic,
    Term,
    TermTactic,
    Then,
)

SIMPLE = frozenset(
    {"constructor", "left", "right", "exfalso", "assumption", "contradiction", "trivial", "rfl",
     "skip", "done", "sorry", "admit"}
)  # fmt: skip
TERM_TACTICS = frozenset({"exact", "apply", "refine", "refine'", "specialize"})
COMBINATORS = frozenset({"try", "all_goals", "any_goals", "repeat", "focus"})


class Parser(TermParser):
    # ------------------------------------------------------------ tactic sequences

    def parse_tactic_seq(self, enclosing: int) -> TacSeq:
        t = self.peek()
        if (
            self.halted
            or t.kind == "eof"
            or (t.first_on_line and t.col <= enclosing)
            or t.text in (")", "}", "]", "⟩", "|", ",", ":=")
        ):
            return TacSeq((), (t.start, t.start))
        block_col = t.col
        saved, self.limit = self.limit, block_col
        items: list[Tactic] = []
        try:
            while True:
                try:
                    items.append(self.tactic())
                except ParseError as e:
                    self.errors.append(e)
                    items.append(Missing((e.start, e.end)))
                    self.halted = True
                if self.halted:
                    break
                t = self.peek()
                if self.is_sym(t, ";") and not self.stops(t):
                    self.advance()
                    continue
                if t.kind != "eof" and t.first_on_line and t.col == block_col:
                    continue
                break
        finally:
            self.limit = saved
        return TacSeq(tuple(items), (items[0].span[0], items[-1].span[1]))

    def tactic(self) -> Tactic:
        tac = self._tactic1()
        while not self.halted and self.at("<;>"):
            self.advance()
            rhs = self._tactic1()
            tac = Then(tac, rhs, (tac.span[0], rhs.span[1]))
        return tac

    def _tactic1(self) -> Tactic:
        t = self.peek()
        start = t.start
        if t.kind == "sym" and t.text in ("·", "."):
            self.advance()
            seq = self.parse_tactic_seq(t.col)
            return Block("cdot", seq, (t.start, t.end), (), (start, max(seq.span[1], t.end)))
        if self.is_sym(t, "{") or self.is_sym(t, "("):
            close_text = "}" if t.text == "{" else ")"
            self.advance()
            saved, self.limit = self.limit, -1
            seq = self.parse_tactic_seq(-1)
            close = self.expect(close_text)
            self.limit = saved
            kind = "braces" if t.text == "{" else "paren"
            return Block(kind, seq, (close.start, close.end), (), (start, close.end))
        if t.kind not in ("ident", "kw"):
            raise self.fail(t, "tactic")
        name = t.text
        if name in SIMPLE:
            self.advance()
            return Simple("sorry" if name == "admit" else name, (t.start, t.end))
        if name in TERM_TACTICS:
            self.advance()
            term = self.term()
            return TermTactic(name, term, (start, term.span[1]))
        if name in COMBINATORS:
            self.advance()
            seq = self.parse_tactic_seq(self.limit)
            if not seq.items:
                raise self.fail(self.peek(), "tactic")
            return Combinator(name, seq, (start, seq.span[1]))
        handler = _HANDLERS.get(name)
        if handler is None:
            raise ParseError("unknown tactic", t.start, t.end)
        self.advance()
        return handler(self, t)

    def _names(self) -> tuple[PName, ...]:
        out: list[PName] = []
        while not self.stops(self.peek()) and (
            self.peek().kind == "ident" or self.is_sym(self.peek(), "_")
        ):
            n = self.advance()
            out.append(PName(n.text, (n.start, n.end)))
        return tuple(out)

    def _end(self, t: Tok) -> int:
        return max(self.prev_end(), t.end)

    def _intro(self, t: Tok) -> Tactic:
        pats = []
        while not self.stops(self.peek()) and (
            self.peek().kind == "ident" or self.peek().text in ("_", "⟨", "(")
        ):
            pats.append(self._pat_atom())
        return Intro(tuple(pats), (t.start, self._end(t)))

    def _intros(self, t: Tok) -> Tactic:
        return Intros(self._names(), (t.start, self._end(t)))

    def _exacts(self, t: Tok) -> Tactic:
        self.expect("[")
        saved, self.limit = self.limit, -1
        terms = [self.term()]
        while self.at(","):
            self.advance()
            terms.append(self.term())
        close = self.expect("]")
        self.limit = saved
        return Exacts(tuple(terms), (t.start, close.end))

    def _cases(self, t: Tok) -> Tactic:
        target = self.term()
        if not self.at("with"):
            return Cases(target, None, (t.start, target.span[1]))
        self.advance()
        alts: list[CasesAlt] = []
        # alternatives may sit at the tactic's own column: the layout limit does not apply
        while not self.halted and self.peek().text == "|" and self.peek().kind == "sym":
            bar = self.advance()
            ctor = self.ident("constructor name")
            names = self._names()
            self.expect("=>")
            seq = self.parse_tactic_seq(bar.col)
            alts.append(CasesAlt(ctor.text, names, seq, (bar.start, self._end(bar))))
        if not alts:
            raise self.fail(self.peek(), "'|'")
        return Cases(target, tuple(alts), (t.start, self._end(t)))

    def _rcases(self, t: Tok) -> Tactic:
        target = self.term()
        self.expect("with")
        pat = self.pattern()
        return RCases(target, pat, None, (t.start, self._end(t)))

    def _obtain(self, t: Tok) -> Tactic:
        pat = self.pattern()
        ty, value = self._type_and_value()
        return RCases(value, pat, ty, (t.start, self._end(t)))

    def _type_and_value(self) -> tuple[Term | None, Term | None]:
        """`(: T)? (:= v)?` with at least one of the two."""
        ty = value = None
        if self.at(":"):
            self.advance()
            ty = self.term()
        if self.at(":="):
            self.advance()
            value = self.term()
        if ty is None and value is None:
            raise self.fail(self.peek(), "':' or ':='")
        return ty, value

    def _have(self, t: Tok) -> Tactic:
        name = pattern = None
        nt = self.peek()
        if not self.stops(nt) and (nt.kind == "ident" or self.is_sym(nt, "_")):
            self.advance()
            name = PName(nt.text, (nt.start, nt.end))
        elif self.at("⟨"):
            pattern = self._pat_atom()
        ty, value = self._type_and_value()
        return Have(name, pattern, ty, value, (t.start, self._end(t)))

    def _show(self, t: Tok) -> Tactic:
        ty = self.term()
        return Show(ty, (t.start, ty.span[1]))

    def _by_contra(self, t: Tok) -> Tactic:
        names = self._names()
        if len(names) > 1:
            raise self.fail(self.peek(), "end of tactic")
        return ByContra(names[0] if names else None, (t.start, self._end(t)))

    def _by_cases(self, t: Tok) -> Tactic:
        name = None
        if self.peek().kind == "ident" and self.is_sym(self.peek(1), ":"):
            n = self.advance()
            self.advance()
            name = PName(n.text, (n.start, n.end))
        prop = self.term()
        return ByCases(name, prop, (t.start, prop.span[1]))

    def _clear_revert(self, t: Tok) -> Tactic:
        names = self._names()
        if not names:
            raise self.fail(self.peek(), "identifier")
        return Names(t.text, names, (t.start, self._end(t)))

    def _case(self, t: Tok) -> Tactic:
        tag = self.advance() if self.is_sym(self.peek(), "_") else self.ident("case tag")
        names = self._names()
        arrow = self.expect("=>")
        seq = self.parse_tactic_seq(t.col)
        return Case(tag.text, names, seq, (t.start, arrow.end), (t.start, self._end(t)))

    def _next(self, t: Tok) -> Tactic:
        names = self._names()
        arrow = self.expect("=>")
        seq = self.parse_tactic_seq(t.col)
        return Block("next", seq, (t.start, arrow.end), names, (t.start, self._end(t)))

    def _first(self, t: Tok) -> Tactic:
        alts: list[TacSeq] = []
        while not self.halted and self.peek().text == "|" and self.peek().kind == "sym":
            bar = self.advance()
            seq = self.parse_tactic_seq(bar.col - 1)
            if not seq.items:
                raise self.fail(self.peek(), "tactic")
            alts.append(seq)
        if not alts:
            raise self.fail(self.peek(), "'|'")
        return First(tuple(alts), (t.start, self._end(t)))


_HANDLERS = {
    "intro": Parser._intro,
    "intros": Parser._intros,
    "exacts": Parser._exacts,
    "cases": Parser._cases,
    "rcases": Parser._rcases,
    "obtain": Parser._obtain,
    "have": Parser._have,
    "show": Parser._show,
    "by_contra": Parser._by_contra,
    "by_cases": Parser._by_cases,
    "clear": Parser._clear_revert,
    "revert": Parser._clear_revert,
    "case": Parser._case,
    "next": Parser._next,
    "first": Parser._first,
}


def parse_tactic_input(src: str) -> TacSeq:
    """A tactic (or `;`/newline-separated sequence) sent in tactic mode. Raises ParseError."""
    try:
        toks = tokenize(src)
    except LexError as e:
        raise ParseError(e.message, e.offset, e.offset) from e
    p = Parser(toks)
    seq = p.parse_tactic_seq(-1)
    if p.errors:
        raise p.errors[0]
    t = p.peek()
    if t.kind != "eof":
        raise p.fail(t, "end of input")
    if not seq.items:
        raise p.fail(t, "tactic")
    return seq
