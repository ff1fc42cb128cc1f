"""The executable: `python -m prover_core.propositional` spoken to over pipes, raw protocol
framing, and every fault-injection flag (and its environment variable)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from prover_core.propositional.faults import Faults, command

from .conftest import ROOT


class Client:
    """Raw protocol client: `json.dumps(obj) + "\\n\\n"` out, read until a blank line."""

    def __init__(self, *flags: str, env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc = subprocess.Popen(
            [*command(), *flags],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=full_env,
        )
        self.buf = b""

    def send_raw(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def read(self, timeout: float = 10.0) -> str | None:
        """The next response text (without the blank line), or None on end of output."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buf += chunk
        text, self.buf = self.buf.split(b"\n\n", 1)
        return text.decode()

    def request(self, obj: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        self.send_raw(json.dumps(obj) + "\n\n")
        text = self.read(timeout)
        assert text is not None
        return dict(json.loads(text))

    def close(self) -> int:
        if self.proc.stdin and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def client() -> Any:
    c = Client()
    yield c
    c.close()


THEOREM = "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"


def test_protocol_round_trip(client: Client) -> None:
    r = client.request({"cmd": THEOREM})
    assert r["env"] == 0 and r["sorries"][0]["proofState"] == 0
    r = client.request({"tactic": "constructor", "proofState": 0})
    assert r["proofStatus"] == "Incomplete: open goals remain" and len(r["goals"]) == 2
    r = client.request({"tactic": "exact ⟨hp, hq⟩", "proofState": 0})
    assert r == {"proofStatus": "Completed", "proofState": 2, "goals": []}
    assert client.request({"tactic": "exact hp", "proofState": 9}) == {
        "message": "Unknown proof state."
    }
    assert client.request({"cmd": "#print axioms t", "env": 5}) == {
        "message": "Unknown environment."
    }
    # pretty-printed over several lines, exactly like the real REPL
    client.send_raw(json.dumps({"cmd": THEOREM}) + "\n\n")
    text = client.read()
    assert text is not None and text.startswith('{"sorries":\n [{"proofState": 3,')
    assert client.close() == 0


def test_raw_newline_inside_a_request_vanishes(client: Client) -> None:
    # lines of one request are joined without newlines (fixture invalid_line_break)
    client.send_raw('{"cmd": "theorem foo : True := by\ntrivial"}\n\n')
    text = client.read()
    assert text is not None
    assert json.loads(text)["messages"][0]["data"] == "Unknown identifier `bytrivial`"
    client.send_raw("this is not json\n\n")
    text = client.read()
    assert text is not None and json.loads(text)["message"].startswith("Could not parse JSON")


def test_crash_after(tmp_path: Path) -> None:
    c = Client("--crash-after", "2")
    assert "env" in c.request({"cmd": THEOREM})
    assert "proofStatus" in c.request({"tactic": "constructor", "proofState": 0})
    assert c.proc.wait(timeout=10) == 1
    assert c.read() is None


def test_crash_after_from_environment_and_flag_wins() -> None:
    c = Client(env={"LEANSTEP_FAKE_CRASH_AFTER": "1"})
    c.request({"cmd": THEOREM})
    assert c.proc.wait(timeout=10) == 1
    c = Client("--crash-after", "2", env={"LEANSTEP_FAKE_CRASH_AFTER": "1"})
    c.request({"cmd": THEOREM})
    c.request({"cmd": THEOREM})
    assert c.proc.wait(timeout=10) == 1


def test_hang_on() -> None:
    c = Client("--hang-on", "SLOWPOKE")
    c.request({"cmd": THEOREM})
    c.send_raw(json.dumps({"cmd": "example : True := trivial -- SLOWPOKE"}) + "\n\n")
    with pytest.raises(TimeoutError):
        c.read(timeout=1.0)
    assert c.proc.poll() is None
    c.proc.kill()
    c.proc.wait()


def test_garbage_after_and_every() -> None:
    c = Client("--garbage-after", "2")
    assert "env" in c.request({"cmd": THEOREM})
    for _ in range(2):
        c.send_raw(json.dumps({"cmd": THEOREM}) + "\n\n")
        text = c.read()
        assert text is not None
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
    c.close()
    c = Client(env={"LEANSTEP_FAKE_GARBAGE_EVERY": "2"})
    outcomes = []
    for _ in range(4):
        c.send_raw(json.dumps({"cmd": THEOREM}) + "\n\n")
        text = c.read()
        assert text is not None
        try:
            json.loads(text)
            outcomes.append("json")
        except json.JSONDecodeError:
            outcomes.append("junk")
    assert outcomes == ["json", "junk", "json", "junk"]
    c.close()


def test_latency() -> None:
    c = Client(*command(Faults(latency_ms=300))[3:])
    t0 = time.monotonic()
    c.request({"cmd": THEOREM})
    assert time.monotonic() - t0 >= 0.3
    c.close()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_grow_mb_per_request() -> None:
    c = Client("--grow-mb-per-request", "40")
    c.request({"cmd": THEOREM})
    before = _rss_kib(c.proc.pid)
    for _ in range(3):
        c.request({"tactic": "constructor", "proofState": 0})
    assert _rss_kib(c.proc.pid) - before >= 100 * 1024
    c.close()


def test_per_request_overhead_is_small(client: Client) -> None:
    client.request({"cmd": THEOREM})
    n = 300
    t0 = time.perf_counter()
    for i in range(n):
        client.request({"tactic": "intro" if i % 2 else "constructor", "proofState": 0})
    per_request = (time.perf_counter() - t0) / n
    assert per_request < 0.005, per_request
