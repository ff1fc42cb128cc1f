"""Shared machinery of term elaboration: placeholders, error recovery, propositions.

- an error inside a subterm whose expected type is known is *logged* and the subterm
  becomes a synthetic `sorry` (Lean's `errToSorry`), unless recovery is off (`first`, `try`);
- implicit propositional arguments are placeholders (`Meta`) solved by unification; a
  finished term must have none left.
"""

from __future__ import annotations

from .formula import Formula, Var, has_meta, instantiate, unify
from .kernel import App, Cst, Lam, PTerm, Sorry, subterms
from .library import FormulaError, term_to_formula
from .printer import show
from .state import ElabError, Exec, GoalDecl, LocalDecl
from .syntax import Span, Term, TIdent

Lctx = tuple[LocalDecl, ...]


def type_mismatch(text: str, got: Formula, expected: Formula) -> str:
    return (
        f"Type mismatch\n  {text}\nhas type\n  {show(got)} : Prop\n"
        f"but is expected to have type\n  {show(expected)} : Prop"
    )


def app_mismatch(app: str, arg: str, got: Formula, want: Formula) -> str:
    return (
        f"Application type mismatch: In the application\n  {app}\nthe argument\n  {arg}\n"
        f"has type\n  {show(got)} : Prop\nbut is expected to have type\n  {show(want)} : Prop"
    )


def goal_text(lctx: Lctx, target: Formula) -> str:
    return GoalDecl(lctx, target, "").text()


def resolve_local(lctx: Lctx, name: str) -> LocalDecl | None:
    for d in reversed(lctx):
        if d.name == name and not d.inaccessible:
            return d
    return None


class ElabCore:
    def __init__(self, x: Exec, allow_holes: bool = False) -> None:
        self.x = x
        self.meta: dict[int, Formula] = {}
        self.allow_holes = allow_holes

    # ------------------------------------------------------------ entry points

    def run(self, t: Term, expected: Formula | None, lctx: Lctx) -> tuple[PTerm, Formula]:
        term, ty = self.elab(t, expected, lctx)
        return self.finish(term, t.span), self.inst(ty)

    def finish(self, t: PTerm, span: Span) -> PTerm:
        """Instantiate solved placeholders; an unsolved one is an error."""
        out = self._inst_term(t)
        if self._term_has_meta(out):
            raise ElabError("don't know how to synthesize implicit argument", span)
        return out

    def inst(self, f: Formula) -> Formula:
        return instantiate(f, self.meta) if has_meta(f) else f

    def unify(self, a: Formula, b: Formula) -> bool:
        trial = dict(self.meta)
        if unify(a, b, trial):
            self.meta = trial
            return True
        return False

    def formula(self, t: Term, lctx: Lctx) -> Formula:
        def resolve(i: TIdent) -> Formula:
            d = resolve_local(lctx, i.name)
            if d is None:
                raise FormulaError(f"Unknown identifier `{i.name}`", i.span)
            if d.type is not None:
                raise FormulaError(f"type expected, got\n  ({i.name} : {show(d.type)})", i.span)
            return Var(d.name)

        try:
            return term_to_formula(t, resolve)
        except FormulaError as e:
            raise ElabError(e.message, e.span) from None

    # ------------------------------------------------------------ core

    def elab(self, t: Term, expected: Formula | None, lctx: Lctx) -> tuple[PTerm, Formula]:
        try:
            return self._elab(t, expected, lctx)
        except ElabError as e:
            exp = None if expected is None else self.inst(expected)
            if not self.x.recover or exp is None or has_meta(exp):
                raise
            self.x.log("error", e.message, e.span)
            return Sorry(exp, synthetic=True), exp

    def ensure(self, t: Term, expected: Formula, lctx: Lctx) -> PTerm:
        """Elaborate and insist on the expected type (Lean's `elabTermEnsuringType`)."""
        term, ty = self.elab(t, expected, lctx)
        if self.unify(ty, expected):
            return term
        exp = self.inst(expected)
        err = ElabError(type_mismatch(self.x.text(t.span), self.inst(ty), exp), t.span)
        if not self.x.recover or has_meta(exp):
            raise err
        self.x.log("error", err.message, err.span)
        return Sorry(exp, synthetic=True)

    def _elab(self, t: Term, expected: Formula | None, lctx: Lctx) -> tuple[PTerm, Formula]:
        raise NotImplementedError

    def _prop_given(self, t: Term, exp: Formula | None) -> str:
        text = self.x.text(t.span)
        if exp is None:
            return f"Type mismatch\n  {text}\nis a proposition (has type Prop), not a proof"
        return (
            f"Type mismatch\n  {text}\nhas type\n  Prop : Type\n"
            f"but is expected to have type\n  {show(exp)} : Prop"
        )

    # ------------------------------------------------------------ placeholders in terms

    def _inst_term(self, t: PTerm) -> PTerm:
        if isinstance(t, App):
            return App(self._inst_term(t.fn), self._inst_term(t.arg))
        if isinstance(t, Lam):
            return Lam(t.fvar, self.inst(t.ty), self._inst_term(t.body))
        if isinstance(t, Cst):
            return (
                Cst(t.name, tuple(self.inst(a) for a in t.args))
                if any(map(has_meta, t.args))
                else t
            )
        if isinstance(t, Sorry) and has_meta(t.ty):
            return Sorry(self.inst(t.ty), t.synthetic)
        return t

    def _term_has_meta(self, t: PTerm) -> bool:
        for s in subterms(t):
            if isinstance(s, Cst) and any(map(has_meta, s.args)):
                return True
            if (isinstance(s, Lam) and has_meta(s.ty)) or (isinstance(s, Sorry) and has_meta(s.ty)):
                return True
        return False
