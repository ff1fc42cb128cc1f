"""The one wrapper every handler goes through: errors become JSON-RPC errors in plain words.

- `JsonRpcException` (InvalidParams raised by the translation code) passes unchanged;
- `LeanstepError` (infrastructure: Lean crashed or timed out, policy unavailable, not
  configured) → RequestFailed (-32803) with the error's message;
- a refusal of kind "bad_request" (`raise_bad_request`) → InvalidParams (-32602);
- anything else is a bug: its traceback goes to the log at error level and the client gets
  an InternalError (-32603) with a one-line message and no `data` (pygls would put the
  traceback in `data`).
Cancellation passes through untouched (pygls answers RequestCancelled).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams

from prover_core.errors import LeanstepError
from prover_core.types import Refusal

log = logging.getLogger("leanstep.lsp")
P = ParamSpec("P")
R = TypeVar("R")


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was valid but leanstep could not serve it. (pygls
    reads the class attribute `CODE`; a lowercase `code` attribute is ignored.)"""

    CODE = -32803
    MESSAGE = "leanstep could not serve the request"


def translate(exc: Exception, what: str) -> JsonRpcException:
    """The JSON-RPC error for an exception raised while serving `what`."""
    if isinstance(exc, JsonRpcException):
        return exc
    if isinstance(exc, LeanstepError):
        log.warning("%s failed: %s: %s", what, type(exc).__name__, exc)
        return RequestFailed(str(exc) or type(exc).__name__)
    log.error("%s: internal error", what, exc_info=exc)
    return JsonRpcInternalError(f"internal error in leanstep ({type(exc).__name__}); see the log")


def guarded(what: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Wrap an async handler so every failure leaves as a JSON-RPC error (see module doc)."""

    def wrap(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def handler(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await fn(*args, **kwargs)
            except Exception as e:
                raise translate(e, what) from None

        return handler

    return wrap


def guarded_sync(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def handler(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except Exception as e:
                raise translate(e, what) from None

        return handler

    return wrap


def raise_bad_request(refusal: Refusal | None) -> None:
    """A refusal that says the request itself is invalid becomes InvalidParams."""
    if refusal is not None and refusal.kind == "bad_request":
        raise JsonRpcInvalidParams(refusal.message)
