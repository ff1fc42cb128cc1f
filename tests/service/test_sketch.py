"""`Service.sketch`: plans may begin with tactics, the tactics already written before the
cursor are kept, and every rejected plan says why."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from prover_core.config import Config, PlannerConfig
from prover_core.lean.pool import ReplPool
from prover_core.search.planner import PlannerClient
from prover_core.service import Service
from tests.support.scripted_openai import ScriptedServer, scripted_openai
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config

TEXT = "theorem w (p q r : Prop) (hp : p) (hq : q) : r → p ∧ q := by\n  intro hr\n  sorry\n"
NO_PLAN = "I would rather not."
BAD = "```lean\nhave h1 : p := by sorry\nexact ⟨h1, nonsense⟩\n```"
LEADING = "```lean\nintro hr\nhave h1 : p := by sorry\nhave h2 : q := by sorry\nexact ⟨h1, h2⟩\n```"
SKELETON = (
    ":= by\n  intro hr\n  have h1 : p := by sorry\n  have h2 : q := by sorry\n  exact ⟨h1, h2⟩"
)


@asynccontextmanager
async def planning(
    plans: Sequence[str], retries: int
) -> AsyncIterator[tuple[Service, ScriptedServer]]:
    async with scripted_openai(lambda s: [], plans=plans) as server:
        cfg = Config(
            lean=standin_config(),
            planner=PlannerConfig(endpoint=server.url, model="planner", plan_retries=retries),
        )
        svc = Service(cfg, ScriptedPolicy(lambda s: []), ReplPool(cfg.lean),
                      planner=PlannerClient(cfg.planner))  # fmt: skip
        try:
            yield svc, server
        finally:
            await svc.aclose()


async def test_sketch_keeps_leading_tactics_and_the_ones_before_the_cursor() -> None:
    async with planning([NO_PLAN, BAD, LEADING], 3) as (svc, server):
        by_name = await svc.sketch(TEXT, "w")
        assert by_name.status == "sketched" and by_name.edit is not None
        assert by_name.edit.new_text == SKELETON  # the plan's own leading `intro hr`
        assert by_name.planner is not None and by_name.planner.plans_rejected == 2
        # at the cursor below `intro hr`: the written tactic is kept, the planner sees it,
        # and restating it in the plan does not repeat it
        at_cursor = await svc.sketch(TEXT, line=2, column=2)
        assert at_cursor.edit is not None and at_cursor.edit.new_text == SKELETON
        assert "intro hr" in server.chats[-1]


async def test_a_sketch_with_no_usable_plan_lists_the_reasons() -> None:
    async with planning([NO_PLAN, BAD], 1) as (svc, _):
        res = await svc.sketch(TEXT, "w")
    assert res.status == "rejected" and res.edit is None
    assert res.rejected[0] == "plan 1: no `have … := by sorry` step"
    assert res.rejected[1].startswith("plan 2: line 2: does not elaborate:"), res.rejected
