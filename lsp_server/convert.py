"""LSP ⇄ core conversions: positions (UTF-16 ⇄ codepoints), edits, wire dictionaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.workspace import TextDocument

from prover_core.service import Suggestion, TextEdit


def plain(obj: Any) -> Any:
    """Custom-request params (pygls gives namedtuples) as plain dicts and lists."""
    if hasattr(obj, "_asdict"):
        return {k: plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, Mapping):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return obj


def require(params: Mapping[str, Any], *keys: str) -> Any:
    value: Any = params
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            raise JsonRpcInvalidParams(f"missing parameter {'.'.join(keys)}")
        value = value[key]
    return value


def lsp_position(params: Mapping[str, Any]) -> types.Position:
    pos = require(params, "position")
    line, character = require(pos, "line"), require(pos, "character")
    if not isinstance(line, int) or not isinstance(character, int) or line < 0 or character < 0:
        raise JsonRpcInvalidParams("position must hold non-negative integers")
    return types.Position(line=line, character=character)


def to_core(doc: TextDocument, text: str, position: types.Position) -> tuple[int, int]:
    """LSP position (UTF-16 columns) → (line, codepoint column); JsonRpcInvalidParams when
    it lies outside the document."""
    lines = text.split("\n")
    if position.line >= len(lines):
        raise JsonRpcInvalidParams(f"line {position.line} is outside the document")
    server = doc.position_codec.position_from_client_units(doc.lines, position)
    column = min(server.character, len(lines[position.line]))
    return position.line, column


def to_lsp_edit(doc: TextDocument, uri: str, edit: TextEdit) -> types.WorkspaceEdit:
    start = doc.client_position_at_offset(edit.start)
    end = doc.client_position_at_offset(edit.end)
    text_edit = types.TextEdit(range=types.Range(start=start, end=end), new_text=edit.new_text)
    return types.WorkspaceEdit(changes={uri: [text_edit]})


def suggestion_wire(s: Suggestion) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tactic": s.tactic,
        "score": s.score,
        "outcome": s.outcome,
        "goalsAfter": list(s.goals_after),
    }
    if s.message:
        out["message"] = s.message
    return out
