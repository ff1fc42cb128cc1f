"""The service facade on the stand-in with a scripted policy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from prover_core.config import Config
from prover_core.lean.pool import ReplPool
from prover_core.policy.batcher import BatchingGenerator
from prover_core.service import Service
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config

FILE = """-- stand-in theorems
theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  constructor
  \n  exact hq

theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry

theorem v (p : Prop) (hp : p) : p ∧ p := by
  constructor
  · sorry
  · exact hp
"""


def script(state: str) -> Sequence[tuple[str, float]]:
    goal = state.split("⊢")[1].split("\n")[0].strip()
    table = {
        "p": [("exact hp", -0.2), ("exact hq", -0.1), ("sorry", -0.01), ("intro x", -0.3)],
        "q ∧ p": [("exact ⟨h.2, h.1⟩", -0.5), ("constructor", -0.2)],
        "q": [("exact h.2", -0.1)],
    }
    return table.get(goal, [("exact h.1", -0.1), ("exact hp", -0.3)])


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    cfg = Config(lean=standin_config())
    svc = Service(cfg, ScriptedPolicy(script), ReplPool(cfg.lean))
    yield svc
    await svc.aclose()


async def test_suggestions_are_checked_and_ranked(service: Service) -> None:
    res = await service.suggest(FILE, 3, 2, n=8)
    assert res.refusal is None
    assert res.goal is not None and res.goal.startswith("case left")
    assert [s.tactic for s in res.suggestions] == ["exact hp", "exact hq", "intro x"]
    assert [s.outcome for s in res.suggestions] == ["advanced", "failed", "failed"]
    assert res.suggestions[0].goals_after == ("case right\np q : Prop\nhp : p\nhq : q\n⊢ q",)
    assert res.suggestions[2].message  # Lean's error text
    assert all(s.tactic != "sorry" for s in res.suggestions)  # screened out


async def test_a_typed_prefix_filters_inline_suggestions_only(service: Service) -> None:
    text = FILE.replace("  \n  exact hq", "  exact h\n  exact hq")
    res = await service.suggest(text, 3, 9, n=8, mode="inline")
    assert [s.tactic for s in res.suggestions] == ["exact hp", "exact hq"]
    assert res.counts.filtered == 2 and "not matching what is typed" in res.summary
    # the list mode takes `exact h` as the line's tactic: the goal after it (Lean recovers
    # from the failing `exact h` by closing its goal), inserted on a new line below
    listed = await service.suggest(text, 3, 9, n=8)
    assert listed.goal is not None and listed.goal.startswith("case right")
    assert listed.insert is not None and listed.insert.new_line


async def test_suggest_outside_a_tactic_block(service: Service) -> None:
    res = await service.suggest(FILE, 0, 3)
    assert res.suggestions == () and res.refusal is not None
    assert res.refusal.kind == "no_goal" and res.summary.startswith("no proof state here")
    bad = await service.suggest(FILE, 99, 0)
    assert bad.refusal is not None and bad.refusal.kind == "bad_request"
    assert "outside" in bad.refusal.message


async def test_prove_a_whole_theorem_gives_a_verified_edit(service: Service) -> None:
    res = await service.prove(FILE, theorem="u")
    assert res.proved and res.edit is not None and res.verdict is not None and res.verdict.ok
    new = res.edit.apply(FILE)
    assert "theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  exact ⟨h.2, h.1⟩\n" in new
    assert new.count("sorry") == FILE.count("sorry") - 1


async def test_prove_a_sorry_inside_a_bullet(service: Service) -> None:
    line = FILE.splitlines().index("  · sorry")
    res = await service.prove(FILE, line=line, column=5)
    assert res.proved and res.edit is not None
    assert "  · exact hp\n  · exact hp" in res.edit.apply(FILE)


async def test_prove_reports_failures_as_values(service: Service) -> None:
    assert not (await service.prove(FILE, theorem="nope")).proved
    assert "no sorry" in (await service.prove(FILE, theorem="t")).message


async def test_suggest_and_prove_on_a_batcher_never_wait_out_its_timer() -> None:
    """Each request joins the batcher as a member, so alone it runs at once even with a
    timer far longer than the whole request."""
    cfg = Config(lean=standin_config())
    policy = BatchingGenerator(ScriptedPolicy(script), max_batch=64, max_wait_s=60.0)
    svc = Service(cfg, policy, ReplPool(cfg.lean))
    try:
        res = await asyncio.wait_for(svc.suggest(FILE, 3, 2, n=8), 20.0)
        assert [s.tactic for s in res.suggestions][:1] == ["exact hp"]
        proved = await asyncio.wait_for(svc.prove(FILE, theorem="u"), 20.0)
        assert proved.proved
        assert policy.stats.calls >= 2
    finally:
        await svc.aclose()
