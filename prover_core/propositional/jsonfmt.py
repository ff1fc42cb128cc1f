"""REPL response rendering: Lean's `Json.pretty` (width 80) byte for byte.

Lean's JSON objects are red-black maps folded into a list in reverse, so keys come out in
*descending* string order (`"sorries"`, `"messages"`, `"env"`). Strings escape `"`, `\\`,
newline and carriage return by name and other control characters as `\\u00xx`; everything
else, including non-ASCII, is written raw.
"""

from __future__ import annotations

import re
from typing import Any

JSON_WIDTH = 80

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r"})


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def _string(s: str) -> str:
    if _NEEDS_ESCAPE.search(s) is None:
        return f'"{s}"'
    return '"' + s.translate(_ESCAPES) + '"'


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, str):
        return _string(v)
    raise TypeError(f"not JSON: {v!r}")


def _flat(v: Any, out: list[str]) -> None:
    if isinstance(v, dict):
        out.append("{")
        for i, k in enumerate(sorted(v, reverse=True)):
            if i:
                out.append(", ")
            out.append(_string(k))
            out.append(": ")
            _flat(v[k], out)
        out.append("}")
    elif isinstance(v, list | tuple):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(", ")
            _flat(x, out)
        out.append("]")
    else:
        out.append(_scalar(v))


def _flat_str(v: Any) -> str:
    out: list[str] = []
    _flat(v, out)
    return "".join(out)


def _pretty(v: Any, out: list[str], col: int, indent: int, trailing: int) -> int:
    """Lay out `v` from column `col`; `trailing` counts the characters that must follow it
    on the same line (closing brackets, a comma). Returns the column after it.

    This is `Format.pretty` specialised to Lean's `Json.render` documents: every object,
    array and key-value pair is a group, flattened iff it fits with its trailing text."""
    flat = _flat_str(v)
    if col + len(flat) + trailing <= JSON_WIDTH or not v or not isinstance(v, dict | list | tuple):
        out.append(flat)
        return col + len(flat)
    inner = indent + 1
    is_obj = isinstance(v, dict)
    out.append("{" if is_obj else "[")
    col += 1
    items = sorted(v, reverse=True) if is_obj else list(v)
    for i, item in enumerate(items):
        t = 1 if i < len(items) - 1 else 1 + trailing
        if is_obj:
            key = _string(item) + ":"
            value = v[item]
            vflat = _flat_str(value)
            if col + len(key) + 1 + len(vflat) + t <= JSON_WIDTH:
                out.append(f"{key} {vflat}")
                col += len(key) + 1 + len(vflat)
            else:
                out.append(key + "\n" + " " * inner)
                col = _pretty(value, out, inner, inner, t)
        else:
            col = _pretty(item, out, col, inner, t)
        if i < len(items) - 1:
            out.append(",\n" + " " * inner)
            col = inner
    out.append("}" if is_obj else "]")
    return col + 1


def render_json(v: Any) -> str:
    out: list[str] = []
    _pretty(v, out, 0, 0, 0)
    return "".join(out)
