"""Texts and (state, tactic) pairs the tiny test policies are built and trained on."""

from __future__ import annotations

STATES = [
    "x : Nat\n⊢ x + 0 = x",
    "p q : Prop\nh : p ∧ q\n⊢ q ∧ p",
    "a b : Nat\n⊢ a + b = b + a",
]
# What the trained policy learns for each state; the last one continues past a newline.
TRAINED = {
    STATES[0]: "simp",
    STATES[1]: "exact ⟨h.2, h.1⟩",
    STATES[2]: "rw [Nat.add_comm]\nrfl",
}
CORPUS = [f"{s}:::{t}\n" for s, t in TRAINED.items()] * 20 + [
    "intro h\nexact h\napply And.intro\nomega\nlinarith [h]\n"
] * 20
