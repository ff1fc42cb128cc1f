"""Proof terms and the kernel that checks them (the only trusted component).

Tactics and the term elaborator *build* proof terms; nothing they conclude is trusted until
this checker has re-derived the type of the finished term from the rules below. A proof is
accepted only if its term has no metavariables, its type is definitionally the statement,
and every constant it uses is a theorem of the environment or of the library.

Typing rules (Γ maps free variables to propositions):
- `Hyp x`        : Γ(x)
- `Lam x A b`    : A → B        when Γ, x : A ⊢ b : B
- `App f a`      : B            when f : A → B (or ¬A, with B = False) and a : A' with A' ≡ A
- `Cst c args`   : the type of c with its propositional parameters instantiated by `args`
- `Sorry A`      : A            (admitted; recorded as the axiom `sorryAx`)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .formula import Formula, as_arrow, atoms, defeq, has_meta, imp, substitute
from .printer import show


class PTerm:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Hyp(PTerm):
    fvar: int


@dataclass(frozen=True, slots=True)
class Lam(PTerm):
    fvar: int
    ty: Formula
    body: PTerm


@dataclass(frozen=True, slots=True)
class App(PTerm):
    fn: PTerm
    arg: PTerm


@dataclass(frozen=True, slots=True)
class Cst(PTerm):
    name: str
    args: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class Sorry(PTerm):
    ty: Formula
    synthetic: bool


@dataclass(frozen=True, slots=True)
class MVar(PTerm):
    id: int


@dataclass(frozen=True, slots=True)
class SigBinder:
    """A binder of a constant's type: a propositional parameter (`kind == "prop"`, no type)
    or a proof argument (`kind == "proof"`)."""

    kind: str
    name: str
    explicit: bool
    type: Formula | None = None


@dataclass(frozen=True, slots=True)
class Sig:
    """`∀ binders, result`: the statement of a library constant or of a proven theorem."""

    binders: tuple[SigBinder, ...]
    result: Formula
    axioms: frozenset[str]

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.binders if b.kind == "prop")

    def instance(self, args: tuple[Formula, ...]) -> Formula:
        """The proposition `Cst(name, args)` proves: proof binders become arrows."""
        sub = dict(zip(self.params, args, strict=True))
        ty = substitute(self.result, sub)
        for b in reversed(self.binders):
            if b.kind == "proof":
                assert b.type is not None
                ty = imp(substitute(b.type, sub), ty)
        return ty


Lookup = Callable[[str], Sig | None]


class KernelError(Exception):
    pass


def instantiate(t: PTerm, assign: Mapping[int, PTerm]) -> PTerm:
    """Replace assigned metavariables, recursively. Unassigned ones stay in place."""
    if isinstance(t, MVar):
        v = assign.get(t.id)
        return t if v is None else instantiate(v, assign)
    if isinstance(t, App):
        return App(instantiate(t.fn, assign), instantiate(t.arg, assign))
    if isinstance(t, Lam):
        return Lam(t.fvar, t.ty, instantiate(t.body, assign))
    return t


def subterms(t: PTerm) -> list[PTerm]:
    out: list[PTerm] = []
    stack = [t]
    while stack:
        s = stack.pop()
        out.append(s)
        if isinstance(s, App):
            stack.extend((s.arg, s.fn))
        elif isinstance(s, Lam):
            stack.append(s.body)
    return out


def has_mvar(t: PTerm) -> bool:
    return any(isinstance(s, MVar) for s in subterms(t))


def has_sorry(t: PTerm) -> bool:
    return any(isinstance(s, Sorry) for s in subterms(t))


def constants(t: PTerm) -> list[str]:
    seen: dict[str, None] = {}
    for s in subterms(t):
        if isinstance(s, Cst):
            seen.setdefault(s.name, None)
        elif isinstance(s, Sorry):
            seen.setdefault("sorryAx", None)
    return list(seen)


def axioms_of(t: PTerm, lookup: Lookup) -> frozenset[str]:
    out: set[str] = set()
    for s in subterms(t):
        if isinstance(s, Sorry):
            out.add("sorryAx")
        elif isinstance(s, Cst):
            sig = lookup(s.name)
            if sig is not None:
                out |= sig.axioms
    return frozenset(out)


def check(
    t: PTerm, hyps: Mapping[int, Formula], props: frozenset[str], expected: Formula, lookup: Lookup
) -> None:
    """Raise KernelError unless `t` proves `expected` from `hyps` over the variables `props`."""
    ctx = dict(hyps)
    for f in (*ctx.values(), expected):
        _check_formula(f, props)
    ty = _infer(t, ctx, props, lookup)
    if not defeq(ty, expected):
        raise KernelError(
            f"type mismatch: term proves\n  {show(ty)}\nbut the statement is\n  {show(expected)}"
        )


def _check_formula(f: Formula, props: frozenset[str]) -> None:
    if has_meta(f):
        raise KernelError("declaration has metavariables")
    unknown = atoms(f) - props
    if unknown:
        raise KernelError(f"unknown propositional variable '{sorted(unknown)[0]}'")


def _infer(t: PTerm, ctx: dict[int, Formula], props: frozenset[str], lookup: Lookup) -> Formula:
    if isinstance(t, Hyp):
        ty = ctx.get(t.fvar)
        if ty is None:
            raise KernelError("declaration has free variables")
        return ty
    if isinstance(t, App):
        fty = _infer(t.fn, ctx, props, lookup)
        arrow = as_arrow(fty)
        if arrow is None:
            raise KernelError(f"function expected, proof of\n  {show(fty)}")
        aty = _infer(t.arg, ctx, props, lookup)
        if not defeq(aty, arrow[0]):
            raise KernelError(
                f"application type mismatch: argument has type\n  {show(aty)}\n"
                f"but function expects\n  {show(arrow[0])}"
            )
        return arrow[1]
    if isinstance(t, Lam):
        _check_formula(t.ty, props)
        if t.fvar in ctx:
            raise KernelError("variable bound twice")
        ctx[t.fvar] = t.ty
        try:
            body = _infer(t.body, ctx, props, lookup)
        finally:
            del ctx[t.fvar]
        return imp(t.ty, body)
    if isinstance(t, Cst):
        sig = lookup(t.name)
        if sig is None:
            raise KernelError(f"unknown constant '{t.name}'")
        if len(t.args) != len(sig.params):
            raise KernelError(f"wrong number of parameters for '{t.name}'")
        for a in t.args:
            _check_formula(a, props)
        return sig.instance(t.args)
    if isinstance(t, Sorry):
        _check_formula(t.ty, props)
        return t.ty
    if isinstance(t, MVar):
        raise KernelError("declaration has metavariables")
    raise KernelError(f"not a proof term: {t!r}")
