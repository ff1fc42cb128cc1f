"""A scripted prover policy for planner-prover tests, importable by Ray workers."""

from __future__ import annotations

from collections.abc import Sequence

from tests.support.scripted_policy import ScriptedPolicy


def prover_policy(state: str) -> Sequence[tuple[str, float]]:
    """Proves `p` and `q ∧ r` from hypotheses `hp hq hr`; anything else gets a wrong try."""
    goal = state.split("⊢")[1].split("\n")[0].strip()
    return {
        "p": [("exact hp", -0.1)],
        "q ∧ r": [("exact ⟨hq, hr⟩", -0.1)],
    }.get(goal, [("exact hq", -0.1)])


def make_policy() -> ScriptedPolicy:
    return ScriptedPolicy(prover_policy)
