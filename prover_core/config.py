"""Configuration: one TOML file plus environment overrides, parsed once into frozen objects.

Sources, later ones winning: built-in defaults, the user config file
(`$XDG_CONFIG_HOME/leanstep/leanstep.toml`), the project's `leanstep.toml`, then environment
variables `LEANSTEP_<SECTION>__<KEY>` (for example `LEANSTEP_LEAN__TIMEOUT_S=30`).
Unknown keys and bad values raise `ConfigError` naming the key.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import psutil
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from prover_core.errors import ConfigError, InputError
from prover_core.textfile import read_utf8

ENV_PREFIX = "LEANSTEP_"
CONFIG_NAME = "leanstep.toml"
# The propositional stand-in REPL (`prover_core.propositional`), run by this interpreter. Named
# here so that starting it never imports the stand-in package.
STANDIN_MODULE = "prover_core.propositional"
STANDIN_COMMAND: tuple[str, ...] = (sys.executable, "-m", STANDIN_MODULE)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def machine_processes(per_process_mb: int) -> int:
    """REPL processes this machine holds: one per core, as many as ¾ of memory allows."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory_mb = int(psutil.virtual_memory().total) // (1024 * 1024)
    return max(1, min(cores or 1, (memory_mb * 3 // 4) // max(per_process_mb, 1)))


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
        16384, gt=0, description="RLIMIT_AS for each REPL process; 0 for no limit."
    )
    recycle_after_requests: int = Field(
        5000, gt=0, description="Restart a process after this many requests."
    )
    recycle_above_rss_mb: int | None = Field(
        8192, gt=0, description="Restart a process whose resident memory exceeds this; 0: never."
    )
    crash_retries: int = Field(1, ge=0, description="Retries of a request after a crash.")
    pool_size: int = Field(
        1,
        gt=0,
        json_schema_extra={"default_doc": "from the machine"},
        description="Most REPL processes alive at once. Default, from the machine: "
        "min(CPU cores, ¾ of physical memory / per-process memory), at least 1, where the "
        "per-process memory is `memory_limit_mb` (else `recycle_above_rss_mb`, else 8192).",
    )
    processes_per_header: int = Field(
        1,
        gt=0,
        json_schema_extra={"default_doc": "`pool_size`"},
        description="Most processes per import header. Default: `pool_size` (one header, "
        "e.g. `import Mathlib`, may use the whole machine).",
    )
    processes_per_request: int = Field(
        0,
        ge=0,
        description="Most processes one request (a suggestion's checks, one search's "
        "expansions) runs its tactics on at once; 0: `processes_per_header`.",
    )
    state_transfer: Literal["replay", "pickle"] = Field(
        "replay",
        description="How a proof state reaches another process of its request: `replay` "
        "re-runs the steps that made it (cached per process, so usually one step), `pickle` "
        "writes it with `pickleTo` and reads it with `unpickleProofStateFrom`.",
    )

    @model_validator(mode="before")
    @classmethod
    def _machine_defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        if "pool_size" in data and "processes_per_header" in data:
            return data
        fields = cls.model_fields
        per = next(
            (
                v
                for v in (
                    data.get("memory_limit_mb", fields["memory_limit_mb"].default),
                    data.get("recycle_above_rss_mb", fields["recycle_above_rss_mb"].default),
                )
                if v is not None
            ),
            8192,
        )
        size = data.get("pool_size") or machine_processes(int(per))
        return {"processes_per_header": size, **data, "pool_size": size}

    @property
    def requested_processes(self) -> int:
        return self.processes_per_request or self.processes_per_header

    @field_validator("memory_limit_mb", "recycle_above_rss_mb", mode="before")
    @classmethod
    def _zero_is_none(cls, value: object) -> object:  # TOML has no null: 0 means "no limit"
        return None if value == 0 else value


class PolicyConfig(_Section):
    """The step-prover model."""

    backend: Literal["hf", "vllm", "openai"] = Field(
        "hf",
        description="`hf` (transformers in process), `vllm` (in-process engine) or `openai` "
        "(an OpenAI-compatible server).",
    )
    model: str | None = Field(
        None,
        description="A local checkpoint directory for hf and vllm; the served model name for "
        "openai.",
    )
    seed: int | None = Field(
        None,
        description="Seed of the sampling: each policy call of a request draws from a seed "
        "derived from it, so the same request gives the same answer; unset: fresh draws.",
    )
    endpoint: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (openai backend)."
    )
    api_key: str | None = Field(None, description="API key sent to the openai endpoint, if any.")
    prompt_template: str = Field("{state}:::", description="Prompt; `{state}` is the goal text.")
    temperature: float = Field(1.3, ge=0, description="Sampling temperature for tactics.")
    top_p: float = Field(1.0, gt=0, le=1, description="Nucleus sampling mass.")
    max_tokens: int = Field(256, gt=0, le=4096, description="Most tokens per sampled tactic.")
    device: str = Field("auto", description="`auto`, `cpu`, `cuda` or `cuda:N` for hf.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="Weight dtype for hf; `auto` picks bfloat16 on a GPU."
    )
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
    request_timeout_s: float = Field(
        120.0, gt=0, description="Limit per request to the openai endpoint."
    )
    retries: int = Field(3, ge=0, description="Retries of a failed request to the endpoint.")


class SearchConfig(_Section):
    """Best-first search (ALGORITHMS.md)."""

    width: int = Field(4, gt=0, description="Tactics sampled per expansion.")
    expansions: int = Field(600, gt=0, description="Expansions per pass.")
    passes: int = Field(1, gt=0, description="Independent restarts of the search (P).")
    depth_reward: float = Field(0.0, ge=0, description="alpha in score / depth ** alpha.")
    wall_time_s: float = Field(600.0, gt=0, description="Wall-clock limit per theorem.")
    tactic_timeout_s: float = Field(18.0, gt=0, description="Lean time limit per tactic.")
    suggestions: int = Field(16, gt=0, description="Candidates sampled for editor suggestions.")
    max_suggestions: int = Field(
        64, gt=0, description="Most candidates one suggestion request may ask for (`-n`, `n`)."
    )

    @model_validator(mode="after")
    def _suggestions_within_cap(self) -> SearchConfig:
        if self.suggestions > self.max_suggestions:
            raise ValueError("suggestions must not exceed max_suggestions")
        return self


class PlannerConfig(_Section):
    """The planner LLM behind an OpenAI-compatible chat endpoint (lemma sketches)."""

    endpoint: str | None = Field(None, description="Base URL, e.g. http://localhost:8001/v1.")
    model: str | None = Field(None, description="The planner's model name at the endpoint.")
    api_key: str | None = Field(None, description="API key sent to the endpoint, if any.")
    temperature: float = Field(0.7, ge=0, description="Sampling temperature for plans.")
    max_tokens: int = Field(2048, gt=0, description="Most tokens per plan.")
    plan_retries: int = Field(3, ge=0, description="New plans asked when one fails to check.")
    replans: int = Field(2, ge=0, description="Most replans per theorem.")
    agents: int = Field(4, gt=0, description="Prover agents per subgoal (focused parallelism).")
    subgoal_expansions: int = Field(100, gt=0, description="Expansions per agent per subgoal.")
    request_timeout_s: float = Field(300.0, gt=0, description="Limit per planner request.")


class Config(_Section):
    """`leanstep.toml`: the editor's and the command line's settings."""

    lean: LeanConfig = Field(LeanConfig(), description="How leanstep runs Lean's REPL.")
    policy: PolicyConfig = Field(PolicyConfig(), description="The step-prover model.")
    search: SearchConfig = Field(SearchConfig(), description="Best-first search.")
    planner: PlannerConfig = Field(PlannerConfig(), description="The planner LLM.")


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leanstep" / CONFIG_NAME


class Origin(NamedTuple):
    """Where a setting came from: `kind` is default, user file, project file, environment or
    flag; `where` the file path, variable name or flag (empty for a default)."""

    kind: str
    where: str


@dataclass(frozen=True)
class Layer:
    """One source of settings: nested `data`, and the origin of each dotted key in it."""

    data: dict[str, Any]
    origins: dict[str, Origin]


def merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"lean": {"timeout_s": 5}}` → `{"lean.timeout_s": 5}` (tables only; lists are leaves)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _section_key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc[:2])


def validation_problems(err: ValidationError) -> list[tuple[str, str]]:
    """(dotted key, what is wrong) for each problem pydantic found."""
    out = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        out.append((key, "unknown key" if e["type"] == "extra_forbidden" else e["msg"]))
    return out


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line: `section.key: what is wrong; … (SOURCE)`."""
    return str(ConfigError("; ".join(f"{k}: {m}" for k, m in validation_problems(err)), source))


def _validate(data: Mapping[str, Any], where_of: Mapping[str, Origin], fallback: str) -> None:
    """Raise `ConfigError` blaming the source of the first bad key (each layer is valid on
    its own, so a bad value is reported where it was written)."""
    try:
        Config.model_validate(dict(data))
    except ValidationError as e:
        first = e.errors()[0]["loc"]
        origin = where_of.get(_section_key(first))
        raise ConfigError(
            "; ".join(f"{k}: {m}" for k, m in validation_problems(e)),
            origin.where if origin else fallback,
        ) from None


def parse_config(data: Mapping[str, Any], source: str = "config") -> Config:
    try:
        return Config.model_validate(dict(data))
    except ValidationError as e:
        raise ConfigError(format_validation_error(e, source)) from None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict (a UTF-8 BOM is allowed); every failure names the file."""
    try:
        return tomllib.loads(read_utf8(path))
    except InputError as e:  # a config file that cannot be read is a configuration error
        raise ConfigError(e.what, e.where) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}", str(path)) from None


def file_layer(path: Path, kind: str) -> Layer:
    data = read_toml(path)
    origins = {_section_key(tuple(k.split("."))): Origin(kind, str(path)) for k in flatten(data)}
    _validate(data, origins, str(path))
    return Layer(data, origins)


def _env_value(value: str) -> Any:
    if value.startswith(("[", "{")) or value in ("true", "false"):
        try:
            return tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            return value
    return value


def env_layer(environ: Mapping[str, str]) -> Layer:
    """`LEANSTEP_<SECTION>__<KEY>` variables; a bad one is blamed on the variable."""
    data: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in Config.model_fields:
            raise ConfigError(f"unknown config section {section!r}", name)
        one = {section: {key: _env_value(value)}}
        here = {f"{section}.{key}": Origin("environment", name)}
        _validate(one, here, name)
        data = merge(data, one)
        origins.update(here)
    return Layer(data, origins)


def flag_layer(overrides: Mapping[str, Any], flags: Mapping[str, str] | None = None) -> Layer:
    """The caller's overrides (command-line flags, the editor's initializationOptions);
    `flags` names the flag behind each dotted key."""
    names = flags or {}
    origins = {key: Origin("flag", names.get(key, "overrides")) for key in flatten(overrides)}
    _validate(overrides, origins, "overrides")
    return Layer(dict(overrides), origins)


def config_layers(
    project_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
    use_user_file: bool = True,
) -> list[Layer]:
    """The run's sources, later ones winning: user file, project file, environment, flags.
    A missing user file is skipped; a missing project file is an error."""
    layers = []
    user = user_config_path()
    if use_user_file and user.exists():
        layers.append(file_layer(user, "user file"))
    if project_file is not None:
        layers.append(file_layer(project_file, "project file"))
    layers.append(env_layer(os.environ if environ is None else environ))
    if overrides:
        layers.append(flag_layer(overrides, flags))
    return layers


def build_config(layers: list[Layer]) -> tuple[Config, dict[str, Origin]]:
    """The merged `Config`, and the origin of every setting not left at its default."""
    data: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for layer in layers:
        data = merge(data, layer.data)
        origins.update(layer.origins)
    return parse_config(data, "the merged configuration"), origins


def load_config(
    project_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
    use_user_file: bool = True,
) -> Config:
    """Build the one `Config` of a run. `overrides` come from the CLI and win over all."""
    layers = config_layers(
        project_file, environ=environ, overrides=overrides, flags=flags, use_user_file=use_user_file
    )
    return build_config(layers)[0]


def find_project_config(start: Path) -> Path | None:
    """The nearest `leanstep.toml` at or above `start`."""
    for d in [start, *start.parents] if start.is_dir() else list(start.parents):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None
