"""POSTing JSON to OpenAI-compatible servers, with timeouts, retries and clear errors.

Invariants: retries only on timeouts, connection errors, 408/429 and 5xx, with exponential
backoff; any other HTTP error or a non-object JSON answer raises at once with the server's
words; the exception type is the caller's (the policy and the planner fail differently).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp

from prover_core.errors import LeanstepError

_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def v1_url(endpoint: str, path: str) -> str:
    """`endpoint` may or may not end in `/v1`; `path` is e.g. `completions`."""
    base = endpoint.rstrip("/")
    return f"{base}/{path}" if base.endswith("/v1") else f"{base}/v1/{path}"


class JsonPoster:
    def __init__(
        self,
        url: str,
        error: type[LeanstepError],
        *,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        self.url = url
        self._error = error
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._retries = retries
        self._backoff_s = backoff_s
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _client(self) -> aiohttp.ClientSession:
        if self._closed:
            raise self._error(f"the client for {self.url} is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self._session

    async def post(self, body: dict[str, Any]) -> dict[str, Any]:
        last = ""
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                async with self._client().post(self.url, json=body) as resp:
                    text = await resp.text()
                    if resp.status in _RETRY_STATUS:
                        last = f"HTTP {resp.status}: {text[:300]}"
                        continue
                    if resp.status >= 400:
                        raise self._error(
                            f"{self.url} refused the request: HTTP {resp.status}: {text[:500]}"
                        )
                    return self._parse(text)
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as e:
                last = f"{type(e).__name__}: {e}"
        raise self._error(f"{self.url}: no answer after {self._retries + 1} tries: {last}")

    def _parse(self, text: str) -> dict[str, Any]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise self._error(f"{self.url} answered non-JSON: {text[:200]!r}") from None
        if not isinstance(data, dict):
            raise self._error(f"{self.url} answered a JSON {type(data).__name__}")
        return data

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            with contextlib.suppress(Exception):
                await self._session.close()
            self._session = None
