"""The OpenAI-compatible client against a scripted HTTP server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from prover_core.errors import PolicyUnavailable
from prover_core.policy.openai import OpenAITacticGenerator
from prover_core.policy.protocol import Sampling

Handler = Callable[[dict[str, Any], int], Any]


def _choices(body: dict[str, Any]) -> dict[str, Any]:
    prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
    choices = []
    for i, p in enumerate(prompts):
        for j in range(body.get("n", 1)):
            choices.append(
                {
                    "index": i * body.get("n", 1) + j,
                    "text": f" tac{j} {p[:3]}\nrest",
                    "logprobs": {"token_logprobs": [-0.5, -1.0, -0.25]},
                    "finish_reason": "stop",
                }
            )
    return {"choices": choices}


@pytest.fixture
async def server() -> AsyncIterator[Callable[[Handler], Any]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        calls = {"n": 0}

        async def completions(request: web.Request) -> web.StreamResponse:
            calls["n"] += 1
            body = await request.json()
            result = handler(body, calls["n"])
            if asyncio.iscoroutine(result):
                result = await result
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response(result)

        app = web.Application()
        app.router.add_post("/v1/completions", completions)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    yield start
    for r in runners:
        await r.cleanup()


async def test_generate_batches_all_states_in_one_request(server: Any) -> None:
    seen: list[dict[str, Any]] = []

    def handler(body: dict[str, Any], call: int) -> Any:
        seen.append(body)
        return _choices(body)

    url = await server(handler)
    gen = OpenAITacticGenerator(url, "m", retries=0)
    try:
        out = await gen.generate(["s1", "s2"], 3, Sampling(temperature=1.0, seed=7))
    finally:
        await gen.aclose()
    assert len(seen) == 1
    assert seen[0]["prompt"] == ["s1:::", "s2:::"] and seen[0]["n"] == 3
    assert seen[0]["stop"] == ["\n"] and seen[0]["logprobs"] == 1 and seen[0]["seed"] == 7
    assert [[c.text for c in cs] for cs in out] == [
        ["tac0 s1:", "tac1 s1:", "tac2 s1:"],
        ["tac0 s2:", "tac1 s2:", "tac2 s2:"],
    ]
    assert out[0][0].logprob == pytest.approx(-1.75) and out[0][0].n_tokens == 3


async def test_retries_on_5xx_then_succeeds(server: Any) -> None:
    def handler(body: dict[str, Any], call: int) -> Any:
        if call < 3:
            return web.Response(status=503, text="busy")
        return _choices(body)

    gen = OpenAITacticGenerator(await server(handler), "m", retries=3, backoff_s=0.01)
    try:
        out = await gen.generate(["s"], 1, Sampling())
    finally:
        await gen.aclose()
    assert out[0][0].text.startswith("tac0")


async def test_4xx_is_a_clear_error_without_retry(server: Any) -> None:
    calls: list[int] = []

    def handler(body: dict[str, Any], call: int) -> Any:
        calls.append(call)
        return web.Response(status=404, text='{"error": "model m not found"}')

    gen = OpenAITacticGenerator(await server(handler), "m", retries=3, backoff_s=0.01)
    with pytest.raises(PolicyUnavailable, match=r"HTTP 404.*model m not found"):
        await gen.generate(["s"], 1, Sampling())
    await gen.aclose()
    assert calls == [1]


async def test_hanging_server_times_out(server: Any) -> None:
    async def handler(body: dict[str, Any], call: int) -> Any:
        await asyncio.sleep(1)
        return _choices(body)

    gen = OpenAITacticGenerator(
        await server(handler), "m", timeout_s=0.2, retries=1, backoff_s=0.01
    )
    with pytest.raises(PolicyUnavailable, match="no answer after 2 tries"):
        await gen.generate(["s"], 1, Sampling())
    await gen.aclose()


@pytest.mark.parametrize(
    "answer",
    [
        web.Response(text="not json"),
        {"choices": []},
        {"choices": [{"index": 0, "text": "x"}]},
        {"choices": [{"index": 0, "text": "x", "logprobs": {"token_logprobs": ["a"]}}]},
        [1, 2],
    ],
)
async def test_malformed_answers_are_clear_errors(server: Any, answer: Any) -> None:
    gen = OpenAITacticGenerator(await server(lambda b, c: answer), "m", retries=0)
    with pytest.raises(PolicyUnavailable):
        await gen.generate(["s"], 1, Sampling())
    await gen.aclose()


async def test_closed_client_refuses() -> None:
    gen = OpenAITacticGenerator("http://127.0.0.1:9", "m")
    await gen.aclose()
    with pytest.raises(PolicyUnavailable, match="closed"):
        await gen.generate(["s"], 1, Sampling())
