"""Multi-stage expert iteration (ALGORITHMS.md): SFT, inner rounds, retraining on plateau.

Stage 0 fine-tunes the base model on the seed data. Each inner round searches the unsolved
pool with the current model, harvests the tactics on proof paths, keeps the middle
perplexity band, fine-tunes the current model, and evaluates on the held-out split. When the
pass rate has not gained `plateau_delta` over the best for `plateau_patience` rounds, a
retraining round re-proves every solved problem with the best model, keeps the shortest
proof per problem, filters with the tighter band and trains from the base checkpoint (a
fresh LoRA adapter) on that set alone.

Every step goes through the run directory's journal (`RunDir.step`), and the loop decides
only from journal results: a resumed run takes the same path and writes the same data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.config import FilterConfig, FinetuneConfig, TrainConfig
from training.evaluate import evaluate, write_report
from training.filter import band_filter, plot_histogram, score_records
from training.finetune import finetune
from training.generate import Attempt, summarize_attempts
from training.lockstep import derive_seed
from training.plots import plot_pass_rate
from training.problems import Problem, load_problems
from training.records import (
    Record,
    atomic_write_jsonl,
    atomic_write_text,
    dedup,
    file_sha256,
    read_jsonl,
    read_records,
    write_records,
)
from training.rundir import Result, RunDir
from training.session import Engine, load_policy, open_prover, prove_all


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
    history: list[dict[str, Any]] = field(default_factory=list)


class ExpertIteration:
    def __init__(self, cfg: TrainConfig, *, resume: bool, ray_address: str | None = None) -> None:
        self.cfg = cfg
        self.run = RunDir(cfg.run_dir)
        self.engine = Engine.of(cfg)
        self.ray_address = ray_address
        self.train_problems = load_problems(
            cfg.problems.train, cfg.problems.train_split, cfg.problems.limit
        )
        self.eval_problems = load_problems(
            cfg.problems.eval or cfg.problems.train, cfg.problems.eval_split
        )
        data_files = [*cfg.seed_data]
        for source in (cfg.problems.train, cfg.problems.eval):
            if source is not None and Path(source).is_file():
                data_files.append(Path(source))
        self.run.open(cfg, data_files, resume)
        self.state = LoopState()

    # --- the loop ---------------------------------------------------------------------------
    def run_all(self) -> list[dict[str, Any]]:
        cfg, st = self.cfg, self.state
        seed = self.run.step("seed-data", self._seed_data)
        self._add_proofs(seed)
        self.run.step("sft", lambda: self._tune("sft", cfg.base_model, [], cfg.sft, 0, fresh=True))
        self._after_eval(0, "sft", "sft", self.run.step("eval/sft", lambda: self._eval("sft")))
        loop = cfg.loop
        for r in range(1, loop.rounds + 1):
            due = st.since_gain >= loop.plateau_patience or r in loop.retrain_rounds
            if due and st.retrains < loop.max_retrains:
                self._retrain_round(r)
            else:
                self._inner_round(r)
        self._write_summary()
        self.run.close()
        return st.history

    def _inner_round(self, r: int) -> None:
        cfg, st = self.cfg, self.state
        name = f"r{r:03d}"
        pool = [p for p in self.train_problems if p.name not in st.solved]
        gen = self.run.step(f"{name}/generate", lambda: self._generate(r, pool, st.current))
        self._add_proofs(gen)
        harvest = self.run.round_dir(r) / "harvest.jsonl"
        kept = self.run.step(
            f"{name}/filter", lambda: self._filter(r, harvest, st.current, cfg.filter)
        )
        if kept["kept"]:
            st.data_files.append(kept["file"])
            self.run.step(
                f"{name}/finetune",
                lambda: self._tune(
                    name, self.run.model(st.current), st.data_files, cfg.finetune, r
                ),
            )
            model = name
        else:
            model = st.current  # nothing new to learn: the model carries over
        ev = self.run.step(f"{name}/eval", lambda: self._eval(model))
        self._after_eval(r, "inner", model, ev, gen["proved"], kept)

    def _retrain_round(self, r: int) -> None:
        cfg, st = self.cfg, self.state
        name = f"r{r:03d}-retrain"
        solved = [p for p in self.train_problems if p.name in st.solved]
        gen = self.run.step(f"{name}/reprove", lambda: self._reprove(r, solved))
        kept = self.run.step(
            f"{name}/filter",
            lambda: self._filter(r, self._abs(gen["file"]), st.best, cfg.loop.retrain_filter),
        )
        model = st.current
        if kept["kept"]:  # nothing solved yet: nothing to retrain on, the model carries over
            st.data_files = [kept["file"]]
            start = cfg.base_model if cfg.loop.retrain_from == "base" else self.run.model("sft")
            self.run.step(
                f"{name}/finetune",
                lambda: self._tune(
                    name, start, st.data_files, cfg.sft, r, fresh=True, with_seed=False
                ),
            )
            model = name
        ev = self.run.step(f"{name}/eval", lambda: self._eval(model))
        st.retrains += 1
        st.since_gain = 0
        self._after_eval(r, "retrain", model, ev, gen["proved"], kept)

    def _after_eval(
        self,
        r: int,
        kind: str,
        model: str,
        ev: Result,
        proved: int = 0,
        kept: Result | None = None,
    ) -> None:
        st, loop = self.state, self.cfg.loop
        rate = float(ev["pass_rate"])
        st.current = model
        if kind == "sft" or rate >= st.best_rate + loop.plateau_delta:
            st.best, st.best_rate = model, max(rate, st.best_rate)
            st.since_gain = 0
        elif kind != "retrain":
            st.since_gain += 1
        if kind == "retrain" and rate > st.best_rate:
            st.best, st.best_rate = model, rate
        row = {
            "round": r,
            "kind": kind,
            "model": model,
            "pass_rate": rate,
            "proved_eval": ev["proved"],
            "eval_problems": ev["problems"],
            "pool_proved": proved,
            "harvested": (kept or {}).get("harvested", 0),
            "kept": (kept or {}).get("kept", 0),
            "solved_total": len(st.solved),
        }
        st.history.append(row)
        for key in ("pass_rate", "pool_proved", "kept", "solved_total"):
            self.run.scalar(f"round/{key}", float(row[key]), r)
        atomic_write_jsonl(self.run.root / "metrics.jsonl", st.history)
        plot_pass_rate(st.history, self.run.root / "pass_rate.png", "held-out pass rate per round")

    # --- steps ------------------------------------------------------------------------------
    def _add_proofs(self, step: Result) -> None:
        self.state.proof_files.append(step["proof_file"])
        for theorem, length in step["solved"].items():
            old = self.state.solved.get(theorem)
            self.state.solved[theorem] = length if old is None else min(old, length)

    def _seed_data(self) -> Result:
        raw = [r for p in self.cfg.seed_data for r in read_records(p)]
        records = list(dedup(raw))
        write_records(self.run.root / "data" / "seed.jsonl", records)
        names = {p.name for p in self.train_problems}
        proofs: dict[str, list[Record]] = {}
        for rec in raw:  # before dedup: each proof whole
            if rec.theorem in names:
                proofs.setdefault(rec.theorem, []).append(rec)
        return {"records": len(records), **self._write_proofs(self.run.root / "data", proofs)}

    def _write_proofs(self, folder: Path, proofs: dict[str, list[Record]]) -> Result:
        """`proofs.jsonl` (one row per proved theorem: its proof's records, root first)."""
        path = folder / "proofs.jsonl"
        rows = ({"theorem": t, "records": [r.to_json() for r in rs]} for t, rs in proofs.items())
        atomic_write_jsonl(path, rows)
        solved = {t: len(rs) for t, rs in proofs.items()}
        return {"proof_file": self._rel(path), "solved": solved}

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
        seed = [self.run.root / "data" / "seed.jsonl"] if with_seed else []
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
    ) -> Result:
        seed = self.cfg.loop.include_seed if with_seed is None else with_seed
        pairs = self._pairs(files, seed or name == "sft")
        result = finetune(
            start,
            self.run.model(name),
            pairs,
            config,
            base=self.cfg.base_model,
            seed=derive_seed(self.cfg.seed, "tune", name),
            device=self.cfg.device,
            template=self.cfg.prompt_template,
            fresh_adapter=fresh,
            log=lambda tag, v, s: self.run.scalar(f"{name}/{tag}", v, s),
            desc=f"tune {name}",
        )
        return {**result.to_json(), "round": r, "pairs": len(pairs)}

    def _eval(self, model: str) -> Result:
        cfg = self.cfg
        out = self.run.root / "eval" / model
        t0 = time.perf_counter()

        async def go() -> Any:
            async with open_prover(
                self.run.model(model), self.engine, cfg.evaluate, cfg.lean,
                ray_address=self.ray_address,
            ) as prover:  # fmt: skip
                return await evaluate(
                    prover,
                    self.eval_problems,
                    cfg.evaluate,
                    derive_seed(cfg.seed, "eval"),  # one seed for every model: comparable
                    out,
                    cfg.lean if cfg.verify else None,
                )

        rows = asyncio.run(go())
        return write_report(rows, cfg.evaluate, out, f"{model}: held-out evaluation",
                            time.perf_counter() - t0)  # fmt: skip

    def _search(
        self, r: int, problems: Sequence[Problem], model: str, sub: str
    ) -> list[list[Attempt]]:
        out = self.run.round_dir(r) / sub
        return asyncio.run(
            prove_all(
                self.run.model(model),
                self.engine,
                problems,
                self.cfg.generate,
                self.cfg.lean,
                derive_seed(self.cfg.seed, sub, r),
                out,
                ray_address=self.ray_address,
                desc=f"{sub} r{r}",
            )
        )

    def _generate(self, r: int, pool: Sequence[Problem], model: str) -> Result:
        by_problem = self._search(r, pool, model, "generate")
        proofs: dict[str, list[Record]] = {}
        for attempts in by_problem:
            won = next((a for a in attempts if a.proved), None)
            if won is not None:
                proofs[won.problem] = won.records(model, r)
        harvest = self.run.round_dir(r) / "harvest.jsonl"
        write_records(harvest, dedup(x for recs in proofs.values() for x in recs))
        written = self._write_proofs(self.run.round_dir(r), proofs)
        return {**summarize_attempts(by_problem), **written}

    def _reprove(self, r: int, solved: Sequence[Problem]) -> Result:
        """Shortest known proof per solved problem, the best model's new one included."""
        st = self.state
        by_problem = self._search(r, solved, st.best, "reprove")
        known = self._shortest_proofs()
        records: list[Record] = []
        found = 0
        for p, attempts in zip(solved, by_problem, strict=True):
            won = next((a for a in attempts if a.proved), None)
            found += won is not None
            old = known[p.name]
            if won is not None and len(won.path) < len(old):
                records.extend(won.records(st.best, r, "reprove"))
            else:
                records.extend(old)
        path = self.run.round_dir(r) / "reproved.jsonl"
        write_records(path, dedup(records))
        return {"file": self._rel(path), "proved": found, "records": len(records)}

    def _filter(self, r: int, src: Path, model: str, fc: FilterConfig) -> Result:
        records = list(read_records(src)) if src.exists() else []
        out = src.with_name(src.stem + "-kept.jsonl")
        if not records:
            write_records(out, [])
            return {"file": self._rel(out), "harvested": 0, "kept": 0}

        async def score() -> list[Record]:
            policy = load_policy(self.run.model(model), self.engine)
            try:
                return await score_records(policy, records)
            finally:
                await policy.aclose()

        scored = asyncio.run(score())
        result = band_filter(scored, fc)
        write_records(out, result.kept)
        write_records(src.with_name(src.stem + "-scored.jsonl"), scored)
        ppls = [x.ppl for x in scored if x.ppl is not None]
        plot_histogram(ppls, result, src.with_name(src.stem + "-ppl.png"),
                       f"round {r}: tactic perplexity ({len(ppls)} tactics)")  # fmt: skip
        return {"file": self._rel(out), "harvested": len(records), **result.to_json(),
                "sha256": file_sha256(out)}  # fmt: skip

    # --- summary ----------------------------------------------------------------------------
    def _write_summary(self) -> None:
        st = self.state
        lines = [
            f"# Expert-iteration run `{self.cfg.run_dir.name}`",
            "",
            f"Base model `{self.cfg.base_model}`; {len(self.train_problems)} problems to prove, "
            f"{len(self.eval_problems)} held out; eval budget {self.cfg.evaluate.notation}.",
            "",
            "| round | kind | model | held-out pass rate | pool proved | harvested | kept "
            "| solved |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for h in st.history:
            lines.append(
                f"| {h['round']} | {h['kind']} | {h['model']} | {100 * h['pass_rate']:.1f}% "
                f"({h['proved_eval']}/{h['eval_problems']}) | {h['pool_proved']} | "
                f"{h['harvested']} | {h['kept']} | {h['solved_total']} |"
            )
        lines += [
            "",
            f"Best model: `{st.best}` ({100 * st.best_rate:.1f}%).",
            "Figures: `pass_rate.png`, `rounds/*/*-ppl.png`; TensorBoard logs in `tb/`.",
        ]
        atomic_write_text(self.run.root / "summary.md", "\n".join(lines) + "\n")


def train(
    cfg: TrainConfig, *, resume: bool = False, ray_address: str | None = None
) -> list[dict[str, Any]]:
    return ExpertIteration(cfg, resume=resume, ray_address=ray_address).run_all()


def load_history(run_dir: Path) -> list[dict[str, Any]]:
    return list(read_jsonl(run_dir / "metrics.jsonl"))
