"""The `leanstep.*` settings have one source: `contributes.configuration` in the extension's
package.json. The language server (`lsp_server/settings.py`, and through it `prover_core.config`)
and the extension's config code (`vscode_extension/src/pure/config.ts`) must agree with it:

- names: every declared setting is one the server maps to the core config, reads itself, or
  knows to be the client's; and every such setting is declared;
- types: each core-config setting has the JSON type of its config field (enums list the
  `Literal` values), and a lower bound at least as strict as the field's;
- defaults: a core-config setting defaults to "unset" (null, "" or []), so `leanstep.toml` and
  the built-in default apply; where its description names the built-in default ("else `hf`"),
  that is the config field's default; the server's own settings default as the server does;
- the extension reads exactly the declared settings and keeps no second list of defaults.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import asdict
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel

from lsp_server import settings as server_settings
from prover_core.config import Config

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_JSON = ROOT / "vscode_extension" / "package.json"
CONFIG_TS = ROOT / "vscode_extension" / "src" / "pure" / "config.ts"
SETTINGS_TS = ROOT / "vscode_extension" / "src" / "settings.ts"
PREFIX = "leanstep."


def _declared() -> dict[str, dict[str, Any]]:
    manifest = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    props: dict[str, dict[str, Any]] = manifest["contributes"]["configuration"]["properties"]
    assert all(k.startswith(PREFIX) for k in props), "every setting is under leanstep."
    return {k.removeprefix(PREFIX): v for k, v in props.items()}


DECLARED = _declared()
CONFIG_KEYS: dict[tuple[str, ...], tuple[str, str]] = server_settings._CONFIG_KEYS
SERVER_KEYS: set[tuple[str, ...]] = server_settings._SERVER_KEYS
CLIENT_ONLY: set[tuple[str, ...]] = server_settings._CLIENT_ONLY


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _field(section: str, key: str) -> Any:
    """The pydantic FieldInfo of `[section] key` in the core config."""
    model = Config.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    assert key in model.model_fields, f"prover_core.config has no [{section}] {key}"
    return model.model_fields[key]


def _types(schema: dict[str, Any]) -> set[str]:
    t = schema["type"]
    return set(t) if isinstance(t, list) else {t}


def _json_types_for(annotation: Any) -> tuple[set[str], set[str] | None]:
    """(allowed JSON types besides null, enum values or None) for a config field annotation."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        assert len(args) == 1, f"unsupported union {annotation}"
        return _json_types_for(args[0])
    if origin is typing.Literal:
        return {"string"}, {str(a) for a in typing.get_args(annotation)}
    if origin is tuple:
        return {"array"}, None
    if annotation in (str, Path):
        return {"string"}, None
    if annotation is bool:
        return {"boolean"}, None
    if annotation is int:
        return {"integer"}, None
    if annotation is float:
        return {"number"}, None
    raise AssertionError(f"no JSON type for {annotation}")


def test_package_json_declares_exactly_what_the_server_knows() -> None:
    known = {_dotted(p) for p in (*CONFIG_KEYS, *SERVER_KEYS, *CLIENT_ONLY)}
    assert set(DECLARED) == known, (
        f"declared only: {sorted(set(DECLARED) - known)}; "
        f"server only: {sorted(known - set(DECLARED))}"
    )


@pytest.mark.parametrize("path", sorted(CONFIG_KEYS), ids=_dotted)
def test_core_setting_types_and_defaults(path: tuple[str, ...]) -> None:
    schema = DECLARED[_dotted(path)]
    section, key = CONFIG_KEYS[path]
    info = _field(section, key)
    json_types, literals = _json_types_for(info.annotation)
    declared = _types(schema) - {"null"}
    assert declared == json_types, (
        f"{_dotted(path)}: {declared} in package.json, {json_types} in config"
    )
    if literals is not None:
        assert set(schema.get("enum", [])) - {""} == literals, f"{_dotted(path)}: enum differs"
    if "array" in json_types:
        assert schema.get("items") == {"type": "string"}
    # "unset" by default: leanstep.toml, then the built-in default, decide
    assert schema["default"] in (None, "", []), f"{_dotted(path)} must default to unset"
    if schema["default"] is None:
        assert "null" in _types(schema), f"{_dotted(path)}: default null needs type null"
    described = re.search(r"else `([^`]+)`|else (-?\d+(?:\.\d+)?)\b", schema["markdownDescription"])
    if described is not None:
        builtin = info.default
        shown = " ".join(builtin) if isinstance(builtin, tuple) else str(builtin)
        text = described.group(1) or described.group(2)
        assert text == shown or (
            described.group(2) is not None and float(text) == float(builtin)
        ), f"{_dotted(path)}: the description says {text!r}, the built-in default is {shown!r}"


@pytest.mark.parametrize("path", sorted(CONFIG_KEYS), ids=_dotted)
def test_core_setting_lower_bounds(path: tuple[str, ...]) -> None:
    schema = DECLARED[_dotted(path)]
    info = _field(*CONFIG_KEYS[path])
    minimum, exclusive = schema.get("minimum"), schema.get("exclusiveMinimum")
    for bound in info.metadata:
        if isinstance(bound, annotated_types.Gt):
            assert (exclusive is not None and exclusive >= bound.gt) or (
                minimum is not None and minimum > bound.gt
            ), f"{_dotted(path)}: the config needs > {bound.gt}"
        elif isinstance(bound, annotated_types.Ge):
            assert (exclusive is not None and exclusive >= bound.ge) or (
                minimum is not None and minimum >= bound.ge
            ), f"{_dotted(path)}: the config needs >= {bound.ge}"


def test_server_settings_default_as_the_server_does() -> None:
    defaults = server_settings.ServerSettings()
    assert DECLARED["inline.enabled"]["type"] == "boolean"
    assert DECLARED["inline.enabled"]["default"] == defaults.inline_enabled
    assert DECLARED["inline.debounceMs"]["type"] == "integer"
    assert DECLARED["inline.debounceMs"]["default"] == defaults.inline_debounce_ms
    assert DECLARED["trace.server"]["default"] == "off"
    assert asdict(defaults).get("trace", False) is False  # "off" (where the server has it)


def test_the_extension_reads_exactly_the_declared_settings() -> None:
    text = CONFIG_TS.read_text(encoding="utf-8")
    listed = re.search(r"SETTING_KEYS\s*=\s*\[(.*?)\]\s*as const", text, re.DOTALL)
    assert listed is not None, "config.ts lists SETTING_KEYS"
    keys = re.findall(r"'([^']+)'", listed.group(1))
    assert sorted(keys) == sorted(DECLARED)
    assert re.search(r"import \w+ from '\.\./\.\./package\.json'", text), (
        "defaults come from package.json"
    )


def test_the_extension_keeps_no_second_list_of_defaults() -> None:
    code = CONFIG_TS.read_text(encoding="utf-8") + SETTINGS_TS.read_text(encoding="utf-8")
    for key, schema in DECLARED.items():
        default = schema["default"]
        if isinstance(default, bool) or default in (None, "", [], "leanstep", "off"):
            continue  # (too common to find: the section name, the trace level, true/false)
        literal = json.dumps(default).replace('"', "'") if isinstance(default, list) else None
        if isinstance(default, int):
            assert not re.search(rf"\b{default}\b", code), f"{key}: default {default} repeated"
        if literal is not None:
            assert literal.replace(" ", "") not in code.replace(" ", ""), f"{key}: default repeated"
