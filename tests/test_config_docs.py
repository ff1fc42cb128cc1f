"""docs/configuration.md is generated from the config models and kept up to date."""

from __future__ import annotations

from prover_core.config import Config
from training.config import TrainConfig
from training.config_docs import COMMAND, DOC, render


def test_configuration_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        f"docs/configuration.md is out of date: run `{COMMAND}`"
    )


def test_reference_lists_every_field() -> None:
    text = render()
    for section, field in Config.model_fields.items():
        assert f"### `[{section}]`" in text
        model = field.annotation
        assert model is not None
        for key, info in model.model_fields.items():
            assert f"| `{key}` |" in text and " ".join((info.description or "").split()) in text
    for key in TrainConfig.model_fields:
        assert f"| `{key}` |" in text or f"`[{key}]`" in text, key
    assert "| `train` | str | *required* |" in text
    assert "| `epochs` | float, > 0 | `3.0` |" in text  # [sft]: the instance default


def test_a_machine_dependent_default_is_described_not_printed() -> None:
    from pydantic import BaseModel, Field

    from training.config_docs import DEFAULT_DOC, sections

    class Pool(BaseModel):
        size: int = Field(7, description="Processes.", json_schema_extra={DEFAULT_DOC: "cores"})

    text = "\n".join(sections(Pool, Pool(), "pool", 3))
    assert "| `size` | int | cores | Processes. |" in text
