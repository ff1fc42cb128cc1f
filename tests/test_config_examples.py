"""The example training configs in examples/ parse against the current schema; the stand-in
one passes `--check` and trains in its quick form."""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from prover_core.config import merge
from tests.support.cli import leanstep
from training.check_config import check
from training.config import load_train_config, parse_train_config, with_base_dir

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ALL = sorted(EXAMPLES.glob("*.toml"))
# The stand-in example made tiny: one round on a few problems, short training.
QUICK_FORM = {
    "problems": {"limit": 12},
    "sft": {"epochs": 3},
    "finetune": {"epochs": 2},
    "generate": {"search": {"expansions": 8}, "concurrency": 16},
    "evaluate": {"search": {"expansions": 8}, "concurrency": 16},
    "loop": {"rounds": 1, "retrain_rounds": []},
}


def test_the_three_examples_exist() -> None:
    assert {p.name for p in ALL} >= {"standin.toml", "gpu-7b.toml", "ray-cluster.toml"}


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_every_example_is_valid(path: Path) -> None:
    cfg = load_train_config(path)
    assert cfg.run_dir.is_absolute() and cfg.base_model.is_absolute()


def test_the_gpu_examples_follow_algorithms_md() -> None:
    for name in ("gpu-7b.toml", "ray-cluster.toml"):
        cfg = load_train_config(EXAMPLES / name)
        for stage in (cfg.generate, cfg.evaluate):
            search = stage.search
            assert (search.width, search.expansions, stage.temperature) == (4, 600, 1.3)
            assert (search.wall_time_s, search.tactic_timeout_s) == (600, 18)
        band, inner = cfg.filter, cfg.loop.retrain_filter
        assert 0.1 <= band.low_quantile <= 0.2 and band.high_quantile == 0.9
        assert band.low_quantile < inner.low_quantile < inner.high_quantile < band.high_quantile
        assert (cfg.policy.backend, cfg.policy.dtype) == ("vllm", "bfloat16")


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/standin.toml beside a small kit, as `leanstep corpus standin` writes it."""
    from training.demo import QUICK, prepare

    root = tmp_path_factory.mktemp("example")
    shutil.copy(EXAMPLES / "standin.toml", root / "standin.toml")
    prepare(root / "standin", 0, replace(QUICK, theorems=80))
    return root / "standin.toml"


@pytest.fixture
def python_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example's REPL is `python -m prover_core.propositional`: the venv's python."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.usefixtures("python_on_path")
def test_standin_example_passes_check(standin: Path) -> None:
    done = leanstep("train", str(standin), "--check", cwd=standin.parent)
    assert done.returncode == 0, done.stderr
    assert "valid; nothing was run" in done.stdout
    assert not (standin.parent / "standin" / "run").exists()


def test_check_names_what_is_missing(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "standin.toml", tmp_path / "standin.toml")
    problems, _ = check(load_train_config(tmp_path / "standin.toml"), tmp_path)
    text = "\n".join(problems)
    assert "base_model: no such directory" in text and "seed_data: no such file" in text
    assert "problems.train: no problem set" in text


@pytest.mark.usefixtures("python_on_path")
def test_standin_example_trains_in_quick_form(standin: Path) -> None:
    from training.expert_iteration import train

    data = merge(tomllib.loads(standin.read_text()), QUICK_FORM)
    cfg = with_base_dir(parse_train_config(data, str(standin)), standin.parent)
    history = train(cfg)
    assert [h.round for h in history] == [0, 1]
    assert (cfg.run_dir / "summary.md").is_file() and (cfg.run_dir / "models" / "best").is_dir()
