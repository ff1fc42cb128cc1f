"""Client for any OpenAI-compatible `/v1/completions` server (`vllm serve`, Ollama, llama.cpp).

Invariants: one HTTP request per `generate` call carries every prompt (`prompt` as a list,
`n` samples each); an answer of the wrong shape raises `PolicyUnavailable` with what was
wrong (retries and HTTP errors: `prover_core.http_json`). Log-probs are the server's (vLLM
returns raw log-probs by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prover_core.errors import PolicyUnavailable
from prover_core.http_json import JsonPoster, v1_url
from prover_core.policy.prompts import clean_completion, render_prompt
from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate


class OpenAITacticGenerator:
    def __init__(
        self,
        endpoint: str,
        model: str,
        *,
        api_key: str | None = None,
        prompt_template: str = "{state}:::",
        timeout_s: float = 120.0,
        retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        self._http = JsonPoster(
            v1_url(endpoint, "completions"),
            PolicyUnavailable,
            api_key=api_key,
            timeout_s=timeout_s,
            retries=retries,
            backoff_s=backoff_s,
        )
        self._url = self._http.url
        self._model = model
        self._template = prompt_template

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._http.post(body)

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        sampling.validate_n(n)
        if not states:
            return []
        body: dict[str, Any] = {
            "model": self._model,
            "prompt": [render_prompt(self._template, s) for s in states],
            "n": n,
            "max_tokens": sampling.max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "logprobs": 1,
            "stop": ["\n"],
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        data = await self._post(body)
        return _candidates(data, len(states), n, self._url)

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """Teacher-forced log-probs of each tactic via `echo` (prompt and tactic are sent as
        one text, so token boundaries at the seam follow the server's tokenizer). The OpenAI
        API does not name the EOS token, so unlike the in-process backends no EOS log-prob
        ends the list; the perplexity filter's mean per-token log-prob is unaffected in kind.
        """
        out = []
        for state, tactic in pairs:
            prompt = render_prompt(self._template, state)
            body = {
                "model": self._model,
                "prompt": prompt + tactic,
                "max_tokens": 1,
                "temperature": 0.0,
                "echo": True,
                "logprobs": 1,
            }
            data = await self._post(body)
            out.append(_echo_logprobs(data, len(prompt), len(prompt + tactic), self._url))
        return out

    async def aclose(self) -> None:
        await self._http.aclose()


def _shape_error(url: str, what: str) -> PolicyUnavailable:
    return PolicyUnavailable(f"{url} answered an unexpected shape: {what}")


def _candidates(
    data: dict[str, Any], n_states: int, n: int, url: str
) -> list[list[TacticCandidate]]:
    choices = data.get("choices")
    if not isinstance(choices, list) or len(choices) != n_states * n:
        got = len(choices) if isinstance(choices, list) else choices
        raise _shape_error(url, f"expected {n_states * n} choices, got {got!r}")
    out: list[list[TacticCandidate]] = [[] for _ in range(n_states)]
    for pos, ch in enumerate(choices):
        if not isinstance(ch, dict) or not isinstance(ch.get("text"), str):
            raise _shape_error(url, f"choice {pos} has no text")
        idx = ch.get("index", pos)
        if not isinstance(idx, int) or not 0 <= idx < n_states * n:
            raise _shape_error(url, f"choice index {idx!r}")
        lp = ch.get("logprobs") or {}
        token_lps = lp.get("token_logprobs") if isinstance(lp, dict) else None
        if not isinstance(token_lps, list) or not all(
            isinstance(x, int | float) for x in token_lps
        ):
            raise _shape_error(url, f"choice {pos} has no token_logprobs")
        out[idx // n].append(
            TacticCandidate(
                text=clean_completion(ch["text"]),
                logprob=float(sum(token_lps)),
                n_tokens=max(len(token_lps), 1),
            )
        )
    return out


def _echo_logprobs(data: dict[str, Any], start: int, end: int, url: str) -> list[float]:
    try:
        lp = data["choices"][0]["logprobs"]
        offsets, values = lp["text_offset"], lp["token_logprobs"]
    except (KeyError, IndexError, TypeError):
        raise _shape_error(url, "echo answer without logprobs/text_offset") from None
    return [
        float(v)
        for off, v in zip(offsets, values, strict=False)
        if start <= off < end and isinstance(v, int | float)
    ]
