"""Running `leanstep` as a user runs it: a subprocess, no user config, no LEANSTEP_* leaks."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

LEANSTEP = [sys.executable, "-m", "lsp_server"]


def leanstep(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LEANSTEP_")}
    environ["XDG_CONFIG_HOME"] = str(cwd / "no-user-config")
    return subprocess.run(
        [*LEANSTEP, *args],
        cwd=cwd,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def run_async(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """`leanstep ARGS` in a subprocess from async tests: (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *LEANSTEP, *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def write_project(root: Path, url: str, source: bytes, expansions: int) -> Path:
    """A folder with a `leanstep.toml` (stand-in REPL, the scripted policy server at `url`)
    and `Demo.lean` holding `source`."""
    from tests.support.standin import STANDIN

    (root / "leanstep.toml").write_text(
        "[lean]\nrepl_command = [" + ", ".join(f'"{c}"' for c in STANDIN) + "]\n"
        f'[policy]\nbackend = "openai"\nendpoint = "{url}"\nmodel = "scripted"\n'
        f"[search]\nexpansions = {expansions}\n"
    )
    path = root / "Demo.lean"
    path.write_bytes(source)
    return path
