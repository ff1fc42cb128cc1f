"""A run's `summary.md`: the round table from `metrics.jsonl` rows, and the best model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from training.config import TrainConfig
from training.records import atomic_write_text
from training.results import RoundRow


def write_summary(
    path: Path, cfg: TrainConfig, n_train: int, n_eval: int, history: Sequence[RoundRow]
) -> None:
    last = history[-1]
    best = next(h for h in history if h.model == last.best)
    verified = ", proofs verified" if cfg.verify_proofs else ""
    lines = [
        f"# Expert-iteration run `{cfg.run_dir.name}`",
        "",
        f"Base model `{cfg.base_model}`; {n_train} problems to prove, {n_eval} held out; "
        f"eval budget {cfg.evaluate.notation}{verified}.",
        "",
        "| round | kind | model | held-out pass rate | pool proved | harvested | kept | solved |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for h in history:
        lines.append(
            f"| {h.round} | {h.kind} | {h.model} | {100 * h.pass_rate:.1f}% "
            f"({h.proved_eval}/{h.eval_problems}) | {h.pool_proved} | "
            f"{h.harvested} | {h.kept} | {h.solved_total} |"
        )
    lines += [
        "",
        f"Best model: `{best.model}` ({100 * best.pass_rate:.1f}%), also at `models/best`.",
        "Figures: `pass_rate.png`, `rounds/*/*-ppl.png`; TensorBoard logs in `tb/`.",
    ]
    atomic_write_text(path, "\n".join(lines) + "\n")
