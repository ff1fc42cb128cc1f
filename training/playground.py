"""The demo's playground: a folder where the trained model is used at once, as a user would.

`write_playground` puts beside the demo run a `leanstep.toml` (the stand-in REPL, the run's
`models/best` on the CPU) and an `Example.lean` of held-out theorems, each with a `sorry`:
some the best model proved in its evaluation, some it did not. It returns the next steps to
print. Only held-out theorems are used: the model never trained on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from training.config import TrainConfig
from training.problems import Problem, load_problems
from training.records import atomic_write_text, read_jsonl
from training.results import RoundRow

EXAMPLE = "Example.lean"


@dataclass(frozen=True)
class Playground:
    folder: Path
    proved: list[str]  # theorems the best model proved in evaluation
    unproved: list[str]
    first_sorry_line: int  # 1-based line of the first `sorry`

    def next_steps(self) -> str:
        target = self.proved[0] if self.proved else self.unproved[0]
        return "\n".join(
            [
                f"Your playground: {self.folder}",
                f"  {EXAMPLE}: {len(self.proved)} theorems the trained model proved in its "
                f"evaluation ({', '.join(self.proved) or 'none'}), {len(self.unproved)} it did "
                f"not ({', '.join(self.unproved) or 'none'}); each ends in `sorry`.",
                "  leanstep.toml: the stand-in REPL and the model at run/models/best.",
                "Next steps:",
                f"  cd {self.folder}",
                f"  leanstep suggest {EXAMPLE} --line {self.first_sorry_line} --col 2"
                "   # checked next tactics at the first sorry",
                f"  leanstep prove {EXAMPLE} --theorem {target} --write"
                "   # search, verify, write the proof (keeps a .bak)",
                "  code .   # VS Code with the leanstep extension (README: The VS Code extension)",
            ]
        )


def _config_toml(model: Path, cfg: TrainConfig) -> str:
    command = ", ".join(json.dumps(x) for x in cfg.lean.repl_command)
    search = cfg.evaluate.search
    return (
        "# leanstep demo playground: the propositional stand-in REPL and the demo's best model.\n"
        "[lean]\n"
        f"repl_command = [{command}]\n\n"
        "[policy]\n"
        'backend = "hf"\n'
        f"model = {json.dumps(str(model))}\n"
        f"device = {json.dumps(cfg.policy.device)}\n"
        f"temperature = {cfg.evaluate.temperature}\n"
        f"max_tokens = {cfg.evaluate.max_tokens}\n\n"
        "[search]\n"
        f"width = {search.width}\n"
        f"expansions = {search.expansions}\n"
    )


def write_playground(
    folder: Path, cfg: TrainConfig, history: list[RoundRow], per_kind: int = 3
) -> Playground:
    """`leanstep.toml` and `Example.lean` in `folder`; the best model's held-out results
    pick the theorems (easiest proved ones, hardest unproved ones)."""
    best = cfg.run_dir / "models" / "best"
    rows = list(read_jsonl(cfg.run_dir / "eval" / history[-1].best / "results.jsonl"))
    by_name: dict[str, Problem] = {
        p.name: p for p in load_problems(cfg.problems.eval or cfg.problems.train)
    }
    proved = sorted((r for r in rows if r["proved"]), key=lambda r: r["difficulty"] or 0)
    failed = sorted((r for r in rows if not r["proved"]), key=lambda r: -(r["difficulty"] or 0))
    chosen = [r["name"] for r in proved[:per_kind]], [r["name"] for r in failed[:per_kind]]
    lines = [
        "-- leanstep demo: held-out theorems, never trained on. Fill a `sorry` with",
        "-- `leanstep prove Example.lean --theorem NAME --write`, or in VS Code.",
        "",
    ]
    first = 0
    for name in [*chosen[0], *chosen[1]]:
        lines += [f"{by_name[name].head} := by", "  sorry", ""]
        first = first or len(lines) - 1
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / "leanstep.toml", _config_toml(best.absolute(), cfg))
    atomic_write_text(folder / EXAMPLE, "\n".join(lines))
    return Playground(folder, chosen[0], chosen[1], first)
