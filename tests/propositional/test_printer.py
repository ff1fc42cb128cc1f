"""Lean's notation, parenthesisation and line wrapping, and the goal layout."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from prover_core.propositional.formula import AND, IFF, IMP, OR, TRUE, Bin, Formula, Not, Var
from prover_core.propositional.layout import LINE, Cat, Doc, Group, Nest, Text, render
from prover_core.propositional.lexer import tokenize
from prover_core.propositional.library import term_to_formula
from prover_core.propositional.parse_term import TermParser
from prover_core.propositional.printer import show

from .conftest import ROOT, Session
from .test_properties import formulas

p, q, r = Var("p"), Var("q"), Var("r")


@pytest.mark.parametrize(
    ("f", "text"),
    [
        (Bin(AND, Bin(OR, p, q), r), "(p ∨ q) ∧ r"),
        (Bin(OR, Bin(AND, p, q), r), "p ∧ q ∨ r"),
        (Bin(IMP, Bin(IMP, p, q), r), "(p → q) → r"),
        (Bin(IMP, p, Bin(IMP, q, r)), "p → q → r"),
        (Bin(AND, p, Bin(AND, q, r)), "p ∧ q ∧ r"),
        (Bin(AND, Bin(AND, p, q), r), "(p ∧ q) ∧ r"),
        (Bin(OR, Bin(OR, p, q), r), "(p ∨ q) ∨ r"),
        (Not(Bin(AND, p, q)), "¬(p ∧ q)"),
        (Not(Not(p)), "¬¬p"),
        (Bin(AND, Not(p), q), "¬p ∧ q"),
        (Not(Bin(IMP, p, q)), "¬(p → q)"),
        (Not(TRUE), "¬True"),
        (Bin(IFF, Bin(IFF, p, q), r), "(p ↔ q) ↔ r"),
        (Bin(IFF, p, Bin(IFF, q, r)), "p ↔ (q ↔ r)"),
        (Bin(IFF, Bin(IMP, p, q), r), "p → q ↔ r"),
        (Bin(IMP, Bin(IFF, p, q), r), "(p ↔ q) → r"),
        (Bin(OR, p, Bin(IMP, q, r)), "p ∨ (q → r)"),
        (Bin(IMP, Bin(OR, p, q), Bin(AND, q, p)), "p ∨ q → q ∧ p"),
    ],
)
def test_notation_and_parentheses(f: Formula, text: str) -> None:
    assert show(f) == text


def _parse(text: str) -> Formula:
    return term_to_formula(TermParser(tokenize(text)).term(), lambda i: Var(i.name))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(formulas(4))
def test_printing_then_parsing_is_the_identity(f: Formula) -> None:
    assert _parse(show(f)) == f


def test_ascii_connectives_parse() -> None:
    assert _parse("p /\\ q -> r \\/ ¬p") == Bin(IMP, Bin(AND, p, q), Bin(OR, r, Not(p)))
    assert _parse("(p <-> q)") == Bin(IFF, p, q)


def _node(core: Doc) -> Doc:
    return Group(Nest(2, core), fill=True)


def _target(core: Doc) -> str:
    return render(Cat((Text("⊢ "), Nest(2, Group(_node(core), fill=True)))), 120)


def _benchmark_goal(name: str) -> str:
    for file in ("minif2f.jsonl", "proofnet.jsonl"):
        path = ROOT.parent / "shared" / "benchmarks" / file
        if not path.exists():
            pytest.skip("benchmarks not available")
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["name"] == name:
                return str(rec["goal"])
    raise AssertionError(name)


def test_wrapping_matches_real_lean_goals() -> None:
    """Lean wraps a binary notation after the operator, indenting by 4 under `⊢` (width 120)."""
    goal = _benchmark_goal("imo_2006_p3")
    target = goal.split("⊢ ", 1)[1]
    lhs, rhs = target.replace("\n    ", " ").split(" ≤ ")
    assert "⊢ " + target == _target(Cat((_node(Text(lhs)), Text(" ≤"), LINE, _node(Text(rhs)))))
    goal = _benchmark_goal("exercise_28_5")
    target = goal.split("⊢ ", 1)[1]
    lhs, rest = target.split(" ↔\n    ")
    binder, body = rest.split("\n      ")
    core = Cat(
        (_node(Text(lhs)), Text(" ↔"), LINE, _node(Cat((Text(binder), LINE, _node(Text(body))))))
    )
    assert "⊢ " + target == _target(core)


def test_goal_layout(repl: Session) -> None:
    r = repl.cmd(
        "example (p q : Prop) (h₁ h₂ : p ∧ q) (h₃ : p) (h₄ : p ∧ q) (r : Prop) : r := by sorry"
    )
    assert r["sorries"][0]["goal"] == "p q : Prop\nh₁ h₂ : p ∧ q\nh₃ : p\nh₄ : p ∧ q\nr : Prop\n⊢ r"
    r = repl.cmd("example (p : Prop) (hp : ¬p) (hq : p → False) : True := by sorry")
    assert r["sorries"][0]["goal"] == "p : Prop\nhp : ¬p\nhq : p → False\n⊢ True"
