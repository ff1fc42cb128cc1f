"""Evaluation with the planner: plans from a scripted chat server, steps proved by agents,
the report counts verified planner proofs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prover_core.config import Config, PlannerConfig, SearchConfig
from prover_core.lean.pool import ReplPool
from prover_core.search.planner import PlannerClient
from tests.support.scripted_openai import scripted_openai
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config
from training.config import SearchStage
from training.evaluate import evaluate
from training.planned import PlannerChunkProver
from training.problems import Problem

PLAN = """```lean
have h1 : p := by sorry
have h2 : q ∧ r := by sorry
exact ⟨h1, h2⟩
```"""


def policy(state: str) -> Sequence[tuple[str, float]]:
    goal = state.split("⊢")[1].split("\n")[0].strip()
    return {"p": [("exact hp", -0.1)], "q ∧ r": [("exact ⟨hq, hr⟩", -0.1)]}.get(
        goal, [("exact hq", -0.1)]
    )


async def test_planner_eval_proves_and_verifies(tmp_path: Path) -> None:
    lean = standin_config()
    problems = [
        Problem("w", "theorem w (p q r : Prop) (hp : p) (hq : q) (hr : r) : p ∧ q ∧ r"),
        Problem("z", "theorem z (p q r : Prop) (hq : q) (hr : r) : p ∧ q ∧ r"),  # false plan
    ]
    async with scripted_openai(policy, plans=[PLAN]) as server:
        config = Config(
            lean=lean,
            search=SearchConfig(width=2, expansions=8),
            planner=PlannerConfig(endpoint=server.url, model="m", agents=2,
                                  subgoal_expansions=8, replans=1),
        )  # fmt: skip
        client = PlannerClient(config.planner)
        pool = ReplPool(lean)
        try:
            prover = PlannerChunkProver(ScriptedPolicy(policy), pool, client, config)
            rows = await evaluate(
                prover, problems, SearchStage(search=SearchConfig(expansions=8)), 0, tmp_path, lean
            )
        finally:
            await pool.close()
            await client.aclose()
    by_name = {r.name: r for r in rows}
    assert by_name["w"].proved and by_name["w"].verified
    assert by_name["w"].proof is not None and by_name["w"].proof[0] == "have h1 : p := by"
    assert not by_name["z"].proved
    assert (tmp_path / "results.jsonl").exists()
