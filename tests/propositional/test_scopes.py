"""Stand-in: `namespace`/`section`/`end`, full names and duplicate declarations, as Lean."""

from __future__ import annotations

from pathlib import Path

from .conftest import Session, errors, proves

ID = "(p : Prop) (hp : p) : p"


def test_the_scope_carries_across_commands_and_pickles(repl: Session, tmp_path: Path) -> None:
    e1 = repl.cmd("namespace A")["env"]
    r = repl.cmd(f"theorem foo {ID} := hp", env=e1)
    assert proves(r)
    r2 = repl.cmd("#check @foo\n#check @A.foo\nend A\n#check @A.foo", env=r["env"])
    assert [m["data"] for m in r2["messages"]] == ["@A.foo : ∀ (p : Prop), p → p"] * 3
    assert errors(repl.cmd("#check @foo", env=r2["env"])) == ["Unknown identifier `foo`"]
    pickled = tmp_path / "env.olean"
    repl.repl.handle({"pickleTo": str(pickled), "env": r["env"]})
    fresh = Session()
    env = fresh.repl.handle({"unpickleEnvFrom": str(pickled)})["env"]
    assert proves(fresh.cmd(f"theorem bar {ID} := foo p hp\n#check @A.bar", env=env))


def test_the_innermost_namespace_wins_and_root_is_reachable(repl: Session) -> None:
    src = (
        f"theorem foo (p q : Prop) (hp : p) (hq : q) : p := hp\n"
        f"namespace A\ntheorem foo {ID} := hp\n"
        f"theorem uses {ID} := foo p hp\n"
        f"theorem root (p : Prop) (hp : p) : p := _root_.foo p p hp hp\n"
        f"theorem _root_.top {ID} := hp\n"
        f"theorem B.bar {ID} := foo p hp\n"
        "end A\n#check @top\n#check @A.B.bar\n#print axioms A.uses\n"
    )
    r = repl.cmd(src)
    assert proves(r), r
    assert [m["data"] for m in r["messages"]] == [
        "@top : ∀ (p : Prop), p → p",
        "@A.B.bar : ∀ (p : Prop), p → p",
        "'A.uses' does not depend on any axioms",
    ]


def test_a_duplicate_full_name_is_an_error_a_different_one_is_not(repl: Session) -> None:
    src = (
        f"theorem foo {ID} := hp\nnamespace A\ntheorem foo {ID} := hp\nend A\n"
        f"theorem A.foo {ID} := hp\nsection\ntheorem foo {ID} := hp\nend\n"
    )
    assert errors(repl.cmd(src)) == [
        "'A.foo' has already been declared",
        "'foo' has already been declared",
    ]


def test_bad_ends_are_lean_errors(repl: Session) -> None:
    assert errors(repl.cmd("end")) == ["invalid 'end', insufficient scopes"]
    assert errors(repl.cmd("namespace A\nend")) == ["invalid 'end', name is missing (expected A)"]
    assert errors(repl.cmd("section S\nend T")) == ["invalid 'end', name mismatch (expected S)"]
    assert errors(repl.cmd("namespace A.B\nend A.B\nsection\nend")) == []


def test_a_protected_theorem_needs_its_namespace(repl: Session) -> None:
    src = f"namespace A\nprotected theorem foo {ID} := hp\nprivate theorem bar {ID} := hp\n"
    r = repl.cmd(src + "#check @foo\n#check @A.foo\n#check @bar\nend A")
    assert [m["data"] for m in r["messages"]] == [
        "Unknown identifier `foo`",
        "@A.foo : ∀ (p : Prop), p → p",
        "@A.bar : ∀ (p : Prop), p → p",
    ]
