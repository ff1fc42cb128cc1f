"""Driver + pool overhead per tactic request, against the stand-in REPL at a fixed latency.

Overhead = (round trip through `LeanRepl.tactic`) − (round trip of a minimal raw pipe client
sending the same requests to the same kind of process). Both run in this one script, so the
ratio and the difference are measured on the same machine state. Also: the cost of starting
a new theorem in a pooled process that already holds the header environment, versus a fresh
process that must load the header first.

    python benchmarks/repl_overhead.py [--requests 2000] [--latency-ms 1] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from prover_core.config import STANDIN_COMMAND, LeanConfig
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.types import Advanced
from training.records import atomic_write_json

THEOREM = "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ r := by sorry"
TACTICS = ["constructor", "exact hq", "intro x", "exact hp"]
HEADER = "-- header\nset_option maxHeartbeats 400000\n"


def standin(latency_ms: float) -> tuple[str, ...]:
    return (*STANDIN_COMMAND, "--latency-ms", str(latency_ms))


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def raw_client(cmd: tuple[str, ...], n: int) -> list[float]:
    """The floor: a blocking client that writes a request and reads to the blank line."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None

    def ask(req: dict[str, Any]) -> dict[str, Any]:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(req, ensure_ascii=False) + "\n\n")
        proc.stdin.flush()
        lines: list[str] = []
        while True:
            line = proc.stdout.readline()
            if not line.strip():
                if lines:
                    return dict(json.loads("".join(lines)))
                continue
            lines.append(line)

    root = ask({"cmd": THEOREM})["sorries"][0]["proofState"]
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        ask({"tactic": TACTICS[i % len(TACTICS)], "proofState": root})
        times.append(time.perf_counter() - t0)
    proc.stdin.close()
    proc.wait()
    return times


async def driver(cmd: tuple[str, ...], n: int) -> list[float]:
    repl = LeanRepl(LeanConfig(repl_command=cmd, memory_limit_mb=None))
    try:
        root = (await repl.command(THEOREM)).sorries[0].state
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            await repl.tactic(root, TACTICS[i % len(TACTICS)])
            times.append(time.perf_counter() - t0)
        return times
    finally:
        await repl.close()


async def pooled(cmd: tuple[str, ...], n: int) -> list[float]:
    pool = ReplPool(LeanConfig(repl_command=cmd, memory_limit_mb=None))
    try:
        async with pool.lease(HEADER) as lease:
            root = (await lease.repl.command(THEOREM, lease.env)).sorries[0].state
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            async with pool.lease(HEADER) as lease:
                await lease.repl.tactic(root, TACTICS[i % len(TACTICS)])
            times.append(time.perf_counter() - t0)
        return times
    finally:
        await pool.close()


async def new_theorem_costs(cmd: tuple[str, ...], n: int) -> tuple[list[float], list[float]]:
    reuse, fresh = [], []
    pool = ReplPool(LeanConfig(repl_command=cmd, memory_limit_mb=None))
    try:
        async with pool.lease(HEADER):
            pass
        for _ in range(n):
            t0 = time.perf_counter()
            async with pool.lease(HEADER) as lease:
                res = await lease.repl.command(THEOREM, lease.env)
                assert isinstance(
                    await lease.repl.tactic(res.sorries[0].state, "constructor"), Advanced
                )
            reuse.append(time.perf_counter() - t0)
    finally:
        await pool.close()
    for _ in range(n):
        t0 = time.perf_counter()
        repl = LeanRepl(LeanConfig(repl_command=cmd, memory_limit_mb=None))
        env = (await repl.command(HEADER)).env
        res = await repl.command(THEOREM, env)
        assert isinstance(await repl.tactic(res.sorries[0].state, "constructor"), Advanced)
        fresh.append(time.perf_counter() - t0)
        await repl.close()
    return reuse, fresh


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--latency-ms", type=float, default=1.0)
    ap.add_argument("--theorems", type=int, default=20)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    cmd = standin(args.latency_ms)
    raw = raw_client(cmd, args.requests)
    drv = asyncio.run(driver(cmd, args.requests))
    pool = asyncio.run(pooled(cmd, args.requests))
    reuse, fresh = asyncio.run(new_theorem_costs(cmd, args.theorems))
    ms = 1e3
    report = {
        "latency_ms": args.latency_ms,
        "requests": args.requests,
        "raw_median_ms": statistics.median(raw) * ms,
        "raw_p95_ms": pct(raw, 0.95) * ms,
        "driver_median_ms": statistics.median(drv) * ms,
        "driver_p95_ms": pct(drv, 0.95) * ms,
        "pool_median_ms": statistics.median(pool) * ms,
        "pool_p95_ms": pct(pool, 0.95) * ms,
        "new_theorem_reuse_median_ms": statistics.median(reuse) * ms,
        "new_theorem_fresh_median_ms": statistics.median(fresh) * ms,
    }
    report["driver_overhead_median_ms"] = report["driver_median_ms"] - report["raw_median_ms"]
    report["driver_overhead_p95_ms"] = report["driver_p95_ms"] - report["raw_p95_ms"]
    report["pool_overhead_median_ms"] = report["pool_median_ms"] - report["raw_median_ms"]
    report["fresh_over_reuse"] = (
        report["new_theorem_fresh_median_ms"] / report["new_theorem_reuse_median_ms"]
    )
    for k, v in report.items():
        print(f"{k:<32} {v:10.3f}" if isinstance(v, float) else f"{k:<32} {v}")
    print("target: driver overhead median <= 0.5 ms per request")
    if args.out:
        atomic_write_json(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
