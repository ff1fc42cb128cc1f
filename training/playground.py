"""The demo's playground: a folder where the trained model is used at once, as a user would.

`write_playground` puts beside the demo run a `leanstep.toml` (the stand-in REPL, the run's
`models/best` on the CPU, a wider search than the evaluation's) and an `Example.lean` of
held-out theorems, each with a `sorry`: some the best model proved in its evaluation and
`leanstep prove` proves again through the service, some it did not prove. It returns the next
steps to print. Only held-out theorems are used: the model never trained on them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
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
                f"evaluation and `leanstep prove` proved again just now "
                f"({', '.join(self.proved) or 'none'}), {len(self.unproved)} it did not prove "
                f"({', '.join(self.unproved) or 'none'}); each ends in `sorry`.",
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
        f"max_tokens = {cfg.evaluate.max_tokens}\n"
        "seed = 0  # the demo checked its proofs with this seed: `prove` finds them again\n\n"
        "[search]\n"
        f"width = {2 * search.width}\n"
        f"expansions = {2 * search.expansions}\n"
    )


Check = Callable[[Path, str, list[str]], list[str]]


def service_proves(folder: Path, text: str, names: list[str]) -> list[str]:
    """The theorems of `text` that `leanstep prove` proves with the folder's config now."""
    from prover_core.config import load_config
    from prover_core.service import build_service

    config = load_config(folder / "leanstep.toml")

    async def run() -> list[str]:
        service = build_service(config, cwd=folder)
        try:
            return [n for n in names if (await service.prove(text, theorem=n)).proved]
        finally:
            await service.aclose()

    return asyncio.run(run())


def _text(problems: list[Problem]) -> tuple[str, int]:
    """Example.lean's text and the 1-based line of its first `sorry`."""
    lines = [
        "-- leanstep demo: held-out theorems, never trained on. Fill a `sorry` with",
        "-- `leanstep prove Example.lean --theorem NAME --write`, or in VS Code.",
        "",
    ]
    for p in problems:
        lines += [f"{p.head} := by", "  sorry", ""]
    return "\n".join(lines), 5


def write_playground(
    folder: Path,
    cfg: TrainConfig,
    history: list[RoundRow],
    per_kind: int = 3,
    check: Check = service_proves,
) -> Playground:
    """`leanstep.toml` and `Example.lean` in `folder`. Proved: held-out theorems the best
    model proved in evaluation that `check` (`leanstep prove`'s own path) proves again,
    easiest first; unproved: the hardest it did not prove in evaluation."""
    best = cfg.run_dir / "models" / "best"
    rows = list(read_jsonl(cfg.run_dir / "eval" / history[-1].best / "results.jsonl"))
    by_name: dict[str, Problem] = {
        p.name: p for p in load_problems(cfg.problems.eval or cfg.problems.train)
    }
    proved = sorted((r for r in rows if r["proved"]), key=lambda r: r["difficulty"] or 0)
    failed = sorted((r for r in rows if not r["proved"]), key=lambda r: -(r["difficulty"] or 0))
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / "leanstep.toml", _config_toml(best.absolute(), cfg))
    candidates = [r["name"] for r in proved[: 3 * per_kind]]
    text, _ = _text([by_name[n] for n in candidates])
    again = check(folder, text, candidates)[:per_kind]
    unproved = [r["name"] for r in failed[:per_kind]]
    text, first = _text([by_name[n] for n in [*again, *unproved]])
    atomic_write_text(folder / EXAMPLE, text)
    return Playground(folder, again, unproved, first)
