"""Health checks of a configuration, before anything is loaded: problems in plain words.

Checks: the policy's model is a directory that exists (hf and vllm load local checkpoints;
never a hub lookup), the REPL command resolves, and the configured endpoints answer HTTP.
Each problem names the setting it comes from. An empty list means healthy.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import aiohttp

from prover_core.config import Config
from prover_core.http_json import v1_url

_ENDPOINT_TIMEOUT_S = 3.0


def model_problem(config: Config, base: Path | None) -> str | None:
    policy = config.policy
    if policy.backend == "openai":
        if not policy.endpoint or not policy.model:
            return "policy.backend = 'openai' needs policy.endpoint and policy.model"
        return None
    if not policy.model:
        return (
            f"no model configured: set policy.model (a checkpoint directory) for {policy.backend}"
        )
    path = Path(policy.model).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_dir():
        return f"model directory not found: {path} (policy.model)"
    return None


def repl_problem(config: Config, base: Path | None) -> str | None:
    command = config.lean.repl_command
    if not command:
        return "lean.repl_command is empty"
    exe = command[0]
    if "/" in exe:
        path = Path(exe).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        found = path.is_file()
    else:
        found = shutil.which(exe) is not None
    return None if found else f"REPL command not found: {exe} (lean.repl_command)"


async def endpoint_problem(url: str, setting: str) -> str | None:
    """Any HTTP answer counts: only a connection failure or a timeout is a problem."""
    try:
        timeout = aiohttp.ClientTimeout(total=_ENDPOINT_TIMEOUT_S)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(v1_url(url, "models")) as response,
        ):
            await response.read()
    except (TimeoutError, aiohttp.ClientError, OSError) as e:
        return f"{setting} does not answer: {url} ({type(e).__name__})"
    return None


async def problems(config: Config, base: Path | None = None) -> list[str]:
    """Everything wrong with `config` that can be seen before loading it. `base` resolves
    relative paths (the project directory)."""
    found = [p for p in (model_problem(config, base), repl_problem(config, base)) if p]
    endpoints = []
    if config.policy.backend == "openai" and config.policy.endpoint:
        endpoints.append((config.policy.endpoint, "policy.endpoint"))
    if config.planner.endpoint:
        endpoints.append((config.planner.endpoint, "planner.endpoint"))
    answers = await asyncio.gather(*(endpoint_problem(u, s) for u, s in endpoints))
    return found + [a for a in answers if a]
