"""Parallel Lean within one request, against the stand-in REPL at a fixed latency per request.

The stand-in's latency is a sleep, so two cores can show the speed-up of P processes. A
scripted policy keeps every search alive for its whole budget (each tactic adds a fresh
hypothesis: a new state, never a proof). Measured, for each latency:

1. `suggest` with n = 16 candidates through `Service.suggest`: the request's Lean time
   (state at the cursor + checks) with P = 1, 4, 8;
2. one `prove` of fixed budget (W = 4) through `Service.prove`: expansions/s and Lean time
   per expansion with P = 1, 4;
   (1 and 2 also with a model that takes one request's latency per call: states are then
   copied to the other processes while it samples);
3. 32 training searches (`search_chunk_local`, lockstep waves), one process each, on a pool
   of P = 1, 4, 8 processes: wall time;
4. the cost of moving a state to another process: by replay (one step, parent already
   there; a whole 3-step chain) and by pickling, in ms and as a share of one tactic.

Speed-up goals (issue #11): at 200 ms ≥ 0.75 × ideal, at 20 ms ≥ 0.5 × ideal, where ideal
is min(P, n) for suggest, min(P, W) for one search and P for training.

    python benchmarks/lean_parallel.py [--latencies 20 200] [--transfer replay] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prover_core.config import STANDIN_COMMAND, Config, LeanConfig, SearchConfig
from prover_core.lean.goal_at import split_imports
from prover_core.lean.pool import ReplPool
from prover_core.lean.repl import LeanRepl
from prover_core.policy.protocol import Sampling
from prover_core.service import Service
from prover_core.types import Advanced, ProofState, TacticCandidate
from training.config import SearchStage
from training.generate import search_chunk_local
from training.problems import Problem
from training.records import atomic_write_json

HEADER = "-- lean_parallel"
SUGGEST_FILE = f"""{HEADER}
theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ r := by
  constructor
  \n  exact hr
"""
PROVE_FILE = f"""{HEADER}
theorem u (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  sorry
"""
TRAIN_HEAD = "theorem v{i} (p q : Prop) (hp : p) (hq : q) : p ∧ q"


class AlivePolicy:
    """Every call: `n` distinct `have` tactics (a new hypothesis each), so every tactic makes
    a new state and no search ends before its budget. `delay_s`: the model's time per call."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self._names = itertools.count()
        self._delay_s = delay_s

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        return [
            [
                TacticCandidate(f"have x{next(self._names)} : p := hp", -1.0 - 0.01 * i, 2)
                for i in range(n)
            ]
            for _ in states
        ]

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return [[0.0] for _ in pairs]

    async def aclose(self) -> None:
        return None


def lean_config(latency_ms: float, processes: int, transfer: str) -> LeanConfig:
    return LeanConfig(
        repl_command=(*STANDIN_COMMAND, "--latency-ms", str(latency_ms)),
        memory_limit_mb=None,
        pool_size=processes,
        processes_per_header=processes,
        state_transfer=transfer,
        timeout_s=60.0,
    )  # fmt: skip


async def warm(pool: ReplPool, processes: int, header: str) -> None:
    """Start and import every process of `header` (the one the timed requests lease: the
    file's import block for the service) before timing (a request never waits for one)."""
    async with pool.lease(header, processes=processes) as lease:
        while len(lease.group.members) < processes:  # noqa: ASYNC110 (members join unannounced)
            await asyncio.sleep(0.02)


async def bench_suggest(
    latency_ms: float, processes: int, transfer: str, policy_ms: float = 0.0
) -> dict[str, float]:
    cfg = Config(lean=lean_config(latency_ms, processes, transfer))
    pool = ReplPool(cfg.lean)
    service = Service(cfg, AlivePolicy(policy_ms / 1e3), pool)
    try:
        await warm(pool, processes, split_imports(SUGGEST_FILE)[0])
        await service.suggest(SUGGEST_FILE, 3, 2, n=16)  # caches the context env
        t0 = time.perf_counter()
        res = await service.suggest(SUGGEST_FILE, 3, 2, n=16)
        wall = time.perf_counter() - t0
        assert res.refusal is None and len(res.suggestions) == 16, res
        return {"lean_s": res.lean_s, "wall_s": wall}
    finally:
        await service.aclose()


async def bench_prove(
    latency_ms: float, processes: int, transfer: str, expansions: int, policy_ms: float = 0.0
) -> dict[str, float]:
    budget = SearchConfig(width=4, expansions=expansions, wall_time_s=600)
    cfg = Config(lean=lean_config(latency_ms, processes, transfer), search=budget)
    pool = ReplPool(cfg.lean)
    service = Service(cfg, AlivePolicy(policy_ms / 1e3), pool)
    try:
        await warm(pool, processes, split_imports(PROVE_FILE)[0])
        res = await service.prove(PROVE_FILE, theorem="u")
        assert res.search is not None and res.search.status == "expansion_budget", res
        s = res.search.stats
        return {
            "expansions": s.expansions,
            "search_wall_s": s.wall_s,
            "expansions_per_s": s.expansions / s.wall_s,
            "lean_s_per_expansion": s.lean_s / s.expansions,
        }
    finally:
        await service.aclose()


async def bench_training(
    latency_ms: float, processes: int, searches: int, expansions: int
) -> dict[str, float]:
    pool = ReplPool(lean_config(latency_ms, processes, "replay"))
    problems = [Problem(f"v{i}", TRAIN_HEAD.format(i=i), HEADER) for i in range(searches)]
    budget = SearchStage(
        concurrency=searches,
        search=SearchConfig(width=2, expansions=expansions, wall_time_s=3600.0),
    )
    try:
        await warm(pool, processes, HEADER)
        t0 = time.perf_counter()
        attempts = await search_chunk_local(
            list(enumerate(problems)), 0, 1, AlivePolicy(), pool, budget
        )
        wall = time.perf_counter() - t0
        assert all(a.status == "expansion_budget" for a in attempts), attempts[0]
        return {"wall_s": wall, "expansions": sum(a.expansions for a in attempts)}
    finally:
        await pool.close()


async def bench_move(latency_ms: float) -> dict[str, float]:
    cfg = lean_config(latency_ms, 2, "replay")
    a, b = LeanRepl(cfg), LeanRepl(cfg)
    clock = time.perf_counter
    try:
        env_a, env_b = (await a.command(HEADER)).env, (await b.command(HEADER)).env
        b.alias(env_a, env_b)
        root = (await a.command(PROVE_FILE.split("\n", 1)[1], env_a)).sorries[0].state
        chain: list[ProofState] = [root]
        for i in range(3):
            out = await a.tactic(chain[-1], f"have y{i} : p := hp")
            assert isinstance(out, Advanced)
            chain.append(out.state)
        t0 = clock()
        await a.tactic(chain[-1], "exact hq")
        tactic_s = clock() - t0
        t0 = clock()
        await b.adopt(chain[-2])  # a whole chain: the theorem command and two steps
        chain_s = clock() - t0
        t0 = clock()
        await b.adopt(chain[-1])  # one step, its parent already there
        step_s = clock() - t0
        c = LeanRepl(cfg)
        try:
            c.alias(env_a, (await c.command(HEADER)).env)
            with tempfile.TemporaryDirectory() as d:
                t0 = clock()
                await c.adopt(chain[-1], pickle_dir=Path(d))
                pickle_s = clock() - t0
        finally:
            await c.close()
        return {
            "tactic_ms": 1e3 * tactic_s,
            "replay_one_step_ms": 1e3 * step_s,
            "replay_chain_3_ms": 1e3 * chain_s,
            "pickle_ms": 1e3 * pickle_s,
            "replay_one_step_share": step_s / tactic_s,
            "pickle_share": pickle_s / tactic_s,
        }
    finally:
        await asyncio.gather(a.close(), b.close())


def speedups(times: dict[int, float], ideal: dict[int, int], goal: float) -> dict[str, Any]:
    base = times[1]
    out: dict[str, Any] = {}
    for p, t in times.items():
        if p == 1:
            continue
        s = base / t
        out[str(p)] = {"speedup": s, "ideal": ideal[p], "ratio": s / ideal[p],
                       "goal_met": s / ideal[p] >= goal}  # fmt: skip
    return out


def schedule_bounds(move: float, n: int = 16, width: int = 4) -> dict[str, Any]:
    """The best speed-ups any schedule can reach, in tactics (one request each), given that
    moving a state costs `move` tactics. suggest: the probe at the cursor is one serial
    request before the policy can name the n checks (the group makes it everywhere at once,
    so no move follows). one search with an instant model: a node's state exists on the one
    process that made it; each other process running one of its W tactics first moves it,
    so an expansion costs 1 + move when nothing is copied ahead, and with a perfect guess of
    the nodes to come (copies in idle time) at least (W + (P - 1)·move) / P."""
    return {
        "suggest": {str(p): (n + 1) / (1 + math.ceil(n / p)) for p in (4, 8)},
        "prove_no_lookahead": {"4": width / (1 + move)},
        "prove_perfect_lookahead": {"4": width / ((width + 3 * move) / 4)},
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for latency in args.latencies:
        goal = 0.75 if latency >= 200 else 0.5
        r: dict[str, Any] = {"goal_ratio": goal}
        # each twice: an instant model, and one as slow as a Lean request (copies of the
        # state travel while it samples)
        for policy_ms, tag in ((0.0, ""), (latency, "_policy_equal_latency")):
            sug = {p: await bench_suggest(latency, p, args.transfer, policy_ms) for p in (1, 4, 8)}
            r["suggest_n16" + tag] = {
                "by_processes": {str(p): v for p, v in sug.items()},
                "lean_speedup": speedups(
                    {p: v["lean_s"] for p, v in sug.items()}, {4: 4, 8: 8}, goal
                ),
            }
            print(f"[{latency} ms] suggest n=16, policy {policy_ms} ms, Lean s:",
                  {p: round(v["lean_s"], 3) for p, v in sug.items()})  # fmt: skip
            prv = {
                p: await bench_prove(latency, p, args.transfer, args.expansions, policy_ms)
                for p in (1, 4)
            }
            r["prove_w4" + tag] = {
                "by_processes": {str(p): v for p, v in prv.items()},
                "speedup": speedups(
                    {p: 1 / v["expansions_per_s"] for p, v in prv.items()}, {4: 4}, goal
                ),
                "lean_speedup": speedups(
                    {p: v["lean_s_per_expansion"] for p, v in prv.items()}, {4: 4}, goal
                ),
            }
            print(f"[{latency} ms] prove, policy {policy_ms} ms, exp/s:",
                  {p: round(v["expansions_per_s"], 2) for p, v in prv.items()})  # fmt: skip
        trn = {
            p: await bench_training(latency, p, args.searches, args.train_expansions)
            for p in (1, 4, 8)
        }
        r["training_32"] = {
            "by_processes": {str(p): v for p, v in trn.items()},
            "speedup": speedups({p: v["wall_s"] for p, v in trn.items()}, {4: 4, 8: 8}, goal),
        }
        print(f"[{latency} ms] training wall:",
              {p: round(v["wall_s"], 2) for p, v in trn.items()})  # fmt: skip
        r["move_state"] = await bench_move(latency)
        print(f"[{latency} ms] move:", {k: round(v, 2) for k, v in r["move_state"].items()})
        r["schedule_bounds"] = schedule_bounds(r["move_state"]["replay_one_step_share"])
        results[str(latency)] = r
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latencies", type=float, nargs="+", default=[20.0, 200.0])
    ap.add_argument("--transfer", choices=["replay", "pickle"], default="replay")
    ap.add_argument("--expansions", type=int, default=8, help="one prove's budget")
    ap.add_argument("--searches", type=int, default=32)
    ap.add_argument("--train-expansions", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/lean_parallel.json"))
    args = ap.parse_args()
    results = asyncio.run(run(args))
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    atomic_write_json(args.out, {"args": settings, "results": results})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
