"""Syntax trees of the fragment. Every node carries `span = (start, end)` source offsets.

Terms cover both proof terms and propositions (Lean does not separate them syntactically);
the elaborator decides which is which from the expected type.
"""

from __future__ import annotations

from dataclasses import dataclass

Span = tuple[int, int]


class Node:
    __slots__ = ()
    span: Span


# ---------------------------------------------------------------- terms


class Term(Node):
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class TIdent(Term):
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class TApp(Term):
    fn: Term
    args: tuple[Term, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TBin(Term):
    op: str
    left: Term
    right: Term
    span: Span


@dataclass(frozen=True, slots=True)
class TNot(Term):
    arg: Term
    span: Span


@dataclass(frozen=True, slots=True)
class FunBinder:
    pattern: Pattern
    type: Term | None
    span: Span


@dataclass(frozen=True, slots=True)
class TFun(Term):
    binders: tuple[FunBinder, ...]
    body: Term
    span: Span


@dataclass(frozen=True, slots=True)
class TAnon(Term):
    items: tuple[Term, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TAscribe(Term):
    term: Term
    type: Term
    span: Span


@dataclass(frozen=True, slots=True)
class TShow(Term):
    type: Term
    body: Term
    span: Span


@dataclass(frozen=True, slots=True)
class TBy(Term):
    seq: TacSeq
    by_span: Span
    span: Span


@dataclass(frozen=True, slots=True)
class TSorry(Term):
    span: Span


@dataclass(frozen=True, slots=True)
class THole(Term):
    """`_`"""

    span: Span


@dataclass(frozen=True, slots=True)
class TSynthHole(Term):
    """`?_`"""

    span: Span


@dataclass(frozen=True, slots=True)
class TProj(Term):
    """`(e).field` on a non-identifier head (identifiers keep their dotted name)."""

    term: Term
    field: str
    span: Span


# ---------------------------------------------------------------- rcases patterns


class Pattern(Node):
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class PName(Pattern):
    """A name, or `_` (keep the hypothesis under an inaccessible name)."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class PTuple(Pattern):
    items: tuple[Pattern, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class PAlts(Pattern):
    alts: tuple[Pattern, ...]
    span: Span


# ---------------------------------------------------------------- tactics


class Tactic(Node):
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class TacSeq(Node):
    items: tuple[Tactic, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Simple(Tactic):
    """A tactic without arguments: constructor, left, right, exfalso, assumption,
    contradiction, trivial, rfl, skip, done, sorry."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Intro(Tactic):
    pats: tuple[Pattern, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Intros(Tactic):
    names: tuple[PName, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TermTactic(Tactic):
    """exact / apply / refine / specialize with one term."""

    name: str
    term: Term
    span: Span


@dataclass(frozen=True, slots=True)
class Exacts(Tactic):
    terms: tuple[Term, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class CasesAlt:
    ctor: str
    names: tuple[PName, ...]
    seq: TacSeq
    span: Span


@dataclass(frozen=True, slots=True)
class Cases(Tactic):
    target: Term
    alts: tuple[CasesAlt, ...] | None
    span: Span


@dataclass(frozen=True, slots=True)
class RCases(Tactic):
    """rcases e with pat / obtain pat (: T)? (:= e)?"""

    target: Term | None
    pattern: Pattern
    type: Term | None
    span: Span


@dataclass(frozen=True, slots=True)
class Have(Tactic):
    name: PName | None
    pattern: Pattern | None
    type: Term | None
    value: Term | None
    span: Span


@dataclass(frozen=True, slots=True)
class Show(Tactic):
    type: Term
    span: Span


@dataclass(frozen=True, slots=True)
class ByContra(Tactic):
    name: PName | None
    span: Span


@dataclass(frozen=True, slots=True)
class ByCases(Tactic):
    name: PName | None
    prop: Term
    span: Span


@dataclass(frozen=True, slots=True)
class Names(Tactic):
    """clear / revert with hypothesis names."""

    name: str
    names: tuple[PName, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Block(Tactic):
    """`· tacs` (kind "cdot", ref = the dot), `{ tacs }` ("braces", ref = `}`),
    `(tacs)` ("paren"), `next x => tacs` ("next")."""

    kind: str
    seq: TacSeq
    ref: Span
    names: tuple[PName, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Case(Tactic):
    tag: str
    names: tuple[PName, ...]
    seq: TacSeq
    ref: Span
    span: Span


@dataclass(frozen=True, slots=True)
class Combinator(Tactic):
    """try / all_goals / any_goals / repeat / focus applied to a sequence."""

    name: str
    seq: TacSeq
    span: Span


@dataclass(frozen=True, slots=True)
class First(Tactic):
    alts: tuple[TacSeq, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Then(Tactic):
    """`t <;> u`"""

    first: Tactic
    then: Tactic
    span: Span


@dataclass(frozen=True, slots=True)
class Missing(Tactic):
    """Where parsing failed: running it aborts the enclosing block silently (the parse error
    has already been reported)."""

    span: Span


# ---------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class BinderGroup:
    names: tuple[tuple[str, Span], ...]
    type: Term
    implicit: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Decl(Node):
    kind: str  # theorem | lemma | example
    name: str | None
    ref: Span  # the name, or the `example` keyword: where "declaration uses sorry" points
    binders: tuple[BinderGroup, ...]
    type: Term
    body: Term
    span: Span
    protected: bool = False  # `protected theorem`: never found by its last component alone


@dataclass(frozen=True, slots=True)
class PrintAxioms(Node):
    name: str
    name_span: Span
    ref: Span
    span: Span


@dataclass(frozen=True, slots=True)
class CheckConst(Node):
    """`#check NAME` (signature form) or `#check @NAME` (the type as a `∀`)."""

    name: str
    explicit: bool
    name_span: Span
    ref: Span
    span: Span


@dataclass(frozen=True, slots=True)
class Import(Node):
    module: str
    span: Span


@dataclass(frozen=True, slots=True)
class Scope(Node):
    """`namespace N`, `section [N]` or `end [N]`."""

    keyword: str
    name: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class Ignored(Node):
    """Commands without effect on this fragment (`open …`, `set_option …`)."""

    span: Span


@dataclass(frozen=True, slots=True)
class Unsupported(Node):
    """A command outside the fragment (`def`, `#eval`, …): reported as an error."""

    keyword: str
    span: Span


Command = Decl | PrintAxioms | CheckConst | Import | Scope | Ignored | Unsupported
