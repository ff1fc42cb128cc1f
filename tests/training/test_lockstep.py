"""Lockstep waves: ordered by participant, seeded per wave, independent of timing."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate
from training.lockstep import Lockstep, Member


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], int | None]] = []

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        self.calls.append((list(states), sampling.seed))
        return [
            [TacticCandidate(f"{s}#{sampling.seed}#{i}", -1.0, 1) for i in range(n)] for s in states
        ]

    async def score(self, pairs):
        return []

    async def aclose(self) -> None:
        pass


async def _run(delays: dict[int, list[float]]) -> tuple[Recorder, dict[int, list[str]]]:
    inner = Recorder()
    lock = Lockstep(inner, Sampling(temperature=1.0), 11, delays)
    seen: dict[int, list[str]] = {}

    async def search(pid: int) -> None:
        m = Member(lock, pid)
        try:
            for step, d in enumerate(delays[pid]):
                await asyncio.sleep(d)
                [cands] = await m.generate([f"p{pid}s{step}"], 2, Sampling(temperature=1.0))
                seen.setdefault(pid, []).append(cands[0].text)
        finally:
            await m.aclose()

    await asyncio.gather(*(search(p) for p in delays))
    return inner, seen


def test_waves_are_ordered_and_seeded_whatever_the_timing() -> None:
    steps = {3: 2, 1: 3, 2: 1}
    rng = random.Random(0)
    runs = []
    for _ in range(3):
        delays = {p: [rng.random() * 0.01 for _ in range(k)] for p, k in steps.items()}
        runs.append(asyncio.run(_run(delays)))
    first, seen0 = runs[0]
    assert [c[0] for c in first.calls] == [["p1s0", "p2s0", "p3s0"], ["p1s1", "p3s1"], ["p1s2"]]
    assert len({seed for _, seed in first.calls}) == 3  # a fresh seed per wave
    for inner, seen in runs[1:]:
        assert inner.calls == first.calls and seen == seen0
