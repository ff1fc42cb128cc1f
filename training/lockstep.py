"""Lockstep batching: many searches share one policy call per wave, deterministically.

`BatchingGenerator` groups requests by arrival time, so which states share a model call (and
hence which random numbers each gets) depends on timing. Training needs a run to be
reproducible (resume after a crash must give the same data), so proof generation batches by
waves instead:

Invariants:
- A wave is flushed only when every live participant is waiting on `generate`; a
  participant leaves (`done`) when its search ends.
- A wave's states are ordered by participant id, and the call is seeded with
  `wave_seed(seed, wave)`: the samples a search gets depend only on the seed, the set of
  participants and their (deterministic) tactic outcomes, never on timing.
- The same wave logic runs in-process and inside the Ray policy actor, so both modes give
  the same samples.

Why a wave waits for its slowest search: the hf backend draws a whole batch from one RNG
stream, so a state's samples depend on which states share its call; a composition fixed by
the participants, not by timing, is what keeps a run reproducible. With tactic times alike
the cost is small (benchmarks/lean_parallel.py, 32 searches: 0.95 of the ideal speed-up at
4 and 8 processes); one slow tactic does hold its wave.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.policy.seeds import derive_seed
from prover_core.types import TacticCandidate

__all__ = ["Lockstep", "LockstepStats", "Member", "derive_seed"]


@dataclass
class LockstepStats:
    waves: int = 0
    states: int = 0
    tokens: int = 0


class Lockstep:
    """Wave barrier over a fixed set of participants (ids are any sortable ints)."""

    def __init__(
        self, inner: TacticGenerator, sampling: Sampling, seed: int, participants: Iterable[int]
    ) -> None:
        self._inner = inner
        self._sampling = sampling
        self._seed = seed
        self._live: set[int] = set(participants)
        self._waiting: dict[int, tuple[Sequence[str], int]] = {}
        self._futures: dict[int, asyncio.Future[list[list[TacticCandidate]]]] = {}
        self._flushing = False
        self.stats = LockstepStats()

    async def generate(
        self, pid: int, states: Sequence[str], n: int
    ) -> list[list[TacticCandidate]]:
        if pid not in self._live or pid in self._waiting:
            raise RuntimeError(f"participant {pid} is not live or already waiting")
        future: asyncio.Future[list[list[TacticCandidate]]] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting[pid] = (list(states), n)
        self._futures[pid] = future
        await self._maybe_flush()
        return await future

    async def done(self, pid: int) -> None:
        """`pid`'s search is over; the wave no longer waits for it."""
        self._live.discard(pid)
        await self._maybe_flush()

    async def _maybe_flush(self) -> None:
        if self._flushing or not self._waiting or len(self._waiting) < len(self._live):
            return
        self._flushing = True
        try:
            order = sorted(self._waiting)
            batch = [(pid, *self._waiting.pop(pid)) for pid in order]
            futures = [self._futures.pop(pid) for pid in order]
            widths = {n for _, _, n in batch}
            sampling = replace(self._sampling, seed=derive_seed(self._seed, self.stats.waves))
            self.stats.waves += 1
            try:
                results: list[list[TacticCandidate]] = []
                for n in sorted(widths):  # one call per width (searches normally share one)
                    part = [s for _, states, w in batch if w == n for s in states]
                    results.extend(await self._inner.generate(part, n, sampling))
                by_width = _split_by_width(batch, results, sorted(widths))
            except BaseException as e:
                for f in futures:
                    if not f.done():
                        f.set_exception(e)
                raise
            for (_pid, states, _n), f, cands in zip(batch, futures, by_width, strict=True):
                self.stats.states += len(states)
                self.stats.tokens += sum(c.n_tokens for row in cands for c in row)
                if not f.done():
                    f.set_result(cands)
        finally:
            self._flushing = False


def _split_by_width(
    batch: list[tuple[int, Sequence[str], int]],
    results: list[list[TacticCandidate]],
    widths: list[int],
) -> list[list[list[TacticCandidate]]]:
    """Undo the per-width concatenation: each request's rows, in batch order."""
    offsets: dict[int, int] = {}
    pos = 0
    for n in widths:
        offsets[n] = pos
        pos += sum(len(states) for _, states, w in batch if w == n)
    out = []
    for _, states, n in batch:
        lo = offsets[n]
        out.append(results[lo : lo + len(states)])
        offsets[n] = lo + len(states)
    return out


class Member:
    """One participant's view of a `Lockstep`: a `TacticGenerator` for `BestFirstSearch`."""

    def __init__(self, lockstep: Lockstep, pid: int) -> None:
        self._lockstep = lockstep
        self.pid = pid

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        return await self._lockstep.generate(self.pid, states, n)

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        raise NotImplementedError("lockstep members only generate")

    async def aclose(self) -> None:
        await self._lockstep.done(self.pid)
