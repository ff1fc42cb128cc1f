"""SFT: loss masking, tokenisation shared with the policy's `score`, loss falls, LoRA."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from training.config import FinetuneConfig
from training.finetune import collate, encode_pair, finetune, load_for_inference, token_loss_sum
from training.records import read_records

torch = pytest.importorskip("torch")


def _tokenizer(path: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def test_state_tokens_carry_no_loss(tiny_model: Path) -> None:
    tok = _tokenizer(tiny_model)
    state, tactic = "p q : Prop\nh : p\n⊢ p ∨ q", "left"
    ex = encode_pair(tok, "{state}:::", state, tactic)
    prompt = tok(f"{state}:::")["input_ids"]
    target = tok(tactic, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    assert ex.ids == prompt + target  # tokenised separately, ids concatenated
    assert ex.labels[: len(prompt)] == [-100] * len(prompt)
    assert ex.labels[len(prompt) :] == target
    batch = collate([ex, encode_pair(tok, "{state}:::", "⊢ True", "trivial")], tok.pad_token_id)
    padded = batch["attention_mask"] == 0
    assert bool((batch["labels"][padded] == -100).all())


def test_masked_tokens_do_not_move_the_loss(tiny_model: Path) -> None:
    """Only tactic tokens are counted, and a fully masked batch has zero loss."""
    from transformers import AutoModelForCausalLM

    tok = _tokenizer(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    ex = encode_pair(tok, "{state}:::", "⊢ p", "exact h")
    batch = collate([ex], tok.pad_token_id)
    _, n = token_loss_sum(model, batch)
    n_target = sum(1 for x in ex.labels if x != -100)
    assert n == n_target  # position 0 is a prompt token: every target has a predecessor
    batch["labels"][:] = -100
    loss, n0 = token_loss_sum(model, batch)
    assert n0 == 0 and float(loss.detach()) == 0.0


def test_encoding_matches_the_policy_score(tiny_model: Path) -> None:
    from prover_core.policy.hf import HfTacticGenerator

    policy = HfTacticGenerator(str(tiny_model), device="cpu")
    tok = policy.tokenizer
    ex = encode_pair(tok, policy.template, "⊢ p → p", "intro h")
    scores = asyncio.run(policy.score([("⊢ p → p", "intro h")]))[0]
    assert len(scores) == sum(1 for x in ex.labels if x != -100)


def test_tiny_model_loss_falls_on_fixed_pairs(
    tiny_model: Path, seed_file: Path, tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM

    pairs = [(r.state, r.tactic) for r in read_records(seed_file)][:24]
    tok = _tokenizer(tiny_model)
    batch = collate([encode_pair(tok, "{state}:::", s, t) for s, t in pairs], tok.pad_token_id)

    def mean_loss(path: Path) -> float:
        model = AutoModelForCausalLM.from_pretrained(path)
        with torch.no_grad():
            loss, n = token_loss_sum(model, batch)
        return float(loss) / n

    cfg = FinetuneConfig(lr=1e-2, epochs=1, min_steps=30, batch_size=8)
    out = tmp_path / "tuned"
    result = finetune(tiny_model, out, pairs, cfg, seed=0, device="cpu")
    assert result.steps == 30
    before, after = mean_loss(tiny_model), mean_loss(out)
    assert after < 0.6 * before
    assert result.last_loss < result.first_loss


def test_same_seed_same_weights(tiny_model: Path, seed_file: Path, tmp_path: Path) -> None:
    pairs = [(r.state, r.tactic) for r in read_records(seed_file)][:16]
    cfg = FinetuneConfig(lr=1e-3, epochs=2, batch_size=4, grad_accum=2)
    a = finetune(tiny_model, tmp_path / "a", pairs, cfg, seed=5, device="cpu")
    b = finetune(tiny_model, tmp_path / "b", pairs, cfg, seed=5, device="cpu")
    assert a.last_loss == b.last_loss
    wa = (tmp_path / "a" / "model.safetensors").read_bytes()
    assert wa == (tmp_path / "b" / "model.safetensors").read_bytes()


def test_lora_trains_a_fresh_adapter_and_merges(
    tiny_model: Path, seed_file: Path, tmp_path: Path
) -> None:
    pytest.importorskip("peft")
    pairs = [(r.state, r.tactic) for r in read_records(seed_file)][:16]
    cfg = FinetuneConfig(method="lora", lr=1e-2, epochs=1, min_steps=10, batch_size=8, lora_rank=4)
    out = tmp_path / "lora"
    finetune(tiny_model, out, pairs, cfg, seed=0, device="cpu", fresh_adapter=True)
    assert (out / "adapter_config.json").exists()
    assert not (out / "model.safetensors").exists()  # the adapter only
    again = tmp_path / "lora2"
    finetune(out, again, pairs, cfg, seed=1, device="cpu")  # continues it
    model, _ = load_for_inference(again, "cpu", "float32")
    assert not any("lora" in n for n, _ in model.named_parameters())  # merged


def _weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_lora_after_full_rests_on_the_full_weights(
    tiny_model: Path, seed_file: Path, tmp_path: Path
) -> None:
    """A LoRA round after a full fine-tune keeps the full fine-tune: its adapter sits on the
    full checkpoint (a near-zero step leaves exactly those weights), not on the base."""
    pytest.importorskip("peft")
    from training.finetune import is_lora_checkpoint

    pairs = [(r.state, r.tactic) for r in read_records(seed_file)][:16]
    full = tmp_path / "full"
    finetune(tiny_model, full, pairs, FinetuneConfig(lr=1e-2, min_steps=5, batch_size=8),
             seed=0, device="cpu")  # fmt: skip
    lora = tmp_path / "lora"
    tiny_lr = FinetuneConfig(method="lora", lr=1e-12, min_steps=1, batch_size=8, lora_rank=4)
    finetune(full, lora, pairs, tiny_lr, seed=0, device="cpu")
    assert is_lora_checkpoint(lora)
    merged = _weights(load_for_inference(lora, "cpu", "float32")[0])
    assert _close(merged, _weights(load_for_inference(full, "cpu", "float32")[0]))
    assert not _close(merged, _weights(load_for_inference(tiny_model, "cpu", "float32")[0]))


def test_full_after_lora_trains_the_merged_weights(
    tiny_model: Path, seed_file: Path, tmp_path: Path
) -> None:
    pytest.importorskip("peft")
    from prover_core.errors import ConfigError

    pairs = [(r.state, r.tactic) for r in read_records(seed_file)][:16]
    lora = tmp_path / "lora"
    cfg = FinetuneConfig(method="lora", lr=5e-2, min_steps=5, batch_size=8, lora_rank=4)
    finetune(tiny_model, lora, pairs, cfg, seed=0, device="cpu", fresh_adapter=True)
    full = tmp_path / "full"
    finetune(lora, full, pairs, FinetuneConfig(lr=1e-12, min_steps=1, batch_size=8),
             seed=0, device="cpu")  # fmt: skip
    assert (full / "model.safetensors").exists()
    merged = _weights(load_for_inference(lora, "cpu", "float32")[0])
    assert _close(_weights(load_for_inference(full, "cpu", "float32")[0]), merged)
    assert not _close(merged, _weights(load_for_inference(tiny_model, "cpu", "float32")[0]))
    with pytest.raises(ConfigError, match="LoRA checkpoint"):  # nothing full to rest on
        finetune(lora, tmp_path / "x", pairs, cfg, seed=0, device="cpu", fresh_adapter=True)
