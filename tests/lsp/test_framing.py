"""The server cannot be wedged by bad framing: after any mix of framing errors (non-numeric
`Content-Length`, bytes before a header, a length that is off, invalid JSON, params failing
validation) it answers what it can and still answers the next valid request.

The real read loop (`lsp_server.framing`) and the real server run in process on a byte
stream; a stdio test drives `leanstep serve --stdio` with the issue's wedging input."""

from __future__ import annotations

import asyncio
import io
import json
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lsp_server.framing import run_resynchronising
from lsp_server.main import create_server

URI = "file:///w/a.lean"


def frame(obj: Any, delta: int = 0) -> bytes:
    body = json.dumps(obj).encode()
    return f"Content-Length: {len(body) + delta}\r\n\r\n".encode() + body


def code_action(msg_id: Any, range_: Any = None) -> dict[str, Any]:
    pos = {"line": 0, "character": 0}
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "textDocument/codeAction",
        "params": {
            "textDocument": {"uri": URI},
            "range": {"start": pos, "end": pos} if range_ is None else range_,
            "context": {"diagnostics": []},
        },
    }


class BytesReader:
    def __init__(self, data: bytes) -> None:
        self._io = io.BytesIO(data)

    async def readline(self) -> bytes:
        return self._io.readline()

    async def readexactly(self, n: int) -> bytes:
        return self._io.read(n)


class Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass

    def messages(self) -> list[dict[str, Any]]:
        out, rest = [], bytes(self.data)
        while rest:
            head, _, rest = rest.partition(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            out.append(json.loads(rest[:length]))
            rest = rest[length:]
        return out


INIT = frame({"jsonrpc": "2.0", "id": "init", "method": "initialize",
              "params": {"capabilities": {}}})  # fmt: skip


def serve(data: bytes) -> list[dict[str, Any]]:
    server = create_server()
    sink = Sink()
    server.protocol.set_writer(sink)
    reader = BytesReader(INIT + data)
    asyncio.run(run_resynchronising(threading.Event(), reader, server.protocol))
    return sink.messages()


def responses(messages: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {m.get("id"): m for m in messages if "result" in m or "error" in m}


def test_each_framing_error_is_answered_and_the_stream_resynchronises() -> None:
    data = (
        b"Content-Length: abc\r\n\r\n"
        + json.dumps(code_action("lost")).encode()
        + b"garbage before a header"
        + frame(code_action(1))
        + frame(code_action(2), delta=-7)  # too short: the rest is junk before the next header
        + frame(code_action(3))
        + frame(code_action(4), delta=+9)  # too long: reads into the next message
        + frame(code_action(5))
        + b"Content-Length: 9\r\n\r\n{not json"
        + frame(code_action(6, range_="x"))  # params failing validation
        + frame(code_action(7))
    )
    got = serve(data)
    by_id = responses(got)
    for ok in (1, 3, 4, 5, 7):
        assert by_id[ok]["result"] == [], ok
    assert by_id[6]["error"]["code"] == -32602
    assert "textDocument/codeAction" in by_id[6]["error"]["message"]
    parse_errors = [m for m in got if m.get("id") is None and "error" in m]
    assert {m["error"]["code"] for m in parse_errors} == {-32700}
    assert len(parse_errors) == 3  # the unframed body, the cut body, the invalid JSON
    assert not any("traceback" in json.dumps(m).lower() for m in got)


def test_invalid_requests_get_errors_not_silence() -> None:
    data = frame([1, 2]) + frame({"id": 5, "method": "x"}) + frame(code_action(8))
    by_id = responses(serve(data))
    assert by_id[5]["error"]["code"] == -32600
    assert by_id[8]["result"] == []


junk = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"Content-Length", b"")),
    st.text(max_size=12).map(lambda t: b"Content-Length: " + t.encode() + b"\r\n\r\n"),
    st.tuples(st.text(max_size=30), st.integers(-25, 25)).map(
        lambda p: (
            f"Content-Length: {max(len(p[0].encode()) + p[1], 0)}\r\n\r\n".encode() + p[0].encode()
        )
    ),
    st.integers(-25, 25).map(lambda d: frame(code_action("junk"), delta=d)),
    st.just(frame(code_action("bad", range_="x"))),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(junk, min_size=1, max_size=4))
def test_after_any_junk_a_valid_request_is_answered(chunks: list[bytes]) -> None:
    final = code_action("final", range_={"start": {"line": 0, "character": 0},
                                          "end": {"line": 0, "character": 0}})  # fmt: skip
    final["params"]["padding"] = "x" * 64  # longer than any junk length is off by
    got = serve(b"".join(chunks) + frame(final))
    assert responses(got)["final"].get("result") == []
    for m in got:
        assert "traceback" not in json.dumps(m).lower()
        if m.get("id") == "bad":
            assert m["error"]["code"] == -32602


def test_the_stdio_server_is_not_wedged_by_a_bad_header() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "prover_core", "serve", "--stdio"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(
            INIT
            + b"Content-Length: x1\r\n\r\n{}"
            + frame(code_action(1))
            + frame({"jsonrpc": "2.0", "method": "exit"}),
            timeout=60,
        )
    finally:
        if proc.poll() is None:
            proc.kill()
    sink = Sink()
    sink.data += out
    by_id = responses(sink.messages())
    assert by_id[1]["result"] == []
    assert by_id[None]["error"]["code"] == -32700


def test_the_tcp_server_resynchronises_too() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "prover_core", "serve", "--tcp", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the TCP server did not start")
        with conn:
            conn.sendall(INIT + b"junk Content-Length: 1x\r\n\r\n{" + frame(code_action(1)))
            data = b""
            while b'"id": 1' not in data and b'"id":1' not in data:
                chunk = conn.recv(65536)
                assert chunk, data
                data += chunk
    finally:
        proc.kill()
        proc.wait(10)
    assert b'"result": []' in data or b'"result":[]' in data
