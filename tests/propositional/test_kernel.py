"""The trusted checker: it accepts exactly the well-typed proof terms."""

from __future__ import annotations

import pytest

from prover_core.propositional.formula import FALSE, Bin, Not, Var, is_valid
from prover_core.propositional.kernel import (
    App,
    Cst,
    Hyp,
    KernelError,
    Lam,
    MVar,
    Sorry,
    axioms_of,
    check,
)
from prover_core.propositional.library import CLASSICAL, LIBRARY
from prover_core.propositional.state import Env

p, q = Var("p"), Var("q")
PROPS = frozenset({"p", "q"})
lookup = Env().lookup


def test_accepts_well_typed_terms() -> None:
    swap = Lam(
        1,
        Bin("∧", p, q),
        App(
            App(Cst("And.intro", (q, p)), App(Cst("And.right", (p, q)), Hyp(1))),
            App(Cst("And.left", (p, q)), Hyp(1)),
        ),
    )
    check(swap, {}, PROPS, Bin("→", Bin("∧", p, q), Bin("∧", q, p)), lookup)
    # ¬p is p → False
    check(Lam(1, p, App(Hyp(2), Hyp(1))), {2: Not(p)}, PROPS, Not(p), lookup)
    check(App(Hyp(2), Hyp(1)), {1: p, 2: Bin("→", p, FALSE)}, PROPS, FALSE, lookup)


@pytest.mark.parametrize(
    ("term", "hyps", "goal"),
    [
        (Hyp(1), {1: p}, q),  # wrong statement
        (Hyp(3), {1: p}, p),  # free variable out of scope
        (App(Hyp(1), Hyp(1)), {1: Bin("→", p, q)}, q),  # argument of the wrong type
        (App(Hyp(1), Hyp(2)), {1: Bin("∧", p, q), 2: p}, q),  # not a function
        (MVar(7), {}, p),  # unfinished
        (Cst("And.left", (p,)), {}, p),  # wrong arity
        (Cst("Nope", ()), {}, p),  # unknown constant
        (Lam(1, p, Hyp(1)), {}, Bin("→", q, p)),  # binder type
        (App(Cst("Or.inl", (p, q)), Hyp(1)), {1: p}, Bin("∨", q, p)),
        (Hyp(1), {1: Var("z")}, Var("z")),  # variable not declared
    ],
)
def test_rejects_ill_typed_terms(term: object, hyps: dict[int, object], goal: object) -> None:
    with pytest.raises(KernelError):
        check(term, hyps, PROPS, goal, lookup)  # type: ignore[arg-type]


def test_axioms() -> None:
    em = Cst("Classical.em", (p,))
    assert axioms_of(em, lookup) == CLASSICAL
    assert axioms_of(App(Cst("Or.inl", (p, q)), Sorry(p, True)), lookup) == {"sorryAx"}
    assert axioms_of(Cst("And.intro", (p, q)), lookup) == frozenset()


def test_library_statements_are_tautologies() -> None:
    for name, sig in LIBRARY.items():
        hyps = [b.type for b in sig.binders if b.type is not None]
        assert is_valid(hyps, sig.result), name
        assert sig.axioms in (frozenset(), CLASSICAL), name
    assert {n for n, s in LIBRARY.items() if s.axioms} == {
        "Classical.em", "Classical.byContradiction", "Classical.byCases", "Classical.not_not",
        "not_not", "em",
    }  # fmt: skip
