"""Elaboration of commands: `theorem`/`lemma`/`example`, `#print axioms`, `import`.

Invariants:
- A theorem enters the environment only after the kernel has checked its proof term; a
  proof with errors still enters (as in Lean) but its axioms then include `sorryAx`.
- A declaration sees only theorems declared before it (never itself).
- "declaration uses `sorry`" is reported exactly when the proof contains `sorry` and the
  declaration logged no error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .elab import Elab
from .exec import new_exec, run_by
from .formula import Formula, Var
from .kernel import KernelError, MVar, Sig, SigBinder, axioms_of, check, has_sorry, instantiate
from .library import LIBRARY
from .parse_command import parse_commands
from .parse_term import ParseError
from .printer import show
from .state import (
    ElabError,
    Env,
    Exec,
    GoalDecl,
    LocalDecl,
    MCtx,
    Msg,
    SorryRec,
    TacticRecord,
    fresh_id,
)
from .syntax import (
    CheckConst,
    Decl,
    Ignored,
    Import,
    PrintAxioms,
    Scope,
    TBy,
    TIdent,
    Unsupported,
)


@dataclass
class CmdOutput:
    env: Env
    messages: list[Msg] = field(default_factory=list)
    # each with the environment its proof state resolves names in
    sorries: list[tuple[SorryRec, Env]] = field(default_factory=list)
    roots: list[tuple[SorryRec, Env]] = field(default_factory=list)
    records: list[tuple[TacticRecord, Env]] = field(default_factory=list)
    src: str = ""


def _name_cmp(a: str, b: str) -> int:
    """Lean's `Name.cmp`: prefixes compare first, so `propext` < `Classical.choice`."""
    pa, pb = a.split("."), b.split(".")

    def cmp(x: list[str], y: list[str]) -> int:
        if not x or not y:
            return (len(x) > 0) - (len(y) > 0)
        c = cmp(x[:-1], y[:-1])
        if c:
            return c
        return (x[-1] > y[-1]) - (x[-1] < y[-1])

    return cmp(pa, pb)


def axioms_message(name: str, axioms: frozenset[str]) -> str:
    if not axioms:
        return f"'{name}' does not depend on any axioms"
    ordered = sorted(axioms, key=functools.cmp_to_key(_name_cmp))
    return f"'{name}' depends on axioms: [{', '.join(ordered)}]"


def check_message(name: str, sig: Sig, explicit: bool) -> str:
    """Lean's `#check` text: `@name : ∀ (p q : Prop), p → q` or `name (p q : Prop) (h : p) : q`.

    Consecutive binders of the same kind, bracket and type are grouped, as Lean prints them.
    """
    groups: list[tuple[tuple[str, str], list[str], str]] = []  # (brackets, names, type)
    for b in sig.binders:
        brackets = ("(", ")") if b.explicit else ("{", "}")
        ty = "Prop" if b.kind == "prop" else show(b.type) if b.type is not None else "?"
        if b.kind == "proof" and explicit:
            continue  # proof binders print as arrows in the `∀` form
        if groups and groups[-1][0] == brackets and groups[-1][2] == ty:
            groups[-1][1].append(b.name)
        else:
            groups.append((brackets, [b.name], ty))
    text = " ".join(f"{o}{' '.join(ns)} : {ty}{c}" for (o, c), ns, ty in groups)
    if explicit:
        body = show(sig.instance(tuple(Var(p) for p in sig.params)))
        return f"@{name} : ∀ {text}, {body}" if text else f"@{name} : {body}"
    return f"{name} {text} : {show(sig.result)}" if text else f"{name} : {show(sig.result)}"


def run_commands(
    env: Env, src: str, all_tactics: bool = False, root_goals: bool = False
) -> CmdOutput:
    items = parse_commands(src)
    out = CmdOutput(env, src=src)
    theorems = env.theorems
    scopes = env.scopes
    protected = env.protected
    header_open = env.fresh
    parse_errors: list[ParseError] = []
    for it in items:
        if isinstance(it, Import):
            if not header_open:
                out.messages.append(
                    Msg(
                        "error",
                        "invalid 'import' command, it must be used in the beginning of the file",
                        it.span,
                    )
                )
            continue
        header_open = False
        if isinstance(it, ParseError):
            out.messages.append(Msg("error", it.message, (it.start, it.end)))
            parse_errors.append(it)
        elif isinstance(it, Ignored):
            pass
        elif isinstance(it, Unsupported):
            out.messages.append(
                Msg(
                    "error",
                    f"stand-in: `{it.keyword}` is outside the propositional fragment",
                    it.span,
                )
            )
        elif isinstance(it, Scope):
            scopes = _scope(scopes, it, out)
        elif isinstance(it, CheckConst | PrintAxioms):
            _lookup_command(Env(theorems, False, scopes, protected), it, out)
        else:
            assert isinstance(it, Decl)
            full = _full_name(scopes, it.name)
            # the body also sees the namespace its name is written in (`theorem B.foo`)
            written = [] if it.name is None or it.name.startswith("_root_.") else it.name.split(".")
            inner = (*scopes, *(("namespace", p) for p in written[:-1]))
            view = Env(theorems, False, inner, protected)
            broken = any(it.span[0] <= e.start <= it.span[1] for e in parse_errors)
            sig = _declaration(view, it, full, src, all_tactics, root_goals, out, broken)
            if sig is not None and full is not None:
                theorems = {**theorems, full: sig}
                protected = protected | {full} if it.protected else protected
    out.env = Env(theorems, False, scopes, protected)
    return out


def _full_name(scopes: tuple[tuple[str, str], ...], name: str | None) -> str | None:
    if name is None or name.startswith("_root_."):
        return None if name is None else name[len("_root_.") :]
    return ".".join([*(n for kind, n in scopes if kind == "namespace"), name])


def _lookup_command(env: Env, it: CheckConst | PrintAxioms, out: CmdOutput) -> None:
    """`#check [@]NAME` / `#print axioms NAME`, NAME resolved in the current namespaces."""
    full = env.resolve(it.name)
    sig = None if full is None else env.lookup(it.name)
    if isinstance(it, CheckConst):
        if full is None or sig is None:
            out.messages.append(Msg("error", f"Unknown identifier `{it.name}`", it.name_span))
        else:
            out.messages.append(Msg("info", check_message(full, sig, it.explicit), it.span))
    elif full is None or sig is None:
        out.messages.append(Msg("error", f"Unknown constant `{it.name}`", it.name_span))
    else:
        out.messages.append(Msg("info", axioms_message(full, sig.axioms), it.ref))


def _scope(
    scopes: tuple[tuple[str, str], ...], it: Scope, out: CmdOutput
) -> tuple[tuple[str, str], ...]:
    """The scopes after `namespace`/`section`/`end`, with Lean's errors for a bad `end`."""
    parts = it.name.split(".") if it.name else []
    if it.keyword == "namespace":
        return (*scopes, *(("namespace", p) for p in parts))
    if it.keyword == "section":
        return (*scopes, ("section", it.name or ""))
    size = max(1, len(parts))
    if size > len(scopes):
        out.messages.append(Msg("error", "invalid 'end', insufficient scopes", it.span))
        return ()
    closed, rest = scopes[len(scopes) - size :], scopes[: len(scopes) - size]
    innermost = closed[-1][1]
    if not parts and innermost:
        out.messages.append(
            Msg("error", f"invalid 'end', name is missing (expected {innermost})", it.span)
        )
    elif parts and (
        [n for _, n in closed] != parts if closed[0][0] == "namespace" else closed[-1][1] != it.name
    ):
        expected = innermost or "nothing"
        out.messages.append(
            Msg("error", f"invalid 'end', name mismatch (expected {expected})", it.span)
        )
    return rest


def _declaration(
    env: Env,
    d: Decl,
    full: str | None,
    src: str,
    all_tactics: bool,
    root_goals: bool,
    out: CmdOutput,
    broken: bool,
) -> Sig | None:
    """Elaborate one declaration (full name `full`); `broken` when its syntax had errors
    (already reported)."""
    x = new_exec(Exec(env, MCtx(), [], src, tactic_mode=False))
    if full is not None and (full in env.theorems or full in LIBRARY):
        out.messages.append(Msg("error", f"'{full}' has already been declared", d.ref))
        return None
    e = Elab(x)
    lctx: tuple[LocalDecl, ...] = ()
    binders: list[SigBinder] = []
    try:
        for g in d.binders:
            is_prop = isinstance(g.type, TIdent) and g.type.name == "Prop"
            ty: Formula | None = None if is_prop else e.formula(g.type, lctx)
            for name, span in g.names:
                if is_prop and any(p.type is None and p.name == name for p in lctx):
                    raise ElabError(
                        f"stand-in: propositional variable `{name}` is declared twice", span
                    )
                lctx = (*lctx, LocalDecl(fresh_id(), name, name == "_", ty))
                binders.append(SigBinder("prop" if is_prop else "proof", name, not g.implicit, ty))
        target = e.formula(d.type, lctx)
    except ElabError as err:
        out.messages.append(Msg("error", err.message, err.span))
        return None
    m0 = x.new_goal(lctx, target, "")
    x.goals, x.roots = [m0], (m0,)
    if all_tactics:
        x.records = []
    n_before = len(out.messages)
    if isinstance(d.body, TBy):
        run_by(x, d.body.seq, m0, d.body.span)
    else:
        try:
            term = e.finish(e.ensure(d.body, target, lctx), d.body.span)
            x.assign(m0, term)
        except ElabError as err:
            x.log("error", err.message, err.span)
            x.admit(m0)
    out.messages.extend(x.messages)
    out.sorries.extend((s, env) for s in x.sorries)
    out.records.extend((r, env) for r in x.records or ())
    if root_goals:
        out.roots.append(
            (SorryRec(GoalDecl(lctx, target, ""), (d.body.span[0], d.body.span[0])), env)
        )
    proof = instantiate(MVar(m0), x.mctx.assign)
    decl = x.decl(m0)
    try:
        check(proof, decl.hyps(), decl.props(), target, env.lookup)
    except KernelError as err:
        out.messages.append(Msg("error", f"(kernel) {err}", d.ref))
        return None
    errors = broken or any(m.severity == "error" for m in out.messages[n_before:])
    if has_sorry(proof) and not errors:
        out.messages.append(Msg("warning", "declaration uses `sorry`", d.ref))
    return Sig(tuple(binders), target, axioms_of(proof, env.lookup))
