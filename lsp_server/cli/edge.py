"""The top of the command line: every expected failure becomes one line on stderr.

`leanstep: <what> (<where it came from>)` with exit status 2, for a `LeanstepError` and for a
usage error (a bad flag, a missing argument). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import typer

# typer vendors click (typer._click) and re-exports only a few of its exceptions; a usage error
# must be caught as the vendored class, `click.UsageError` is a different one.
from typer._click import exceptions as click_errors

from prover_core.errors import LeanstepError

USAGE_EXIT = 2


def one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def run_app(app: typer.Typer, argv: Sequence[str]) -> int:
    """Run the CLI on `argv`; the process's exit status."""
    try:
        result = app(args=list(argv), prog_name="leanstep", standalone_mode=False)
    except click_errors.NoArgsIsHelpError:  # typer printed the help already
        return USAGE_EXIT
    except click_errors.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "leanstep"
        typer.echo(f"leanstep: {one_line(e.format_message())} ({where})", err=True)
        return USAGE_EXIT
    except click_errors.ClickException as e:
        typer.echo(f"leanstep: {one_line(e.format_message())}", err=True)
        return e.exit_code
    except typer.Abort:
        typer.echo("leanstep: aborted", err=True)
        return 1
    except LeanstepError as e:
        typer.echo(f"leanstep: {one_line(str(e))}", err=True)
        return USAGE_EXIT
    return result if isinstance(result, int) else 0
