"""Each tactic: what it does to the goal (printed as Lean prints it) and how it fails."""

from __future__ import annotations

import pytest

from .conftest import Session, errors

AND_SWAP = "example (p q : Prop) (h : p ∧ q) : q ∧ p"
OR_SWAP = "example (p q : Prop) (h : p ∨ q) : q ∨ p"


def completed(repl: Session, statement: str, *tactics: str) -> bool:
    s = repl.state(statement)
    r: dict = {}
    for t in tactics:
        r = repl.tac(t, s)
        if "proofState" not in r:
            return False
        s = r["proofState"]
    return r.get("proofStatus") == "Completed" and not errors(r)


def fails(repl: Session, statement: str, tactic: str) -> str:
    """The `Lean error:` message of a tactic that does not elaborate."""
    r = repl.tac(tactic, repl.state(statement))
    assert set(r) == {"message"}, r
    assert r["message"].startswith("Lean error:\n")
    return str(r["message"])


# ------------------------------------------------------------------ intro / intros


def test_intro_names_and_anonymous(repl: Session) -> None:
    st = "example (p q r : Prop) : p → (q → r) → ¬p"
    assert repl.goals_after(st, "intro hp") == ["p q r : Prop\nhp : p\n⊢ (q → r) → ¬p"]
    assert repl.goals_after(st, "intro hp hqr h") == [
        "p q r : Prop\nhp : p\nhqr : q → r\nh : p\n⊢ False"
    ]
    assert repl.goals_after(st, "intro", "intro") == ["p q r : Prop\na✝¹ : p\na✝ : q → r\n⊢ ¬p"]


def test_intros_stops_at_negation(repl: Session) -> None:
    assert repl.goals_after("example (p q : Prop) : p → q → ¬p", "intros") == [
        "p q : Prop\na✝¹ : p\na✝ : q\n⊢ ¬p"
    ]
    assert repl.goals_after("example (p q : Prop) : p → ¬q", "intros a b") == [
        "p q : Prop\na : p\nb : q\n⊢ False"
    ]


def test_intro_shadowing_and_patterns(repl: Session) -> None:
    assert repl.goals_after("example (p q : Prop) (h : p) : q → p", "intro h") == [
        "p q : Prop\nh✝ : p\nh : q\n⊢ p"
    ]
    assert repl.goals_after("example (p q r : Prop) : p ∧ q → r", "intro ⟨hp, hq⟩") == [
        "case intro\np q r : Prop\nhp : p\nhq : q\n⊢ r"
    ]
    # a hypothesis named like a variable: the variable is displayed as inaccessible
    assert repl.goals_after("example (p : Prop) : p → p", "intro p") == ["p✝ : Prop\np : p✝\n⊢ p✝"]


def test_intro_fails_without_binder(repl: Session) -> None:
    msg = fails(repl, AND_SWAP, "intro x")
    assert "Tactic `intro` failed" in msg and msg.endswith("p q : Prop\nh : p ∧ q\n⊢ q ∧ p")


# ------------------------------------------------------------------ exact


@pytest.mark.parametrize(
    "term",
    [
        "⟨h.2, h.1⟩",
        "⟨h.right, h.left⟩",
        "And.intro h.2 h.1",
        "And.intro (And.right h) (And.left h)",
        "⟨(h : p ∧ q).2, h.1⟩",
        "h.symm",
        "And.symm h",
        "(fun (x : p ∧ q) => ⟨x.2, x.1⟩) h",
        "⟨h.right, h.1⟩",
    ],
)
def test_exact_and_terms(repl: Session, term: str) -> None:
    assert completed(repl, AND_SWAP, f"exact {term}")


@pytest.mark.parametrize(
    ("statement", "term"),
    [
        (OR_SWAP, "h.elim (fun hp => Or.inr hp) (fun hq => Or.inl hq)"),
        (OR_SWAP, "Or.elim h Or.inr Or.inl"),
        (OR_SWAP, "h.symm"),
        ("example (p q : Prop) (h : p ↔ q) (hq : q) : p", "h.mpr hq"),
        ("example (p q : Prop) (h : p ↔ q) (hq : q) : p", "h.2 hq"),
        ("example (p q : Prop) (h : p ↔ q) (hp : p) : q", "(Iff.mp h) hp"),
        ("example (p q : Prop) : (p → q) → (q → p) → (p ↔ q)", "fun a b => ⟨a, b⟩"),
        ("example (p q : Prop) : (p → q) → (q → p) → (p ↔ q)", "fun a b => Iff.intro a b"),
        ("example (p q : Prop) (hp : p) (hn : ¬p) : q", "absurd hp hn"),
        ("example (p q : Prop) (hp : p) (hn : ¬p) : q", "(hn hp).elim"),
        ("example (p q : Prop) (hp : p) (hn : ¬p) : q", "False.elim (hn hp)"),
        ("example (p q : Prop) (hp : p) (hn : ¬p) : q", "hn.elim hp"),
        ("example : True", "trivial"),
        ("example : True", "True.intro"),
        ("example : True", "⟨⟩"),
        ("example (p : Prop) : p → p", "fun h => h"),
        ("example (p : Prop) : p → p", "id"),
        ("example (p q : Prop) : p → q → p", "fun hp _ => hp"),
        ("example (p q r : Prop) : p ∧ q ∧ r → r", "fun ⟨_, _, hr⟩ => hr"),
        ("example (p q r : Prop) (hp : p) (hq : q) (hr : r) : p ∧ q ∧ r", "⟨hp, hq, hr⟩"),
        ("example (p : Prop) : ¬¬(p ∨ ¬p)", "fun h => h (Or.inr fun hp => h (Or.inl hp))"),
        ("example (p q : Prop) (hpq : p → q) (hnq : ¬q) : ¬p", "mt hpq hnq"),
        ("example (p q : Prop) (hpq : p → q) (hnq : ¬q) : ¬p", "fun hp => hnq (hpq hp)"),
        ("example (p : Prop) (hp : p) : p ∨ False", "Or.inl hp"),
        ("example (p : Prop) : p ↔ p", "Iff.rfl"),
        ("example (p : Prop) : p ↔ p", "Iff.refl p"),
        ("example (p : Prop) (h : p) : p", "(h : p)"),
        ("example (p : Prop) (h : p) : p", "show p from h"),
        ("example (p q : Prop) (h : p ∧ q) : q", "by exact h.2"),
    ],
)
def test_exact_terms_complete(repl: Session, statement: str, term: str) -> None:
    assert completed(repl, statement, f"exact {term}")


def test_exact_type_mismatch_is_a_tactic_failure(repl: Session) -> None:
    msg = fails(repl, "example (p q : Prop) (hp : p) : q", "exact hp")
    assert (
        msg == "Lean error:\nType mismatch\n  hp\nhas type\n  p : Prop\n"
        "but is expected to have type\n  q : Prop"
    )


def test_exact_subterm_error_is_logged_and_sorried(repl: Session) -> None:
    s = repl.state("example (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    r = repl.tac("exact ⟨hp, nope⟩", s)
    assert r["proofStatus"] == "Incomplete: contains sorry" and r["goals"] == []
    assert errors(r) == ["Unknown identifier `nope`"]
    r = repl.tac("exact ⟨hq, hp⟩", s)
    assert r["proofStatus"] == "Incomplete: contains sorry"
    assert errors(r)[0].startswith("Application type mismatch")


@pytest.mark.parametrize(
    ("statement", "term"),
    [
        ("example (p q : Prop) (h : p ∨ q) : p", "h.1"),
        ("example (p q : Prop) (h : p → q) : q", "h"),
        ("example (p q : Prop) (h : p ↔ q) (hp : p) : q", "h hp"),
        ("example (p : Prop) : p", "p"),
        ("example (p : Prop) : p", "_"),
        ("example (p q : Prop) (hq : q) : p ∨ q", "Or.inl hq"),
        ("example (p q : Prop) (hp : p) : p ∧ q", "⟨hp⟩"),
        ("example (p q : Prop) (hp : p) : p ∨ q", "⟨hp, hp⟩"),
        ("example (p q : Prop) (h : p) : q", "absurd h h"),
    ],
)
def test_wrong_terms_never_complete(repl: Session, statement: str, term: str) -> None:
    assert not completed(repl, statement, f"exact {term}")


# ------------------------------------------------------------------ apply / refine / constructor


def test_apply_tags_and_goals(repl: Session) -> None:
    st = "theorem t (p q r : Prop) (h1 : p ∧ q) (h2 : q → r) : p ∧ r"
    assert repl.goals_after(st, "apply And.intro") == [
        "case left\np q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p",
        "case right\np q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ r",
    ]
    assert repl.goals_after(st, "apply And.intro", "exact h1.1", "apply h2") == [
        "case right\np q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ q"
    ]
    st2 = "example (p q r : Prop) (h : p → q → r) (hp : p) (hq : q) : r"
    assert repl.goals_after(st2, "apply h") == [
        "case a\np q r : Prop\nh : p → q → r\nhp : p\nhq : q\n⊢ p",
        "case a\np q r : Prop\nh : p → q → r\nhp : p\nhq : q\n⊢ q",
    ]
    assert repl.goals_after(st2, "apply h hp") == [
        "p q r : Prop\nh : p → q → r\nhp : p\nhq : q\n⊢ q"
    ]
    assert completed(repl, "example (p q : Prop) (hp : p) : p ∨ q", "apply Or.inl", "exact hp")


def test_apply_with_negation_and_failure(repl: Session) -> None:
    assert completed(repl, "example (p : Prop) (hp : p) (hn : ¬p) : False", "apply hn", "exact hp")
    msg = fails(repl, "example (p q : Prop) (h : p → q) : p", "apply h")
    assert "Tactic `apply` failed: could not unify the conclusion of `h`" in msg


def test_refine_holes(repl: Session) -> None:
    st = "example (p q : Prop) (hp : p) (hq : q) : p ∧ q"
    assert repl.goals_after(st, "refine ⟨?_, hq⟩") == ["p q : Prop\nhp : p\nhq : q\n⊢ p"]
    assert repl.goals_after(st, "refine ⟨?_, ?_⟩") == [
        "case refine_1\np q : Prop\nhp : p\nhq : q\n⊢ p",
        "case refine_2\np q : Prop\nhp : p\nhq : q\n⊢ q",
    ]
    assert repl.goals_after("example (p : Prop) : p → p", "refine fun h => ?_") == [
        "p : Prop\nh : p\n⊢ p"
    ]


def test_constructor_left_right(repl: Session) -> None:
    assert repl.goals_after("example (p q : Prop) : p ↔ q", "constructor") == [
        "case mp\np q : Prop\n⊢ p → q",
        "case mpr\np q : Prop\n⊢ q → p",
    ]
    assert repl.goals_after("example (p q : Prop) : p ∨ q", "left") == ["case h\np q : Prop\n⊢ p"]
    assert repl.goals_after("example (p q : Prop) : p ∨ q", "right") == ["case h\np q : Prop\n⊢ q"]
    assert repl.goals_after("example (p q : Prop) : p ∨ q", "constructor") == [
        "case h\np q : Prop\n⊢ p"
    ]
    assert repl.goals_after(
        "example (p q r : Prop) : (p ∧ q) ∧ r", "constructor", "constructor"
    ) == [
        "case left.left\np q r : Prop\n⊢ p",
        "case left.right\np q r : Prop\n⊢ q",
        "case right\np q r : Prop\n⊢ r",
    ]
    assert completed(repl, "example : True", "constructor")
    assert "target is not an inductive datatype" in fails(
        repl, "example (p : Prop) : ¬p", "constructor"
    )
    assert "no applicable constructor" in fails(repl, "example : False", "constructor")
    assert "exactly 2 constructors" in fails(repl, "example (p q : Prop) : p ∧ q", "left")
    assert "not an inductive datatype" in fails(repl, "example (p q : Prop) : p → q", "right")


# ------------------------------------------------------------------ cases / rcases / obtain


def test_cases_or_and_and(repl: Session) -> None:
    assert repl.goals_after(OR_SWAP, "cases h") == [
        "case inl\np q : Prop\nh✝ : p\n⊢ q ∨ p",
        "case inr\np q : Prop\nh✝ : q\n⊢ q ∨ p",
    ]
    assert repl.goals_after(AND_SWAP, "cases h") == [
        "case intro\np q : Prop\nleft✝ : p\nright✝ : q\n⊢ q ∧ p"
    ]
    assert completed(
        repl, OR_SWAP, "cases h with\n| inl hp => exact Or.inr hp\n| inr hq => exact Or.inl hq"
    )
    assert completed(repl, "example (p : Prop) (h : False) : p", "cases h")
    assert "not an inductive type" in fails(repl, "example (p q : Prop) (h : p → q) : q", "cases h")


def test_rcases_and_obtain_patterns(repl: Session) -> None:
    assert repl.goals_after(OR_SWAP, "rcases h with hp | hq") == [
        "case inl\np q : Prop\nhp : p\n⊢ q ∨ p",
        "case inr\np q : Prop\nhq : q\n⊢ q ∨ p",
    ]
    st = "example (p q r : Prop) (h : p ∧ (q ∨ r)) : r ∨ q"
    assert repl.goals_after(st, "obtain ⟨hp, hq | hr⟩ := h") == [
        "case intro.inl\np q r : Prop\nhp : p\nhq : q\n⊢ r ∨ q",
        "case intro.inr\np q r : Prop\nhp : p\nhr : r\n⊢ r ∨ q",
    ]
    assert repl.goals_after(
        "example (p q r : Prop) (h : p ∧ q ∧ r) : r", "obtain ⟨_, _, hr⟩ := h"
    ) == ["case intro.intro\np q r : Prop\nleft✝¹ : p\nleft✝ : q\nhr : r\n⊢ r"]
    assert repl.goals_after("example (p q : Prop) (h : p ↔ q) : q → p", "obtain ⟨f, g⟩ := h") == [
        "case intro\np q : Prop\nf : p → q\ng : q → p\n⊢ q → p"
    ]
    assert completed(repl, "example (p : Prop) (h : False) : p", "obtain ⟨⟩ := h")
    assert completed(
        repl, "example (p q : Prop) (hp : p) : p ∨ q", "obtain h : p := hp", "exact Or.inl h"
    )


# ------------------------------------------------------------------ small tactics


def test_assumption_exfalso_contradiction_trivial(repl: Session) -> None:
    assert completed(repl, "example (p q : Prop) (hp : p) (hq : q) : p", "assumption")
    assert "Tactic `assumption` failed" in fails(
        repl, "example (p q : Prop) (hp : p) : q", "assumption"
    )
    assert repl.goals_after("example (p q : Prop) (hp : p) : q", "exfalso") == [
        "p q : Prop\nhp : p\n⊢ False"
    ]
    assert completed(repl, "example (p q : Prop) (h : False) : q", "contradiction")
    assert completed(repl, "example (p q : Prop) (hp : p) (hn : ¬p) : q", "contradiction")
    assert completed(repl, "example (p q : Prop) (hp : p) (hn : p → False) : q", "contradiction")
    assert "Tactic `contradiction` failed" in fails(
        repl, "example (p q : Prop) (hp : p) : q", "contradiction"
    )
    assert completed(repl, "example (p : Prop) (hp : p) : True ∧ p", "trivial")
    assert completed(repl, "example (p : Prop) : p ↔ p", "rfl")
    assert fails(repl, "example (p : Prop) : p", "trivial")


def test_have_and_show(repl: Session) -> None:
    st = "example (p q : Prop) (h : p ∧ q) : q"
    assert repl.goals_after(st, "have hq : q := h.2") == ["p q : Prop\nh : p ∧ q\nhq : q\n⊢ q"]
    assert repl.goals_after(st, "have := h.1") == ["p q : Prop\nh : p ∧ q\nthis : p\n⊢ q"]
    assert repl.goals_after(st, "have hq : q") == [
        "p q : Prop\nh : p ∧ q\n⊢ q",
        "p q : Prop\nh : p ∧ q\nhq : q\n⊢ q",
    ]
    assert completed(repl, st, "have hq : q := by\n    exact h.2", "exact hq")
    # a wrong value is an error, but `have` still adds the hypothesis (Lean's recovery)
    r = repl.tac("have hq : q := h.1", repl.state(st))
    assert r["goals"] == ["p q : Prop\nh : p ∧ q\nhq : q\n⊢ q"] and errors(r)[0].startswith(
        "Type mismatch"
    )
    assert repl.goals_after("example (p : Prop) : ¬p", "show p → False") == [
        "p : Prop\n⊢ p → False"
    ]
    assert "Type mismatch" in fails(repl, "example (p q : Prop) : p", "show q")


def test_sorry_tactic_and_have_by_sorry(repl: Session) -> None:
    s = repl.state("example (p q : Prop) : p")
    r = repl.tac("sorry", s)
    assert r["proofStatus"] == "Incomplete: contains sorry" and r["goals"] == []
    assert r["sorries"] == [{"proofState": s + 1, "goal": "p q : Prop\n⊢ p"}]
    r = repl.tac("have h : q := by sorry", s)
    assert r["sorries"][0]["goal"] == "p q : Prop\n⊢ q"
    assert (
        r["goals"] == ["p q : Prop\nh : q\n⊢ p"]
        and r["proofStatus"] == "Incomplete: open goals remain"
    )


def test_by_cases_and_by_contra(repl: Session) -> None:
    assert repl.goals_after("example (p q : Prop) : q ∨ ¬q", "by_cases h : q") == [
        "case pos\np q : Prop\nh : q\n⊢ q ∨ ¬q",
        "case neg\np q : Prop\nh : ¬q\n⊢ q ∨ ¬q",
    ]
    assert repl.goals_after("example (p : Prop) : p", "by_contra h") == [
        "p : Prop\nh : ¬p\n⊢ False"
    ]
    # on a negated goal `by_contra` is `intro` (no classical axiom)
    assert repl.goals_after("example (p : Prop) : ¬p", "by_contra h") == [
        "p : Prop\nh : p\n⊢ False"
    ]
    assert completed(repl, "example (p : Prop) : ¬¬p → p", "intro h", "by_contra hn", "exact h hn")


def test_clear_revert_specialize(repl: Session) -> None:
    st = "example (p q : Prop) (hp : p) (h : p → q) : q"
    assert repl.goals_after(st, "revert hp") == ["p q : Prop\nh : p → q\n⊢ p → q"]
    assert repl.goals_after(st, "clear hp") == ["p q : Prop\nh : p → q\n⊢ q"]
    assert repl.goals_after(st, "specialize h hp") == ["p q : Prop\nhp : p\nh : q\n⊢ q"]
    assert fails(repl, st, "clear nope")


# ------------------------------------------------------------------ combinators and blocks


def test_combinators(repl: Session) -> None:
    st = "example (p q : Prop) (hp : p) (hq : q) : p ∧ q"
    assert completed(repl, st, "constructor <;> assumption")
    assert completed(repl, st, "constructor", "all_goals assumption")
    assert completed(repl, st, "constructor", "any_goals exact hp", "exact hq")
    assert completed(repl, st, "first | exact hp | exact ⟨hp, hq⟩")
    assert completed(repl, st, "try exact hp", "exact ⟨hp, hq⟩")
    # `repeat` works on the main goal only (Lean: `first | (t; repeat t) | skip`)
    assert repl.goals_after("example (p : Prop) (hp : p) : p ∧ p ∧ p", "repeat constructor") == [
        "case left\np : Prop\nhp : p\n⊢ p",
        "case right\np : Prop\nhp : p\n⊢ p ∧ p",
    ]
    assert completed(
        repl,
        "example (p : Prop) (hp : p) : p ∧ p ∧ p",
        "repeat (any_goals constructor)",
        "all_goals exact hp",
    )
    assert completed(repl, st, "constructor\n· exact hp\n· exact hq")
    assert completed(repl, st, "constructor\ncase right => exact hq\ncase left => exact hp")
    assert completed(repl, st, "constructor\nnext => exact hp\nnext => exact hq")
    assert completed(repl, st, "(constructor; exact hp); exact hq")
    assert completed(repl, st, "constructor; { exact hp }; { exact hq }")


def test_bullet_with_unsolved_goal_is_an_error_but_continues(repl: Session) -> None:
    r = repl.tac(
        "constructor\n· skip\n· exact hq",
        repl.state("example (p q : Prop) (hp : p) (hq : q) : p ∧ q"),
    )
    assert r["proofStatus"] == "Incomplete: contains sorry" and r["goals"] == []
    assert errors(r) == ["unsolved goals\ncase left\np q : Prop\nhp : p\nhq : q\n⊢ p"]


@pytest.mark.parametrize(
    "tactic", ["simp", "tauto", "decide", "omega", "exact?", "aesop", "norm_num", "rw [h]"]
)
def test_unsupported_tactics_are_parse_errors(repl: Session, tactic: str) -> None:
    r = repl.tac(tactic, repl.state("example (p : Prop) (h : p) : p"))
    assert r == {"message": "Lean error:\n<input>:1:1: unknown tactic"}


def test_no_goals_error(repl: Session) -> None:
    msg = fails(repl, "example (p : Prop) (h : p) : p", "exact h\nexact h")
    assert msg == "Lean error:\nNo goals to be solved"


def test_completed_requires_the_whole_proof(repl: Session) -> None:
    s = repl.state("example (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    r = repl.tac("constructor", s)
    r1 = repl.tac("exact hp", r["proofState"])
    assert r1["proofStatus"] == "Incomplete: open goals remain"
    r2 = repl.tac("sorry", r1["proofState"])
    assert r2["proofStatus"] == "Incomplete: contains sorry" and r2["goals"] == []
    r3 = repl.tac("exact hq", r1["proofState"])
    assert r3["proofStatus"] == "Completed"
