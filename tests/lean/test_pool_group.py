"""Several processes per request: state transfer (replay and pickle) and the group."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from prover_core.errors import LeanCrashed
from prover_core.lean.group import ProcessGroup
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.types import Advanced, ProofState, Proved
from tests.support.standin import standin_config

HEADER = "-- header"
THEOREM = "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ r := by sorry"


async def _deep(repl: LeanRepl, env: object) -> tuple[ProofState, ProofState]:
    result = await repl.command(THEOREM, env)  # type: ignore[arg-type]
    root = result.sorries[0].state
    a = await repl.tactic(root, "constructor")
    assert isinstance(a, Advanced)
    b = await repl.tactic(a.state, "constructor")
    assert isinstance(b, Advanced)
    return root, b.state


@pytest.mark.parametrize("transfer", ["replay", "pickle"])
async def test_a_state_moves_to_another_process_once(transfer: str, tmp_path: Path) -> None:
    one, two = LeanRepl(standin_config()), LeanRepl(standin_config())
    try:
        env1 = (await one.command(HEADER)).env
        env2 = (await two.command(HEADER)).env
        two.alias(env1, env2)
        _, deep = await _deep(one, env1)
        pickle_dir = tmp_path if transfer == "pickle" else None
        copy = await two.adopt(deep, pickle_dir=pickle_dir)
        assert copy.owner is two and copy.goals == deep.goals and two.has_copy(deep)
        assert await two.adopt(deep, pickle_dir=pickle_dir) is copy  # cached per process
        # replay copies the chain root → constructor → constructor; a pickle just the state
        assert two.adoptions == (3 if transfer == "replay" else 1)
        out = await two.tactic(copy, "exact hp")
        assert isinstance(out, Advanced) and out.state.goals == deep.goals[1:]
        # the header was aliased, not re-imported; the original is untouched
        assert isinstance(await one.tactic(deep, "exact hp"), Advanced)
        # a restart of the receiving process restores the copy by its own history
        await two.restart()
        assert isinstance(await two.tactic(copy, "exact hp"), Advanced)
    finally:
        await asyncio.gather(one.close(), two.close())


async def test_concurrent_uses_make_one_copy() -> None:
    one, two = LeanRepl(standin_config()), LeanRepl(standin_config())
    try:
        env1 = (await one.command(HEADER)).env
        two.alias(env1, (await two.command(HEADER)).env)
        _, deep = await _deep(one, env1)
        copies = await asyncio.gather(*(two.adopt(deep) for _ in range(4)))
        assert all(c is copies[0] for c in copies) and two.adoptions == 3  # the chain, once
    finally:
        await asyncio.gather(one.close(), two.close())


@pytest.mark.parametrize("transfer", ["replay", "pickle"])
async def test_a_lease_spreads_one_states_tactics_over_its_processes(transfer: str) -> None:
    cfg = standin_config(
        "--latency-ms",
        "100",
        pool_size=4,
        processes_per_header=4,
        state_transfer=transfer,
    )
    pool = ReplPool(cfg)
    try:
        async with pool.lease(HEADER) as lease:
            await asyncio.sleep(0.5)  # let the other members import the header
            assert len(lease.group.members) == 4
            root = (await lease.repl.command(THEOREM, lease.env)).sorries[0].state
            tactics = ["constructor"] * 8
            t0 = time.perf_counter()
            outs = await asyncio.gather(*(lease.group.tactic(root, t) for t in tactics))
            wall = time.perf_counter() - t0
            owners = {o.state.owner for o in outs if isinstance(o, Advanced)}
            assert len(owners) == 4  # every process ran some
            # 8 tactics at 100 ms each: serial 0.8 s; 4 processes plus one transfer each
            assert wall < 0.75, wall
            # a child made elsewhere continues anywhere
            child = next(o.state for o in outs if isinstance(o, Advanced) and o.state.goals)
            again = await asyncio.gather(
                *(lease.group.tactic(child, "constructor") for _ in range(4))
            )
            assert all(isinstance(o, Advanced) for o in again)
        assert pool.size == 4
    finally:
        await pool.close()


async def test_a_second_request_shares_processes_with_a_greedy_one() -> None:
    pool = ReplPool(standin_config(pool_size=2, processes_per_header=2))
    try:
        async with pool.lease(HEADER) as a, pool.lease(HEADER, processes=1) as b:
            assert b.repl in a.group.members or len(a.group.members) == 1
            root = (await b.repl.command(THEOREM, b.env)).sorries[0].state
            assert isinstance(await b.group.tactic(root, "constructor"), Advanced)
    finally:
        await pool.close()


async def test_group_refuses_pickles_without_a_directory() -> None:
    repl = LeanRepl(standin_config())
    try:
        env = (await repl.command(HEADER)).env
        with pytest.raises(ValueError):
            ProcessGroup(repl, env, transfer="pickle")
        group = ProcessGroup(repl, env)
        _, deep = await _deep(repl, env)
        for tac in ("exact hp", "exact hq", "exact hr"):
            out = await group.tactic(deep, tac)
            assert isinstance(out, Advanced | Proved)
            deep = out.state
        assert isinstance(out, Proved)
    finally:
        await repl.close()


def test_pool_defaults_come_from_cores_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    from types import SimpleNamespace

    import psutil

    from prover_core.config import LeanConfig

    def machine(cores: int, memory_gb: int) -> None:
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
        monkeypatch.setattr(
            psutil, "virtual_memory", lambda: SimpleNamespace(total=memory_gb << 30)
        )

    machine(cores=32, memory_gb=128)  # ¾ · 128 GB / 16 GB = 6 processes, under 32 cores
    cfg = LeanConfig(memory_limit_mb=16384)
    assert (cfg.pool_size, cfg.processes_per_header) == (6, 6)
    machine(cores=2, memory_gb=128)  # cores bound it
    assert LeanConfig(memory_limit_mb=16384).pool_size == 2
    machine(cores=8, memory_gb=8)  # never below one
    assert LeanConfig(memory_limit_mb=16384).pool_size == 1
    # no memory limit: the recycling threshold is the per-process budget
    machine(cores=64, memory_gb=64)
    assert LeanConfig(memory_limit_mb=None, recycle_above_rss_mb=4096).pool_size == 12
    # explicit values win
    cfg = LeanConfig(pool_size=3, processes_per_header=2)
    assert (cfg.pool_size, cfg.processes_per_header) == (3, 2)
    assert LeanConfig(pool_size=5).processes_per_header == 5


async def test_a_copy_of_a_copy_is_moved_one_step_at_a_time() -> None:
    a, b, c = (LeanRepl(standin_config()) for _ in range(3))
    try:
        env_a = (await a.command(HEADER)).env
        for other in (b, c):
            other.alias(env_a, (await other.command(HEADER)).env)
        root = (await a.command(THEOREM, env_a)).sorries[0].state
        on_b = await b.tactic(await b.adopt(root), "constructor")  # a child made on b
        assert isinstance(on_b, Advanced)
        await c.adopt(root)
        made = c.adoptions
        moved = await c.adopt(on_b.state)  # its parent is known to c as `root`'s copy
        assert c.adoptions == made + 1 and moved.goals == on_b.state.goals
        assert await a.adopt(await c.adopt(root)) is root  # a copy comes home as the original
    finally:
        await asyncio.gather(a.close(), b.close(), c.close())


async def test_copies_do_not_keep_their_originals_alive() -> None:
    import gc

    a, b = LeanRepl(standin_config()), LeanRepl(standin_config())
    try:
        env_a = (await a.command(HEADER)).env
        b.alias(env_a, (await b.command(HEADER)).env)
        _, deep = await _deep(a, env_a)
        await b.adopt(deep)
        assert b.has_copy(deep)
        copies = len(b._copies)
        del deep, _
        gc.collect()
        assert len(b._copies) < copies  # the chain's copies went with their originals
    finally:
        await asyncio.gather(a.close(), b.close())


async def test_a_group_command_makes_its_states_native_in_every_member() -> None:
    pool = ReplPool(standin_config(pool_size=3, processes_per_header=3))
    try:
        async with pool.lease(HEADER) as lease:
            await asyncio.sleep(0.5)  # let the other members import the header
        async with pool.lease(HEADER) as lease:  # ready processes join at once
            group = lease.group
            assert len(group.members) == 3
            root = (await group.command(THEOREM, lease.env)).sorries[0].state
            assert root.owner is lease.repl
            assert all(m.has_copy(root) for m in group.members)
            outs = await asyncio.gather(*(group.tactic(root, "constructor") for _ in range(3)))
            assert {o.state.owner for o in outs if isinstance(o, Advanced)} == set(group.members)
            assert all(m.adoptions == 0 for m in group.members)  # nothing was moved
            # a child made in one member continues in another through the recorded copy:
            # one replayed step, not the theorem command again
            child = next(o.state for o in outs if isinstance(o, Advanced))
            other = next(m for m in group.members if m is not child.owner)
            await other.adopt(child)
            assert other.adoptions == 1
    finally:
        await pool.close()


async def test_a_member_that_cannot_run_the_command_only_loses_its_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = ReplPool(standin_config(pool_size=2, processes_per_header=2))
    try:
        async with pool.lease(HEADER):
            await asyncio.sleep(0.5)
        async with pool.lease(HEADER) as lease:
            other = next(m for m in lease.group.members if m is not lease.repl)

            async def crash(*_a: object, **_k: object) -> None:
                raise LeanCrashed("the member died")

            monkeypatch.setattr(other, "command", crash)
            root = (await lease.group.command(THEOREM, lease.env)).sorries[0].state
            assert lease.repl.has_copy(root) and not other.has_copy(root)
            assert isinstance(await lease.repl.tactic(root, "constructor"), Advanced)
            monkeypatch.undo()  # the state's real use there moves it as usual
            assert isinstance(await lease.group.tactic(root, "constructor"), Advanced)
            await other.adopt(root)
            assert other.adoptions == 1
    finally:
        await pool.close()
