"""The stdin/stdout loop: blank-line separated JSON requests, pretty JSON responses.

Framing as in the real REPL: lines are read until a blank line (or end of input); the lines
are joined *without* their newlines (so a raw newline inside a JSON string vanishes, as with
Lean); each response is followed by a blank line and flushed.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from .faults import Faults, junk
from .jsonfmt import render_json
from .repl import Repl


def read_request(inp: TextIO) -> str | None:
    """The next request's text, or None at end of input."""
    parts: list[str] = []
    for line in inp:
        if line.strip() == "":
            if parts:
                return "".join(parts)
            continue
        parts.append(line.rstrip("\r\n"))
    return "".join(parts) if parts else None


def answer(repl: Repl, raw: str) -> str:
    try:
        req = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as e:
        return render_json({"message": f"Could not parse JSON:\n{e}"})
    try:
        return render_json(repl.handle(req))
    except Exception as e:  # the process must survive its own bugs, as a REPL would
        return render_json({"message": f"stand-in internal error: {e!r}"})


def serve(inp: TextIO, out: TextIO, faults: Faults | None = None, repl: Repl | None = None) -> int:
    faults = faults or Faults()
    repl = repl or Repl()
    faults.after(0)
    n = 0
    while (raw := read_request(inp)) is not None:
        n += 1
        text = junk(n) if faults.before(n, raw) else answer(repl, raw)
        try:
            out.write(text + "\n\n")
            out.flush()
        except BrokenPipeError:
            return 0
        faults.after(n)
    return 0


def main_loop(faults: Faults) -> int:
    sys.stdin.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    return serve(sys.stdin, sys.stdout, faults)
