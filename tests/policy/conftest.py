"""Tiny Qwen2 policies built in a temporary directory once per session (no downloads).

Test modules that use them skip themselves when torch/transformers are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_corpus import CORPUS, TRAINED

from prover_core.policy.tiny import build_tiny_policy


def train_pairs(path: Path, pairs: dict[str, str], steps: int = 80) -> None:
    """Fine-tune the saved model on `state:::tactic<eos>` (loss on the tactic only), in place."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    rows, labels = [], []
    for state, tactic in pairs.items():
        p = tok(f"{state}:::")["input_ids"]
        t = tok(tactic, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        rows.append(p + t)
        labels.append([-100] * len(p) + t)
    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [tok.pad_token_id] * (width - len(r)) for r in rows])
    lab = torch.tensor([r + [-100] * (width - len(r)) for r in labels])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, attention_mask=mask, labels=lab).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.save_pretrained(path)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_policy(CORPUS, tmp_path_factory.mktemp("tiny"), seed=0)


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_tiny_policy(CORPUS, tmp_path_factory.mktemp("trained"), seed=1)
    train_pairs(path, TRAINED)
    return path
