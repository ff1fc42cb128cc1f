"""The one cursor rule: which goal a position means and where a chosen tactic goes.

The rule (the wire documents it in `lsp_server/protocol.py`; the CLI follows it through
`Service.suggest`, the only caller):
- on, inside or right after a tactic `sorry` → that `sorry`'s goal; the tactic replaces the
  `sorry` (a `sorry` right after `by` is replaced on a new line below, indented);
- on a tactic line (at its end, or anywhere after its indentation) → the goal AFTER that
  line; the tactic goes on a new line below, at the block's indentation;
- on an empty (whitespace-only) line of a tactic block → the goal there; the tactic goes on
  that line at the block's indentation (the cursor's column when the user indented, else
  the line above's block: `by` line + 2, a bullet's content column, or the line's indent);
- mode "inline" only: text typed on the cursor's line is a half-typed prefix: the goal
  BEFORE the line, suggestions filtered by the prefix, the tactic replaces the prefix.
A line ending in `by` always means the block it opens. Positions are 0-based (line,
codepoint column); every offset indexes the text given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from prover_core.lean.decl import Declaration, declaration_at
from prover_core.lean.goal_at import Probe
from prover_core.lean.lexer import lex
from prover_core.types import Refusal

Mode = Literal["list", "inline"]
TargetKind = Literal["sorry", "line", "empty", "prefix"]
_PROBE = "skip"
_BULLETS = ("·", ".")


@dataclass(frozen=True, slots=True)
class InsertPlan:
    """Replace `text[start:end]` by the tactic's insert text; `indent` is the tactic block's
    column; `new_line`: the text starts on a new line below the cursor's line."""

    start: int
    end: int
    indent: int
    new_line: bool
    lead: str  # what precedes the first line of the tactic ("\n" + indent, indent, or "")

    def text_for(self, tactic: str, new_goals: int) -> str:
        """The insert text: the tactic and, when it leaves k ≥ 2 new goals, k `· sorry`
        bullets, every line after the first at the block's indentation."""
        lines = [tactic] + (["· sorry"] * new_goals if new_goals >= 2 else [])
        sep = "\n" + " " * self.indent
        return self.lead + sep.join(lines)


@dataclass(frozen=True, slots=True)
class CursorTarget:
    kind: TargetKind
    probe: Probe
    plan: InsertPlan
    typed: str  # the half-typed prefix suggestions must start with ("" unless "prefix")


def sorry_spans(text: str, decl: Declaration) -> list[tuple[int, int]]:
    """Offsets of the `sorry` tokens in the declaration's proof, in order (Lean's lexer
    decides: a `sorry` in a comment or string is not one)."""
    base = decl.assign
    return [
        (base + t.start, base + t.end) for t in lex(text[base : decl.end])[0] if t.text == "sorry"
    ]


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _content_column(line: str) -> int:
    """Column where the line's tactic starts (after its indentation and a bullet)."""
    indent = len(line) - len(line.lstrip())
    rest = line[indent:]
    if rest[:1] in _BULLETS and rest[1:2] in (" ", "\t"):
        return indent + 1 + len(rest[1:]) - len(rest[1:].lstrip())
    return indent


def ends_with_by(before: str) -> bool:
    toks = lex(before)[0]
    return bool(toks) and toks[-1].text == "by"


def block_indent_after(line: str, decl_column: int) -> int:
    """The indentation of a tactic written on the line below `line`."""
    if ends_with_by(line):
        indent = len(line) - len(line.lstrip())
        return max(indent, decl_column) + 2
    return _content_column(line)


def _by_end(text: str, decl: Declaration) -> int | None:
    """Offset just past the `by` that opens the proof, or None for a term-mode proof."""
    toks = lex(text[decl.assign + 2 : decl.end])[0]
    if toks and toks[0].text == "by":
        return decl.assign + 2 + toks[0].end
    return None


def _probe(text: str, decl: Declaration, prefix_end: int, indent: str, typed: str) -> Probe:
    source = text[decl.start : prefix_end] + indent + _PROBE
    line = source.count("\n") + 1
    column = len(source) - source.rfind("\n") - 1 - len(_PROBE)
    return Probe(text[: decl.start], source, line, column, typed, decl)


def locate(text: str, offset: int, mode: Mode = "list") -> CursorTarget | Refusal:
    """Apply the cursor rule at `offset` (a valid offset into `text`)."""
    outside = Refusal("no_goal", "no proof state here: the cursor is outside a tactic block")
    decl = declaration_at(text, offset)
    if decl is None:
        return outside
    by_end = _by_end(text, decl)
    if by_end is None or offset < by_end:
        return outside
    decl_column = decl.start - line_bounds(text, decl.start)[0]
    ls, le = line_bounds(text, offset)
    line = text[ls:le]
    for start, end in sorry_spans(text, decl):
        if start <= offset <= end:
            return _on_sorry(text, decl, start, end, decl_column)
    if not line.strip():
        col = offset - ls
        if col > 0:
            indent = col
        else:
            prev_end = ls - 1 if ls > 0 else 0
            ps = line_bounds(text, prev_end)[0]
            while ps > decl.start and not text[ps:prev_end].strip():
                prev_end = ps - 1
                ps = line_bounds(text, prev_end)[0]
            indent = block_indent_after(text[ps:prev_end], decl_column)
        plan = InsertPlan(ls, le, indent, False, " " * indent)
        return CursorTarget("empty", _probe(text, decl, ls, " " * indent, ""), plan, "")
    before = text[ls:offset]
    content = ls + _content_column(line)
    if mode == "inline" and before.strip() and not ends_with_by(before) and offset > content:
        typed = text[content:offset].strip()
        col = content - ls
        plan = InsertPlan(content, offset, col, False, "")
        return CursorTarget("prefix", _probe(text, decl, content, "", typed), plan, typed)
    after_by = text[by_end:le]
    if ls <= by_end and after_by.strip():  # `… := by tac`: the block is at `tac`'s column
        indent = by_end - ls + len(after_by) - len(after_by.lstrip())
    else:
        indent = block_indent_after(line, decl_column)
    plan = InsertPlan(le, le, indent, True, "\n" + " " * indent)
    return CursorTarget("line", _probe(text, decl, le, "\n" + " " * indent, ""), plan, "")


def _on_sorry(
    text: str, decl: Declaration, start: int, end: int, decl_column: int
) -> CursorTarget | Refusal:
    ls, le = line_bounds(text, start)
    before = text[ls:start]
    term = Refusal("no_sorry", "this `sorry` is inside a term, not a tactic")
    if text[end:le].strip():
        return term
    if ends_with_by(before):
        by_at = ls + len(before.rstrip()) - len("by")
        indent = block_indent_after(text[ls:by_at] + "by", decl_column)
        plan = InsertPlan(by_at + len("by"), end, indent, True, "\n" + " " * indent)
        return CursorTarget("sorry", _probe(text, decl, start, "", ""), plan, "")
    if before.strip() not in ("", *_BULLETS):
        return term
    col = start - ls
    plan = InsertPlan(start, end, col, False, "")
    return CursorTarget("sorry", _probe(text, decl, start, "", ""), plan, "")


def sorry_at_range(text: str, start: tuple[int, int], end: tuple[int, int]) -> int | None:
    """Offset of the first `sorry` token on the lines from `start` to `end` (0-based
    (line, column) pairs inside the text), for code actions."""
    lines = text.split("\n")
    lo = sum(len(x) + 1 for x in lines[: start[0]])
    hi = sum(len(x) + 1 for x in lines[: end[0] + 1]) - 1
    for tok in lex(text[lo : max(hi, lo)])[0]:
        if tok.text == "sorry":
            return lo + tok.start
    return None


def tactics_before(text: str, decl: Declaration, offset: int) -> tuple[str, ...]:
    """The lines of `decl`'s tactic proof before the cursor's line (blank lines and `sorry`
    lines dropped), dedented to the block; () for a term proof or a cursor on the `by` line."""
    by_end = _by_end(text, decl)
    if by_end is None:
        return ()
    line_start = line_bounds(text, offset)[0]
    if line_start <= by_end:
        return ()
    lines = [
        ln
        for ln in text[by_end:line_start].split("\n")
        if ln.strip() and ln.strip() not in ("sorry", *(f"{b} sorry" for b in _BULLETS))
    ]
    if not lines:
        return ()
    base = min(len(ln) - len(ln.lstrip()) for ln in lines)
    return tuple(ln[base:].rstrip() for ln in lines)
