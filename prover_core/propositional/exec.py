"""Running tactic blocks: sequencing, focusing, combinators and Lean's error recovery.

Recovery (when `Exec.recover` is on, as in Lean by default):
- a failing tactic aborts its block; a `by` block logs the error and admits what is left;
- `·`, `{ }`, `next`, `case` and `cases … with` alternatives focus one goal, must close it
  (else "unsolved goals" at the bullet), and on failure log the error, admit the focused
  goal and let the enclosing block continue;
- `first`/`try`/`repeat` run their non-final alternatives with recovery off, restoring the
  state on failure.
"""

from __future__ import annotations

from . import cases as C
from . import tactics as T
from .kernel import MVar, instantiate, subterms
from .state import Abort, ElabError, Exec, GoalDecl, LocalDecl, TacticError, TacticRecord
from .syntax import (
    Block,
    ByCases,
    ByContra,
    Case,
    Cases,
    Combinator,
    Exacts,
    First,
    Have,
    Intro,
    Intros,
    Missing,
    Names,
    Node,
    PName,
    RCases,
    Show,
    Simple,
    Span,
    TacSeq,
    Tactic,
    TermTactic,
    Then,
)

MAX_REPEAT = 1000


def new_exec(x: Exec) -> Exec:
    x.run_by = run_by
    return x


def run_seq(x: Exec, seq: TacSeq) -> None:
    for t in seq.items:
        run_tactic(x, t)


def run_tactic(x: Exec, t: Tactic) -> None:
    record = None
    if x.records is not None and not isinstance(t, Block | Then | Missing):
        record = TacticRecord(t, tuple(x.goals), x.mctx.copy(), x.roots)
        x.records.append(record)
    used = len(x.used)
    try:
        _dispatch(x, t)
    except ElabError as e:
        raise TacticError(e.message, e.span or t.span) from None
    except TacticError as e:
        if e.span is None:
            e.span = t.span
        raise
    if record is not None:
        record.used = tuple(dict.fromkeys(x.used[used:]))


def _dispatch(x: Exec, t: Tactic) -> None:
    if isinstance(t, Simple):
        _simple(x, t)
    elif isinstance(t, Intro):
        if not t.pats:
            T.intro_one(x, None)
        for p in t.pats:
            C.intro_pattern(x, p)
    elif isinstance(t, Intros):
        T.intros(x, t)
    elif isinstance(t, TermTactic):
        {
            "exact": T.exact,
            "apply": T.apply,
            "refine": T.refine,
            "refine'": T.refine,
            "specialize": T.specialize,
        }[t.name](x, t)
    elif isinstance(t, Exacts):
        T.exacts(x, t)
    elif isinstance(t, Have):
        _have(x, t)
    elif isinstance(t, Show):
        T.show_(x, t)
    elif isinstance(t, Cases):
        C.cases(x, t, focus)
    elif isinstance(t, RCases):
        C.rcases(x, t)
    elif isinstance(t, ByCases):
        C.by_cases(x, t)
    elif isinstance(t, ByContra):
        C.by_contra(x, t)
    elif isinstance(t, Names):
        T.clear_revert(x, t)
    elif isinstance(t, Block):
        _block(x, t)
    elif isinstance(t, Case):
        _case(x, t)
    elif isinstance(t, Combinator):
        _combinator(x, t)
    elif isinstance(t, First):
        _first(x, t)
    elif isinstance(t, Then):
        _then(x, t)
    elif isinstance(t, Missing):
        raise Abort
    else:
        raise TacticError("unknown tactic", t.span)


def _simple(x: Exec, t: Simple) -> None:
    if t.name in ("constructor", "left", "right"):
        T.constructor(x, t.name)
    elif t.name == "sorry":
        T.sorry(x, t)
    elif t.name == "skip":
        pass
    else:
        {
            "exfalso": T.exfalso,
            "assumption": T.assumption,
            "contradiction": T.contradiction,
            "trivial": T.trivial,
            "rfl": T.rfl,
            "done": T.done,
        }[t.name](x)


def _have(x: Exec, t: Have) -> None:
    if t.pattern is not None:
        C.rcases(x, RCases(t.value, t.pattern, t.type, t.span))
        return
    name, inacc = T.named(t.name, "this")
    if t.name is None:
        inacc = False
    T.have(x, t, name, inacc)


# ------------------------------------------------------------ focusing and recovery


def admit_under(x: Exec, m: int) -> None:
    """Admit every goal still open inside `m`'s proof (and `m` itself if unassigned)."""
    term = instantiate(MVar(m), x.mctx.assign)
    for s in subterms(term):
        if isinstance(s, MVar):
            x.admit(s.id)


def focus(x: Exec, m: int, seq: TacSeq, ref: Span) -> None:
    """Run `seq` on goal `m` alone; it must close it (Lean's `closeUsingOrAdmit`)."""
    saved = x.goals
    x.goals = [m]
    try:
        run_seq(x, seq)
        if x.goals:
            raise TacticError("unsolved goals\n" + x.goals_text(x.goals), ref)
    except TacticError as e:
        if not x.recover:
            raise
        x.log("error", e.message, e.span or ref)
        admit_under(x, m)
    except Abort:
        admit_under(x, m)
    finally:
        x.goals = saved


def _rename(x: Exec, m: int, names: tuple[PName, ...]) -> None:
    """`next a b =>` / `case tag a b =>`: name the most recent inaccessible hypotheses."""
    if not names:
        return
    g = x.decl(m)
    lctx = list(g.lctx)
    idx = [i for i, d in enumerate(lctx) if d.inaccessible][-len(names) :]
    for i, p in zip(idx, names[-len(idx) :] if idx else (), strict=False):
        d = lctx[i]
        lctx[i] = LocalDecl(d.fvar, p.name, p.name == "_", d.type)
    x.mctx.decls[m] = GoalDecl(tuple(lctx), g.target, g.tag)


def _block(x: Exec, t: Block) -> None:
    if t.kind == "paren":
        run_seq(x, t.seq)
        return
    m = x.main_goal()
    rest = x.goals[1:]
    _rename(x, m, t.names)
    focus(x, m, t.seq, t.ref)
    x.goals = rest


def _case(x: Exec, t: Case) -> None:
    m = _find_tag(x, t.tag)
    if m is None:
        if not x.goals:
            raise TacticError(
                f"Case tag `{t.tag}` not found.\n\nNote: There are no cases to select.", t.ref
            )
        tags = ", ".join(f"`{x.decl(k).tag}`" for k in x.goals if x.decl(k).tag) or "none"
        raise TacticError(f"Case tag `{t.tag}` not found.\n\nAvailable tags: {tags}", t.ref)
    rest = [k for k in x.goals if k != m]
    _rename(x, m, t.names)
    focus(x, m, t.seq, t.ref)
    x.goals = rest


def _find_tag(x: Exec, tag: str) -> int | None:
    if tag == "_":
        return x.goals[0] if x.goals else None
    # Lean's `findTag?`: exact match, then suffix, then prefix of the dotted tag
    for k in x.goals:
        if x.decl(k).tag == tag:
            return k
    for k in x.goals:
        if x.decl(k).tag.endswith("." + tag):
            return k
    for k in x.goals:
        if x.decl(k).tag.startswith(tag + "."):
            return k
    return None


def _attempt(x: Exec, seq: TacSeq) -> bool:
    """Run without recovery; on failure restore the state and report False."""
    s = x.save()
    recover, x.recover = x.recover, False
    try:
        run_seq(x, seq)
        return True
    except (TacticError, Abort):
        x.restore(s)
        return False
    finally:
        x.recover = recover


def _combinator(x: Exec, t: Combinator) -> None:
    if t.name == "try":
        _attempt(x, t.seq)
    elif t.name == "repeat":
        for _ in range(MAX_REPEAT):
            if not x.goals or not _attempt(x, t.seq):
                return
        raise TacticError("maximum recursion depth has been reached", t.span)
    elif t.name == "focus":
        m = x.main_goal()
        rest = x.goals[1:]
        x.goals = [m]
        run_seq(x, t.seq)
        x.goals = x.goals + rest
    elif t.name == "all_goals":
        _all_goals(x, t.seq)
    else:
        _any_goals(x, t)


def _all_goals(x: Exec, seq: TacSeq) -> None:
    goals = list(x.goals)
    saved = x.save()
    out: list[int] = []
    failed = False
    for m in goals:
        if m in x.mctx.assign:
            continue
        x.goals = [m]
        try:
            run_seq(x, seq)
        except TacticError as e:
            if not x.recover:
                raise
            x.log("error", e.message, e.span)
            failed = True
        out.extend(x.goals)
    if failed:
        # Lean restores the metavariable context (not the messages) and admits every goal
        x.mctx.decls = dict(saved.decls)
        x.mctx.assign = dict(saved.assign)
        for m in goals:
            x.admit(m)
        x.goals = []
        raise Abort
    x.goals = out


def _any_goals(x: Exec, t: Combinator) -> None:
    goals = list(x.goals)
    out: list[int] = []
    ok = False
    for m in goals:
        x.goals = [m]
        if _attempt(x, t.seq):
            ok = True
        out.extend(x.goals)
    x.goals = out
    if not ok:
        raise TacticError("any_goals failed on every goal", t.span)


def _first(x: Exec, t: First) -> None:
    for alt in t.alts[:-1]:
        if _attempt(x, alt):
            return
    run_seq(x, t.alts[-1])


def _then(x: Exec, t: Then) -> None:
    m = x.main_goal()
    rest = x.goals[1:]
    x.goals = [m]
    run_tactic(x, t.first)
    _all_goals(x, TacSeq((t.then,), t.then.span))
    x.goals = x.goals + rest


# ------------------------------------------------------------ `by` blocks


def run_by(x: Exec, seq: Node, m: int, span: Span) -> None:
    """Elaborate `by seq` for goal `m`: errors are logged and leftovers admitted."""
    assert isinstance(seq, TacSeq)
    saved = x.goals
    x.goals = [m]
    try:
        run_seq(x, seq)
        if x.goals:
            x.log("error", "unsolved goals\n" + x.goals_text(x.goals), span)
            for k in x.goals:
                x.admit(k)
    except TacticError as e:
        if not x.recover:
            raise
        x.log("error", e.message, e.span or span)
        admit_under(x, m)
    except Abort:
        if not x.recover:
            raise
        admit_under(x, m)
    finally:
        x.goals = saved
