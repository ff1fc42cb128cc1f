"""`leanstep/status` tells the truth: starting → loading → ready on a good setup; plain-words
errors for a missing model directory, a REPL command that does not resolve and an endpoint
that does not answer; `leanstep.toml` changes are picked up without a restart, and a broken
new one keeps the old service serving."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp.lsp_session import Session, lsp_session, standin_toml
from tests.support.standin import STANDIN

TEXT = "theorem t (p : Prop) (hp : p) : p := by\n  sorry\n"
AT_SORRY = {"line": 1, "character": 2}


def policy(state: str) -> Sequence[tuple[str, float]]:
    return [("exact hp", -0.1)]


async def suggest(session: Session, uri: str) -> object:
    return await session.request(
        "leanstep/suggestTactics", {"textDocument": {"uri": uri}, "position": AT_SORRY}
    )


async def toml_changed(session: Session) -> None:
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(session.root / "leanstep.toml").as_uri(),
                    type=types.FileChangeType.Changed,
                )
            ]
        )
    )


async def test_a_good_setup_goes_starting_loading_ready(tmp_path: Path) -> None:
    async with lsp_session(tmp_path, policy) as session:
        ready = await session.state("ready")
        states = [s.state for s in session.statuses]
        assert states[:3] == ["starting", "loading", "ready"], states
        assert ready.configPath == str(tmp_path / "leanstep.toml")
        uri = session.open("a.lean", TEXT)
        assert (await suggest(session, uri)).suggestions[0].outcome == "proved"
        with pytest.raises(JsonRpcException):
            await session.request(
                "leanstep/suggestTactics",
                {"textDocument": {"uri": uri}, "position": {"line": 9, "character": 0}},
            )
        await session.request("leanstep/suggestTactics", {"textDocument": {"uri": uri},
                                                          "position": AT_SORRY})  # fmt: skip
    # one line per request at info, with its outcome counts and where the time went; no
    # JSON-RPC traffic and no traceback for an expected error
    lines = [ln for ln in session.log if "suggestTactics n=" in ln]
    assert len(lines) == 2 and all(ln.startswith("INFO leanstep.lsp:") for ln in lines)
    assert "proved=1 advanced=0 failed=0" in lines[0] and "lean_ms=" in lines[0]
    assert not any('"jsonrpc"' in ln or "Traceback" in ln for ln in session.log), session.log


REPL = "[lean]\nrepl_command = [" + ", ".join(f'"{c}"' for c in STANDIN) + "]\n"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (REPL + '[policy]\nbackend = "hf"\nmodel = "/nowhere/model"\n',
         "model directory not found: /nowhere/model (policy.model)"),
        ('[lean]\nrepl_command = ["no-such-repl-4711"]\n[policy]\nbackend = "openai"\n'
         'endpoint = "{url}"\nmodel = "m"\n',
         "REPL command not found: no-such-repl-4711 (lean.repl_command)"),
        (REPL + '[policy]\nbackend = "openai"\nendpoint = "http://127.0.0.1:9"\nmodel = "m"\n',
         "policy.endpoint does not answer: http://127.0.0.1:9"),
        (REPL + "[search]\nexpansion = 3\n", "expansion"),
    ],
    ids=["model-path", "repl-command", "endpoint", "config-typo"],
)  # fmt: skip
async def test_each_broken_setup_is_an_error_in_plain_words(
    tmp_path: Path, toml: str, message: str
) -> None:
    async with lsp_session(tmp_path, policy, write_toml=False) as session:
        first = await session.state("error")  # no leanstep.toml yet: no model
        assert "no model configured" in first.message
        # (the fixture's scripted server is up; its URL fills `{url}`)
        (tmp_path / "leanstep.toml").write_text(toml.replace("{url}", session.scripted.url))
        await toml_changed(session)
        error = await session.state("error")
        assert message in error.message, error.message
        assert "Repo id" not in error.message and "Traceback" not in error.message
        uri = session.open("a.lean", TEXT)
        with pytest.raises(JsonRpcException) as e:
            await suggest(session, uri)
        assert e.value.code == -32803 and message in str(e.value)


async def test_toml_changes_reload_and_a_broken_one_keeps_the_old_service(
    tmp_path: Path,
) -> None:
    async with lsp_session(tmp_path, policy) as session:
        await session.state("ready")
        uri = session.open("a.lean", TEXT)
        assert (await suggest(session, uri)).suggestions
        await toml_changed(session)  # unchanged: no reload
        assert (await session.state("ready")).message == "ready (configuration unchanged)"
        (tmp_path / "leanstep.toml").write_text("[search\nbroken")
        await toml_changed(session)
        error = await session.state("error")
        assert "leanstep.toml" in error.message
        assert (await suggest(session, uri)).suggestions  # the old service still serves
        (tmp_path / "leanstep.toml").write_text(
            standin_toml(session.scripted.url, "max_suggestions = 2\n")
        )
        await toml_changed(session)
        await session.state("ready")
        with pytest.raises(JsonRpcException, match=r"1\.\.2"):
            await session.request(
                "leanstep/suggestTactics",
                {"textDocument": {"uri": uri}, "position": AT_SORRY, "n": 3},
            )


async def test_the_server_asks_the_client_to_watch_leanstep_toml(tmp_path: Path) -> None:
    caps = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
        )
    )
    async with lsp_session(tmp_path, policy, capabilities=caps) as session:
        await session.state("ready")
        for _ in range(100):
            if session.registrations:
                break
            await asyncio.sleep(0.05)
        [params] = session.registrations
        [registration] = params.registrations
        assert registration.method == "workspace/didChangeWatchedFiles"
        [watcher] = registration.register_options["watchers"]
        assert watcher["globPattern"] == "**/leanstep.toml"
