"""Declarations located on Lean tokens and named as Lean names them (issue #14)."""

from __future__ import annotations

import pytest

from prover_core.lean.decl import (
    DeclarationLookupError,
    declaration_at,
    declarations,
    find_declaration,
    resolve,
)
from prover_core.lean.outline import outline
from prover_core.placement import find_target
from prover_core.types import Refusal

COMMENTED = """/- old attempt
theorem foo (p : Prop) (hp : p) : p := hp
-/
-- theorem bar (p : Prop) : p := by simp
theorem foo (p : Prop) : p := by sorry
"""

NESTED = """import Mathlib
/-! Module doc: theorem ghost : True := trivial -/

namespace A
/-- `theorem hidden : x := y` in a doc comment -/
@[simp] private theorem foo (p : Prop) (hp : p) : p := hp

namespace B
protected theorem foo (p : Prop) (hp : p) : p := hp
theorem «weird name» : True := trivial
theorem _root_.top : True := trivial
def s : String := "theorem inString : True := trivial"
end B

section
theorem inSection : True := trivial
end
end A

theorem foo (p : Prop) : p := by
  sorry
"""


def names(text: str) -> list[str | None]:
    return [d.name for d in declarations(text)]


def test_comments_are_not_declarations() -> None:
    [d] = declarations(COMMENTED)
    assert d.name == "foo" and d.proof == "by sorry"
    assert COMMENTED[d.start :].startswith("theorem foo (p : Prop) : p")


def test_a_theorem_only_in_a_comment_is_not_found() -> None:
    with pytest.raises(DeclarationLookupError, match="no theorem named 'bar'") as e:
        resolve(COMMENTED, "bar")
    assert e.value.reason == "missing"
    assert find_declaration(COMMENTED, "bar") is None


def test_full_names_follow_namespaces_and_sections() -> None:
    assert names(NESTED) == [
        "A.foo",
        "A.B.foo",
        "A.B.«weird name»",
        "top",
        "A.inSection",
        "foo",
    ]
    assert resolve(NESTED, "foo").proof == "by\n  sorry"
    assert resolve(NESTED, "A.B.foo").modifiers == ("protected",)
    assert resolve(NESTED, "A.B.«weird name»").name == "A.B.«weird name»"
    assert resolve(NESTED, "_root_.top").name == "top"


def test_the_last_component_alone_finds_nothing_and_names_the_candidates() -> None:
    text = "theorem Other.foo (p : Prop) (hp : p) : p := hp\n"
    with pytest.raises(DeclarationLookupError) as e:
        resolve(text, "foo")
    assert e.value.candidates == ("Other.foo",)
    assert "Other.foo" in str(e.value)
    assert resolve(text, "Other.foo").proof == "hp"


def test_a_def_or_an_equation_theorem_is_named_as_such() -> None:
    text = "def d : Nat := 1\ntheorem e : ∀ n : Nat, n = n\n  | 0 => rfl\n  | _ => rfl\n"
    for name, line in (("d", 1), ("e", 2)):
        with pytest.raises(DeclarationLookupError, match=f"line {line}.*not a theorem with"):
            resolve(text, name)
        assert find_declaration(text, name) is None


def test_a_name_declared_twice_is_ambiguous() -> None:
    text = "theorem foo : True := trivial\n\ntheorem foo : True := by sorry\n"
    with pytest.raises(DeclarationLookupError, match=r"more than once \(lines 1, 3\)") as e:
        resolve(text, "foo")
    assert e.value.reason == "ambiguous"
    with pytest.raises(DeclarationLookupError):
        find_declaration(text, "foo")
    assert isinstance(find_target(text, "foo", None, None), Refusal)


def test_a_def_and_a_theorem_of_the_same_name_are_ambiguous() -> None:
    text = "namespace N\ndef x : Nat := 1\nend N\ntheorem N.x : True := trivial\n"
    with pytest.raises(DeclarationLookupError, match="more than once"):
        resolve(text, "N.x")


def test_start_takes_doc_comment_attributes_modifiers_and_in_prefixes() -> None:
    text = (
        "theorem a : True := trivial -- done\n"
        "/-- doc -/\n@[simp] private theorem b : True := trivial\n"
        "set_option maxHeartbeats 0 in\nopen Nat in\ntheorem c : True := by\n"
        "  set_option x 1 in\n  open Nat in\n  trivial\n"
    )
    a, b, c = declarations(text)
    assert text[a.start : a.end] == "theorem a : True := trivial -- done\n"
    assert a.proof == "trivial"  # trailing comments are not part of the proof
    assert b.head == "/-- doc -/\n@[simp] private theorem b : True"
    assert c.head.startswith("set_option maxHeartbeats 0 in\nopen Nat in\ntheorem c")
    assert c.proof.endswith("open Nat in\n  trivial")  # tactic-level `… in` stays inside
    assert b.with_name("t") == "/-- doc -/\n@[simp] private theorem t : True"


def test_attribute_lists_and_fields_do_not_start_commands() -> None:
    text = (
        "@[instance, simp] theorem a : True := trivial\n"
        "attribute [local instance] a\n"
        "deriving instance Repr for Foo\n"
        "theorem b : True := by exact (x).end\n"
    )
    assert names(text) == ["a", "b"]
    assert declarations(text)[1].proof == "by exact (x).end"


def test_modifier_words_inside_a_proof_do_not_start_commands() -> None:
    text = (
        "theorem a : True := by\n  aesop (add unsafe apply h) (add safe partial x)\n"
        "noncomputable section\nprivate unsafe def b : Nat := 1\n"
    )
    [a] = declarations(text)
    assert a.proof == "by\n  aesop (add unsafe apply h) (add safe partial x)"


def test_an_unclosed_attribute_list_ends_at_the_next_command() -> None:
    text = "@[simp\ntheorem a : True := trivial\n@[simp] theorem «fun» : True := trivial\n"
    assert names(text) == ["a", "«fun»"]


def test_strings_and_char_literals_hide_keywords() -> None:
    text = "theorem a : \"theorem x : y := z\" = s := rfl\ntheorem b : 't' = c := rfl\n"
    assert names(text) == ["a", "b"]
    assert declarations(text)[0].proof == "rfl"


def test_a_bom_does_not_hide_the_first_theorem() -> None:
    assert names("\ufefftheorem foo : True := trivial\n") == ["foo"]


def test_mutual_blocks_close_with_end() -> None:
    text = "namespace A\nmutual\ntheorem x : True := trivial\nend\ntheorem y : True := trivial\n"
    assert names(text) == ["A.x", "A.y"]


def test_not_a_name_is_refused() -> None:
    with pytest.raises(DeclarationLookupError, match="not a Lean name"):
        resolve(NESTED, "foo bar")


def test_declaration_at_and_targets_never_point_into_comments() -> None:
    offset = COMMENTED.index("hp\n-/")
    assert declaration_at(COMMENTED, offset) is None
    t = find_target(COMMENTED, "foo", None, None)
    assert not isinstance(t, Refusal)
    assert t.sorry_start == COMMENTED.rindex("sorry")
    line = COMMENTED.count("\n", 0, COMMENTED.index("theorem bar"))
    assert find_target(COMMENTED, None, line, 10) == Refusal(
        "no_theorem", "the position is not inside a theorem"
    )


def test_a_sorry_in_a_comment_is_not_a_target() -> None:
    text = "theorem t : True := by\n  -- sorry\n  trivial\n"
    assert find_target(text, "t", None, None) == Refusal("no_sorry", "t has no sorry to prove")


TYPO_AFTER = """theorem ok (p q : Prop) (h₀ : p) : q ∨ p := by
  sorry
-- the user is typing the next theorem
theorm typo (p : Prop) : p := by
  sorry
"""


def test_text_in_no_command_after_a_tactic_block_is_not_part_of_the_proof() -> None:
    decl = resolve(TYPO_AFTER, "ok")
    assert decl.proof == "by\n  sorry"
    assert TYPO_AFTER[decl.end :].startswith("theorm typo")
    assert [d.name for d in declarations(TYPO_AFTER)] == ["ok"]
    half_typed = TYPO_AFTER.replace("theorm typo (p : Prop) : p := by\n  sorry\n", "theo")
    assert resolve(half_typed, "ok").proof == "by\n  sorry"


@pytest.mark.parametrize(
    "text",
    [
        # auxiliary definitions
        "theorem t : p := by\n  exact aux\nwhere\n  aux : p := by\n    trivial\n",
        # termination and decreasing proofs at column 0
        "def f (n : Nat) : Nat := by\n  exact n\ntermination_by n\ndecreasing_by\n  omega\n",
        # match alternatives at column 0
        "theorem t : ∀ n : Nat, n = n\n| 0 => by rfl\n| n + 1 => by rfl\n",
        # a structure instance closed at column 0
        "instance i : Foo := {\n  x := by simp\n}\n",
        # term-mode lines at column 0 before any `by`, and inside brackets after one
        "theorem t : p ∧ q :=\n⟨by simp,\nby simp⟩\n",
    ],
)
def test_column_zero_continuations_stay_in_the_declaration(text: str) -> None:
    [cmd] = outline(text).commands
    assert (cmd.body_end, cmd.end) == (len(text) - 1, len(text))
