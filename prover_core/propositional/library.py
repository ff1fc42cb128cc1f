"""The library: constants of Lean core (and a few of Mathlib) that proofs may name.

Each entry is written as its Lean statement and parsed once at import. Every statement is
checked to be a classical tautology at import, and those that need classical logic carry
the axioms `#print axioms` reports for them in Lean
(`propext`, `Classical.choice`, `Quot.sound`); the rest depend on no axioms.
"""

from __future__ import annotations

from collections.abc import Callable

from .formula import FALSE, TRUE, Bin, Const, Formula, Not, Var, is_valid
from .kernel import Sig, SigBinder
from .parse_command import parse_commands
from .parse_term import ParseError
from .syntax import BinderGroup, Decl, TApp, TAscribe, TBin, Term, TIdent, TNot

CLASSICAL = frozenset({"propext", "Classical.choice", "Quot.sound"})

_CORE = """
theorem And.intro {a b : Prop} (left : a) (right : b) : a ∧ b := sorry
theorem And.left {a b : Prop} (self : a ∧ b) : a := sorry
theorem And.right {a b : Prop} (self : a ∧ b) : b := sorry
theorem And.symm {a b : Prop} (h : a ∧ b) : b ∧ a := sorry
theorem And.elim {a b α : Prop} (f : a → b → α) (h : a ∧ b) : α := sorry
theorem Or.inl {a b : Prop} (h : a) : a ∨ b := sorry
theorem Or.inr {a b : Prop} (h : b) : a ∨ b := sorry
theorem Or.elim {a b c : Prop} (h : a ∨ b) (left : a → c) (right : b → c) : c := sorry
theorem Or.symm {a b : Prop} (h : a ∨ b) : b ∨ a := sorry
theorem Or.resolve_left {a b : Prop} (h : a ∨ b) (na : ¬a) : b := sorry
theorem Or.resolve_right {a b : Prop} (h : a ∨ b) (nb : ¬b) : a := sorry
theorem Iff.intro {a b : Prop} (mp : a → b) (mpr : b → a) : a ↔ b := sorry
theorem Iff.mp {a b : Prop} (self : a ↔ b) : a → b := sorry
theorem Iff.mpr {a b : Prop} (self : a ↔ b) : b → a := sorry
theorem Iff.symm {a b : Prop} (h : a ↔ b) : b ↔ a := sorry
theorem Iff.trans {a b c : Prop} (h₁ : a ↔ b) (h₂ : b ↔ c) : a ↔ c := sorry
theorem Iff.refl (a : Prop) : a ↔ a := sorry
theorem Iff.rfl {a : Prop} : a ↔ a := sorry
theorem True.intro : True := sorry
theorem trivial : True := sorry
theorem False.elim {C : Prop} (h : False) : C := sorry
theorem absurd {a b : Prop} (h₁ : a) (h₂ : ¬a) : b := sorry
theorem Not.elim {a α : Prop} (H1 : ¬a) (H2 : a) : α := sorry
theorem Not.intro {a : Prop} (h : a → False) : ¬a := sorry
theorem mt {a b : Prop} (h₁ : a → b) (h₂ : ¬b) : ¬a := sorry
theorem not_not_intro {a : Prop} (h : a) : ¬¬a := sorry
theorem id {α : Prop} (a : α) : α := sorry
"""

_CLASSICAL = """
theorem Classical.em (p : Prop) : p ∨ ¬p := sorry
theorem Classical.byContradiction {p : Prop} (h : ¬p → False) : p := sorry
theorem Classical.byCases {p q : Prop} (hpq : p → q) (hnpq : ¬p → q) : q := sorry
theorem Classical.not_not {a : Prop} : ¬¬a ↔ a := sorry
theorem not_not {a : Prop} : ¬¬a ↔ a := sorry
theorem em (p : Prop) : p ∨ ¬p := sorry
"""


class FormulaError(Exception):
    def __init__(self, message: str, span: tuple[int, int]) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


_CONNECTIVES = {"And": "∧", "Or": "∨", "Iff": "↔"}


def term_to_formula(t: Term, resolve: Callable[[TIdent], Formula]) -> Formula:
    """Read a term as a proposition; `resolve` maps identifiers (raising FormulaError)."""
    if isinstance(t, TIdent):
        if t.name == "True":
            return TRUE
        if t.name == "False":
            return FALSE
        return resolve(t)
    if isinstance(t, TBin):
        return Bin(t.op, term_to_formula(t.left, resolve), term_to_formula(t.right, resolve))
    if isinstance(t, TNot):
        return Not(term_to_formula(t.arg, resolve))
    if isinstance(t, TApp) and isinstance(t.fn, TIdent):
        args = [term_to_formula(a, resolve) for a in t.args]
        if t.fn.name == "Not" and len(args) == 1:
            return Not(args[0])
        if t.fn.name in _CONNECTIVES and len(args) == 2:
            return Bin(_CONNECTIVES[t.fn.name], args[0], args[1])
    if isinstance(t, TAscribe) and isinstance(t.type, TIdent) and t.type.name == "Prop":
        return term_to_formula(t.term, resolve)
    raise FormulaError("type expected", t.span)


def sig_of_binders(binders: tuple[BinderGroup, ...], result: Term, axioms: frozenset[str]) -> Sig:
    """The signature of a declaration whose binders mention only earlier `Prop` binders."""
    props: set[str] = set()

    def resolve(i: TIdent) -> Formula:
        if i.name in props:
            return Var(i.name)
        raise FormulaError(f"Unknown identifier `{i.name}`", i.span)

    out: list[SigBinder] = []
    for g in binders:
        is_prop = isinstance(g.type, TIdent) and g.type.name == "Prop"
        ty = None if is_prop else term_to_formula(g.type, resolve)
        for name, _ in g.names:
            if is_prop:
                out.append(SigBinder("prop", name, not g.implicit))
                props.add(name)
            else:
                out.append(SigBinder("proof", name, not g.implicit, ty))
    return Sig(tuple(out), term_to_formula(result, resolve), axioms)


_HEADS = {"∧": "And", "∨": "Or", "↔": "Iff"}


def head_name(f: Formula) -> str | None:
    """The type's head constant, for generalized field notation (`h.left`, `h.elim`)."""
    if isinstance(f, Bin):
        return _HEADS.get(f.op)
    if isinstance(f, Not):
        return "Not"
    if isinstance(f, Const):
        return "True" if f.value else "False"
    return None


def _load(src: str, axioms: frozenset[str]) -> dict[str, Sig]:
    out: dict[str, Sig] = {}
    for c in parse_commands(src):
        if isinstance(c, ParseError):
            raise c
        assert isinstance(c, Decl) and c.name is not None
        sig = sig_of_binders(c.binders, c.type, axioms)
        hyps = [b.type for b in sig.binders if b.type is not None]
        assert is_valid(hyps, sig.result), c.name
        out[c.name] = sig
    return out


LIBRARY: dict[str, Sig] = {**_load(_CORE, frozenset()), **_load(_CLASSICAL, CLASSICAL)}
