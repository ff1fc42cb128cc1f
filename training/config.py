"""Training configuration: one frozen section per stage, built once from a TOML file.

`leanstep train CONFIG.toml` reads `TrainConfig`; every section has defaults, so a config
file names only what differs. Unknown keys and bad values raise `ConfigError` naming the key.
The policy and the searches are prover_core's own `PolicyConfig` and `SearchConfig`, so a
training run serves and searches exactly as the editor does.

Invariants checked at validation:
- the retraining band lies strictly inside the inner band (`loop.retrain_filter` is stricter
  than `filter` on both sides, and on whenever `filter` is on);
- `policy.model` is unset (each stage serves its own checkpoint) and the backend is one that
  loads local checkpoints (`hf`, or `vllm` when no stage trains a LoRA adapter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from prover_core.config import (
    STANDIN_MODULE,
    LeanConfig,
    PolicyConfig,
    SearchConfig,
    format_validation_error,
    read_toml,
)
from prover_core.errors import ConfigError
from prover_core.policy.protocol import Sampling


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _over_defaults(cls, data: Any) -> Any:
        """A partial sub-section is read over the field's default (`[evaluate]` with only
        `attempts` keeps the evaluation's temperature), not over its class's defaults."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, f in cls.model_fields.items():
            given = out.get(name)
            if isinstance(given, dict) and isinstance(f.default, BaseModel):
                out[name] = _deep_merge(f.default.model_dump(), given)
        return out


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in update.items():
        old = out.get(k)
        out[k] = _deep_merge(old, v) if isinstance(old, dict) and isinstance(v, dict) else v
    return out


class FinetuneConfig(_Section):
    """One supervised fine-tuning stage (SFT, an inner-loop round, or a retraining).

    Methods compose: a LoRA stage puts a fresh adapter on its starting checkpoint's (merged)
    weights, or continues that checkpoint's own adapter; a full stage after a LoRA one trains
    the merged weights."""

    method: Literal["full", "lora"] = Field("full", description="Full fine-tune or LoRA (peft).")
    lr: float = Field(1e-5, gt=0, description="Peak learning rate (1e-5–2e-5 full, 1e-4 LoRA).")
    epochs: float = Field(1.0, gt=0, description="Passes over the stage's data.")
    min_steps: int = Field(0, ge=0, description="Optimizer steps at least, whatever the data.")
    batch_size: int = Field(16, gt=0, description="Sequences per micro-batch.")
    grad_accum: int = Field(1, gt=0, description="Micro-batches per optimizer step.")
    max_len: int = Field(1024, gt=8, description="Sequences longer than this are left out.")
    warmup_frac: float = Field(0.05, ge=0, lt=1, description="Linear warm-up share of steps.")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay.")
    max_grad_norm: float = Field(1.0, gt=0, description="Gradient-norm clip per step.")
    lora_rank: int = Field(16, gt=0, description="LoRA rank r (method = 'lora').")
    lora_alpha: int = Field(32, gt=0, description="LoRA scaling alpha (method = 'lora').")
    lora_dropout: float = Field(0.0, ge=0, lt=1, description="Dropout on the LoRA path.")
    lora_targets: tuple[str, ...] = Field(
        ("q_proj", "k_proj", "v_proj", "o_proj"), description="Modules given LoRA adapters."
    )


class SearchStage(_Section):
    """The searches of one stage (proof generation or evaluation): prover_core's best-first
    `search` settings, the sampling, and how many problems are searched at once."""

    attempts: int = Field(1, gt=0, description="Independent searches per problem (pass@K).")
    concurrency: int = Field(64, gt=0, description="Searches run in lockstep (one chunk).")
    temperature: float = Field(1.3, gt=0, description="Sampling temperature of the policy.")
    top_p: float = Field(1.0, gt=0, le=1, description="Nucleus sampling mass.")
    max_tokens: int = Field(64, gt=0, description="Tokens per sampled tactic at most.")
    search: SearchConfig = Field(
        SearchConfig(expansions=64, wall_time_s=3600.0),
        description="Best-first search per attempt (width W, expansions N, depth reward, "
        "timeouts); keep `wall_time_s` loose: a wall-clock cut is not seeded.",
    )

    @property
    def notation(self) -> str:
        """The field's budget notation, P × W × N."""
        return f"{self.attempts} × {self.search.width} × {self.search.expansions}"

    def sampling(self) -> Sampling:
        return Sampling(temperature=self.temperature, top_p=self.top_p, max_tokens=self.max_tokens)


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

    def strictly_inside(self, outer: FilterConfig) -> bool:
        """This band keeps strictly less than `outer` on both sides."""
        if not outer.enabled:
            return True
        return (
            self.enabled
            and self.low_quantile > outer.low_quantile
            and self.high_quantile < outer.high_quantile
        )


class LoopConfig(_Section):
    """Inner rounds and the outer (retraining) loop."""

    rounds: int = Field(4, ge=0, description="Inner-loop rounds in all (retrainings included).")
    plateau_delta: float = Field(0.01, ge=0, description="Gain in pass rate that counts.")
    plateau_patience: int = Field(2, gt=0, description="Rounds without gain before retraining.")
    max_retrains: int = Field(1, ge=0, description="Retrainings at most in the run.")
    retrain_filter: FilterConfig = Field(
        FilterConfig(low_quantile=0.2, high_quantile=0.8),
        description="The retraining's band over the proofs found by search: strictly inside "
        "`filter` (checked); the SFT corpus joins the retraining set unfiltered.",
    )
    data_window: Literal["round", "cumulative"] = Field(
        "cumulative",
        description="An inner round fine-tunes on this round's kept data (`round`) or on all "
        "kept since the last retraining (`cumulative`).",
    )
    include_seed: bool = Field(True, description="Seed data joins every inner fine-tuning set.")
    retrain_rounds: tuple[int, ...] = Field(
        (), description="Rounds that retrain whatever the plateau test says (demos, ablations)."
    )


class ProblemsConfig(_Section):
    """Where the theorems come from. A JSONL record carries its split; a Lean file or folder
    gets the split rule of `training.problems.lean_split` (about 1 in 10 theorems `test`)."""

    train: str = Field(
        ..., description="JSONL path, `minif2f`, `proofnet`, a .lean file or a Lean folder."
    )
    train_split: str | None = Field("valid", description="Split used for proving; None: all.")
    eval: str | None = Field(None, description="Held-out problems; default: the train source.")
    eval_split: str = Field("test", description="Held-out split.")
    limit: int | None = Field(None, gt=0, description="Use at most this many train problems.")


class TrainConfig(_Section):
    """A whole expert-iteration run (`leanstep train`)."""

    run_dir: Path = Field(..., description="Where every artifact of the run goes.")
    base_model: Path = Field(..., description="Checkpoint directory (model + tokenizer).")
    seed: int = Field(0, description="Seeds sampling, shuffling and every stage.")
    seed_data: tuple[Path, ...] = Field(
        (), description="Record JSONL files: the SFT corpus (stage 0, and every retraining)."
    )
    problems: ProblemsConfig = Field(..., description="Theorems to prove and to evaluate on.")
    policy: PolicyConfig = Field(
        PolicyConfig(max_batch=256),
        description="How each stage's checkpoint is served (backend, device, dtype, prompt "
        "template, batching); `model` stays unset, sampling comes from the stage. `device` also "
        "places fine-tuning.",
    )
    sft: FinetuneConfig = Field(FinetuneConfig(epochs=3.0), description="Stage 0 and retraining.")
    finetune: FinetuneConfig = Field(FinetuneConfig(), description="Each inner round.")
    generate: SearchStage = Field(SearchStage(), description="Proof generation searches.")
    evaluate: SearchStage = Field(
        SearchStage(temperature=1.0), description="Held-out evaluation searches."
    )
    filter: FilterConfig = Field(FilterConfig(), description="The inner rounds' band.")
    loop: LoopConfig = Field(LoopConfig(), description="Rounds, plateau test, retraining.")
    lean: LeanConfig = Field(
        LeanConfig(memory_limit_mb=None), description="The REPL used for every search."
    )
    verify: bool | None = Field(
        None,
        description="Re-check eval proofs with the sound verifier; default: on unless the REPL "
        "is the propositional stand-in.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> TrainConfig:
        if not self.loop.retrain_filter.strictly_inside(self.filter):
            raise ValueError(
                "loop.retrain_filter must lie strictly inside filter: "
                f"{self.filter.low_quantile} < low_quantile and high_quantile < "
                f"{self.filter.high_quantile}, and enabled while filter is"
            )
        if self.policy.model is not None:
            raise ValueError("policy.model must be unset: each stage serves its own checkpoint")
        if self.policy.backend == "openai":
            raise ValueError("policy.backend 'openai' cannot serve the run's checkpoints")
        lora = "lora" in (self.sft.method, self.finetune.method)
        if self.policy.backend == "vllm" and lora:
            raise ValueError("policy.backend 'vllm' serves full checkpoints: use method 'full'")
        return self

    @property
    def verify_proofs(self) -> bool:
        return self.verify if self.verify is not None else not is_standin(self.lean)


def is_standin(lean: LeanConfig) -> bool:
    """The REPL is leanstep's propositional stand-in (`python -m prover_core.propositional`)."""
    return STANDIN_MODULE in lean.repl_command


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
