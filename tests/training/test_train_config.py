"""The training schema: every field described, the retraining band checked, serving rules,
verification on by default off the stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from prover_core.config import LeanConfig
from prover_core.errors import ConfigError
from tests.support.standin import standin_config
from training.config import TrainConfig, parse_train_config


def _base(**extra: Any) -> dict[str, Any]:
    return {"run_dir": "run", "base_model": "base", "problems": {"train": "p.jsonl"}, **extra}


def _sections(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for f in model.model_fields.values():
        t = f.annotation
        if isinstance(t, type) and issubclass(t, BaseModel) and t.__module__ == "training.config":
            found += [s for s in _sections(t) if s not in found]
    return found


def test_every_field_has_a_description() -> None:
    sections = _sections(TrainConfig)
    assert len(sections) >= 6
    missing = [
        f"{s.__name__}.{name}"
        for s in sections
        for name, f in s.model_fields.items()
        if not f.description
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("inner", "retrain"),
    [
        ((0.1, 0.95), (0.05, 0.85)),  # looser low cut (the old demo setting)
        ((0.1, 0.9), (0.1, 0.8)),  # equal on one side: not strictly inside
        ((0.1, 0.9), (0.2, 0.95)),
    ],
)
def test_retrain_band_must_lie_strictly_inside(
    inner: tuple[float, float], retrain: tuple[float, float]
) -> None:
    data = _base(
        filter={"low_quantile": inner[0], "high_quantile": inner[1]},
        loop={"retrain_filter": {"low_quantile": retrain[0], "high_quantile": retrain[1]}},
    )
    with pytest.raises(ConfigError, match="strictly inside"):
        parse_train_config(data)


def test_retrain_filter_cannot_be_off_while_filter_is_on() -> None:
    with pytest.raises(ConfigError, match="strictly inside"):
        parse_train_config(_base(loop={"retrain_filter": {"enabled": False}}))
    off = {"enabled": False}
    cfg = parse_train_config(_base(filter=off, loop={"retrain_filter": off}))
    assert not cfg.loop.retrain_filter.enabled


def test_serving_rules() -> None:
    with pytest.raises(ConfigError, match=r"policy\.model must be unset"):
        parse_train_config(_base(policy={"model": "/m"}))
    with pytest.raises(ConfigError, match="openai"):
        parse_train_config(_base(policy={"backend": "openai"}))
    with pytest.raises(ConfigError, match="full checkpoints"):
        parse_train_config(_base(policy={"backend": "vllm"}, finetune={"method": "lora"}))
    assert parse_train_config(_base(policy={"backend": "vllm"})).policy.backend == "vllm"


def test_search_settings_are_prover_core_search_config() -> None:
    cfg = parse_train_config(_base(generate={"attempts": 2, "search": {"width": 8}}))
    assert cfg.generate.search.width == 8 and cfg.generate.notation == "2 × 8 × 64"
    partial = parse_train_config(_base(evaluate={"attempts": 4}, sft={"lr": 1e-4}))
    assert partial.evaluate.temperature == 1.0 and partial.sft.epochs == 3.0  # section defaults
    with pytest.raises(ConfigError, match=r"generate\.width"):
        parse_train_config(_base(generate={"width": 8}))  # the old flat spelling


def test_verification_is_on_unless_the_repl_is_the_standin(tmp_path: Path) -> None:
    real = parse_train_config(_base())
    assert real.lean.repl_command == LeanConfig().repl_command and real.verify_proofs
    standin = real.model_copy(update={"lean": standin_config()})
    assert not standin.verify_proofs
    assert standin.model_copy(update={"verify": True}).verify_proofs
    assert not real.model_copy(update={"verify": False}).verify_proofs
