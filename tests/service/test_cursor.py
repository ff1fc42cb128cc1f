"""The one cursor rule through `Service.suggest` (the CLI and the server both call it), the
`n` cap, and anchored placement of a found proof, on the stand-in with a scripted policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from prover_core.config import Config, SearchConfig
from prover_core.cursor import locate
from prover_core.lean.decl import find_declaration
from prover_core.lean.pool import ReplPool
from prover_core.service import Anchor, Service
from prover_core.types import Refusal
from tests.support.scripted_policy import ScriptedPolicy
from tests.support.standin import standin_config

FILE = """theorem imp (p q : Prop) (hq : q) : p → q := by
  intro hp
  sorry

theorem both (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  sorry

theorem inner (p q : Prop) (hp : p) (hq : q) : q ∧ p := by
  have h : p ∧ q := by sorry
  exact ⟨h.2, h.1⟩
"""


def script(state: str) -> Sequence[tuple[str, float]]:
    goal = state.split("⊢")[1].split("\n")[0].strip()  # the first goal
    table = {
        "q": [("exact hq", -0.1), ("exact hp", -0.2), ("exact hq", -0.5)],
        "p → q": [("intro hp", -0.1)],
        "p ∧ q": [("constructor", -0.2), ("exact ⟨hp, hq⟩", -0.3)],
        "p": [("exact hp", -0.1)],
        "p ∧ q ∧ q": [("constructor", -0.1)],
        "q ∧ q": [("exact ⟨hq, hq⟩", -0.1)],
    }
    return table.get(goal, [("exact hp", -1.0)])


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    cfg = Config(lean=standin_config(), search=SearchConfig(max_suggestions=8))
    svc = Service(cfg, ScriptedPolicy(script), ReplPool(cfg.lean))
    yield svc
    await svc.aclose()


def at(text: str, line: int, column: int) -> int:
    return sum(len(x) + 1 for x in text.split("\n")[:line]) + column


@pytest.mark.parametrize("column", [2, 4, 7], ids=["on", "inside", "right-after"])
async def test_on_inside_or_after_a_sorry_the_suggestion_replaces_it(
    service: Service, column: int
) -> None:
    res = await service.suggest(FILE, 2, column)
    assert res.goal is not None and res.goal.endswith("hp : p\n⊢ q")
    assert res.insert is not None and not res.insert.new_line
    assert FILE[res.insert.start : res.insert.end] == "sorry"
    best = res.suggestions[0]
    assert (best.tactic, best.outcome, best.insert_text) == ("exact hq", "proved", "exact hq")
    assert res.counts.sampled == 3 and res.counts.duplicates == 1
    assert res.summary == "3 sampled: 1 proves the goal, 1 rejected by Lean, 1 duplicate"


async def test_at_the_end_of_a_tactic_line_the_goal_after_it_goes_below(
    service: Service,
) -> None:
    res = await service.suggest(FILE, 1, len("  intro hp"))
    assert res.goal is not None and res.goal.endswith("hp : p\n⊢ q")  # after `intro hp`
    assert res.insert is not None and res.insert.new_line and res.insert.indent == 2
    assert res.insert.start == res.insert.end == at(FILE, 1, len("  intro hp"))
    assert res.suggestions[0].insert_text == "\n  exact hq"


@pytest.mark.parametrize("column", [0, 2])
async def test_on_an_empty_line_the_goal_there_at_the_block_indentation(
    service: Service, column: int
) -> None:
    text = FILE.replace("  intro hp\n  sorry", "  intro hp\n  \n  sorry")
    res = await service.suggest(text, 2, column)
    assert res.goal is not None and res.goal.endswith("hp : p\n⊢ q")
    assert res.insert is not None and not res.insert.new_line and res.insert.indent == 2
    assert text[res.insert.start : res.insert.end] == "  "
    assert res.suggestions[0].insert_text == "  exact hq"


async def test_a_tactic_leaving_goals_inserts_one_bullet_per_goal(service: Service) -> None:
    res = await service.suggest(FILE, 5, 2)
    by_tactic = {s.tactic: s for s in res.suggestions}
    assert by_tactic["constructor"].outcome == "advanced"
    assert by_tactic["constructor"].insert_text == "constructor\n  · sorry\n  · sorry"
    assert by_tactic["exact ⟨hp, hq⟩"].outcome == "proved"
    assert [s.outcome for s in res.suggestions] == ["proved", "advanced"]


async def test_a_sorry_after_by_is_replaced_on_an_indented_line(service: Service) -> None:
    line = FILE.split("\n").index("  have h : p ∧ q := by sorry")
    res = await service.suggest(FILE, line, len("  have h : p ∧ q := by so"))
    assert res.insert is not None and res.insert.new_line and res.insert.indent == 4
    assert FILE[res.insert.start : res.insert.end] == " sorry"
    assert res.suggestions[0].insert_text == "\n    exact ⟨hp, hq⟩"


async def test_outside_a_block_and_bad_requests_are_refusals(service: Service) -> None:
    outside = await service.suggest(FILE, 0, 5)
    assert outside.refusal is not None and outside.refusal.kind == "no_goal"
    assert "outside a tactic block" in outside.summary
    capped = await service.suggest(FILE, 2, 2, n=9)
    assert capped.refusal is not None and capped.refusal.kind == "bad_request"
    assert "search.max_suggestions" in capped.refusal.message and "1..8" in capped.summary
    assert (await service.suggest(FILE, 2, 2, n=8)).refusal is None


def test_after_a_tactic_on_the_by_line_the_block_is_at_that_tactic() -> None:
    text = "theorem x (p q : Prop) (hp : p) : p ∧ p := by constructor\n"
    target = locate(text, text.index("constructor") + len("constructor"))
    assert not isinstance(target, Refusal) and target.kind == "line"
    assert target.plan.indent == text.index("constructor") and target.plan.new_line
    assert target.probe.source.endswith("constructor\n" + " " * target.plan.indent + "skip")


def test_a_term_sorry_is_refused_by_the_rule() -> None:
    text = "theorem x (p : Prop) (hp : p) : p ∧ p := by\n  exact ⟨sorry, hp⟩\n"
    target = locate(text, text.index("sorry") + 1)
    assert isinstance(target, Refusal) and "inside a term" in target.message


# --- anchored placement -------------------------------------------------------------------


async def test_a_proof_lands_right_after_an_edit_above_the_theorem(service: Service) -> None:
    res = await service.prove(FILE, theorem="both")
    assert res.proved and res.anchor == Anchor("both", 0) and res.proof is not None
    moved = "-- a comment\n-- another\n" + FILE
    placed = await service.place(moved, res.anchor, res.proof, res.verified_on)
    assert placed.status == "placed" and placed.edit is not None
    new = placed.edit.apply(moved)
    assert new.startswith("-- a comment\n-- another\ntheorem imp")
    assert "theorem both (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  exact ⟨hp, hq⟩\n" in new
    assert new.count("sorry") == moved.count("sorry") - 1


async def test_a_changed_declaration_is_verified_again_or_withheld(service: Service) -> None:
    res = await service.prove(FILE, theorem="both")
    assert res.anchor is not None and res.proof is not None
    renamed = FILE.replace("(hp : p) (hq : q) : p ∧ q", "(hp : p) (hq' : q) : p ∧ q")
    withheld = await service.place(renamed, res.anchor, res.proof, res.verified_on)
    assert withheld.status == "withheld" and withheld.edit is None
    assert "no longer checks" in withheld.message
    spaced = FILE.replace("(hp : p) (hq : q) : p ∧ q", "(hp : p)  (hq : q) : p ∧ q")
    again = await service.place(spaced, res.anchor, res.proof, res.verified_on)
    assert again.status == "placed" and again.edit is not None
    assert "verified again" in again.message
    gone = await service.place(FILE.replace("theorem both", "theorem other"), res.anchor,
                               res.proof, res.verified_on)  # fmt: skip
    assert gone.status == "withheld" and "no longer in the file" in gone.message


async def test_a_multi_tactic_proof_under_have_by_goes_on_indented_lines(
    service: Service,
) -> None:
    text = FILE.replace("  have h : p ∧ q := by sorry", "  have h : p ∧ q ∧ q := by sorry")
    text = text.replace("exact ⟨h.2, h.1⟩", "exact ⟨h.2.1, h.1⟩")
    decl = find_declaration(text, "inner")
    assert decl is not None
    res = await service.prove(text, theorem="inner")
    assert res.proved and res.edit is not None, res.message
    new = res.edit.apply(text)
    assert "  have h : p ∧ q ∧ q := by\n    constructor\n" in new, new
