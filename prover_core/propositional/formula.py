"""Propositional formulas: the types of the stand-in's proofs.

Invariants:
- Formulas are immutable and compared structurally; `Not(a)` is Lean's `Not a`, which is
  *definitionally* `a → False` (see `defeq`, `as_arrow`) but printed as `¬a`.
- `Meta` placeholders exist only while a term is being elaborated (implicit arguments such
  as `?a` in `@And.intro ?a ?b`); goals, hypotheses and kernel types never contain them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

AND = "∧"
OR = "∨"
IMP = "→"
IFF = "↔"


class Formula:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Var(Formula):
    """A propositional variable, named as in the declaration that binds it."""

    name: str


@dataclass(frozen=True, slots=True)
class Const(Formula):
    """`True` or `False`."""

    value: bool


@dataclass(frozen=True, slots=True)
class Not(Formula):
    arg: Formula


@dataclass(frozen=True, slots=True)
class Bin(Formula):
    op: str
    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Meta(Formula):
    """An elaboration-time placeholder for a proposition still to be inferred."""

    id: int


TRUE = Const(True)
FALSE = Const(False)


def conj(a: Formula, b: Formula) -> Formula:
    return Bin(AND, a, b)


def disj(a: Formula, b: Formula) -> Formula:
    return Bin(OR, a, b)


def imp(a: Formula, b: Formula) -> Formula:
    return Bin(IMP, a, b)


def iff(a: Formula, b: Formula) -> Formula:
    return Bin(IFF, a, b)


def as_arrow(f: Formula) -> tuple[Formula, Formula] | None:
    """`(A, B)` when `f` is definitionally a function type `A → B` (`¬A` unfolds to `A → False`)."""
    if isinstance(f, Bin) and f.op == IMP:
        return f.left, f.right
    if isinstance(f, Not):
        return f.arg, FALSE
    return None


def defeq(a: Formula, b: Formula) -> bool:
    """Definitional equality: syntactic, except that `¬A` and `A → False` are interchangeable."""
    if a == b:
        return True
    if isinstance(a, Bin) and isinstance(b, Bin):
        return a.op == b.op and defeq(a.left, b.left) and defeq(a.right, b.right)
    if isinstance(a, Not) and isinstance(b, Not):
        return defeq(a.arg, b.arg)
    if isinstance(a, Not | Bin) and isinstance(b, Not | Bin):
        fa, fb = as_arrow(a), as_arrow(b)
        if fa is not None and fb is not None:
            return defeq(fa[0], fb[0]) and defeq(fa[1], fb[1])
    return False


def atoms(f: Formula) -> set[str]:
    out: set[str] = set()
    _collect_atoms(f, out)
    return out


def _collect_atoms(f: Formula, out: set[str]) -> None:
    if isinstance(f, Var):
        out.add(f.name)
    elif isinstance(f, Not):
        _collect_atoms(f.arg, out)
    elif isinstance(f, Bin):
        _collect_atoms(f.left, out)
        _collect_atoms(f.right, out)


def atoms_in_order(fs: list[Formula]) -> list[str]:
    """Variable names in order of first occurrence (left to right)."""
    seen: dict[str, None] = {}
    for f in fs:
        for v in _walk_vars(f):
            seen.setdefault(v, None)
    return list(seen)


def _walk_vars(f: Formula) -> Iterator[str]:
    if isinstance(f, Var):
        yield f.name
    elif isinstance(f, Not):
        yield from _walk_vars(f.arg)
    elif isinstance(f, Bin):
        yield from _walk_vars(f.left)
        yield from _walk_vars(f.right)


def evaluate(f: Formula, val: Mapping[str, bool]) -> bool:
    if isinstance(f, Var):
        return val[f.name]
    if isinstance(f, Const):
        return f.value
    if isinstance(f, Not):
        return not evaluate(f.arg, val)
    if isinstance(f, Bin):
        a = evaluate(f.left, val)
        if f.op == AND:
            return a and evaluate(f.right, val)
        if f.op == OR:
            return a or evaluate(f.right, val)
        if f.op == IMP:
            return (not a) or evaluate(f.right, val)
        return a == evaluate(f.right, val)
    raise ValueError(f"cannot evaluate {f!r}")


def countermodel(hyps: list[Formula], goal: Formula) -> dict[str, bool] | None:
    """A truth assignment making every hypothesis true and the goal false, if one exists."""
    names = sorted(set().union(*(atoms(h) for h in hyps), atoms(goal)))
    for bits in itertools.product((False, True), repeat=len(names)):
        val = dict(zip(names, bits, strict=True))
        if all(evaluate(h, val) for h in hyps) and not evaluate(goal, val):
            return val
    return None


def is_valid(hyps: list[Formula], goal: Formula) -> bool:
    """Classical validity of `hyps ⊢ goal` by truth table."""
    return countermodel(hyps, goal) is None


def depth(f: Formula) -> int:
    if isinstance(f, Not):
        return 1 + depth(f.arg)
    if isinstance(f, Bin):
        return 1 + max(depth(f.left), depth(f.right))
    return 0


def size(f: Formula) -> int:
    if isinstance(f, Not):
        return 1 + size(f.arg)
    if isinstance(f, Bin):
        return 1 + size(f.left) + size(f.right)
    return 1


def substitute(f: Formula, sub: Mapping[str, Formula]) -> Formula:
    """Replace variables by formulas (instantiating a theorem's propositional parameters)."""
    if isinstance(f, Var):
        return sub.get(f.name, f)
    if isinstance(f, Not):
        return Not(substitute(f.arg, sub))
    if isinstance(f, Bin):
        return Bin(f.op, substitute(f.left, sub), substitute(f.right, sub))
    return f


def has_meta(f: Formula) -> bool:
    if isinstance(f, Meta):
        return True
    if isinstance(f, Not):
        return has_meta(f.arg)
    if isinstance(f, Bin):
        return has_meta(f.left) or has_meta(f.right)
    return False


def instantiate(f: Formula, assign: Mapping[int, Formula]) -> Formula:
    """Replace assigned placeholders (recursively); unassigned ones stay."""
    if isinstance(f, Meta):
        g = assign.get(f.id)
        return f if g is None else instantiate(g, assign)
    if isinstance(f, Not):
        return Not(instantiate(f.arg, assign))
    if isinstance(f, Bin):
        return Bin(f.op, instantiate(f.left, assign), instantiate(f.right, assign))
    return f


def unify(a: Formula, b: Formula, assign: dict[int, Formula]) -> bool:
    """First-order unification up to `defeq`, extending `assign` (mutated only on success
    of each binding; callers snapshot `assign` when they need all-or-nothing behaviour)."""
    a = instantiate(a, assign) if has_meta(a) else a
    b = instantiate(b, assign) if has_meta(b) else b
    if isinstance(a, Meta) or isinstance(b, Meta):
        if a == b:
            return True
        m, other = (a, b) if isinstance(a, Meta) else (b, a)
        assert isinstance(m, Meta)
        if _occurs(m.id, other):
            return False
        assign[m.id] = other
        return True
    if isinstance(a, Bin) and isinstance(b, Bin) and a.op == b.op:
        return unify(a.left, b.left, assign) and unify(a.right, b.right, assign)
    if isinstance(a, Not) and isinstance(b, Not):
        return unify(a.arg, b.arg, assign)
    if isinstance(a, Not | Bin) and isinstance(b, Not | Bin):
        fa, fb = as_arrow(a), as_arrow(b)
        if fa is not None and fb is not None:
            return unify(fa[0], fb[0], assign) and unify(fa[1], fb[1], assign)
        return False
    return a == b


def _occurs(mid: int, f: Formula) -> bool:
    if isinstance(f, Meta):
        return f.id == mid
    if isinstance(f, Not):
        return _occurs(mid, f.arg)
    if isinstance(f, Bin):
        return _occurs(mid, f.left) or _occurs(mid, f.right)
    return False
