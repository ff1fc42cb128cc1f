"""The verifier checks the real declaration, by its full name, after the whole file before it
(issue #14), on the stand-in REPL."""

from __future__ import annotations

import pytest

from prover_core.lean.decl import declarations, resolve
from prover_core.lean.verify import Verdict, verify_proof
from tests.support.standin import standin_config


async def verify(text: str, name: str) -> Verdict:
    d = resolve(text, name)
    return await verify_proof(standin_config(), text[: d.start], d.head, d.proof)


async def test_a_commented_out_old_attempt_is_not_what_gets_verified() -> None:
    text = (
        "/- theorem foo (p : Prop) (hp : p) : p := hp -/\n"
        "theorem foo (p q : Prop) (hp : p) (hq : q) : p ∧ q := ⟨hp, hp⟩\n"
    )
    v = await verify(text, "foo")
    assert not v.ok and v.check == "elaboration"


async def test_namespaced_theorems_are_checked_by_full_name() -> None:
    text = (
        "namespace A\n"
        "theorem foo (p : Prop) (hp : p) : p := hp\n"
        "section\n"
        "theorem bar (p : Prop) (hp : p) : p ∧ p := ⟨foo p hp, hp⟩\n"
        "end\n"
        "end A\n"
        "theorem foo (p q : Prop) (hp : p) (hq : q) : q := hq\n"
        "namespace B\n"
        "example (p : Prop) (hp : p) : p := A.foo p hp\n"
        "end B\n"
    )
    for name in ("A.foo", "A.bar", "foo"):
        v = await verify(text, name)
        assert v.ok, (name, v)
    [ex] = [d for d in declarations(text) if d.name is None]
    v = await verify_proof(standin_config(), text[: ex.start], ex.head, ex.proof)
    assert v.ok, v


async def test_an_error_anywhere_before_the_target_fails() -> None:
    text = (
        "theorem broken (p q : Prop) (hp : p) : q := hp\n\n"
        "theorem ok (p : Prop) (hp : p) : p := hp\n"
    )
    v = await verify(text, "ok")
    assert not v.ok and v.check == "elaboration"
    assert v.detail.startswith("before the theorem: line 1:")


async def test_a_name_declared_before_the_target_fails_as_in_lean() -> None:
    context = "theorem foo (p : Prop) (hp : p) : p := hp\n"
    v = await verify_proof(standin_config(), context, "theorem foo (p : Prop) (hp : p) : p", "hp")
    assert not v.ok and v.check == "statement" and "has already been declared" in v.detail


@pytest.mark.parametrize("bad", ["end A\n", "namespace A\nend B\n"])
async def test_a_broken_scope_before_the_target_fails(bad: str) -> None:
    v = await verify_proof(standin_config(), bad, "theorem t (p : Prop) (hp : p) : p", "hp")
    assert not v.ok and v.check == "elaboration" and "invalid 'end'" in v.detail


async def test_protected_and_private_theorems_are_checked_by_full_name() -> None:
    text = (
        "namespace A\n"
        "protected theorem foo (p : Prop) (hp : p) : p := hp\n"
        "private theorem bar (p : Prop) (hp : p) : p := A.foo p hp\n"
        "end A\n"
    )
    for name in ("A.foo", "A.bar"):
        v = await verify(text, name)
        assert v.ok, (name, v)
