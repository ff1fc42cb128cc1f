"""Elaboration of applications: constants with implicit arguments, field notation.

- `{a b : Prop}` arguments become placeholders, solved from argument types and, first, from
  the expected type; arguments that need an expected type (`fun`, `⟨…⟩`, `by`, `sorry`) wait
  until their placeholders are solved;
- generalized field notation: `h.left`, `h.1`, `h.mp`, `h.elim`, `hn.elim` resolve through the
  head of `h`'s type (`And`, `Or`, `Iff`, `Not`, `False`, `True`), `h` filling the first
  explicit argument of that type.
"""

from __future__ import annotations

from dataclasses import dataclass

from .elab_core import ElabCore, Lctx, app_mismatch, resolve_local
from .formula import Formula, Meta, as_arrow, has_meta, imp, substitute
from .kernel import App, Cst, Hyp, Lam, PTerm, Sig
from .library import head_name
from .printer import show
from .state import ElabError, fresh_id
from .syntax import TAnon, TApp, TBy, Term, TFun, THole, TIdent, TProj, TSorry, TSynthHole

_NEEDS_EXPECTED = (TFun, TAnon, TBy, TSorry, TSynthHole, THole)
_PROJ = {("And", "1"): "left", ("And", "2"): "right", ("Iff", "1"): "mp", ("Iff", "2"): "mpr"}


@dataclass(slots=True)
class _Slot:
    kind: str  # "prop" | "proof"
    explicit: bool
    type: Formula  # proof slots: the argument's proposition; prop slots: their placeholder
    name: str
    filled: PTerm | None = None


@dataclass(slots=True)
class _Fn:
    """A head being applied: the term so far, its remaining binders, then its result."""

    head: PTerm
    slots: list[_Slot]
    result: Formula


class AppElab(ElabCore):
    def _app(
        self, head: Term, args: tuple[Term, ...], expected: Formula | None, lctx: Lctx, node: Term
    ) -> tuple[PTerm, Formula]:
        if isinstance(head, TFun) and args and expected is not None:
            return self._beta(head, args, self.inst(expected), lctx)
        fn = self._head(head, lctx)
        plan: list[tuple[_Slot, Term | None]] = []
        queue = list(args)
        for s in fn.slots:
            if s.filled is not None or not s.explicit:
                plan.append((s, None))
            elif queue:
                plan.append((s, queue.pop(0)))
            else:
                plan.append((s, None))
        result = fn.result
        while queue:
            arrow = as_arrow(self.inst(result))
            if arrow is None:
                raise ElabError(
                    f"Function expected at\n  {self.x.text(head.span)}\nbut this term has type\n  "
                    f"{show(self.inst(self._fn_type(fn, plan, result)))}",
                    node.span,
                )
            plan.append((_Slot("proof", True, arrow[0], "a"), queue.pop(0)))
            result = arrow[1]
        if expected is not None:
            after = self._fn_type(fn, plan, result)
            if has_meta(after):
                self.unify(after, expected)
        terms: dict[int, PTerm] = {}
        postponed: list[int] = []
        for i, (s, arg) in enumerate(plan):
            if arg is None:
                continue
            if s.kind == "prop":
                if isinstance(arg, THole):
                    continue  # `_`: left to unification
                if not self.unify(s.type, self.formula(arg, lctx)):
                    raise ElabError(
                        f"Application type mismatch at argument\n  {self.x.text(arg.span)}",
                        arg.span,
                    )
            elif isinstance(arg, _NEEDS_EXPECTED) and has_meta(self.inst(s.type)):
                postponed.append(i)
            else:
                terms[i] = self._arg(node, arg, s.type, lctx)
        for i in postponed:
            s, arg = plan[i]
            assert arg is not None
            terms[i] = self._arg(node, arg, s.type, lctx)
        term = fn.head
        lams: list[tuple[int, Formula]] = []
        last_supplied = max(
            (i for i, (s, a) in enumerate(plan) if a is not None or s.filled), default=-1
        )
        tail: list[Formula] = []
        for i, (s, arg) in enumerate(plan):
            if s.kind == "prop":
                if s.explicit and arg is None:
                    raise ElabError(
                        f"stand-in: `{self.x.text(head.span)}` still expects the proposition "
                        f"`{s.name}` (functions over propositions are not values here)",
                        node.span,
                    )
                continue
            if s.filled is not None:
                term = App(term, s.filled)
            elif arg is not None:
                term = App(term, terms[i])
            elif not s.explicit:
                raise ElabError(
                    f"don't know how to synthesize implicit argument '{s.name}'", node.span
                )
            elif i < last_supplied:
                fv = fresh_id()
                lams.append((fv, s.type))
                term = App(term, Hyp(fv))
            else:
                tail.append(s.type)
        for fv, ty in reversed(lams):
            term = Lam(fv, self.inst(ty), term)
        ty = result
        for a in reversed(tail):
            ty = imp(a, ty)
        for _, a in reversed(lams):
            ty = imp(a, ty)
        return term, self.inst(ty)

    def _beta(
        self, head: TFun, args: tuple[Term, ...], expected: Formula, lctx: Lctx
    ) -> tuple[PTerm, Formula]:
        """`(fun x => b) a`: the arguments' types and the expected type give the function's."""
        elaborated = [self.elab(a, None, lctx) for a in args]
        ty = expected
        for _, aty in reversed(elaborated):
            ty = imp(self.inst(aty), ty)
        term, _ = self.elab(head, ty, lctx)
        for a, _ in elaborated:
            term = App(term, a)
        return term, expected

    def _fn_type(self, fn: _Fn, plan: list[tuple[_Slot, Term | None]], result: Formula) -> Formula:
        ty = result
        for s, arg in reversed(plan):
            if s.kind == "proof" and arg is None and s.filled is None and s.explicit:
                ty = imp(s.type, ty)
        return ty

    def _arg(self, node: Term, arg: Term, want: Formula, lctx: Lctx) -> PTerm:
        exp = self.inst(want)
        term, ty = self.elab(
            arg, None if has_meta(exp) and isinstance(arg, TIdent | TApp | TProj) else exp, lctx
        )
        if not self.unify(ty, exp):
            raise ElabError(
                app_mismatch(
                    self.x.text(node.span), self.x.text(arg.span), self.inst(ty), self.inst(exp)
                ),
                node.span,
            )
        return term

    def _head(self, head: Term, lctx: Lctx) -> _Fn:
        if isinstance(head, TIdent):
            return self._ident(head, lctx)
        if isinstance(head, TProj):
            base = self._head(head.term, lctx)
            return self._field(self._close(base, head.term), head.field, head)
        term, ty = self.elab(head, None, lctx)
        return _Fn(term, [], ty)

    def _ident(self, t: TIdent, lctx: Lctx) -> _Fn:
        d = resolve_local(lctx, t.name)
        if d is not None:
            if d.type is None:
                raise ElabError(self._prop_given(t, None), t.span)
            return _Fn(Hyp(d.fvar), [], d.type)
        sig = self.x.env.lookup(t.name)
        if sig is not None:
            return self._const(t.name, sig)
        parts = t.name.split(".")
        for k in range(len(parts) - 1, 0, -1):
            d = resolve_local(lctx, ".".join(parts[:k]))
            if d is not None and d.type is not None:
                fn = _Fn(Hyp(d.fvar), [], d.type)
                for f in parts[k:]:
                    fn = self._field(self._close(fn, t), f, t)
                return fn
        raise ElabError(f"Unknown identifier `{t.name}`", t.span)

    def _const(self, name: str, sig: Sig) -> _Fn:
        metas = {p: Meta(fresh_id()) for p in sig.params}
        slots: list[_Slot] = []
        for b in sig.binders:
            if b.kind == "prop":
                slots.append(_Slot("prop", b.explicit, metas[b.name], b.name))
            else:
                assert b.type is not None
                slots.append(_Slot("proof", b.explicit, substitute(b.type, metas), b.name))
        self.x.used.append(name)
        return _Fn(Cst(name, tuple(metas.values())), slots, substitute(sig.result, metas))

    def _close(self, fn: _Fn, t: Term) -> tuple[PTerm, Formula]:
        """A head used as a value, without further arguments."""
        term, ty = fn.head, fn.result
        tail: list[Formula] = []
        for s in fn.slots:
            if s.kind == "prop":
                continue
            if s.filled is not None:
                term = App(term, s.filled)
            elif not s.explicit:
                raise ElabError(
                    f"don't know how to synthesize implicit argument '{s.name}'", t.span
                )
            else:
                tail.append(s.type)
        for a in reversed(tail):
            ty = imp(a, ty)
        return term, ty

    def _field(self, base: tuple[PTerm, Formula], field: str, t: Term) -> _Fn:
        term, ty = base
        ty = self.inst(ty)
        head = head_name(ty)
        fname = _PROJ.get((head or "", field), field)
        cname = f"{head}.{fname}"
        sig = self.x.env.lookup(cname) if head is not None else None
        if sig is None:
            raise ElabError(
                f"Invalid field `{field}`: The environment does not contain `{cname}`\n  "
                f"{self.x.text(t.span)}\nhas type\n  {show(ty)}",
                t.span,
            )
        fn = self._const(cname, sig)
        for s in fn.slots:
            if s.kind == "proof" and s.explicit and head_name(s.type) == head:
                if not self.unify(s.type, ty):
                    break
                s.filled = term
                return fn
        raise ElabError(f"Invalid field notation `{field}` for\n  {show(ty)}", t.span)
