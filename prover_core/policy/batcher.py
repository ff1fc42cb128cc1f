"""Coalesces concurrent `generate` calls from many searches into few backend calls.

Invariants: requests with equal (n, sampling) are grouped; a group is flushed when it holds
`max_batch` states or its oldest request has waited `max_wait_s`; a caller cancelled before
its group is flushed is dropped from the batch; each caller receives exactly its own states'
candidates, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.types import TacticCandidate


@dataclass(eq=False)
class _Request:
    states: Sequence[str]
    future: asyncio.Future[list[list[TacticCandidate]]]


@dataclass(eq=False)
class _Group:
    n: int
    sampling: Sampling
    requests: list[_Request] = field(default_factory=list)
    size: int = 0
    flush_task: asyncio.Task[None] | None = None


@dataclass
class BatchStats:
    calls: int = 0
    states: int = 0
    busy_s: float = 0.0

    @property
    def mean_batch(self) -> float:
        return self.states / self.calls if self.calls else 0.0


class BatchingGenerator:
    """A `TacticGenerator` that batches calls to an inner one."""

    def __init__(self, inner: TacticGenerator, *, max_batch: int, max_wait_s: float) -> None:
        if max_batch <= 0:
            raise ValueError("max_batch must be positive")
        self._inner = inner
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._groups: dict[tuple[int, Sampling], _Group] = {}
        self._inflight: set[asyncio.Task[None]] = set()
        self._backend_lock = asyncio.Lock()
        self.stats = BatchStats()

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        sampling.validate_n(n)
        if not states:
            return []
        loop = asyncio.get_running_loop()
        req = _Request(list(states), loop.create_future())
        key = (n, sampling)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(n, sampling)
            group.flush_task = asyncio.create_task(self._flush_later(key, group))
        group.requests.append(req)
        group.size += len(req.states)
        if group.size >= self._max_batch:
            self._flush_now(key, group)
        return await req.future

    async def _flush_later(self, key: tuple[int, Sampling], group: _Group) -> None:
        """After `max_wait_s`, and once the backend is free (the group keeps filling while it
        is busy), run the group."""
        await asyncio.sleep(self._max_wait_s)
        async with self._backend_lock:
            if self._groups.get(key) is group:
                del self._groups[key]
                await self._execute(group)

    def _flush_now(self, key: tuple[int, Sampling], group: _Group) -> None:
        """Detach a full group and run it as soon as the backend is free."""
        if self._groups.get(key) is not group:
            return
        del self._groups[key]
        if group.flush_task is not None:
            group.flush_task.cancel()
        task = asyncio.create_task(self._run_locked(group))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _run_locked(self, group: _Group) -> None:
        async with self._backend_lock:
            await self._execute(group)

    async def _execute(self, group: _Group) -> None:
        live = [r for r in group.requests if not r.future.done()]  # cancelled callers drop out
        if not live:
            return
        flat = [s for r in live for s in r.states]
        try:
            t0 = time.perf_counter()
            results = await self._inner.generate(flat, group.n, group.sampling)
            self.stats.busy_s += time.perf_counter() - t0
            self.stats.calls += 1
            self.stats.states += len(flat)
        except Exception as e:
            for r in live:
                if not r.future.done():
                    r.future.set_exception(e)
            return
        i = 0
        for r in live:
            part, i = results[i : i + len(r.states)], i + len(r.states)
            if not r.future.done():
                r.future.set_result(part)

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        async with self._backend_lock:
            return await self._inner.score(pairs)

    async def aclose(self) -> None:
        for task in list(self._inflight):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._inner.aclose()
