"""One REPL child process: spawn, framed request/response, hard kill.

Invariants: at most one request is in flight (callers serialise); a request that times out
or breaks the framing leaves the process killed, never half-read.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import resource
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil

from prover_core.errors import LeanCrashed, LeanProtocolError, LeanTimeout
from prover_core.lean import protocol

_STREAM_LIMIT = 1 << 28  # one response line may hold a large infotree
_STDERR_LINES = 50


class ReplProcess:
    """A started REPL. Create with `await ReplProcess.spawn(...)`."""

    def __init__(self, proc: asyncio.subprocess.Process, command: Sequence[str]) -> None:
        self._proc = proc
        self._command = tuple(command)
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        self.requests = 0
        self._tree: list[psutil.Process] | None = None

    @classmethod
    async def spawn(
        cls,
        command: Sequence[str],
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        memory_limit_mb: int | None = None,
    ) -> ReplProcess:
        try:
            proc = await asyncio.create_subprocess_exec(
                *command,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # own process group: a kill reaches `lake`'s child too
                limit=_STREAM_LIMIT,
            )
        except OSError as e:
            raise LeanCrashed(f"cannot start REPL {' '.join(command)!r}: {e}") from e
        if memory_limit_mb is not None:
            limit = memory_limit_mb * 1024 * 1024
            with contextlib.suppress(psutil.Error, OSError, ValueError):
                psutil.Process(proc.pid).rlimit(resource.RLIMIT_AS, (limit, limit))
        return cls(proc, command)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return self._proc.returncode is None

    def rss_mb(self) -> float:
        """Resident memory of the leader and its children (e.g. `lake` and the REPL). The
        process list is read once, after the first answer, when the tree has settled."""
        try:
            if self._tree is None:
                leader = psutil.Process(self._proc.pid)
                self._tree = [leader, *leader.children(recursive=True)]
            return float(sum(q.memory_info().rss for q in self._tree)) / (1024 * 1024)
        except psutil.Error:
            return 0.0

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    async def _drain_stderr(self) -> None:
        stream = self._proc.stderr
        if stream is None:
            return
        with contextlib.suppress(Exception):
            while line := await stream.readline():
                self._stderr.append(line.decode(errors="replace").rstrip("\n"))

    async def _read_response(self) -> str:
        stdout = self._proc.stdout
        assert stdout is not None
        lines: list[str] = []
        while True:
            try:
                raw = await stdout.readline()
            except (ValueError, asyncio.LimitOverrunError) as e:
                raise LeanProtocolError(f"response line too long: {e}") from e
            if not raw:
                await self._proc.wait()
                detail = self.stderr_tail()
                raise LeanCrashed(
                    f"REPL exited with code {self._proc.returncode}"
                    + (f"; stderr:\n{detail}" if detail else "")
                )
            line = raw.decode(errors="replace")
            if line.strip():
                lines.append(line)
            elif lines:
                return "".join(lines)

    async def request(self, payload: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and parse its response.

        Raises LeanTimeout (process killed), LeanCrashed (process gone) or LeanProtocolError
        (garbage answer; process killed).
        """
        if not self.alive:
            raise LeanCrashed("REPL process is not running")
        stdin = self._proc.stdin
        assert stdin is not None
        self.requests += 1
        try:
            stdin.write(protocol.encode(payload))
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as e:
            await self.kill()
            raise LeanCrashed(f"REPL closed its input: {e}") from e
        try:
            async with asyncio.timeout(timeout):
                raw = await self._read_response()
            return protocol.decode(raw)
        except TimeoutError:
            await self.kill()
            raise LeanTimeout(f"REPL gave no answer within {timeout:g} s") from None
        except (LeanProtocolError, LeanCrashed):
            await self.kill()
            raise

    async def kill(self) -> None:
        """Kill the whole process group and reap it. Idempotent."""
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            await self._proc.wait()
        self._stderr_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._stderr_task

    async def close(self, grace_s: float = 2.0) -> None:
        """Close stdin (the REPL exits at EOF), then kill if it lingers."""
        if self._proc.returncode is None and self._proc.stdin is not None:
            with contextlib.suppress(Exception):
                self._proc.stdin.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace_s):
                    await self._proc.wait()
        await self.kill()
