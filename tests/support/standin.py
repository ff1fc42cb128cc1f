"""LeanConfig for the propositional stand-in REPL, with optional fault flags."""

from __future__ import annotations

from typing import Any

from prover_core.config import STANDIN_COMMAND, LeanConfig

STANDIN = STANDIN_COMMAND


def standin_config(*flags: str, **overrides: Any) -> LeanConfig:
    settings: dict[str, Any] = {
        "repl_command": (*STANDIN, *flags),
        "timeout_s": 20.0,
        "header_timeout_s": 20.0,
        "memory_limit_mb": None,
    }
    settings.update(overrides)
    return LeanConfig(**settings)
