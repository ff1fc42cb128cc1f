"""Over stdio against the real server: anchored edits while the user types, the five cursor
positions, the ghost-text cache, bad positions and the `n` cap (params failing validation:
test_framing.py)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from prover_core.lean.decl import find_declaration
from prover_core.lean.verify import verify_proof
from tests.lsp.lsp_session import Session, lsp_session
from tests.support.standin import standin_config

FILE = """theorem imp (p q : Prop) (hq : q) : p → q := by
  intro hp
  sorry

theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry
"""
U_SORRY = {"line": 5, "character": 3}


class Gate:
    """While closed, the policy keeps the search busy with fresh states; once open it
    offers the proof."""

    def __init__(self) -> None:
        self.open = False

    def policy(self, state: str) -> Sequence[tuple[str, float]]:
        goal = state.split("⊢")[1].split("\n")[0].strip()
        if goal == "q ∧ p":
            if not self.open:
                return [(f"have x{state.count(' : p')} : p := h.1", -0.1)]
            return [("exact ⟨h.2, h.1⟩", -0.1)]
        table = {"q": [("exact hq", -0.1), ("exact hp", -0.3)], "p → q": [("intro hp", -0.2)]}
        return table.get(goal, [("exact hp", -1.0)])


@pytest.fixture
async def gate() -> Gate:
    return Gate()


@pytest.fixture
async def session(tmp_path: Path, gate: Gate) -> AsyncIterator[Session]:
    async with lsp_session(
        tmp_path, gate.policy, init={"search": {"expansions": 100000}}, delay_s=0.05
    ) as s:
        yield s


def apply(text: str, edit: Any) -> str:
    lines = text.split("\n")
    start, end = edit.range.start, edit.range.end
    head = "\n".join([*lines[: start.line], lines[start.line][: start.character]])
    tail = "\n".join([lines[end.line][end.character :], *lines[end.line + 1 :]])
    return head + edit.newText + tail


async def search_while(session: Session, gate: Gate, uri: str, act: Any) -> Any:
    """Start a search on `u`'s sorry, run `act` once it is under way, then let it succeed."""
    params = {"textDocument": {"uri": uri}, "position": U_SORRY, "workDoneToken": "search"}
    fut = asyncio.ensure_future(session.request("leanstep/searchProof", params))
    for _ in range(1200):  # the search has asked the model a few times
        if session.scripted.completions >= 3 or fut.done():
            break
        await asyncio.sleep(0.05)
    assert not fut.done(), fut.result()
    act()
    await asyncio.sleep(0.5)  # the notification is read before the proof comes
    gate.open = True
    return await asyncio.wait_for(fut, 60)


async def test_an_edit_above_the_theorem_during_a_search_lands_right(
    session: Session, gate: Gate
) -> None:
    uri = session.open("a.lean", FILE)
    moved = "-- notes\n-- more notes\n" + FILE
    res = await search_while(session, gate, uri, lambda: session.change(uri, moved))
    assert res.proved and res.status == "proved", res.message
    assert res.anchor.declaration == "u" and res.anchor.sorry == 0
    [change] = res.edit.documentChanges
    assert change.textDocument.version == 2
    [edit] = change.edits
    new = apply(moved, edit)
    assert new.startswith("-- notes\n-- more notes\ntheorem imp")
    decl = find_declaration(new, "u")
    assert decl is not None and "exact ⟨h.2, h.1⟩" in decl.proof and "sorry" not in decl.proof
    assert (await verify_proof(standin_config(), "", decl.head, decl.proof)).ok
    assert session.search_progress and session.search_progress[-1].budget == 100000
    assert session.search_progress[-1].bestPath[0].startswith("have x")
    reports = [p.get("message") if isinstance(p, dict) else None for p in session.progress]
    assert any(
        re.fullmatch(r"\d+/100000 expansions · \d+\.\d s · best depth \d+", m or "")
        for m in reports
    ), reports


@pytest.mark.parametrize(
    ("old", "new", "status"),
    [
        ("(h : p ∧ q) : q ∧ p", "(h : p ∧ q)  : q ∧ p", "proved"),  # re-checked: still fine
        ("(h : p ∧ q) : q ∧ p", "(h : q ∧ p) : q ∧ p", "withheld"),  # no longer checks
    ],
    ids=["rechecked", "withheld"],
)
async def test_an_edit_inside_the_declaration_is_rechecked_or_withheld(
    session: Session, gate: Gate, old: str, new: str, status: str
) -> None:
    uri = session.open("a.lean", FILE)
    changed = FILE.replace(old, new)
    res = await search_while(session, gate, uri, lambda: session.change(uri, changed))
    assert res.status == status, res.message
    if status == "proved":
        assert "verified again" in res.message
        [change] = res.edit.documentChanges
        assert change.textDocument.version == 2
        decl = find_declaration(apply(changed, change.edits[0]), "u")
        assert decl is not None and "sorry" not in decl.proof
    else:
        assert not hasattr(res, "edit") and not res.proved and "no longer checks" in res.message
        # placeProof on the same anchor answers the same, without a search
        again = await session.request(
            "leanstep/placeProof",
            {"textDocument": {"uri": uri}, "anchor": {"declaration": "u", "sorry": 0},
             "proof": list(res.proof)},
        )  # fmt: skip
        assert again.status == "withheld" and not hasattr(again, "edit")


async def test_a_document_closed_during_a_search_gets_a_quiet_withheld_answer(
    session: Session, gate: Gate
) -> None:
    uri = session.open("a.lean", FILE)
    res = await search_while(session, gate, uri, lambda: session.close(uri))
    assert res.status == "withheld" and not hasattr(res, "edit") and "closed" in res.message


@pytest.mark.parametrize(
    ("line", "character", "goal_end", "insert_text"),
    [
        (2, 2, "⊢ q", "exact hq"),  # on the sorry
        (2, 4, "⊢ q", "exact hq"),  # inside it
        (2, 7, "⊢ q", "exact hq"),  # right after it
        (1, 10, "⊢ q", "\n  exact hq"),  # end of `intro hp`: the goal after it, below
        (5, 0, "⊢ q", "  exact hq"),  # an empty line of the block
    ],
    ids=["on-sorry", "inside-sorry", "after-sorry", "end-of-intro", "empty-line"],
)
async def test_the_five_cursor_positions(
    session: Session, line: int, character: int, goal_end: str, insert_text: str
) -> None:
    text = FILE
    if line == 5:  # an empty line between two tactics
        text = "theorem w (p q : Prop) (hq : q) : p → q := by\n  intro hp\n\n\n\n\n  exact hq\n"
    uri = session.open("c.lean", text)
    res = await session.request(
        "leanstep/suggestTactics",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    )
    assert res.goal is not None and res.goal.endswith(goal_end), res.summary
    assert res.suggestions[0].tactic == "exact hq"
    assert res.suggestions[0].insertText == insert_text
    if line == 2:  # the range covers the sorry
        r = res.insert.range
        assert (r.start.line, r.start.character, r.end.character) == (2, 2, 7)


async def test_ghost_text_is_cached_by_version_and_position(session: Session) -> None:
    assert session.capabilities is not None
    assert session.capabilities.inline_completion_provider is not None  # advertised
    text = "theorem w (p q : Prop) (hq : q) : p → q := by\n  intro hp\n  \n"
    uri = session.open("g.lean", text)

    async def ghost(character: int) -> Any:
        return await session.ghost(uri, 2, character)

    first = await ghost(2)
    calls = session.scripted.completions
    again = await ghost(2)
    assert session.scripted.completions == calls  # served from the cache
    assert first.items[0].insert_text == again.items[0].insert_text == "  exact hq"
    assert first.items[0].command.title == "✓ proves the goal"
    await ghost(0)  # another column is another key: asked again
    assert session.scripted.completions == calls + 1
    # a null goal is never cached: outside the block it is asked (and null) each time
    session.change(uri, "-- x\n" + text)
    assert await session.ghost(uri, 0, 3) is None


async def test_after_by_and_enter_the_ghost_text_is_indented(session: Session) -> None:
    text = "theorem w (p q : Prop) (hq : q) : q := by\n\n"
    uri = session.open("h.lean", text)
    res = await session.ghost(uri, 1, 0)
    assert res is not None and res.items[0].insert_text == "  exact hq"


async def test_bad_requests_get_invalid_params(session: Session) -> None:
    uri = session.open("a.lean", FILE)
    with pytest.raises(JsonRpcException, match=r"search\.max_suggestions") as e:
        await session.request(
            "leanstep/suggestTactics",
            {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 2}, "n": 10**9},
        )
    assert e.value.code == -32602
    with pytest.raises(JsonRpcException, match="outside the document") as e:
        await session.request(
            "leanstep/suggestTactics",
            {"textDocument": {"uri": uri}, "position": {"line": 99, "character": 0}},
        )
    assert e.value.code == -32602
    # and the server still answers
    res = await session.request(
        "leanstep/suggestTactics",
        {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 2}, "n": 2},
    )
    assert res.suggestions[0].outcome == "proved"
