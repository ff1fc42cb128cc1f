"""Checks the command line makes before any work starts, so bad input fails in one line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prover_core.config import Config, Origin
from prover_core.errors import ConfigError, InputError


def _where(origins: Mapping[str, Origin], key: str) -> str:
    origin = origins.get(key)
    return origin.where if origin is not None else "default settings"


def check_model(cfg: Config, origins: Mapping[str, Origin]) -> None:
    """The policy's model must be usable before a backend sees it: for hf and vllm an
    existing checkpoint directory (so a mistyped path never becomes a hub download)."""
    policy = cfg.policy
    if policy.backend == "openai":
        if not policy.endpoint or not policy.model:
            raise ConfigError(
                "the openai backend needs policy.endpoint and policy.model "
                "(--endpoint URL --model NAME)",
                _where(origins, "policy.backend"),
            )
        return
    if not policy.model:
        raise ConfigError(
            f"the {policy.backend} backend needs a model: give --model DIR or set policy.model",
            _where(origins, "policy.backend"),
        )
    where = _where(origins, "policy.model")
    path = Path(policy.model).expanduser()
    if not path.exists():
        raise ConfigError(f"policy.model: no such directory: {policy.model}", where)
    if not path.is_dir():
        raise ConfigError(
            f"policy.model: {policy.model} is a file, not a checkpoint directory", where
        )
    if not (path / "config.json").is_file():
        raise ConfigError(
            f"policy.model: {policy.model} is not a checkpoint directory (no config.json)", where
        )


def check_count(n: int | None, cfg: Config) -> None:
    cap = cfg.search.max_suggestions
    if n is not None and n > cap:
        raise InputError(f"-n {n} is above search.max_suggestions = {cap}", "-n")
