"""Client settings (`leanstep.*`, from initializationOptions or workspace/configuration)
turned into config overrides. Unknown keys are reported, never silently used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# client setting path -> (config section, config key)
_CONFIG_KEYS: dict[tuple[str, ...], tuple[str, str]] = {
    ("policy", "backend"): ("policy", "backend"),
    ("policy", "model"): ("policy", "model"),
    ("policy", "endpoint"): ("policy", "endpoint"),
    ("policy", "device"): ("policy", "device"),
    ("policy", "temperature"): ("policy", "temperature"),
    ("search", "expansions"): ("search", "expansions"),
    ("search", "width"): ("search", "width"),
    ("search", "wallTimeS"): ("search", "wall_time_s"),
    ("suggestions", "count"): ("search", "suggestions"),
    ("planner", "endpoint"): ("planner", "endpoint"),
    ("planner", "model"): ("planner", "model"),
    ("lean", "replCommand"): ("lean", "repl_command"),
    ("lean", "projectDir"): ("lean", "project_dir"),
    ("lean", "timeoutS"): ("lean", "timeout_s"),
}
# settings the server itself reads (not part of the core config)
_SERVER_KEYS = {("inline", "enabled"), ("inline", "debounceMs"), ("trace", "server")}
_CLIENT_ONLY = {("serverPath",), ("serverArgs",), ("pythonPath",)}


@dataclass(frozen=True, slots=True)
class ServerSettings:
    inline_enabled: bool = True
    inline_debounce_ms: int = 250
    trace: bool = False  # log JSON-RPC traffic (`leanstep.trace.server` other than "off")


@dataclass(frozen=True, slots=True)
class ParsedSettings:
    overrides: dict[str, dict[str, Any]]
    server: ServerSettings
    unknown: tuple[str, ...]


def _flatten(obj: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in obj.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and path not in _CONFIG_KEYS:
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def parse_settings(settings: Mapping[str, Any] | None) -> ParsedSettings:
    """`settings` is the `leanstep` section (nested objects, or dotted keys)."""
    flat: dict[tuple[str, ...], Any] = {}
    for path, value in _flatten(settings or {}).items():
        split = tuple(part for key in path for part in key.split("."))
        flat[split[1:] if split[:1] == ("leanstep",) else split] = value
    overrides: dict[str, dict[str, Any]] = {}
    unknown = []
    inline_enabled, debounce, trace = True, 250, False
    for path, value in flat.items():
        if value is None:
            continue
        if path in _CONFIG_KEYS:
            section, key = _CONFIG_KEYS[path]
            if value == "" and key in ("model", "endpoint", "project_dir"):
                continue
            overrides.setdefault(section, {})[key] = value
        elif path == ("inline", "enabled"):
            inline_enabled = bool(value)
        elif path == ("inline", "debounceMs") and isinstance(value, int | float):
            debounce = int(value)
        elif path == ("trace", "server"):
            trace = value not in ("off", False)
        elif path not in _SERVER_KEYS and path not in _CLIENT_ONLY:
            unknown.append("leanstep." + ".".join(path))
    return ParsedSettings(
        overrides, ServerSettings(inline_enabled, debounce, trace), tuple(unknown)
    )
