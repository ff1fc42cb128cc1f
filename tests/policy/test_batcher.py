"""The batcher: concurrent calls coalesce, results go back to their callers, a cancelled
caller's states are dropped, backend errors reach every caller of the batch, and members
(searches) merge into one batch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from prover_core.config import PolicyConfig
from prover_core.errors import PolicyUnavailable
from prover_core.policy.batcher import BatchingGenerator, BatchMember, participant
from prover_core.policy.factory import batched
from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate


class Recorder:
    def __init__(self, delay_s: float = 0.02, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.delay_s, self.fail = delay_s, fail

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        self.calls.append(list(states))
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise PolicyUnavailable("backend down")
        return [[TacticCandidate(f"t-{s}-{j}", -1.0, 1) for j in range(n)] for s in states]

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return [[0.0] for _ in pairs]

    async def aclose(self) -> None:
        pass


async def test_concurrent_calls_coalesce_and_each_gets_its_own() -> None:
    inner = Recorder()
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.01)
    s = Sampling()
    outs = await asyncio.gather(*(batcher.generate([f"s{i}", f"x{i}"], 2, s) for i in range(10)))
    for i, out in enumerate(outs):
        assert [[c.text for c in cs] for cs in out] == [
            [f"t-s{i}-0", f"t-s{i}-1"],
            [f"t-x{i}-0", f"t-x{i}-1"],
        ]
    assert len(inner.calls) < 10 and batcher.stats.mean_batch > 2


async def test_max_batch_flushes_at_once_and_calls_keep_filling_while_busy() -> None:
    inner = Recorder(delay_s=0.05)
    batcher = BatchingGenerator(inner, max_batch=4, max_wait_s=10.0)
    s = Sampling()
    await asyncio.wait_for(
        asyncio.gather(*(batcher.generate([f"s{i}"], 1, s) for i in range(8))), 2.0
    )
    assert [len(c) for c in inner.calls] == [4, 4]


async def test_different_sampling_is_never_mixed() -> None:
    inner = Recorder()
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.01)
    await asyncio.gather(
        batcher.generate(["a"], 1, Sampling(temperature=1.0)),
        batcher.generate(["b"], 1, Sampling(temperature=0.5)),
    )
    assert sorted(inner.calls) == [["a"], ["b"]]


async def test_a_cancelled_caller_is_dropped_from_its_batch() -> None:
    inner = Recorder()
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.05)
    s = Sampling()
    gone = asyncio.create_task(batcher.generate(["gone"], 1, s))
    kept = asyncio.create_task(batcher.generate(["kept"], 1, s))
    await asyncio.sleep(0.01)
    gone.cancel()
    assert (await kept)[0][0].text == "t-kept-0"
    assert inner.calls == [["kept"]]


async def test_backend_errors_reach_every_caller() -> None:
    batcher = BatchingGenerator(Recorder(fail=True), max_batch=64, max_wait_s=0.01)
    results = await asyncio.gather(
        batcher.generate(["a"], 1, Sampling()),
        batcher.generate(["b"], 1, Sampling()),
        return_exceptions=True,
    )
    assert all(isinstance(r, PolicyUnavailable) for r in results)


async def test_greedy_with_several_samples_is_refused() -> None:
    batcher = BatchingGenerator(Recorder(), max_batch=4, max_wait_s=0.01)
    with pytest.raises(ValueError, match="greedy"):
        await batcher.generate(["a"], 2, Sampling(temperature=0.0))


async def test_a_lone_member_never_waits_for_the_timer() -> None:
    batcher = BatchingGenerator(Recorder(delay_s=0.0), max_batch=64, max_wait_s=30.0)
    async with batcher.member() as m:
        for i in range(3):
            out = await asyncio.wait_for(m.generate([f"s{i}"], 1, Sampling()), 2.0)
            assert out[0][0].text == f"t-s{i}-0"


async def test_members_wait_for_each_other_then_run_together() -> None:
    inner = Recorder(delay_s=0.0)
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=30.0)
    async with batcher.member() as a, batcher.member() as b:
        first = asyncio.create_task(a.generate(["a"], 1, Sampling()))
        await asyncio.sleep(0.05)
        assert inner.calls == []  # b is open and not waiting yet: a's request is held
        await asyncio.wait_for(asyncio.gather(first, b.generate(["b"], 1, Sampling())), 2.0)
    assert inner.calls == [["a", "b"]]


async def test_a_member_leaving_releases_the_others() -> None:
    inner = Recorder(delay_s=0.0)
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=30.0)
    a, idle = batcher.member(), batcher.member()
    waiting = asyncio.create_task(a.generate(["a"], 1, Sampling()))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await idle.aclose()
    assert (await asyncio.wait_for(waiting, 2.0))[0][0].text == "t-a-0"
    await a.aclose()
    with pytest.raises(PolicyUnavailable, match="left"):
        await a.generate(["a"], 1, Sampling())


async def test_requests_queued_during_a_long_call_wait_for_the_searches_it_served() -> None:
    """The call is longer than max_wait; what queued meanwhile still waits (up to max_wait
    from when the backend became free) for the searches it served to come back, so all
    share the next call instead of alternating."""
    inner = Recorder(delay_s=0.3)
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.25)
    s = Sampling()

    async def search(name: str, lean_s: float) -> None:
        async with batcher.member() as m:
            await m.generate([name], 1, s)
            await asyncio.sleep(lean_s)
            await m.generate([name + "'"], 1, s)

    async def outsider() -> None:
        await asyncio.sleep(0.01)
        await batcher.generate(["c"], 1, s)

    await asyncio.wait_for(asyncio.gather(search("a", 0.0), search("b", 0.1), outsider()), 5.0)
    assert inner.calls[0] == ["a", "b"] and sorted(inner.calls[1]) == ["a'", "b'", "c"]


async def test_a_cancelled_member_request_stops_counting_as_waiting() -> None:
    inner = Recorder(delay_s=0.0)
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.5)
    a, b = batcher.member(), batcher.member()
    gone = asyncio.create_task(a.generate(["gone"], 1, Sampling()))
    await asyncio.sleep(0.01)
    gone.cancel()
    await asyncio.sleep(0.01)
    later_b = asyncio.create_task(b.generate(["b"], 1, Sampling()))
    await asyncio.sleep(0.05)
    assert inner.calls == []  # a is not waiting any more, so b waits for it
    await asyncio.wait_for(asyncio.gather(later_b, a.generate(["a"], 1, Sampling())), 2.0)
    assert inner.calls == [["b", "a"]]


async def test_a_request_larger_than_max_batch_runs_alone() -> None:
    inner = Recorder(delay_s=0.0)
    batcher = BatchingGenerator(inner, max_batch=2, max_wait_s=0.01)
    s = Sampling()
    await asyncio.gather(batcher.generate(["x"], 1, s), batcher.generate(["a", "b", "c"], 1, s))
    assert inner.calls == [["x"], ["a", "b", "c"]]


async def test_closing_fails_what_is_still_queued() -> None:
    batcher = BatchingGenerator(Recorder(), max_batch=64, max_wait_s=30.0)
    queued = asyncio.create_task(batcher.generate(["a"], 1, Sampling()))
    await asyncio.sleep(0.01)
    await batcher.aclose()
    with pytest.raises(PolicyUnavailable, match="closed"):
        await queued
    with pytest.raises(PolicyUnavailable, match="closed"):
        await batcher.generate(["b"], 1, Sampling())


async def test_participant_is_a_member_only_for_a_batcher() -> None:
    inner = Recorder()
    batcher = BatchingGenerator(inner, max_batch=4, max_wait_s=0.01)
    async with participant(batcher) as p:
        assert isinstance(p, BatchMember)
    async with participant(inner) as q:
        assert q is inner


async def test_a_member_leaving_mid_request_leaves_the_count_right() -> None:
    inner = Recorder(delay_s=0.0)
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.3)
    s = Sampling()
    a, b = batcher.member(), batcher.member()
    stale = asyncio.create_task(a.generate(["stale"], 1, s))
    await asyncio.sleep(0.01)
    await a.aclose()  # its request is still queued and is answered later
    await asyncio.wait_for(asyncio.gather(stale, b.generate(["b"], 1, s)), 2.0)
    async with batcher.member() as c:
        held = asyncio.create_task(b.generate(["b2"], 1, s))
        await asyncio.sleep(0.05)
        assert not held.done()  # c is open and not waiting: b2 is held for it
        await asyncio.wait_for(asyncio.gather(held, c.generate(["c"], 1, s)), 2.0)
    assert inner.calls[-1] == ["b2", "c"]


class Overlap(Recorder):
    """Records how many calls run at once."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(delay_s)
        self.running = self.peak = 0

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            return await super().generate(states, n, sampling)
        finally:
            self.running -= 1

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(self.delay_s)
        self.running -= 1
        return [[0.0] for _ in pairs]


@pytest.mark.parametrize("slots", [1, 3])
async def test_calls_in_flight_never_exceed_the_slots(slots: int) -> None:
    inner = Overlap(delay_s=0.05)
    batcher = BatchingGenerator(inner, max_batch=1, max_wait_s=0.0, max_concurrent=slots)
    s = Sampling()
    outs = await asyncio.wait_for(
        asyncio.gather(
            *(batcher.generate([f"s{i}"], 1, s) for i in range(6)),
            batcher.score([("a", "b")]),
        ),
        5.0,
    )
    assert [o[0][0].text for o in outs[:6]] == [f"t-s{i}-0" for i in range(6)]
    assert inner.peak == slots
    assert batcher.stats.calls == 6


async def test_closing_answers_callers_of_a_call_in_flight() -> None:
    batcher = BatchingGenerator(Recorder(delay_s=30.0), max_batch=64, max_wait_s=0.0)
    running = asyncio.create_task(batcher.generate(["a"], 1, Sampling()))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(batcher.aclose(), 2.0)
    with pytest.raises(PolicyUnavailable, match="closed"):
        await running
    with pytest.raises(PolicyUnavailable, match="closed"):
        await batcher.score([("a", "b")])


@pytest.mark.parametrize(("backend", "slots"), [("hf", 1), ("openai", 5), ("vllm", 5)])
async def test_the_factory_lets_only_servers_take_calls_concurrently(
    backend: str, slots: int
) -> None:
    config = PolicyConfig(backend=backend, model="m", concurrent_calls=5)  # type: ignore[arg-type]
    inner = Overlap(delay_s=0.05)
    batcher = batched(inner, config.model_copy(update={"max_batch": 1}))
    await asyncio.wait_for(
        asyncio.gather(*(batcher.generate([f"s{i}"], 1, Sampling()) for i in range(8))), 5.0
    )
    assert inner.peak == slots


async def test_calls_finishing_all_the_time_do_not_postpone_a_group() -> None:
    """Scoring keeps one of two slots busy and finishes every 10 ms, far more often than
    max_wait; a request that arrived with a slot free still runs max_wait later."""
    inner = Overlap(delay_s=0.01)
    batcher = BatchingGenerator(inner, max_batch=64, max_wait_s=0.1, max_concurrent=2)
    stop = asyncio.Event()

    async def keep_scoring() -> None:
        while not stop.is_set():
            await batcher.score([("a", "b")])

    scoring = asyncio.create_task(keep_scoring())
    await asyncio.sleep(0.03)
    t0 = asyncio.get_running_loop().time()
    await asyncio.wait_for(batcher.generate(["a"], 1, Sampling()), 2.0)
    waited = asyncio.get_running_loop().time() - t0
    stop.set()
    await scoring
    assert 0.09 <= waited < 0.5


def test_one_batcher_serves_one_event_loop_after_another() -> None:
    batcher = BatchingGenerator(Recorder(delay_s=0.0), max_batch=8, max_wait_s=0.01)

    async def once(tag: str) -> str:
        async with batcher.member() as m:
            return (await m.generate([tag], 1, Sampling()))[0][0].text

    assert asyncio.run(once("a")) == "t-a-0"
    assert asyncio.run(once("b")) == "t-b-0"
