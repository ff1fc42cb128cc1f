"""Fuzz: declaration lookup (`prover_core.lean.decl`) agrees with the stand-in's own
elaboration on files with comments, doc comments, strings in comments, namespaces,
sections and duplicate names (issue #14)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prover_core.lean.decl import DeclarationLookupError, declarations, resolve
from prover_core.propositional.commands import run_commands
from prover_core.propositional.state import Env

WRITTEN = ["foo", "bar", "A.foo", "B.bar", "_root_.foo", "_root_.baz"]
SPACES = ["A", "B", "A.B"]
PROOFS = [" := hp\n", " := by\n  exact hp\n", " := by\n  -- theorem foo : p := hp\n  exact hp\n"]
STATEMENT = " (p : Prop) (hp : p) : p"


def theorem(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(WRITTEN))
    kw = draw(st.sampled_from(["theorem", "lemma", "protected theorem", "private lemma"]))
    return f"{kw} {name}{STATEMENT}{draw(st.sampled_from(PROOFS))}"


def noise(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(WRITTEN))
    return draw(
        st.sampled_from(
            [
                f"-- theorem {name}{STATEMENT} := hp\n",
                f'/- theorem {name} : p := "x := y" /- nested -/ hp -/\n',
                f'/-- doc: theorem {name} := "s" -/\n',  # a doc comment before what follows
                f"/-! module doc: namespace {name} -/\n",
                "\n",
            ]
        )
    )


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["theorem", "noise", "namespace", "section"][: 4 - depth // 2]))
        if kind == "theorem":
            out.append(theorem(draw))
        elif kind == "noise":
            out.append(noise(draw) + theorem(draw))
        elif kind == "namespace":
            ns = draw(st.sampled_from(SPACES))
            out.append(f"namespace {ns}\n{draw(block(depth + 1))}end {ns}\n")
        else:
            name = draw(st.sampled_from(["", " S"]))
            out.append(f"section{name}\n{draw(block(depth + 1))}end{name}\n")
    return "".join(out)


def check_ok(env: Env, name: str) -> bool:
    out = run_commands(env, f"#check @{name}")
    return not any(m.severity == "error" for m in out.messages)


@settings(max_examples=150, deadline=None)
@given(block())
def test_lookup_agrees_with_the_standin(text: str) -> None:
    out = run_commands(Env(), text)
    declared = Counter(d.name for d in declarations(text))
    # every name the stand-in declared is found, and nothing else
    assert set(declared) == set(out.env.theorems)
    duplicates = {m.text for m in out.messages if "has already been declared" in m.text}
    assert duplicates == {f"'{n}' has already been declared" for n, k in declared.items() if k > 1}
    assert [m for m in out.messages if m.severity == "error" and m.text not in duplicates] == []
    for name, count in declared.items():
        assert name is not None and check_ok(out.env, name)
        if count > 1:
            with pytest.raises(DeclarationLookupError, match="more than once"):
                resolve(text, name)
            continue
        d = resolve(text, name)
        # the extents are whole commands: the file before it, then the declaration alone
        before = run_commands(Env(), text[: d.start])
        alone = run_commands(before.env, f"{d.head} :={d.proof and ' '}{d.proof}")
        assert {m.text for m in before.messages if m.severity == "error"} <= duplicates
        assert not [m for m in alone.messages if m.severity == "error"]
        assert set(alone.env.theorems) - set(before.env.theorems) == {name}
    # a name the file does not declare is found by neither
    for name in ("foo", "bar", "baz", "A.foo", "B.bar", "A.B.foo", "A.A.foo", "B.foo"):
        if name not in declared:
            assert not check_ok(out.env, name)
            with pytest.raises(DeclarationLookupError, match="no theorem named"):
                resolve(text, name)
