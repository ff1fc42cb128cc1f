"""Coalesces concurrent `generate` calls from many searches into few backend calls.

Invariants:
- Requests with equal (n, sampling but its seed) form a group, and a call is seeded from
  its requests' seeds (none when none is seeded): merged calls never share draws; a backend
  call takes at most `max_batch` states of one group (whole requests; a single larger
  request runs alone).
- At most `max_concurrent` backend calls (generate or score) run at once: 1 for a model in
  this process; more for servers that batch across calls themselves (vLLM, OpenAI-style).
- A group runs once a call slot is free and one of these holds: it has `max_batch` states;
  every member (a search registered with `member()`) is waiting on the batcher, so nobody
  else can join; or `max_wait_s` has passed since the group could first have run (its
  first request arrived with a slot free, or the first call to finish after that arrival).
  The last clause lets the searches a call just served come back from Lean and join the
  requests that queued during that call, so concurrent searches merge into one batch
  instead of alternating in two half-size ones; it is fixed once set, so calls finishing
  all the time cannot postpone a group for ever.
- Among runnable groups, the one with the oldest request runs first.
- A caller cancelled before its group runs is dropped from the batch; each caller receives
  exactly its own states' candidates, in order; a backend error reaches every caller of
  that call.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace

from prover_core.errors import PolicyUnavailable
from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.policy.seeds import derive_seed
from prover_core.types import TacticCandidate


@dataclass(eq=False)
class _Request:
    states: Sequence[str]
    future: asyncio.Future[list[list[TacticCandidate]]]
    arrived: float
    member: BatchMember | None
    seed: int | None = None
    settled: bool = False


@dataclass(eq=False)
class _Group:
    n: int
    sampling: Sampling
    requests: list[_Request] = field(default_factory=list)
    ready_from: float | None = None  # when a slot was first free for these requests

    def prune(self) -> None:
        self.requests = [r for r in self.requests if not r.future.done()]

    @property
    def size(self) -> int:
        return sum(len(r.states) for r in self.requests)


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

    def __init__(
        self,
        inner: TacticGenerator,
        *,
        max_batch: int,
        max_wait_s: float,
        max_concurrent: int = 1,
    ) -> None:
        if max_batch <= 0 or max_concurrent <= 0:
            raise ValueError("max_batch and max_concurrent must be positive")
        if max_wait_s < 0:
            raise ValueError("max_wait_s must be >= 0")
        self._inner = inner
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._max_concurrent = max_concurrent
        self._groups: dict[tuple[int, Sampling], _Group] = {}
        self._members: set[BatchMember] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max_concurrent)
        self._running = 0
        self._busy_from = 0.0
        self._calls: set[asyncio.Task[None]] = set()
        self._dispatcher: asyncio.Task[None] | None = None
        self._closed = False
        self.stats = BatchStats()

    def member(self) -> BatchMember:
        """A view for one search: while it is open, the batcher knows to wait for it, and a
        batch runs without delay once every open member is waiting."""
        return BatchMember(self)

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        return await self._submit(states, n, sampling, None)

    async def _submit(
        self, states: Sequence[str], n: int, sampling: Sampling, member: BatchMember | None
    ) -> list[list[TacticCandidate]]:
        sampling.validate_n(n)
        if self._closed:
            raise PolicyUnavailable("the policy is closed")
        if not states:
            return []
        loop = self._ensure_dispatcher()
        req = _Request(list(states), loop.create_future(), loop.time(), member, sampling.seed)
        if member is not None:
            member.pending += 1
        sampling = replace(sampling, seed=None)
        group = self._groups.setdefault((n, sampling), _Group(n, sampling))
        group.requests.append(req)
        if group.ready_from is None and not self._slots.locked():
            group.ready_from = req.arrived
        self._wake.set()
        try:
            return await req.future
        finally:
            self._settle(req)

    def _settle(self, req: _Request) -> None:
        """`req` no longer waits on the batcher (answered, failed or cancelled)."""
        if req.settled:
            return
        req.settled = True
        if req.member is not None:
            req.member.pending -= 1

    def _join(self, member: BatchMember) -> None:
        self._members.add(member)

    def _leave(self, member: BatchMember) -> None:
        """`member` stops counting, whether or not it still has requests."""
        self._members.discard(member)
        self._wake.set()

    def _ensure_dispatcher(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # first use, or a new event loop: loop-bound state anew
            self._loop = loop
            self._groups.clear()
            self._wake = asyncio.Event()
            self._slots = asyncio.Semaphore(self._max_concurrent)
            self._running = 0
            self._calls = set()
            self._dispatcher = None
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = loop.create_task(self._dispatch())
        return loop

    def _runnable(self, now: float) -> tuple[_Group | None, float | None]:
        """The group to run now, else when one becomes runnable (None: not by the clock,
        only after an arrival, a finished call or a member leaving)."""
        for key, group in list(self._groups.items()):
            group.prune()
            if not group.requests:
                del self._groups[key]
        if not self._groups:
            return None, None
        everyone_waiting = bool(self._members) and all(m.pending for m in self._members)
        oldest = sorted(self._groups.values(), key=lambda g: g.requests[0].arrived)
        starts = [
            math.inf if g.ready_from is None else g.ready_from + self._max_wait_s for g in oldest
        ]
        for group, start in zip(oldest, starts, strict=True):
            if everyone_waiting or group.size >= self._max_batch or start <= now:
                return group, None
        first = min(starts)  # inf: every group waits for a slot; a finished call wakes us
        return None, None if math.isinf(first) else first

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            group, at = (None, None) if self._slots.locked() else self._runnable(loop.time())
            if group is None:  # a finished call, an arrival or a member leaving wakes us
                self._wake.clear()
                timeout = None if at is None else max(at - loop.time(), 0.0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
                continue
            batch = self._take(group)
            await self._slots.acquire()  # free, so this does not wait
            if group.requests:  # the rest of a group larger than max_batch
                group.ready_from = None if self._slots.locked() else loop.time()
            call = loop.create_task(self._call(group.n, group.sampling, batch))
            self._calls.add(call)
            call.add_done_callback(self._calls.discard)

    async def _call(self, n: int, sampling: Sampling, batch: list[_Request]) -> None:
        async with self._occupied():
            await self._execute(n, sampling, batch)

    @contextlib.asynccontextmanager
    async def _occupied(self) -> AsyncIterator[None]:
        """A backend call on a slot already acquired; releases it. Busy time counts while at
        least one call runs; a finished call starts the wait of groups still without one."""
        loop = asyncio.get_running_loop()
        if self._running == 0:
            self._busy_from = loop.time()
        self._running += 1
        try:
            yield
        finally:
            now = loop.time()
            self._running -= 1
            if self._running == 0:
                self.stats.busy_s += now - self._busy_from
            for group in self._groups.values():
                if group.ready_from is None:
                    group.ready_from = now
            self._slots.release()
            self._wake.set()

    def _take(self, group: _Group) -> list[_Request]:
        """Detach up to `max_batch` states' worth of whole requests, oldest first."""
        batch: list[_Request] = []
        size = 0
        while group.requests:
            nxt = len(group.requests[0].states)
            if batch and size + nxt > self._max_batch:
                break
            batch.append(group.requests.pop(0))
            size += nxt
        if not group.requests:
            del self._groups[(group.n, group.sampling)]
        return batch

    async def _execute(self, n: int, sampling: Sampling, batch: list[_Request]) -> None:
        batch = [r for r in batch if not r.future.done()]  # cancelled callers drop out
        if not batch:
            return
        flat = [s for r in batch for s in r.states]
        seeds = [r.seed for r in batch]
        if any(seed is not None for seed in seeds):
            sampling = replace(sampling, seed=seeds[0] if len(seeds) == 1 else derive_seed(*seeds))
        try:
            results = await self._inner.generate(flat, n, sampling)
            self.stats.calls += 1
            self.stats.states += len(flat)
        except BaseException as e:  # callers always get an answer, closing included
            err = e if isinstance(e, Exception) else PolicyUnavailable("the policy is closed")
            for r in batch:
                if not r.future.done():
                    r.future.set_exception(err)
                self._settle(r)
            if not isinstance(e, Exception):
                raise
            return
        i = 0
        for r in batch:
            part, i = results[i : i + len(r.states)], i + len(r.states)
            if not r.future.done():
                r.future.set_result(part)
            self._settle(r)  # answered now, though the caller resumes only later

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        if self._closed:
            raise PolicyUnavailable("the policy is closed")
        self._ensure_dispatcher()
        await self._slots.acquire()
        async with self._occupied():
            return await self._inner.score(pairs)

    async def aclose(self) -> None:
        self._closed = True
        here = self._loop is asyncio.get_running_loop()  # tasks of a finished loop are gone
        tasks = [t for t in (self._dispatcher, *self._calls) if t is not None and here]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for group in self._groups.values():
            for r in group.requests:
                if not r.future.done():
                    r.future.set_exception(PolicyUnavailable("the policy is closed"))
        self._groups.clear()
        await self._inner.aclose()


class BatchMember:
    """One search's `TacticGenerator` on a shared `BatchingGenerator` (see `member()`);
    `aclose()` ends the membership and leaves the shared policy open."""

    def __init__(self, batcher: BatchingGenerator) -> None:
        self._batcher = batcher
        self.open = True
        self.pending = 0  # requests waiting on the batcher
        batcher._join(self)

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        if not self.open:
            raise PolicyUnavailable("this batch member has left")
        return await self._batcher._submit(states, n, sampling, self)

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return await self._batcher.score(pairs)

    async def aclose(self) -> None:
        if self.open:
            self.open = False
            self._batcher._leave(self)

    async def __aenter__(self) -> BatchMember:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


@contextlib.asynccontextmanager
async def participant(policy: TacticGenerator) -> AsyncIterator[TacticGenerator]:
    """The policy one search should use: a member when `policy` batches, else `policy`."""
    if isinstance(policy, BatchingGenerator):
        async with policy.member() as m:
            yield m
    else:
        yield policy
