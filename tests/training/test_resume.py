"""`leanstep train` killed (SIGKILL) at random points and resumed ends with exactly the data
of an uninterrupted run with the same seed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = "import typer; from training.cli import register; app = typer.Typer(); register(app); app()"
TIMING = {"wall_s", "policy_s", "lean_s", "step_s", "seconds", "tokens_per_s", "search_wall_s"}
TIMING_PREFIX = ("search_s",)


def _config(tmp: Path, name: str, corpus: Path, seed_file: Path, model: Path) -> Path:
    py = json.dumps(sys.executable)
    text = f"""
run_dir = "{name}"
base_model = "{model}"
seed = 3
seed_data = ["{seed_file}"]

[problems]
train = "{corpus}"

[policy]
device = "cpu"
dtype = "float32"
max_batch = 64

[sft]
lr = 5e-3
epochs = 12
batch_size = 16

[finetune]
lr = 1e-3
epochs = 1
batch_size = 16

[generate]
max_tokens = 16
concurrency = 8

[generate.search]
width = 4
expansions = 12

[evaluate]
max_tokens = 12
concurrency = 16

[evaluate.search]
width = 3
expansions = 5

[loop]
rounds = 2
retrain_rounds = [2]
max_retrains = 1

[lean]
repl_command = [{py}, "-m", "prover_core.propositional"]
"""
    path = tmp / f"{name}.toml"
    path.write_text(text)
    return path


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "train", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _strip(x: Any) -> Any:
    if isinstance(x, dict):
        return {
            k: _strip(v)
            for k, v in x.items()
            if k not in TIMING and not k.startswith(TIMING_PREFIX)
        }
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def _data(run: Path) -> dict[str, Any]:
    """Every JSON(L) artifact of a run without timings, and the final weights' bytes."""
    out: dict[str, Any] = {}
    for p in sorted(run.rglob("*")):
        rel = str(p.relative_to(run))
        if p.name.startswith(".") or "tb" in p.relative_to(run).parts:
            continue
        if p.suffix == ".jsonl":
            out[rel] = [_strip(json.loads(line)) for line in p.read_text().splitlines()]
        elif p.name in ("steps.json", "summary.json"):
            out[rel] = _strip(json.loads(p.read_text()))
        elif p.name == "model.safetensors":
            out[rel] = p.read_bytes()
    return out


def _all_proofs_renamed(corpus: Path, out: Path) -> Path:
    """Reference-proof records of every training theorem under other names: the SFT model
    learns them, yet the theorems stay in the pool, so round 1 surely harvests proofs."""
    import asyncio
    from dataclasses import replace

    from tests.support.standin import standin_config
    from training.extract import corpus_records
    from training.problems import load_problems
    from training.records import write_records

    records = asyncio.run(corpus_records(load_problems(corpus, "valid"), standin_config()))
    write_records(out, (replace(r, theorem="ref:" + r.theorem) for r in records))
    return out


@pytest.mark.slow
def test_killed_and_resumed_run_equals_uninterrupted(
    corpus: Path, tiny_model: Path, tmp_path: Path
) -> None:
    seed_file = _all_proofs_renamed(corpus, tmp_path / "seed.jsonl")
    clean = _config(tmp_path, "clean", corpus, seed_file, tiny_model)
    t0 = time.monotonic()
    proc = _start([str(clean)], tmp_path)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err.decode()[-2000:]
    duration = time.monotonic() - t0

    killed = _config(tmp_path, "killed", corpus, seed_file, tiny_model)
    run = tmp_path / "killed"
    rng = random.Random(int(os.environ.get("LEANSTEP_TEST_SEED", "1")))
    kills = 0
    for _ in range(8):
        args = ["--resume", str(run)] if (run / "config.json").exists() else [str(killed)]
        proc = _start(args, tmp_path)
        if kills < 3:
            try:
                proc.wait(timeout=rng.uniform(3.0, max(4.0, 0.8 * duration)))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                kills += 1
                continue
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()[-2000:]
        break
    assert kills >= 1, "every run finished before its kill point"
    a, b = _data(tmp_path / "clean"), _data(run)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == b[key], key
    harvested = [v for k, v in a.items() if k.endswith("harvest.jsonl")]
    assert harvested and any(harvested), "no round found a proof: the test would prove little"
    assert json.loads((run / "steps.json").read_text()).keys() >= {"sft", "r001/generate"}
