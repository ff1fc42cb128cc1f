"""The top of the command line: every expected failure becomes one line on stderr.

`leanstep: <what> (<where it came from>)` with exit status 2, for a `LeanstepError` and for a
usage error (a bad flag, a missing argument). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import click
import typer

from prover_core.errors import LeanstepError

USAGE_EXIT = 2


def one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def run_app(app: typer.Typer, argv: Sequence[str]) -> int:
    """Run the CLI on `argv`; the process's exit status."""
    try:
        result = app(args=list(argv), prog_name="leanstep", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as e:
        assert e.ctx is not None
        typer.echo(e.ctx.get_help())
        return USAGE_EXIT
    except click.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "leanstep"
        typer.echo(f"leanstep: {one_line(e.format_message())} ({where})", err=True)
        return USAGE_EXIT
    except click.ClickException as e:
        typer.echo(f"leanstep: {one_line(e.format_message())}", err=True)
        return e.exit_code
    except click.exceptions.Abort:
        typer.echo("leanstep: aborted", err=True)
        return 1
    except LeanstepError as e:
        typer.echo(f"leanstep: {one_line(str(e))}", err=True)
        return USAGE_EXIT
    return result if isinstance(result, int) else 0
