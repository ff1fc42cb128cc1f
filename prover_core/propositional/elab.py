"""Elaboration of terms into proof terms, checked against expected propositions.

Terms are checked bidirectionally: `fun`, `⟨…⟩`, `by`, `sorry` and holes need the expected
proposition; identifiers and applications synthesize theirs (see `elab_app`). A nested
`by` runs immediately on a new goal. Nothing here is trusted: the kernel re-checks every
finished proof.
"""

from __future__ import annotations

from .elab_app import AppElab
from .elab_core import Lctx, app_mismatch, goal_text, type_mismatch
from .formula import Bin, Formula, Meta, as_arrow, has_meta, imp
from .kernel import App, Cst, Hyp, Lam, MVar, PTerm, Sorry
from .library import head_name
from .printer import show
from .state import ElabError, Exec, GoalDecl, LocalDecl, SorryRec, fresh_id
from .syntax import (
    Pattern,
    PName,
    PTuple,
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

__all__ = ["Elab", "elab_term", "goal_text", "type_mismatch"]


class Elab(AppElab):
    def _elab(self, t: Term, expected: Formula | None, lctx: Lctx) -> tuple[PTerm, Formula]:
        if isinstance(t, TIdent | TProj):
            return self._app(t, (), expected, lctx, t)
        if isinstance(t, TApp):
            return self._app(t.fn, t.args, expected, lctx, t)
        if isinstance(t, TFun):
            return self._fun(t, expected, lctx)
        if isinstance(t, TAnon):
            return self._anon(t, expected, lctx)
        if isinstance(t, TAscribe | TShow):
            ty = self.formula(t.type, lctx)
            body = t.term if isinstance(t, TAscribe) else t.body
            return self.ensure(body, ty, lctx), ty
        exp = None if expected is None else self.inst(expected)
        if isinstance(t, TBin | TNot):
            raise ElabError(self._prop_given(t, exp), t.span)
        if exp is None or has_meta(exp):
            if isinstance(t, THole | TSynthHole):
                raise ElabError("don't know how to synthesize placeholder", t.span)
            raise ElabError("stand-in: the expected type of this term must be known", t.span)
        if isinstance(t, TBy):
            m = self.x.new_goal(lctx, exp, "")
            self.x.run_by(self.x, t.seq, m, t.span)
            return MVar(m), exp
        if isinstance(t, TSorry):
            self.x.sorries.append(SorryRec(GoalDecl(lctx, exp, ""), t.span))
            self.x.used.append("sorryAx")
            return Sorry(exp, synthetic=False), exp
        if isinstance(t, TSynthHole) and self.allow_holes and self.x.holes is not None:
            m = self.x.new_goal(lctx, exp, "")
            self.x.holes.append(m)
            return MVar(m), exp
        raise ElabError(
            f"don't know how to synthesize placeholder\ncontext:\n{goal_text(lctx, exp)}", t.span
        )

    def _fun(self, t: TFun, expected: Formula | None, lctx: Lctx) -> tuple[PTerm, Formula]:
        exp = None if expected is None else self.inst(expected)
        wraps: list[tuple[int, Formula, list[tuple[int, Formula, PTerm]]]] = []
        for b in t.binders:
            if exp is not None:
                arrow = as_arrow(exp)
                if arrow is None:
                    raise ElabError(
                        "Type mismatch: `fun` is a function, but the expected type is\n  "
                        + show(exp),
                        t.span,
                    )
                dom, exp = arrow
                if b.type is not None and not self.unify(self.formula(b.type, lctx), dom):
                    raise ElabError(
                        type_mismatch(self.x.text(b.span), self.formula(b.type, lctx), dom), b.span
                    )
            elif b.type is not None:
                dom = self.formula(b.type, lctx)
            else:
                raise ElabError("stand-in: cannot infer the binder's type; add `(x : P)`", b.span)
            dom = self.inst(dom)
            fv = fresh_id()
            name = b.pattern.name if isinstance(b.pattern, PName) else "x"
            lctx = (
                *lctx,
                LocalDecl(fv, name, name == "_" or not isinstance(b.pattern, PName), dom),
            )
            pieces: list[tuple[int, Formula, PTerm]] = []
            if not isinstance(b.pattern, PName):
                lctx = self.destructure(b.pattern, Hyp(fv), dom, lctx, pieces)
            wraps.append((fv, dom, pieces))
        if exp is not None:
            body = self.ensure(t.body, exp, lctx)
            body_ty = exp
        else:
            body, body_ty = self.elab(t.body, None, lctx)
        for fv, dom, pieces in reversed(wraps):
            for pfv, pty, val in reversed(pieces):
                body = App(Lam(pfv, pty, body), val)
            body = Lam(fv, dom, body)
            body_ty = imp(dom, body_ty)
        return body, self.inst(body_ty)

    def destructure(
        self,
        pat: Pattern,
        val: PTerm,
        ty: Formula,
        lctx: Lctx,
        out: list[tuple[int, Formula, PTerm]],
    ) -> Lctx:
        """Bind the components of `val : ty` named by `pat` (`⟨a, b⟩` on `∧`/`↔`); `out`
        receives (fvar, type, value) in binding order."""
        if isinstance(pat, PName):
            fv = fresh_id()
            out.append((fv, ty, val))
            return (*lctx, LocalDecl(fv, pat.name, pat.name == "_", ty))
        if not isinstance(pat, PTuple):
            raise ElabError(
                "stand-in: alternatives `|` are not allowed in `fun` patterns", pat.span
            )
        items = list(pat.items)
        if len(items) == 1:
            return self.destructure(items[0], val, ty, lctx, out)
        head = head_name(ty)
        if head not in ("And", "Iff") or not items:
            raise ElabError(f"Invalid pattern: `⟨…⟩` does not match\n  {show(ty)}", pat.span)
        assert isinstance(ty, Bin)
        left, right = ("And.left", "And.right") if head == "And" else ("Iff.mp", "Iff.mpr")
        lty, rty = (
            (ty.left, ty.right)
            if head == "And"
            else (imp(ty.left, ty.right), imp(ty.right, ty.left))
        )
        lctx = self.destructure(items[0], App(Cst(left, (ty.left, ty.right)), val), lty, lctx, out)
        rest = items[1] if len(items) == 2 else PTuple(tuple(items[1:]), pat.span)
        return self.destructure(rest, App(Cst(right, (ty.left, ty.right)), val), rty, lctx, out)

    def _anon(self, t: TAnon, expected: Formula | None, lctx: Lctx) -> tuple[PTerm, Formula]:
        exp = None if expected is None else self.inst(expected)
        if exp is None or isinstance(exp, Meta):
            raise ElabError("invalid constructor ⟨...⟩, expected type must be known", t.span)
        head = head_name(exp)
        if head == "True" and not t.items:
            self.x.used.append("True.intro")
            return Cst("True.intro", ()), exp
        if head not in ("And", "Iff"):
            raise ElabError(
                "invalid constructor ⟨...⟩, expected type must be an inductive type with only one "
                f"constructor \n  {show(exp)}",
                t.span,
            )
        assert isinstance(exp, Bin)
        ctor, parts = (
            ("And.intro", (exp.left, exp.right))
            if head == "And"
            else ("Iff.intro", (imp(exp.left, exp.right), imp(exp.right, exp.left)))
        )
        if len(t.items) < 2:
            raise ElabError(
                "invalid constructor ⟨...⟩, insufficient number of arguments, constructs "
                f"'{ctor}' has #2 explicit fields, but only #{len(t.items)} provided",
                t.span,
            )
        self.x.used.append(ctor)
        second: Term = (
            t.items[1] if len(t.items) == 2 else TAnon(t.items[1:], (t.items[1].span[0], t.span[1]))
        )
        terms: list[PTerm] = []
        for item, want in zip((t.items[0], second), parts, strict=True):
            term, ty = self.elab(item, want, lctx)
            if not self.unify(ty, want):
                raise ElabError(
                    app_mismatch(self.x.text(t.span), self.x.text(item.span), self.inst(ty), want),
                    t.span,
                )
            terms.append(term)
        return App(App(Cst(ctor, (exp.left, exp.right)), terms[0]), terms[1]), exp


def elab_term(
    x: Exec, t: Term, expected: Formula | None, lctx: Lctx, allow_holes: bool = False
) -> tuple[PTerm, Formula]:
    """Elaborate a whole term: placeholders solved, type instantiated."""
    return Elab(x, allow_holes).run(t, expected, lctx)
