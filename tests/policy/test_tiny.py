from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from transformers import AutoModelForCausalLM, AutoTokenizer


def test_tiny_policy_loads_with_auto_classes(tiny_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    assert tok.eos_token_id is not None and tok.pad_token_id == tok.eos_token_id
    assert model.config.vocab_size == len(tok)
    cfg = model.config
    assert cfg.hidden_size // cfg.num_attention_heads >= 32
    assert cfg.num_attention_heads > cfg.num_key_value_heads


def test_newline_is_a_token_the_model_can_emit(tiny_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    (nl,) = tok("\n", add_special_tokens=False)["input_ids"]
    assert tok.decode([nl]) == "\n"
    ids = tok("simp\nrfl", add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == "simp\nrfl"
    assert any("\n" in tok.decode([i]) for i in ids)
