"""LSP ⇄ core conversions: positions (UTF-16 ⇄ codepoints) on a given text, versioned edits,
wire dictionaries. Every conversion uses the text a result was computed on, never the live
document (which may have moved on)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from lsp_server import protocol
from prover_core.cursor import InsertPlan
from prover_core.service import SuggestCounts, Suggestion, TextEdit


def plain(obj: Any) -> Any:
    """Custom-request params (pygls gives namedtuples) as plain dicts and lists."""
    if hasattr(obj, "_asdict"):
        return {k: plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, Mapping):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return obj


def require(params: Any, *keys: str) -> Any:
    value: Any = params
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            raise JsonRpcInvalidParams(f"missing parameter {'.'.join(keys)}")
        value = value[key]
    return value


def optional_int(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise JsonRpcInvalidParams(f"{key} must be an integer")
    return value


def lsp_position(params: Any) -> types.Position:
    pos = require(params, "position")
    line, character = require(pos, "line"), require(pos, "character")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (line, character)):
        raise JsonRpcInvalidParams("position must hold integers")
    if line < 0 or character < 0:
        raise JsonRpcInvalidParams("position must hold non-negative integers")
    return types.Position(line=line, character=character)


def to_core(text: str, position: types.Position) -> tuple[int, int]:
    """LSP position (UTF-16 column) → (line, codepoint column). A line outside the document
    is InvalidParams; a column past the line's end means the end (as LSP specifies)."""
    lines = text.split("\n")
    if position.line >= len(lines):
        raise JsonRpcInvalidParams(
            f"line {position.line} is outside the document ({len(lines)} lines)"
        )
    units = 0
    for column, ch in enumerate(lines[position.line]):
        if units >= position.character:
            return position.line, column
        units += 2 if ord(ch) > 0xFFFF else 1
    return position.line, len(lines[position.line])


def position_at(text: str, offset: int) -> types.Position:
    """The LSP position of a codepoint offset into `text`."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[start:offset].encode("utf-16-le")) // 2)


def lsp_range(text: str, start: int, end: int) -> types.Range:
    return types.Range(start=position_at(text, start), end=position_at(text, end))


def versioned_edit(uri: str, version: int, text: str, edit: TextEdit) -> types.WorkspaceEdit:
    """`edit` (offsets into `text`, the document at `version`) as a versioned WorkspaceEdit."""
    change = types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=[types.TextEdit(range=lsp_range(text, edit.start, edit.end), new_text=edit.new_text)],
    )
    return types.WorkspaceEdit(document_changes=[change])


def range_wire(r: types.Range) -> protocol.Range:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def insert_wire(text: str, plan: InsertPlan) -> protocol.InsertPlan:
    return {
        "range": range_wire(lsp_range(text, plan.start, plan.end)),
        "indent": plan.indent,
        "newLine": plan.new_line,
    }


def counts_wire(c: SuggestCounts) -> protocol.SuggestCounts:
    return {
        "sampled": c.sampled,
        "duplicates": c.duplicates,
        "screened": c.screened + c.filtered,
        "proved": c.proved,
        "advanced": c.advanced,
        "failed": c.failed,
    }


def suggestion_wire(s: Suggestion) -> protocol.TacticSuggestion:
    out: protocol.TacticSuggestion = {
        "tactic": s.tactic,
        "score": s.score,
        "outcome": s.outcome,
        "goalsAfter": list(s.goals_after),
        "insertText": s.insert_text,
    }
    if s.message:
        out["message"] = s.message
    return out
