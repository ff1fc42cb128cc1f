"""Planner parsing, plan checking, the planner-prover loop and the shared subgoal cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from prover_core.config import Config, PlannerConfig, PolicyConfig, SearchConfig
from prover_core.errors import PolicyUnavailable
from prover_core.lean.repl import LeanRepl
from prover_core.lean.verify import verify_proof
from prover_core.policy.protocol import Sampling
from prover_core.search.planner import PlannerClient, PlannerUnavailable, parse_plan
from prover_core.search.planner_prover import PlannerProver
from prover_core.search.subgoal_cache import SubgoalCache
from prover_core.types import Env, TacticCandidate
from tests.support.planner_script import CONTEXT, GOOD, HEAD, prover_policy
from tests.support.scripted_openai import scripted_openai
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config

BROKEN = """```lean
have h1 : p := by sorry
exact h1
```"""  # the closing step does not prove the goal: the skeleton does not elaborate
STUCK = """```lean
have h1 : p := by sorry
have h2 : q ∧ r ∧ p := by sorry
exact ⟨h1, h2.1, h2.2.1⟩
```"""  # h2's statement is one the scripted prover cannot prove


def test_parse_plan_reads_steps_and_closing() -> None:
    plan = parse_plan("Sure!\n" + GOOD + "\nDone.")
    assert plan is not None
    assert [(s.name, s.statement) for s in plan.steps] == [("h1", "p"), ("h2", "q ∧ r")]
    assert plan.closing == ("exact ⟨h1, h2⟩",)
    assert plan.skeleton({"h1": ["exact hp"]}) == (
        "  have h1 : p := by\n    exact hp\n  have h2 : q ∧ r := by sorry\n  exact ⟨h1, h2⟩"
    )
    assert parse_plan("no code here") is None


def config(agents: int = 3) -> Config:
    return Config(
        lean=standin_config(),
        search=SearchConfig(width=2, expansions=10, wall_time_s=30),
        planner=PlannerConfig(endpoint="http://unused", model="m", agents=agents,
                              subgoal_expansions=5, replans=2, plan_retries=2),
    )  # fmt: skip


@pytest.fixture
async def repl_env() -> AsyncIterator[tuple[LeanRepl, Env]]:
    repl = LeanRepl(standin_config())
    env = (await repl.command(CONTEXT)).env
    yield repl, env
    await repl.close()


async def _prove(plans: list[str], repl: LeanRepl, env: Env, agents: int = 3) -> tuple:
    async with scripted_openai(prover_policy, plans=plans) as server:
        cfg = config(agents)
        cfg = cfg.model_copy(
            update={"planner": cfg.planner.model_copy(update={"endpoint": server.url})}
        )
        planner = PlannerClient(cfg.planner)
        policy = ScriptedPolicy(prover_policy)
        pp = PlannerProver(planner, policy, cfg)
        result = await pp.prove(repl, env, HEAD, context=CONTEXT)
        await planner.aclose()
        return result, server, pp, policy


async def test_a_good_plan_is_proved_and_verifies(repl_env: tuple[LeanRepl, Env]) -> None:
    repl, env = repl_env
    result, server, pp, _ = await _prove([GOOD], repl, env)
    assert result.proof_block is not None, result.message
    assert result.verdict is not None and result.verdict.ok
    assert [s.source for s in result.steps] == ["search", "search"]
    verdict = await verify_proof(standin_config(), "", HEAD, "by\n" + result.proof_block)
    assert verdict.ok
    assert len(pp.cache) == 2
    assert "theorem w" in server.chats[0]


async def test_a_plan_that_does_not_elaborate_is_asked_again(
    repl_env: tuple[LeanRepl, Env],
) -> None:
    repl, env = repl_env
    result, server, _, _ = await _prove([BROKEN, GOOD], repl, env)
    assert result.plans_rejected == 1 and result.proof_block is not None
    assert len(server.chats) == 2


async def test_a_stuck_subgoal_triggers_replanning_keeping_proven_steps(
    repl_env: tuple[LeanRepl, Env],
) -> None:
    repl, env = repl_env
    result, server, _, _ = await _prove([STUCK, GOOD], repl, env)
    assert result.replans == 1 and result.proof_block is not None
    # the replan prompt carries the proven step verbatim, with its proof
    assert "have h1 : p := by\n  exact hp" in server.chats[1]
    assert "q ∧ r ∧ p" in server.chats[1]
    assert [s.name for s in result.steps] == ["h1", "h2", "h2"]


async def test_replans_are_capped(repl_env: tuple[LeanRepl, Env]) -> None:
    repl, env = repl_env
    result, _, _, _ = await _prove([STUCK], repl, env)
    assert result.proof_block is None and result.replans == 2
    assert "unproven" in result.message


async def test_the_cache_is_reused_and_reverified(repl_env: tuple[LeanRepl, Env]) -> None:
    repl, env = repl_env
    async with scripted_openai(prover_policy, plans=[GOOD]) as server:
        cfg = config()
        cfg = cfg.model_copy(
            update={"planner": cfg.planner.model_copy(update={"endpoint": server.url})}
        )
        planner = PlannerClient(cfg.planner)
        cache = SubgoalCache()
        policy = ScriptedPolicy(prover_policy)
        first = await PlannerProver(planner, policy, cfg, cache).prove(
            repl, env, HEAD, context=CONTEXT
        )
        calls = len(policy.batches)
        again = await PlannerProver(planner, policy, cfg, cache).prove(
            repl, env, HEAD, context=CONTEXT
        )
        await planner.aclose()
    assert first.proof_block == again.proof_block
    assert [s.source for s in again.steps] == ["cache", "cache"]
    assert len(policy.batches) == calls  # no search the second time
    assert cache.hits == 2
    # a wrong cached proof is not trusted: it is re-verified and searched again
    cache2 = SubgoalCache()
    cache2.put(HEAD, "p", ["exact hq"])
    async with scripted_openai(prover_policy, plans=[GOOD]) as server:
        cfg = cfg.model_copy(
            update={"planner": cfg.planner.model_copy(update={"endpoint": server.url})}
        )
        planner = PlannerClient(cfg.planner)
        res = await PlannerProver(planner, ScriptedPolicy(prover_policy), cfg, cache2).prove(
            repl, env, HEAD, context=CONTEXT
        )
        await planner.aclose()
    assert res.steps[0].source == "search" and res.proof_block is not None


class SeededPolicy(ScriptedPolicy):
    """Agent 0 (the base temperature) knows the proofs after a short delay; the others
    wander forever."""

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        self.batches.append(len(states))
        await asyncio.sleep(0.01)
        out = []
        for state in states:
            if sampling.temperature == PolicyConfig().temperature:
                pairs = prover_policy(state)
            else:
                pairs = [(f"have x{state.count(' : p')} : p := hp", -0.1)]
            out.append([TacticCandidate(t, 2 * lp, 2) for t, lp in pairs][:n])
        return out


async def test_the_first_agent_wins_and_the_others_stop(repl_env: tuple[LeanRepl, Env]) -> None:
    repl, env = repl_env
    async with scripted_openai(prover_policy, plans=[GOOD]) as server:
        cfg = config(agents=4)
        cfg = cfg.model_copy(
            update={
                "planner": cfg.planner.model_copy(
                    update={"endpoint": server.url, "subgoal_expansions": 10_000}
                )
            }
        )
        planner = PlannerClient(cfg.planner)
        policy = SeededPolicy(prover_policy)
        pp = PlannerProver(planner, policy, cfg)
        result = await asyncio.wait_for(pp.prove(repl, env, HEAD, context=CONTEXT), 30)
        await planner.aclose()
    assert result.proof_block is not None
    assert len(policy.batches) < 60  # the wanderers were cancelled as soon as agent 0 won
    calls = len(policy.batches)
    await asyncio.sleep(0.3)
    assert len(policy.batches) == calls  # no agent keeps calling the model


def test_planner_needs_an_endpoint() -> None:
    with pytest.raises(PlannerUnavailable, match="endpoint"):
        PlannerClient(PlannerConfig())


class DeadPolicy(ScriptedPolicy):
    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        self.batches.append(len(states))
        raise PolicyUnavailable("model server down")


async def test_an_agent_failure_ends_the_run_with_that_error(
    repl_env: tuple[LeanRepl, Env],
) -> None:
    repl, env = repl_env
    async with scripted_openai(prover_policy, plans=[GOOD, GOOD, GOOD]) as server:
        cfg = config()
        cfg = cfg.model_copy(
            update={"planner": cfg.planner.model_copy(update={"endpoint": server.url})}
        )
        planner = PlannerClient(cfg.planner)
        pp = PlannerProver(planner, DeadPolicy(prover_policy), cfg)
        with pytest.raises(PolicyUnavailable, match="model server down"):
            await pp.prove(repl, env, HEAD, context=CONTEXT)
        await planner.aclose()
    assert len(server.chats) == 1  # no replan after the failure


CHEAT = "theorem cheat (a : Prop) : a := sorry"


def cheating_policy(state: str) -> Sequence[tuple[str, float]]:
    goal = state.split("⊢")[1].split("\n")[0].strip()
    return [("exact cheat _", -0.1)] if goal == "p" else prover_policy(state)


async def test_a_step_proof_that_fails_verification_is_not_returned() -> None:
    repl = LeanRepl(standin_config())
    try:
        env = (await repl.command(CHEAT)).env
        async with scripted_openai(prover_policy, plans=[GOOD]) as server:
            cfg = config()
            cfg = cfg.model_copy(
                update={"planner": cfg.planner.model_copy(update={"endpoint": server.url})}
            )
            planner = PlannerClient(cfg.planner)
            pp = PlannerProver(planner, ScriptedPolicy(cheating_policy), cfg)
            result = await pp.prove(repl, env, HEAD, context=CHEAT)
            await planner.aclose()
        # every step was proven in the REPL, but the whole relies on a sorry'd lemma
        assert result.steps[0].proof == ("exact cheat _",)
        assert result.proof_block is None
        assert result.verdict is not None and result.verdict.check == "axioms"
        assert "verification" in result.message
    finally:
        await repl.close()
