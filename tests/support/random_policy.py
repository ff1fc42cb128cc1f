"""A policy whose draws come from its seed: the property seeded-search tests pin."""

from __future__ import annotations

import random
from collections.abc import Sequence

from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate

THM = "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ r := by sorry"
TACTICS = ["constructor", "exact hp", "exact hq", "exact hr", "intro x", "apply And.intro"]


class RandomPolicy:
    """Orders and scores the tactics with `random.Random(seed)` (fresh entropy when
    unseeded): what a sampling model does with its seed. Records each call's seed."""

    def __init__(self) -> None:
        self.seeds: list[int | None] = []

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        self.seeds.append(sampling.seed)
        rng = random.Random(sampling.seed)
        return [
            [TacticCandidate(t, -rng.random(), 2) for t in rng.sample(TACTICS, n)] for _ in states
        ]

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return [[0.0] for _ in pairs]

    async def aclose(self) -> None:
        return None
