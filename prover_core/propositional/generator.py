"""Seeded corpus of valid propositional theorems with checked reference proofs.

Records use the miniF2F layout (`name`, `split`, `informal_prefix`, `formal_statement`,
`goal`, `header`) plus `proof` (tactic lines to append to `formal_statement`), `difficulty`
(1–5) and `classical` (the reference proof needs `by_cases`).

Invariants:
- deterministic for a given seed and arguments; no statement twice (statements are
  compared after renaming variables in order of first occurrence, as they are printed);
- every statement is classically valid and every reference proof is accepted by the
  stand-in REPL without errors or `sorry` before it is written;
- `goal` is exactly the stand-in's printed root goal; `header` is empty (the stand-in needs
  no imports, and ignores them at the start of a fresh environment);
- `split` is "test" for about 10% of the records, chosen from a hash of the name.

Difficulty grades the reference proof's size (tactic count):
1: ≤ 2, 2: 3–4, 3: 5–7, 4: 8–11, 5: 12–40 (longer proofs are not generated).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .formula import (
    AND,
    FALSE,
    IFF,
    IMP,
    OR,
    TRUE,
    Bin,
    Formula,
    Not,
    Var,
    atoms_in_order,
    countermodel,
    substitute,
)
from .lexer import tokenize
from .library import term_to_formula
from .parse_term import TermParser
from .printer import show
from .prover import Prover, count, render
from .repl import Repl

LEVELS = (1, 2, 3, 4, 5)
MAX_STEPS = 40
VARS = ("p", "q", "r", "s", "t")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# per level: (variables, hypotheses, depth of hypotheses, depth of the goal)
_SHAPE = {
    1: (2, (0, 1), 1, 2),
    2: (2, (0, 2), 2, 2),
    3: (3, (1, 2), 2, 3),
    4: (3, (1, 3), 2, 3),
    5: (4, (2, 3), 3, 3),
}
_CLASSICAL_SEEDS = (
    "¬¬p → p", "(¬q → ¬p) → p → q", "((p → q) → p) → p", "¬(p ∧ q) → ¬p ∨ ¬q", "(p → q) → ¬p ∨ q",
    "p ∨ ¬p", "(p → q) ∨ (q → p)", "¬(p → q) → p ∧ ¬q", "(p ↔ q) ∨ (p ↔ ¬q)", "(¬p → p) → p",
)  # fmt: skip


def level_of(steps: int) -> int:
    for lvl, bound in ((1, 2), (2, 4), (3, 7), (4, 11)):
        if steps <= bound:
            return lvl
    return 5


@dataclass(frozen=True)
class Problem:
    hyps: tuple[Formula, ...]
    goal: Formula

    def canonical(self) -> Problem:
        order = atoms_in_order([*self.hyps, self.goal])
        sub: dict[str, Formula] = {v: Var(VARS[i]) for i, v in enumerate(order)}
        return Problem(tuple(substitute(h, sub) for h in self.hyps), substitute(self.goal, sub))

    def variables(self) -> list[str]:
        return atoms_in_order([*self.hyps, self.goal])

    def statement(self, name: str) -> str:
        parts = [f"theorem {name}", f"({' '.join(self.variables())} : Prop)"]
        parts += [f"(h{str(i).translate(_SUBSCRIPT)} : {show(h)})" for i, h in enumerate(self.hyps)]
        return f"{' '.join(parts)} : {show(self.goal)} := by\n"


def _formula(
    rng: random.Random, names: list[str], d: int, pool: list[Formula] | None = None
) -> Formula:
    if d <= 0 or rng.random() < 0.15:
        if pool and rng.random() < 0.5:
            return rng.choice(pool)
        if rng.random() < 0.04:
            return rng.choice((TRUE, FALSE))
        return Var(rng.choice(names))
    op = rng.choices((AND, OR, IMP, IFF, "¬"), weights=(3, 3, 4, 1, 2))[0]
    if op == "¬":
        return Not(_formula(rng, names, d - 1, pool))
    return Bin(op, _formula(rng, names, d - 1, pool), _formula(rng, names, d - 1, pool))


def _subformulas(f: Formula) -> Iterator[Formula]:
    yield f
    if isinstance(f, Not):
        yield from _subformulas(f.arg)
    elif isinstance(f, Bin):
        yield from _subformulas(f.left)
        yield from _subformulas(f.right)


def _candidate(rng: random.Random, level: int, classical: bool) -> Problem:
    if classical:
        base = _parse_formula(rng.choice(_CLASSICAL_SEEDS))
        names = list(VARS[: 2 + (level >= 3) + (level >= 5)])
        sub = {v: _formula(rng, names, rng.randint(0, max(0, level - 2))) for v in ("p", "q")}
        return Problem((), substitute(base, sub))
    nvars, (hmin, hmax), hdepth, gdepth = _SHAPE[level]
    names = list(VARS[:nvars])
    hyps = tuple(
        _formula(rng, names, rng.randint(1, hdepth)) for _ in range(rng.randint(hmin, hmax))
    )
    pool = [g for h in hyps for g in _subformulas(h)]
    return Problem(hyps, _formula(rng, names, gdepth, pool))


def _parse_formula(text: str) -> Formula:
    return term_to_formula(TermParser(tokenize(text)).term(), lambda i: Var(i.name))


def _acceptable(p: Problem) -> bool:
    if countermodel(list(p.hyps), p.goal) is not None:
        return False
    if p.hyps and countermodel(list(p.hyps), FALSE) is None:
        return False  # inconsistent hypotheses make the goal vacuous
    return p.goal not in p.hyps and p.goal != TRUE and len(p.variables()) >= 1


def problems(
    seed: int,
    levels: tuple[int, ...] = LEVELS,
    classical_fraction: float = 0.15,
) -> Iterator[tuple[Problem, list[str], int, bool]]:
    """Endless stream of (problem, proof lines, difficulty, classical), levels in rotation."""
    rng = random.Random(seed)
    seen: set[Problem] = set()
    i = 0
    while True:
        target = levels[i % len(levels)]
        classical = rng.random() < classical_fraction
        best: tuple[Problem, list[str], int, bool] | None = None
        for _ in range(400):
            p = _candidate(rng, target, classical).canonical()
            if p in seen or not _acceptable(p):
                continue
            hyps = [(f"h{str(k).translate(_SUBSCRIPT)}", h) for k, h in enumerate(p.hyps)]
            prover = Prover(budget=4000, reserved={*VARS, *(n for n, _ in hyps)})
            steps = prover.prove(hyps, p.goal)
            is_classical = steps is None
            if steps is None:
                steps = Prover(budget=20000, reserved={*VARS, *(n for n, _ in hyps)}).prove(
                    hyps, p.goal, True
                )
            if steps is None or is_classical != classical or count(steps) > MAX_STEPS:
                continue
            found = (p, render(steps, 2), level_of(count(steps)), is_classical)
            if found[2] == target:
                best = found
                break
            if best is None or abs(found[2] - target) < abs(best[2] - target):
                best = found
        if best is None:
            continue
        seen.add(best[0])
        i += 1
        yield best


def write_corpus(
    n: int,
    seed: int,
    out: Path,
    levels: tuple[int, ...] = LEVELS,
    classical_fraction: float = 0.15,
    test_fraction: float = 0.1,
) -> int:
    """Write `n` records to `out` (JSONL); returns the number written."""
    repl = Repl()
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for p, proof, difficulty, classical in problems(seed, levels, classical_fraction):
            if written >= n:
                break
            name = f"prop_s{seed}_{written:05d}"
            statement = p.statement(name)
            probe = repl.handle({"cmd": statement + "  sorry"})
            goal = probe["sorries"][0]["goal"]
            check = repl.handle({"cmd": statement + "\n".join(proof)})
            if "messages" in check or "sorries" in check:
                raise RuntimeError(f"reference proof rejected for {name}: {check}")
            digest = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
            record = {
                "name": name,
                "split": "test" if digest % 1000 < test_fraction * 1000 else "valid",
                "informal_prefix": "",
                "formal_statement": statement,
                "goal": goal,
                "header": "",
                "proof": "\n".join(proof),
                "difficulty": difficulty,
                "classical": classical,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m prover_core.propositional.generator")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    print(write_corpus(args.n, args.seed, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
