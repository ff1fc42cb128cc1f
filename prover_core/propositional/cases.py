"""Case analysis: `cases`, `rcases`/`obtain` patterns, `by_cases`, `by_contra`.

Eliminations used (all library rules, re-checked by the kernel):
- `∧`/`↔` hypothesis `h`: the goal gets both components (`And.left h`, `And.right h`, resp.
  `Iff.mp h`, `Iff.mpr h`) as new hypotheses; tag `intro`.
- `∨` hypothesis: `Or.elim h (fun a => ?inl) (fun b => ?inr)`; tags `inl`, `inr`.
- `False` hypothesis: `False.elim h` closes the goal.
- `by_cases h : P`: `Or.elim (Classical.em P) (fun h => ?pos) (fun h => ?neg)`.
- `by_contra h`: `intro h` on a goal `¬P`, else `Classical.byContradiction (fun h => ?_)`.
A hypothesis that is split is cleared from the new goals, as Lean does.
"""

from __future__ import annotations

from collections.abc import Callable

from .elab import Elab, elab_term
from .formula import FALSE, Bin, Formula, Not, imp
from .kernel import App, Cst, Hyp, Lam, MVar, PTerm
from .library import head_name
from .state import Exec, LocalDecl, TacticError, fresh_id
from .syntax import (
    ByCases,
    ByContra,
    Cases,
    PAlts,
    Pattern,
    PName,
    PTuple,
    RCases,
    Span,
    TacSeq,
    Term,
    TIdent,
)
from .tactics import child_tag, close_with, failure, intro_one, main, named

Focus = Callable[[Exec, int, TacSeq, Span], None]


def _target(x: Exec, m: int, t: Term, clear_ok: bool) -> tuple[PTerm, Formula, int | None]:
    g = x.decl(m)
    if clear_ok and isinstance(t, TIdent):
        d = g.resolve(t.name)
        if d is not None and d.type is not None:
            return Hyp(d.fvar), d.type, d.fvar
    val, ty = elab_term(x, t, None, g.lctx)
    return val, ty, None


def _lctx(x: Exec, m: int, clear: int | None) -> tuple[LocalDecl, ...]:
    return tuple(d for d in x.decl(m).lctx if d.fvar != clear)


def _components(ty: Bin) -> tuple[tuple[str, str], tuple[Formula, Formula], tuple[str, str]]:
    if ty.op == "∧":
        return ("And.left", "And.right"), (ty.left, ty.right), ("left", "right")
    return ("Iff.mp", "Iff.mpr"), (imp(ty.left, ty.right), imp(ty.right, ty.left)), ("mp", "mpr")


def split_pair(
    x: Exec,
    m: int,
    val: PTerm,
    ty: Bin,
    clear: int | None,
    names: tuple[tuple[str, bool], tuple[str, bool]],
) -> tuple[int, int, int]:
    """Both components of `val : A ∧ B` (or `↔`) as hypotheses; returns (goal, fvar₁, fvar₂)."""
    g = x.decl(m)
    (pl, pr), (a, b), _ = _components(ty)
    f1, f2 = fresh_id(), fresh_id()
    lctx = (
        *_lctx(x, m, clear),
        LocalDecl(f1, names[0][0], names[0][1], a),
        LocalDecl(f2, names[1][0], names[1][1], b),
    )
    n = x.new_goal(lctx, g.target, child_tag(g.tag, "intro"))
    args = (ty.left, ty.right)
    x.used.extend((pl, pr))
    x.assign(
        m,
        App(Lam(f1, a, App(Lam(f2, b, MVar(n)), App(Cst(pr, args), val))), App(Cst(pl, args), val)),
    )
    return n, f1, f2


def split_or(
    x: Exec,
    m: int,
    val: PTerm,
    ty: Bin,
    clear: int | None,
    names: tuple[tuple[str, bool], tuple[str, bool]],
    tags: tuple[str, str] = ("inl", "inr"),
    append: bool = True,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """`Or.elim`: returns ((goal, fvar) for the left case, (goal, fvar) for the right).
    Case tags are appended to the parent's, except for named holes (`?pos`, `?neg`)."""
    g = x.decl(m)
    lctx = _lctx(x, m, clear)
    out = []
    lams: list[PTerm] = []
    for (name, inacc), ty_i, tag in zip(names, (ty.left, ty.right), tags, strict=True):
        fv = fresh_id()
        k = x.new_goal(
            (*lctx, LocalDecl(fv, name, inacc, ty_i)),
            g.target,
            child_tag(g.tag, tag) if append else tag,
        )
        out.append((k, fv))
        lams.append(Lam(fv, ty_i, MVar(k)))
    x.used.append("Or.elim")
    x.assign(m, App(App(App(Cst("Or.elim", (ty.left, ty.right, g.target)), val), lams[0]), lams[1]))
    return out[0], out[1]


def _false_elim(x: Exec, m: int, val: PTerm) -> None:
    x.used.append("False.elim")
    x.assign(m, App(Cst("False.elim", (x.decl(m).target,)), val))


def cases(x: Exec, node: Cases, focus: Focus) -> None:
    m, g = main(x)
    val, ty, clear = _target(x, m, node.target, True)
    head = head_name(ty) if not isinstance(ty, Not) else None
    alts = {a.ctor: a for a in node.alts or ()}
    ctors = {
        "Or": ("inl", "inr"),
        "And": ("intro",),
        "Iff": ("intro",),
        "True": ("intro",),
        "False": (),
    }
    if head not in ctors:
        raise failure(x, "cases", m, "major premise type is not an inductive type")
    for a in node.alts or ():
        if a.ctor not in ctors[head]:
            raise TacticError(
                f"Invalid alternative name `{a.ctor}`: Expected {', '.join(ctors[head]) or 'none'}",
                a.span,
            )
    if node.alts is not None:
        for c in ctors[head]:
            if c not in alts:
                raise TacticError(f"Alternative `{c}` has not been provided", node.span)

    def names(ctor: str, defaults: tuple[str, ...]) -> list[tuple[str, bool]]:
        given = alts[ctor].names if ctor in alts else ()
        return [named(given[i] if i < len(given) else None, d) for i, d in enumerate(defaults)]

    rest = x.goals[1:]
    if head == "False":
        _false_elim(x, m, val)
        produced: list[tuple[str, int]] = []
    elif head == "True":
        n = x.new_goal(_lctx(x, m, clear), g.target, child_tag(g.tag, "intro"))
        x.assign(m, MVar(n))
        produced = [("intro", n)]
    elif head == "Or":
        assert isinstance(ty, Bin)
        (gl, _), (gr, _) = split_or(
            x, m, val, ty, clear, (names("inl", ("h",))[0], names("inr", ("h",))[0])
        )
        produced = [("inl", gl), ("inr", gr)]
    else:
        assert isinstance(ty, Bin)
        defaults = ("left", "right") if head == "And" else ("mp", "mpr")
        n1, n2 = names("intro", defaults)
        produced = [("intro", split_pair(x, m, val, ty, clear, (n1, n2))[0])]
    if node.alts is None:
        x.goals = [k for _, k in produced] + rest
        return
    for ctor, k in produced:
        x.goals = [k]
        focus(x, k, alts[ctor].seq, alts[ctor].span)
    x.goals = rest


def rcases(x: Exec, node: RCases) -> None:
    m, g = main(x)
    pending: list[int] = []
    e = Elab(x)
    if node.target is None:
        assert node.type is not None
        ty = e.formula(node.type, g.lctx)
        k = x.new_goal(g.lctx, ty, "")
        val: PTerm = MVar(k)
        pending.append(k)
        clear = None
    elif node.type is not None:
        ty = e.formula(node.type, g.lctx)
        val = e.finish(e.ensure(node.target, ty, g.lctx), node.target.span)
        clear = None
    else:
        val, ty, clear = _target(x, m, node.target, True)
    rest = x.goals[1:]
    goals = rc(x, m, val, ty, node.pattern, clear, "h")
    x.goals = [*pending, *goals, *rest]


def rc(
    x: Exec, m: int, val: PTerm, ty: Formula, pat: Pattern, clear: int | None, default: str
) -> list[int]:
    """Destructure `val : ty` by an rcases pattern in goal `m`; returns the new goals."""
    g = x.decl(m)
    head = head_name(ty) if not isinstance(ty, Not) else None
    if isinstance(pat, PName):
        name, inacc = named(pat, default)
        fv = fresh_id()
        n = x.new_goal((*_lctx(x, m, clear), LocalDecl(fv, name, inacc, ty)), g.target, g.tag)
        x.assign(m, App(Lam(fv, ty, MVar(n)), val))
        return [n]
    if head == "False":
        _false_elim(x, m, val)
        return []
    if isinstance(pat, PAlts):
        if head != "Or":
            raise TacticError(
                f"rcases: alternative pattern `|` needs a disjunction, got\n  {ty}", pat.span
            )
        assert isinstance(ty, Bin)
        left = pat.alts[0]
        right = pat.alts[1] if len(pat.alts) == 2 else PAlts(pat.alts[1:], pat.span)
        (gl, fl), (gr, fr) = split_or(
            x, m, val, ty, clear, (_name_of(left, "h"), _name_of(right, "h"))
        )
        return _continue(x, gl, fl, ty.left, left, "h") + _continue(x, gr, fr, ty.right, right, "h")
    assert isinstance(pat, PTuple)
    items = pat.items
    if not items:
        n = x.new_goal(_lctx(x, m, clear), g.target, g.tag)
        x.assign(m, MVar(n))
        return [n]
    if len(items) == 1:
        return rc(x, m, val, ty, items[0], clear, default)
    if head not in ("And", "Iff"):
        raise TacticError(f"rcases: too many arguments in the pattern for\n  {ty}", pat.span)
    assert isinstance(ty, Bin)
    _, (a, b), defaults = _components(ty)
    first = items[0]
    rest: Pattern = items[1] if len(items) == 2 else PTuple(items[1:], pat.span)
    n, f1, f2 = split_pair(
        x, m, val, ty, clear, (_name_of(first, defaults[0]), _name_of(rest, defaults[1]))
    )
    out: list[int] = []
    for k in _continue(x, n, f1, a, first, defaults[0]):
        out.extend(_continue(x, k, f2, b, rest, defaults[1]))
    return out


def _name_of(p: Pattern, default: str) -> tuple[str, bool]:
    return named(p, default) if isinstance(p, PName) else (default, True)


def _continue(x: Exec, m: int, fv: int, ty: Formula, p: Pattern, default: str) -> list[int]:
    if isinstance(p, PName):
        return [m]
    return rc(x, m, Hyp(fv), ty, p, fv, default)


def intro_pattern(x: Exec, p: Pattern) -> None:
    if isinstance(p, PName):
        intro_one(x, p.name)
        return
    fv = intro_one(x, None)
    m, g = main(x)
    d = next(d for d in g.lctx if d.fvar == fv)
    assert d.type is not None
    goals = rc(x, m, Hyp(fv), d.type, p, fv, "a")
    x.goals = goals + x.goals[1:]


def by_cases(x: Exec, node: ByCases) -> None:
    m, g = main(x)
    p = Elab(x).formula(node.prop, g.lctx)
    name = named(node.name, "h")
    em = Cst("Classical.em", (p,))
    x.used.append("Classical.em")
    rest = x.goals[1:]
    (gp, _), (gn, _) = split_or(
        x, m, em, Bin("∨", p, Not(p)), None, (name, name), ("pos", "neg"), append=False
    )
    x.goals = [gp, gn, *rest]


def by_contra(x: Exec, node: ByContra) -> None:
    m, g = main(x)
    name, inacc = named(node.name, "x")
    if isinstance(g.target, Not):
        intro_one(x, name if not inacc else None)
        return
    fv = fresh_id()
    neg = Not(g.target)
    n = x.new_goal((*g.lctx, LocalDecl(fv, name, inacc, neg)), FALSE, g.tag)
    x.used.append("Classical.byContradiction")
    close_with(x, m, App(Cst("Classical.byContradiction", (g.target,)), Lam(fv, neg, MVar(n))), [n])
