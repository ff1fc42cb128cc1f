"""The step-prover policy interface every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from prover_core.types import TacticCandidate


@dataclass(frozen=True)
class Sampling:
    """How candidates are drawn. `temperature == 0` is greedy and allows only n == 1.

    Log-probs reported with candidates are always the model's raw ones (before temperature
    and top-p), whatever these settings are.
    """

    temperature: float = 1.3
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_tokens <= 0:
            raise ValueError(f"max_tokens must be > 0, got {self.max_tokens}")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def validate_n(self, n: int) -> None:
        """Raise ValueError unless `n` samples can be drawn with these settings."""
        if n <= 0:
            raise ValueError(f"n must be > 0, got {n}")
        if self.greedy and n > 1:
            raise ValueError("temperature 0 (greedy) allows only n == 1")


@runtime_checkable
class TacticGenerator(Protocol):
    """A policy backend.

    Token-level convention shared by every backend: a candidate's `logprob` and `n_tokens`
    cover exactly the generated tokens up to and including the terminator (the first token
    whose text contains a newline, or EOS); a candidate cut by `max_tokens` has no
    terminator. `text` is the completion's first line, stripped; it may be empty.
    `score` teacher-forces `prompt ids ++ tactic ids ++ [EOS]` (prompt and tactic tokenised
    separately), so for an EOS-terminated candidate whose text re-tokenises to the sampled
    ids, `sum(score) == logprob`.
    """

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        """`n` candidates per state, in state order."""
        ...

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """Per (state, tactic) pair: raw log-prob of each tactic token, then of EOS."""
        ...

    async def aclose(self) -> None:
        """Release the model; later calls raise `PolicyUnavailable`."""
        ...
