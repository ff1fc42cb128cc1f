"""Wadler-style layout with Lean's `Std.Format` semantics (groups, fill groups, nesting).

Lean renders goals at width 120 and REPL JSON at width 80 with this algorithm; reproducing
it is what makes long goal lines wrap exactly where Lean wraps them.

Invariants:
- A `Group` is flattened (every `LINE` becomes one space) when it and everything after it
  up to the next line break fits in the remaining width.
- In a *fill* group each `LINE` is decided separately: it becomes a space when the next
  chunk (up to the following `LINE`) still fits.
- `Nest` indentation is relative to the enclosing indentation, not to the current column.
"""

from __future__ import annotations

from dataclasses import dataclass


class Doc:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Text(Doc):
    s: str


@dataclass(frozen=True, slots=True)
class _Line(Doc):
    pass


LINE = _Line()


@dataclass(frozen=True, slots=True)
class Nest(Doc):
    n: int
    doc: Doc


@dataclass(frozen=True, slots=True)
class Cat(Doc):
    parts: tuple[Doc, ...]


@dataclass(frozen=True, slots=True)
class Group(Doc):
    doc: Doc
    fill: bool = False


def flat(d: Doc) -> str:
    """The document with every soft line break rendered as a single space."""
    out: list[str] = []
    _flat(d, out)
    return "".join(out)


def _flat(d: Doc, out: list[str]) -> None:
    if isinstance(d, Text):
        out.append(d.s)
    elif isinstance(d, Cat):
        for p in d.parts:
            _flat(p, out)
    elif isinstance(d, Nest | Group):
        _flat(d.doc, out)
    else:
        out.append(" ")


class _Space:
    """Result of measuring up to the first line break: (found_line, hard_line, width)."""

    __slots__ = ("found", "hard", "width")

    def __init__(self, found: bool, hard: bool, width: int) -> None:
        self.found = found
        self.hard = hard
        self.width = width


def _space(d: Doc, flatten: bool, w: int) -> _Space:
    if isinstance(d, Text):
        i = d.s.find("\n")
        if i < 0:
            return _Space(False, False, len(d.s))
        return _Space(True, flatten, i)
    if isinstance(d, _Line):
        return _Space(False, False, 1) if flatten else _Space(True, False, 0)
    if isinstance(d, Nest):
        return _space(d.doc, flatten, w)
    if isinstance(d, Group):
        return _space(d.doc, True, w)
    assert isinstance(d, Cat)
    total = 0
    for p in d.parts:
        r = _space(p, flatten, w - total)
        total += r.width
        if r.found or total > w:
            return _Space(r.found, r.hard, total)
    return _Space(False, False, total)


class _Work:
    """A group being rendered; `items` is a stack of (doc, indent), next item last."""

    __slots__ = ("disallow", "fill", "flatten", "items")

    def __init__(self, fill: bool, items: list[tuple[Doc, int]], disallow: bool = False) -> None:
        self.fill = fill
        self.items = items
        self.flatten = not fill
        self.disallow = disallow


def _measure(groups: list[_Work], w: int) -> _Space:
    """Measure from the next item of `groups[-1]` outward through the enclosing groups."""
    total = 0
    for g in reversed(groups):
        fl = g.flatten and not g.disallow
        for d, _ in reversed(g.items):
            r = _space(d, fl, w - total)
            total += r.width
            if r.found or total > w:
                return _Space(r.found, r.hard, total)
    return _Space(False, False, total)


def _push_group(
    fill: bool, items: list[tuple[Doc, int]], gs: list[_Work], w: int, col: int
) -> _Work:
    g = _Work(fill, items)
    avail = w - col
    r = _measure([g], avail)
    total = r.width
    if not (r.found or r.width > avail):
        total += _measure(gs, avail - r.width).width
    g.flatten = (not r.hard) and total <= avail
    gs.append(g)
    return g


def pretty(d: Doc, width: int) -> str:
    """Render `d` within `width` columns exactly as Lean's `Format.pretty` does."""
    out: list[str] = []
    col = 0
    gs: list[_Work] = [_Work(False, [(d, 0)], disallow=True)]

    def newline(indent: int) -> None:
        nonlocal col
        out.append("\n" + " " * indent)
        col = indent

    while gs:
        g = gs[-1]
        if not g.items:
            gs.pop()
            continue
        item, ind = g.items.pop()
        if isinstance(item, Text):
            i = item.s.find("\n")
            if i < 0:
                out.append(item.s)
                col += len(item.s)
                continue
            out.append(item.s[:i])
            newline(ind)
            g.items.append((Text(item.s[i + 1 :]), ind))
            if not g.disallow:
                gs.pop()
                _push_group(g.fill, g.items, gs, width, col)
        elif isinstance(item, _Line):
            flatten = g.flatten and not g.disallow
            if not g.fill:
                if flatten:
                    out.append(" ")
                    col += 1
                else:
                    newline(ind)
                continue
            gs.pop()
            if flatten:
                ng = _push_group(True, g.items, gs, width - 1, col)
                if ng.flatten:
                    out.append(" ")
                    col += 1
                    continue
                gs.pop()
            newline(ind)
            _push_group(True, g.items, gs, width, col)
        elif isinstance(item, Nest):
            g.items.append((item.doc, ind + item.n))
        elif isinstance(item, Cat):
            g.items.extend((p, ind) for p in reversed(item.parts))
        elif isinstance(item, Group):
            if g.flatten and not g.disallow:
                g.items.append((item.doc, ind))
            else:
                _push_group(item.fill, [(item.doc, ind)], gs, width, col)
    return "".join(out)


def render(d: Doc, width: int) -> str:
    """`pretty`, skipping the layout algorithm when the flat text fits (the common case).
    Exact for documents whose soft line breaks all lie inside groups (all of ours)."""
    s = flat(d)
    if len(s) <= width and "\n" not in s:
        return s
    return pretty(d, width)
