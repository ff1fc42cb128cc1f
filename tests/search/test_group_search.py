"""A search over several processes gives the answer it gives over one."""

from __future__ import annotations

import asyncio

from prover_core.config import SearchConfig
from prover_core.lean.pool import ReplPool
from prover_core.policy.protocol import Sampling
from prover_core.search.best_first import BestFirstSearch
from tests.support.random_policy import THM, RandomPolicy
from tests.support.standin import standin_config

HEADER = "-- group search"


async def _search(processes: int) -> tuple[list[tuple[str, str, str]], int]:
    pool = ReplPool(standin_config(pool_size=4, processes_per_header=4))
    try:
        async with pool.lease(HEADER, processes=processes) as lease:
            while len(lease.group.members) < processes:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            root = (await lease.repl.command(THM, lease.env)).sorries[0].state
            cfg = SearchConfig(width=6, expansions=8, wall_time_s=60)
            search = BestFirstSearch(
                root, lease.group, RandomPolicy(), cfg, Sampling(temperature=1.0, seed=11)
            )
            res = await search.run()
            used = sum(m.adoptions > 0 for m in lease.group.members)
        edges = [(e["state"], e["tactic"], e["outcome"]) for e in res.to_json()["tree"]["edges"]]
        return edges, used
    finally:
        await pool.close()


async def test_a_search_over_four_processes_matches_one_process() -> None:
    one, _ = await _search(1)
    four, used = await _search(4)
    assert four == one
    assert used >= 2  # states really moved to other processes


async def test_split_gives_agents_their_own_processes() -> None:
    pool = ReplPool(standin_config(pool_size=4, processes_per_header=4))
    try:
        async with pool.lease(HEADER, processes=4) as lease:
            while len(lease.group.members) < 4:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            two = lease.group.split(2)
            assert [len(g.members) for g in two] == [2, 2]
            assert not set(two[0].members) & set(two[1].members)
            many = lease.group.split(6)  # more agents than processes: shared, one each
            assert all(len(g.members) == 1 for g in many)
            root = (await lease.repl.command(THM, lease.env)).sorries[0].state
            outs = await asyncio.gather(*(g.tactic(root, "constructor") for g in two))
            assert {o.state.owner for o in outs if hasattr(o, "state")} <= set(lease.group.members)
    finally:
        await pool.close()
