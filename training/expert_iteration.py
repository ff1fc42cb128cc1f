"""Multi-stage expert iteration (ALGORITHMS.md): SFT, inner rounds, retraining on plateau.

Stage 0 fine-tunes the base model on the seed data (the SFT corpus). Each inner round
searches the unsolved pool with the current model, harvests the tactics on proof paths,
keeps the middle perplexity band, fine-tunes the current model (on this round's data or on
all kept since the last retraining: `loop.data_window`), and evaluates on the held-out set.
When the pass rate has not gained `plateau_delta` over the best for `plateau_patience`
rounds, a retraining round:
- re-solves every problem encountered so far (all training problems, solved or not) with
  the best model, under the generation budget;
- builds the retrain set: the shortest known proof per theorem (an SFT proof competes with
  the searches' ones) plus the whole SFT corpus;
- filters the proofs' records with `loop.retrain_filter`, a band strictly inside the inner one
  (validated), scored under the best model; the SFT corpus passes unfiltered, as it joins
  every inner fine-tune unfiltered (the base model has not learnt it: cutting its
  lowest-perplexity records, the commonest tactics, leaves a from-base model unable to open
  proofs);
- trains the *base* checkpoint on it (a fresh LoRA adapter under LoRA); the retrain set
  replaces the data accumulated by the inner rounds. Its size and coverage are logged.

Every step goes through the run directory's journal (`RunDir.step`), and the loop decides
only from journal results: a resumed run takes the same path and writes the same data.
After each evaluation `models/best` points at the best model so far (swapped atomically).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from training.config import FilterConfig, FinetuneConfig, TrainConfig
from training.evaluate import ProblemResult, evaluate, write_report
from training.filter import band_filter, plot_histogram, score_records
from training.finetune import export_merged, finetune, is_lora_checkpoint
from training.generate import Attempt, summarize_attempts
from training.lockstep import derive_seed
from training.plots import plot_pass_rate
from training.problems import Problem, check_held_out, load_problems
from training.records import (
    Record,
    Source,
    atomic_write_jsonl,
    dedup,
    file_sha256,
    read_jsonl,
    read_records,
    write_records,
)
from training.results import EvalSummary, Kept, ProofsFound, RetrainSet, RoundRow, Tuned
from training.rundir import RunDir
from training.serving import load_policy
from training.session import open_prover, prove_all
from training.summary import write_summary

log = logging.getLogger("leanstep.training")
SEED_FILE = "data/seed.jsonl"


@dataclass
class LoopState:
    """What the loop knows between rounds; rebuilt from journal results on resume."""

    current: str = "sft"
    best: str = "sft"
    best_rate: float = 0.0
    since_gain: int = 0
    retrains: int = 0
    data_files: list[str] = field(default_factory=list)  # kept records the next tune uses
    solved: dict[str, int] = field(default_factory=dict)  # theorem -> shortest proof length
    proof_files: list[str] = field(default_factory=list)  # rows: theorem + its records
    history: list[RoundRow] = field(default_factory=list)


class ExpertIteration:
    def __init__(self, cfg: TrainConfig, *, resume: bool, ray_address: str | None = None) -> None:
        self.cfg = cfg
        self.run = RunDir(cfg.run_dir)
        self.ray_address = ray_address
        self.train_problems = load_problems(
            cfg.problems.train, cfg.problems.train_split, cfg.problems.limit
        )
        eval_source = cfg.problems.eval or cfg.problems.train
        self.eval_problems = load_problems(eval_source, cfg.problems.eval_split)
        check_held_out(
            self.train_problems,
            self.eval_problems,
            f"problems.eval {eval_source!r} (split {cfg.problems.eval_split!r})",
        )
        data_files = [*cfg.seed_data]
        for source in (cfg.problems.train, cfg.problems.eval):
            if source is not None and Path(source).is_file():
                data_files.append(Path(source))
        self.run.open(cfg, data_files, resume)
        self.state = LoopState()

    # --- the loop ---------------------------------------------------------------------------
    def run_all(self) -> list[RoundRow]:
        cfg, st = self.cfg, self.state
        self._add_proofs(self.run.step("seed-data", ProofsFound, self._seed_data))
        self.run.step(
            "sft", Tuned, lambda: self._tune("sft", cfg.base_model, [], cfg.sft, 0, fresh=True)
        )
        self._after_eval(0, "sft", "sft", self.run.step("eval/sft", EvalSummary, self._eval_sft))
        loop = cfg.loop
        for r in range(1, loop.rounds + 1):
            due = st.since_gain >= loop.plateau_patience or r in loop.retrain_rounds
            if due and st.retrains < loop.max_retrains:
                self._retrain_round(r)
            else:
                self._inner_round(r)
        write_summary(
            self.run.root / "summary.md", self.cfg, len(self.train_problems),
            len(self.eval_problems), st.history,
        )  # fmt: skip
        self.run.close()
        return st.history

    def _eval_sft(self) -> EvalSummary:
        return self._eval("sft")

    def _inner_round(self, r: int) -> None:
        cfg, st = self.cfg, self.state
        name = f"r{r:03d}"
        pool = [p for p in self.train_problems if p.name not in st.solved]
        gen = self.run.step(
            f"{name}/generate", ProofsFound, lambda: self._generate(r, pool, st.current)
        )
        self._add_proofs(gen)
        harvest = self.run.round_dir(r) / "harvest.jsonl"
        kept = self.run.step(
            f"{name}/filter", Kept, lambda: self._filter(r, harvest, st.current, cfg.filter)
        )
        model = st.current  # nothing new to learn: the model carries over
        if kept.kept:
            window = st.data_files if cfg.loop.data_window == "cumulative" else []
            st.data_files = [*window, kept.file]
            start = self.run.model(st.current)
            self.run.step(
                f"{name}/finetune",
                Tuned,
                lambda: self._tune(name, start, st.data_files, cfg.finetune, r),
            )
            model = name
        ev = self.run.step(f"{name}/eval", EvalSummary, lambda: self._eval(model))
        self._after_eval(r, "inner", model, ev, gen.proved, kept)

    def _retrain_round(self, r: int) -> None:
        cfg, st = self.cfg, self.state
        name = f"r{r:03d}-retrain"
        gen = self.run.step(f"{name}/reprove", ProofsFound, lambda: self._reprove(r))
        self._add_proofs(gen)
        rset = self.run.step(f"{name}/retrain-set", RetrainSet, lambda: self._retrain_set(r))
        log.info(
            "retrain set r%d: %d records (%d from proofs, %d from the SFT corpus); "
            "%d of %d encountered theorems covered (%.0f%%)",
            r, rset.records, rset.proof_records, rset.corpus_records, rset.covered,
            rset.theorems, 100 * rset.coverage,
        )  # fmt: skip
        self.run.scalar("retrain/records", float(rset.records), r)
        self.run.scalar("retrain/coverage", rset.coverage, r)
        kept = self.run.step(
            f"{name}/filter",
            Kept,
            lambda: self._filter(
                r, self._abs(rset.file), st.best, cfg.loop.retrain_filter, self._corpus_pairs()
            ),
        )
        model = st.current
        if kept.kept:  # an empty set (nothing proved, no corpus): the model carries over
            st.data_files = [kept.file]  # replaces the inner rounds' data
            self.run.step(
                f"{name}/finetune",
                Tuned,
                lambda: self._tune(
                    name, cfg.base_model, st.data_files, cfg.sft, r, fresh=True, with_seed=False
                ),
            )
            model = name
        ev = self.run.step(f"{name}/eval", EvalSummary, lambda: self._eval(model))
        st.retrains += 1
        st.since_gain = 0
        self._after_eval(r, "retrain", model, ev, gen.proved, kept, rset)

    def _after_eval(
        self,
        r: int,
        kind: str,
        model: str,
        ev: EvalSummary,
        proved: int = 0,
        kept: Kept | None = None,
        rset: RetrainSet | None = None,
    ) -> None:
        st, loop = self.state, self.cfg.loop
        rate = ev.pass_rate
        st.current = model
        if kind == "sft" or rate >= st.best_rate + loop.plateau_delta:
            st.best, st.best_rate = model, max(rate, st.best_rate)
            st.since_gain = 0
        elif kind != "retrain":
            st.since_gain += 1
        if kind == "retrain" and rate > st.best_rate:
            st.best, st.best_rate = model, rate
        self._publish_best()
        row = RoundRow(
            round=r,
            kind=kind,
            model=model,
            pass_rate=rate,
            proved_eval=ev.proved,
            eval_problems=ev.problems,
            pool_proved=proved,
            harvested=kept.harvested if kept else 0,
            kept=kept.kept if kept else 0,
            solved_total=len(st.solved),
            best=st.best,
            retrain_records=rset.records if rset else 0,
            retrain_coverage=rset.coverage if rset else 0.0,
        )
        st.history.append(row)
        for key in ("pass_rate", "pool_proved", "kept", "solved_total"):
            self.run.scalar(f"round/{key}", float(getattr(row, key)), r)
        atomic_write_jsonl(self.run.root / "metrics.jsonl", (h.to_json() for h in st.history))
        plot_pass_rate(
            [h.to_json() for h in st.history],
            self.run.root / "pass_rate.png",
            "held-out pass rate per round",
        )

    def _publish_best(self) -> None:
        """`models/best` → the best checkpoint; a LoRA one as its merged weights, so the
        editor's backends (which load plain checkpoints) serve it as it is."""
        best = self.state.best
        target = self.run.model(best)
        if is_lora_checkpoint(target):
            merged = self.run.model(f"{best}-merged")
            if not merged.exists():
                export_merged(target, merged)
            target = merged
        self.run.set_best(target)

    # --- steps ------------------------------------------------------------------------------
    def _add_proofs(self, step: ProofsFound) -> None:
        self.state.proof_files.append(step.proof_file)
        for theorem, length in step.solved.items():
            old = self.state.solved.get(theorem)
            self.state.solved[theorem] = length if old is None else min(old, length)

    def _seed_data(self) -> ProofsFound:
        raw = [r for p in self.cfg.seed_data for r in read_records(p)]
        records = list(dedup(raw))
        write_records(self.run.root / SEED_FILE, records)
        names = {p.name for p in self.train_problems}
        proofs: dict[str, list[Record]] = {}
        for rec in raw:  # before dedup: each proof whole
            if rec.theorem in names:
                proofs.setdefault(rec.theorem, []).append(rec)
        path, solved = self._write_proofs(self.run.root / "data", proofs)
        return ProofsFound(proof_file=path, solved=solved, records=len(records))

    def _write_proofs(
        self, folder: Path, proofs: dict[str, list[Record]]
    ) -> tuple[str, dict[str, int]]:
        """`proofs.jsonl` (one row per proved theorem: its proof's records, root first)."""
        path = folder / "proofs.jsonl"
        rows = ({"theorem": t, "records": [r.to_json() for r in rs]} for t, rs in proofs.items())
        atomic_write_jsonl(path, rows)
        return self._rel(path), {t: len(rs) for t, rs in proofs.items()}

    def _rel(self, path: Path) -> str:
        """Journal paths are relative to the run directory (it may be moved)."""
        return str(path.relative_to(self.run.root))

    def _abs(self, rel: str) -> Path:
        return self.run.root / rel

    def _shortest_proofs(self) -> dict[str, list[Record]]:
        """Per theorem, the first of its shortest known proofs (files in the order found)."""
        best: dict[str, list[Record]] = {}
        for f in self.state.proof_files:
            for row in read_jsonl(self._abs(f)):
                recs = [Record.from_json(x) for x in row["records"]]
                if row["theorem"] not in best or len(recs) < len(best[row["theorem"]]):
                    best[row["theorem"]] = recs
        return best

    def _pairs(self, files: Sequence[str], with_seed: bool) -> list[tuple[str, str]]:
        seed = [self.run.root / SEED_FILE] if with_seed else []
        paths = [*seed, *map(self._abs, files)]
        return [(r.state, r.tactic) for r in dedup(x for p in paths for x in read_records(p))]

    def _tune(
        self,
        name: str,
        start: Path,
        files: Sequence[str],
        config: FinetuneConfig,
        r: int,
        *,
        fresh: bool = False,
        with_seed: bool | None = None,
    ) -> Tuned:
        seed = self.cfg.loop.include_seed if with_seed is None else with_seed
        pairs = self._pairs(files, seed or name == "sft")
        result = finetune(
            start,
            self.run.model(name),
            pairs,
            config,
            seed=derive_seed(self.cfg.seed, "tune", name),
            device=self.cfg.policy.device,
            template=self.cfg.policy.prompt_template,
            fresh_adapter=fresh,
            log=lambda tag, v, s: self.run.scalar(f"{name}/{tag}", v, s),
            desc=f"tune {name}",
        )
        return Tuned.from_json({**result.to_json(), "round": r, "pairs": len(pairs)})

    def _eval(self, model: str) -> EvalSummary:
        cfg = self.cfg
        out = self.run.root / "eval" / model
        verify = cfg.lean if cfg.verify_proofs else None
        t0 = time.perf_counter()

        async def go() -> list[ProblemResult]:
            async with open_prover(
                self.run.model(model), cfg.policy, cfg.evaluate, cfg.lean,
                ray_address=self.ray_address,
            ) as prover:  # fmt: skip
                # one seed for every model: comparable
                seed = derive_seed(cfg.seed, "eval")
                return await evaluate(prover, self.eval_problems, cfg.evaluate, seed, out, verify)

        rows = asyncio.run(go())
        title = f"{model}: held-out evaluation"
        wall = time.perf_counter() - t0
        return write_report(
            rows, cfg.evaluate, out, title, verified=verify is not None, wall_s=wall
        )

    def _search(
        self, r: int, problems: Sequence[Problem], model: str, sub: str
    ) -> list[list[Attempt]]:
        out = self.run.round_dir(r) / sub
        return asyncio.run(
            prove_all(
                self.run.model(model),
                self.cfg.policy,
                problems,
                self.cfg.generate,
                self.cfg.lean,
                derive_seed(self.cfg.seed, sub, r),
                out,
                ray_address=self.ray_address,
                desc=f"{sub} r{r}",
            )
        )

    def _found(
        self, r: int, problems: Sequence[Problem], model: str, sub: str
    ) -> tuple[ProofsFound, dict[str, list[Record]]]:
        by_problem = self._search(r, problems, model, sub)
        source: Source = "reprove" if sub == "reprove" else "search"
        proofs: dict[str, list[Record]] = {}
        for attempts in by_problem:
            won = next((a for a in attempts if a.proved), None)
            if won is not None:
                proofs[won.problem] = won.records(model, r, source)
        path, solved = self._write_proofs(self.run.round_dir(r) / sub, proofs)
        found = ProofsFound(proof_file=path, solved=solved, **summarize_attempts(by_problem))
        return found, proofs

    def _generate(self, r: int, pool: Sequence[Problem], model: str) -> ProofsFound:
        found, proofs = self._found(r, pool, model, "generate")
        harvest = self.run.round_dir(r) / "harvest.jsonl"
        write_records(harvest, dedup(x for recs in proofs.values() for x in recs))
        return found

    def _reprove(self, r: int) -> ProofsFound:
        """Every problem encountered so far, solved or not, searched by the best model."""
        return self._found(r, self.train_problems, self.state.best, "reprove")[0]

    def _corpus_pairs(self) -> set[tuple[str, str]]:
        return {(x.state, x.tactic) for x in read_records(self.run.root / SEED_FILE)}

    def _retrain_set(self, r: int) -> RetrainSet:
        """Shortest known proof per encountered theorem (its SFT proof among the candidates),
        then the whole SFT corpus (deduplicated: `corpus_records` counts the corpus records
        not already among the proofs')."""
        names = {p.name for p in self.train_problems}
        shortest = self._shortest_proofs()
        proof_records = [x for t, recs in shortest.items() if t in names for x in recs]
        in_proofs = {(x.state, x.tactic) for x in proof_records}
        corpus = [
            x
            for x in read_records(self.run.root / SEED_FILE)
            if (x.state, x.tactic) not in in_proofs
        ]
        path = self.run.round_dir(r) / "retrain-set.jsonl"
        n = write_records(path, dedup([*proof_records, *corpus]))
        return RetrainSet(
            file=self._rel(path),
            theorems=len(names),
            covered=len(names & shortest.keys()),
            proof_records=len(proof_records),
            corpus_records=len(corpus),
            records=n,
        )

    def _filter(
        self,
        r: int,
        src: Path,
        model: str,
        fc: FilterConfig,
        exempt: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    ) -> Kept:
        """The band over `src`'s records; those whose (state, tactic) is in `exempt` are kept
        as they are and take no part in the quantiles."""
        every = list(read_records(src)) if src.exists() else []
        fixed = [x for x in every if (x.state, x.tactic) in exempt]
        records = [x for x in every if (x.state, x.tactic) not in exempt]
        out = src.with_name(src.stem + "-kept.jsonl")
        if not records:
            write_records(out, fixed)
            return Kept(file=self._rel(out), harvested=len(every), kept=len(fixed))

        async def score() -> list[Record]:
            policy = load_policy(self.run.model(model), self.cfg.policy)
            try:
                return await score_records(policy, records)
            finally:
                await policy.aclose()

        scored = asyncio.run(score())
        result = band_filter(scored, fc)
        write_records(out, [*fixed, *result.kept])
        write_records(src.with_name(src.stem + "-scored.jsonl"), scored)
        ppls = [x.ppl for x in scored if x.ppl is not None]
        plot_histogram(ppls, result, src.with_name(src.stem + "-ppl.png"),
                       f"round {r}: tactic perplexity ({len(ppls)} tactics)")  # fmt: skip
        return Kept.from_json(
            {
                "file": self._rel(out),
                "harvested": len(every),
                **result.to_json(),
                "kept": len(fixed) + len(result.kept),
                "sha256": file_sha256(out),
            }
        )


def train(
    cfg: TrainConfig, *, resume: bool = False, ray_address: str | None = None
) -> list[RoundRow]:
    return ExpertIteration(cfg, resume=resume, ray_address=ray_address).run_all()
