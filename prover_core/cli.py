"""The `leanstep` command line. Parses arguments, builds the config once, calls the core.

The CLI is the program's edge: it is the one place that may also reach the `lsp_server` and
`training` packages (their commands are imported lazily, only when invoked).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from prover_core.config import Config, find_project_config, load_config
from prover_core.errors import ConfigError, LeanstepError

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


def _config(explicit: Path | None, near: Path) -> Config:
    path = explicit if explicit is not None else find_project_config(near.resolve())
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"{explicit}: no such config file")
    return load_config(path)


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
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise _fail(f"{path}: cannot read: {e}") from None
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


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A Lean file holding the theorem.")],
    theorem: Annotated[str, typer.Option("--theorem", help="The theorem's name.")],
    config: ConfigOpt = None,
) -> None:
    """Verify a theorem's proof soundly in a fresh REPL (screen, sorry, axioms, statement)."""
    from prover_core.lean.decl import find_declaration
    from prover_core.lean.verify import verify_proof

    cfg = _config(config, file.parent)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise _fail(f"{file}: cannot read: {e}") from None
    decl = find_declaration(text, theorem)
    if decl is None:
        raise _fail(f"{file}: no theorem named {theorem!r}")
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


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Lean files of a project.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL of (state, tactic) pairs.")],
    config: ConfigOpt = None,
) -> None:
    """Every (state, tactic) pair of Lean files via the REPL's allTactics mode."""
    from prover_core.lean.extract import extract_file
    from prover_core.lean.repl import LeanRepl

    cfg = _config(config, files[0].parent if files else Path.cwd())

    async def run() -> int:
        count = 0
        repl = LeanRepl(cfg.lean, cwd=_cwd(cfg, files[0]))
        try:
            with out.open("w", encoding="utf-8") as f:
                for path in files:
                    for pair in await extract_file(repl, path.resolve()):
                        f.write(json.dumps(pair.to_json(), ensure_ascii=False) + "\n")
                        count += 1
        finally:
            await repl.close()
        return count

    typer.echo(f"wrote {asyncio.run(run())} pairs to {out}")


def _cwd(cfg: Config, file: Path) -> Path | None:
    """The Lean project directory: configured, else the nearest one with a lakefile."""
    if cfg.lean.project_dir is not None:
        return cfg.lean.project_dir
    for d in file.resolve().parents:
        if (d / "lakefile.lean").exists() or (d / "lakefile.toml").exists():
            return d
    return None


def main() -> None:
    try:
        app()
    except LeanstepError as e:
        typer.echo(f"leanstep: {e}", err=True)
        sys.exit(2)
