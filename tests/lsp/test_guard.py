"""The one error wrapper: infrastructure errors → RequestFailed (-32803) in plain words, bad
params stay InvalidParams (-32602), bugs → InternalError (-32603) with no traceback on the
wire; cancellation passes through."""

from __future__ import annotations

import asyncio

import pytest
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from lsp_server.guard import guarded, guarded_sync, raise_bad_request
from prover_core.errors import ConfigError, LeanCrashed, LeanTimeout, PolicyUnavailable
from prover_core.types import Refusal


@pytest.mark.parametrize(
    "error",
    [LeanCrashed("the REPL died"), LeanTimeout("took 60 s"), PolicyUnavailable("no server"),
     ConfigError("policy.model is missing")],
)  # fmt: skip
async def test_leanstep_errors_become_request_failed(error: Exception) -> None:
    @guarded("test")
    async def handler() -> None:
        raise error

    with pytest.raises(JsonRpcException) as e:
        await handler()
    response = e.value.to_response_error()
    assert (response.code, response.message, response.data) == (-32803, str(error), None)


async def test_a_bug_is_an_internal_error_without_traceback() -> None:
    @guarded("test")
    async def handler() -> None:
        raise KeyError("secret detail")

    with pytest.raises(JsonRpcException) as e:
        await handler()
    response = e.value.to_response_error()
    assert response.code == -32603 and response.data is None
    assert "KeyError" in response.message and "secret" not in response.message


def test_invalid_params_pass_unchanged_and_bad_requests_become_them() -> None:
    @guarded_sync("test")
    def handler() -> None:
        raise_bad_request(Refusal("bad_request", "n = 9 is outside 1..8"))

    with pytest.raises(JsonRpcInvalidParams, match="outside"):
        handler()
    raise_bad_request(Refusal("no_goal", "no proof state here"))  # not a bad request
    raise_bad_request(None)


async def test_cancellation_passes_through() -> None:
    @guarded("test")
    async def handler() -> None:
        await asyncio.sleep(10)

    task = asyncio.ensure_future(handler())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
