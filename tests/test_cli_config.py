"""`leanstep init` and `leanstep config show`, run as a user runs them."""

from __future__ import annotations

import itertools
import json
import re
import sys
import tomllib
from pathlib import Path

from lsp_server.cli.config_text import sections
from prover_core.config import Config, LeanConfig, load_config
from prover_core.repl_setup import repl_problem, requires_repl
from tests.support.cli import leanstep


def described_fields(text: str) -> dict[str, str]:
    """Each `section.key = …` line (active or commented out) and the comment line above it."""
    out, section = {}, ""
    for above, line in itertools.pairwise(text.splitlines()):
        if m := re.match(r"^\[(\w+)\]$", line):
            section = m.group(1)
        elif m := re.match(r"^#? ?(\w+) =", line):
            out[f"{section}.{m.group(1)}"] = above
    return out


def test_init_standin_writes_a_commented_loadable_file(tmp_path: Path) -> None:
    done = leanstep("init", "--standin", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "leanstep.toml"
    text = path.read_text()
    cfg = load_config(path, environ={}, use_user_file=False)
    assert cfg.lean.repl_command == (sys.executable, "-m", "prover_core.propositional")
    assert cfg.search == Config().search  # only what init chose is active
    described = described_fields(text)
    for name, model in sections().items():
        assert f"[{name}]" in text
        for key, field in model.model_fields.items():
            described_as = "# " + " ".join((field.description or "").split())
            assert described[f"{name}.{key}"] == described_as, key


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "leanstep.toml").write_text("# mine\n")
    done = leanstep("init", "--standin", cwd=tmp_path)
    assert done.returncode == 2 and "never overwrites" in done.stderr
    assert (tmp_path / "leanstep.toml").read_text() == "# mine\n"


def test_init_in_a_lake_project_with_the_repl(tmp_path: Path) -> None:
    (tmp_path / "lakefile.lean").write_text(
        'import Lake\nopen Lake DSL\n\nrequire REPL from git "https://github.com/x/repl"\n'
    )
    done = leanstep("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cfg = load_config(tmp_path / "leanstep.toml", environ={}, use_user_file=False)
    assert cfg.lean.repl_command == ("lake", "exe", "repl")
    assert "add to" not in done.stdout


def test_init_says_what_to_add_when_the_repl_is_missing(tmp_path: Path) -> None:
    (tmp_path / "lakefile.toml").write_text('name = "mine"\n[[require]]\nname = "mathlib"\n')
    done = leanstep("init", cwd=tmp_path, env={"PATH": str(Path(sys.executable).parent)})
    assert done.returncode == 0, done.stderr
    assert "add to lakefile.toml" in done.stdout
    snippet = done.stdout[done.stdout.index("[[require]]") :].split("\n\n")[0]
    assert tomllib.loads(snippet.replace("<tag matching your lean-toolchain>", "v4"))["require"]
    cfg = load_config(tmp_path / "leanstep.toml", environ={}, use_user_file=False)
    assert cfg.lean.repl_command == ("lake", "exe", "repl")


def test_init_uses_a_repl_on_path(tmp_path: Path) -> None:
    (tmp_path / "lakefile.lean").write_text("import Lake\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    repl = bin_dir / "repl"
    repl.write_text("#!/bin/sh\n")
    repl.chmod(0o755)
    path = f"{bin_dir}:{Path(sys.executable).parent}"
    done = leanstep("init", cwd=tmp_path, env={"PATH": path})
    assert done.returncode == 0, done.stderr
    cfg = load_config(tmp_path / "leanstep.toml", environ={}, use_user_file=False)
    assert cfg.lean.repl_command == (str(repl),)


def test_init_with_a_model_and_an_endpoint(tmp_path: Path) -> None:
    model = tmp_path / "ckpt"
    model.mkdir()
    (model / "config.json").write_text("{}")
    local, served = tmp_path / "a", tmp_path / "b"
    local.mkdir()
    served.mkdir()
    assert leanstep("init", "a", "--standin", "--model", "ckpt", cwd=tmp_path).returncode == 0
    cfg = load_config(local / "leanstep.toml", environ={}, use_user_file=False)
    assert (cfg.policy.backend, cfg.policy.model) == ("hf", str(model))
    done = leanstep("init", "b", "--standin", "--endpoint", "http://h:8000/v1", "--model", "p",
                    cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cfg = load_config(served / "leanstep.toml", environ={}, use_user_file=False)
    assert (cfg.policy.backend, cfg.policy.endpoint, cfg.policy.model) == (
        "openai",
        "http://h:8000/v1",
        "p",
    )


def test_config_show_names_every_source(tmp_path: Path) -> None:
    sub = tmp_path / "src"
    user = sub / "no-user-config" / "leanstep"  # XDG_CONFIG_HOME, set by `leanstep()`
    user.mkdir(parents=True)
    (user / "leanstep.toml").write_text("[search]\nexpansions = 9\nwidth = 2\n")
    (tmp_path / "leanstep.toml").write_text("[search]\nwidth = 3\n[lean]\ntimeout_s = 5\n")
    env = {"LEANSTEP_LEAN__TIMEOUT_S": "7"}
    done = leanstep("config", "show", "--backend", "openai", "--json", cwd=sub, env=env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    settings = shown["settings"]
    assert shown["files"]["project"] == str(tmp_path / "leanstep.toml")
    assert settings["search.expansions"] == {
        "value": 9,
        "source": "user file",
        "where": str(user / "leanstep.toml"),
    }
    assert settings["search.width"]["value"] == 3
    assert settings["search.width"]["source"] == "project file"
    assert settings["lean.timeout_s"] == {
        "value": 7.0,
        "source": "environment",
        "where": "LEANSTEP_LEAN__TIMEOUT_S",
    }
    assert settings["policy.backend"] == {"value": "openai", "source": "flag", "where": "--backend"}
    assert settings["planner.agents"] == {"value": 4, "source": "default", "where": None}
    assert set(settings) == {f"{s}.{k}" for s, m in sections().items() for k in m.model_fields}
    text = leanstep("config", "show", cwd=sub, env=env).stdout
    assert re.search(r"^environment:LEANSTEP_LEAN__TIMEOUT_S +lean\.timeout_s = 7\.0$", text, re.M)
    assert re.search(r"^default +planner\.endpoint = \(unset\)$", text, re.M)


def test_repl_checks_read_the_lakefile(tmp_path: Path) -> None:
    lean = tmp_path / "lakefile.lean"
    lean.write_text('import Lake\nrequire mathlib from git "u"\n')
    assert not requires_repl(lean, tmp_path)
    problem = repl_problem(LeanConfig(project_dir=tmp_path), tmp_path)
    assert problem is not None and "not a dependency" in problem
    lean.write_text("import Lake\nlean_exe repl where\n  root := `REPL.Main\n")
    assert requires_repl(lean, tmp_path)  # the REPL's own repository
    lean.unlink()
    toml = tmp_path / "lakefile.toml"
    toml.write_text('[[require]]\nname = "REPL"\ngit = "u"\n')
    assert requires_repl(toml, tmp_path)
    assert repl_problem(LeanConfig(project_dir=tmp_path, repl_command=("true",)), tmp_path) is None
    missing = repl_problem(LeanConfig(repl_command=("no-such-repl-here",)), tmp_path)
    assert missing == "lean.repl_command: 'no-such-repl-here' is not on PATH"


def test_init_below_a_project_names_its_root(tmp_path: Path) -> None:
    (tmp_path / "lakefile.toml").write_text('name = "mine"\n')
    (tmp_path / "Mine").mkdir()
    done = leanstep("init", "Mine", cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / "Mine" / "leanstep.toml").exists()
    assert f"run it in {tmp_path}, or give --standin (Mine)" in done.stderr
