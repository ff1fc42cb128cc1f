"""The proof state at a position inside a tactic block.

The declaration around the position is cut at the position and a `skip` is inserted there;
elaborating that probe with `allTactics` reports the state before `skip`, which is the whole
tactic state at the position (every goal), as a tactic-mode handle. When the cursor's line
already holds text before the cursor (a tactic being typed), the state is the one before
that line's tactic. The user's file is never modified: probes are separate strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover_core.lean.decl import Declaration, declaration_at, offset_of
from prover_core.lean.group import ProcessGroup
from prover_core.lean.lexer import Kind, lex
from prover_core.lean.repl import LeanRepl
from prover_core.types import Env, ProofState

_PROBE = "skip"


@dataclass(frozen=True, slots=True)
class Probe:
    context: str  # the source before the declaration (imports included)
    source: str  # the cut declaration with the probe tactic
    line: int  # 1-based line of the probe within `source`
    column: int  # 0-based column of the probe
    typed: str  # what is typed on the cursor's line before the cursor (stripped)
    decl: Declaration


def split_imports(text: str) -> tuple[str, str]:
    """(the leading `import` block up to the end of its last line, the rest). Imports must
    come first in Lean files; comments before and between them are Lean tokens' business."""
    toks = lex(text)[0]
    end = i = 0
    while i + 1 < len(toks) and toks[i].text == "import" and toks[i + 1].kind is Kind.IDENT:
        end, i = toks[i + 1].end, i + 2
    if end:
        nl = text.find("\n", end)
        end = len(text) if nl < 0 else nl + 1
    return text[:end], text[end:]


def make_probe(text: str, line: int, column: int) -> Probe | None:
    """A probe for 0-based (line, column), or None when it is not inside a `by` block."""
    offset = offset_of(text, line, column)
    decl = declaration_at(text, offset)
    if decl is None or offset <= decl.assign + 2:
        return None
    body = text[decl.assign + 2 : offset]
    if not re.match(r"\s*by\b", body):
        return None
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    typed = before.strip()
    if typed and line_start > decl.assign:
        indent = len(before) - len(before.lstrip())
        cut = line_start + indent
    else:
        cut = offset
    if cut <= decl.assign + 2 or not re.match(r"\s*by\b", text[decl.assign + 2 : cut]):
        cut = offset  # the cursor's line is the `by` line itself
        typed = ""
    return _probe(text, decl, cut, typed)


def _probe(text: str, decl: Declaration, cut: int, typed: str) -> Probe:
    source = text[decl.start : cut] + _PROBE
    probe_line = source.count("\n") + 1
    probe_col = len(source) - source.rfind("\n") - 1 - len(_PROBE)
    return Probe(text[: decl.start], source, probe_line, probe_col, typed, decl)


async def goal_at(repl: LeanRepl | ProcessGroup, env: Env, probe: Probe) -> ProofState | None:
    """Run the probe in `env` (the environment after `probe.context`); on a group, in
    every member at once, so the state is native in each."""
    result = await repl.command(probe.source, env, all_tactics=True)
    for t in result.tactics:
        if (
            t.tactic.strip() == _PROBE
            and t.pos is not None
            and (t.pos.line, t.pos.column) == (probe.line, probe.column)
        ):
            return t.state
    return None
