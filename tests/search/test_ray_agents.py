"""Planner-prover agents as Ray actors on a local cluster give the local answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from prover_core.config import Config, PlannerConfig, SearchConfig
from prover_core.lean.repl import LeanRepl
from prover_core.search.planner import PlannerClient
from prover_core.search.planner_prover import PlannerProver
from tests.support.planner_script import CONTEXT, GOOD, HEAD, make_policy
from tests.support.scripted_openai import scripted_openai
from tests.support.standin import standin_config

ray = pytest.importorskip("ray")
ROOT = str(Path(__file__).resolve().parents[2])


@pytest.mark.slow
async def test_ray_agents_give_the_local_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prover_core.search.ray_agents import RayAgents, subgoal_cache

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # Ray writes its auth token under HOME
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    repl = LeanRepl(standin_config())
    try:
        env = (await repl.command(CONTEXT)).env
        async with scripted_openai(make_policy()._script, plans=[GOOD, GOOD]) as server:
            cfg = Config(
                lean=standin_config(),
                search=SearchConfig(width=2, expansions=10, wall_time_s=60),
                planner=PlannerConfig(endpoint=server.url, model="m", agents=2,
                                      subgoal_expansions=5, replans=0),
            )  # fmt: skip
            planner = PlannerClient(cfg.planner)
            local = await PlannerProver(planner, make_policy(), cfg, seed=5).prove(
                repl, env, HEAD, context=CONTEXT
            )
            ray.init(
                num_cpus=2,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": {"PYTHONPATH": ROOT}},
            )
            agents = RayAgents(cfg, make_policy, "local")
            try:
                remote = await PlannerProver(
                    planner, make_policy(), cfg, seed=5, remote=agents
                ).prove(repl, env, HEAD, context=CONTEXT)
                cached = await subgoal_cache().size.remote()
            finally:
                await agents.aclose()
            await planner.aclose()
    finally:
        await repl.close()
        ray.shutdown()
    assert local.proof_block is not None and local.verdict is not None and local.verdict.ok
    assert remote.proof_block == local.proof_block
    assert remote.verdict is not None and remote.verdict.ok
    assert [s.source for s in remote.steps] == ["search", "search"]
    assert cached == 2  # the agents wrote both subgoals to the shared cache actor
