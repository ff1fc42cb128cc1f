"""Best-first search on the stand-in with scripted policies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from prover_core.config import SearchConfig
from prover_core.lean.repl import LeanRepl
from prover_core.policy.batcher import BatchingGenerator
from prover_core.policy.protocol import Sampling
from prover_core.search.best_first import BestFirstSearch
from prover_core.types import ProofState
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config

THM = "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ r := by sorry"
CFG = SearchConfig(width=4, expansions=50, wall_time_s=60)
SAMPLING = Sampling(temperature=1.0)


@pytest.fixture
async def repl() -> AsyncIterator[LeanRepl]:
    r = LeanRepl(standin_config())
    yield r
    await r.close()


async def _root(repl: LeanRepl, thm: str = THM) -> ProofState:
    return (await repl.command(thm)).sorries[0].state


def optimal(state: str) -> Sequence[tuple[str, float]]:
    """The right tactic first, with dead ends and junk around it."""
    goal = state.split("⊢")[1].split("\n")[0].strip()
    good = {
        "(p ∧ q) ∧ r": "constructor",
        "p ∧ q": "constructor",
        "p": "exact hp",
        "q": "exact hq",
        "r": "exact hr",
    }[goal]
    return [("exact hr", -3.0), (good, -0.1), ("intro x", -2.0), ("  " + good + " ", -0.5)]


async def test_finds_the_proof_and_records_the_tree(repl: LeanRepl) -> None:
    policy = ScriptedPolicy(optimal)
    res = await BestFirstSearch(await _root(repl), repl, policy, CFG, SAMPLING).run()
    assert res.status == "proved"
    assert res.proof == ("constructor", "constructor", "exact hp", "exact hq", "exact hr")
    tree = res.to_json()["tree"]
    outcomes = {e["outcome"] for e in tree["edges"]}
    assert {"proved", "advanced", "failed"} <= outcomes
    # whitespace variants are deduplicated before Lean: 3 distinct tactics per expansion
    assert all(policy.calls_by_state[s] == 1 for s in policy.calls_by_state)
    assert res.stats.tactics_run <= 3 * res.stats.expansions
    assert res.negatives and all(n["chosen"] != n["rejected"] for n in res.negatives)
    assert res.stats.wall_s >= res.stats.policy_s + res.stats.lean_s - 1e-6


async def test_screened_tactics_never_reach_lean(repl: LeanRepl) -> None:
    def cheat(state: str) -> Sequence[tuple[str, float]]:
        return [("sorry", -0.01), ("native_decide", -0.01), *optimal(state)]

    res = await BestFirstSearch(await _root(repl), repl, ScriptedPolicy(cheat), CFG, SAMPLING).run()
    edges = res.tree.to_json()["edges"]
    screened = [e for e in edges if e["tactic"] in ("sorry", "native_decide")]
    assert screened and all(e["outcome"] == "screened" for e in screened)
    assert res.proof is not None and "sorry" not in res.proof


async def test_loops_and_duplicate_states_are_merged(repl: LeanRepl) -> None:
    def loopy(state: str) -> Sequence[tuple[str, float]]:
        if "h2 : p" in state:
            return [("clear h2", -0.01), ("skip", -0.02)]
        return [("skip", -0.01), ("have h2 : p := hp", -0.02)]

    res = await BestFirstSearch(await _root(repl), repl, ScriptedPolicy(loopy), CFG, SAMPLING).run()
    assert res.status == "exhausted" and res.proof is None
    outcomes = [e["outcome"] for e in res.tree.to_json()["edges"]]
    assert "duplicate" in outcomes  # `skip` returns the same state: never expanded twice
    keys = [tuple(n["goals"]) for n in res.tree.to_json()["nodes"]]
    assert len(keys) == len(set(keys))


async def test_expansion_budget_is_honoured(repl: LeanRepl) -> None:
    def wander(state: str) -> Sequence[tuple[str, float]]:
        n = state.count("hx")
        return [(f"have hx{n} : p := hp", -0.1)]

    cfg = CFG.model_copy(update={"expansions": 7})
    res = await BestFirstSearch(
        await _root(repl), repl, ScriptedPolicy(wander), cfg, SAMPLING
    ).run()
    assert res.status == "expansion_budget" and res.stats.expansions == 7


async def test_wall_time_budget_is_honoured(repl: LeanRepl) -> None:
    def wander(state: str) -> Sequence[tuple[str, float]]:
        return [(f"have hx{state.count('hx')} : p := hp", -0.1)]

    cfg = CFG.model_copy(update={"expansions": 10_000, "wall_time_s": 0.5})
    res = await BestFirstSearch(
        await _root(repl), repl, ScriptedPolicy(wander, delay_s=0.05), cfg, SAMPLING
    ).run()
    assert res.status == "time_budget" and res.stats.wall_s < 2.0


async def test_priority_prefers_high_scores_and_depth_reward(repl: LeanRepl) -> None:
    # Two progress branches: the better-scored one is expanded first.
    def two(state: str) -> Sequence[tuple[str, float]]:
        if "hA" in state or "hB" in state:
            return [("exact hr", -0.1)]
        return [("have hA : p := hp", -0.2), ("have hB : q := hq", -1.5)]

    res = await BestFirstSearch(
        await _root(repl),
        repl,
        ScriptedPolicy(two),
        CFG.model_copy(update={"expansions": 2}),
        SAMPLING,
    ).run()
    expanded = [n for n in res.tree.to_json()["nodes"] if n["expanded"]]
    assert any("hA" in g for n in expanded for g in n["goals"])
    assert not any("hB" in g for n in expanded for g in n["goals"])


async def test_cancellation_stops_the_search(repl: LeanRepl) -> None:
    def wander(state: str) -> Sequence[tuple[str, float]]:
        return [(f"have hx{state.count('hx')} : p := hp", -0.1)]

    policy = ScriptedPolicy(wander, delay_s=0.02)
    cfg = CFG.model_copy(update={"expansions": 10_000})
    task = asyncio.create_task(
        BestFirstSearch(await _root(repl), repl, policy, cfg, SAMPLING).run()
    )
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    calls = len(policy.batches)
    await asyncio.sleep(0.2)
    assert len(policy.batches) == calls  # no more model calls after the cancel


async def test_concurrent_searches_share_one_batched_policy(repl: LeanRepl) -> None:
    inner = ScriptedPolicy(optimal, delay_s=0.01)
    policy = BatchingGenerator(inner, max_batch=64, max_wait_s=0.005)
    roots = [await _root(repl) for _ in range(8)]
    results = await asyncio.gather(
        *(BestFirstSearch(r, repl, policy, CFG, SAMPLING).run() for r in roots)
    )
    assert all(r.proved for r in results)
    assert max(inner.batches) > 1  # expansions of different searches were coalesced
    assert policy.stats.mean_batch > 1.5
