"""Malformed requests never take the server down: each gets a result or an LSP error, and
the server answers a well-formed request right after."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import LanguageClient

from tests.support.standin import STANDIN

TEXT = "theorem t (p : Prop) (hp : p) : p := by\n  sorry\n"


class Driver:
    """A client on its own event loop thread, so hypothesis can drive it synchronously."""

    def __init__(self, root: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("fuzz", "1")
        self.uri = (root / "a.lean").as_uri()
        self.run(self._start(root))

    def run(self, coro: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self, root: Path) -> None:
        await self.client.start_io(sys.executable, "-m", "lsp_server", "serve", "--stdio")
        await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root.as_uri())
        )
        self.client.initialized(types.InitializedParams())
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="lean4", version=1, text=TEXT
                )
            )
        )

    async def request(self, method: str, params: Any) -> Any:
        return await asyncio.wait_for(self.client.protocol.send_request_async(method, params), 30)

    def close(self) -> None:
        async def stop() -> None:
            await asyncio.wait_for(self.client.shutdown_async(None), 20)
            self.client.exit(None)
            await self.client.stop()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    root = tmp_path_factory.mktemp("fuzz")
    # no model configured: requests that need one fail with a clear error, which is fine
    (root / "leanstep.toml").write_text(
        "[lean]\nrepl_command = [" + ", ".join(f'"{c}"' for c in STANDIN) + "]\n"
    )
    d = Driver(root)
    yield d
    d.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
uris = st.sampled_from(["file:///nope.lean", "file:///x.txt", "not a uri", ""]) | st.text(
    max_size=10
)
positions = st.fixed_dictionaries(
    {"line": st.integers(-5, 10**9) | st.text(max_size=3), "character": st.integers(-5, 10**9)}
)
structured = st.fixed_dictionaries(
    {"textDocument": st.fixed_dictionaries({"uri": uris}) | json_values, "position": positions}
)
methods = st.sampled_from(
    ["leanstep/suggestTactics", "leanstep/searchProof", "leanstep/sketchLemmas"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(method=methods, params=structured | json_values)
def test_malformed_requests_get_errors_and_the_server_survives(
    driver: Driver, method: str, params: Any
) -> None:
    with contextlib.suppress(JsonRpcException):  # an LSP error is a right answer
        driver.run(driver.request(method, params))
    actions = driver.run(
        driver.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=driver.uri),
                range=types.Range(
                    start=types.Position(line=1, character=2),
                    end=types.Position(line=1, character=2),
                ),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
    )
    assert actions and actions[0].title == "Prove with leanstep"


def test_a_request_needing_a_model_says_how_to_configure_one(driver: Driver) -> None:
    with pytest.raises(JsonRpcException, match=r"policy\.model"):
        driver.run(
            driver.request(
                "leanstep/suggestTactics",
                {"textDocument": {"uri": driver.uri}, "position": {"line": 1, "character": 2}},
            )
        )
