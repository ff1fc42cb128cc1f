"""Settings as text: `leanstep init`'s commented `leanstep.toml` and `config show`'s listing.

Both are generated from the config models, so every field and its description is included
as soon as it exists in `prover_core.config`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from prover_core.config import Config, Origin

HEADER = """\
# leanstep.toml, written by `leanstep init`. Every setting is listed: the ones set here are
# active, the rest are commented out at their defaults. Sources, later ones winning:
# ~/.config/leanstep/leanstep.toml, this file, LEANSTEP_<SECTION>__<KEY> variables, flags.
# `leanstep config show` prints the values in force and where each came from.
"""


def toml_value(value: Any) -> str:
    """A TOML literal for a plain config value (str, number, bool, path, list of these)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def sections() -> dict[str, type[BaseModel]]:
    """The `leanstep.toml` tables and their models."""
    out: dict[str, type[BaseModel]] = {}
    for name, field in Config.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        out[name] = model
    return out


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def init_text(settings: Mapping[str, Any]) -> str:
    """A commented `leanstep.toml` setting the dotted keys in `settings`."""
    defaults = Config().model_dump(mode="json")
    lines = [HEADER]
    for name, model in sections().items():
        lines.append(f"[{name}]")
        lines.append(f"# {_one_line(model.__doc__)}")
        for key, field in model.model_fields.items():
            lines.append(f"\n# {_one_line(field.description)}")
            dotted = f"{name}.{key}"
            if dotted in settings:
                lines.append(f"{key} = {toml_value(settings[dotted])}")
            elif defaults[name][key] is None:
                lines.append(f"# {key} =   (unset)")
            else:
                lines.append(f"# {key} = {toml_value(defaults[name][key])}")
        lines.append("")
    return "\n".join(lines)


def effective(cfg: Config, origins: Mapping[str, Origin]) -> list[tuple[str, Any, Origin]]:
    """Every setting: (dotted key, value in force, where it came from)."""
    dumped = cfg.model_dump(mode="json")
    out = []
    for name, model in sections().items():
        for key in model.model_fields:
            dotted = f"{name}.{key}"
            out.append((dotted, dumped[name][key], origins.get(dotted, Origin("default", ""))))
    return out


def show_text(rows: list[tuple[str, Any, Origin]]) -> str:
    """One line per setting, `git config --show-origin` style: `origin<TAB>key = value`."""
    labels = [f"{o.kind}:{o.where}" if o.where else o.kind for _, _, o in rows]
    width = max(len(label) for label in labels)
    return "\n".join(
        f"{label:<{width}}  {key} = {'(unset)' if value is None else toml_value(value)}"
        for label, (key, value, _) in zip(labels, rows, strict=True)
    )


def show_json(rows: list[tuple[str, Any, Origin]], files: Mapping[str, Path | None]) -> str:
    return json.dumps(
        {
            "files": {k: str(v) if v else None for k, v in files.items()},
            "settings": {
                key: {"value": value, "source": o.kind, "where": o.where or None}
                for key, value, o in rows
            },
        },
        ensure_ascii=False,
        indent=2,
    )
