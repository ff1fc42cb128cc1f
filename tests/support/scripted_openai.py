"""A scripted OpenAI-compatible server on loopback: `/v1/completions` for the policy (answers
depend on the first goal of the prompt) and `/v1/chat/completions` for the planner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Policy = Callable[[str], Sequence[tuple[str, float]]]


@dataclass
class ScriptedServer:
    url: str
    completions: int = 0
    chats: list[str] = field(default_factory=list)


@asynccontextmanager
async def scripted_openai(
    policy: Policy, plans: Sequence[str] = (), delay_s: float = 0.0
) -> AsyncIterator[ScriptedServer]:
    state = ScriptedServer("")

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        state.completions += 1
        if delay_s:
            await asyncio.sleep(delay_s)
        prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
        n = body.get("n", 1)
        choices: list[dict[str, Any]] = []
        for i, prompt in enumerate(prompts):
            answers = list(policy(prompt.removesuffix(":::")))
            for j in range(n):
                text, lp = answers[j % len(answers)] if answers else ("skip", -5.0)
                choices.append(
                    {
                        "index": i * n + j,
                        "text": " " + text,
                        "logprobs": {"token_logprobs": [lp, lp]},
                        "finish_reason": "stop",
                    }
                )
        return web.json_response({"choices": choices})

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        state.chats.append(body["messages"][-1]["content"])
        plan = plans[min(len(state.chats) - 1, len(plans) - 1)] if plans else "no plan"
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": plan}}]})

    app = web.Application()
    app.router.add_post("/v1/completions", completions)
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()
