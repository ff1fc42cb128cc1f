"""The REPL driver against the stand-in: outcomes, restart and restore, and faults."""

from __future__ import annotations

import pytest

from prover_core.errors import LeanCrashed, LeanError, LeanTimeout
from prover_core.lean.repl import LeanRepl
from prover_core.types import Advanced, ProofState, Proved, TacticFailed
from tests.support.standin import standin_config

THEOREM = "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ r := by sorry"
PROOF = ["constructor", "constructor", "exact hp", "exact hq", "exact hr"]


async def _root(repl: LeanRepl) -> ProofState:
    result = await repl.command(THEOREM)
    assert len(result.sorries) == 1
    return result.sorries[0].state


async def test_outcomes_are_classified() -> None:
    repl = LeanRepl(standin_config())
    try:
        root = await _root(repl)
        assert root.goals == ("p q r : Prop\nhp : p\nhq : q\nhr : r\n⊢ (p ∧ q) ∧ r",)
        bad = await repl.tactic(root, "exact hp")
        assert isinstance(bad, TacticFailed) and bad.message
        unknown = await repl.tactic(root, "frobnicate")
        assert isinstance(unknown, TacticFailed)
        state = root
        for tac in PROOF[:-1]:
            out = await repl.tactic(state, tac)
            assert isinstance(out, Advanced), (tac, out)
            state = out.state
        done = await repl.tactic(state, PROOF[-1])
        assert isinstance(done, Proved)
        with_sorry = await repl.tactic(root, "sorry")
        assert not isinstance(with_sorry, Proved)
    finally:
        await repl.close()


async def test_held_states_survive_a_restart() -> None:
    repl = LeanRepl(standin_config())
    try:
        root = await _root(repl)
        a = await repl.tactic(root, "constructor")
        assert isinstance(a, Advanced)
        b = await repl.tactic(a.state, "constructor")
        assert isinstance(b, Advanced)
        pid = repl.pid
        await repl.restart()
        # the deep state is rebuilt by replaying its history in the new process
        c = await repl.tactic(b.state, "exact hp")
        assert isinstance(c, Advanced) and c.state.goals == b.state.goals[1:]
        assert repl.pid != pid and repl.replays >= 1
        # siblings and ancestors resolve too, and outcomes are unchanged
        assert isinstance(await repl.tactic(a.state, "exact hr"), TacticFailed)
        assert isinstance(await repl.tactic(root, "constructor"), Advanced)
    finally:
        await repl.close()


async def test_states_of_another_session_are_refused() -> None:
    r1, r2 = LeanRepl(standin_config()), LeanRepl(standin_config())
    try:
        root = await _root(r1)
        with pytest.raises(ValueError, match="another REPL session"):
            await r2.tactic(root, "constructor")
    finally:
        await r1.close()
        await r2.close()


Pair = tuple[ProofState, ProofState]  # (state in the faulty session, the same in a reference)


async def _twin_walk(repl: LeanRepl, ref: LeanRepl, rounds: int = 6) -> tuple[int, int]:
    """A long sequence of calls on held states, each made in both sessions; every answer of
    the faulty session must equal the reference's, or be a typed error. Returns (calls,
    errors)."""
    calls = errors = 0
    roots = (await _root(repl), await _root(ref))
    held: list[Pair] = [roots]

    async def call(pair: Pair, tactic: str) -> Pair | None:
        nonlocal calls, errors
        calls += 1
        want = await ref.tactic(pair[1], tactic)
        try:
            got = await repl.tactic(pair[0], tactic)
        except LeanError:
            errors += 1
            return None
        assert type(got) is type(want), (tactic, got, want)
        if isinstance(got, Advanced | Proved):
            assert isinstance(want, Advanced | Proved)
            assert got.state.goals == want.state.goals
            return (got.state, want.state)
        return None

    for _ in range(rounds):
        pair = roots
        for tac in PROOF:
            await call(pair, "exact hq")
            nxt = await call(pair, tac)
            if nxt is None:
                break
            pair = nxt
            held.append(pair)
        for old in held[1:4]:  # old held states still answer correctly
            await call(old, "exact hp")
    return calls, errors


@pytest.mark.parametrize(
    ("flags", "extra"),
    [
        (("--crash-after", "9"), {"crash_retries": 1}),
        (("--crash-after", "9"), {"crash_retries": 0}),
        (("--garbage-every", "7"), {"crash_retries": 1}),
        (("--garbage-every", "7"), {"crash_retries": 0}),
        (("--grow-mb-per-request", "8"), {"recycle_above_rss_mb": 150}),
        (("--latency-ms", "1"), {"recycle_after_requests": 10}),
    ],
    ids=["crash+retry", "crash", "garbage+retry", "garbage", "memory-growth", "recycling"],
)
async def test_faults_during_a_long_sequence(flags: tuple[str, ...], extra: dict) -> None:
    repl = LeanRepl(standin_config(*flags, **extra))
    ref = LeanRepl(standin_config())
    try:
        calls, errors = await _twin_walk(repl, ref)
    finally:
        await repl.close()
        await ref.close()
    assert calls >= 20
    assert repl.restarts > 0  # every fault here forces restarts
    if extra.get("crash_retries", 1) >= 1 and "--crash-after" in flags:
        assert errors == 0  # a crash after a full answer is retried transparently
    assert errors < calls / 2


async def test_a_hanging_tactic_times_out_and_held_states_keep_working() -> None:
    repl = LeanRepl(standin_config("--hang-on", "HANG", timeout_s=1.0))
    try:
        root = await _root(repl)
        a = await repl.tactic(root, "constructor")
        assert isinstance(a, Advanced)
        with pytest.raises(LeanTimeout):
            await repl.tactic(a.state, "exact HANG")
        b = await repl.tactic(a.state, "constructor")
        assert isinstance(b, Advanced) and len(b.state.goals) == 3
        assert repl.restarts == 1
    finally:
        await repl.close()


async def test_memory_limit_kills_and_the_session_recovers() -> None:
    # RLIMIT_AS makes the growing process fail; the driver restarts and restores.
    cfg = standin_config("--grow-mb-per-request", "64", memory_limit_mb=600, crash_retries=1)
    repl = LeanRepl(cfg)
    try:
        root = await _root(repl)
        outcomes = []
        for _ in range(16):
            try:
                outcomes.append(await repl.tactic(root, "constructor"))
            except LeanCrashed:
                outcomes.append(None)
        assert repl.restarts >= 1
        assert all(o is None or isinstance(o, Advanced) for o in outcomes)
        assert any(isinstance(o, Advanced) for o in outcomes[-4:])
    finally:
        await repl.close()


async def test_a_missing_repl_command_is_a_typed_error() -> None:
    repl = LeanRepl(standin_config(repl_command=("/nonexistent/repl",), crash_retries=0))
    with pytest.raises(LeanCrashed, match="cannot start REPL"):
        await repl.command("theorem x : True := trivial")
    await repl.close()


async def test_cancelled_caller_does_not_desync_the_session() -> None:
    import asyncio

    repl = LeanRepl(standin_config("--latency-ms", "200"))
    try:
        root = await _root(repl)
        task = asyncio.create_task(repl.tactic(root, "constructor"))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        out = await repl.tactic(root, "exact hp")
        assert isinstance(out, TacticFailed)
        out2 = await repl.tactic(root, "constructor")
        assert isinstance(out2, Advanced) and len(out2.state.goals) == 2
        assert repl.restarts == 0
    finally:
        await repl.close()
