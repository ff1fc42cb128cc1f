import pytest

from prover_core.lean.decl import declarations, find_assign, offset_of
from prover_core.lean.goal_at import make_probe, split_imports

FILE = """import Mathlib
open Nat

-- a comment with theorem fake : x := y
theorem foo (p q : Prop) (h : p ∧ q) : q ∧ p := by
  constructor
  · exact h.2
  · exact h.1

/-- doc with := inside -/
lemma bar {α : Type} (f : α → α) (hf : ∀ x, f x = x := by simp) : f = id := by
  funext x
  exact hf x

example : True := trivial
"""


def test_declarations_found_with_heads_and_proofs() -> None:
    ds = declarations(FILE)
    assert [(d.keyword, d.name) for d in ds] == [
        ("theorem", "foo"),
        ("lemma", "bar"),
        ("example", None),
    ]
    assert ds[0].head == "theorem foo (p q : Prop) (h : p ∧ q) : q ∧ p"
    assert ds[0].proof.startswith("by\n  constructor") and ds[0].proof.endswith("exact h.1")
    # the `:=` inside the binder's default value is skipped
    assert ds[1].head.endswith(": f = id")
    assert ds[2].proof == "trivial"
    assert ds[2].with_name("t") == "theorem t : True"


def test_find_assign_skips_comments_strings_and_brackets() -> None:
    text = 'theorem x (h : a := b) /- := -/ -- :=\n : "a := b" = s := rfl'
    i = find_assign(text, 0)
    assert i is not None and text[i:] == ":= rfl"


def test_offset_of_rejects_outside_positions() -> None:
    assert offset_of("ab\ncd", 1, 1) == 4
    with pytest.raises(ValueError):
        offset_of("ab\ncd", 5, 0)
    with pytest.raises(ValueError):
        offset_of("ab\ncd", 0, 9)


def test_split_imports() -> None:
    imports, rest = split_imports(FILE)
    assert imports == "import Mathlib\n"
    assert rest.startswith("open Nat")


def test_probe_on_an_empty_line_inside_by() -> None:
    text = "theorem t (p : Prop) (hp : p) : p ∧ p := by\n  constructor\n  \n  exact hp\n"
    probe = make_probe(text, 2, 2)
    assert probe is not None
    assert probe.source == "theorem t (p : Prop) (hp : p) : p ∧ p := by\n  constructor\n  skip"
    assert (probe.line, probe.column) == (3, 2)
    assert probe.typed == ""
    assert probe.decl.name == "t"


def test_probe_on_a_partly_typed_tactic_starts_before_it() -> None:
    text = "theorem t (p : Prop) (hp : p) : p := by\n  exa"
    probe = make_probe(text, 1, 5)
    assert probe is not None
    assert probe.source.endswith("by\n  skip")
    assert probe.typed == "exa"


def test_probe_on_the_by_line() -> None:
    text = "theorem t (p : Prop) (hp : p) : p := by "
    probe = make_probe(text, 0, len(text))
    assert probe is not None and probe.source.endswith(":= by skip")


def test_no_probe_outside_tactic_blocks() -> None:
    text = "theorem t : True := trivial\n\ndef x := 1\n"
    assert make_probe(text, 0, 5) is None
    assert make_probe(text, 0, 25) is None
    assert make_probe(text, 2, 0) is None
