"""Goals, metavariable contexts, proof states and the execution context of tactics.

Invariants:
- A goal is a metavariable `?m` with a declaration (local context, target, case tag); a
  tactic closes it only by *assigning* `?m` a proof term, possibly mentioning new goals.
- Free-variable and metavariable ids are unique in the process (`fresh_id`); a proof state
  restored from a pickle bumps the counter above every id it contains.
- `ProofState` snapshots are never mutated; an `Exec` works on its own copy of the context.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from .formula import Formula
from .kernel import MVar, PTerm, Sig, Sorry, instantiate
from .library import LIBRARY
from .printer import hyp_line, inaccessible, target_line
from .syntax import Node, Span

_ids = itertools.count(1)


def fresh_id() -> int:
    return next(_ids)


def bump_ids(above: int) -> None:
    global _ids
    current = next(_ids)
    _ids = itertools.count(max(current, above + 1))


@dataclass(frozen=True, slots=True)
class LocalDecl:
    """A hypothesis `name : type`, or a propositional variable `name : Prop` (type None).
    Inaccessible (hygienic) names are displayed with `✝` and cannot be referred to."""

    fvar: int
    name: str
    inaccessible: bool
    type: Formula | None


class GoalDecl:
    __slots__ = ("_text", "lctx", "tag", "target")

    def __init__(self, lctx: tuple[LocalDecl, ...], target: Formula, tag: str) -> None:
        self.lctx = lctx
        self.target = target
        self.tag = tag
        self._text: str | None = None

    def __getstate__(self) -> tuple[tuple[LocalDecl, ...], Formula, str]:
        return (self.lctx, self.target, self.tag)

    def __setstate__(self, st: tuple[tuple[LocalDecl, ...], Formula, str]) -> None:
        self.lctx, self.target, self.tag = st
        self._text = None

    def resolve(self, name: str) -> LocalDecl | None:
        for d in reversed(self.lctx):
            if d.name == name and not d.inaccessible:
                return d
        return None

    def hyps(self) -> dict[int, Formula]:
        return {d.fvar: d.type for d in self.lctx if d.type is not None}

    def props(self) -> frozenset[str]:
        return frozenset(d.name for d in self.lctx if d.type is None)

    def text(self) -> str:
        """The goal exactly as Lean's `ppGoal` prints it."""
        if self._text is None:
            self._text = _render(self)
        return self._text


def _render(g: GoalDecl) -> str:
    n = len(g.lctx)
    shown = [""] * n
    seen: set[str] = set()
    counters: dict[str, int] = {}
    for i in range(n - 1, -1, -1):
        d = g.lctx[i]
        if d.inaccessible or d.name in seen:
            k = counters.get(d.name, 0)
            shown[i] = inaccessible(d.name, k)
            counters[d.name] = k + 1
        else:
            shown[i] = d.name
        if not d.inaccessible:
            seen.add(d.name)
    rename = {
        d.name: shown[i] for i, d in enumerate(g.lctx) if d.type is None and shown[i] != d.name
    }
    lines: list[str] = []
    group: list[str] = []
    group_type: Formula | str | None = None
    for i, d in enumerate(g.lctx):
        ty: Formula | str = "Prop" if d.type is None else d.type
        if group and ty == group_type:
            group.append(shown[i])
            continue
        if group:
            lines.append(hyp_line(group, group_type or "", rename or None))
        group, group_type = [shown[i]], ty
    if group:
        lines.append(hyp_line(group, group_type or "", rename or None))
    lines.append(target_line(g.target, rename or None))
    body = "\n".join(lines)
    return f"case {g.tag}\n{body}" if g.tag else body


class MCtx:
    """Goal declarations and assignments of metavariables."""

    __slots__ = ("assign", "decls")

    def __init__(
        self, decls: dict[int, GoalDecl] | None = None, assign: dict[int, PTerm] | None = None
    ) -> None:
        self.decls: dict[int, GoalDecl] = decls if decls is not None else {}
        self.assign: dict[int, PTerm] = assign if assign is not None else {}

    def copy(self) -> MCtx:
        return MCtx(dict(self.decls), dict(self.assign))


class Env:
    """Theorems proven so far by full name (each with the axioms its proof uses), on top of
    the library, and the open scopes (`namespace`/`section`). `fresh` holds only before any
    command ran: `import` is allowed only then. `namespace` is where names resolve."""

    __slots__ = ("fresh", "protected", "scopes", "theorems")

    def __init__(
        self,
        theorems: dict[str, Sig] | None = None,
        fresh: bool = True,
        scopes: tuple[tuple[str, str], ...] = (),
        protected: frozenset[str] = frozenset(),
    ) -> None:
        self.theorems: dict[str, Sig] = theorems if theorems is not None else {}
        self.fresh = fresh
        self.scopes = scopes  # ("namespace" | "section", name), outermost first
        self.protected = protected  # full names of `protected` theorems

    @property
    def namespace(self) -> str:
        return ".".join(n for kind, n in self.scopes if kind == "namespace")

    def resolve(self, name: str) -> str | None:
        """The full name `name` refers to, as Lean resolves it: the innermost enclosing
        namespace that declares it wins; `_root_.x` is `x`; a protected `A.x` is never
        reached as `x`."""
        if name.startswith("_root_."):
            full = name[len("_root_.") :]
            return full if full in self.theorems or full in LIBRARY else None
        ns = self.namespace.split(".") if self.namespace else []
        short = "." not in name
        for i in range(len(ns), -1, -1):
            full = ".".join([*ns[:i], name])
            if i and short and full in self.protected:
                continue
            if full in self.theorems or full in LIBRARY:
                return full
        return None

    def lookup(self, name: str) -> Sig | None:
        full = self.resolve(name)
        if full is None:
            return None
        sig = self.theorems.get(full)
        return sig if sig is not None else LIBRARY.get(full)


@dataclass(frozen=True, slots=True)
class ProofState:
    goals: tuple[int, ...]
    mctx: MCtx
    roots: tuple[int, ...]
    env: Env


@dataclass(frozen=True, slots=True)
class Msg:
    severity: str
    text: str
    span: Span | None


@dataclass(frozen=True, slots=True)
class SorryRec:
    goal: GoalDecl
    span: Span | None


@dataclass(slots=True)
class TacticRecord:
    node: Node
    goals: tuple[int, ...]
    mctx: MCtx
    roots: tuple[int, ...]
    used: tuple[str, ...] = ()


class ElabError(Exception):
    """A term failed to elaborate (Lean logs these and continues with `sorry`)."""

    def __init__(self, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class TacticError(Exception):
    """A tactic failed (Lean throws these: the enclosing block stops)."""

    def __init__(self, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class Abort(Exception):
    """Silent abort of a tactic block (its parse error was already reported)."""


@dataclass
class _Snapshot:
    goals: list[int]
    decls: dict[int, GoalDecl]
    assign: dict[int, PTerm]
    n_messages: int
    n_sorries: int
    n_records: int
    n_holes: int


class Exec:
    """Mutable state while commands or tactics run: goals, metavariables, messages, sorries."""

    def __init__(self, env: Env, mctx: MCtx, goals: list[int], src: str, tactic_mode: bool) -> None:
        self.env = env
        self.mctx = mctx
        self.goals = goals
        self.src = src
        self.tactic_mode = tactic_mode
        self.recover = True
        self.messages: list[Msg] = []
        self.sorries: list[SorryRec] = []
        self.records: list[TacticRecord] | None = None
        self.roots: tuple[int, ...] = tuple(goals)
        self.holes: list[int] | None = None
        self.used: list[str] = []
        self.run_by: Callable[[Exec, Node, int, Span], None] = _no_runner

    # ------------------------------------------------------------ goals

    def decl(self, m: int) -> GoalDecl:
        return self.mctx.decls[m]

    def new_goal(self, lctx: tuple[LocalDecl, ...], target: Formula, tag: str) -> int:
        m = fresh_id()
        self.mctx.decls[m] = GoalDecl(lctx, target, tag)
        return m

    def assign(self, m: int, t: PTerm) -> None:
        assert m not in self.mctx.assign, "goal assigned twice"
        self.mctx.assign[m] = t

    def admit(self, m: int) -> None:
        if m not in self.mctx.assign:
            self.assign(m, Sorry(self.decl(m).target, synthetic=True))

    def main_goal(self) -> int:
        if not self.goals:
            raise TacticError("No goals to be solved", None)
        return self.goals[0]

    def goals_text(self, ms: list[int] | tuple[int, ...]) -> str:
        return "\n\n".join(self.decl(m).text() for m in ms)

    # ------------------------------------------------------------ messages

    def log(self, severity: str, text: str, span: Span | None) -> None:
        self.messages.append(Msg(severity, text, None if self.tactic_mode else span))

    def has_errors(self) -> bool:
        return any(m.severity == "error" for m in self.messages)

    def text(self, span: Span) -> str:
        return " ".join(self.src[span[0] : span[1]].split())

    # ------------------------------------------------------------ backtracking

    def save(self) -> _Snapshot:
        return _Snapshot(
            list(self.goals),
            dict(self.mctx.decls),
            dict(self.mctx.assign),
            len(self.messages),
            len(self.sorries),
            len(self.records) if self.records is not None else 0,
            len(self.holes) if self.holes is not None else 0,
        )

    def restore(self, s: _Snapshot) -> None:
        self.goals = list(s.goals)
        self.mctx.decls = dict(s.decls)
        self.mctx.assign = dict(s.assign)
        del self.messages[s.n_messages :]
        del self.sorries[s.n_sorries :]
        if self.records is not None:
            del self.records[s.n_records :]
        if self.holes is not None:
            del self.holes[s.n_holes :]


def _no_runner(x: Exec, seq: Node, m: int, span: Span) -> None:
    raise RuntimeError("no tactic runner installed")


def sorry_state(rec: SorryRec, env: Env) -> ProofState:
    """The proof state of a `sorry`: its goal alone, as a fresh root."""
    m = fresh_id()
    return ProofState((m,), MCtx({m: rec.goal}), (m,), env)


def root_term(st: ProofState) -> PTerm:
    return instantiate(MVar(st.roots[0]), st.mctx.assign)
