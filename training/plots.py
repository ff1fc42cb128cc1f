"""Figures of a run: held-out pass rate per round with retraining points (the paper's
Figure 3), and seed-averaged curves for the benchmark. Written atomically (tmp, rename)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.tight_layout()
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)


def plot_pass_rate(history: Sequence[Mapping[str, Any]], path: Path, title: str) -> None:
    """`history` rows: round, kind ("sft" | "inner" | "retrain"), pass_rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    xs = [h["round"] for h in history]
    ys = [100 * h["pass_rate"] for h in history]
    ax.plot(xs, ys, marker="o", color="#4c72b0", label="held-out pass rate")
    for h in history:
        if h["kind"] == "retrain":
            ax.axvline(h["round"], color="#c44e52", linestyle="--", alpha=0.7)
            ax.annotate("retrain", (h["round"], 100 * h["pass_rate"]), color="#c44e52",
                        textcoords="offset points", xytext=(4, -12))  # fmt: skip
    ax.set_xlabel("round (0 = SFT)")
    ax.set_ylabel("pass rate (%)")
    ax.set_title(title)
    ax.set_xticks(xs)
    ax.grid(alpha=0.3)
    _save(fig, path)


def plot_mean_curves(
    curves: Mapping[str, Sequence[Sequence[float]]],
    path: Path,
    title: str,
    retrain_rounds: Sequence[int] = (),
) -> None:
    """Per variant: pass-rate curves of several seeds (equal length) as mean ± spread."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for name, runs in curves.items():
        n = min(len(r) for r in runs)
        xs = list(range(n))
        mean = [sum(r[i] for r in runs) / len(runs) * 100 for i in xs]
        lo = [min(r[i] for r in runs) * 100 for i in xs]
        hi = [max(r[i] for r in runs) * 100 for i in xs]
        (line,) = ax.plot(xs, mean, marker="o", label=name)
        ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.15)
    for r in retrain_rounds:
        ax.axvline(r, color="#c44e52", linestyle="--", alpha=0.6)
    ax.set_xticks(range(max(len(r) for runs in curves.values() for r in runs)))
    ax.set_xlabel("round (0 = SFT)")
    ax.set_ylabel("held-out pass rate (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_effects(
    sizes: Sequence[int],
    effects: Mapping[str, Sequence[tuple[float, float]]],
    path: Path,
    title: str,
) -> None:
    """Per comparison: (mean, standard error) of a pass-rate difference at each corpus size,
    as points with error bars on a log-size axis, with the zero line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for i, (name, rows) in enumerate(effects.items()):
        shift = 1.0 + 0.03 * (i - (len(effects) - 1) / 2)  # keep the error bars apart
        xs = [t * shift for t in sizes]
        ys = [100 * m for m, _ in rows]
        es = [100 * e for _, e in rows]
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=name)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [str(t) for t in sizes])
    ax.minorticks_off()
    ax.set_xlabel("corpus size (theorems per seed)")
    ax.set_ylabel("pass-rate difference (pp)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _save(fig, path)
