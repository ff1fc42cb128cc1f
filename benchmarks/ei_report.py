"""The expert-iteration benchmark's report, rendered from its results JSON alone: every
figure and every verdict in the text is computed here from the numbers (no hand edits)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from ei_stats import Paired, paired_t

VARIANTS = ("full", "no-filter", "no-retrain")
ALPHA = 0.05


def _hist(results: dict[str, Any], v: str, s: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = results["runs"][v][str(s)]["history"]
    return rows


def _cell(xs: Sequence[float]) -> str:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    lo, hi = 100 * min(xs), 100 * max(xs)
    return f"{100 * statistics.fmean(xs):.1f} ± {100 * sd:.1f} [{lo:.1f}–{hi:.1f}]"


def _test_row(name: str, r: Paired) -> str:
    per = ", ".join(f"{100 * d:+.1f}" for d in r.diffs)
    return (
        f"| {name} | {per} | {100 * r.mean:+.1f} ± {100 * r.sd:.1f} | {r.t:.2f} | "
        f"{r.p:.3g} | {r.words(ALPHA)} |"
    )


def _verdict(what: str, r: Paired) -> str:
    pp = f"{100 * r.mean:+.1f} pp (paired t-test over {r.n} seeds, p = {r.p:.3g})"
    if r.p < ALPHA and r.mean > 0:
        return f"{what} helps: {pp}."
    if r.p < ALPHA:
        return f"{what} hurts at this scale: {pp}."
    return f"{what} makes no difference detectable at this scale: {pp}."


def render(results: dict[str, Any]) -> str:
    seeds: list[int] = results["seeds"]
    final = {v: [_hist(results, v, s)[-1]["pass_rate"] for s in seeds] for v in VARIANTS}
    sft = [_hist(results, "full", s)[0]["pass_rate"] for s in seeds]
    gains = {v: paired_t(final[v], [_hist(results, v, s)[0]["pass_rate"] for s in seeds])
             for v in VARIANTS}  # fmt: skip
    vs_filter = paired_t(final["full"], final["no-filter"])
    vs_retrain = paired_t(final["full"], final["no-retrain"])
    rounds = len(_hist(results, "full", seeds[0]))
    n_eval = {_hist(results, "full", s)[0]["eval_problems"] for s in seeds}
    cfg = results["settings"]
    code = results["code"]
    lines = [
        "# Expert iteration on the propositional stand-in",
        "",
        f"Produced by `{results['command']}` at commit `{code['commit'][:12] or 'unknown'}` "
        f"(source hash `{code['source_sha256']}`), {results['machine']['cpus']} CPUs, "
        f"{results['machine']['jobs']} processes, "
        f"{results['wall_s'] / 60:.1f} min in all. This file is written by the script.",
        "",
        f"Per seed: a corpus of {cfg['theorems']} theorems (about 75% to prove, 25% held out), "
        "the easy training theorems' reference proofs as the SFT corpus, a 2-layer model; "
        f"{rounds - 1} rounds after SFT, the retraining forced at round {cfg['retrain_round']}. "
        f"Held-out pass rate (%) on the corpus's test split ({', '.join(map(str, sorted(n_eval)))} "
        f"theorems, never trained on), budget {results['eval_budget']}, one fixed eval seed per "
        f"run. Filter band {_band(results['filter'])}, retraining band "
        f"{_band(results['retrain_filter'])} (over the found proofs; the SFT corpus joins "
        "every training set unfiltered). Cells: mean ± sample sd [min–max] over seeds "
        f"{seeds}. Round 0 is the SFT model.",
        "",
        "| round | " + " | ".join(VARIANTS) + " |",
        "| --- | " + " | ".join("---" for _ in VARIANTS) + " |",
    ]
    for r in range(rounds):
        cells = []
        for v in VARIANTS:
            rows = [_hist(results, v, s)[r] for s in seeds]
            tag = " (retrain)" if rows[0]["kind"] == "retrain" else ""
            cells.append(_cell([x["pass_rate"] for x in rows]) + tag)
        lines.append(f"| {r} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Paired tests (final round; per seed, same held-out theorems)",
        "",
        "| comparison | per seed (pp) | mean ± sd (pp) | t | p (two-sided) | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
        *(_test_row(f"{v} − SFT", gains[v]) for v in VARIANTS),
        _test_row("full − no-filter (filtering)", vs_filter),
        _test_row("full − no-retrain (retraining)", vs_retrain),
        "",
        "## Reading",
        "",
        f"- {_verdict('Expert iteration (full) over its SFT model', gains['full'])} "
        f"The SFT baseline itself is {_cell(sft)} across seeds.",
        f"- {_verdict('Perplexity filtering', vs_filter)}",
        f"- {_verdict('Retraining from base', vs_retrain)}",
    ]
    lines += _data_table(results, seeds, rounds)
    lines += _scale_note(results, seeds, vs_filter, vs_retrain)
    lines += ["", "## Wall time per run (s)", ""]
    for v in VARIANTS:
        ts = [results["runs"][v][str(s)]["run_s"] for s in seeds]
        lines.append(f"- {v}: " + ", ".join(f"{t:.0f}" for t in ts))
    lines += ["", "Figure: `results/expert_iteration.png` (mean line, min–max band); numbers: "
              "`results/expert_iteration.json`."]  # fmt: skip
    return "\n".join(lines) + "\n"


def _band(f: dict[str, Any]) -> str:
    return f"[q{f['low_quantile']:g}, q{f['high_quantile']:g}]" if f["enabled"] else "off"


def _data_table(results: dict[str, Any], seeds: list[int], rounds: int) -> list[str]:
    lines = ["", "## Data per round (full variant, mean over seeds)", "",
             "| round | kind | pool theorems proved | tactics harvested | kept by the filter "
             "| retrain set (records, coverage) |",
             "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in range(rounds):
        rows = [_hist(results, "full", s)[r] for s in seeds]

        def mean(k: str, rows: list[dict[str, Any]] = rows) -> float:
            return statistics.fmean(float(x.get(k, 0)) for x in rows)

        rset = (f"{mean('retrain_records'):.0f}, {100 * mean('retrain_coverage'):.0f}%"
                if rows[0]["kind"] == "retrain" else "")  # fmt: skip
        lines.append(f"| {r} | {rows[0]['kind']} | {mean('pool_proved'):.0f} | "
                     f"{mean('harvested'):.0f} | {mean('kept'):.0f} | {rset} |")  # fmt: skip
    return lines


def _scale_note(
    results: dict[str, Any], seeds: list[int], vs_filter: Paired, vs_retrain: Paired
) -> list[str]:
    """What the numbers say about scale, when filtering or retraining shows no gain."""
    if vs_filter.p < ALPHA and vs_filter.mean > 0 and vs_retrain.p < ALPHA and vs_retrain.mean > 0:
        return []
    inner = [
        h["harvested"] for s in seeds for h in _hist(results, "full", s) if h["kind"] == "inner"
    ]
    per_round = statistics.fmean(inner) if inner else 0.0
    return [
        "",
        "## Scale",
        "",
        f"An inner round here harvests {per_round:.0f} tactics on average from a corpus of "
        f"{results['settings']['theorems']} theorems; the paper filters and retrains on "
        "millions of tactics, where the band's tails are mastered or noisy. This run measured "
        "one corpus size, so it does not show the size at which filtering or retraining "
        "starts to help; runs with a larger "
        "`--theorems` would.",
    ]
