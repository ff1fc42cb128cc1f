"""Every CLI failure is one line, `leanstep: <what> (<where it came from>)`, exit status 2, and
no traceback (issue #14). A table of bad inputs, each run as a user runs it (a subprocess)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from lsp_server.cli.edge import run_app
from prover_core.errors import ConfigError
from tests.support.cli import leanstep
from tests.support.standin import STANDIN

PROVED = "theorem t (p : Prop) (hp : p) : p := by\n  exact hp\n"
OPEN = "theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n"
OPENAI = ["--backend", "openai", "--endpoint", "http://127.0.0.1:9/v1", "--model", "m"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A stand-in project with every kind of bad file the table needs."""
    repl = ", ".join(f'"{c}"' for c in STANDIN)
    (tmp_path / "leanstep.toml").write_text(f"[lean]\nrepl_command = [{repl}]\n")
    (tmp_path / "ok.lean").write_text(PROVED + "\n" + OPEN)
    (tmp_path / "bom.lean").write_bytes(b"\xef\xbb\xbf" + PROVED.encode())
    (tmp_path / "latin1.lean").write_bytes(b"theorem caf\xe9 : True := by trivial\n")
    (tmp_path / "dir.lean").mkdir()
    ro = tmp_path / "ro.lean"
    ro.write_text(OPEN)
    ro.chmod(0o444)
    (tmp_path / "model-file").write_text("not a model")
    (tmp_path / "model-empty").mkdir()
    (tmp_path / "empty").mkdir()
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "bad.toml").write_text("[lean\n")
    (cfg / "latin1.toml").write_bytes(b'[planner]\nmodel = "caf\xe9"\n')
    (cfg / "dir.toml").mkdir()
    (cfg / "unknown.toml").write_text("[search]\nexpansion = 3\n")
    (cfg / "badvalue.toml").write_text("[search]\nwidth = -1\n")
    (cfg / "bom.toml").write_bytes(b"\xef\xbb\xbf[search]\nwidth = 3\n")
    (cfg / "train-missing.toml").write_text(
        'run_dir = "run"\nbase_model = "base"\nseed_data = ["s.jsonl"]\n'
        '[problems]\ntrain = "minif2f"\n'
    )
    (cfg / "train-bad.toml").write_text(
        'run_dir = "run"\nbase_model = "base"\n[problems]\ntrain = "c.jsonl"\n[loop]\nroundz = 2\n'
    )
    return tmp_path


SUGGEST = ["suggest", "ok.lean", "--line", "2", "--col", "2"]

# (id, args, environment, the one line expected on stderr)
CASES: list[tuple[str, list[str], dict[str, str], str]] = [
    ("missing file", ["verify", "nope.lean", "--theorem", "t"], {},
     r"no such file \(nope\.lean\)"),
    ("directory file", ["verify", "dir.lean", "--theorem", "t"], {},
     r"is a directory, not a file \(dir\.lean\)"),
    ("unreadable file", ["screen", "/proc/self/mem"], {},
     r"cannot read: .+ \(/proc/self/mem\)"),
    ("non-UTF-8 Lean file", ["verify", "latin1.lean", "--theorem", "t"], {},
     r"not UTF-8 text: byte 0xe9 at line 1, byte 12 \(latin1\.lean\)"),
    ("bad TOML", ["config", "show", "--config", "cfg/bad.toml"], {},
     r"not valid TOML: .+ \(cfg/bad\.toml\)"),
    ("non-UTF-8 TOML", ["config", "show", "--config", "cfg/latin1.toml"], {},
     r"not UTF-8 text: byte 0xe9 at line 2, byte 13 \(cfg/latin1\.toml\)"),
    ("TOML is a directory", ["config", "show", "--config", "cfg/dir.toml"], {},
     r"is a directory, not a file \(cfg/dir\.toml\)"),
    ("missing --config", ["config", "show", "--config", "cfg/nope.toml"], {},
     r"no such file \(cfg/nope\.toml\)"),
    ("unknown key", ["config", "show", "--config", "cfg/unknown.toml"], {},
     r"search\.expansion: unknown key \(cfg/unknown\.toml\)"),
    ("bad value", ["suggest", "ok.lean", "--line", "2", "--col", "2", "--config",
                   "cfg/badvalue.toml"], {},
     r"search\.width: Input should be greater than 0 \(cfg/badvalue\.toml\)"),
    ("bad env value", ["config", "show"], {"LEANSTEP_LEAN__TIMEOUT_S": "soon"},
     r"lean\.timeout_s: Input should be a valid number.* \(LEANSTEP_LEAN__TIMEOUT_S\)"),
    ("unknown env key", SUGGEST, {"LEANSTEP_SEARCH__WIDHT": "3"},
     r"search\.widht: unknown key \(LEANSTEP_SEARCH__WIDHT\)"),
    ("unknown env section", ["config", "show"], {"LEANSTEP_NOPE__X": "1"},
     r"unknown config section 'nope' \(LEANSTEP_NOPE__X\)"),
    ("bad --backend", [*SUGGEST, "--backend", "gpt"], {},
     r"policy\.backend: Input should be 'hf', 'vllm' or 'openai' \(--backend\)"),
    ("unknown flag", ["suggest", "--frob"], {}, r"No such option: --frob \(leanstep suggest\)"),
    ("bad flag value", ["suggest", "ok.lean", "--line", "0", "--col", "0"], {},
     r"Invalid value for '--line': .+ \(leanstep suggest\)"),
    ("missing flag", ["verify", "ok.lean"], {},
     r"Missing option '--theorem'\. \(leanstep verify\)"),
    ("unknown command", ["frobnicate"], {}, r"No such command 'frobnicate'\. \(leanstep\)"),
    ("no model", SUGGEST, {},
     r"the hf backend needs a model: give --model DIR or set policy\.model \(default settings\)"),
    ("nonexistent --model", [*SUGGEST, "--model", "/nonexistent/model"], {},
     r"policy\.model: no such directory: /nonexistent/model \(--model\)"),
    ("file --model", [*SUGGEST, "--model", "model-file"], {},
     r"policy\.model: model-file is a file, not a checkpoint directory \(--model\)"),
    ("directory --model", ["prove", "ok.lean", "--theorem", "u", "--model", "model-empty"], {},
     r"policy\.model: model-empty is not a checkpoint directory \(no config\.json\) \(--model\)"),
    ("model from env", ["sketch", "ok.lean", "--theorem", "u"],
     {"LEANSTEP_POLICY__MODEL": "/nonexistent/m"},
     r"policy\.model: no such directory: /nonexistent/m \(LEANSTEP_POLICY__MODEL\)"),
    ("openai without endpoint", [*SUGGEST, "--backend", "openai"], {},
     r"the openai backend needs policy\.endpoint and policy\.model .+ \(--backend\)"),
    ("-n above the cap", [*SUGGEST, "-n", "1000000000", *OPENAI], {},
     r"-n 1000000000 is above search\.max_suggestions = 64 \(-n\)"),
    ("read-only --write target", ["prove", "ro.lean", "--theorem", "u", "--write", *OPENAI], {},
     r"read-only file: nothing will be written to it \(ro\.lean\)"),
    ("missing training config", ["train", "nope.toml"], {}, r"no such file \(nope\.toml\)"),
    ("training config naming nothing", ["train", "cfg/train-missing.toml"], {},
     r"base_model: no such directory: .+; seed_data: no such file: .+ \(cfg/train-missing\.toml\)"),
    ("eval nonexistent --model", ["eval", "--model", "/nonexistent/m", "--problems", "minif2f",
                                  "--out", "e"], {},
     r"model: no such directory: /nonexistent/m \(--model\)"),
    ("eval file --model", ["eval", "--model", "model-file", "--problems", "minif2f",
                           "--out", "e"], {},
     r"model: model-file is a file, not a checkpoint directory \(--model\)"),
    ("bad training config", ["train", "cfg/train-bad.toml", "--check"], {},
     r"loop\.roundz: unknown key \(cfg/train-bad\.toml\)"),
    ("init over a file", ["init", "--standin"], {},
     r"exists already; leanstep init never overwrites a file \(leanstep\.toml\)"),
    ("init outside a project", ["init", "empty"], {},
     r"no lakefile\.lean or lakefile\.toml here: run it in .+, or give --standin \(empty\)"),
    ("init --endpoint without --model", ["init", "empty", "--standin", "--endpoint", "http://x"],
     {}, r"--endpoint needs --model NAME .+ \(--endpoint\)"),
    ("init nonexistent --model", ["init", "empty", "--standin", "--model", "/nonexistent/m"],
     {}, r"policy\.model: no such directory: .+ \(--model\)"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "env", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line(
    project: Path, args: list[str], env: dict[str, str], line: str
) -> None:
    done = leanstep(*args, cwd=project, env=env)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert re.fullmatch(f"leanstep: {line}", lines[0]), lines[0]


def test_bad_env_value_is_not_blamed_on_the_file(project: Path) -> None:
    done = leanstep("config", "show", cwd=project, env={"LEANSTEP_SEARCH__WIDTH": "0"})
    assert done.returncode == 2 and "leanstep.toml" not in done.stderr
    assert done.stderr.rstrip().endswith("(LEANSTEP_SEARCH__WIDTH)")


def test_refused_write_leaves_the_file_alone(project: Path) -> None:
    before = (project / "ro.lean").read_bytes()
    leanstep("prove", "ro.lean", "--theorem", "u", "--write", *OPENAI, cwd=project)
    assert (project / "ro.lean").read_bytes() == before
    assert not (project / "ro.lean.bak").exists()


def test_a_bom_is_read_past(project: Path) -> None:
    done = leanstep("verify", "bom.lean", "--theorem", "t", cwd=project)
    assert done.returncode == 0, done.stderr
    assert '"ok": true' in done.stdout
    shown = leanstep("config", "show", "--config", "cfg/bom.toml", cwd=project)
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"project file:cfg/bom\.toml +search\.width = 3", shown.stdout)


def test_a_real_bug_keeps_its_traceback() -> None:
    app = typer.Typer()

    @app.command()
    def boom() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run_app(app, [])


def test_a_multi_line_error_is_printed_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    app = typer.Typer()

    @app.command()
    def fail() -> None:
        raise ConfigError("first\nsecond", "here")

    assert run_app(app, []) == 2
    assert capsys.readouterr().err == "leanstep: first; second (here)\n"
