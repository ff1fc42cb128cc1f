"""Prompt rendering and completion cleaning for the step prover (pure functions)."""

from __future__ import annotations

DEFAULT_TEMPLATE = "{state}:::"


def render_prompt(template: str, state: str) -> str:
    """The model input for one proof state; `template` holds one `{state}` field."""
    return template.format(state=state)


def clean_completion(text: str) -> str:
    """A completion as a tactic: its first line, stripped (possibly empty)."""
    return text.split("\n", 1)[0].strip()
