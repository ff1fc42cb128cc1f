"""A pygls client driving `leanstep serve --stdio` (a real process) in a temporary project
with the stand-in REPL and a scripted OpenAI-compatible policy; it records the server's
notifications (`leanstep/status`, `leanstep/searchProgress`, work-done progress)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from tests.support.scripted_openai import Policy, ScriptedServer, scripted_openai
from tests.support.standin import STANDIN


def standin_toml(url: str, extra: str = "") -> str:
    return (
        "[lean]\nrepl_command = [" + ", ".join(f'"{c}"' for c in STANDIN) + "]\n"
        "memory_limit_mb = 4096\n"
        f'[policy]\nbackend = "openai"\nendpoint = "{url}"\nmodel = "scripted"\n'
        "[search]\nexpansions = 40\n" + extra
    )


class Session:
    def __init__(self, client: LanguageClient, root: Path, scripted: ScriptedServer) -> None:
        self.client, self.root, self.scripted = client, root, scripted
        self.progress: list[Any] = []
        self.statuses: list[Any] = []
        self.search_progress: list[Any] = []
        self.versions: dict[str, int] = {}
        self.log: list[str] = []  # the server's stderr, line by line
        self.registrations: list[Any] = []
        self.capabilities: types.ServerCapabilities | None = None

    def open(self, name: str, text: str) -> str:
        uri = (self.root / name).as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="lean4", version=1, text=text
                )
            )
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def ghost(self, uri: str, line: int, character: int) -> Any:
        """`textDocument/inlineCompletion` at a position (an automatic trigger)."""
        return await self.client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=character),
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        )

    async def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        return await asyncio.wait_for(
            self.client.protocol.send_request_async(method, params), timeout
        )

    async def state(self, state: str, timeout: float = 30) -> Any:
        """Wait for a `leanstep/status` with this state (after the last one seen)."""
        seen = len(self.statuses)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for s in self.statuses[seen:]:
                if s.state == state:
                    return s
            await asyncio.sleep(0.05)
        raise AssertionError(f"no status {state!r}; got {[s.state for s in self.statuses]}")


@asynccontextmanager
async def lsp_session(
    root: Path,
    policy: Policy,
    *,
    plans: tuple[str, ...] = (),
    toml_extra: str = "",
    init: dict[str, Any] | None = None,
    write_toml: bool = True,
    planner: bool = False,
    delay_s: float = 0.0,
    capabilities: types.ClientCapabilities | None = None,
) -> AsyncIterator[Session]:
    """`planner`: the scripted server also plans (`planner.endpoint` set through the
    initialization options); `delay_s`: each model call takes that long."""
    async with scripted_openai(policy, plans=plans, delay_s=delay_s) as scripted:
        if write_toml:
            (root / "leanstep.toml").write_text(standin_toml(scripted.url, toml_extra))
        client = LanguageClient("leanstep-test", "1")
        sess = Session(client, root, scripted)

        @client.feature(types.PROGRESS)
        def on_progress(params: types.ProgressParams) -> None:
            sess.progress.append(params.value)

        @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_create(params: Any) -> None:
            return None

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def on_register(params: Any) -> None:
            sess.registrations.append(params)

        @client.feature("leanstep/status")
        def on_status(params: Any) -> None:
            sess.statuses.append(params)

        @client.feature("leanstep/searchProgress")
        def on_search_progress(params: Any) -> None:
            sess.search_progress.append(params)

        options: dict[str, Any] = {"inline": {"debounceMs": 10}}
        if planner:
            options["planner"] = {"endpoint": scripted.url, "model": "planner"}
        await client.start_io(sys.executable, "-m", "prover_core", "serve", "--stdio")
        stderr = client._server.stderr if client._server is not None else None
        assert stderr is not None

        async def drain() -> None:  # (an unread stderr pipe would block the server)
            while line := await stderr.readline():
                sess.log.append(line.decode("utf-8", "replace").rstrip("\n"))

        drainer = asyncio.ensure_future(drain())
        initialized = await client.initialize_async(
            types.InitializeParams(
                capabilities=capabilities or types.ClientCapabilities(),
                root_uri=root.as_uri(),
                initialization_options={
                    "inline": {"debounceMs": 10},
                    **(
                        {"planner": {"endpoint": scripted.url, "model": "planner"}}
                        if planner
                        else {}
                    ),
                    **(init or {}),
                },
            )
        )
        sess.capabilities = initialized.capabilities
        client.initialized(types.InitializedParams())
        try:
            yield sess
        finally:
            await asyncio.wait_for(client.shutdown_async(None), 20)
            client.exit(None)
            await client.stop()
            drainer.cancel()
