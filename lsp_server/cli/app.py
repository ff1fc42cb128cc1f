"""The `leanstep` command line. Parses arguments, builds the config once, calls the core.

The CLI is the composition root: the one place that reaches the core, the language server,
`training` and the stand-in together (their commands are imported lazily, only when invoked).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from lsp_server.cli.checks import check_count, check_model
from lsp_server.cli.config_commands import policy_flags, register_config_commands
from lsp_server.cli.edge import run_app
from prover_core.config import Config, Layer, build_config, config_layers, find_project_config
from prover_core.errors import InputError
from prover_core.textfile import read_utf8

if TYPE_CHECKING:
    from prover_core.lean.decl import Declaration
    from prover_core.service import Service

_T = TypeVar("_T")

app = typer.Typer(
    name="leanstep",
    help="Checked tactic suggestions, proof search and lemma sketches for Lean 4.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
corpus_app = typer.Typer(help="Generate problem corpora.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="A leanstep.toml (default: nearest one).")
]


def _layers(
    explicit: Path | None,
    near: Path,
    overrides: dict[str, Any] | None = None,
    flags: dict[str, str] | None = None,
) -> list[Layer]:
    """The run's config sources: `explicit`, else the nearest `leanstep.toml` above `near`."""
    path = explicit if explicit is not None else find_project_config(near.resolve())
    return config_layers(path, overrides=overrides, flags=flags)


def _config(explicit: Path | None, near: Path, overrides: dict[str, Any] | None = None) -> Config:
    return build_config(_layers(explicit, near, overrides))[0]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"leanstep: {message}", err=True)
    return typer.Exit(code)


@app.command()
def screen(
    files: Annotated[list[Path], typer.Argument(help="Lean or proof text files; - for stdin.")],
) -> None:
    """Report banned constructs (LEAN.md): exit 1 if any, 0 if clean, 2 on unreadable input."""
    from prover_core.lean import screen as screen_mod

    found = False
    for path in files:
        text = sys.stdin.read() if str(path) == "-" else read_utf8(path)
        for f in screen_mod.screen(text):
            found = True
            typer.echo(screen_mod.format_finding(str(path), f))
    raise typer.Exit(1 if found else 0)


@corpus_app.command("propositional")
def corpus_propositional(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of theorems.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Seeded random propositional theorems with reference proofs (miniF2F record format)."""
    from prover_core.propositional.generator import write_corpus

    written = write_corpus(n, seed, out)
    typer.echo(f"wrote {written} theorems to {out}")


@corpus_app.command("standin")
def corpus_standin(
    folder: Annotated[Path, typer.Argument(help="Folder for corpus.jsonl, seed.jsonl, base/.")],
    theorems: Annotated[int, typer.Option("--theorems", min=20, help="Corpus size.")] = 600,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """What `examples/standin.toml` trains from: a stand-in corpus, seed records (the easy
    theorems' reference proofs) and a tiny random-initialised base model (kept if present)."""
    from dataclasses import replace

    from training.demo import QUICK, prepare

    folder.mkdir(parents=True, exist_ok=True)
    prepare(folder, seed, replace(QUICK, theorems=theorems))
    typer.echo(f"wrote {folder}/corpus.jsonl, {folder}/seed.jsonl and {folder}/base")


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A Lean file holding the theorem.")],
    theorem: Annotated[str, typer.Option("--theorem", help="The theorem's name.")],
    config: ConfigOpt = None,
) -> None:
    """Verify a theorem's proof soundly in a fresh REPL (screen, sorry, axioms, statement)."""
    from prover_core.lean.verify import verify_proof

    cfg = _config(config, file.parent)
    text = _read(file)
    decl = _declaration(text, theorem, file)
    verdict = asyncio.run(
        verify_proof(cfg.lean, text[: decl.start], decl.head, decl.proof, cwd=_cwd(cfg, file))
    )
    typer.echo(
        json.dumps(
            {
                "ok": verdict.ok,
                "check": verdict.check,
                "detail": verdict.detail,
                "axioms": list(verdict.axioms),
            }
        )
    )
    raise typer.Exit(0 if verdict.ok else 1)


BackendOpt = Annotated[
    str | None, typer.Option("--backend", help="Policy backend: hf, vllm or openai.")
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model path or served name.")]
EndpointOpt = Annotated[
    str | None, typer.Option("--endpoint", help="OpenAI-compatible server base URL.")
]


def _service_config(
    config: Path | None, file: Path, backend: str | None, model: str | None, endpoint: str | None
) -> Config:
    """The config of a command that runs the policy, its model checked before it loads."""
    cfg, origins = build_config(
        _policy_layers(config, file.resolve().parent, backend, model, endpoint)
    )
    check_model(cfg, origins)
    return cfg


def _policy_layers(
    config: Path | None, near: Path, backend: str | None, model: str | None, endpoint: str | None
) -> list[Layer]:
    overrides, flags = policy_flags(backend, model, endpoint)
    return _layers(config, near, overrides, flags)


def _with_service(cfg: Config, file: Path, use: Callable[[Service], Awaitable[_T]]) -> _T:
    """Build the configured service, run `use` on it, close it (model and REPLs)."""
    from prover_core.service import build_service

    async def run() -> _T:
        service = build_service(cfg, cwd=_cwd(cfg, file))
        try:
            return await use(service)
        finally:
            await service.aclose()

    return asyncio.run(run())


def _declaration(text: str, theorem: str, file: Path) -> Declaration:
    """The theorem named `theorem` in the file's text, else an input error naming the
    candidates: a mistyped name fails before any model loads or REPL starts."""
    from prover_core.lean.decl import DeclarationLookupError, resolve

    try:
        return resolve(text, theorem)
    except DeclarationLookupError as e:
        raise InputError(str(e), str(file)) from None


def _read(file: Path) -> str:
    """The file's text as the core sees it (BOM dropped, CRLF read as LF)."""
    from prover_core.fileio import read_source

    return read_source(file).text


@app.command()
def suggest(
    file: Annotated[Path, typer.Argument(help="The Lean file.")],
    line: Annotated[int, typer.Option("--line", min=1, help="1-based line.")],
    col: Annotated[int, typer.Option("--col", min=0, help="0-based column.")],
    n: Annotated[int | None, typer.Option("-n", min=1, help="Candidates to sample.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOpt = None,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    endpoint: EndpointOpt = None,
) -> None:
    """Next-tactic suggestions at a position, each checked in Lean, ranked."""
    cfg = _service_config(config, file, backend, model, endpoint)
    check_count(n, cfg)
    text = _read(file)
    result = _with_service(cfg, file, lambda s: s.suggest(text, line - 1, col, n))
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2))
    else:
        from lsp_server.cli.render import render_suggestions

        render_suggestions(result)
    if result.refusal is not None:
        raise _fail(result.refusal.message, 1)


@app.command()
def prove(
    file: Annotated[Path, typer.Argument(help="The Lean file.")],
    theorem: Annotated[
        str | None, typer.Option("--theorem", help="Theorem whose sorry to prove.")
    ] = None,
    line: Annotated[int | None, typer.Option("--line", min=1, help="Line of a sorry.")] = None,
    col: Annotated[int | None, typer.Option("--col", min=0, help="Column of a sorry.")] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write the verified proof (keeps FILE.bak).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    expansions: Annotated[int | None, typer.Option("--expansions", min=1)] = None,
    config: ConfigOpt = None,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    endpoint: EndpointOpt = None,
) -> None:
    """Best-first search for a sorry; only a verified proof is printed or written."""
    from lsp_server.cli.render import SearchProgress, render_prove
    from prover_core.fileio import check_writable, read_source

    cfg = _service_config(config, file, backend, model, endpoint)
    source = read_source(file)
    if write:
        check_writable(file)  # refused before any work, never after "proved"
    text = source.text
    if theorem is not None:
        _declaration(text, theorem, file)
    budget = cfg.search.model_copy(update={"expansions": expansions}) if expansions else None
    with SearchProgress((budget or cfg.search).expansions) as bar:
        result = _with_service(
            cfg,
            file,
            lambda s: s.prove(
                text,
                theorem=theorem,
                line=None if line is None else line - 1,
                column=col,
                budget=budget,
                on_expand=bar.update,
            ),
        )
    if as_json:
        typer.echo(json.dumps(render_prove(result, json_only=True), ensure_ascii=False, indent=2))
    else:
        render_prove(result)
    if not result.proved or result.edit is None:
        raise typer.Exit(1)
    if write:
        from prover_core.write_back import write_proof

        refused = asyncio.run(write_proof(file, source, result, cfg.lean, _cwd(cfg, file)))
        if refused is not None:
            raise _fail(refused)
        typer.echo(f"wrote the verified proof to {file} (backup: {file}.bak)")


@app.command()
def sketch(
    file: Annotated[Path, typer.Argument(help="The Lean file.")],
    theorem: Annotated[str, typer.Option("--theorem", help="The theorem to plan.")],
    prove_steps: Annotated[
        bool, typer.Option("--prove-steps", help="Let prover agents attack the steps.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOpt = None,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    endpoint: EndpointOpt = None,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="Run the prover agents on Ray (`local`, `auto`, H:P)."),
    ] = None,
) -> None:
    """A planner-made `have … := by sorry` skeleton for the theorem (checked in Lean)."""
    cfg = _service_config(config, file, backend, model, endpoint)
    text = _read(file)
    _declaration(text, theorem, file)
    remote = None
    if ray_address is not None:
        from prover_core.search.ray_agents import RayAgents, configured_policy

        remote = RayAgents(cfg, functools.partial(configured_policy, cfg.policy), ray_address)
    result = _with_service(
        cfg, file, lambda s: s.sketch(text, theorem, prove_steps=prove_steps, remote=remote)
    )
    payload = {
        "edit": dataclasses.asdict(result.edit) if result.edit else None,
        "planner": result.planner.to_json() if result.planner else None,
        "message": result.message,
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif result.edit is not None:
        typer.echo(result.edit.new_text)
    if result.edit is None:
        raise _fail(result.message, 1)


@app.command()
def serve(
    stdio: Annotated[bool, typer.Option("--stdio", help="Speak LSP on stdin/stdout.")] = False,
    tcp: Annotated[int | None, typer.Option("--tcp", help="Listen on 127.0.0.1:PORT.")] = None,
) -> None:
    """Run the leanstep language server (for VS Code or any LSP client)."""
    from lsp_server.main import serve as run_server

    if not stdio and tcp is None:
        raise _fail("give --stdio or --tcp PORT (leanstep serve)")
    run_server(stdio=stdio, port=tcp)


def _cwd(cfg: Config, file: Path) -> Path | None:
    """The Lean project directory: configured, else the nearest one with a lakefile."""
    if cfg.lean.project_dir is not None:
        return cfg.lean.project_dir
    for d in file.resolve().parents:
        if (d / "lakefile.lean").exists() or (d / "lakefile.toml").exists():
            return d
    return None


def main() -> None:
    from training.cli import register  # the edge: training's commands join the one CLI

    register(app)
    register_config_commands(app)
    sys.exit(run_app(app, sys.argv[1:]))
