"""The demo's playground: a config the CLI loads (stand-in REPL, models/best) and an
Example.lean of held-out theorems with sorries, some proved by the model, some not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from prover_core.config import load_config
from training.config import ProblemsConfig, TrainConfig
from training.demo import STANDIN
from training.playground import write_playground
from training.problems import load_problems
from training.results import RoundRow


def test_playground_points_the_cli_at_the_best_model(corpus: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    held_out = load_problems(corpus, "test")[:5]
    rows = [
        {"name": p.name, "proved": i < 2, "difficulty": p.difficulty}
        for i, p in enumerate(held_out)
    ]
    (run / "eval" / "r002").mkdir(parents=True)
    (run / "eval" / "r002" / "results.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
    )
    cfg = TrainConfig(
        run_dir=run,
        base_model=tmp_path / "base",
        problems=ProblemsConfig(train=str(corpus), train_split="valid"),
        lean=STANDIN,
    )
    row = RoundRow(2, "inner", "r002", 0.4, 2, 5, 0, 0, 0, 0, best="r002")
    checked: list[list[str]] = []

    def check(folder: Path, text: str, names: list[str]) -> list[str]:
        assert (folder / "leanstep.toml").is_file()  # `leanstep prove` runs on this config
        assert all(f"theorem {n} " in text for n in names)
        checked.append(names)
        return names[1:]  # the first one is not proved again

    pg = write_playground(tmp_path / "pg", cfg, [row], check=check)

    config = load_config(tmp_path / "pg" / "leanstep.toml")
    assert config.lean.repl_command == (sys.executable, "-m", "prover_core.propositional")
    assert config.policy.model == str(run / "models" / "best")
    assert set(checked[0]) == {p.name for p in held_out[:2]}  # proved in evaluation
    assert pg.proved == checked[0][1:]
    assert set(pg.unproved) == {p.name for p in held_out[2:]}
    in_file = load_problems(tmp_path / "pg" / "Example.lean")  # every theorem ends in sorry
    assert [p.name for p in in_file] == [*pg.proved, *pg.unproved]
    lines = (tmp_path / "pg" / "Example.lean").read_text().splitlines()
    assert lines[pg.first_sorry_line - 1] == "  sorry"
    steps = pg.next_steps()
    assert f"--line {pg.first_sorry_line} --col 2" in steps
    assert f"leanstep prove Example.lean --theorem {pg.proved[0]} --write" in steps
    assert "code ." in steps
