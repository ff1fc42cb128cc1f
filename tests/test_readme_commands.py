"""Every command the README shows runs as printed, in its quick form, on the stand-in.

The README's `sh` blocks are parsed; each command is matched (longest prefix) to a row of
`ROWS`, which says how it runs here: placeholders filled (`NAME`, `Foo.lean`, `minif2f` …),
sizes made quick, and anything dropped (with the reason). Commands that are not leanstep's
(npm, pip, VS Code) are listed in `NOT_OURS` with the reason; a README command in neither
table fails `test_every_readme_command_has_a_row`, so a new command cannot go untested.
The commands run in README order in one playground made by `make demo`'s command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from prover_core.config import STANDIN_COMMAND

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PY = [sys.executable, "-m", "lsp_server"]  # = the `leanstep` entry point, on this checkout


def readme_commands() -> list[str]:
    """Each command of the README's `sh` blocks (continuations joined, comments dropped)."""
    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                out.append(shlex.join(words))
    return out


def expand(words: list[str]) -> list[str]:
    """`[--opt x]` becomes `--opt x`; `a|b|c` takes `a`."""
    out = []
    for w in words:
        w = w.replace("[", "").replace("]", "")
        if w:
            out.append(w.split("|")[0] if "|" in w and not w.startswith("-") else w)
    return out


@dataclass
class Ctx:
    tmp: Path
    env: dict[str, str]
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def playground(self) -> Path:
        return self.tmp / "leanstep-demo"

    def proved(self, i: int) -> str:
        m = re.search(r"just now \(([^)]*)\)", self.outputs["demo"])
        assert m is not None, self.outputs["demo"][-2000:]
        return m.group(1).split(", ")[i]

    def run(self, argv: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> str:
        proc = subprocess.run(
            argv, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=1500
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode in ok, f"{shlex.join(argv)} → {proc.returncode}\n{out[-3000:]}"
        return proc.stdout


Runner = Callable[[Ctx, list[str]], None]


def _leanstep(words: list[str]) -> list[str]:
    assert words[0] == "leanstep"
    return [*PY, *words[1:]]


def _sub(words: list[str], table: dict[str, str]) -> list[str]:
    return [table.get(w, w) for w in words]


def make_demo(ctx: Ctx, words: list[str]) -> None:
    # `make demo` is `make setup` (the venv this test runs in) then this line of the Makefile
    assert "\t$(BIN)/leanstep demo --quick\n" in (ROOT / "Makefile").read_text()
    ctx.outputs["demo"] = ctx.run([*PY, "demo", "--quick"], ctx.tmp)
    assert (ctx.playground / "leanstep.toml").is_file()


def cd(ctx: Ctx, words: list[str]) -> None:
    assert (ctx.tmp / words[1]).is_dir()


def suggest(ctx: Ctx, words: list[str]) -> None:
    argv = _sub(expand(words), {"Foo.lean": "Example.lean", "12": "5", "4": "2"})
    out = ctx.run(_leanstep(argv), ctx.playground)
    if "--json" in argv:
        outcomes = [x["outcome"] for x in json.loads(out)["suggestions"]]
    else:
        outcomes = re.findall(r"^(proved|advanced|failed) ", out, re.M)
    assert {"proved", "advanced"} & set(outcomes), out  # a checked, usable suggestion


def prove(ctx: Ctx, words: list[str]) -> None:
    name = ctx.proved(0) if "NAME" in words else ctx.proved(1)
    argv = _sub(expand(words), {"NAME": name, "bar": name, "Foo.lean": "Example.lean"})
    before = (ctx.playground / "Example.lean").read_text()
    ctx.run(_leanstep(argv), ctx.playground)
    assert (ctx.playground / "Example.lean").read_text() != before  # a verified proof written
    ctx.outputs["written"] = name


def verify(ctx: Ctx, words: list[str]) -> None:
    argv = _sub(words, {"Foo.lean": "Example.lean", "bar": ctx.outputs["written"]})
    ctx.run(_leanstep(argv), ctx.playground)


def screen(ctx: Ctx, words: list[str]) -> None:
    (ctx.tmp / "proof.txt").write_text("intro h\nexact h\n")
    ctx.run(_leanstep(words), ctx.tmp)
    (ctx.tmp / "proof.txt").write_text("sorry\n")
    ctx.run(_leanstep(words), ctx.tmp, ok=(1,))


def serve(ctx: Ctx, words: list[str]) -> None:
    def frame(msg: dict[str, object]) -> bytes:
        body = json.dumps(msg).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}}}  # fmt: skip
    shutdown = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
    stdin = frame(init) + frame(shutdown) + frame({"jsonrpc": "2.0", "method": "exit"})
    proc = subprocess.run(
        _leanstep(words), input=stdin, cwd=ctx.playground, env=ctx.env, capture_output=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert b'"capabilities"' in proc.stdout and b'"id": 2' in proc.stdout.replace(
        b'"id":2', b'"id": 2'
    )


def extract(ctx: Ctx, words: list[str]) -> None:
    proj = ctx.tmp / "my-lean-project"
    proj.mkdir(exist_ok=True)
    (proj / "leanstep.toml").write_text((ctx.playground / "leanstep.toml").read_text())
    (proj / "A.lean").write_text(
        "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  exact hp\n"
        "  exact hq\n"
    )  # fmt: skip
    ctx.run(_leanstep(_sub(words, {"~/my-lean-project": str(proj)})), ctx.tmp)
    rows = (ctx.tmp / "pairs.jsonl").read_text().splitlines()
    assert [json.loads(r)["tactic"] for r in rows] == ["constructor", "exact hp", "exact hq"]


RUN_TOML = """run_dir = "{run_dir}"
base_model = "{pg}/base"
seed_data = ["{pg}/seed.jsonl"]
[problems]
train = "{pg}/corpus.jsonl"
limit = 12
[policy]
device = "cpu"
dtype = "float32"
[sft]
epochs = 1
[finetune]
epochs = 1
[generate]
max_tokens = 24
concurrency = 12
[generate.search]
width = 2
expansions = 4
[evaluate]
max_tokens = 24
concurrency = 64
[evaluate.search]
width = 2
expansions = 4
[loop]
rounds = 1
[lean]
repl_command = {repl}
"""


def _toml(data: dict[str, object], prefix: str = "") -> str:
    """`data` (tables of scalars and lists) as TOML text."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(_toml(value, f"{prefix}{key}."))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    head = f"[{prefix[:-1]}]\n" if prefix and lines else ""
    return head + "".join(f"{ln}\n" for ln in lines) + "".join(tables)


def train(ctx: Ctx, words: list[str]) -> None:
    if "--resume" in words:
        out = ctx.run(_leanstep(words), ctx.tmp)
        assert "round 1" in out
        ctx.outputs["resumed"] = words[-1]
        return
    if words[2] == "examples/standin.toml":  # quick form: the example's sizes made quick
        import tomllib

        from tests.test_config_examples import QUICK_FORM, merge

        example = ctx.tmp / "examples" / "standin.toml"
        data = merge(tomllib.loads(example.read_text()), QUICK_FORM)
        data["lean"]["repl_command"] = list(STANDIN_COMMAND)  # type: ignore[index]
        example.write_text(_toml(data))
        ctx.run(_leanstep(words), ctx.tmp)
        assert (ctx.tmp / "examples/standin/run/models/best").is_dir()
        return
    # run.toml: the README copies an example there; the quick form writes a stand-in one.
    # The command list's run is `runs/my-run` (resumed there); the training path's comes after.
    run_dir = "runs/prover-7b" if "resumed" in ctx.outputs else "runs/my-run"
    repl = json.dumps(list(STANDIN_COMMAND))
    (ctx.tmp / "run.toml").write_text(
        RUN_TOML.format(pg=ctx.playground, repl=repl, run_dir=run_dir)
    )
    # quick form: `--ray-address` dropped (Ray's start-up; tests/training/test_ray.py runs it)
    argv = words[: words.index("[--ray-address")] if "[--ray-address" in words else words
    out = ctx.run(_leanstep(argv), ctx.tmp)
    if "--check" in words:
        assert "nothing was run" in out
    else:
        assert (ctx.tmp / run_dir / "models/best").is_dir()


def evaluate(ctx: Ctx, words: list[str]) -> None:
    # on the stand-in: the folder's leanstep.toml names it (no config: real Lean's `lake`)
    (ctx.tmp / "leanstep.toml").write_text((ctx.playground / "leanstep.toml").read_text())
    corpus = str(ctx.playground / "corpus.jsonl")  # minif2f's place: a path to a JSONL set
    argv = _sub(expand(words), {"minif2f": corpus})
    # quick form: the planner option dropped (needs a chat model), 3 problems
    if "--planner" in argv:
        i = argv.index("--planner")
        argv = [*argv[:i], *argv[i + 2 :]]
    out = ctx.run(_leanstep([*argv, "--limit", "3"]), ctx.tmp)
    report = argv[argv.index("--out") + 1]
    assert "verified" in out and (ctx.tmp / report / "summary.json").is_file()


def corpus(ctx: Ctx, words: list[str]) -> None:
    argv = _sub(words, {"1000": "40"})  # quick form
    ctx.run(_leanstep(argv), ctx.tmp)
    assert len((ctx.tmp / "corpus.jsonl").read_text().splitlines()) == 40


def corpus_standin(ctx: Ctx, words: list[str]) -> None:
    examples = ctx.tmp / "examples"
    if not (examples / "standin.toml").exists():
        examples.mkdir(exist_ok=True)
        (examples / "standin.toml").write_text((ROOT / "examples/standin.toml").read_text())
    if not (examples / "standin" / "base").is_dir():
        ctx.run(_leanstep(words), ctx.tmp)
    assert (examples / "standin" / "corpus.jsonl").is_file()


def init(ctx: Ctx, words: list[str]) -> None:
    # quick form: the stand-in alternative (a model path or endpoint is checked in test_cli_config)
    folder = ctx.tmp / "init"
    folder.mkdir()
    ctx.run(_leanstep(["leanstep", "init", "--standin"]), folder)
    assert "prover_core.propositional" in (folder / "leanstep.toml").read_text()
    ctx.run(_leanstep(["leanstep", "init", "--standin"]), folder, ok=(2,))  # never overwrites


def config_show(ctx: Ctx, words: list[str]) -> None:
    argv = expand(words[: words.index("|")] if "|" in words else words)
    out = ctx.run(_leanstep(argv), ctx.playground)
    if "--json" in argv:
        assert json.loads(out)
    assert "policy.model" in out


def demo(ctx: Ctx, words: list[str]) -> None:
    # `leanstep demo [--quick]`: the quick form is exactly `make demo`'s command, run above
    assert "held-out pass rate per round" in ctx.outputs["demo"]


ROWS: dict[str, Runner] = {
    "make demo": make_demo,
    "cd leanstep-demo": cd,
    "leanstep suggest": suggest,
    "leanstep prove": prove,
    "leanstep verify": verify,
    "leanstep screen": screen,
    "leanstep serve": serve,
    "leanstep extract": extract,
    "leanstep train": train,
    "leanstep eval": evaluate,
    "leanstep corpus propositional": corpus,
    "leanstep corpus standin": corpus_standin,
    "leanstep init": init,
    "leanstep config show": config_show,
    "leanstep demo": demo,
}
NOT_OURS = {
    "make test": "the whole suite; CI runs it",
    "make setup": "installs torch and the extras: the environment this test runs in",
    ".venv/bin/pip": "pip install of the vLLM extra",
    "cd vscode_extension": "npm build of the extension (its own tests)",
    "code": "VS Code (tests/e2e_vscode drives the extension in code-server)",
    "leanstep sketch": "needs a planner chat model (tests/training/test_eval_planner.py)",
    "cp": "a shell copy of an example config; the quick form writes a stand-in run.toml",
}


def _row(command: str) -> str | None:
    keys = [k for k in [*ROWS, *NOT_OURS] if command == k or command.startswith(k + " ")]
    return max(keys, key=len) if keys else None


def test_every_readme_command_has_a_row() -> None:
    commands = readme_commands()
    assert len(commands) > 15
    assert [c for c in commands if _row(c) is None] == []


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Ctx:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "2"}
    return Ctx(tmp_path_factory.mktemp("readme"), env)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("command", [c for c in readme_commands() if _row(c) in ROWS])
def test_readme_command_runs(command: str, ctx: Ctx) -> None:
    key = _row(command)
    assert key is not None
    if key != "make demo" and "demo" not in ctx.outputs:
        pytest.fail("`make demo` did not run first")
    ROWS[key](ctx, shlex.split(command))
