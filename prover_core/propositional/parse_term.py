"""Parsing of terms (propositions and proof terms) and rcases patterns.

Layout rule (Lean's `checkColGt`): inside a tactic block, a token that starts a new line at
a column `<= limit` (the block's column) ends the current term; inside brackets the rule is
off (`limit = -1`). Tactic names are not reserved words (Lean's tactic category parses a
leading identifier as either), so `exact trivial` and `intro h exact` read identifiers.

Once `halted` is set (a parse error was recorded inside a tactic block), every loop stops
consuming so that the partial tree can still be elaborated, as Lean elaborates partial
syntax; callers then skip to the next command.
"""

from __future__ import annotations

from .formula import AND, IFF, IMP, OR
from .lexer import Tok
from .syntax import (
    FunBinder,
    PAlts,
    Pattern,
    PName,
    PTuple,
    TacSeq,
    TAnon,
    TApp,
    TAscribe,
    TBin,
    TBy,
    Term,
    TFun,
    THole,
    TIdent,
    TNot,
    TProj,
    TShow,
    TSorry,
    TSynthHole,
)

BINOPS = {"∧": AND, "/\\": AND, "∨": OR, "\\/": OR, "→": IMP, "->": IMP, "↔": IFF, "<->": IFF}
# op -> (precedence, left child precedence, right child precedence)
BINOP_PREC = {AND: (35, 36, 35), OR: (30, 31, 30), IMP: (25, 26, 25), IFF: (20, 21, 21)}
MAX_PREC = 1024
NOT_ARG_PREC = 40


class ParseError(Exception):
    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


def describe(t: Tok) -> str:
    """How Lean names a token in "unexpected …" messages."""
    if t.kind == "eof":
        return "end of input"
    if t.kind == "ident":
        return "identifier"
    if t.kind == "num":
        return "numeral"
    return f"token '{t.text}'"


class TermParser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.limit = -1
        self.halted = False
        self.errors: list[ParseError] = []

    # ------------------------------------------------------------ token helpers

    def peek(self, k: int = 0) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> Tok:
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def prev_end(self) -> int:
        return self.toks[self.i - 1].end if self.i else 0

    def stops(self, t: Tok) -> bool:
        """Whether `t` cannot continue the current construct (layout rule or end of input)."""
        return self.halted or t.kind == "eof" or (t.first_on_line and t.col <= self.limit)

    def is_sym(self, t: Tok, s: str) -> bool:
        return t.kind == "sym" and t.text == s

    def at(self, s: str) -> bool:
        t = self.peek()
        return not self.stops(t) and t.text == s and t.kind in ("sym", "kw")

    def fail(self, t: Tok, expected: str) -> ParseError:
        return ParseError(f"unexpected {describe(t)}; expected {expected}", t.start, t.end)

    def expect(self, s: str) -> Tok:
        t = self.peek()
        if self.halted:
            return t
        if t.text != s or t.kind not in ("sym", "kw") or (t.first_on_line and t.col <= self.limit):
            raise self.fail(t, f"'{s}'")
        return self.advance()

    def ident(self, what: str = "identifier") -> Tok:
        t = self.peek()
        if t.kind != "ident" or self.stops(t):
            raise self.fail(t, what)
        return self.advance()

    def parse_tactic_seq(self, enclosing: int) -> TacSeq:
        raise NotImplementedError

    # ------------------------------------------------------------ terms

    def term(self, prec: int = 0) -> Term:
        lhs, lhs_prec = self._lead()
        while not self.halted:
            t = self.peek()
            if self.stops(t) or t.kind != "sym":
                break
            op = BINOPS.get(t.text)
            if op is not None:
                p, lp, rp = BINOP_PREC[op]
                if p < prec or lhs_prec < lp:
                    break
                self.advance()
                rhs = self.term(rp)
                lhs, lhs_prec = TBin(op, lhs, rhs, (lhs.span[0], rhs.span[1])), p
            elif t.text == "<|" and prec <= 10:
                self.advance()
                rhs = self.term(10)
                lhs, lhs_prec = TApp(lhs, (rhs,), (lhs.span[0], rhs.span[1])), 10
            else:
                break
        return lhs

    def _lead(self) -> tuple[Term, int]:
        t = self.peek()
        if self.stops(t):
            raise self.fail(t, "term")
        if self.is_sym(t, "¬"):
            self.advance()
            arg = self.term(NOT_ARG_PREC)
            return TNot(arg, (t.start, arg.span[1])), MAX_PREC
        if t.text in ("fun", "λ") and t.kind in ("kw", "sym"):
            return self._fun(), 0
        if t.kind == "kw" and t.text == "by":
            return self._by(), 0
        if t.kind == "kw" and t.text == "show":
            self.advance()
            ty = self.term()
            if self.at("from"):
                self.advance()
                body = self.term()
            elif self.at("by"):
                body = self._by()
            else:
                raise self.fail(self.peek(), "'from' or 'by'")
            return TShow(ty, body, (t.start, body.span[1])), 0
        return self._app(), MAX_PREC

    def _by(self) -> TBy:
        t = self.advance()
        seq = self.parse_tactic_seq(self.limit)
        end = seq.span[1] if seq.items else t.end
        return TBy(seq, (t.start, t.end), (t.start, end))

    def _fun(self) -> TFun:
        start = self.advance().start
        binders: list[FunBinder] = []
        while not self.halted:
            t = self.peek()
            if t.text in ("=>", "↦") and t.kind == "sym":
                break
            if self.is_sym(t, "(") and self.peek(1).kind == "ident" and self._typed_group():
                binders.extend(self._typed_binders())
            else:
                p = self._pat_atom()
                binders.append(FunBinder(p, None, p.span))
        if not binders:
            raise self.fail(self.peek(), "binder")
        self.advance()
        body = self.term()
        return TFun(tuple(binders), body, (start, body.span[1]))

    def _typed_group(self) -> bool:
        """`(` ident+ `:` — a typed binder group rather than a parenthesised pattern."""
        k = 1
        while self.peek(k).kind == "ident" or self.peek(k).text == "_":
            k += 1
        return self.peek(k).text == ":"

    def _typed_binders(self) -> list[FunBinder]:
        open_ = self.advance()
        saved, self.limit = self.limit, -1
        names: list[PName] = []
        while self.peek().kind == "ident" or self.peek().text == "_":
            t = self.advance()
            names.append(PName(t.text, (t.start, t.end)))
        self.expect(":")
        ty = self.term()
        close = self.expect(")")
        self.limit = saved
        return [FunBinder(n, ty, (open_.start, close.end)) for n in names]

    def _can_start_arg(self, t: Tok) -> bool:
        if self.stops(t):
            return False
        if t.kind == "ident":
            return True
        if t.kind == "kw":
            return t.text in ("sorry", "fun", "by")
        return t.kind == "sym" and t.text in ("(", "⟨", "_", "?_", "@", "λ")

    def _app(self) -> Term:
        head = self._atom()
        args: list[Term] = []
        while not self.halted and self._can_start_arg(self.peek()):
            t = self.peek()
            if t.text in ("fun", "λ", "by"):
                args.append(self._fun() if t.text != "by" else self._by())
                break
            args.append(self._atom())
        if not args:
            return head
        return TApp(head, tuple(args), (head.span[0], args[-1].span[1]))

    def _atom(self) -> Term:
        t = self.peek()
        if self.stops(t):
            raise self.fail(t, "term")
        span = (t.start, t.end)
        end = t.end
        if t.kind == "ident":
            self.advance()
            node: Term = TIdent(t.text, span)
        elif t.kind == "kw" and t.text == "sorry":
            self.advance()
            node = TSorry(span)
        elif self.is_sym(t, "_"):
            self.advance()
            node = THole(span)
        elif self.is_sym(t, "?_"):
            self.advance()
            node = TSynthHole(span)
        elif self.is_sym(t, "@"):
            self.advance()
            name = self.ident()
            node = TIdent(name.text, (t.start, name.end))
        elif self.is_sym(t, "("):
            node, end = self._paren()
        elif self.is_sym(t, "⟨"):
            node = self._anon()
            end = node.span[1]
        else:
            raise self.fail(t, "term")
        # `(e).field` / `⟨…⟩.1`: a dot immediately after the closing bracket
        while self.is_sym(self.peek(), ".") and self.peek().start == end:
            f = self.peek(1)
            if f.kind not in ("ident", "num") or f.start != self.peek().end:
                break
            self.advance()
            self.advance()
            for part in f.text.split("."):
                node = TProj(node, part, (node.span[0], f.end))
            end = f.end
        return node

    def _paren(self) -> tuple[Term, int]:
        """A parenthesised term (the node of its contents) and the offset after `)`."""
        open_ = self.advance()
        saved, self.limit = self.limit, -1
        inner = self.term()
        if self.at(":"):
            self.advance()
            ty = self.term()
            close = self.expect(")")
            self.limit = saved
            return TAscribe(inner, ty, (open_.start, close.end)), close.end
        close = self.expect(")")
        self.limit = saved
        return inner, close.end

    def _anon(self) -> Term:
        open_ = self.advance()
        saved, self.limit = self.limit, -1
        items: list[Term] = []
        if not self.is_sym(self.peek(), "⟩"):
            items.append(self.term())
            while self.at(","):
                self.advance()
                items.append(self.term())
        close = self.expect("⟩")
        self.limit = saved
        return TAnon(tuple(items), (open_.start, close.end))

    # ------------------------------------------------------------ rcases patterns

    def pattern(self) -> Pattern:
        """`p₁ | p₂ | …` where each alternative is an atom."""
        first = self._pat_atom()
        alts = [first]
        while self.at("|"):
            self.advance()
            alts.append(self._pat_atom())
        if len(alts) == 1:
            return first
        return PAlts(tuple(alts), (first.span[0], alts[-1].span[1]))

    def _pat_atom(self) -> Pattern:
        t = self.peek()
        if self.stops(t):
            raise self.fail(t, "pattern")
        if t.kind == "ident" or self.is_sym(t, "_"):
            self.advance()
            return PName(t.text, (t.start, t.end))
        if self.is_sym(t, "⟨"):
            self.advance()
            saved, self.limit = self.limit, -1
            items: list[Pattern] = []
            if not self.is_sym(self.peek(), "⟩"):
                items.append(self.pattern())
                while self.at(","):
                    self.advance()
                    items.append(self.pattern())
            close = self.expect("⟩")
            self.limit = saved
            return PTuple(tuple(items), (t.start, close.end))
        if self.is_sym(t, "("):
            self.advance()
            saved, self.limit = self.limit, -1
            p = self.pattern()
            self.expect(")")
            self.limit = saved
            return p
        raise self.fail(t, "pattern")
