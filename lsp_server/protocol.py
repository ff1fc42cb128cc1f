"""leanstep's custom LSP requests and their wire types (wire contract v2; mirrored by
vscode_extension's `src/protocol.ts`, field for field; `tests/lsp/test_protocol_mirror.py`
keeps them in step).

Positions are LSP positions (0-based line, UTF-16 column). Every suggestion returned by
`leanstep/suggestTactics` was run in Lean before it was returned.

The one cursor rule (implemented in `prover_core/cursor.py`; server, client and the CLI
`leanstep suggest` follow it):
- cursor on, inside or right after a tactic `sorry` → that `sorry`'s goal; the suggestion
  replaces the `sorry` (`insert.range` covers it; after `by` it goes on an indented new line);
- cursor at the end of a tactic line (e.g. after `  intro hp`) → the goal AFTER that line;
  the suggestion is inserted on a new line below, at the tactic block's indentation;
- cursor on an empty (whitespace-only) line of a tactic block → the goal there; inserted on
  that line, indented to the block;
- a half-typed prefix on the cursor's line filters suggestions in mode "inline" (ghost text)
  only, never the suggestion list.

Edits (`WorkspaceEdit`) always use `documentChanges` with one versioned `TextDocumentEdit`,
computed on the text current when the answer is sent; a client applies one only to that
version (otherwise it calls `leanstep/placeProof`).

Errors: a `LeanstepError` → RequestFailed (-32803) with a plain message; bad params →
InvalidParams (-32602); invalid JSON → ParseError (-32700). No traceback is ever sent.
Size limits: documents over `MAX_DOCUMENT_CHARS` characters are refused (InvalidParams);
`n` is capped by `search.max_suggestions` (default 64).
"""

from __future__ import annotations

from typing import Literal, TypedDict

from lsprotocol.types import WorkspaceEdit

SUGGEST_TACTICS = "leanstep/suggestTactics"
SEARCH_PROOF = "leanstep/searchProof"
PLACE_PROOF = "leanstep/placeProof"
SKETCH_LEMMAS = "leanstep/sketchLemmas"
STATUS = "leanstep/status"
SEARCH_PROGRESS = "leanstep/searchProgress"

Outcome = Literal["proved", "advanced", "failed"]
SuggestMode = Literal["list", "inline"]
SearchStatus = Literal[
    "proved", "exhausted", "budget", "timeout", "cancelled", "withheld", "unverified", "refused"
]
PlaceStatus = Literal["placed", "withheld"]
SketchStatus = Literal["sketched", "refused", "rejected"]
ServerState = Literal["starting", "loading", "ready", "error"]


class TextDocumentIdentifier(TypedDict, total=False):
    uri: str  # required
    version: int  # the version the client saw (informative; the server answers on its own)


class Position(TypedDict):
    line: int
    character: int


class Range(TypedDict):
    start: Position
    end: Position


class SuggestTacticsParams(TypedDict, total=False):
    textDocument: TextDocumentIdentifier  # required
    position: Position  # required
    n: int  # capped by search.max_suggestions; more is InvalidParams
    goal: str  # Lean's own goal text at the position ($/lean/plainGoal), when the client has it
    mode: SuggestMode  # default "list"


class TacticSuggestion(TypedDict, total=False):
    tactic: str  # required
    score: float  # required: mean token log-prob (never shown raw)
    outcome: Outcome  # required
    goalsAfter: list[str]  # required (empty unless outcome == "advanced")
    message: str  # Lean's error for "failed"
    insertText: str  # required: what to put at `insert.range` (bullets, indentation included)


class SuggestCounts(TypedDict):
    sampled: int
    duplicates: int
    screened: int  # removed before Lean: screened out, or (mode "inline") not matching the prefix
    proved: int
    advanced: int
    failed: int


class InsertPlan(TypedDict):
    range: Range  # on the result's `version`; empty = pure insertion
    indent: int
    newLine: bool  # the text goes on a new line below the cursor line


class SuggestTacticsResult(TypedDict):
    version: int | None  # the document version the answer was computed on
    goal: str | None  # the whole state at the cursor (hypotheses and ⊢), as Lean prints it
    suggestions: list[TacticSuggestion]  # proved, then advanced, then failed; by score within
    summary: str  # plain words: what was sampled and what became of it, or why nothing
    counts: SuggestCounts
    insert: InsertPlan | None


class SearchProofParams(TypedDict, total=False):
    textDocument: TextDocumentIdentifier  # required
    position: Position  # required: on, inside or right after the `sorry` to prove
    expansions: int
    workDoneToken: str | int


class ProofAnchor(TypedDict):
    declaration: str  # full name of the declaration
    sorry: int  # index of the target `sorry` among the declaration's sorries


class SearchStats(TypedDict):
    expansions: int
    budget: int
    elapsedS: float
    bestDepth: int


class SearchProofResult(TypedDict, total=False):
    proved: bool  # required
    message: str  # required
    status: SearchStatus  # required
    proof: list[str]  # the tactics, when found
    anchor: ProofAnchor  # identifies the target `sorry` for placeProof
    edit: WorkspaceEdit  # versioned; only for verified proofs
    stats: SearchStats
    hint: str  # e.g. "try again with 4× budget (2400 expansions)"


class SearchProgressParams(TypedDict, total=False):
    uri: str  # required
    token: str | int
    expansions: int  # required
    budget: int  # required
    elapsedS: float  # required
    bestDepth: int  # required
    bestPath: list[str]  # required


class PlaceProofParams(TypedDict):
    textDocument: TextDocumentIdentifier
    anchor: ProofAnchor
    proof: list[str]


class PlaceProofResult(TypedDict, total=False):
    message: str  # required
    status: PlaceStatus  # required
    edit: WorkspaceEdit  # versioned, on the current text


class SketchLemmasParams(TypedDict, total=False):
    textDocument: TextDocumentIdentifier  # required
    position: Position  # required: inside the theorem
    workDoneToken: str | int


class SketchLemmasResult(TypedDict, total=False):
    message: str  # required
    status: SketchStatus  # required
    skeleton: str  # the checked `have … := by sorry` block
    edit: WorkspaceEdit  # versioned; inserts the skeleton
    rejected: list[str]  # why plans were rejected, in plain words


class StatusParams(TypedDict, total=False):
    state: ServerState  # required
    message: str  # required
    detail: str
    configPath: str
