"""LeanConfig for the propositional stand-in REPL, with optional fault flags."""

from __future__ import annotations

import sys
from typing import Any

from prover_core.config import LeanConfig

STANDIN = (sys.executable, "-m", "prover_core.propositional")


def standin_config(*flags: str, **overrides: Any) -> LeanConfig:
    settings: dict[str, Any] = {
        "repl_command": (*STANDIN, *flags),
        "timeout_s": 20.0,
        "header_timeout_s": 20.0,
        "memory_limit_mb": None,
    }
    settings.update(overrides)
    return LeanConfig(**settings)
