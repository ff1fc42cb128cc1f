"""The expert-iteration benchmark's report, rendered from its results JSON alone: every
figure and every verdict in the text is computed here from the numbers (no hand edits).

The JSON holds one sweep point per corpus size (`sizes`); the report gives the effects of
expert iteration, filtering and retraining against size, then the largest size round by
round."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from ei_stats import Paired, paired_t

VARIANTS = ("full", "no-filter", "no-retrain")
ALPHA = 0.05
COMPARISONS = {
    "expert iteration (full − SFT)": ("full", None),
    "filtering (full − no-filter)": ("full", "no-filter"),
    "retraining (full − no-retrain)": ("full", "no-retrain"),
}


def _sizes(results: dict[str, Any]) -> list[int]:
    return sorted(int(t) for t in results["sizes"])


def _hist(point: dict[str, Any], v: str, s: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = point["runs"][v][str(s)]["history"]
    return rows


def _final(point: dict[str, Any], v: str, seeds: Sequence[int]) -> list[float]:
    return [_hist(point, v, s)[-1]["pass_rate"] for s in seeds]


def _sft(point: dict[str, Any], v: str, seeds: Sequence[int]) -> list[float]:
    return [_hist(point, v, s)[0]["pass_rate"] for s in seeds]


def effects(results: dict[str, Any]) -> dict[str, list[Paired]]:
    """Per comparison, the paired test of final-round pass rates at each size (ascending)."""
    seeds: list[int] = results["seeds"]
    out: dict[str, list[Paired]] = {}
    for name, (a, b) in COMPARISONS.items():
        rows = []
        for t in _sizes(results):
            point = results["sizes"][str(t)]
            base = _sft(point, a, seeds) if b is None else _final(point, b, seeds)
            rows.append(paired_t(_final(point, a, seeds), base))
        out[name] = rows
    return out


def onset(sizes: Sequence[int], rows: Sequence[Paired], alpha: float = ALPHA) -> int | None:
    """The smallest size from which the effect is positive with p < alpha at that size and
    every larger size measured; None when the largest size shows no such effect."""
    found: int | None = None
    for t, r in zip(reversed(sizes), reversed(rows), strict=True):
        if not (r.p < alpha and r.mean > 0):
            break
        found = t
    return found


def _cell(xs: Sequence[float]) -> str:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    lo, hi = 100 * min(xs), 100 * max(xs)
    return f"{100 * statistics.fmean(xs):.1f} ± {100 * sd:.1f} [{lo:.1f}–{hi:.1f}]"


def _pp(r: Paired) -> str:
    return f"{100 * r.mean:+.1f} pp (p = {r.p:.2g})"


def _test_row(name: str, r: Paired) -> str:
    per = ", ".join(f"{100 * d:+.1f}" for d in r.diffs)
    return (
        f"| {name} | {per} | {100 * r.mean:+.1f} ± {100 * r.sd:.1f} | {r.t:.2f} | "
        f"{r.p:.3g} | {r.words(ALPHA)} |"
    )


def _inner_harvest(point: dict[str, Any], seeds: Sequence[int]) -> float:
    inner = [h["harvested"] for s in seeds for h in _hist(point, "full", s) if h["kind"] == "inner"]
    return statistics.fmean(inner) if inner else 0.0


def _retrain_records(point: dict[str, Any], seeds: Sequence[int]) -> float:
    rows = [h.get("retrain_records", 0) for s in seeds for h in _hist(point, "full", s)
            if h["kind"] == "retrain"]  # fmt: skip
    return statistics.fmean(rows) if rows else 0.0


def _sweep_reading(what: str, sizes: Sequence[int], rows: Sequence[Paired], harvest: float) -> str:
    at = {t: r for t, r in zip(sizes, rows, strict=True)}
    start = onset(sizes, rows)
    estimates = ", ".join(f"{_pp(r)} at {t}" for t, r in at.items())
    helps = [t for t, r in at.items() if r.p < ALPHA and r.mean > 0]
    hurts = [t for t, r in at.items() if r.p < ALPHA and r.mean < 0]
    if start is not None:
        head = (
            f"{what} helps from {start} theorems per seed on (p < {ALPHA:g} at that size "
            "and every larger size measured)"
        )
    elif helps:
        head = (
            f"{what} helps at {', '.join(map(str, helps))} theorems but not at the "
            "largest size measured, so the sweep shows no size from which it helps"
        )
    else:
        head = (
            f"{what} helps at no size measured ({sizes[0]}–{sizes[-1]} theorems per seed; "
            f"at the largest, {harvest:.0f} tactics harvested per inner round), so the sweep "
            "does not reach the size at which it starts to help"
        )
    if hurts:
        head += f"; it hurts (p < {ALPHA:g}) at {', '.join(map(str, hurts))} theorems"
    return f"- {head}: {estimates}."


def render(results: dict[str, Any]) -> str:
    seeds: list[int] = results["seeds"]
    sizes = _sizes(results)
    code = results["code"]
    eff = effects(results)
    top = results["sizes"][str(sizes[-1])]
    cfg = top["settings"]
    lines = [
        "# Expert iteration on the propositional stand-in",
        "",
        f"Produced by `{results['command']}` at commit `{code['commit'][:12] or 'unknown'}` "
        f"(source hash `{code['source_sha256']}`), {results['machine']['cpus']} CPUs, "
        f"{results['machine']['jobs']} processes, "
        f"{results['wall_s'] / 60:.1f} min in all. This file is written by the script.",
        "",
        f"Per corpus size ({', '.join(map(str, sizes))} theorems) and seed ({seeds}): a corpus "
        "(about 75% to prove, 25% held out), the easy training theorems' reference proofs as "
        f"the SFT corpus, a 2-layer model; {cfg['rounds']} rounds after SFT, the retraining "
        f"forced at round {cfg['retrain_round']}; three runs that differ in one switch (full, "
        "no-filter, no-retrain). Pass rate: held out (never trained on), budget "
        f"{results['eval_budget']}, one fixed eval seed per run. Filter band "
        f"{_band(results['filter'])}, retraining band {_band(results['retrain_filter'])} "
        "(over the found proofs; the SFT corpus joins every training set unfiltered).",
        "",
        "## Effects against corpus size (final round, paired over seeds)",
        "",
        "| theorems | held-out theorems (mean) | tactics per inner round | retrain set (records) "
        "| SFT (%) | full (%) | " + " | ".join(COMPARISONS) + " |",
        "| --- | --- | --- | --- | --- | --- | " + " | ".join("---" for _ in COMPARISONS) + " |",
    ]
    for i, t in enumerate(sizes):
        point = results["sizes"][str(t)]
        held = statistics.fmean(_hist(point, "full", s)[0]["eval_problems"] for s in seeds)
        lines.append(
            f"| {t} | {held:.0f} | {_inner_harvest(point, seeds):.0f} | "
            f"{_retrain_records(point, seeds):.0f} | {_cell(_sft(point, 'full', seeds))} | "
            f"{_cell(_final(point, 'full', seeds))} | "
            + " | ".join(_pp(eff[name][i]) for name in COMPARISONS)
            + " |"
        )
    harvest = _inner_harvest(top, seeds)
    lines += ["", "Each p-value is a two-sided paired t-test over the seeds at that size "
              "(uncorrected across sizes).", "", "## Reading", ""]  # fmt: skip
    lines += [_sweep_reading(name[0].upper() + name[1:], sizes, eff[name], harvest)
              for name in COMPARISONS]  # fmt: skip
    lines += [
        f"- Scale: at the largest size an inner round harvests {harvest:.0f} tactics on average "
        "and the retraining set holds "
        f"{_retrain_records(top, seeds):.0f} records; the paper filters and retrains on "
        "millions of tactics, where the band's tails are mastered or noisy.",
    ]
    lines += _detail(results, sizes[-1])
    lines += ["", "Figures: `results/expert_iteration_sweep.png` (effects against size, mean ± "
              "s.e.), `results/expert_iteration.png` (largest size, mean line, min–max band); "
              "numbers: `results/expert_iteration.json`."]  # fmt: skip
    return "\n".join(lines) + "\n"


def _detail(results: dict[str, Any], size: int) -> list[str]:
    """The round-by-round table, paired tests, data and wall times of one size."""
    seeds: list[int] = results["seeds"]
    point = results["sizes"][str(size)]
    rounds = len(_hist(point, "full", seeds[0]))
    n_eval = sorted({_hist(point, "full", s)[0]["eval_problems"] for s in seeds})
    lines = [
        "",
        f"## {size} theorems per seed, round by round",
        "",
        f"Held-out theorems per seed: {', '.join(map(str, n_eval))}. Cells: mean ± sample sd "
        f"[min–max] over seeds {seeds}. Round 0 is the SFT model.",
        "",
        "| round | " + " | ".join(VARIANTS) + " |",
        "| --- | " + " | ".join("---" for _ in VARIANTS) + " |",
    ]
    for r in range(rounds):
        cells = []
        for v in VARIANTS:
            rows = [_hist(point, v, s)[r] for s in seeds]
            tag = " (retrain)" if rows[0]["kind"] == "retrain" else ""
            cells.append(_cell([x["pass_rate"] for x in rows]) + tag)
        lines.append(f"| {r} | " + " | ".join(cells) + " |")
    final = {v: _final(point, v, seeds) for v in VARIANTS}
    lines += [
        "",
        "### Paired tests (final round; per seed, same held-out theorems)",
        "",
        "| comparison | per seed (pp) | mean ± sd (pp) | t | p (two-sided) | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
        *(_test_row(f"{v} − SFT", paired_t(final[v], _sft(point, v, seeds))) for v in VARIANTS),
        _test_row("full − no-filter (filtering)", paired_t(final["full"], final["no-filter"])),
        _test_row("full − no-retrain (retraining)", paired_t(final["full"], final["no-retrain"])),
    ]
    lines += _data_table(point, seeds, rounds)
    lines += ["", "### Wall time per run (s)", ""]
    for v in VARIANTS:
        ts = [point["runs"][v][str(s)]["run_s"] for s in seeds]
        lines.append(f"- {v}: " + ", ".join(f"{t:.0f}" for t in ts))
    return lines


def _band(f: dict[str, Any]) -> str:
    return f"[q{f['low_quantile']:g}, q{f['high_quantile']:g}]" if f["enabled"] else "off"


def _data_table(point: dict[str, Any], seeds: list[int], rounds: int) -> list[str]:
    lines = ["", "### Data per round (full variant, mean over seeds)", "",
             "| round | kind | pool theorems proved | tactics harvested | kept by the filter "
             "| retrain set (records, coverage) |",
             "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in range(rounds):
        rows = [_hist(point, "full", s)[r] for s in seeds]

        def mean(k: str, rows: list[dict[str, Any]] = rows) -> float:
            return statistics.fmean(float(x.get(k, 0)) for x in rows)

        rset = (f"{mean('retrain_records'):.0f}, {100 * mean('retrain_coverage'):.0f}%"
                if rows[0]["kind"] == "retrain" else "")  # fmt: skip
        lines.append(f"| {r} | {rows[0]['kind']} | {mean('pool_proved'):.0f} | "
                     f"{mean('harvested'):.0f} | {mean('kept'):.0f} | {rset} |")  # fmt: skip
    return lines
