"""`vscode_extension/src/protocol.ts` mirrors `lsp_server/protocol.py` field for field.

For every TypedDict in the Python module there must be an exported TypeScript interface of the
same name with the same field names, each optional (`name?:`) exactly when the Python key is not
required, and no other interfaces. A key is required when the TypedDict says so
(`__required_keys__`, i.e. `total=True` or `Required[...]`) or when its line carries a
`# required` comment (the convention `protocol.py` uses inside `total=False` classes). String
constants (the method names) and `Literal` aliases must agree too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import typing
from pathlib import Path
from typing import Any

import pytest

from lsp_server import protocol

ROOT = Path(__file__).resolve().parents[2]
PY_PATH = ROOT / "lsp_server" / "protocol.py"
TS_PATH = ROOT / "vscode_extension" / "src" / "protocol.ts"

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


# --- Python side ------------------------------------------------------------------------------


def _typeddicts() -> dict[str, Any]:
    return {
        name: obj
        for name, obj in vars(protocol).items()
        if typing.is_typeddict(obj) and obj.__module__ == protocol.__name__
    }


def _required_comment_lines(source: str) -> set[int]:
    """Line numbers whose comment starts with `# required`."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and re.match(r"#\s*required\b", tok.string):
            lines.add(tok.start[0])
    return lines


def _python_fields(source: str) -> dict[str, dict[str, bool]]:
    """{class name: {field name: required}} for the TypedDicts of `protocol.py`."""
    commented = _required_comment_lines(source)
    classes = _typeddicts()
    out: dict[str, dict[str, bool]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or node.name not in classes:
            continue
        declared_required = classes[node.name].__required_keys__
        fields: dict[str, bool] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                fields[name] = name in declared_required or stmt.lineno in commented
        out[node.name] = fields
    return out


def _python_constants() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(protocol).items()
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and isinstance(value, str)
    }


def _python_literals() -> dict[str, set[str]]:
    return {
        name: set(typing.get_args(value))
        for name, value in vars(protocol).items()
        if typing.get_origin(value) is typing.Literal
    }


# --- TypeScript side --------------------------------------------------------------------------


def _strip_ts_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", text)


def _ts_interfaces(text: str) -> dict[str, dict[str, bool]]:
    """{interface name: {field name: required}}; rejects nested object types (keep it flat)."""
    out: dict[str, dict[str, bool]] = {}
    for m in re.finditer(rf"export\s+interface\s+({_IDENT})\s*\{{([^{{}}]*)\}}", text):
        name, body = m.group(1), m.group(2)
        fields: dict[str, bool] = {}
        for member in filter(None, (s.strip() for s in re.split(r"[;\n]", body))):
            fm = re.fullmatch(rf"(?:readonly\s+)?({_IDENT})(\??)\s*:\s*(.+)", member)
            assert fm, f"protocol.ts: cannot read member {member!r} of interface {name}"
            fields[fm.group(1)] = fm.group(2) != "?"
        out[name] = fields
    return out


def _ts_constants(text: str) -> dict[str, str]:
    return dict(re.findall(rf"export\s+const\s+({_IDENT})\s*=\s*['\"]([^'\"]*)['\"]", text))


def _ts_literals(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, rhs in re.findall(rf"export\s+type\s+({_IDENT})\s*=\s*([^;]+);", text):
        members = [s.strip() for s in rhs.split("|")]
        if members and all(re.fullmatch(r"'[^']*'|\"[^\"]*\"", s) for s in members):
            out[name] = {s[1:-1] for s in members}
    return out


# --- Tests ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ts_text() -> str:
    return _strip_ts_comments(TS_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def py_fields() -> dict[str, dict[str, bool]]:
    return _python_fields(PY_PATH.read_text(encoding="utf-8"))


def test_python_side_is_read(py_fields: dict[str, dict[str, bool]]) -> None:
    assert set(py_fields) == set(_typeddicts())
    assert py_fields["TacticSuggestion"]["tactic"] is True
    assert py_fields["TacticSuggestion"]["message"] is False


def test_every_typeddict_has_an_interface(
    ts_text: str, py_fields: dict[str, dict[str, bool]]
) -> None:
    interfaces = _ts_interfaces(ts_text)
    assert set(interfaces) == set(py_fields), "protocol.ts interfaces differ from the TypedDicts"


@pytest.mark.parametrize("name", sorted(_typeddicts()))
def test_fields_and_optionality_agree(
    name: str, ts_text: str, py_fields: dict[str, dict[str, bool]]
) -> None:
    interfaces = _ts_interfaces(ts_text)
    assert name in interfaces, f"protocol.ts lacks interface {name}"
    expected = py_fields[name]
    actual = interfaces[name]
    assert set(actual) == set(expected), f"{name}: field names differ"
    for field, required in expected.items():
        assert actual[field] == required, (
            f"{name}.{field}: {'required' if required else 'optional'} in protocol.py, "
            f"{'required' if actual[field] else 'optional'} in protocol.ts"
        )


def test_method_names_agree(ts_text: str) -> None:
    assert _ts_constants(ts_text) == _python_constants()


def test_literal_aliases_agree(ts_text: str) -> None:
    assert _ts_literals(ts_text) == _python_literals()
