"""Proof search producing tactic scripts (used to write reference proofs for the corpus).

Search is Dyckhoff's contraction-free calculus G4ip (complete for intuitionistic logic and
terminating): invertible rules first, then `left`/`right` and the `(A → B) → C` rule with
backtracking. When no intuitionistic proof exists, `by_cases` on atoms makes the sequent
decidable (with every atom decided, classical and intuitionistic provability coincide).

The scripts are only *claims*: the corpus writer checks every one with the stand-in REPL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .formula import AND, FALSE, IFF, OR, TRUE, Bin, Formula, Not, Var, as_arrow, atoms, defeq, imp
from .printer import show


@dataclass
class Step:
    """One tactic, then either bullet blocks (one per goal it leaves) or, for
    `have … := by`, the nested block's tactics."""

    text: str
    blocks: list[list[Step]] = field(default_factory=list)
    body: list[Step] = field(default_factory=list)


def render(steps: list[Step], indent: int = 0) -> list[str]:
    out: list[str] = []
    pad = " " * indent
    for s in steps:
        out.append(pad + s.text)
        out.extend(render(s.body, indent + 2))
        for b in s.blocks:
            lines = render(b, indent + 2)
            out.append(pad + "· " + lines[0].lstrip())
            out.extend(lines[1:])
    return out


def top_level(steps: list[Step]) -> list[str]:
    """Each top-level tactic as its own (possibly multi-line) text, for tactic mode."""
    return ["\n".join(render([s])) for s in steps]


def count(steps: list[Step]) -> int:
    return sum(1 + count(s.body) + sum(count(b) for b in s.blocks) for s in steps)


Ctx = tuple[tuple[str, Formula], ...]


class _OutOfBudget(Exception):
    pass


class Prover:
    def __init__(self, budget: int = 20000, reserved: set[str] | None = None) -> None:
        self.budget = budget
        self.used = set(reserved or ())
        self.counter = 0
        self.failed: set[tuple[frozenset[Formula], Formula]] = set()

    def fresh(self) -> str:
        while True:
            self.counter += 1
            name = f"h{self.counter}"
            if name not in self.used:
                self.used.add(name)
                return name

    def prove(
        self, hyps: list[tuple[str, Formula]], goal: Formula, classical: bool = False
    ) -> list[Step] | None:
        try:
            found = self._search(tuple(hyps), goal)
            if found is None and classical:
                found = self._classical(
                    tuple(hyps), goal, sorted(atoms(goal).union(*(atoms(f) for _, f in hyps)))
                )
            return found
        except _OutOfBudget:
            return None

    def _classical(self, ctx: Ctx, goal: Formula, todo: list[str]) -> list[Step] | None:
        found = self._search(ctx, goal)
        if found is not None or not todo:
            return found
        v, rest = todo[0], todo[1:]
        name = self.fresh()
        pos = self._classical((*ctx, (name, Var(v))), goal, rest)
        neg = self._classical((*ctx, (name, Not(Var(v)))), goal, rest) if pos is not None else None
        if pos is None or neg is None:
            return None
        return [Step(f"by_cases {name} : {v}", [pos, neg])]

    # ------------------------------------------------------------ G4ip

    def _search(self, ctx: Ctx, goal: Formula) -> list[Step] | None:
        self.budget -= 1
        if self.budget < 0:
            raise _OutOfBudget
        key = (frozenset(f for _, f in ctx), goal)
        if key in self.failed:
            return None
        found = self._rules(ctx, goal)
        if found is None:
            self.failed.add(key)
        return found

    def _rules(self, ctx: Ctx, goal: Formula) -> list[Step] | None:
        for n, f in ctx:
            if defeq(f, goal):
                return [Step(f"exact {n}")]
        for n, f in ctx:
            if f == FALSE:
                return [Step(f"exact False.elim {n}")]
        for n, f in ctx:
            arrow = as_arrow(f)
            if arrow is not None and arrow[1] == FALSE:
                for m, g in ctx:
                    if defeq(g, arrow[0]):
                        return [Step(f"exact absurd {m} {n}")]
        if goal == TRUE:
            return [Step("trivial")]
        arrow = as_arrow(goal)
        if arrow is not None:
            name = self.fresh()
            rest = self._search((*ctx, (name, arrow[0])), arrow[1])
            return None if rest is None else [Step(f"intro {name}"), *rest]
        if isinstance(goal, Bin) and goal.op in (AND, IFF):
            parts = (
                (goal.left, goal.right)
                if goal.op == AND
                else (imp(goal.left, goal.right), imp(goal.right, goal.left))
            )
            blocks = []
            for p in parts:
                sub = self._search(ctx, p)
                if sub is None:
                    return None
                blocks.append(sub)
            return [Step("constructor", blocks)]
        step = self._invertible_left(ctx, goal)
        if step is not None:
            return step if step else None
        if isinstance(goal, Bin) and goal.op == OR:
            for side, part in (("left", goal.left), ("right", goal.right)):
                sub = self._search(ctx, part)
                if sub is not None:
                    return [Step(side), *sub]
        for i, (n, f) in enumerate(ctx):
            arrow = as_arrow(f)
            if arrow is None:
                continue
            inner = as_arrow(arrow[0])
            if inner is None:
                continue
            found = self._imp_imp(ctx, i, n, inner, arrow[1], goal)
            if found is not None:
                return found
        return None

    def _invertible_left(self, ctx: Ctx, goal: Formula) -> list[Step] | None:
        """Apply the first invertible left rule; None if none applies, [] if it failed."""
        for i, (n, f) in enumerate(ctx):
            rest = ctx[:i] + ctx[i + 1 :]
            if f == TRUE:
                return self._or_empty(self._search(rest, goal))
            if isinstance(f, Bin) and f.op in (AND, IFF):
                a, b = self.fresh(), self.fresh()
                fa, fb = (
                    (f.left, f.right)
                    if f.op == AND
                    else (imp(f.left, f.right), imp(f.right, f.left))
                )
                sub = self._search((*rest, (a, fa), (b, fb)), goal)
                return self._or_empty(
                    None if sub is None else [Step(f"obtain ⟨{a}, {b}⟩ := {n}"), *sub]
                )
            if isinstance(f, Bin) and f.op == OR:
                a, b = self.fresh(), self.fresh()
                left = self._search((*rest, (a, f.left)), goal)
                right = self._search((*rest, (b, f.right)), goal) if left is not None else None
                if left is None or right is None:
                    return []
                return [Step(f"rcases {n} with {a} | {b}", [left, right])]
            arrow = as_arrow(f)
            if arrow is None:
                continue
            ante, concl = arrow
            if any(defeq(g, ante) for _, g in rest):
                m = next(m for m, g in rest if defeq(g, ante))
                c = self.fresh()
                sub = self._search((*rest, (c, concl)), goal)
                return self._or_empty(None if sub is None else [Step(f"have {c} := {n} {m}"), *sub])
            if ante == FALSE:
                return self._or_empty(self._search(rest, goal))
            if ante == TRUE:
                c = self.fresh()
                sub = self._search((*rest, (c, concl)), goal)
                return self._or_empty(
                    None if sub is None else [Step(f"have {c} := {n} trivial"), *sub]
                )
            if isinstance(ante, Bin) and ante.op == AND:
                c = self.fresh()
                new = imp(ante.left, imp(ante.right, concl))
                sub = self._search((*rest, (c, new)), goal)
                step = Step(f"have {c} : {show(new)} := fun a b => {n} ⟨a, b⟩")
                return self._or_empty(None if sub is None else [step, *sub])
            if isinstance(ante, Bin) and ante.op == IFF:
                c = self.fresh()
                new = imp(imp(ante.left, ante.right), imp(imp(ante.right, ante.left), concl))
                sub = self._search((*rest, (c, new)), goal)
                step = Step(f"have {c} : {show(new)} := fun a b => {n} ⟨a, b⟩")
                return self._or_empty(None if sub is None else [step, *sub])
            if isinstance(ante, Bin) and ante.op == OR:
                c1, c2 = self.fresh(), self.fresh()
                n1, n2 = imp(ante.left, concl), imp(ante.right, concl)
                sub = self._search((*rest, (c1, n1), (c2, n2)), goal)
                steps = [
                    Step(f"have {c1} : {show(n1)} := fun a => {n} (Or.inl a)"),
                    Step(f"have {c2} : {show(n2)} := fun a => {n} (Or.inr a)"),
                ]
                return self._or_empty(None if sub is None else [*steps, *sub])
        return None

    @staticmethod
    def _or_empty(found: list[Step] | None) -> list[Step]:
        return found if found is not None else []

    def _imp_imp(
        self,
        ctx: Ctx,
        i: int,
        n: str,
        inner: tuple[Formula, Formula],
        concl: Formula,
        goal: Formula,
    ) -> list[Step] | None:
        """G4ip's rule for `h : (A → B) → C`: prove `A → B` using `B → C`, then use `C`."""
        a, b = inner
        rest = ctx[:i] + ctx[i + 1 :]
        ha, hbc = self.fresh(), self.fresh()
        bc = imp(b, concl)
        sub = self._search((*rest, (hbc, bc), (ha, a)), b)
        if sub is None:
            return None
        hc = self.fresh()
        main = self._search((*rest, (hc, concl)), goal)
        if main is None:
            return None
        lemma = [
            Step(f"refine {n} ?_"),
            Step(f"intro {ha}"),
            Step(f"have {hbc} : {show(bc)} := fun b => {n} (fun _ => b)"),
            *sub,
        ]
        return [Step(f"have {hc} : {show(concl)} := by", body=lemma), *main]
