"""Parsing of commands, with Lean's recovery: after a syntax error, skip to the next
command keyword; a declaration cut short inside a tactic block is kept (partial syntax is
elaborated, as Lean does) and its tactic block ends in a `Missing` node.
"""

from __future__ import annotations

import dataclasses

from .lexer import COMMAND_STARTS, LexError, Tok, tokenize
from .parse_term import ParseError
from .parser import Parser
from .syntax import (
    BinderGroup,
    CheckConst,
    Command,
    Decl,
    Ignored,
    Import,
    PrintAxioms,
    Scope,
    TBy,
    Term,
    Unsupported,
)


class CommandParser(Parser):
    def commands(self) -> list[Command | ParseError]:
        """Commands in order, each preceded by the parse errors met while reading it."""
        out: list[Command | ParseError] = []
        while self.peek().kind != "eof":
            t = self.peek()
            self.halted = False
            self.limit = -1
            n = len(self.errors)
            cmd = None
            try:
                cmd = self._command()
            except ParseError as e:
                self.errors.append(e)
                self.halted = True
            out.extend(self.errors[n:])
            if cmd is not None:
                out.append(cmd)
            if self.halted:
                self._skip_to_command(t)
        return out

    def _skip_to_command(self, start: Tok) -> None:
        self.halted = False
        if self.peek() is start:
            self.advance()
        while self.peek().kind != "eof" and not (
            self.peek().kind == "kw" and self.peek().text in COMMAND_STARTS
        ):
            self.advance()

    def _command(self) -> Command | None:
        t = self.peek()
        if t.kind == "kw" and t.text in ("theorem", "lemma", "example"):
            return self._decl()
        nxt = self.peek(1)
        modifier = t.kind == "kw" and t.text in ("private", "protected")
        if modifier and nxt.kind == "kw" and nxt.text in ("theorem", "lemma"):
            self.advance()
            return dataclasses.replace(self._decl(t.col), protected=t.text == "protected")
        if t.kind == "kw" and t.text == "#print":
            self.advance()
            kw = self.peek()
            if kw.kind != "ident" or kw.text != "axioms":
                raise self.fail(kw, "'axioms'")
            self.advance()
            name = self.ident()
            return PrintAxioms(
                name.text, (name.start, name.end), (t.start, t.end), (t.start, name.end)
            )
        if t.kind == "kw" and t.text == "#check":
            self.advance()
            explicit = self.is_sym(self.peek(), "@")
            if explicit:
                self.advance()
            name = self.ident()
            return CheckConst(
                name.text, explicit, (name.start, name.end), (t.start, t.end), (t.start, name.end)
            )
        if t.kind == "kw" and t.text == "import":
            self.advance()
            mod = self.ident("module name")
            return Import(mod.text, (t.start, mod.end))
        if t.kind == "kw" and t.text == "open":
            self.advance()
            self._names()
            if self.at("in"):
                self.advance()
                return self._command()
            return Ignored((t.start, self.prev_end()))
        if t.kind == "kw" and t.text == "set_option":
            self.advance()
            self.ident("option name")
            v = self.peek()
            if v.kind not in ("ident", "num"):
                raise self.fail(v, "option value")
            self.advance()
            if self.at("in"):
                self.advance()
                return self._command()
            return Ignored((t.start, v.end))
        if t.kind == "kw" and t.text in ("namespace", "section", "end"):
            self.advance()
            named = self.peek().kind == "ident" and not self.stops(self.peek())
            if t.text != "namespace" and not named:
                return Scope(t.text, None, (t.start, t.end))
            name = self.ident("namespace name")
            return Scope(t.text, name.text, (t.start, name.end))
        if t.kind == "kw" and t.text in COMMAND_STARTS:
            self.advance()
            self.halted = True
            return Unsupported(t.text, (t.start, t.end))
        raise self.fail(t, "command")

    def _decl(self, col: int | None = None) -> Decl:
        """A declaration; its tactic blocks nest under column `col` (the modifier's, when
        one comes first; default: the keyword's)."""
        kw = self.advance()
        name: str | None = None
        ref = (kw.start, kw.end)
        if kw.text != "example":
            n = self.ident()
            name, ref = n.text, (n.start, n.end)
        binders: list[BinderGroup] = []
        while self.peek().text in ("(", "{", "[", "⦃") and self.peek().kind in ("sym", "bad"):
            binders.append(self._binder_group())
        self.expect(":")
        ty = self.term()
        self.expect(":=")
        body_tok = self.peek()
        body: Term
        if body_tok.kind == "kw" and body_tok.text == "by":
            self.advance()
            seq = self.parse_tactic_seq(kw.col if col is None else col)
            end = seq.span[1] if seq.items else body_tok.end
            body = TBy(seq, (body_tok.start, body_tok.end), (body_tok.start, end))
        else:
            body = self.term()
        return Decl(kw.text, name, ref, tuple(binders), ty, body, (kw.start, body.span[1]))

    def _binder_group(self) -> BinderGroup:
        open_ = self.advance()
        if open_.text not in ("(", "{"):
            raise ParseError(
                "unsupported binder (only `(x : T)` and `{x : T}`)", open_.start, open_.end
            )
        close_text = ")" if open_.text == "(" else "}"
        names: list[tuple[str, tuple[int, int]]] = []
        while self.peek().kind == "ident" or self.is_sym(self.peek(), "_"):
            n = self.advance()
            names.append((n.text, (n.start, n.end)))
        if not names:
            raise self.fail(self.peek(), "identifier")
        self.expect(":")
        ty = self.term()
        close = self.expect(close_text)
        return BinderGroup(tuple(names), ty, open_.text == "{", (open_.start, close.end))


def parse_commands(src: str) -> list[Command | ParseError]:
    """Commands of `src` interleaved with parse errors (parsing resumes at the next command)."""
    try:
        return CommandParser(tokenize(src)).commands()
    except LexError as e:
        # Lean reports an unterminated comment at end of input; everything before it stands.
        return [
            *CommandParser(tokenize(src[: e.offset])).commands(),
            ParseError(e.message, len(src), len(src)),
        ]
