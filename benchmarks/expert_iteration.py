"""Expert iteration on the propositional stand-in: seeds × ablations, paired tests, report.

For each corpus size in `--theorems` and each seed, one corpus / seed set / base model (the
demo's set-up, `training.demo`) and three runs that differ only in one switch:

  full         perplexity filter on, one retraining from base (forced at `--retrain-round`)
  no-filter    every harvested tactic kept (inner rounds and retraining)
  no-retrain   inner rounds only

One command makes everything: fresh run folders under `--out/<code version>/t<size>` (a
folder made by other code is never resumed; the same code resumes its own after a crash),
the figures and numbers (`benchmarks/results/expert_iteration{,_sweep}.png`,
`expert_iteration.json`, with the git commit) and the report
(`benchmarks/expert_iteration.md`: the largest size round by round, and the effects of
expert iteration, filtering and retraining against corpus size), written by `ei_report.py`
from the numbers alone. `--jobs N` runs sizes, seeds and variants in N processes (one torch
thread each), largest size first.

    python benchmarks/expert_iteration.py --jobs 15   # 4 sizes × 5 seeds × 3 variants
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ei_report import VARIANTS, effects, render  # noqa: E402

from training.records import atomic_write_json, atomic_write_text  # noqa: E402


def code_version() -> dict[str, str]:
    """The git commit ("" outside a checkout) and a hash of the code that runs (every .py
    under prover_core, training and benchmarks): the hash decides what may be resumed."""
    h = hashlib.sha256()
    for top in ("prover_core", "training", "benchmarks"):
        for path in sorted((ROOT / top).rglob("*.py")):
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    return {"commit": commit, "source_sha256": h.hexdigest()[:16]}


def _threads() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch
    import transformers

    torch.set_num_threads(1)
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()


def _settings(args: dict[str, Any]) -> Any:
    from training.demo import QUICK

    loop = QUICK.loop.model_copy(
        update={
            "rounds": args["rounds"],
            "retrain_rounds": (args["retrain_round"],),
            "max_retrains": 1,
        }
    )
    return replace(QUICK, theorems=args["theorems"], loop=loop)


def prepare_seed(seed: int, out: str, args: dict[str, Any]) -> float:
    """Corpus, seed records and base model of one seed (shared by its variants)."""
    from training.demo import prepare

    _threads()
    t0 = time.perf_counter()
    prepare(Path(out) / f"seed{seed}", seed, _settings(args))
    return time.perf_counter() - t0


def run_variant(seed: int, variant: str, out: str, args: dict[str, Any]) -> dict[str, Any]:
    from training.demo import prepare
    from training.expert_iteration import train

    _threads()
    folder = Path(out) / f"seed{seed}"
    cfg = prepare(folder, seed, _settings(args))
    update: dict[str, Any] = {"run_dir": folder / variant}
    if variant == "no-filter":
        off = cfg.filter.model_copy(update={"enabled": False})
        update["filter"] = off
        update["loop"] = cfg.loop.model_copy(update={"retrain_filter": off})
    if variant == "no-retrain":
        update["loop"] = cfg.loop.model_copy(update={"max_retrains": 0, "retrain_rounds": ()})
    cfg = cfg.model_copy(update=update)
    t0 = time.perf_counter()
    history = train(cfg, resume=(cfg.run_dir / "config.json").exists())
    return {"history": [h.to_json() for h in history], "run_s": time.perf_counter() - t0}


def _open_out(out: Path, version: dict[str, str], settings: dict[str, Any]) -> Path:
    """`out/<source hash>/t<size>`: runs made by other code are never resumed; a folder of
    this code made with other settings is refused."""
    folder = out / version["source_sha256"] / f"t{settings['theorems']}"
    meta = folder / "meta.json"
    mine = {"code": version, "settings": settings}
    if meta.exists():
        theirs = json.loads(meta.read_text())
        if theirs != mine:
            raise SystemExit(
                f"{folder} holds runs with other settings ({theirs['settings']}); "
                "remove it or choose another --out"
            )
    else:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_json(meta, mine)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-ei")
    ap.add_argument("--figures", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "expert_iteration.md")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--theorems", type=int, nargs="+", default=[150, 300, 600, 1200],
                    help="Corpus sizes per seed (one sweep point each).")  # fmt: skip
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--retrain-round", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1, help="Processes (one torch thread each).")
    args = ap.parse_args()
    if len(args.seeds) < 5:
        print(f"note: {len(args.seeds)} seeds; the report's tests want at least 5", flush=True)
    sizes = sorted(set(args.theorems), reverse=True)

    version = code_version()
    settings = {
        t: {"theorems": t, "rounds": args.rounds, "retrain_round": args.retrain_round}
        for t in sizes
    }
    folders = {t: str(_open_out(args.out, version, settings[t])) for t in sizes}
    t0 = time.perf_counter()
    runs: dict[int, dict[str, dict[str, Any]]] = {t: {v: {} for v in VARIANTS} for t in sizes}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        prep = {
            (t, s): pool.submit(prepare_seed, s, folders[t], settings[t])
            for t in sizes
            for s in args.seeds
        }
        prep_s = {t: {str(s): prep[t, s].result() for s in args.seeds} for t in sizes}
        jobs = {
            (t, s, v): pool.submit(run_variant, s, v, folders[t], settings[t])
            for t in sizes
            for s in args.seeds
            for v in VARIANTS
        }
        for (t, s, v), f in jobs.items():
            runs[t][v][str(s)] = f.result()
            rates = [round(100 * h["pass_rate"], 1) for h in runs[t][v][str(s)]["history"]]
            print(f"t{t}", v, s, rates, flush=True)
    from training.demo import QUICK

    results = {
        "command": "python benchmarks/expert_iteration.py " + " ".join(sys.argv[1:]),
        "code": version,
        "machine": {"cpus": os.cpu_count(), "jobs": args.jobs, "python": platform.python_version()},
        "seeds": args.seeds,
        "eval_budget": QUICK.evaluate.notation,
        "filter": QUICK.filter.model_dump(),
        "retrain_filter": QUICK.loop.retrain_filter.model_dump(),
        "wall_s": time.perf_counter() - t0,
        "sizes": {
            str(t): {"settings": settings[t], "prepare_s": prep_s[t], "runs": runs[t]}
            for t in sorted(sizes)
        },
    }
    args.figures.mkdir(parents=True, exist_ok=True)
    atomic_write_json(args.figures / "expert_iteration.json", results)
    atomic_write_json(args.out / version["source_sha256"] / "results.json", results)
    from training.plots import plot_effects, plot_mean_curves

    top = runs[sizes[0]]
    curves = {v: [[h["pass_rate"] for h in top[v][str(s)]["history"]] for s in args.seeds]
              for v in VARIANTS}  # fmt: skip
    plot_mean_curves(curves, args.figures / "expert_iteration.png",
                     f"held-out pass rate, {sizes[0]} theorems, mean over seeds",
                     [args.retrain_round])  # fmt: skip
    eff = effects(results)
    plot_effects(
        sorted(sizes),
        {name: [(r.mean, r.se) for r in rows] for name, rows in eff.items()},
        args.figures / "expert_iteration_sweep.png",
        "final-round effect (paired over seeds), mean ± s.e.",
    )
    atomic_write_text(args.report, render(results))
    print(args.report.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
