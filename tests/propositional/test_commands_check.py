"""`#check` in the stand-in: Lean's two formats, used by the verifier's statement check."""

from prover_core.propositional.repl import Repl


def _info(r: Repl, cmd: str, env: int) -> str:
    resp = r.handle({"cmd": cmd, "env": env})
    [msg] = resp["messages"]
    assert msg["severity"] == "info"
    return str(msg["data"])


def test_check_signature_and_forall_forms() -> None:
    r = Repl()
    r.handle({"cmd": "theorem foo (p q : Prop) {r : Prop} (h h2 : p) : p ∨ q := Or.inl h"})
    assert _info(r, "#check foo", 0) == "foo (p q : Prop) {r : Prop} (h h2 : p) : p ∨ q"
    assert _info(r, "#check @foo", 0) == "@foo : ∀ (p q : Prop) {r : Prop}, p → p → p ∨ q"
    assert _info(r, "set_option pp.all true in\n#check @foo", 0).startswith("@foo : ∀")
    assert _info(r, "#check @And.intro", 0) == "@And.intro : ∀ {a b : Prop}, a → b → a ∧ b"


def test_check_of_an_unknown_name_is_an_error() -> None:
    r = Repl()
    resp = r.handle({"cmd": "#check nope"})
    assert resp["messages"][0]["severity"] == "error"
    assert "nope" in resp["messages"][0]["data"]
