"""leanstep's custom LSP requests and their wire types (mirrored by vscode_extension's
`src/protocol.ts`, field for field; `tests/lsp/test_protocol_mirror.py` keeps them in step).

Positions are LSP positions (0-based line, UTF-16 column). Every suggestion returned by
`leanstep/suggestTactics` was run in Lean before it was returned.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from lsprotocol.types import WorkspaceEdit

SUGGEST_TACTICS = "leanstep/suggestTactics"
SEARCH_PROOF = "leanstep/searchProof"
SKETCH_LEMMAS = "leanstep/sketchLemmas"

Outcome = Literal["proves", "progress", "fails"]


class TextDocumentIdentifier(TypedDict):
    uri: str


class Position(TypedDict):
    line: int
    character: int


class SuggestTacticsParams(TypedDict, total=False):
    textDocument: TextDocumentIdentifier  # required
    position: Position  # required
    n: int
    goal: str  # Lean's own goal text at the position ($/lean/plainGoal), when the client has it


class TacticSuggestion(TypedDict, total=False):
    tactic: str  # required
    score: float  # required: mean token log-prob of the tactic under the policy
    outcome: Outcome  # required
    goalsAfter: list[str]  # required (empty unless outcome == "progress")
    message: str  # Lean's error for "fails"


class SuggestTacticsResult(TypedDict):
    goal: str | None
    suggestions: list[TacticSuggestion]


class SearchProofParams(TypedDict, total=False):
    textDocument: TextDocumentIdentifier  # required
    position: Position  # required: on the `sorry` to prove
    expansions: int
    workDoneToken: str | int


class SearchProofResult(TypedDict, total=False):
    proved: bool  # required
    message: str  # required
    proof: list[str]  # the tactics, when proved
    edit: WorkspaceEdit  # replaces the `sorry`; only for verified proofs


class SketchLemmasParams(TypedDict, total=False):
    textDocument: TextDocumentIdentifier  # required
    position: Position  # required: inside the theorem
    workDoneToken: str | int


class SketchLemmasResult(TypedDict, total=False):
    message: str  # required
    skeleton: str  # the checked `have … := by sorry` block
    edit: WorkspaceEdit  # inserts the skeleton
