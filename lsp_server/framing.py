"""The base-protocol read loop, resynchronising after framing errors.

Why not pygls's `run_async`: it matches a header only as a whole line, so after one framing
error (a non-numeric `Content-Length`, bytes before a header, a length that is off) the
next header arrives glued to the previous body, never matches again, and the server answers
nothing, forever; and a body that does not deserialize (invalid JSON, params failing
validation) is logged but never answered. This loop:
- finds a `Content-Length` header anywhere in a line (bytes before it are dropped), so the
  stream resynchronises on the next header;
- parses the first JSON value of a body; bytes after it (a length too long) are fed back as
  the start of the next message; a body that is not JSON → ParseError (-32700, id null);
- answers a request whose params fail validation with InvalidParams (-32602) under its id,
  and a message that is not a JSON-RPC object with InvalidRequest (-32600);
- logs the details; never sends a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

if TYPE_CHECKING:
    from pygls.io_ import AsyncReader

log = logging.getLogger("leanstep.lsp.framing")
_NAME = b"Content-Length:"
_HEADER = re.compile(rb"Content-Length:[ \t]*([^\r\n]*)\r?\n$", re.IGNORECASE)
PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32602, -32603


class _Stream:
    """The reader with a push-back buffer in front of it."""

    def __init__(self, reader: AsyncReader) -> None:
        self._reader = reader
        self._buffer = bytearray()

    def push_back(self, data: bytes) -> None:
        self._buffer[:0] = data

    async def readline(self) -> bytes:
        if self._buffer:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            head = bytes(self._buffer)
            self._buffer.clear()
            return head + await self._reader.readline()
        return await self._reader.readline()

    async def read(self, n: int) -> bytes:
        head = bytes(self._buffer[:n])
        del self._buffer[:n]
        if len(head) < n:
            head += await self._reader.readexactly(n - len(head))
        return head


def send_error(protocol: JsonRPCProtocol, msg_id: Any, code: int, message: str) -> None:
    if not isinstance(msg_id, int | str) or isinstance(msg_id, bool):
        msg_id = None
    error = {"code": code, "message": message}
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": error})


def dispatch(protocol: JsonRPCProtocol, obj: Any) -> None:
    """Structure one decoded JSON value and hand it to pygls, answering what pygls would
    drop silently."""
    if not isinstance(obj, dict) or obj.get("jsonrpc") != "2.0":
        log.warning("not a JSON-RPC 2.0 message: %.200r", obj)
        msg_id = obj.get("id") if isinstance(obj, dict) else None
        send_error(protocol, msg_id, INVALID_REQUEST, "not a JSON-RPC 2.0 message")
        return
    is_request = "id" in obj and "method" in obj
    try:
        message = protocol.structure_message(obj)
    except JsonRpcException as e:
        method = obj.get("method", "")
        log.warning("invalid params for %s: %s", method, e.__cause__ or e)
        if is_request:
            reason = _first_line(e.__cause__) if e.__cause__ is not None else e.message
            send_error(
                protocol, obj["id"], INVALID_PARAMS, f"invalid params for {method}: {reason}"
            )
        return
    try:
        protocol.handle_message(message)
    except Exception as e:  # a bug in dispatching: logged in full, answered in one line
        log.error("cannot handle %s", obj.get("method", "a message"), exc_info=e)
        if is_request:
            send_error(protocol, obj["id"], INTERNAL_ERROR, "internal error in leanstep")


def _first_line(exc: BaseException) -> str:
    leaves: list[BaseException] = [exc]
    while isinstance(leaves[0], BaseExceptionGroup) and leaves[0].exceptions:
        leaves = list(leaves[0].exceptions)
    notes = getattr(leaves[0], "__notes__", None) or []
    text = f"{leaves[0]}".strip() or type(leaves[0]).__name__
    return f"{text} ({notes[0]})" if notes else text


def _next_header_start(body: bytes) -> bytes:
    """The part of an unparsable body that may begin the next message: from a header inside
    it (the length was too long), or a tail that is the start of one (cut mid-header)."""
    found = body.find(_NAME)
    if found >= 0:
        return body[found:]
    for k in range(min(len(_NAME) - 1, len(body)), 0, -1):
        if body.endswith(_NAME[:k]):
            return body[-k:]
    return b""


def handle_body(protocol: JsonRPCProtocol, stream: _Stream, body: bytes) -> None:
    try:
        text = body.decode("utf-8")
        start = len(text) - len(text.lstrip())
        obj, end = json.JSONDecoder().raw_decode(text, start)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        log.warning("unparsable message body (%s): %.200r", e, body)
        stream.push_back(_next_header_start(body))
        send_error(protocol, None, PARSE_ERROR, f"parse error: {e}")
        return
    rest = text[end:]
    if rest.strip():
        log.warning("message longer than its Content-Length said; reading on from its end")
        stream.push_back(rest.lstrip().encode("utf-8"))
    dispatch(protocol, obj)


async def run_resynchronising(
    stop_event: threading.Event, reader: AsyncReader, protocol: JsonRPCProtocol
) -> None:
    """Read messages until EOF or `stop_event` (replaces pygls's `run_async`)."""
    stream = _Stream(reader)
    length: int | None = None
    unframed = False  # a header had a length we could not read: its body comes unframed
    while not stop_event.is_set():
        line = await stream.readline()
        if not line:
            break
        header = _HEADER.search(line)
        if header is not None:
            before = line[: header.start()].strip()
            if before:
                if unframed:
                    send_error(protocol, None, PARSE_ERROR, "a message had no valid Content-Length")
                log.warning("dropped %d bytes before a header", len(before))
            unframed = False
            value = header.group(1).strip()
            if value.isdigit():
                length = int(value)
            else:
                log.warning("non-numeric Content-Length %.40r", value)
                length, unframed = None, True
            continue
        if line.strip() or length is None:
            continue  # another header (Content-Type), or bytes outside any frame
        want, length = length, None
        body = await stream.read(want)
        if len(body) < want:
            break  # end of input inside a body
        handle_body(protocol, stream, body)
