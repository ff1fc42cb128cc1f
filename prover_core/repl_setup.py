"""Finding how to start Lean's REPL in a Lake project (for `leanstep init` and config checks).

The REPL is https://github.com/leanprover-community/repl: either a Lake dependency of the
project (`lake exe repl`) or a built `repl` binary on PATH.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from prover_core.config import LeanConfig

LAKEFILES = ("lakefile.lean", "lakefile.toml")
REPL_URL = "https://github.com/leanprover-community/repl"
LAKE_REPL = ("lake", "exe", "repl")
_LEAN_REQUIRE = re.compile(r"^\s*require\s+«?repl»?(\s|$)", re.IGNORECASE | re.MULTILINE)
_LEAN_EXE = re.compile(r"^\s*lean_exe\s+«?repl»?(\s|$)", re.MULTILINE)


@dataclass(frozen=True)
class ReplSetup:
    """`command` starts the REPL in the project (None: none found; `advice` says what to add)."""

    lakefile: Path | None
    command: tuple[str, ...] | None
    advice: str | None


def find_lakefile(project: Path) -> Path | None:
    return next((project / n for n in LAKEFILES if (project / n).is_file()), None)


def requires_repl(lakefile: Path, project: Path) -> bool:
    """`lake exe repl` can work here: the lakefile requires the REPL package or defines a
    `repl` executable (the REPL's own repository), or Lake already fetched the package."""
    if (project / ".lake" / "packages" / "repl").is_dir():
        return True
    text = lakefile.read_text(encoding="utf-8-sig", errors="replace")
    if lakefile.suffix == ".lean":
        return _LEAN_REQUIRE.search(text) is not None or _LEAN_EXE.search(text) is not None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    tables = [*data.get("require", []), *data.get("lean_exe", [])]
    return any(str(t.get("name", "")).lower() == "repl" for t in tables if isinstance(t, dict))


def require_advice(lakefile: Path) -> str:
    """What to add to `lakefile` so that `lake exe repl` works."""
    if lakefile.suffix == ".lean":
        snippet = f'require REPL from git "{REPL_URL}" @ "<tag matching your lean-toolchain>"'
    else:
        snippet = (
            f'[[require]]\nname = "REPL"\ngit = "{REPL_URL}"\n'
            'rev = "<tag matching your lean-toolchain>"'
        )
    return (
        f"the REPL is not a dependency of this project; add to {lakefile.name}:\n\n"
        f"{snippet}\n\nthen run `lake update REPL && lake build repl` (or put a built `repl` "
        "on your PATH and set lean.repl_command)"
    )


def repl_setup(project: Path) -> ReplSetup:
    lakefile = find_lakefile(project)
    if lakefile is not None and requires_repl(lakefile, project):
        return ReplSetup(lakefile, LAKE_REPL, None)
    on_path = shutil.which("repl")
    if on_path is not None:
        return ReplSetup(lakefile, (on_path,), None)
    return ReplSetup(lakefile, None, require_advice(lakefile) if lakefile else None)


def repl_problem(lean: LeanConfig, cwd: Path) -> str | None:
    """Why `lean.repl_command` cannot start where it runs, or None if it looks startable."""
    command = lean.repl_command
    project = lean.project_dir or cwd
    if not command:
        return "lean.repl_command is empty"
    if tuple(command[:3]) == LAKE_REPL:
        lakefile = find_lakefile(project)
        if lakefile is None:
            return f"lean.repl_command runs `lake exe repl` but {project} has no lakefile"
        if not requires_repl(lakefile, project):
            return require_advice(lakefile).splitlines()[0] + f" ({lakefile})"
    exe = command[0]
    if "/" in exe:
        path = Path(exe) if Path(exe).is_absolute() else project / exe
        if not path.is_file():
            return f"lean.repl_command: no such program: {exe}"
    elif shutil.which(exe) is None:
        return f"lean.repl_command: {exe!r} is not on PATH"
    return None
