"""Training configuration: one frozen section per stage, built once from a TOML file.

`leanstep train CONFIG.toml` reads `TrainConfig`; every section has defaults, so a config
file names only what differs. Unknown keys and bad values raise `ConfigError` naming the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from prover_core.config import LeanConfig, format_validation_error, read_toml
from prover_core.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class FinetuneConfig(_Section):
    """One supervised fine-tuning stage (SFT, an inner-loop round, or a retraining)."""

    method: Literal["full", "lora"] = Field("full", description="Full fine-tune or LoRA (peft).")
    lr: float = Field(1e-5, gt=0, description="Peak learning rate (1e-5–2e-5 full, 1e-4 LoRA).")
    epochs: float = Field(1.0, gt=0, description="Passes over the stage's data.")
    min_steps: int = Field(0, ge=0, description="Optimizer steps at least, whatever the data.")
    batch_size: int = Field(16, gt=0, description="Sequences per micro-batch.")
    grad_accum: int = Field(1, gt=0, description="Micro-batches per optimizer step.")
    max_len: int = Field(1024, gt=8, description="Sequences longer than this are left out.")
    warmup_frac: float = Field(0.05, ge=0, lt=1, description="Linear warm-up share of steps.")
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)
    lora_rank: int = Field(16, gt=0)
    lora_alpha: int = Field(32, gt=0)
    lora_dropout: float = Field(0.0, ge=0, lt=1)
    lora_targets: tuple[str, ...] = Field(
        ("q_proj", "k_proj", "v_proj", "o_proj"), description="Modules given LoRA adapters."
    )


class SearchBudget(_Section):
    """Best-first search as used for proof generation or evaluation (ALGORITHMS.md)."""

    attempts: int = Field(1, gt=0, description="Independent searches per problem (pass@K).")
    width: int = Field(4, gt=0, description="Tactics sampled per expansion (W).")
    expansions: int = Field(64, gt=0, description="Expansions per attempt (N).")
    depth_reward: float = Field(0.0, ge=0, description="alpha in score / depth ** alpha.")
    temperature: float = Field(1.3, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int = Field(64, gt=0, description="Tokens per sampled tactic at most.")
    concurrency: int = Field(64, gt=0, description="Searches run in lockstep (one chunk).")
    wall_time_s: float = Field(
        3600.0, gt=0, description="Per search; keep it loose: a wall-clock cut is not seeded."
    )
    tactic_timeout_s: float = Field(18.0, gt=0)

    @property
    def notation(self) -> str:
        """The field's budget notation, P × W × N."""
        return f"{self.attempts} × {self.width} × {self.expansions}"


class FilterConfig(_Section):
    """Adaptive tactic filtering by perplexity quantiles (the paper's Figure 2)."""

    enabled: bool = Field(True, description="False keeps every harvested tactic.")
    low_quantile: float = Field(0.15, ge=0, le=1, description="Drop tactics below this.")
    high_quantile: float = Field(0.9, ge=0, le=1, description="Drop tactics above this.")

    @model_validator(mode="after")
    def _ordered(self) -> FilterConfig:
        if self.low_quantile >= self.high_quantile:
            raise ValueError("low_quantile must be below high_quantile")
        return self


class LoopConfig(_Section):
    """Inner rounds and the outer (retraining) loop."""

    rounds: int = Field(4, ge=0, description="Inner-loop rounds in all (retrainings included).")
    plateau_delta: float = Field(0.01, ge=0, description="Gain in pass rate that counts.")
    plateau_patience: int = Field(2, gt=0, description="Rounds without gain before retraining.")
    max_retrains: int = Field(1, ge=0)
    retrain_filter: FilterConfig = Field(
        FilterConfig(low_quantile=0.2, high_quantile=0.8),
        description="Tighter quantiles used on the re-proved set.",
    )
    retrain_from: Literal["base", "sft"] = Field(
        "base", description="Checkpoint a retraining starts from (the paper: base)."
    )
    data_window: Literal["round", "cumulative"] = Field(
        "cumulative", description="Fine-tune on this round's kept data, or all kept so far."
    )
    include_seed: bool = Field(True, description="Seed data joins every fine-tuning set.")
    retrain_rounds: tuple[int, ...] = Field(
        (), description="Rounds that retrain whatever the plateau test says (demos, ablations)."
    )


class ProblemsConfig(_Section):
    """Where the theorems come from."""

    train: str = Field(..., description="JSONL path, `minif2f`, `proofnet`, or a .lean dir.")
    train_split: str | None = Field("valid", description="Split used for proving; None: all.")
    eval: str | None = Field(None, description="Held-out problems; default: same as train.")
    eval_split: str = Field("test", description="Held-out split.")
    limit: int | None = Field(None, gt=0, description="Use at most this many train problems.")


class TrainConfig(_Section):
    run_dir: Path = Field(..., description="Where every artifact of the run goes.")
    base_model: Path = Field(..., description="Checkpoint directory (model + tokenizer).")
    seed: int = Field(0, description="Seeds sampling, shuffling and every stage.")
    seed_data: tuple[Path, ...] = Field((), description="Record JSONL files for stage 0 SFT.")
    problems: ProblemsConfig
    device: str = Field("auto", description="`auto`, `cpu` or `cuda[:N]`.")
    dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Weights for search/scoring; training keeps float32 masters."
    )
    prompt_template: str = "{state}:::"
    policy_max_batch: int = Field(256, gt=0, description="Sequences per model call.")
    sft: FinetuneConfig = FinetuneConfig(epochs=3.0)
    finetune: FinetuneConfig = FinetuneConfig()
    generate: SearchBudget = SearchBudget()
    evaluate: SearchBudget = SearchBudget(attempts=1, temperature=1.0)
    filter: FilterConfig = FilterConfig()
    loop: LoopConfig = LoopConfig()
    lean: LeanConfig = LeanConfig(memory_limit_mb=None)
    verify: bool = Field(False, description="Re-check eval proofs with the sound verifier.")


def parse_train_config(data: dict[str, Any], source: str = "config") -> TrainConfig:
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(e, source)) from None


def load_train_config(path: Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a TOML file; relative paths in it are taken from the file's directory."""
    data = read_toml(path)
    data.update(overrides or {})
    cfg = parse_train_config(data, str(path))
    return with_base_dir(cfg, path.resolve().parent)


def with_base_dir(cfg: TrainConfig, base: Path) -> TrainConfig:
    def fix(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    def fix_source(source: str | None) -> str | None:  # a named set (minif2f) is no path
        from training.problems import NAMED_SETS

        return source if source is None or source in NAMED_SETS else str(fix(Path(source)))

    problems = cfg.problems.model_copy(
        update={"train": fix_source(cfg.problems.train), "eval": fix_source(cfg.problems.eval)}
    )
    return cfg.model_copy(
        update={
            "run_dir": fix(cfg.run_dir),
            "base_model": fix(cfg.base_model),
            "seed_data": tuple(fix(p) for p in cfg.seed_data),
            "problems": problems,
        }
    )
