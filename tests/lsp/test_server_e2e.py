"""End to end over stdio: pygls's client drives `leanstep serve --stdio` (a real process),
with the stand-in REPL and a scripted OpenAI-compatible policy and planner."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from lsprotocol import types

from prover_core.lean.decl import find_declaration
from prover_core.lean.verify import verify_proof
from tests.lsp.lsp_session import Session, lsp_session
from tests.support.standin import standin_config

FILE = """theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  constructor
  \n  exact hq

theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry

theorem w (p q r : Prop) (hp : p) (hq : q) (hr : r) : p ∧ q ∧ r := by
  sorry
"""

PLAN = """Here is a plan:
```lean
have h1 : p := by sorry
have h2 : q ∧ r := by sorry
exact ⟨h1, h2⟩
```"""


def policy(state: str) -> Sequence[tuple[str, float]]:
    goal = state.split("⊢")[1].split("\n")[0].strip()
    table = {
        "p": [("exact hp", -0.2), ("exact hq", -0.1)],
        "q ∧ p": [("exact ⟨h.2, h.1⟩", -0.3), ("constructor", -0.4)],
        "q ∧ r": [("exact ⟨hq, hr⟩", -0.3)],
        "q": [("exact hq", -0.1)],
    }
    if goal == "s ∧ s":  # an endless supply of new states
        return [(f"have x{state.count(' : s')} : s := hs", -0.1)]
    return table.get(goal, [("exact h.1", -1.0)])


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[Session]:
    async with lsp_session(tmp_path, policy, plans=(PLAN,), planner=True) as sess:
        yield sess


def pos(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


async def test_suggestions_for_a_stand_in_theorem(session: Session) -> None:
    uri = session.open("a.lean", FILE)
    res = await session.request(
        "leanstep/suggestTactics", {"textDocument": {"uri": uri}, "position": pos(2, 2), "n": 4}
    )
    assert res.goal.startswith("case left")
    tactics = [(s.tactic, s.outcome) for s in res.suggestions]
    assert tactics == [("exact hp", "advanced"), ("exact hq", "failed")]
    assert res.suggestions[0].goalsAfter == ["case right\np q : Prop\nhp : p\nhq : q\n⊢ q"]
    assert res.version == 1
    assert res.summary == "4 sampled: 1 makes progress, 1 rejected by Lean, 2 duplicates"
    c = res.counts
    assert (c.sampled, c.duplicates, c.advanced, c.failed) == (4, 2, 1, 1)
    # the cursor is on an empty line of the block: inserted there, at the block's indentation
    assert res.insert.newLine is False and res.insert.indent == 2
    assert res.suggestions[0].insertText == "  exact hp"


async def test_inline_completion_is_the_best_checked_tactic(session: Session) -> None:
    uri = session.open("a.lean", FILE.replace("  \n  exact hq", "  exa\n  exact hq"))
    res = await session.ghost(uri, 2, 5)
    assert res is not None
    [item] = res.items if isinstance(res, types.InlineCompletionList) else res
    assert item.insert_text == "exact hp"
    assert item.range is not None and item.range.start.character == 2


async def test_prove_yields_an_edit_the_stand_in_verifies(session: Session) -> None:
    uri = session.open("a.lean", FILE)
    res = await session.request(
        "leanstep/searchProof",
        {"textDocument": {"uri": uri}, "position": pos(5, 3), "workDoneToken": "tok-1"},
    )
    assert res.proved, res.message
    [change] = res.edit.documentChanges
    assert change.textDocument.version == 1 and change.textDocument.uri == uri
    [edit] = change.edits
    lines = FILE.split("\n")
    start, end = edit.range.start, edit.range.end
    assert lines[start.line][start.character : end.character] == "sorry"
    lines[start.line] = (
        lines[start.line][: start.character] + edit.newText + lines[start.line][end.character :]
    )
    new = "\n".join(lines)
    decl = find_declaration(new, "u")
    assert decl is not None
    verdict = await verify_proof(standin_config(), "", decl.head, decl.proof)
    assert verdict.ok
    kinds = [
        p["kind"] if isinstance(p, dict) else getattr(p, "kind", None) for p in session.progress
    ]
    assert kinds[0] == "begin" and kinds[-1] == "end"


async def test_code_actions_on_a_sorry(session: Session) -> None:
    uri = session.open("a.lean", FILE)
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=6, character=2), end=types.Position(line=6, character=2)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions]
    assert titles[0] == "Prove with leanstep" and len(titles) == 3
    none = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=1, character=0), end=types.Position(line=1, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not none


async def test_sketch_inserts_a_checked_skeleton(session: Session) -> None:
    uri = session.open("a.lean", FILE)
    res = await session.request(
        "leanstep/sketchLemmas", {"textDocument": {"uri": uri}, "position": pos(8, 4)}
    )
    assert res.skeleton is not None, res.message
    assert "have h1 : p := by sorry" in res.skeleton
    assert "have h2 : q ∧ r := by sorry" in res.skeleton
    [change] = res.edit.documentChanges
    [edit] = change.edits
    assert edit.newText == res.skeleton and change.textDocument.version == 1


async def test_cancellation_mid_search_and_responsiveness(session: Session) -> None:
    slow = FILE + "\ntheorem slow (s : Prop) (hs : s) : s ∧ s := by\n  sorry\n"
    uri = session.open("slow.lean", slow)
    line = slow.split("\n").index("theorem slow (s : Prop) (hs : s) : s ∧ s := by") + 1
    fut = asyncio.wrap_future(
        session.client.protocol.send_request(
            "leanstep/searchProof",
            {"textDocument": {"uri": uri}, "position": pos(line, 3), "expansions": 100000},
            msg_id="search-1",
        )
    )
    await asyncio.sleep(1.0)
    # the server still answers other requests promptly while the search runs
    t0 = time.monotonic()
    res = await session.request(
        "leanstep/suggestTactics", {"textDocument": {"uri": uri}, "position": pos(2, 2)}, 30
    )
    assert res.suggestions and time.monotonic() - t0 < 10
    assert not fut.done()
    session.client.protocol.notify("$/cancelRequest", types.CancelParams(id="search-1"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(fut, 20)
    before = session.scripted.completions
    await asyncio.sleep(0.5)
    assert session.scripted.completions - before <= 1  # model work stopped with the request
