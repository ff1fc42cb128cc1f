"""A theorem, a plan and a scripted prover policy for planner-prover tests (importable by
Ray workers)."""

from __future__ import annotations

from collections.abc import Sequence

from tests.support.scripted_policy import ScriptedPolicy

CONTEXT = "-- context"
HEAD = "theorem w (p q r : Prop) (hp : p) (hq : q) (hr : r) : p ∧ q ∧ r"
GOOD = """```lean
have h1 : p := by sorry
have h2 : q ∧ r := by sorry
exact ⟨h1, h2⟩
```"""


def prover_policy(state: str) -> Sequence[tuple[str, float]]:
    """Proves `p` and `q ∧ r` from hypotheses `hp hq hr`; anything else gets a wrong try."""
    goal = state.split("⊢")[1].split("\n")[0].strip()
    return {
        "p": [("exact hp", -0.1)],
        "q ∧ r": [("exact ⟨hq, hr⟩", -0.1)],
    }.get(goal, [("exact hq", -0.1)])


def make_policy() -> ScriptedPolicy:
    return ScriptedPolicy(prover_policy)
