"""Texts and (state, tactic) pairs the tiny test policies are built and trained on, and the
checks every backend's tests run on them."""

from __future__ import annotations

import math

import pytest

from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.types import TacticCandidate

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


def assert_single_line_candidates(
    out: list[list[TacticCandidate]], n: int, max_tokens: int
) -> None:
    """The protocol's shape for one `generate(STATES, n, ...)` on any backend."""
    assert [len(c) for c in out] == [n] * len(STATES)
    for cands in out:
        for c in cands:
            assert "\n" not in c.text and c.text == c.text.strip()
            assert math.isfinite(c.logprob) and c.logprob <= 0
            assert 1 <= c.n_tokens <= max_tokens


async def assert_logprobs_are_raw(gen: TacticGenerator) -> None:
    """Sampled log-probs are the model's raw ones whatever the temperature or top-p: a sample
    of the trained tactic scores what teacher-forced `score` gives it."""
    state = STATES[1]
    (per_token,) = await gen.score([(state, TRAINED[state])])
    for temperature, top_p in [(1.3, 1.0), (0.6, 0.9)]:
        s = Sampling(temperature=temperature, top_p=top_p, max_tokens=24, seed=1)
        (cands,) = await gen.generate([state], 32, s)
        hits = [c for c in cands if c.text == TRAINED[state] and c.n_tokens == len(per_token)]
        assert hits, cands
        for c in hits:
            assert c.logprob == pytest.approx(sum(per_token), abs=1e-4)
