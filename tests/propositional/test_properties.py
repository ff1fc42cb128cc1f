"""Property tests: reference proofs check, tactic mode agrees with whole proofs, nothing false
is ever accepted (truth tables as the oracle), and random input never crashes the REPL."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prover_core.propositional.formula import (
    AND,
    IFF,
    IMP,
    OR,
    TRUE,
    Bin,
    Formula,
    Not,
    Var,
    atoms,
    is_valid,
)
from prover_core.propositional.generator import problems
from prover_core.propositional.printer import show
from prover_core.propositional.repl import Repl

from .conftest import Session, errors, proves


def bounded(n: int) -> settings:
    """Bounded, reproducible runs (fixed seed, no example database)."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# ------------------------------------------------------------------ strategies

VARS = ["p", "q", "r"]


def formulas(max_depth: int = 3) -> st.SearchStrategy[Formula]:
    leaves = st.one_of(st.sampled_from([Var(v) for v in VARS]), st.sampled_from([TRUE, Not(TRUE)]))

    def extend(children: st.SearchStrategy[Formula]) -> st.SearchStrategy[Formula]:
        return st.one_of(
            children.map(Not),
            st.tuples(st.sampled_from([AND, OR, IMP, IFF]), children, children).map(
                lambda t: Bin(*t)
            ),
        )

    return st.recursive(leaves, extend, max_leaves=2**max_depth)


HYP_NAMES = ["h₀", "h₁"]
NAMES = ["h₀", "h₁", "a", "b", "c", "x"]


@st.composite
def terms(draw: st.DrawFn, depth: int = 2) -> str:
    n = st.sampled_from(NAMES)
    options: list[Any] = [n, st.just("trivial"), st.just("True.intro"), st.just("sorry")]
    if depth > 0:
        sub = terms(depth - 1)
        options += [
            st.tuples(n, sub).map(lambda t: f"{t[0]} ({t[1]})"),
            st.tuples(sub, sub).map(lambda t: f"⟨{t[0]}, {t[1]}⟩"),
            st.tuples(
                n, st.sampled_from(["1", "2", "left", "right", "mp", "mpr", "elim", "symm"])
            ).map(lambda t: f"{t[0]}.{t[1]}"),
            sub.map(lambda t: f"Or.inl ({t})"),
            sub.map(lambda t: f"Or.inr ({t})"),
            st.tuples(sub, sub).map(lambda t: f"absurd ({t[0]}) ({t[1]})"),
            sub.map(lambda t: f"False.elim ({t})"),
            st.tuples(n, sub).map(lambda t: f"fun {t[0]} => {t[1]}"),
            st.tuples(sub, formulas(2)).map(lambda t: f"({t[0]} : {show(t[1])})"),
            st.tuples(n, n).map(lambda t: f"Or.elim {t[0]} (fun a => {t[1]}) (fun b => {t[1]})"),
        ]
    return str(draw(st.one_of(*options)))


@st.composite
def tactics(draw: st.DrawFn) -> str:
    n = draw(st.sampled_from(NAMES))
    m = draw(st.sampled_from(NAMES))
    t = draw(terms())
    f = show(draw(formulas(2)))
    return draw(
        st.sampled_from(
            [
                f"intro {n}", "intro", "intros", f"exact {t}", f"apply {t}", "constructor",
                "left", "right", f"cases {n}", f"rcases {n} with {m} | c", "assumption", "exfalso",
                f"obtain ⟨{m}, c⟩ := {n}", "contradiction", "trivial", f"have {m} : {f} := {t}",
                f"have {m} := {t}", f"by_contra {n}", f"by_cases {n} : {f}", "refine ⟨?_, ?_⟩",
                f"refine fun {n} => ?_", "rfl", f"specialize {n} {m}", f"revert {n}", f"clear {n}",
                f"first | exact {t} | assumption", "constructor <;> assumption", f"try exact {t}",
                "all_goals assumption", f"show {f}", "skip", "sorry",
            ]
        )
    )  # fmt: skip


@st.composite
def statements(draw: st.DrawFn) -> tuple[list[Formula], Formula]:
    hyps = draw(st.lists(formulas(2), max_size=2))
    return hyps, draw(formulas(3))


def declaration(hyps: list[Formula], goal: Formula, name: str = "t") -> str:
    binders = "".join(f" ({HYP_NAMES[i]} : {show(h)})" for i, h in enumerate(hyps))
    return f"theorem {name} (p q r : Prop){binders} : {show(goal)}"


def run_tactics(repl: Session, state: int, script: list[str]) -> tuple[bool, bool]:
    """(completed, clean): the last status was Completed; no step failed or logged an error."""
    r: dict[str, Any] = {}
    for t in script:
        r = repl.tac(t, state)
        if "proofState" not in r or errors(r):
            return r.get("proofStatus") == "Completed", False
        state = r["proofState"]
    return r.get("proofStatus") == "Completed", True


# ------------------------------------------------------------------ properties


@bounded(300)
@given(statements(), st.lists(tactics(), min_size=1, max_size=6))
def test_nothing_false_is_ever_accepted(
    stmt: tuple[list[Formula], Formula], script: list[str]
) -> None:
    hyps, goal = stmt
    valid = is_valid(hyps, goal)
    repl = Session()
    decl = declaration(hyps, goal)
    completed, clean = run_tactics(repl, repl.state(decl), script)
    whole = repl.cmd(decl + " := by\n" + "\n".join("  " + t for t in script))
    if completed or proves(whole):
        assert valid, (decl, script)
    # a step-by-step proof and the same whole proof agree
    assert (completed and clean) == proves(whole), (decl, script, whole)


@bounded(200)
@given(statements(), st.lists(terms(3), min_size=1, max_size=1))
def test_term_proofs_are_sound(stmt: tuple[list[Formula], Formula], term: list[str]) -> None:
    hyps, goal = stmt
    r = Session().cmd(declaration(hyps, goal) + " := " + term[0])
    if proves(r):
        assert is_valid(hyps, goal)


def _tactic_mode_steps(proof: list[str]) -> list[str]:
    """Top-level tactics of a reference proof (lines indented by 2; deeper lines belong to the
    tactic above), dedented for tactic mode."""
    steps: list[list[str]] = []
    for line in proof:
        if line.startswith("  ") and not line.startswith("   "):
            steps.append([line[2:]])
        else:
            steps[-1].append(line[2:])
    return ["\n".join(s) for s in steps]


@bounded(25)
@given(st.integers(min_value=0, max_value=10**6))
def test_reference_proofs_check_in_both_modes(seed: int) -> None:
    repl = Session()
    for i, (p, proof, _, classical) in enumerate(itertools.islice(problems(seed), 6)):
        decl = p.statement(f"t{i}")
        whole = repl.cmd(decl + "\n".join(proof) + f"\n#print axioms t{i}")
        assert not errors(whole) and "sorries" not in whole, (decl, proof, whole)
        axioms = whole["messages"][-1]["data"]
        assert ("Classical.choice" in axioms) == classical
        state = repl.state(decl.removesuffix(" := by\n"))
        completed, clean = run_tactics(repl, state, _tactic_mode_steps(proof))
        assert completed and clean, (decl, proof)
        assert is_valid(list(p.hyps), p.goal)


_SWAPS = [
    ["h₀", "h₁", "h₂", *(f"h{i}" for i in range(1, 12))],
    ["p", "q", "r", "s"],
    ["left", "right"],
    ["Or.inl", "Or.inr"],
    [".1", ".2"],
    ["mp", "mpr"],
    ["exact", "apply"],
    ["∧", "∨", "→", "↔"],
]


def _subformula_paths(f: Formula, path: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    out = [path]
    if isinstance(f, Not):
        out += _subformula_paths(f.arg, (*path, 0))
    elif isinstance(f, Bin):
        out += _subformula_paths(f.left, (*path, 0)) + _subformula_paths(f.right, (*path, 1))
    return out


def _replace(f: Formula, path: tuple[int, ...], new: Formula) -> Formula:
    if not path:
        return new
    if isinstance(f, Not):
        return Not(_replace(f.arg, path[1:], new))
    assert isinstance(f, Bin)
    if path[0] == 0:
        return Bin(f.op, _replace(f.left, path[1:], new), f.right)
    return Bin(f.op, f.left, _replace(f.right, path[1:], new))


@bounded(60)
@given(st.integers(min_value=0, max_value=10**6), st.data())
def test_mutated_reference_proofs_are_sound(seed: int, data: st.DataObject) -> None:
    """Near misses: a reference proof run against a perturbed statement, or a perturbed proof
    against its statement, is accepted only if the statement is valid."""
    repl = Session()
    for i, (p, proof, _, _) in enumerate(itertools.islice(problems(seed), 3)):
        hyps, goal = list(p.hyps), p.goal
        kind = data.draw(st.sampled_from(["goal", "subformula", "drop", "proof", "proof", "none"]))
        text = "\n".join(proof)
        if kind == "goal":
            goal = data.draw(formulas(3))
        elif kind == "subformula":
            path = data.draw(st.sampled_from(_subformula_paths(goal)))
            goal = _replace(goal, path, data.draw(formulas(2)))
        elif kind == "drop" and hyps:
            del hyps[data.draw(st.integers(0, len(hyps) - 1))]
        elif kind == "proof":
            for _ in range(data.draw(st.integers(1, 3))):
                group = data.draw(st.sampled_from(_SWAPS))
                present = [w for w in group if w in text]
                if present:
                    old = data.draw(st.sampled_from(present))
                    spots = [k for k in range(len(text)) if text.startswith(old, k)]
                    k = data.draw(st.sampled_from(spots))
                    text = text[:k] + data.draw(st.sampled_from(group)) + text[k + len(old) :]
        names = sorted({v for f in [*hyps, goal] for v in atoms(f)} | {"p", "q", "r", "s"})
        binders = "".join(f" (h{str(j).translate(_SUB)} : {show(h)})" for j, h in enumerate(hyps))
        decl = f"theorem m{i} ({' '.join(names)} : Prop){binders} : {show(goal)} := by\n{text}"
        if proves(repl.cmd(decl)):
            assert is_valid(hyps, goal), decl


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


TOKENS = [
    "theorem", "example", "lemma", "t", "(", ")", "p", "q", ":", "Prop", ":=", "by", "\n", "  ",
    "intro", "exact", "h", "⟨", "⟩", ",", "∧", "∨", "→", "↔", "¬", "·", ";", "<;>", "fun", "=>",
    "sorry", "_", "?_", "cases", "with", "|", "rcases", "obtain", "have", "#print", "axioms",
    "True", "False", "{", "}", "--", "/-", "-/", ".", "1", "Or.inl", "apply", "constructor",
    "import", "λ", "@", "[", "]", "\t", "é", "∀",
]  # fmt: skip


@bounded(300)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.text(max_size=30))
def test_random_text_never_crashes(tokens: list[str], noise: str) -> None:
    src = " ".join(tokens) + noise
    repl = Repl()
    r = repl.handle({"cmd": src})
    assert isinstance(r.get("env"), int)
    for s in (sorry["proofState"] for sorry in r.get("sorries", [])):
        out = repl.handle({"tactic": src, "proofState": s})
        assert "message" in out or "proofStatus" in out
    r = repl.handle({"cmd": "example (p q : Prop) : p := by sorry"})
    s = r["sorries"][0]["proofState"]
    out = repl.handle({"tactic": src, "proofState": s})
    assert "message" in out or out.get("proofStatus") != "Completed"


@bounded(100)
@given(
    st.dictionaries(
        st.sampled_from(
            ["cmd", "tactic", "proofState", "env", "path", "allTactics", "pickleTo", "x"]
        ),
        st.one_of(
            st.none(),
            st.integers(-3, 5),
            st.text(max_size=10),
            st.booleans(),
            st.lists(st.integers()),
        ),
    )
)
def test_malformed_requests_get_an_answer(req: dict[str, Any]) -> None:
    r = Repl().handle(req)
    assert isinstance(r, dict) and r
