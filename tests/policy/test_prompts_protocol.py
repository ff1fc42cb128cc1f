from __future__ import annotations

import pytest

from prover_core.policy.prompts import clean_completion, render_prompt
from prover_core.policy.protocol import Sampling


def test_render_prompt_uses_template() -> None:
    assert render_prompt("{state}:::", "⊢ p") == "⊢ p:::"
    assert render_prompt("[GOAL]{state}[PROOFSTEP]", "a\nb") == "[GOAL]a\nb[PROOFSTEP]"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [(" simp \nrfl", "simp"), ("exact h", "exact h"), ("\nfoo", ""), ("", ""), ("  ", "")],
)
def test_clean_completion_keeps_first_line_stripped(raw: str, clean: str) -> None:
    assert clean_completion(raw) == clean


def test_sampling_defaults_follow_bfs_prover() -> None:
    s = Sampling()
    assert (s.temperature, s.top_p, s.max_tokens, s.seed) == (1.3, 1.0, 256, None)


def test_greedy_allows_only_one_sample() -> None:
    Sampling(temperature=0).validate_n(1)
    with pytest.raises(ValueError, match="greedy"):
        Sampling(temperature=0).validate_n(2)
    with pytest.raises(ValueError):
        Sampling().validate_n(0)


@pytest.mark.parametrize(
    "kwargs", [{"temperature": -1}, {"top_p": 0}, {"top_p": 1.5}, {"max_tokens": 0}]
)
def test_bad_sampling_is_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Sampling(**kwargs)  # type: ignore[arg-type]
