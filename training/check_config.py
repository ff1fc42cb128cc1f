"""`leanstep train CONFIG --check`: validate a training config and that what it names exists
(checkpoint, data files, problem sets, the REPL), without loading a model or running Lean."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from prover_core.errors import ConfigError, InputError
from training.config import TrainConfig, load_train_config

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")


def model_problem(path: Path, what: str) -> str | None:
    if not path.exists():
        return f"{what}: no such directory: {path}"
    if not path.is_dir():
        return f"{what}: {path} is a file, not a checkpoint directory"
    if not (path / "config.json").is_file():
        return f"{what}: {path} is not a checkpoint directory (no config.json)"
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        return f"{what}: {path} holds no tokenizer ({', '.join(TOKENIZER_FILES)})"
    return None


def _problem_set(source: str, split: str | None, what: str) -> tuple[str | None, int]:
    from training.problems import load_problems

    try:
        found = load_problems(source, split)
    except ConfigError as e:  # the set is missing or unreadable: one line names it
        return f"{what}: {e}", 0
    if not found:
        return f"{what}: no problems in {source} (split {split or 'all'})", 0
    return None, len(found)


def _device_problem(device: str) -> str | None:
    if not device.startswith("cuda"):
        return None
    if importlib.util.find_spec("torch") is None:
        return f"device = {device!r} but torch is not installed"
    import torch

    if not torch.cuda.is_available():
        return f"device = {device!r} but no CUDA device is visible"
    return None


def check(
    cfg: TrainConfig, cwd: Path, *, ray_address: str | None = None
) -> tuple[list[str], list[str]]:
    """(problems, facts): what would stop the run, and what was found. On Ray the policy's
    GPU is on some node of the cluster, so the local device is not checked."""
    from prover_core.repl_setup import repl_problem

    problems: list[str] = []
    facts: list[str] = []
    if (p := model_problem(cfg.base_model, "base_model")) is not None:
        problems.append(p)
    else:
        facts.append(f"base model {cfg.base_model}")
    for data in cfg.seed_data:
        if not data.is_file():
            problems.append(f"seed_data: no such file: {data}")
    facts.append(f"{len(cfg.seed_data)} seed data file(s)")
    sets = [("problems.train", cfg.problems.train, cfg.problems.train_split)]
    sets.append(("problems.eval", cfg.problems.eval or cfg.problems.train, cfg.problems.eval_split))
    for what, source, split in sets:
        p, n = _problem_set(source, split, what)
        problems += [p] if p else []
        facts += [f"{what}: {n} problems ({source}, split {split or 'all'})"] if not p else []
    if (p := repl_problem(cfg.lean, cwd)) is not None:
        problems.append(p)
    else:
        facts.append(f"REPL: {' '.join(cfg.lean.repl_command)}")
    if (cfg.run_dir / "config.json").exists():
        problems.append(f"run_dir {cfg.run_dir} holds a run already: continue it with --resume")
    # The device is top-level in this schema and `policy.device` once TrainConfig holds a
    # PolicyConfig (helper "train"); read whichever exists.
    device = str(getattr(getattr(cfg, "policy", cfg), "device", "auto"))
    if ray_address is None and (p := _device_problem(device)) is not None:
        problems.append(p)
    return problems, facts


def require_checkpoint(path: Path, where: str) -> None:
    """Fail in one line, before transformers sees `path`, unless it is a checkpoint directory
    (a mistyped path must not become a hub lookup)."""
    if (problem := model_problem(path, "model")) is not None:
        raise InputError(problem, where)


def require_problem_set(source: str, split: str | None, where: str) -> None:
    problem, _ = _problem_set(source, split, "problems")
    if problem is not None:
        raise InputError(problem, where)


def require_runnable(cfg: TrainConfig, where: str, ray_address: str | None = None) -> None:
    """What `--check` finds, as one error before a run starts."""
    problems, _ = check(cfg, Path.cwd(), ray_address=ray_address)
    if problems:
        raise InputError("; ".join(problems), where)


def check_file(
    path: Path, cwd: Path, *, ray_address: str | None = None
) -> tuple[list[str], list[str]]:
    """Parse `path` (a bad key or value raises `ConfigError` naming it) and check it."""
    return check(load_train_config(path), cwd, ray_address=ray_address)


def report_check(path: Path | None, ray_address: str | None = None) -> int:
    """Print the check of `path` (problems one line each on stderr); the exit status."""
    import typer

    if path is None:
        typer.echo("leanstep: --check needs a CONFIG.toml (leanstep train)", err=True)
        return 2
    problems, facts = check_file(path, Path.cwd(), ray_address=ray_address)
    for p in problems:
        typer.echo(f"leanstep: {p} ({path})", err=True)
    if problems:
        return 2
    for fact in facts:
        typer.echo(f"ok  {fact}")
    typer.echo(f"{path}: valid; nothing was run")
    return 0
