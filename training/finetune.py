"""Supervised fine-tuning on (state, tactic) pairs: a plain loop you can read top to bottom.

Why not `transformers.Trainer`/TRL: the loss is completion-only with a tokenisation that must
match the policy's `score` exactly (prompt and tactic tokenised separately, ids concatenated,
EOS appended), and a run must be bit-reproducible on CPU to resume after a crash; both are a
few explicit lines here and hidden behind collators and callbacks there.

Invariants:
- Labels are -100 on every prompt token and on padding: only tactic tokens and the EOS
  after them carry loss (`encode_pair`).
- The loss of an optimizer step is the mean over all target tokens of its `grad_accum`
  micro-batches (token-weighted, so accumulation equals one large batch).
- Data order comes from `random.Random(seed)`; together with `torch.manual_seed(seed)` the
  same inputs give the same weights on the same device and thread count.
- A checkpoint directory appears only complete (written beside, then renamed).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from prover_core.errors import ConfigError
from prover_core.policy.prompts import render_prompt
from training.config import FinetuneConfig
from training.results import FinetuneResult

META = "leanstep_model.json"
Log = Callable[[str, float, int], None]


@dataclass(frozen=True)
class Example:
    ids: list[int]
    labels: list[int]


def encode_pair(tokenizer: Any, template: str, state: str, tactic: str) -> Example:
    """`prompt ids ++ tactic ids ++ [EOS]`, loss only on the tactic and EOS."""
    prompt = list(tokenizer(render_prompt(template, state), add_special_tokens=True)["input_ids"])
    target = [*tokenizer(tactic, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]
    return Example(prompt + target, [-100] * len(prompt) + target)


def collate(batch: Sequence[Example], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded ids, attention mask and labels (padding labelled -100)."""
    width = max(len(e.ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, e in enumerate(batch):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        labels[i, : len(e.labels)] = torch.tensor(e.labels)
        mask[i, : len(e.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def token_loss_sum(model: Any, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
    """Summed next-token cross-entropy over labelled positions, and their count."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    logits = logits[:, :-1].float()
    target = batch["labels"][:, 1:]
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=-100, reduction="sum"
    )
    return loss, int((target != -100).sum())


def _batches(examples: Sequence[Example], size: int, rng: random.Random) -> Iterator[list[Example]]:
    """Endless micro-batches; each epoch is a fresh seeded shuffle."""
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        for lo in range(0, len(order), size):
            yield [examples[i] for i in order[lo : lo + size]]


def _schedule(step: int, total: int, warmup: int) -> float:
    """Linear warm-up then cosine decay to 10% of the peak."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def _meta(path: Path) -> dict[str, Any]:
    meta = path / META
    return dict(json.loads(meta.read_text())) if meta.exists() else {}


def is_lora_checkpoint(path: Path) -> bool:
    """`path` holds a LoRA adapter written by `finetune` (its base named in the metadata)."""
    return _meta(path).get("kind") == "lora"


def _from_pretrained(path: Path, dtype: torch.dtype, device: torch.device) -> Any:
    from transformers import AutoModelForCausalLM

    auto: Any = AutoModelForCausalLM
    return auto.from_pretrained(path, dtype=dtype).to(device)


def load_trainable(
    start: Path, config: FinetuneConfig, fresh_adapter: bool, device: torch.device
) -> tuple[Any, Path]:
    """The model to train from checkpoint `start`, and the full weights it rests on.

    full: `start`'s weights (a LoRA `start` merged into its base first).
    lora: a fresh adapter on `start`'s full weights, or `start`'s own adapter continued on
    its base. A fresh adapter on a LoRA checkpoint is refused: its weights are not on disk
    as a full checkpoint to rest on.
    """
    if config.method == "full":
        if is_lora_checkpoint(start):
            model, _ = load_for_inference(start, str(device), "float32")
            model.requires_grad_(True)  # peft froze the base weights it merged into
            return model, start
        return _from_pretrained(start, torch.float32, device), start
    from peft import LoraConfig, PeftModel, get_peft_model

    # Frozen base weights: bf16 on GPU (memory), float32 on CPU; adapters stay float32.
    base_dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    if is_lora_checkpoint(start):
        if fresh_adapter:
            raise ConfigError(
                f"{start} is a LoRA checkpoint: a fresh adapter needs a full checkpoint to start "
                "from (train this stage with method = 'full', or continue the adapter)"
            )
        base = Path(_meta(start)["base"])
        model = _from_pretrained(base, base_dtype, device)
        return PeftModel.from_pretrained(model, start, is_trainable=True), base
    lora = LoraConfig(
        r=config.lora_rank,
        lora_alpha=int(config.lora_alpha),
        lora_dropout=config.lora_dropout,
        target_modules=list(config.lora_targets),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(_from_pretrained(start, base_dtype, device), lora), start


def load_for_inference(path: Path, device: str, dtype: str) -> tuple[Any, Any]:
    """(model, tokenizer) of a checkpoint written by `finetune` (or a plain HF directory);
    LoRA adapters are merged into their base."""
    from transformers import AutoTokenizer

    from prover_core.policy.hf import resolve_device, resolve_dtype

    dev = resolve_device(device)
    dt = resolve_dtype(dtype, dev)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if is_lora_checkpoint(path):
        from peft import PeftModel

        base = _from_pretrained(Path(_meta(path)["base"]), dt, dev)
        model = PeftModel.from_pretrained(base, path).merge_and_unload()
    else:
        model = _from_pretrained(path, dt, dev)
    return model.to(dev).eval(), tokenizer


def export_merged(src: Path, out: Path) -> None:
    """A LoRA checkpoint's merged weights as a plain checkpoint any backend loads."""
    model, tokenizer = load_for_inference(src, "cpu", "float32")
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    (tmp / META).write_text(json.dumps({"kind": "full", "base": str(src.resolve())}) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def finetune(
    start: Path,
    out: Path,
    pairs: Sequence[tuple[str, str]],
    config: FinetuneConfig,
    *,
    seed: int,
    device: str = "auto",
    template: str = "{state}:::",
    fresh_adapter: bool = False,
    log: Log | None = None,
    log_offset: int = 0,
    desc: str = "fine-tune",
) -> FinetuneResult:
    """Train from checkpoint `start` on (state, tactic) `pairs`; save to `out`."""
    from tqdm import tqdm
    from transformers import AutoTokenizer

    from prover_core.policy.hf import resolve_device

    dev = resolve_device(device)
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(start)
    encoded = [encode_pair(tokenizer, template, s, t) for s, t in pairs]
    examples = [e for e in encoded if len(e.ids) <= config.max_len]
    if not examples:
        raise ValueError("no training example fits max_len")
    model, base = load_trainable(start, config, fresh_adapter, dev)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    per_step = config.batch_size * config.grad_accum
    total = max(config.min_steps, math.ceil(config.epochs * len(examples) / per_step), 1)
    warmup = max(1, int(config.warmup_frac * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: _schedule(s, total, warmup))
    batches = _batches(examples, config.batch_size, random.Random(seed))
    autocast = dev.type == "cuda"
    first = last = float("nan")
    tokens = 0
    t0 = time.perf_counter()
    for step in tqdm(range(total), desc=desc, unit="step", leave=False):
        micro = [collate(next(batches), tokenizer.pad_token_id) for _ in range(config.grad_accum)]
        n_target = sum(int((m["labels"][:, 1:] != -100).sum()) for m in micro)
        step_loss = 0.0
        for m in micro:
            m = {k: v.to(dev) for k, v in m.items()}
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=autocast):
                loss_sum, _ = token_loss_sum(model, m)
            loss = loss_sum / n_target
            loss.backward()  # type: ignore[no-untyped-call]
            step_loss += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        tokens += n_target
        first = step_loss if step == 0 else first
        last = step_loss
        if log is not None:
            log("loss", step_loss, log_offset + step)
            log("lr", float(sched.get_last_lr()[0]), log_offset + step)
    seconds = time.perf_counter() - t0
    save_checkpoint(model, tokenizer, out, config, base)
    return FinetuneResult(
        total, len(examples), len(encoded) - len(examples), tokens, first, last, seconds
    )


def save_checkpoint(
    model: Any, tokenizer: Any, out: Path, config: FinetuneConfig, base: Path
) -> None:
    """Write beside `out`, then swap it in: `out` is always absent or complete."""
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    # `base`: the full weights under a LoRA adapter (for a full checkpoint: where it started)
    meta = {"kind": config.method, "base": str(base.resolve())}
    (tmp / META).write_text(json.dumps(meta) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
