"""The search tree: nodes are proof states, edges are tactics with their scores.

Invariants: a node's `path_score` is the sum of edge scores from the root; each distinct goal
text has at most one node (duplicates are merged into the first one found); every tactic
tried is recorded as an edge, whatever its outcome, so the tree is complete training data.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from prover_core.types import OutcomeName, ProofState, TacticCandidate

# An edge's outcome: the one vocabulary (`types.OutcomeName`) plus the search's bookkeeping.
Outcome = OutcomeName | Literal["duplicate", "screened", "timeout"]


def state_key(goals: tuple[str, ...]) -> str:
    """Goal text with whitespace normalised: states printing the same are the same."""
    return "\n\n".join(" ".join(g.split()) for g in goals)


def normalise_tactic(text: str) -> str:
    return " ".join(text.split())


def dedupe(candidates: Iterable[TacticCandidate]) -> tuple[dict[str, TacticCandidate], int]:
    """The one dedupe rule (search and suggestions alike): candidates whose whitespace-
    normalised text is equal are one tactic, kept with the best mean token log-prob (`score`,
    the quantity both rank by); empty texts are dropped. Returns (tactic → candidate in first-
    seen order, how many candidates were duplicates)."""
    best: dict[str, TacticCandidate] = {}
    duplicates = 0
    for c in candidates:
        key = normalise_tactic(c.text)
        if not key:
            continue
        if key in best:
            duplicates += 1
            if c.score <= best[key].score:
                continue
        best[key] = c
    return best, duplicates


@dataclass(eq=False)
class Node:
    id: int
    state: ProofState | None  # None once the search is over (handles released)
    goals: tuple[str, ...]
    depth: int
    path_score: float
    parent: Edge | None = None
    expanded: bool = False

    def priority(self, depth_reward: float) -> float:
        """`sum(edge scores on the path) / depth ** alpha` (ALGORITHMS.md); root is 0."""
        if self.depth == 0:
            return 0.0
        return self.path_score / math.pow(self.depth, depth_reward)


@dataclass(eq=False)
class Edge:
    src: Node
    tactic: str
    candidate: TacticCandidate
    outcome: Outcome
    dst: Node | None = None
    message: str = ""

    @property
    def score(self) -> float:
        return self.candidate.score


@dataclass
class Tree:
    root: Node
    nodes: dict[int, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    by_key: dict[str, Node] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(cls, state: ProofState) -> Tree:
        root = Node(0, state, state.goals, 0, 0.0)
        tree = cls(root)
        tree.nodes[0] = root
        tree.by_key[state_key(state.goals)] = root
        return tree

    def add_child(self, edge: Edge, state: ProofState) -> Node | None:
        """Attach `state` under `edge`; None (and a `duplicate` edge) if already present."""
        key = state_key(state.goals)
        if key in self.by_key:
            edge.outcome = "duplicate"
            edge.dst = self.by_key[key]
            return None
        src = edge.src
        node = Node(next(self._ids), state, state.goals, src.depth + 1, src.path_score + edge.score)
        node.parent = edge
        edge.dst = node
        self.nodes[node.id] = node
        self.by_key[key] = node
        return node

    def path_to(self, node: Node) -> list[Edge]:
        path: list[Edge] = []
        while node.parent is not None:
            path.append(node.parent)
            node = node.parent.src
        return path[::-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [
                {"id": n.id, "goals": list(n.goals), "depth": n.depth, "expanded": n.expanded}
                for n in self.nodes.values()
            ],
            "edges": [
                {
                    "src": e.src.id,
                    "state": "\n\n".join(e.src.goals),
                    "tactic": e.tactic,
                    "logprob": e.candidate.logprob,
                    "n_tokens": e.candidate.n_tokens,
                    "score": e.score,
                    "outcome": e.outcome,
                    "dst": e.dst.id if e.dst is not None else None,
                    "message": e.message,
                }
                for e in self.edges
            ],
        }

    def release_states(self) -> None:
        """Drop REPL handles so the session can forget them."""
        for n in self.nodes.values():
            n.state = None
