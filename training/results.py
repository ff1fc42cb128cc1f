"""Typed results of a run's steps, as stored in the journal (`steps.json`).

Each is a frozen dataclass of JSON values; `from_json` ignores keys it does not know (the
journal adds `step_s`), so a result reads back as the type that wrote it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Self


@dataclass(frozen=True)
class StepResult:
    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class ProofsFound(StepResult):
    """Proofs written by a step: `proof_file` (one row per theorem), their lengths."""

    proof_file: str
    solved: dict[str, int]
    records: int = 0  # seed data: records after dedup
    problems: int = 0  # searches: problems searched
    proved: int = 0
    attempts: int = 0
    expansions: int = 0
    tactics_run: int = 0
    tokens: int = 0
    search_wall_s: float = 0.0
    errors: int = 0


@dataclass(frozen=True)
class Kept(StepResult):
    """A filter step: the records file it kept, and the band's cut."""

    file: str
    harvested: int
    kept: int
    dropped_low: int = 0
    dropped_high: int = 0
    low_cut: float | None = None
    high_cut: float | None = None
    sha256: str = ""


@dataclass(frozen=True)
class FinetuneResult(StepResult):
    steps: int
    examples: int
    skipped_long: int
    target_tokens: int
    first_loss: float
    last_loss: float
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "tokens_per_s": self.target_tokens / max(self.seconds, 1e-9)}


@dataclass(frozen=True)
class Tuned(FinetuneResult):
    """A fine-tuning step of the loop: the stage's result, its round and data size."""

    round: int = 0
    pairs: int = 0


@dataclass(frozen=True)
class RetrainSet(StepResult):
    """The retraining's data before the filter: shortest proof per encountered theorem plus
    the SFT corpus's other records. `covered` of `theorems` encountered have a proof in it."""

    file: str
    theorems: int
    covered: int
    proof_records: int
    corpus_records: int
    records: int

    @property
    def coverage(self) -> float:
        return self.covered / self.theorems if self.theorems else 0.0


@dataclass(frozen=True)
class EvalSummary(StepResult):
    problems: int
    proved: int
    pass_rate: float
    budget: str
    pass_at: int
    errors: int
    unverified: int
    verified: bool
    search_s_total: float
    search_s_mean: float
    search_s_median: float
    expansions: int
    tactics_run: int
    tokens: int
    tokens_per_problem: float
    by_difficulty: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundRow(StepResult):
    """One line of `metrics.jsonl`: a round's outcome."""

    round: int
    kind: str  # sft | inner | retrain
    model: str
    pass_rate: float
    proved_eval: int
    eval_problems: int
    pool_proved: int
    harvested: int
    kept: int
    solved_total: int
    best: str
    retrain_records: int = 0
    retrain_coverage: float = 0.0
