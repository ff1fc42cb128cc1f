"""Running `leanstep` as a user runs it: a subprocess, no user config, no LEANSTEP_* leaks."""

from __future__ import annotations

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
