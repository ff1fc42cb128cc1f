"""Replay real Lean REPL transcripts through the driver's public API.

For each `*.in` / `*.expected.out` pair, a double process answers the recorded responses and
checks that the driver sent exactly the recorded requests (so the driver's encoding and its
handle-to-id mapping are right), and each typed result is checked against the recorded JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from prover_core.config import LeanConfig
from prover_core.lean import protocol
from prover_core.lean.repl import LeanRejected, LeanRepl
from prover_core.types import Advanced, Env, ProofState, Proved, TacticFailed
from tests.support import transcripts

REPLAY = Path(__file__).resolve().parents[1] / "support" / "replay_repl.py"
FIXTURES = transcripts.fixtures_dir()
BASES = transcripts.all_bases(FIXTURES) if FIXTURES.is_dir() else []


class Unusable(Exception):
    """The transcript cannot be driven through the public API (with the reason)."""


def test_fixture_directory_present() -> None:
    assert FIXTURES.is_dir(), f"no REPL transcripts at {FIXTURES} (set LEANSTEP_REPL_FIXTURES)"
    assert BASES, f"no *.in files in {FIXTURES}"


def _no_output(base: Path) -> bool:
    return not (base.parent / f"{base.name}.expected.out").exists()


@pytest.mark.parametrize("base", BASES, ids=[b.name for b in BASES])
def test_every_recorded_response_parses(base: Path) -> None:
    """No recorded response may crash the parser, whatever its shape."""
    if _no_output(base):
        pytest.skip(f"{base.name}: transcript has no .expected.out (recorded without output)")
    t = transcripts.load(base)
    for resp in t.responses:
        failure = protocol.failure_of(resp)
        if failure is not None:
            assert failure.message
        elif "proofStatus" in resp or ("proofState" in resp and "env" not in resp):
            protocol.parse_tactic_result(resp)
        else:
            protocol.parse_command(resp)


def _expected_outcome(resp: dict[str, Any], interior: bool) -> type:
    """LEAN.md's rule, restated independently of the driver; an interior state (inside a
    larger proof) is closed when nothing but the enclosing proof's metavariables is left."""
    if "message" in resp and "proofState" not in resp:
        return TacticFailed
    errors = [m for m in resp.get("messages", []) if m["severity"] == "error"]
    if resp.get("proofStatus") == "Completed" and not errors:
        return Proved
    closed = not resp.get("goals") and not resp.get("sorries") and not errors
    if interior and closed and resp["proofStatus"].startswith("Incomplete: contains metavar"):
        return Proved
    left = resp.get("goals") or resp.get("sorries")
    if left and not errors and not resp["proofStatus"].startswith("Error"):
        return Advanced
    return TacticFailed


class Driver:
    """Maps a transcript's REPL ids onto the handles the driver returned."""

    def __init__(self, repl: LeanRepl) -> None:
        self.repl = repl
        self.envs: dict[int, Env] = {}
        self.states: dict[int, ProofState] = {}

    def env(self, req: dict[str, Any]) -> Env | None:
        if "env" not in req:
            return None
        if req["env"] not in self.envs:
            raise Unusable(f"uses env {req['env']}, which no earlier response handed out")
        return self.envs[req["env"]]

    def state(self, n: int) -> ProofState:
        if n not in self.states:
            raise Unusable(f"uses proof state {n}, which the API does not hand out")
        return self.states[n]

    async def step(self, req: dict[str, Any], resp: dict[str, Any]) -> None:
        if "tactic" in req:
            await self._tactic(req, resp)
        elif "cmd" in req or "path" in req or "unpickleEnvFrom" in req:
            await self._command(req, resp)
        elif "pickleTo" in req:
            if "proofState" in req:
                await self.repl.pickle_state(self.state(req["proofState"]), Path(req["pickleTo"]))
            else:
                env = self.env(req)
                assert env is not None
                await self.repl.pickle_env(env, Path(req["pickleTo"]))
        elif "unpickleProofStateFrom" in req:
            st = await self.repl.unpickle_state(Path(req["unpickleProofStateFrom"]), self.env(req))
            assert st.goals == tuple(resp.get("goals", []))
            self.states[resp["proofState"]] = st
        else:
            raise Unusable(f"request kind not in the API: {sorted(req)}")

    async def _command(self, req: dict[str, Any], resp: dict[str, Any]) -> None:
        env = self.env(req)
        try:
            if "cmd" in req:
                result = await self.repl.command(
                    req["cmd"],
                    env,
                    all_tactics=req.get("allTactics", False),
                    root_goals=req.get("rootGoals", False),
                    infotree=req.get("infotree"),
                )
            elif "path" in req:
                result = await self.repl.file(
                    Path(req["path"]), env, all_tactics=req.get("allTactics", False)
                )
            else:
                result = await self.repl.unpickle_env(Path(req["unpickleEnvFrom"]))
                self.envs[resp["env"]] = result
                return
        except LeanRejected as e:
            assert "message" in resp and str(e) == resp["message"]
            return
        assert "env" in resp, f"driver accepted a refused command: {resp}"
        self.envs[resp["env"]] = result.env
        want_msgs = resp.get("messages", [])
        assert [(m.severity, m.data) for m in result.messages] == [
            (m["severity"], m["data"]) for m in want_msgs
        ]
        for m, w in zip(result.messages, want_msgs, strict=True):
            if "pos" in w:
                assert m.pos is not None
                assert (m.pos.line, m.pos.column) == (w["pos"]["line"], w["pos"]["column"])
        want_sorries = resp.get("sorries", [])
        assert [s.goal for s in result.sorries] == [s["goal"] for s in want_sorries]
        for s, w in zip(result.sorries, want_sorries, strict=True):
            self.states[w["proofState"]] = s.state
            assert s.state.goals == (w["goal"],)
        want_tactics = resp.get("tactics", [])
        assert [t.tactic for t in result.tactics] == [t["tactic"] for t in want_tactics]
        for t, w in zip(result.tactics, want_tactics, strict=True):
            assert t.goals_before == w["goals"]
            assert t.state is not None
            self.states[w["proofState"]] = t.state
        assert (result.infotree is not None) == ("infotree" in resp)

    async def _tactic(self, req: dict[str, Any], resp: dict[str, Any]) -> None:
        state = self.state(req["proofState"])
        outcome = await self.repl.tactic(state, req["tactic"])
        assert type(outcome) is _expected_outcome(resp, state.interior), (outcome, resp)
        if isinstance(outcome, Proved | Advanced):
            assert outcome.state.goals == tuple(resp["goals"])
            self.states[resp["proofState"]] = outcome.state
        if isinstance(outcome, Advanced):
            want = resp.get("sorries", [])
            assert [s.goal for s in outcome.sorries] == [w["goal"] for w in want]
            for s, w in zip(outcome.sorries, want, strict=True):
                self.states[w["proofState"]] = s.state
        if isinstance(outcome, TacticFailed):
            assert outcome.message
        if isinstance(outcome, Proved) and not state.interior:
            assert resp["proofStatus"] == "Completed"


# Transcripts of the shared suite that the public API cannot drive, with the reason. On the
# shared suite the test fails if one of these starts to work (so the list stays honest) or if
# any other transcript is unusable; on another directory, unusable transcripts are skipped
# with their reason.
STRICT = FIXTURES.resolve() == transcripts.DEFAULT_DIR.resolve()
UNUSABLE: dict[str, str] = {
    "unknown_environment": "sends an env id no response issued; the driver never does",
    "unknown_proof_state": "sends a state id no response issued; the driver never does",
}


@pytest.mark.parametrize("base", BASES, ids=[b.name for b in BASES])
async def test_transcript_through_driver(base: Path) -> None:
    if _no_output(base):
        pytest.skip(f"{base.name}: transcript has no .expected.out (recorded without output)")
    t = transcripts.load(base)
    config = LeanConfig(
        repl_command=(sys.executable, str(REPLAY), str(base)),
        timeout_s=30,
        crash_retries=0,
        memory_limit_mb=None,
    )
    repl = LeanRepl(config)
    driver = Driver(repl)
    try:
        for i, (req, resp) in enumerate(zip(t.requests, t.responses, strict=True)):
            try:
                await driver.step(req, resp)
            except Unusable as e:
                reason = f"{base.name} cannot be driven: request {i}: {e}"
                if base.name in UNUSABLE or not STRICT:
                    pytest.skip(reason)
                pytest.fail(reason)
        if STRICT:
            assert base.name not in UNUSABLE, f"{base.name} is listed unusable but now works"
        assert repl.restarts == 0, "the double never crashes: no restart may happen"
    finally:
        await repl.close()
