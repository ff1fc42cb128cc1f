"""Command mode: declarations, sorries, errors with positions, environments, axioms, files,
pickles, allTactics, rootGoals."""

from __future__ import annotations

from pathlib import Path

from .conftest import Session, errors, proves


def pos(line: int, column: int) -> dict[str, int]:
    return {"line": line, "column": column}


def axioms_of(repl: Session, decl: str, name: str) -> str:
    r = repl.cmd(f"{decl}\n#print axioms {name}")
    return str(r["messages"][-1]["data"])


def test_sorry_entries_and_warning(repl: Session) -> None:
    src = "theorem foo (p q : Prop) (h : p ∧ q) : q ∧ p := by sorry"
    at = src.index("sorry")
    r = repl.cmd(src)
    assert r == {
        "sorries": [
            {
                "proofState": 0,
                "pos": pos(1, at),
                "goal": "p q : Prop\nh : p ∧ q\n⊢ q ∧ p",
                "endPos": pos(1, at + 5),
            }
        ],
        "messages": [
            {
                "severity": "warning",
                "pos": pos(1, 8),
                "endPos": pos(1, 11),
                "data": "declaration uses `sorry`",
            }
        ],
        "env": 0,
    }
    r = repl.cmd("example {p : Prop} : p := sorry")
    assert r["sorries"][0]["goal"] == "p : Prop\n⊢ p"
    assert r["messages"][0]["pos"] == pos(1, 0) and r["messages"][0]["endPos"] == pos(1, 7)


def test_unsolved_goals_after_nested_sorry(repl: Session) -> None:
    r = repl.cmd("theorem foo (p : Prop) : p ∨ p := by\n  have h : p := by sorry")
    assert r["sorries"] == [
        {"proofState": 0, "pos": pos(2, 19), "goal": "p : Prop\n⊢ p", "endPos": pos(2, 24)}
    ]
    assert r["messages"] == [
        {
            "severity": "error",
            "pos": pos(1, 34),
            "endPos": pos(2, 24),
            "data": "unsolved goals\np : Prop\nh : p\n⊢ p ∨ p",
        }
    ]


def test_empty_and_dedented_tactic_blocks(repl: Session) -> None:
    r = repl.cmd("example : True := by")
    assert r["messages"] == [
        {
            "severity": "error",
            "pos": pos(1, 18),
            "endPos": pos(1, 20),
            "data": "unsolved goals\n⊢ True",
        }
    ]
    r = repl.cmd("theorem foo : True := by\nsorry")
    assert [(m["pos"], m["data"]) for m in r["messages"]] == [
        (pos(1, 22), "unsolved goals\n⊢ True"),
        (pos(2, 0), "unexpected token 'sorry'; expected command"),
    ]
    r = repl.cmd("theorem foo : True := by\n  sorry")
    assert r["sorries"][0]["pos"] == pos(2, 2)


def test_no_goals_left_error(repl: Session) -> None:
    r = repl.cmd("example : True := by\n  sorry\n  sorry")
    assert len(r["sorries"]) == 1
    assert r["messages"] == [
        {
            "severity": "error",
            "pos": pos(3, 2),
            "endPos": pos(3, 7),
            "data": "No goals to be solved",
        }
    ]


def test_errors_have_positions_and_still_give_an_env(repl: Session) -> None:
    r = repl.cmd("theorem t (p q : Prop) (hp : p) : q := hp")
    assert r["messages"][0]["pos"] == pos(1, 39) and r["messages"][0]["endPos"] == pos(1, 41)
    assert r["messages"][0]["data"].startswith("Type mismatch") and r["env"] == 0
    r = repl.cmd("theorem t (p : Prop) : p := by\n  exact foo")
    assert r["messages"][0] == {
        "severity": "error",
        "pos": pos(2, 8),
        "endPos": pos(2, 11),
        "data": "Unknown identifier `foo`",
    }
    # a failing tactic stops its block: no "unsolved goals" on top of its error
    r = repl.cmd(
        "theorem t (p q : Prop) (hp : p) : p ∧ q := by\n  constructor\n  exact foo\n  apply hp"
    )
    assert errors(r) == ["Unknown identifier `foo`", errors(r)[1]] and "apply" in errors(r)[1]


def test_bullets_recover_and_continue(repl: Session) -> None:
    r = repl.cmd(
        "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n"
        "  constructor\n  · exact hq\n  · exact hq"
    )
    assert len(errors(r)) == 1 and errors(r)[0].startswith("Type mismatch")
    r = repl.cmd(
        "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n"
        "  constructor\n  · skip\n  · exact hq"
    )
    assert r["messages"][0]["pos"] == pos(3, 2) and r["messages"][0]["endPos"] == pos(3, 3)
    assert r["messages"][0]["data"] == "unsolved goals\ncase left\np q : Prop\nhp : p\nhq : q\n⊢ p"


def test_env_chaining_and_use_of_earlier_theorems(repl: Session) -> None:
    r = repl.cmd("theorem swap {p q : Prop} (h : p ∧ q) : q ∧ p := ⟨h.2, h.1⟩")
    assert proves(r)
    e = r["env"]
    assert proves(repl.cmd("example (a b : Prop) (h : a ∧ b) : b ∧ a := swap h", env=e))
    assert proves(
        repl.cmd("example (a b : Prop) (h : a ∧ b) : b ∧ a := by\n  apply swap\n  exact h", env=e)
    )
    assert proves(repl.cmd("theorem t2 (a b : Prop) (h : a ∧ b) : a ∧ b := swap (swap h)", env=e))
    assert errors(repl.cmd("example (a b : Prop) (h : a ∧ b) : b ∧ a := swap h")) == [
        "Unknown identifier `swap`"
    ]
    assert errors(repl.cmd("theorem swap (p : Prop) : p → p := id", env=e)) == [
        "'swap' has already been declared"
    ]
    assert errors(repl.cmd("theorem id (p : Prop) : p → p := fun h => h")) == [
        "'id' has already been declared"
    ]


def test_theorem_is_not_in_scope_in_its_own_proof(repl: Session) -> None:
    r = repl.cmd("theorem ex : False := by exact ex\n#print axioms ex")
    assert errors(r) == ["Unknown identifier `ex`"]
    assert r["messages"][-1]["data"] == "'ex' depends on axioms: [sorryAx]"


def test_print_axioms(repl: Session) -> None:
    assert (
        axioms_of(repl, "theorem a (p : Prop) (h : p) : p := h", "a")
        == "'a' does not depend on any axioms"
    )
    classical = "theorem b (p : Prop) : p ∨ ¬p := by\n  by_cases h : p\n"
    classical += "  · exact Or.inl h\n  · exact Or.inr h"
    assert (
        axioms_of(repl, classical, "b")
        == "'b' depends on axioms: [propext, Classical.choice, Quot.sound]"
    )
    by_contra = "theorem c (p : Prop) : ¬¬p → p := by\n  intro h\n  by_contra hn\n  exact h hn"
    assert (
        axioms_of(repl, by_contra, "c")
        == "'c' depends on axioms: [propext, Classical.choice, Quot.sound]"
    )
    assert (
        axioms_of(repl, "theorem d (p : Prop) : p := sorry", "d")
        == "'d' depends on axioms: [sorryAx]"
    )
    mixed = "theorem e (p q : Prop) : (p ∨ ¬p) ∧ q := ⟨Classical.em p, sorry⟩"
    assert (
        axioms_of(repl, mixed, "e")
        == "'e' depends on axioms: [propext, sorryAx, Classical.choice, Quot.sound]"
    )
    r = repl.cmd(
        "theorem f (p : Prop) (h : p) : p := h\ntheorem g (p : Prop) (h : p) : p ∧ p := ⟨f p h, h⟩"
    )
    e = r["env"]
    assert (
        repl.cmd("#print axioms g", env=e)["messages"][0]["data"]
        == "'g' does not depend on any axioms"
    )
    assert (
        repl.cmd("#print axioms And.intro")["messages"][0]["data"]
        == "'And.intro' does not depend on any axioms"
    )
    r = repl.cmd("#print axioms nope")
    assert r["messages"][0]["severity"] == "error" and r["messages"][0]["pos"] == pos(1, 14)


def test_imports_and_header_commands(repl: Session) -> None:
    header = (
        "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\n"
        "open BigOperators Real Nat Topology Rat\n\n"
    )
    r = repl.cmd(header + "theorem t (p : Prop) (h : p) : p := h")
    assert proves(r)
    r2 = repl.cmd("import Mathlib", env=r["env"])
    assert errors(r2) == ["invalid 'import' command, it must be used in the beginning of the file"]
    assert errors(repl.cmd("theorem t (p : Prop) (h : p) : p := h\nimport Mathlib"))
    assert errors(repl.cmd("def f := 1"))


def test_parse_errors_recover_at_next_command(repl: Session) -> None:
    r = repl.cmd(
        "theorem a (p : Prop) (h : p) : p := by\n  exact (h\n"
        "theorem b (p : Prop) (h : p) : p := h\n#print axioms b"
    )
    assert errors(r) == ["unexpected token 'theorem'; expected ')'"]
    assert r["messages"][-1]["data"] == "'b' does not depend on any axioms"
    r = repl.cmd("example (p : Prop) (h : p) : p := by\n  rw [h]")
    assert errors(r) == ["unknown tactic"]
    assert not any(m["severity"] == "warning" for m in r["messages"])


def test_all_tactics_and_root_goals(repl: Session) -> None:
    r = repl.cmd(
        "example (P : Prop) (hp : P) : P ∧ P := by\n  constructor\n  · exact hp\n  · exact hp",
        allTactics=True,
    )
    tactics = r["tactics"]
    assert [t["tactic"] for t in tactics] == ["constructor", "exact hp", "exact hp"]
    assert tactics[0] == {
        "tactic": "constructor",
        "proofState": 0,
        "pos": pos(2, 2),
        "goals": "P : Prop\nhp : P\n⊢ P ∧ P",
        "endPos": pos(2, 13),
        "usedConstants": ["And.intro"],
    }
    assert tactics[1]["goals"] == "case left\nP : Prop\nhp : P\n⊢ P"
    # a recorded state resumes the proof from where the tactic started
    s = tactics[2]["proofState"]
    assert repl.tac("exact hp", s)["proofStatus"] == "Completed"
    r = repl.cmd("example : True := by\n  skip\n  trivial", rootGoals=True)
    assert r["sorries"] == [
        {"proofState": 4, "pos": pos(1, 18), "goal": "⊢ True", "endPos": pos(1, 18)}
    ]
    assert repl.tac("trivial", 4)["proofStatus"] == "Completed"


def test_file_mode(repl: Session, tmp_path: Path) -> None:
    f = tmp_path / "file.lean"
    f.write_text(
        "theorem h (p q : Prop) (hp : p) : p ∨ q := by\n  exact Or.inl hp\n", encoding="utf-8"
    )
    r = repl.repl.handle({"path": str(f), "allTactics": True})
    assert r["tactics"][0]["tactic"] == "exact Or.inl hp" and r["tactics"][0]["usedConstants"] == [
        "Or.inl"
    ]
    assert "message" in repl.repl.handle({"path": str(tmp_path / "missing.lean")})


def test_pickling_round_trip(repl: Session, tmp_path: Path) -> None:
    r = repl.cmd("theorem t (p : Prop) (h : p) : p := h")
    env_file, state_file = tmp_path / "env.olean", tmp_path / "state.olean"
    assert repl.repl.handle({"pickleTo": str(env_file), "env": r["env"]}) == {"env": r["env"]}
    s = repl.state("example (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    s2 = repl.tac("constructor", s)["proofState"]
    out = repl.repl.handle({"pickleTo": str(state_file), "proofState": s2})
    assert out["proofState"] == s2 + 1 and len(out["goals"]) == 2
    fresh = Session()  # as a restarted process
    e = fresh.repl.handle({"unpickleEnvFrom": str(env_file)})["env"]
    assert proves(fresh.cmd("example (q : Prop) (h : q) : q := t q h", env=e))
    st = fresh.repl.handle({"unpickleProofStateFrom": str(state_file)})
    assert st["proofStatus"] == "Incomplete: open goals remain"
    st2 = fresh.tac("exact hp", st["proofState"])
    assert fresh.tac("exact hq", st2["proofState"])["proofStatus"] == "Completed"
    bad = tmp_path / "bad.olean"
    bad.write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    assert "message" in fresh.repl.handle({"unpickleEnvFrom": str(bad)})


def test_long_goals_wrap_like_lean(repl: Session) -> None:
    a = " ∧ ".join(f"(p{i} ∨ q{i} → r{i})" for i in range(8))
    names = " ".join(f"p{i} q{i} r{i}" for i in range(8))
    r = repl.cmd(f"example ({names} : Prop) (h : {a}) : {a} ↔ {a} := sorry")
    goal = r["sorries"][0]["goal"]
    rest = a.split(" ∧ ", 1)[1]
    tail = rest.split(" ∧ ", 1)[1]
    assert goal.split("\n")[1:] == [
        "h :",
        "  (p0 ∨ q0 → r0) ∧",
        "    " + rest,
        "⊢ (p0 ∨ q0 → r0) ∧",
        "      (p1 ∨ q1 → r1) ∧",
        "        " + tail + " ↔",
        "    (p0 ∨ q0 → r0) ∧",
        "      (p1 ∨ q1 → r1) ∧",
        "        " + tail,
    ]
    assert all(len(line) <= 120 for line in goal.split("\n")[1:])


def test_deep_nesting_is_an_answer_not_a_crash(repl: Session) -> None:
    deep = " → ".join(["p"] * 2000)
    r = repl.cmd(f"example (p : Prop) : {deep} := by\n  intros\n  assumption")
    assert set(r) == {"message"} or "env" in r
    r = repl.cmd("example (p : Prop) (h : p) : " + "(" * 3000 + "p" + ")" * 3000 + " := h")
    assert set(r) == {"message"} or "env" in r
