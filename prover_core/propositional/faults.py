"""Fault injection for tests and benchmarks of the REPL driver.

Each fault has a CLI flag and an environment variable `LEANSTEP_FAKE_<NAME>`; the flag wins.
Requests are counted from 1, every request (answered or not) counts.
- crash_after N: exit abruptly (status 1, no cleanup) right after answering N requests
  (N = 0: exit before reading any request).
- hang_on S: a request whose raw text contains S is never answered (the process sleeps).
- garbage_after N: request N and every later one get junk instead of a response.
- garbage_every K: every K-th request gets junk.
- latency_ms X: sleep X milliseconds before answering each request.
- grow_mb_per_request X: allocate and keep X MiB per request, touching every page.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

ENV_PREFIX = "LEANSTEP_FAKE_"
PAGE = 4096


@dataclass
class Faults:
    crash_after: int | None = None
    hang_on: str | None = None
    garbage_after: int | None = None
    garbage_every: int | None = None
    latency_ms: float | None = None
    grow_mb_per_request: float | None = None
    _hoard: list[bytearray] = field(default_factory=list, repr=False)

    @classmethod
    def from_sources(cls, args: argparse.Namespace, environ: Mapping[str, str]) -> Faults:
        f = cls()
        for fd in fields(cls):
            if fd.name.startswith("_"):
                continue
            conv = (
                str
                if fd.name == "hang_on"
                else (float if fd.name in ("latency_ms", "grow_mb_per_request") else int)
            )
            value = getattr(args, fd.name, None)
            raw = environ.get(ENV_PREFIX + fd.name.upper())
            if value is None and raw not in (None, ""):
                try:
                    value = conv(raw)
                except ValueError as e:
                    raise SystemExit(f"{ENV_PREFIX}{fd.name.upper()}: {e}") from e
            setattr(f, fd.name, value)
        return f

    def active(self) -> bool:
        return any(
            getattr(self, fd.name) is not None for fd in fields(self) if not fd.name.startswith("_")
        )

    def before(self, n: int, raw: str) -> bool:
        """Run the faults due before answering request `n`; True means answer with junk."""
        if self.hang_on is not None and self.hang_on in raw:
            while True:
                time.sleep(3600)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.grow_mb_per_request:
            size = int(self.grow_mb_per_request * 1024 * 1024)
            block = bytearray(size)
            block[::PAGE] = b"\x01" * len(range(0, size, PAGE))
            self._hoard.append(block)
        every = self.garbage_every
        return (self.garbage_after is not None and n >= self.garbage_after) or (
            every is not None and every > 0 and n % every == 0
        )

    def after(self, n: int) -> None:
        if self.crash_after is not None and n >= self.crash_after:
            os._exit(1)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--crash-after", type=int, metavar="N", help="exit abruptly after answering N requests"
    )
    p.add_argument("--hang-on", metavar="SUBSTR", help="never answer a request containing SUBSTR")
    p.add_argument(
        "--garbage-after", type=int, metavar="N", help="answer junk from the N-th request on"
    )
    p.add_argument(
        "--garbage-every", type=int, metavar="K", help="answer junk to every K-th request"
    )
    p.add_argument("--latency-ms", type=float, metavar="X", help="add X ms of latency per request")
    p.add_argument(
        "--grow-mb-per-request", type=float, metavar="X", help="allocate and keep X MiB per request"
    )


def command(faults: Faults | None = None, python: str = sys.executable) -> list[str]:
    """argv that starts the stand-in REPL as a subprocess with these faults (as flags)."""
    argv = [python, "-m", "prover_core.propositional"]
    for fd in fields(Faults):
        value = None if faults is None or fd.name.startswith("_") else getattr(faults, fd.name)
        if value is not None:
            argv += ["--" + fd.name.replace("_", "-"), str(value)]
    return argv


def junk(n: int) -> str:
    """Not JSON, but framed like a response so a reader sees it as one."""
    return f'{{"env": <garbage #{n}> \x7f not json'
