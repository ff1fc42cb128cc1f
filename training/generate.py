"""Proof generation: batched best-first search over a problem pool, checkpointed by chunk.

Invariants:
- Problems are searched in chunks of `budget.concurrency`, in problem order; a chunk's
  searches share one `Lockstep` seeded by (seed, attempt, chunk), so a chunk's results are a
  pure function of the model, the problems and the seed.
- A finished chunk is written atomically to `out_dir/aAA-cCCCC.jsonl` and never recomputed:
  after a crash, generation resumes at the first missing chunk with no lost or duplicated
  attempt.
- Results come back in problem order, whatever order the searches finished in.
- A statement that does not elaborate is an `error` attempt (a value); a REPL or policy
  failure is an exception and fails the chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from prover_core.lean.pool import ReplPool
from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.search.best_first import BestFirstSearch, SearchResult
from training.config import SearchStage
from training.lockstep import Lockstep, Member, derive_seed
from training.problems import Problem
from training.records import Record, Source, atomic_write_jsonl, read_jsonl


@dataclass(frozen=True)
class Step:
    state: str
    tactic: str
    logprob: float
    n_tokens: int


@dataclass(kw_only=True)
class Attempt:
    """One search for one problem (fields by name only: several share a type)."""

    problem: str
    attempt: int
    status: str  # SearchResult status, or "error" when the statement did not elaborate
    proof: list[str] | None = None
    path: list[Step] = field(default_factory=list)
    expansions: int = 0
    tactics_run: int = 0
    tokens: int = 0
    wall_s: float = 0.0
    policy_s: float = 0.0
    lean_s: float = 0.0
    detail: str = ""

    @property
    def proved(self) -> bool:
        return self.proof is not None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Attempt:
        return cls(**{**d, "path": [Step(**s) for s in d.get("path", [])]})

    def records(self, model: str, iteration: int, source: Source = "search") -> list[Record]:
        return [
            Record(self.problem, s.state, s.tactic, model, s.logprob, iteration, source)
            for s in self.path
        ]


def proof_path(result: SearchResult) -> list[Step]:
    """The (state, tactic) steps of the winning path, root first."""
    if result.proof is None:
        return []
    tree = result.tree
    for edge in tree.edges:
        if edge.outcome != "proved":
            continue
        path = [*tree.path_to(edge.src), edge]
        if tuple(e.tactic for e in path) == result.proof:
            return [
                Step(
                    "\n\n".join(e.src.goals),
                    e.tactic,
                    e.candidate.logprob,
                    e.candidate.n_tokens,
                )
                for e in path
            ]
    raise AssertionError("the proof is not a path of its tree")


class _CountingMember(Member):
    tokens = 0

    async def generate(self, states: Sequence[str], n: int, sampling: Sampling) -> Any:
        out = await super().generate(states, n, sampling)
        self.tokens += sum(c.n_tokens for row in out for c in row)
        return out


async def prove_one(
    problem: Problem,
    attempt: int,
    policy: TacticGenerator,
    pool: ReplPool,
    budget: SearchStage,
    on_done: Callable[[], None] | None = None,
) -> Attempt:
    """One search on a leased REPL; `policy` is normally a lockstep member (closed here)."""
    try:
        # one process per search: a chunk's many searches already keep every process busy
        async with pool.lease(problem.header, processes=1) as lease:
            root = await lease.repl.command(problem.root_command, lease.env)
            if root.errors or len(root.sorries) != 1:
                detail = root.errors[0].data if root.errors else "no single sorry"
                return Attempt(problem=problem.name, attempt=attempt, status="error", detail=detail)
            search = BestFirstSearch(
                root.sorries[0].state,
                lease.repl,
                policy,
                budget.search,
                budget.sampling(),
            )
            result = await search.run()
        s = result.stats
        return Attempt(
            problem=problem.name,
            attempt=attempt,
            status=result.status,
            proof=list(result.proof) if result.proof is not None else None,
            path=proof_path(result),
            expansions=s.expansions,
            tactics_run=s.tactics_run,
            tokens=getattr(policy, "tokens", 0),
            wall_s=s.wall_s,
            policy_s=s.policy_s,
            lean_s=s.lean_s,
        )
    finally:
        await policy.aclose()
        if on_done is not None:
            on_done()


async def search_chunk_local(
    items: Sequence[tuple[int, Problem]],
    attempt: int,
    seed: int,
    policy: TacticGenerator,
    pool: ReplPool,
    budget: SearchStage,
    on_done: Callable[[], None] | None = None,
) -> list[Attempt]:
    """Search every problem of a chunk at once; results in `items` order."""
    lockstep = Lockstep(policy, budget.sampling(), seed, [pid for pid, _ in items])
    return list(
        await asyncio.gather(
            *(
                prove_one(p, attempt, _CountingMember(lockstep, pid), pool, budget, on_done)
                for pid, p in items
            )
        )
    )


class ChunkProver(Protocol):
    """Runs one chunk; local (in-process) or distributed (Ray) implementations."""

    async def search_chunk(
        self, items: Sequence[tuple[int, Problem]], attempt: int, seed: int
    ) -> list[Attempt]: ...


@dataclass
class LocalProver:
    policy: TacticGenerator
    pool: ReplPool
    budget: SearchStage
    on_done: Callable[[], None] | None = None

    async def search_chunk(
        self, items: Sequence[tuple[int, Problem]], attempt: int, seed: int
    ) -> list[Attempt]:
        return await search_chunk_local(
            items, attempt, seed, self.policy, self.pool, self.budget, self.on_done
        )


async def generate_proofs(
    prover: ChunkProver,
    problems: Sequence[Problem],
    budget: SearchStage,
    seed: int,
    out_dir: Path,
    *,
    stop_when_proved: bool = True,
    on_cached: Callable[[int], None] | None = None,
) -> list[list[Attempt]]:
    """`budget.attempts` searches per problem (later attempts skip proved problems when
    `stop_when_proved`); per problem, its attempts in order. Resumes from `out_dir`."""
    by_problem: list[list[Attempt]] = [[] for _ in problems]
    for a in range(budget.attempts):
        todo = [
            (i, p)
            for i, p in enumerate(problems)
            if not (stop_when_proved and any(x.proved for x in by_problem[i]))
        ]
        for c, lo in enumerate(range(0, len(todo), budget.concurrency)):
            chunk = todo[lo : lo + budget.concurrency]
            path = out_dir / f"a{a:02d}-c{c:04d}.jsonl"
            if path.exists():
                results = [Attempt.from_json(d) for d in read_jsonl(path)]
                if on_cached is not None:
                    on_cached(len(results))
            else:
                results = await prover.search_chunk(chunk, a, derive_seed(seed, a, c))
                atomic_write_jsonl(path, (r.to_json() for r in results))
            if [r.problem for r in results] != [p.name for _, p in chunk]:
                raise RuntimeError(f"{path}: results do not match the chunk's problems")
            for (i, _), r in zip(chunk, results, strict=True):
                by_problem[i].append(r)
    return by_problem


def summarize_attempts(by_problem: Sequence[Sequence[Attempt]]) -> dict[str, Any]:
    flat = [a for row in by_problem for a in row]
    return {
        "problems": len(by_problem),
        "proved": sum(any(a.proved for a in row) for row in by_problem),
        "attempts": len(flat),
        "expansions": sum(a.expansions for a in flat),
        "tactics_run": sum(a.tactics_run for a in flat),
        "tokens": sum(a.tokens for a in flat),
        "search_wall_s": sum(a.wall_s for a in flat),
        "errors": sum(a.status == "error" for a in flat),
    }
