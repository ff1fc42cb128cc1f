"""Best-first search over tactic sequences (ALGORITHMS.md).

Invariants: the open node with the highest priority is expanded next (ties: older first);
a node is expanded at most once; tactics are deduplicated (`tree.dedupe`: the one rule) and
screened before Lean sees them; the search ends at the first `Proved` outcome or a budget.
Timing splits wall time into policy time, Lean time and our own bookkeeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from prover_core.config import SearchConfig
from prover_core.errors import LeanTimeout
from prover_core.lean.repl import LeanRepl
from prover_core.lean.screen import screen
from prover_core.policy.batcher import participant
from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.search.tree import Edge, Node, Tree, dedupe
from prover_core.types import Advanced, ProofState, Proved, TacticFailed, is_clean_advance

Status = Literal["proved", "exhausted", "expansion_budget", "time_budget"]


@dataclass
class SearchStats:
    """`policy_s`/`lean_s`: time awaiting the policy / Lean (queueing included);
    `bookkeeping_s`: time spent running the search's own code (measured sections), so with
    many searches on one event loop, the sum over searches / wall time is the loop's share."""

    expansions: int = 0
    tactics_run: int = 0
    policy_s: float = 0.0
    lean_s: float = 0.0
    bookkeeping_s: float = 0.0
    wall_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "expansions": self.expansions,
            "tactics_run": self.tactics_run,
            "policy_s": self.policy_s,
            "lean_s": self.lean_s,
            "bookkeeping_s": self.bookkeeping_s,
            "wall_s": self.wall_s,
        }


@dataclass
class SearchResult:
    status: Status
    proof: tuple[str, ...] | None
    stats: SearchStats
    tree: Tree
    negatives: list[dict[str, str]] = field(default_factory=list)

    @property
    def proved(self) -> bool:
        return self.proof is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "proof": list(self.proof) if self.proof is not None else None,
            "stats": self.stats.to_json(),
            "tree": self.tree.to_json(),
            "negatives": self.negatives,
        }


def _negatives(tree: Tree, path: list[Edge]) -> list[dict[str, str]]:
    """(state, winning tactic, failing sibling) for each step of the proof."""
    out = []
    for win in path:
        for e in tree.edges:
            if e.src is win.src and e.outcome in ("failed", "timeout"):
                out.append(
                    {
                        "state": "\n\n".join(win.src.goals),
                        "chosen": win.tactic,
                        "rejected": e.tactic,
                    }
                )
    return out


class BestFirstSearch:
    """One search; `run()` may be awaited once. Many run concurrently on one policy/REPL."""

    def __init__(
        self,
        root: ProofState,
        repl: LeanRepl,
        policy: TacticGenerator,
        config: SearchConfig,
        sampling: Sampling,
        *,
        on_expand: Callable[[SearchStats], None] | None = None,
    ) -> None:
        self._on_expand = on_expand
        self._repl = repl
        self._policy = policy
        self._config = config
        self._sampling = sampling
        self.tree = Tree.start(root)
        self.stats = SearchStats()
        self._open: list[tuple[float, int, Node]] = []
        self._tie = itertools.count()

    def _push(self, node: Node) -> None:
        heapq.heappush(
            self._open, (-node.priority(self._config.depth_reward), next(self._tie), node)
        )

    async def run(self) -> SearchResult:
        """The search; on a batching policy it is a member for its whole run, so batches wait
        for it while it is in Lean and never while every search is waiting."""
        async with participant(self._policy) as policy:
            return await self._run(policy)

    async def _run(self, policy: TacticGenerator) -> SearchResult:
        start = time.perf_counter()
        deadline = start + self._config.wall_time_s
        budget = self._config.expansions * self._config.passes
        self._push(self.tree.root)
        status: Status = "exhausted"
        proof: list[Edge] | None = None
        try:
            while self._open:
                if self.stats.expansions >= budget:
                    status = "expansion_budget"
                    break
                t0 = time.perf_counter()
                if t0 >= deadline:
                    status = "time_budget"
                    break
                _, _, node = heapq.heappop(self._open)
                self.stats.bookkeeping_s += time.perf_counter() - t0
                proof = await self._expand(policy, node, deadline)
                if self._on_expand is not None:
                    self._on_expand(self.stats)
                if proof is not None:
                    status = "proved"
                    break
        finally:
            self.stats.wall_s = time.perf_counter() - start
        result = SearchResult(
            status,
            tuple(e.tactic for e in proof) if proof is not None else None,
            self.stats,
            self.tree,
            _negatives(self.tree, proof) if proof is not None else [],
        )
        self.tree.release_states()
        return result

    async def _expand(
        self, policy: TacticGenerator, node: Node, deadline: float
    ) -> list[Edge] | None:
        node.expanded = True
        self.stats.expansions += 1
        assert node.state is not None
        t0 = time.perf_counter()
        [candidates] = await policy.generate([node.state.text], self._config.width, self._sampling)
        t1 = time.perf_counter()
        self.stats.policy_s += t1 - t0
        fresh, _ = dedupe(candidates)
        runnable: list[Edge] = []
        for tactic, cand in fresh.items():
            findings = screen(tactic)
            edge = Edge(node, tactic, cand, "screened" if findings else "failed")
            self.tree.edges.append(edge)
            if findings:
                edge.message = f"{findings[0].construct}: {findings[0].reason}"
            else:
                runnable.append(edge)
        t0 = time.perf_counter()
        self.stats.bookkeeping_s += t0 - t1
        timeout = min(self._config.tactic_timeout_s, max(deadline - t0, 0.1))
        outcomes = await asyncio.gather(
            *(self._run_tactic(node.state, e.tactic, timeout) for e in runnable)
        )
        t1 = time.perf_counter()
        self.stats.lean_s += t1 - t0
        self.stats.tactics_run += len(runnable)
        won: list[Edge] | None = None
        for edge, outcome in zip(runnable, outcomes, strict=True):
            if isinstance(outcome, Proved):
                edge.outcome = "proved"
                if won is None:
                    won = [*self.tree.path_to(node), edge]
            elif is_clean_advance(outcome):
                edge.outcome = "advanced"
                child = self.tree.add_child(edge, outcome.state)
                if child is not None:
                    self._push(child)
            elif isinstance(outcome, TacticFailed):
                edge.message = outcome.message
            else:
                edge.outcome = "timeout" if outcome is None else "failed"
        self.stats.bookkeeping_s += time.perf_counter() - t1
        return won

    async def _run_tactic(
        self, state: ProofState, tactic: str, timeout: float
    ) -> Proved | Advanced | TacticFailed | None:
        """The outcome, or None when Lean timed out on this tactic."""
        try:
            return await self._repl.tactic(state, tactic, timeout=timeout)
        except LeanTimeout:
            return None
