"""FastDecoder against the transformers model it reads (float32 CPU: equal to 1e-4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
import torch
from transformers import AutoModelForCausalLM

from prover_core.policy.decode import FastDecoder, sample_tokens


def _model(path: Path) -> Any:
    model: Any = AutoModelForCausalLM.from_pretrained(path)
    model.eval()
    with torch.no_grad():  # sharpen the random model so mistakes show in the log-probs
        for p in model.parameters():
            p.mul_(4.0)
    return model


def _prompts() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1, 200, (3, 9), generator=g)
    mask = torch.ones_like(ids)
    mask[1, :4] = 0
    mask[2, :1] = 0
    return ids.masked_fill(mask == 0, 0), mask


def _reference_logprobs(
    model: Any, ids: torch.Tensor, mask: torch.Tensor, new: torch.Tensor
) -> torch.Tensor:
    full = torch.cat([ids, new], 1)
    full_mask = torch.cat([mask, torch.ones_like(new)], 1)
    with torch.no_grad():
        logits = model(input_ids=full, attention_mask=full_mask).logits.float()
    lp = torch.log_softmax(logits[:, ids.shape[1] - 1 : -1], -1)
    return lp.gather(-1, new[..., None]).squeeze(-1)


@pytest.mark.parametrize("attention", ["sdpa", "matmul"])
@pytest.mark.parametrize(("temperature", "top_p"), [(1.0, 1.0), (1.3, 0.8), (0.0, 1.0)])
def test_decoded_logprobs_equal_teacher_forced_ones(
    tiny_dir: Path, temperature: float, top_p: float, attention: Any
) -> None:
    model = _model(tiny_dir)
    ids, mask = _prompts()
    torch.manual_seed(0)
    dec = FastDecoder(model, fuse_in_place=True, attention=attention)
    out = dec.generate(ids, mask, max_new_tokens=7, temperature=temperature, top_p=top_p)
    assert out.tokens.shape == (3, 7) and out.steps == 7
    ref = _reference_logprobs(model, ids, mask, out.tokens)
    torch.testing.assert_close(out.logprobs, ref, atol=1e-4, rtol=0)


def test_greedy_equals_transformers_generate(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    ids, mask = _prompts()
    with torch.no_grad():
        ref = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=False,
            max_new_tokens=6,
            min_new_tokens=6,
            pad_token_id=0,
        )[:, ids.shape[1] :]
    out = FastDecoder(model, fuse_in_place=False).generate(
        ids, mask, max_new_tokens=6, temperature=0
    )
    assert torch.equal(out.tokens, ref)


def test_fusing_in_place_keeps_the_model_function(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    ids, mask = _prompts()
    with torch.no_grad():
        before = model(input_ids=ids, attention_mask=mask).logits
        FastDecoder(model, fuse_in_place=True)
        after = model(input_ids=ids, attention_mask=mask).logits
    torch.testing.assert_close(before, after)


def test_stop_mask_ends_decoding_early(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    ids, mask = _prompts()
    stop = torch.ones(model.config.vocab_size, dtype=torch.bool)  # every token terminates
    out = FastDecoder(model).generate(
        ids, mask, max_new_tokens=40, temperature=1.0, stop_mask=stop, check_every=4
    )
    assert out.steps == 4


def test_top_p_keeps_only_the_nucleus() -> None:
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]])).expand(2000, -1).contiguous()
    torch.manual_seed(0)
    tok, lp = sample_tokens(logits, 1.0, 0.7, greedy=False)
    assert set(tok.tolist()) == {0, 1}  # 0.5 < 0.7 needs token 1 as well; not token 2
    torch.testing.assert_close(lp, torch.log_softmax(logits, -1).gather(-1, tok[:, None])[:, 0])
    share = (tok == 0).float().mean().item()
    assert 0.55 < share < 0.70  # 0.5 / 0.8 renormalised


def test_a_reused_longer_cache_gives_the_same_results(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    dec = FastDecoder(model)
    ids, mask = _prompts()
    dec.generate(ids, mask, max_new_tokens=7, temperature=1.0)  # leaves stale slots behind
    short_ids, short_mask = ids[:, 4:], mask[:, 4:]
    short_mask[1, 0] = 0  # row 1 keeps one pad
    out = dec.generate(short_ids, short_mask, max_new_tokens=5, temperature=1.0)
    assert len(dec._states) == 1
    ref = _reference_logprobs(model, short_ids, short_mask, out.tokens)
    torch.testing.assert_close(out.logprobs, ref, atol=1e-4, rtol=0)
