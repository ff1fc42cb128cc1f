"""`leanstep init` and `leanstep config show`: writing and explaining `leanstep.toml`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from lsp_server.cli.checks import check_model
from lsp_server.cli.config_text import effective, init_text, show_json, show_text
from prover_core.config import (
    CONFIG_NAME,
    STANDIN_COMMAND,
    Origin,
    build_config,
    config_layers,
    find_project_config,
    parse_config,
    user_config_path,
)
from prover_core.errors import InputError
from prover_core.repl_setup import find_lakefile, repl_setup

config_app = typer.Typer(help="Inspect leanstep's configuration.", no_args_is_help=True)


def policy_flags(
    backend: str | None, model: str | None, endpoint: str | None
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The `--backend/--model/--endpoint` flags given, as config overrides and their flags."""
    given = (("backend", backend), ("model", model), ("endpoint", endpoint))
    policy = {k: v for k, v in given if v}
    return ({"policy": policy} if policy else None), {f"policy.{k}": f"--{k}" for k in policy}


def _policy_settings(
    backend: str | None, model: str | None, endpoint: str | None
) -> dict[str, Any]:
    if endpoint is not None:
        if model is None:
            raise InputError(
                "--endpoint needs --model NAME (the served model's name)", "--endpoint"
            )
        return {
            "policy.backend": backend or "openai",
            "policy.endpoint": endpoint,
            "policy.model": model,
        }
    if model is None:
        return {} if backend is None else {"policy.backend": backend}
    local = backend in (None, "hf", "vllm")
    return {
        "policy.backend": backend or "hf",
        "policy.model": str(Path(model).expanduser().resolve()) if local else model,
    }


def init(
    folder: Annotated[Path, typer.Argument(help="Folder to write leanstep.toml in.")] = Path("."),
    standin: Annotated[
        bool, typer.Option("--standin", help="Use the propositional stand-in REPL (no Lean).")
    ] = False,
    backend: Annotated[
        str | None, typer.Option("--backend", help="Policy backend: hf, vllm or openai.")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Checkpoint directory, or the served name.")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="OpenAI-compatible server base URL.")
    ] = None,
) -> None:
    """Write a commented leanstep.toml here; never overwrites a file.

    In a Lake project it sets up the Lean REPL (and says what to add to the lakefile when the
    REPL is missing); --standin sets up the propositional stand-in. Every setting is listed
    with its description."""
    target = folder / CONFIG_NAME
    if not folder.is_dir():
        raise InputError("no such folder", str(folder))
    if target.exists():
        raise InputError("exists already; leanstep init never overwrites a file", str(target))
    advice = None
    settings: dict[str, Any] = {}
    if standin:
        settings["lean.repl_command"] = list(STANDIN_COMMAND)
    else:
        setup = repl_setup(folder.resolve())
        if setup.lakefile is None:
            root = next((d for d in folder.resolve().parents if find_lakefile(d)), None)
            where = f"run it in {root}" if root else "run it in your Lean project's root"
            raise InputError(
                f"no lakefile.lean or lakefile.toml here: {where}, or give --standin", str(folder)
            )
        settings["lean.repl_command"] = list(setup.command or ("lake", "exe", "repl"))
        advice = setup.advice
    flags = _policy_settings(backend, model, endpoint)
    settings.update(flags)
    text = init_text(settings)
    cfg = parse_config(tomllib.loads(text), str(target))
    if model is not None:
        check_model(cfg, {k: Origin("flag", "--" + k.split(".")[1]) for k in flags})
    with target.open("x", encoding="utf-8") as f:  # "x": never replace a file
        f.write(text)
    typer.echo(f"wrote {target} (REPL: {' '.join(cfg.lean.repl_command)})")
    if advice:
        typer.echo(f"note: {advice}")
    typer.echo("see the values in force with: leanstep config show")


@config_app.command("show")
def show(
    config: Annotated[
        Path | None, typer.Option("--config", help="A leanstep.toml (default: nearest one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    backend: Annotated[str | None, typer.Option("--backend", help="As for suggest/prove.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="As for suggest/prove.")] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="As for suggest/prove.")
    ] = None,
) -> None:
    """The configuration in force here, each value with its source.

    Sources: default, user file, project file, environment variable, flag."""
    project = config if config is not None else find_project_config(Path.cwd())
    overrides, flags = policy_flags(backend, model, endpoint)
    cfg, origins = build_config(config_layers(project, overrides=overrides, flags=flags))
    rows = effective(cfg, origins)
    if as_json:
        user = user_config_path()
        files = {"user": user if user.exists() else None, "project": project}
        typer.echo(show_json(rows, files))
    else:
        typer.echo(show_text(rows))


def register_config_commands(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(config_app, name="config")
