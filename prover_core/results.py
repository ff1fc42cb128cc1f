"""The service's result values: suggestions with their counts and insert plan, proof
search results, placements and sketches. Plain frozen data; refusals are values
(`types.Refusal`), never exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from prover_core.cursor import InsertPlan
from prover_core.lean.verify import Verdict
from prover_core.search.best_first import SearchResult, SearchStats
from prover_core.search.planner_prover import PlannerProverResult
from prover_core.search.tree import Tree
from prover_core.types import OutcomeName, Refusal


@dataclass(frozen=True, slots=True)
class Suggestion:
    tactic: str
    score: float
    outcome: OutcomeName
    goals_after: tuple[str, ...] = ()
    message: str | None = None
    insert_text: str = ""  # what to put at the result's `insert` range (the cursor rule)


@dataclass(frozen=True, slots=True)
class SuggestCounts:
    """What became of the sampled candidates: sampled = duplicates + screened + filtered
    (not matching a typed prefix) + proved + advanced + failed."""

    sampled: int = 0
    duplicates: int = 0
    screened: int = 0
    filtered: int = 0
    proved: int = 0
    advanced: int = 0
    failed: int = 0

    def summary(self) -> str:
        parts = [
            f"{self.proved} proves the goal"
            if self.proved == 1
            else f"{self.proved} prove the goal",
            f"{self.advanced} makes progress"
            if self.advanced == 1
            else f"{self.advanced} make progress",
            f"{self.failed} rejected by Lean",
            f"{self.duplicates} duplicate" + ("" if self.duplicates == 1 else "s"),
            f"{self.screened} screened out",
            f"{self.filtered} not matching what is typed",
        ]
        counts = (self.proved, self.advanced, self.failed, self.duplicates, self.screened,
                  self.filtered)  # fmt: skip
        said = [p for p, c in zip(parts, counts, strict=True) if c]
        if self.proved + self.advanced == 0:
            said.insert(0, "none works")
        return f"{self.sampled} sampled: " + ", ".join(said)


@dataclass(frozen=True, slots=True)
class SuggestResult:
    """Checked suggestions at a position, or a refusal saying why there are none.
    `lean_s`/`policy_s`: time this request waited for Lean / for the model (an early model
    call overlapping Lean counts only where it was waited for)."""

    goal: str | None
    suggestions: tuple[Suggestion, ...]
    summary: str
    counts: SuggestCounts = SuggestCounts()
    insert: InsertPlan | None = None
    refusal: Refusal | None = None
    lean_s: float = 0.0
    policy_s: float = 0.0

    @classmethod
    def refused(cls, refusal: Refusal, lean_s: float = 0.0) -> SuggestResult:
        return cls(None, (), refusal.message, refusal=refusal, lean_s=lean_s)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A `sorry` identified across edits: the declaration's full name and the index of the
    `sorry` among that declaration's sorries."""

    declaration: str
    sorry: int


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace `text[start:end]` (offsets) by `new_text`; lines/columns are 0-based."""

    start: int
    end: int
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    new_text: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.new_text + text[self.end :]


ProveStatus = Literal[
    "proved", "exhausted", "budget", "timeout", "unverified", "refused", "withheld"
]
SEARCH_STATUS: dict[str, ProveStatus] = {
    "proved": "proved",
    "exhausted": "exhausted",
    "expansion_budget": "budget",
    "time_budget": "timeout",
}


@dataclass
class ProveResult:
    """`edit` only for a verified proof; `verified_on` is the declaration text (from its
    start to its end) the proof was verified in, so a later placement can tell whether the
    declaration changed since."""

    proved: bool
    edit: TextEdit | None = None
    proof: tuple[str, ...] | None = None
    verdict: Verdict | None = None
    search: SearchResult | None = None
    message: str = ""
    status: ProveStatus = "refused"
    anchor: Anchor | None = None
    verified_on: str | None = None
    refusal: Refusal | None = None


@dataclass(frozen=True, slots=True)
class ProveProgress:
    """A running search after an expansion (valid only during the callback)."""

    stats: SearchStats
    budget: int  # expansions allowed in all
    tree: Tree

    def best_path(self) -> tuple[str, ...]:
        """Tactics to the deepest state reached (the best path score among equals)."""
        node = max(self.tree.nodes.values(), key=lambda n: (n.depth, n.path_score))
        return tuple(e.tactic for e in self.tree.path_to(node))


@dataclass(frozen=True, slots=True)
class PlaceResult:
    edit: TextEdit | None
    status: Literal["placed", "withheld"]
    message: str


@dataclass
class SketchResult:
    edit: TextEdit | None
    planner: PlannerProverResult | None = None
    message: str = ""
    status: Literal["sketched", "refused", "rejected"] = "sketched"
    rejected: tuple[str, ...] = ()
    refusal: Refusal | None = None
