"""Configuration: one TOML file plus environment overrides, parsed once into frozen objects.

Sources, later ones winning: built-in defaults, the user config file
(`$XDG_CONFIG_HOME/leanstep/leanstep.toml`), the project's `leanstep.toml`, then environment
variables `LEANSTEP_<SECTION>__<KEY>` (for example `LEANSTEP_LEAN__TIMEOUT_S=30`).
Unknown keys and bad values raise `ConfigError` naming the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prover_core.errors import ConfigError

ENV_PREFIX = "LEANSTEP_"
CONFIG_NAME = "leanstep.toml"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class LeanConfig(_Section):
    """How leanstep runs Lean's REPL."""

    repl_command: tuple[str, ...] = Field(
        ("lake", "exe", "repl"), description="Command that starts a REPL, run in `project_dir`."
    )
    project_dir: Path | None = Field(
        None, description="Lean project directory; default: the nearest lakefile above the file."
    )
    timeout_s: float = Field(60.0, gt=0, description="Wall-clock limit per REPL request.")
    header_timeout_s: float = Field(
        600.0, gt=0, description="Limit for a request that imports a header (Mathlib is slow)."
    )
    memory_limit_mb: int | None = Field(
        16384, gt=0, description="RLIMIT_AS for each REPL process; None for no limit."
    )
    recycle_after_requests: int = Field(
        5000, gt=0, description="Restart a process after this many requests."
    )
    recycle_above_rss_mb: int | None = Field(
        8192, gt=0, description="Restart a process whose resident memory exceeds this."
    )
    crash_retries: int = Field(1, ge=0, description="Retries of a request after a crash.")
    pool_size: int = Field(4, gt=0, description="Most REPL processes alive at once.")
    processes_per_header: int = Field(2, gt=0, description="Most processes per import header.")


class PolicyConfig(_Section):
    """The step-prover model."""

    backend: Literal["hf", "vllm", "openai"] = "hf"
    model: str | None = Field(None, description="Checkpoint path or served model name.")
    endpoint: str | None = Field(None, description="Base URL of an OpenAI-compatible server.")
    api_key: str | None = None
    prompt_template: str = Field("{state}:::", description="Prompt; `{state}` is the goal text.")
    temperature: float = Field(1.3, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int = Field(256, gt=0, le=4096)
    device: str = Field("auto", description="`auto`, `cpu`, `cuda` or `cuda:N` for hf.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    max_batch: int = Field(64, gt=0, description="Most states per backend call.")
    max_wait_ms: float = Field(
        5.0,
        ge=0,
        description="Longest a batch is held open for more requests once the model is free "
        "(never when every running search is already waiting).",
    )
    concurrent_calls: int = Field(
        16,
        gt=0,
        description="Batched calls in flight at once for the vllm and openai backends, which "
        "batch across calls themselves; hf always runs one call at a time.",
    )
    request_timeout_s: float = Field(120.0, gt=0)
    retries: int = Field(3, ge=0)


class SearchConfig(_Section):
    """Best-first search (ALGORITHMS.md)."""

    width: int = Field(4, gt=0, description="Tactics sampled per expansion.")
    expansions: int = Field(600, gt=0, description="Expansions per pass.")
    passes: int = Field(1, gt=0)
    depth_reward: float = Field(0.0, ge=0, description="alpha in score / depth ** alpha.")
    wall_time_s: float = Field(600.0, gt=0)
    tactic_timeout_s: float = Field(18.0, gt=0)
    suggestions: int = Field(16, gt=0, description="Candidates sampled for editor suggestions.")
    max_suggestions: int = Field(
        64,
        gt=0,
        description="Most candidates one suggestion request may ask for (`n`); more is refused.",
    )


class PlannerConfig(_Section):
    """The planner LLM behind an OpenAI-compatible chat endpoint (lemma sketches)."""

    endpoint: str | None = Field(None, description="Base URL, e.g. http://localhost:8001/v1.")
    model: str | None = None
    api_key: str | None = None
    temperature: float = Field(0.7, ge=0)
    max_tokens: int = Field(2048, gt=0)
    plan_retries: int = Field(3, ge=0, description="New plans asked when one fails to check.")
    replans: int = Field(2, ge=0, description="Most replans per theorem.")
    agents: int = Field(4, gt=0, description="Prover agents per subgoal (focused parallelism).")
    subgoal_expansions: int = Field(100, gt=0, description="Expansions per agent per subgoal.")
    request_timeout_s: float = Field(300.0, gt=0)


class Config(_Section):
    lean: LeanConfig = LeanConfig()
    policy: PolicyConfig = PolicyConfig()
    search: SearchConfig = SearchConfig()
    planner: PlannerConfig = PlannerConfig()


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leanstep" / CONFIG_NAME


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in Config.model_fields:
            raise ConfigError(f"{name}: unknown config section {section!r}")
        parsed: Any = value
        if value.startswith(("[", "{")) or value in ("true", "false"):
            try:
                parsed = tomllib.loads(f"v = {value}")["v"]
            except tomllib.TOMLDecodeError:
                parsed = value
        out.setdefault(section, {})[key] = parsed
    return out


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: `SOURCE: section.key: what is wrong`."""
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"])
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"{source}: {key}: {msg}")
    return "\n".join(lines)


def parse_config(data: Mapping[str, Any], source: str = "config") -> Config:
    try:
        return Config.model_validate(dict(data))
    except ValidationError as e:
        raise ConfigError(format_validation_error(e, source)) from None


def load_config(
    project_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    use_user_file: bool = True,
) -> Config:
    """Build the one `Config` of a run. `overrides` come from the CLI and win over all."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    sources: list[str] = []
    candidates = [user_config_path()] if use_user_file else []
    if project_file is not None:
        candidates.append(project_file)
    for path in candidates:
        if path.is_file():
            file_data = _read_toml(path)
            parse_config(file_data, str(path))  # each file is valid on its own
            data = _merge(data, file_data)
            sources.append(str(path))
    data = _merge(data, _env_overrides(env))
    if overrides:
        data = _merge(data, overrides)
    return parse_config(data, " + ".join(sources) or "config")


def find_project_config(start: Path) -> Path | None:
    """The nearest `leanstep.toml` at or above `start`."""
    for d in [start, *start.parents] if start.is_dir() else list(start.parents):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None
