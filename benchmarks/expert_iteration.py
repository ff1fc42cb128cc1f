"""Expert iteration on the propositional stand-in: seeds, ablations, figures, report.

For each seed, one corpus / seed set / base model (the demo's set-up, `training.demo`) and
three runs that differ only in one switch:

  full         perplexity filter on, one retraining from base (forced at `--retrain-round`)
  no-filter    every harvested tactic kept (inner rounds and retraining)
  no-retrain   inner rounds only

Runs live under `--out` (default `runs/bench-ei`, git-ignored); the figure and the numbers
go to `benchmarks/results/expert_iteration.{png,json}` and the report to
`benchmarks/expert_iteration.md`. With `--time-demos`, also times `leanstep demo --quick`
and `leanstep demo` (default) as subprocesses, after the ablations, on an idle machine.

    python benchmarks/expert_iteration.py --seeds 0 1 2 --time-demos
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VARIANTS = ("full", "no-filter", "no-retrain")
CLI = "import typer; from training.cli import register; app = typer.Typer(); register(app); app()"


def run_variant(seed: int, variant: str, out: Path, rounds: int, retrain_round: int) -> list[Any]:
    from training.demo import QUICK, prepare
    from training.expert_iteration import train

    settings = replace(
        QUICK,
        loop=QUICK.loop.model_copy(
            update={"rounds": rounds, "retrain_rounds": (retrain_round,), "max_retrains": 1}
        ),
    )
    cfg = prepare(out / f"seed{seed}", seed, settings)
    update: dict[str, Any] = {"run_dir": out / f"seed{seed}" / variant}
    if variant == "no-filter":
        off = cfg.filter.model_copy(update={"enabled": False})
        update["filter"] = off
        update["loop"] = cfg.loop.model_copy(update={"retrain_filter": off})
    if variant == "no-retrain":
        update["loop"] = cfg.loop.model_copy(update={"max_retrains": 0, "retrain_rounds": ()})
    cfg = cfg.model_copy(update=update)
    t0 = time.perf_counter()
    history = train(cfg, resume=(cfg.run_dir / "config.json").exists())
    return [{**h, "run_s": time.perf_counter() - t0} for h in history]


def time_demo(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", CLI, "demo", *args], check=True, cwd=ROOT)
    return time.perf_counter() - t0


def _stats(xs: list[float]) -> str:
    mean = statistics.fmean(xs)
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{100 * mean:.1f} ± {100 * sd:.1f} [{100 * min(xs):.1f}–{100 * max(xs):.1f}]"


def report(results: dict[str, Any]) -> str:
    seeds = results["seeds"]
    runs = results["runs"]
    rounds = len(runs[VARIANTS[0]][str(seeds[0])])
    lines = [
        "# Expert iteration on the propositional stand-in",
        "",
        "Produced by `python benchmarks/expert_iteration.py "
        + " ".join(results["argv"])
        + "` (2-core CPU, no GPU). Held-out pass rate (%) on the corpus's test split "
        "(all difficulty levels, never trained on), budget "
        f"{results['eval_budget']}, one fixed eval seed per run. Cells: mean ± sample "
        f"standard deviation [min–max] over seeds {seeds}. Round 0 is the SFT model.",
        "",
        "| round | " + " | ".join(VARIANTS) + " |",
        "| --- | " + " | ".join("---" for _ in VARIANTS) + " |",
    ]
    for r in range(rounds):
        cells = []
        for v in VARIANTS:
            rows = [runs[v][str(s)][r] for s in seeds]
            kind = rows[0]["kind"]
            cells.append(
                _stats([x["pass_rate"] for x in rows]) + (" (retrain)" if kind == "retrain" else "")
            )
        lines.append(f"| {r} | " + " | ".join(cells) + " |")
    lines += ["", "## Gain over SFT (final round minus round 0, per seed)", ""]
    lines += ["| variant | per seed (pp) | mean ± sd (pp) | best round minus SFT, mean (pp) |",
              "| --- | --- | --- | --- |"]  # fmt: skip
    for v in VARIANTS:
        gains = [runs[v][str(s)][-1]["pass_rate"] - runs[v][str(s)][0]["pass_rate"] for s in seeds]
        best = [max(x["pass_rate"] for x in runs[v][str(s)]) - runs[v][str(s)][0]["pass_rate"]
                for s in seeds]  # fmt: skip
        sd = statistics.stdev(gains) if len(gains) > 1 else 0.0
        per = ", ".join(f"{100 * g:+.1f}" for g in gains)
        lines.append(f"| {v} | {per} | {100 * statistics.fmean(gains):+.1f} ± {100 * sd:.1f} | "
                     f"{100 * statistics.fmean(best):+.1f} |")  # fmt: skip
    lines += ["", "## Data per round (full variant, mean over seeds)", "",
              "| round | kind | pool theorems proved | tactics harvested | kept by the filter |",
              "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in range(rounds):
        rows = [runs["full"][str(s)][r] for s in seeds]
        mean = {
            k: statistics.fmean(x[k] for x in rows) for k in ("pool_proved", "harvested", "kept")
        }
        lines.append(f"| {r} | {rows[0]['kind']} | {mean['pool_proved']:.0f} | "
                     f"{mean['harvested']:.0f} | {mean['kept']:.0f} |")  # fmt: skip
    lines += ["", "## Wall time per run (s, 2 cores)", ""]
    for v in VARIANTS:
        ts = [runs[v][str(s)][-1]["run_s"] for s in seeds]
        lines.append(f"- {v}: " + ", ".join(f"{t:.0f}" for t in ts))
    if results.get("demo_s"):
        lines += ["", "## `leanstep demo` wall time (s, 2 cores, idle machine)", ""]
        lines += [f"- `{k}`: {v:.0f}" for k, v in results["demo_s"].items()]
    lines += ["", "Figure: `results/expert_iteration.png` (mean line, min–max band); numbers: "
              "`results/expert_iteration.json`."]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-ei")
    ap.add_argument("--figures", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--retrain-round", type=int, default=4)
    ap.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "expert_iteration.md")
    ap.add_argument("--time-demos", action="store_true")
    ap.add_argument("--report-only", action="store_true", help="Rebuild from results.json.")
    args = ap.parse_args()

    import torch
    import transformers

    from training.demo import QUICK
    from training.plots import plot_mean_curves

    torch.set_num_threads(2)
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    results: dict[str, Any] = {
        "argv": sys.argv[1:],
        "seeds": args.seeds,
        "eval_budget": QUICK.evaluate.notation,
        "runs": {v: {} for v in VARIANTS},
    }
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text())
    for seed in [] if args.report_only else args.seeds:
        for v in VARIANTS:
            hist = run_variant(seed, v, args.out, args.rounds, args.retrain_round)
            results["runs"][v][str(seed)] = hist
            print(v, seed, [round(100 * h["pass_rate"], 1) for h in hist], flush=True)
            (args.out / "results.json").write_text(json.dumps(results, indent=1))
    if args.time_demos and not args.report_only:
        results["demo_s"] = {
            "demo --quick": time_demo(["--quick", "--workdir", str(args.out / "demo-quick")]),
            "demo": time_demo(["--workdir", str(args.out / "demo-default")]),
        }
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    curves = {v: [[h["pass_rate"] for h in results["runs"][v][str(s)]] for s in results["seeds"]]
              for v in VARIANTS}  # fmt: skip
    args.figures.mkdir(parents=True, exist_ok=True)
    (args.figures / "expert_iteration.json").write_text(json.dumps(results, indent=1))
    plot_mean_curves(curves, args.figures / "expert_iteration.png",
                     "held-out pass rate, mean over seeds", [args.retrain_round])  # fmt: skip
    args.report.write_text(report(results))
    print(args.report.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
