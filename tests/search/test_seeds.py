"""Per-call seeds: a seeded search is the same twice, no two calls share draws; passes are
independent restarts; unseeded runs pass no seed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from prover_core.config import SearchConfig
from prover_core.lean.repl import LeanRepl
from prover_core.policy.batcher import BatchingGenerator
from prover_core.policy.protocol import Sampling
from prover_core.search.best_first import BestFirstSearch
from prover_core.types import TacticCandidate
from tests.support.random_policy import TACTICS, THM, RandomPolicy
from tests.support.standin import standin_config


@pytest.fixture
async def repl() -> AsyncIterator[LeanRepl]:
    r = LeanRepl(standin_config())
    yield r
    await r.close()


async def _search(
    repl: LeanRepl, seed: int | None, *, passes: int = 1, stream: object = 0
) -> tuple[list[tuple[str, str, str]], RandomPolicy]:
    root = (await repl.command(THM)).sorries[0].state
    cfg = SearchConfig(width=len(TACTICS), expansions=6, passes=passes, wall_time_s=60)
    policy = RandomPolicy()
    res = await BestFirstSearch(
        root, repl, policy, cfg, Sampling(temperature=1.0, seed=seed), stream=stream
    ).run()
    edges = [(e["state"], e["tactic"], e["outcome"]) for e in res.to_json()["tree"]["edges"]]
    return edges, policy


async def test_a_seeded_search_is_the_same_twice_and_never_reuses_draws(
    repl: LeanRepl,
) -> None:
    first, p1 = await _search(repl, 7)
    second, p2 = await _search(repl, 7)
    assert first == second and p1.seeds == p2.seeds
    assert len(p1.seeds) > 1 and len(set(p1.seeds)) == len(p1.seeds)  # one seed per call
    _, p3 = await _search(repl, 7, stream=1)  # another agent of the same run
    assert not set(p3.seeds) & set(p1.seeds)
    _, p4 = await _search(repl, 8)
    assert not set(p4.seeds) & set(p1.seeds)


async def test_an_unseeded_search_reseeds_nothing(repl: LeanRepl) -> None:
    _, policy = await _search(repl, None)
    assert policy.seeds and all(s is None for s in policy.seeds)


async def test_passes_are_independent_restarts_with_their_own_seeds(repl: LeanRepl) -> None:
    root = (await repl.command(THM)).sorries[0].state
    cfg = SearchConfig(width=1, expansions=2, passes=3, wall_time_s=60)

    class Stuck(RandomPolicy):
        async def generate(
            self, states: Sequence[str], n: int, sampling: Sampling
        ) -> list[list[TacticCandidate]]:
            self.seeds.append(sampling.seed)
            return [[TacticCandidate("intro x", -1.0, 2)] for _ in states]

    policy = Stuck()
    res = await BestFirstSearch(root, repl, policy, cfg, Sampling(seed=3)).run()
    # each pass restarts at the root (the failing root expansion is repeated once per pass)
    # instead of running one 6-expansion search, and draws from its own seeds
    assert res.stats.passes == 3 and res.stats.expansions == 3
    assert res.status == "exhausted"
    assert len(set(policy.seeds)) == 3


async def test_the_batcher_merges_seeded_calls_under_a_derived_seed() -> None:
    inner = RandomPolicy()
    batcher = BatchingGenerator(inner, max_batch=8, max_wait_s=0.05)

    a, b = Sampling(seed=1), Sampling(seed=2)
    await asyncio.gather(batcher.generate(["s"], 1, a), batcher.generate(["t"], 1, b))
    assert len(inner.seeds) == 1  # one backend call for both
    assert inner.seeds[0] not in (None, 1, 2)
    await batcher.generate(["u"], 1, Sampling(seed=None))
    assert inner.seeds[-1] is None
    await batcher.aclose()
