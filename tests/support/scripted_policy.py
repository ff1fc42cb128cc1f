"""A scripted `TacticGenerator` for tests: answers depend on the state text only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate

Script = Callable[[str], Sequence[tuple[str, float]]]


class ScriptedPolicy:
    """`script(state)` gives (tactic, mean log-prob) pairs; each is returned with 2 tokens.

    Records every call's batch size; `delay_s` simulates model latency.
    """

    def __init__(self, script: Script, delay_s: float = 0.0) -> None:
        self._script = script
        self.delay_s = delay_s
        self.batches: list[int] = []
        self.calls_by_state: dict[str, int] = {}
        self.closed = False

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        sampling.validate_n(n)
        self.batches.append(len(states))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        out = []
        for s in states:
            self.calls_by_state[s] = self.calls_by_state.get(s, 0) + 1
            pairs = list(self._script(s))[:n]
            out.append([TacticCandidate(t, 2 * lp, 2) for t, lp in pairs])
        return out

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return [[-1.0, -1.0] for _ in pairs]

    async def aclose(self) -> None:
        self.closed = True
