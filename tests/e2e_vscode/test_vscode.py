"""leanstep in a real VS Code: code-server 4.99.4 (VS Code 1.99.3) with the packaged extension
(.vsix), driven in Debian's Chromium by playwright-core (drive.mjs), against the stand-in REPL
and a scripted policy (policy_server.py).

    bash tests/e2e_vscode/setup.sh                       # once: into ~/.cache/leanstep-e2e
    LEANSTEP_E2E_DIR=~/.cache/leanstep-e2e .venv/bin/pytest -m e2e tests/e2e_vscode

Without LEANSTEP_E2E_DIR pointing at a finished install the test is skipped, unless
LEANSTEP_REQUIRE_E2E=1, which turns the skip into a failure (for CI).

The extension is packaged with its own `npm run package` (after `npm ci` when
vscode_extension/node_modules is missing), unless LEANSTEP_E2E_VSIX names a .vsix to use.
The test rewrites the README's screenshots, docs/images/{suggestions,panel,ghost,proved,error}.png,
and leaves copies (with the logs) in its tmp_path.

What it covers: suggestions in the panel from the cursor at the end of `intro hp` (the goal
after that line), one inserted on a new line below; a running search shown in the panel
(expansions/budget, best path) and cancelled there; a proof that arrives after the file was
edited above its theorem, landing on the moved `sorry`; ghost text after `:= by` + Enter,
indented to the block; a wrong model path in leanstep.toml
showing the error state, whose "Open leanstep.toml" opens the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from prover_core.lean.decl import find_declaration
from prover_core.lean.verify import verify_proof
from tests.e2e_vscode.policy_server import (
    ENDLESS_LINE,
    GHOST_LINE,
    LEAN_FILE,
    SORRY_LINE,
    SUGGEST_LINE,
)
from tests.support.standin import STANDIN, standin_config

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EXTENSION = ROOT / "vscode_extension"
IMAGES = ROOT / "docs" / "images"
SCREENSHOTS = ("suggestions.png", "panel.png", "ghost.png", "proved.png", "error.png")

# Time limits (seconds). Packaging the extension comes first and has its own limits; from the
# start of the policy server to the end of the browser session the test has TOTAL_S.
NPM_CI_S = 300
PACKAGE_S = 120
TOTAL_S = 300
START_S = 60  # code-server answering /healthz

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(NPM_CI_S + PACKAGE_S + TOTAL_S + 60)]


# ------------------------------------------------------------------------------ the install


@dataclass(frozen=True)
class Install:
    code_server: Path  # the code-server package folder (out/node/entry.js)
    config: Path  # its config file (so that it writes none into ~/.config)
    chromium: Path
    playwright_core: Path
    node: str


def require_install() -> Install:
    """The finished install of setup.sh; skips (fails under LEANSTEP_REQUIRE_E2E=1) without."""
    raw = os.environ.get("LEANSTEP_E2E_DIR", "")
    problem = None
    fields: dict[str, str] = {}
    node = shutil.which("node")
    if not raw:
        problem = "LEANSTEP_E2E_DIR is not set"
    elif not (Path(raw).expanduser() / "ready").is_file():
        problem = f"{raw}/ready is missing (no install there, or an unfinished one)"
    elif node is None:
        problem = "node is not on PATH"
    else:
        for line in (Path(raw).expanduser() / "ready").read_text().splitlines():
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip()
        wanted = ("code_server", "code_server_config", "chromium", "playwright_core")
        missing = [k for k in wanted if not fields.get(k) or not Path(fields[k]).exists()]
        if missing:
            problem = f"the install in {raw} lacks {', '.join(missing)}"
    if problem is not None:
        reason = (
            f"VS Code e2e test: {problem}. Install with `bash tests/e2e_vscode/setup.sh` "
            "(into ~/.cache/leanstep-e2e, or $LEANSTEP_E2E_DIR) and set LEANSTEP_E2E_DIR."
        )
        if os.environ.get("LEANSTEP_REQUIRE_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    assert node is not None
    return Install(
        code_server=Path(fields["code_server"]),
        config=Path(fields["code_server_config"]),
        chromium=Path(fields["chromium"]),
        playwright_core=Path(fields["playwright_core"]),
        node=node,
    )


# ------------------------------------------------------------------------------ processes


class Processes:
    """The processes the test starts, each leading a session of its own, and everything they
    start in turn. Each gets RUN_TOKEN in its environment, which children inherit, so `stop_all`
    also finds those that left the tree or started sessions of their own (the REPLs, Chromium)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.token = uuid.uuid4().hex
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "LEANSTEP_E2E_RUN": self.token, **extra}

    def start(
        self,
        name: str,
        cmd: Sequence[str],
        cwd: Path,
        env: dict[str, str],
        stdout_pipe: bool = False,
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout_pipe else log,
            stderr=log,
            start_new_session=True,
        )
        log.close()  # the child has its own copy
        self.started.append((name, proc))
        return proc

    def log_tail(self, name: str, chars: int = 3000) -> str:
        try:
            return (self.logs / f"{name}.log").read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def _ours(self) -> list[psutil.Process]:
        found: dict[int, psutil.Process] = {}
        for _, proc in self.started:
            with contextlib.suppress(psutil.Error):
                leader = psutil.Process(proc.pid)
                for p in (leader, *leader.children(recursive=True)):
                    found[p.pid] = p
        for p in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if p.pid not in found and p.environ().get("LEANSTEP_E2E_RUN") == self.token:
                    found[p.pid] = p
        return list(found.values())

    def stop_all(self) -> None:
        for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            procs = self._ours()
            for _, proc in self.started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, sig)
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    p.send_signal(sig)
            psutil.wait_procs(procs, timeout=wait_s)
        for _, proc in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        assert not self.running(), f"processes of the test alive after SIGKILL: {self.running()}"

    def running(self) -> list[int]:
        alive = []
        for p in self._ours():
            with contextlib.suppress(psutil.Error):
                if p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p.pid)
        return alive


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_ok(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def read_line(proc: subprocess.Popen[bytes], timeout_s: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
    return proc.stdout.readline().decode().strip() if ready else ""


# ------------------------------------------------------------------------------ the extension


def run_step(cmd: Sequence[str], cwd: Path, timeout_s: float, what: str) -> None:
    try:
        done = subprocess.run(
            list(cmd), cwd=cwd, capture_output=True, timeout=timeout_s, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took more than {timeout_s:.0f} s: {' '.join(cmd)}")
    if done.returncode != 0:
        out = (done.stdout + done.stderr).decode(errors="replace")[-4000:]
        pytest.fail(f"{what} failed ({done.returncode}): {' '.join(cmd)}\n{out}")


def packaged_extension(tmp: Path) -> Path:
    """The .vsix: LEANSTEP_E2E_VSIX, or `npm run package` of vscode_extension/ now."""
    given = os.environ.get("LEANSTEP_E2E_VSIX")
    if given:
        return Path(given)
    npm = shutil.which("npm")
    assert npm is not None, "npm is not on PATH"
    if not (EXTENSION / "node_modules" / ".bin" / "vsce").exists():
        run_step([npm, "ci", "--no-audit", "--no-fund"], EXTENSION, NPM_CI_S, "npm ci")
    vsix = tmp / "leanstep.vsix"
    run_step([npm, "run", "package", "--", "--out", str(vsix)], EXTENSION, PACKAGE_S, "packaging")
    return vsix


def install_extension(vsix: Path, extensions_dir: Path) -> None:
    """As `code-server --install-extension` would: the vsix's `extension/` folder, unpacked
    into `<publisher>.<name>-<version>`."""
    with zipfile.ZipFile(vsix) as z:
        manifest = json.loads(z.read("extension/package.json"))
        name = f"{manifest['publisher']}.{manifest['name']}-{manifest['version']}"
        target = extensions_dir / name
        for member in z.namelist():
            if member.startswith("extension/") and not member.endswith("/"):
                dest = target / member.removeprefix("extension/")
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(z.read(member))


# ------------------------------------------------------------------------------ the test


def user_settings() -> dict[str, Any]:
    return {
        # (the trust dialog would block the clicks; the server needs a trusted workspace)
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.colorTheme": "Default Dark Modern",
        # (the same screenshots every time: no blinking cursor, no count of detected ports)
        "editor.cursorBlinking": "solid",
        # (no word completion: it would take the Enter typed into the file)
        "editor.wordBasedSuggestions": "off",
        "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
        "remote.autoForwardPorts": False,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "update.mode": "none",
        "leanstep.pythonPath": sys.executable,
    }


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(logs)
    try:
        yield procs
    finally:
        procs.stop_all()


def test_prove_and_suggest_in_vscode(tmp_path: Path, procs: Processes) -> None:
    install = require_install()
    tmp = tmp_path
    vsix = packaged_extension(tmp)
    deadline = time.monotonic() + TOTAL_S

    def left() -> float:
        return max(1.0, deadline - time.monotonic())

    # the scripted policy
    policy = procs.start(
        "policy",
        [sys.executable, "-m", "tests.e2e_vscode.policy_server"],
        ROOT,
        procs.env(),
        stdout_pipe=True,
    )
    url = read_line(policy, 30)
    assert url.startswith("http://127.0.0.1:"), f"policy server: {procs.log_tail('policy')}"

    # the workspace, the user settings, the extension
    ws, ext, user = tmp / "ws", tmp / "extensions", tmp / "user-data"
    ws.mkdir()
    (ws / "demo.lean").write_text(LEAN_FILE)
    lean = "[lean]\nrepl_command = [" + ", ".join(json.dumps(c) for c in STANDIN) + "]\n"
    lean += "memory_limit_mb = 4096\n"
    (ws / "leanstep.toml").write_text(
        lean + f'[policy]\nbackend = "openai"\nendpoint = "{url}"\nmodel = "scripted"\n'
        "[search]\nexpansions = 40\n"
    )
    missing_model = tmp / "no-such-model"
    broken = lean + f'[policy]\nbackend = "hf"\nmodel = "{missing_model}"\n'
    broken += "[search]\nexpansions = 40\n"
    (user / "User").mkdir(parents=True)
    (user / "User" / "settings.json").write_text(json.dumps(user_settings(), indent=2))
    install_extension(vsix, ext)

    # code-server
    port = free_port()
    xdg = {k: str(tmp / "xdg" / k.lower()) for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    xdg["XDG_CACHE_HOME"] = str(tmp / "xdg" / "cache")
    code_server = procs.start(
        "code-server",
        [
            install.node,
            "out/node/entry.js",
            "--config",
            str(install.config),
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            "--extensions-dir",
            str(ext),
            "--user-data-dir",
            str(user),
            str(ws),
        ],
        install.code_server,
        procs.env(**xdg),
    )
    start_deadline = time.monotonic() + min(START_S, left())
    while not http_ok(f"http://127.0.0.1:{port}/healthz"):
        if code_server.poll() is not None:
            log = procs.log_tail("code-server")
            pytest.fail(f"code-server exited ({code_server.returncode}):\n{log}")
        if time.monotonic() > start_deadline:
            pytest.fail(f"code-server not up after {START_S} s:\n{procs.log_tail('code-server')}")
        time.sleep(0.3)

    # the browser session (drive.mjs); its JSON lines go to logs/drive.log as well
    shots = tmp / "screenshots"
    shots.mkdir()
    config = {
        "url": f"http://127.0.0.1:{port}/",
        "chromium": str(install.chromium),
        "playwrightCore": str(install.playwright_core),
        "outDir": str(shots),
        "file": "demo.lean",
        # (at the end of `  intro hp`; on the `sorry`s)
        "suggest": {"line": SUGGEST_LINE + 1, "column": len("  intro hp") + 1},
        "sorry": {"line": SORRY_LINE + 1, "column": 3},
        # (one line lower once the suggestion is inserted above it)
        "endless": {"line": ENDLESS_LINE + 2, "column": 3},
        "ghost": {"line": GHOST_LINE + 2, "column": 1},
        "configPath": str(ws / "leanstep.toml"),
        "brokenConfig": broken,
        "timeoutMs": int((left() - 10) * 1000),
        "stepTimeoutMs": 45000,
    }
    drive = procs.start(
        "drive",
        [install.node, str(HERE / "drive.mjs"), json.dumps(config)],
        HERE,
        procs.env(),
        stdout_pipe=True,
    )
    try:
        out, _ = drive.communicate(timeout=left())
    except subprocess.TimeoutExpired:
        pytest.fail(f"drive.mjs ran past the test's {TOTAL_S} s:\n{procs.log_tail('drive')}")
    lines = out.decode(errors="replace").splitlines()
    (procs.logs / "drive.jsonl").write_text("\n".join(lines) + "\n")
    events = [json.loads(line) for line in lines if line.startswith("{")]
    results = [e for e in events if e.get("event") == "result"]
    ext_logs = sorted(str(p) for p in user.glob("logs/**/*leanstep*"))
    context = (
        f"\nsteps: {[(e['name'], e['t']) for e in events if e.get('event') == 'step']}"
        f"\ndrive stderr: {procs.log_tail('drive')}\ncode-server: {procs.log_tail('code-server')}"
        f"\nleanstep output logs: {ext_logs}\nscreenshots: {shots}"
    )
    assert results, f"drive.mjs gave no result (exit {drive.returncode}){context}"
    result = results[-1]
    assert result["ok"], f"{result.get('error')}\neditor:\n{result.get('editor')}{context}"

    # copies of the screenshots: the README's, and the test's own (tmp_path/screenshots)
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in SCREENSHOTS:
        assert (shots / name).stat().st_size > 10_000, f"{name} looks empty"
        shutil.copyfile(shots / name, IMAGES / name)

    # Suggestions at the end of `intro hp` are for the goal after it (`r`, with `hp : p`):
    # ranked and checked, no raw scores; the best one went on a new line below.
    items: list[str] = result["suggestions"]
    assert items[0].startswith("1 ✓ exact hqr (hpq hp)") and "no goals left" in items[0], items
    assert any("apply hqr" in i and "goal left" in i for i in items), items
    assert "hp : p" in result["suggestText"] and "⊢ r" in result["suggestText"]
    assert "Rejected by Lean" in result["suggestText"]
    assert "score" not in result["suggestText"] and "-0.15" not in result["suggestText"]
    after_suggest = result["afterSuggest"].split("\n")
    assert after_suggest[SUGGEST_LINE : SUGGEST_LINE + 2] == ["  intro hp", "  exact hqr (hpq hp)"]

    # The endless search showed its progress and best path, and Cancel stopped it untouched.
    assert "/40 expansions" in result["running"] and "best depth" in result["running"]
    assert "have h1 : p := hs" in result["running"], result["running"]
    assert result["afterCancel"].split("\n")[ENDLESS_LINE + 1] == "  sorry", result["afterCancel"]

    # Ghost text after `:= by` + Enter was indented to the block (never column 0), marked as
    # closing the goal, and Tab took it.
    assert result["ghostMark"].endswith("leanstep: `exact hg` closes the goal (Tab)"), result
    after_ghost = result["afterGhost"].split("\n")
    assert after_ghost[GHOST_LINE + 1 : GHOST_LINE + 3] == [
        "theorem ghost (p : Prop) (hg : p) : p := by",
        "  exact hg",
    ], result["afterGhost"]

    # The proof found while two lines were typed above its theorem replaced the moved sorry,
    # and it checks.
    proved: str = result["proved"]
    lines_now = proved.split("\n")
    assert lines_now[:2] == [
        "-- edited while the proof was searched",
        "-- two lines above the theorem",
    ], proved
    assert lines_now[SORRY_LINE + 2] == "  constructor", proved
    assert lines_now[SORRY_LINE + 1].startswith("theorem and_swap"), proved
    assert sum(line.strip() == "sorry" for line in lines_now) == 1, proved  # `endless`'s only
    assert any("leanstep:" in n for n in result["notifications"]), result["notifications"]
    assert not any("Apply" in n for n in result["notifications"]), result["notifications"]
    for name in ("and_swap", "imp_trans", "ghost"):
        decl = find_declaration(proved, name)
        assert decl is not None, proved
        verdict = _verify(decl.head, decl.proof)
        assert verdict.ok, f"{name} does not check:\n{proved}\n{verdict}"

    # The wrong model path: said in plain words, with the button that opened leanstep.toml.
    assert f"model directory not found: {missing_model}" in result["errorToast"], result
    assert "Open leanstep.toml" in result["errorToast"] and "Repo id" not in result["errorToast"]


def _verify(head: str, proof: str) -> Any:
    return asyncio.run(verify_proof(standin_config(), "", head, proof))
