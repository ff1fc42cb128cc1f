"""Tactics that do not split on hypotheses: each is a natural-deduction rule on the main goal.

Invariants:
- A tactic either raises before assigning anything, or assigns the main goal a proof term
  whose remaining holes are exactly the goals it puts in front of the goal list.
- New goals get Lean's case tags: a single new goal inherits the parent's tag (`apply`,
  `refine`, `exfalso`, `intro`); several get their binder names appended to the parent's
  (`left`/`right` for `And.intro`, `mp`/`mpr`, `h` for `Or.inl`, `a` for arrows).
"""

from __future__ import annotations

from .elab import Elab, elab_term, type_mismatch
from .formula import FALSE, IFF, IMP, Bin, Const, Formula, Not, as_arrow, defeq, has_meta, imp
from .kernel import App, Cst, Hyp, Lam, MVar, PTerm, Sorry
from .library import head_name
from .printer import show
from .state import Exec, GoalDecl, LocalDecl, SorryRec, TacticError, fresh_id
from .syntax import Exacts, Have, Intros, Names, PName, Show, Simple, TApp, TermTactic, TIdent


def child_tag(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def failure(x: Exec, tactic: str, m: int, msg: str | None = None) -> TacticError:
    head = f"Tactic `{tactic}` failed" + (f": {msg}" if msg else "")
    return TacticError(f"{head}\n\n{x.decl(m).text()}", None)


def main(x: Exec) -> tuple[int, GoalDecl]:
    m = x.main_goal()
    return m, x.decl(m)


def close_with(x: Exec, m: int, term: PTerm, new_goals: list[int]) -> None:
    x.assign(m, term)
    x.goals = [*new_goals, *x.goals[1:]]


def apply_rule(
    x: Exec,
    m: int,
    ctor: str,
    args: tuple[Formula, ...],
    premises: list[tuple[str, Formula]],
    inherit: bool,
) -> list[int]:
    """Close `m` by the library rule `ctor` applied to one new goal per premise."""
    g = x.decl(m)
    goals = []
    term: PTerm = Cst(ctor, args)
    for name, ty in premises:
        tag = g.tag if inherit and len(premises) == 1 else child_tag(g.tag, name)
        n = x.new_goal(g.lctx, ty, tag)
        goals.append(n)
        term = App(term, MVar(n))
    x.used.append(ctor)
    close_with(x, m, term, goals)
    return goals


def intro_one(x: Exec, name: str | None) -> int:
    """Introduce one hypothesis (named, or inaccessible `a✝`); returns its fvar."""
    m, g = main(x)
    arrow = as_arrow(g.target)
    if arrow is None:
        raise failure(
            x,
            "intro",
            m,
            "There are no additional binders or `let` bindings in the goal to introduce",
        )
    fv = fresh_id()
    decl = LocalDecl(fv, name or "a", name is None or name == "_", arrow[0])
    n = x.new_goal((*g.lctx, decl), arrow[1], g.tag)
    close_with(x, m, Lam(fv, arrow[0], MVar(n)), [n])
    return fv


def intros(x: Exec, node: Intros) -> None:
    if node.names:
        for p in node.names:
            intro_one(x, p.name)
        return
    while True:
        _, g = main(x)
        if not (isinstance(g.target, Bin) and g.target.op == IMP):
            return
        intro_one(x, None)


def exact(x: Exec, node: TermTactic) -> None:
    m, g = main(x)
    term, ty = elab_term(x, node.term, g.target, g.lctx)
    if not defeq(ty, g.target):
        raise TacticError(type_mismatch(x.text(node.term.span), ty, g.target), node.term.span)
    close_with(x, m, term, [])


def exacts(x: Exec, node: Exacts) -> None:
    for t in node.terms:
        exact(x, TermTactic("exact", t, t.span))


def refine(x: Exec, node: TermTactic) -> None:
    m, g = main(x)
    x.holes = []
    try:
        term, ty = elab_term(x, node.term, g.target, g.lctx, allow_holes=True)
        holes = list(x.holes)
    finally:
        x.holes = None
    if not defeq(ty, g.target):
        raise TacticError(type_mismatch(x.text(node.term.span), ty, g.target), node.term.span)
    for i, h in enumerate(holes):
        d = x.decl(h)
        x.mctx.decls[h] = GoalDecl(
            d.lctx, d.target, g.tag if len(holes) == 1 else child_tag(g.tag, f"refine_{i + 1}")
        )
    close_with(x, m, term, holes)


def _arrows(f: Formula) -> int:
    n = 0
    while (a := as_arrow(f)) is not None:
        n, f = n + 1, a[1]
    return n


def _apply_names(x: Exec, node: TermTactic, lctx: tuple[LocalDecl, ...], count: int) -> list[str]:
    """Binder names of the arguments `apply` leaves as goals (Lean's case tags)."""
    head, nargs = node.term, 0
    if isinstance(node.term, TApp):
        head, nargs = node.term.fn, len(node.term.args)
    names: list[str] = []
    if isinstance(head, TIdent) and not any(
        d.name == head.name and not d.inaccessible for d in lctx
    ):
        sig = x.env.lookup(head.name)
        if sig is not None:
            explicit = [b for b in sig.binders if b.explicit]
            names = [b.name for b in explicit[nargs:] if b.kind == "proof"]
    names = names[:count]
    return names + ["a"] * (count - len(names))


def apply(x: Exec, node: TermTactic) -> None:
    m, g = main(x)
    e = Elab(x)
    term, ty = e.elab(node.term, None, g.lctx)
    n = _arrows(e.inst(ty))
    start = max(0, n - _arrows(g.target))
    for i in range(start, n + 1):
        premises: list[Formula] = []
        concl = e.inst(ty)
        for _ in range(i):
            arrow = as_arrow(concl)
            assert arrow is not None
            premises.append(arrow[0])
            concl = arrow[1]
        if e.unify(concl, g.target):
            break
    else:
        what = "type" if n == 0 else "conclusion"
        raise failure(
            x,
            "apply",
            m,
            f"could not unify the {what} of `{x.text(node.term.span)}`\n  "
            f"{show(e.inst(ty))}\nwith the goal\n  {show(g.target)}",
        )
    term = e.finish(term, node.term.span)
    premises = [e.inst(p) for p in premises]
    if any(has_meta(p) for p in premises):
        raise TacticError("don't know how to synthesize implicit argument", node.term.span)
    names = _apply_names(x, node, g.lctx, len(premises))
    goals = []
    for name, p in zip(names, premises, strict=True):
        tag = g.tag if len(premises) == 1 else child_tag(g.tag, name)
        k = x.new_goal(g.lctx, p, tag)
        goals.append(k)
        term = App(term, MVar(k))
    close_with(x, m, term, goals)


def constructor(x: Exec, name: str) -> None:
    m, g = main(x)
    t = g.target
    head = head_name(t) if not isinstance(t, Not) else None
    if head is None:
        raise failure(x, name, m, "target is not an inductive datatype")
    if name in ("left", "right") and head != "Or":
        raise failure(
            x, name, m, f"{name} tactic works for inductive types with exactly 2 constructors"
        )
    assert isinstance(t, Bin | Const)
    if head == "True":
        x.used.append("True.intro")
        close_with(x, m, Cst("True.intro", ()), [])
    elif head == "False":
        raise failure(x, name, m, "no applicable constructor found")
    elif head == "And":
        assert isinstance(t, Bin)
        apply_rule(
            x, m, "And.intro", (t.left, t.right), [("left", t.left), ("right", t.right)], False
        )
    elif head == "Iff":
        assert isinstance(t, Bin)
        apply_rule(
            x,
            m,
            "Iff.intro",
            (t.left, t.right),
            [("mp", imp(t.left, t.right)), ("mpr", imp(t.right, t.left))],
            False,
        )
    else:
        assert isinstance(t, Bin)
        if name == "right":
            apply_rule(x, m, "Or.inr", (t.left, t.right), [("h", t.right)], False)
        else:
            apply_rule(x, m, "Or.inl", (t.left, t.right), [("h", t.left)], False)


def exfalso(x: Exec) -> None:
    m, g = main(x)
    apply_rule(x, m, "False.elim", (g.target,), [("h", FALSE)], True)


def assumption(x: Exec) -> None:
    m, g = main(x)
    for d in reversed(g.lctx):
        if d.type is not None and defeq(d.type, g.target):
            close_with(x, m, Hyp(d.fvar), [])
            return
    raise failure(x, "assumption", m)


def contradiction(x: Exec) -> None:
    m, g = main(x)
    hyps = [d for d in g.lctx if d.type is not None]
    for d in hyps:
        if d.type == FALSE:
            x.used.append("False.elim")
            close_with(x, m, App(Cst("False.elim", (g.target,)), Hyp(d.fvar)), [])
            return
    for d in hyps:
        assert d.type is not None
        arrow = as_arrow(d.type)
        if arrow is None or arrow[1] != FALSE:
            continue
        for e in hyps:
            assert e.type is not None
            if defeq(e.type, arrow[0]):
                x.used.append("absurd")
                close_with(
                    x,
                    m,
                    App(App(Cst("absurd", (arrow[0], g.target)), Hyp(e.fvar)), Hyp(d.fvar)),
                    [],
                )
                return
    raise failure(x, "contradiction", m)


def rfl(x: Exec) -> None:
    m, g = main(x)
    t = g.target
    if isinstance(t, Bin) and t.op == IFF and defeq(t.left, t.right):
        x.used.append("Iff.refl")
        close_with(x, m, Cst("Iff.refl", (t.left,)), [])
        return
    raise failure(x, "rfl", m, "The goal is not a reflexive relation")


def trivial(x: Exec) -> None:
    m, g = main(x)
    for attempt in (assumption, rfl, contradiction):
        s = x.save()
        try:
            attempt(x)
            return
        except TacticError:
            x.restore(s)
    t = g.target
    if t == Const(True):
        x.used.append("True.intro")
        close_with(x, m, Cst("True.intro", ()), [])
        return
    if isinstance(t, Bin) and head_name(t) == "And":
        s = x.save()
        try:
            goals = apply_rule(
                x, m, "And.intro", (t.left, t.right), [("left", t.left), ("right", t.right)], False
            )
            for _ in goals:
                trivial(x)
            return
        except TacticError:
            x.restore(s)
    raise failure(x, "trivial", m)


def sorry(x: Exec, node: Simple) -> None:
    m, g = main(x)
    x.sorries.append(SorryRec(g, node.span))
    x.used.append("sorryAx")
    close_with(x, m, Sorry(g.target, synthetic=False), [])


def done(x: Exec) -> None:
    if x.goals:
        raise TacticError("unsolved goals\n" + x.goals_text(x.goals), None)


def show_(x: Exec, node: Show) -> None:
    m, g = main(x)
    t = Elab(x).formula(node.type, g.lctx)
    if not defeq(t, g.target):
        raise TacticError(type_mismatch(x.text(node.type.span), t, g.target), node.type.span)
    n = x.new_goal(g.lctx, t, g.tag)
    close_with(x, m, MVar(n), [n])


def have(x: Exec, node: Have, name: str, inaccessible: bool) -> None:
    """`have name : T := v`, or `have name : T` (then the goal for `T` comes first)."""
    m, g = main(x)
    e = Elab(x)
    ty = e.formula(node.type, g.lctx) if node.type is not None else None
    fv = fresh_id()
    pending: list[int] = []
    if node.value is None:
        assert ty is not None
        k = x.new_goal(g.lctx, ty, "")
        val: PTerm = MVar(k)
        pending.append(k)
    elif ty is not None:
        val = e.finish(e.ensure(node.value, ty, g.lctx), node.value.span)
    else:
        val, ty = e.run(node.value, None, g.lctx)
    decl = LocalDecl(fv, name, inaccessible, ty)
    n = x.new_goal((*g.lctx, decl), g.target, g.tag)
    close_with(x, m, App(Lam(fv, ty, MVar(n)), val), [*pending, n])


def specialize(x: Exec, node: TermTactic) -> None:
    m, g = main(x)
    head = node.term.fn if isinstance(node.term, TApp) else node.term
    d = g.resolve(head.name) if isinstance(head, TIdent) else None
    if d is None or d.type is None:
        raise TacticError(
            "'specialize' requires a term of the form `h x_1 .. x_n` where `h` appears in the "
            "local context",
            node.term.span,
        )
    val, ty = elab_term(x, node.term, None, g.lctx)
    fv = fresh_id()
    lctx = (*tuple(e for e in g.lctx if e.fvar != d.fvar), LocalDecl(fv, d.name, False, ty))
    n = x.new_goal(lctx, g.target, g.tag)
    close_with(x, m, App(Lam(fv, ty, MVar(n)), val), [n])


def clear_revert(x: Exec, node: Names) -> None:
    for p in reversed(node.names):
        m, g = main(x)
        d = g.resolve(p.name)
        if d is None:
            raise TacticError(f"Unknown hypothesis `{p.name}`", p.span)
        if d.type is None:
            raise failure(
                x,
                node.name,
                m,
                f"variable `{p.name}` is a proposition other hypotheses may depend on",
            )
        lctx = tuple(e for e in g.lctx if e.fvar != d.fvar)
        if node.name == "clear":
            n = x.new_goal(lctx, g.target, g.tag)
            close_with(x, m, MVar(n), [n])
        else:
            n = x.new_goal(lctx, imp(d.type, g.target), g.tag)
            close_with(x, m, App(MVar(n), Hyp(d.fvar)), [n])


def named(p: PName | None, default: str) -> tuple[str, bool]:
    """A hypothesis name from syntax: (name, inaccessible)."""
    if p is None or p.name == "_":
        return default, True
    return p.name, False
