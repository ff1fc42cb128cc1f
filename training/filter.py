"""Adaptive tactic filtering: keep the middle band of the perplexity distribution.

Perplexity of a tactic = exp(-mean token log-prob) under the current model, teacher-forced on
`prompt ++ tactic ++ EOS` with prompt and tactic tokenised separately (the policy's `score`).
The band is [quantile(low), quantile(high)] of this iteration's distribution, inclusive;
quantiles are linear interpolation between order statistics (numpy's default), so the cut
depends only on the multiset of perplexities, not on the record order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prover_core.policy.protocol import TacticGenerator
from training.config import FilterConfig
from training.records import Record


def perplexity(token_logprobs: Sequence[float]) -> float:
    if not token_logprobs:
        raise ValueError("a tactic scores at least its EOS token")
    return math.exp(-sum(token_logprobs) / len(token_logprobs))


def quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's `linear` method) of a non-empty sequence."""
    if not values:
        raise ValueError("quantile of an empty sequence")
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass(frozen=True)
class FilterResult:
    kept: list[Record]
    dropped_low: int
    dropped_high: int
    low_cut: float | None
    high_cut: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "kept": len(self.kept),
            "dropped_low": self.dropped_low,
            "dropped_high": self.dropped_high,
            "low_cut": self.low_cut,
            "high_cut": self.high_cut,
        }


async def score_records(
    policy: TacticGenerator, records: Sequence[Record], batch: int = 256
) -> list[Record]:
    """Each record with its perplexity under `policy`, in input order."""
    out: list[Record] = []
    for lo in range(0, len(records), batch):
        part = records[lo : lo + batch]
        scores = await policy.score([(r.state, r.tactic) for r in part])
        out.extend(r.with_ppl(perplexity(s)) for r, s in zip(part, scores, strict=True))
    return out


def band_filter(records: Sequence[Record], config: FilterConfig) -> FilterResult:
    """Keep records whose `ppl` lies in the quantile band (all of them when disabled)."""
    if not config.enabled or not records:
        return FilterResult(list(records), 0, 0, None, None)
    ppls = [r.ppl for r in records]
    if any(p is None for p in ppls):
        raise ValueError("band_filter needs scored records")
    values = [p for p in ppls if p is not None]
    low = quantile(values, config.low_quantile)
    high = quantile(values, config.high_quantile)
    kept = [r for r, p in zip(records, values, strict=True) if low <= p <= high]
    return FilterResult(
        kept, sum(p < low for p in values), sum(p > high for p in values), low, high
    )


def plot_histogram(values: Sequence[float], result: FilterResult, path: Path, title: str) -> None:
    """Histogram of log-perplexity with the two cut lines (the paper's Figure 2)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    logs = [math.log(v) for v in values]
    ax.hist(logs, bins=min(50, max(5, len(logs) // 4)), color="#4c72b0", alpha=0.85)
    for cut, label in ((result.low_cut, "low cut"), (result.high_cut, "high cut")):
        if cut is not None:
            ax.axvline(math.log(cut), color="#c44e52", linestyle="--", label=label)
    ax.set_xlabel("log perplexity of tactic under the current model")
    ax.set_ylabel("tactics")
    ax.set_title(title)
    if result.low_cut is not None:
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
