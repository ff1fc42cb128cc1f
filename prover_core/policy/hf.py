"""The transformers backend of the step-prover policy (CPU and CUDA).

Token convention (see `TacticGenerator`): a candidate's log-prob and token count cover its
sampled tokens up to and including the terminator, the first token whose text contains a
newline, or EOS (or another special token); `score` teacher-forces tactic ids + EOS.
Log-probs are raw: log-softmax of the model's logits before temperature and top-p.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    StoppingCriteria,
    StoppingCriteriaList,
)

from prover_core.errors import PolicyUnavailable
from prover_core.policy.decode import FastDecoder
from prover_core.policy.prompts import DEFAULT_TEMPLATE, clean_completion, render_prompt
from prover_core.policy.protocol import Sampling
from prover_core.types import TacticCandidate

log = logging.getLogger(__name__)

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class _StopOnMask(StoppingCriteria):  # type: ignore[misc]
    """Per row: stop once the last token is marked in `mask` [V]."""

    def __init__(self, mask: torch.Tensor) -> None:
        self.mask = mask

    def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
        return self.mask[input_ids[:, -1]]


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: str | torch.dtype, device: torch.device) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return _DTYPES[dtype]


def left_pad(seqs: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids [B, P] right-aligned, and the mask of real tokens."""
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        if s:
            ids[i, width - len(s) :] = torch.tensor(s, dtype=torch.long)
            mask[i, width - len(s) :] = 1
    return ids, mask


class HfTacticGenerator:
    """`TacticGenerator` over a transformers causal LM.

    One call uses the model at a time (an asyncio lock queues callers; a thread lock keeps the
    model exclusive even when an awaiting caller is cancelled while its thread still runs).
    `max_batch` caps the sequences (states × n) in one model batch; a state's n samples are
    never split. `fast_decode` (default: on CUDA) uses `FastDecoder` for Qwen2-shaped models.
    """

    def __init__(
        self,
        model_path_or_model: str | Path | Any,
        tokenizer: Any | None = None,
        *,
        device: str = "auto",
        dtype: str | torch.dtype = "auto",
        prompt_template: str = DEFAULT_TEMPLATE,
        max_batch: int = 64,
        fast_decode: bool | None = None,
    ) -> None:
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        owned = isinstance(model_path_or_model, str | Path)
        model: Any
        if owned:
            path = str(model_path_or_model)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=self.dtype)
            tokenizer = tokenizer if tokenizer is not None else AutoTokenizer.from_pretrained(path)
        else:
            model = model_path_or_model
        if tokenizer is None:
            raise ValueError("a tokenizer is required with a model object")
        self.model: Any = model.to(device=self.device, dtype=self.dtype).eval()
        self.tokenizer: Any = tokenizer
        self.template = prompt_template
        self.max_batch = max_batch
        self.eos_id: int = tokenizer.eos_token_id
        pad = tokenizer.pad_token_id
        self.pad_id: int = self.eos_id if pad is None else pad
        # Sampling settings come from each call, never from a checkpoint's defaults.
        self.model.generation_config = GenerationConfig(
            eos_token_id=self.eos_id, pad_token_id=self.pad_id
        )
        self.stop_mask = self._stop_mask().to(self.device)
        self._stop_list: list[bool] = self.stop_mask.tolist()
        self.fast: FastDecoder | None = None
        if fast_decode is None:
            fast_decode = self.device.type == "cuda"
        if fast_decode:
            try:
                self.fast = FastDecoder(self.model, fuse_in_place=owned)
            except AttributeError as e:  # not Qwen2/Llama-shaped: transformers' generate
                log.warning("fast decode unavailable for %s: %s", type(self.model).__name__, e)
        self._alock = asyncio.Lock()
        self._tlock = threading.Lock()
        self._closed = False

    def _stop_mask(self) -> torch.Tensor:
        """[V] bool: EOS, other special tokens, and every token whose text contains a newline."""
        vocab = self.model.get_output_embeddings().weight.shape[0]
        known = min(vocab, len(self.tokenizer))
        texts = self.tokenizer.batch_decode([[i] for i in range(known)])
        mask = torch.zeros(vocab, dtype=torch.bool)
        mask[[i for i, t in enumerate(texts) if "\n" in t]] = True
        mask[[i for i in self.tokenizer.all_special_ids if i < vocab]] = True
        mask[self.eos_id] = True
        return mask

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _encode_tactic(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    async def _run(self, fn: Any, *args: Any) -> Any:
        if self._closed:
            raise PolicyUnavailable("the hf policy is closed")
        async with self._alock:
            return await asyncio.to_thread(self._locked, fn, *args)

    def _locked(self, fn: Any, *args: Any) -> Any:
        with self._tlock:
            if self._closed:
                raise PolicyUnavailable("the hf policy is closed")
            try:
                with torch.no_grad():
                    return fn(*args)
            except (RuntimeError, torch.cuda.OutOfMemoryError) as e:
                raise PolicyUnavailable(f"hf policy failed: {e}") from e

    async def generate(
        self, states: Sequence[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        sampling.validate_n(n)
        if not states:
            return []
        result: list[list[TacticCandidate]] = await self._run(
            self._generate_sync, list(states), n, sampling
        )
        return result

    async def score(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        if not pairs:
            return []
        result: list[list[float]] = await self._run(self._score_sync, list(pairs))
        return result

    async def aclose(self) -> None:
        async with self._alock:
            self._closed = True
            self.fast = None
            self.model = None
            if self.device.type == "cuda":
                torch.cuda.empty_cache()

    def _seeded(self, seed: int | None) -> contextlib.AbstractContextManager[Any]:
        if seed is None:
            return contextlib.nullcontext()
        devices = [self.device] if self.device.type == "cuda" else []
        ctx = torch.random.fork_rng(devices=devices)

        @contextlib.contextmanager
        def seeded() -> Iterator[None]:
            with ctx:
                torch.manual_seed(seed)
                yield

        return seeded()

    def _chunks(self, count: int, per_item: int) -> Iterator[range]:
        step = max(1, self.max_batch // per_item)
        for lo in range(0, count, step):
            yield range(lo, min(count, lo + step))

    def _generate_sync(
        self, states: list[str], n: int, sampling: Sampling
    ) -> list[list[TacticCandidate]]:
        prompts = [self._encode(render_prompt(self.template, s)) for s in states]
        out: list[list[TacticCandidate]] = []
        with self._seeded(sampling.seed):
            for chunk in self._chunks(len(states), n):
                rows = [prompts[i] for i in chunk for _ in range(n)]
                ids, mask = left_pad(rows, self.pad_id)
                tokens, lps = self._decode(ids, mask, sampling)
                cands = [self._candidate(tokens[r], lps[r]) for r in range(len(rows))]
                out.extend(cands[j * n : (j + 1) * n] for j in range(len(chunk)))
        return out

    def _decode(
        self, ids: torch.Tensor, mask: torch.Tensor, sampling: Sampling
    ) -> tuple[list[list[int]], list[list[float]]]:
        """Sampled token ids and their raw log-probs per row (may run past the terminator)."""
        if self.fast is not None:
            res = self.fast.generate(
                ids,
                mask,
                max_new_tokens=sampling.max_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                stop_mask=self.stop_mask,
            )
            return res.tokens.tolist(), res.logprobs.tolist()
        how: dict[str, Any] = {"do_sample": False}
        if not sampling.greedy:
            how = {"do_sample": True, "temperature": sampling.temperature, "top_k": 0}
            how["top_p"] = sampling.top_p
        gen = self.model.generate(
            input_ids=ids.to(self.device),
            attention_mask=mask.to(self.device),
            **how,
            max_new_tokens=sampling.max_tokens,
            output_logits=True,
            return_dict_in_generate=True,
            stopping_criteria=StoppingCriteriaList([_StopOnMask(self.stop_mask)]),
        )
        new = gen.sequences[:, ids.shape[1] :]
        # `logits` are the raw scores of each step, before any processor.
        logits = torch.stack(gen.logits, dim=1).float()
        lps = torch.log_softmax(logits, dim=-1).gather(-1, new[..., None]).squeeze(-1)
        return new.cpu().tolist(), lps.cpu().tolist()

    def _candidate(self, tokens: list[int], lps: list[float]) -> TacticCandidate:
        end = len(tokens)
        for j, t in enumerate(tokens):
            if self._stop_list[t]:
                end = j + 1
                break
        known = len(self.tokenizer)
        kept = [t for t in tokens[:end] if t < known]
        text = clean_completion(self.tokenizer.decode(kept, skip_special_tokens=True))
        return TacticCandidate(text=text, logprob=float(sum(lps[:end])), n_tokens=end)

    def _score_sync(self, pairs: list[tuple[str, str]]) -> list[list[float]]:
        out: list[list[float]] = []
        base = self.model.base_model
        head = self.model.get_output_embeddings()
        for chunk in self._chunks(len(pairs), 1):
            prompts = [self._encode(render_prompt(self.template, pairs[i][0])) for i in chunk]
            tactics = [[*self._encode_tactic(pairs[i][1]), self.eos_id] for i in chunk]
            seqs = [p + t for p, t in zip(prompts, tactics, strict=True)]
            width = max(len(s) for s in seqs)
            ids = torch.full((len(seqs), width), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(seqs), width), dtype=torch.long)
            for i, s in enumerate(seqs):  # right padding: positions are 0..len-1 per row
                ids[i, : len(s)] = torch.tensor(s)
                mask[i, : len(s)] = 1
            ids, mask = ids.to(self.device), mask.to(self.device)
            hidden = base(input_ids=ids, attention_mask=mask).last_hidden_state
            for i, (p, t) in enumerate(zip(prompts, tactics, strict=True)):
                # The logits at position k predict token k + 1.
                h = hidden[i, len(p) - 1 : len(p) + len(t) - 1]
                lp = torch.log_softmax(head(h).float(), dim=-1)
                target = torch.tensor(t, device=self.device)
                out.append(lp.gather(-1, target[:, None]).squeeze(-1).tolist())
        return out
