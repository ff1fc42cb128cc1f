"""Training-side GPU throughput: teacher-forced scoring and SFT steps, as % of bf16 peak.

Phases (each guarded and timed; JSON rewritten after every phase):

  matmul       8192^3 bf16 matmul TFLOP/s: the attainable dense peak of this device
  score_7b     Qwen2.5-Math-7B shape, 64 x 512 tokens, forward under no_grad, per-token
               log-probs by a chunked log-softmax gather (never the whole [64, 512, V] logits
               in float32) as the perplexity filter does; FLOPs/token = 2 N
  sft_lora_7b  frozen bf16 7B base + our own rank-16 adapters on q/k/v/o, AdamW on the
               adapters, 64 x 512 tokens per step in micro-batches; FLOPs/token = 4 N (forward
               + input gradients; no weight gradients for the frozen base)
  sft_full_05b Qwen2.5-0.5B shape, full fine-tune: float32 master weights, bf16 autocast,
               fused AdamW, 64 x 512 tokens per step; FLOPs/token = 6 N

N counts every parameter (as BENCHMARKS.md's reference figure does); attention's own FLOPs
are not counted. `--shape tiny` runs the same code on CPU with tiny shapes.

    python benchmarks/gpu_train.py --shape 7b --out bench-out/train.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from gpu_decode import Run, build_model, sync, timed
from torch import nn

PEAK_TFLOPS = [("H200", 989.0), ("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H100", 989.0)]


class LoRALinear(nn.Module):
    """base(x) + (x A^T) B^T * alpha / r, with a frozen base and float32 adapters."""

    def __init__(self, base: nn.Linear, rank: int = 16, alpha: float = 32.0) -> None:
        super().__init__()
        self.base = base
        dev = base.weight.device
        self.a = nn.Parameter(torch.randn(rank, base.in_features, device=dev) / rank)
        self.b = nn.Parameter(torch.zeros(base.out_features, rank, device=dev))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        low = F.linear(F.linear(x, self.a.to(x.dtype)), self.b.to(x.dtype))
        out: torch.Tensor = self.base(x) + low * self.scale
        return out


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def flops_report(
    tokens: int, flops_per_token: float, seconds: float, peaks: dict[str, Any]
) -> dict[str, Any]:
    tflops = tokens * flops_per_token / seconds / 1e12
    out = {"tokens_per_s": tokens / seconds, "tflops": tflops, "step_s": seconds}
    for key in ("nominal_tflops", "matmul_tflops"):
        if peaks.get(key):
            out[f"pct_of_{key}"] = 100 * tflops / peaks[key]
    return out


def matmul_peak(device: torch.device, size: int) -> dict[str, Any]:
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a = torch.randn(size, size, dtype=dtype, device=device)
    b = torch.randn(size, size, dtype=dtype, device=device)
    a @ b
    s = timed(lambda: [a @ b for _ in range(10)], device, 3) / 10
    nominal = next((tf for key, tf in PEAK_TFLOPS if key in name), None)
    return {"device": name, "matmul_tflops": 2 * size**3 / s / 1e12, "nominal_tflops": nominal}


def token_logprobs(model: Any, ids: torch.Tensor, chunk: int) -> Any:
    """log p(ids[:, t+1] | ids[:, :t+1]) for every row: [B, L-1] float32."""
    hidden = model.base_model(input_ids=ids).last_hidden_state[:, :-1]
    h = hidden.reshape(-1, hidden.shape[-1])
    target = ids[:, 1:].reshape(-1)
    head = model.get_output_embeddings()
    out = torch.empty(target.shape[0], dtype=torch.float32, device=ids.device)
    for lo in range(0, h.shape[0], chunk):
        logits = head(h[lo : lo + chunk]).float()
        picked = logits.gather(-1, target[lo : lo + chunk, None]).squeeze(-1)
        out[lo : lo + chunk] = picked - torch.logsumexp(logits, dim=-1)
    return out.view(ids.shape[0], -1)  # [B, L-1]


def score(model: Any, rows: int, length: int, reps: int, peaks: dict[str, Any]) -> Any:
    device = model.device
    ids = torch.randint(1, model.config.vocab_size, (rows, length), device=device)
    with torch.no_grad():
        lp = token_logprobs(model, ids, chunk=4096)
        ref = model(input_ids=ids[:1]).logits[0, :-1].float().log_softmax(-1)
        ref = ref.gather(-1, ids[0, 1:, None]).squeeze(-1)
        err = (lp[0] - ref).abs().max().item()
        s = timed(lambda: token_logprobs(model, ids, chunk=4096), device, reps)
    tokens = rows * length
    return {**flops_report(tokens, 2 * n_params(model), s, peaks), "check_max_abs_err": err}


def sft_step(model: Any, opt: Any, ids: torch.Tensor, micro: int, autocast: bool) -> float:
    """One optimizer step over `ids` in micro-batches of `micro` rows; returns the mean loss."""
    total = 0.0
    parts = torch.split(ids, micro)
    for part in parts:
        with torch.autocast(ids.device.type, dtype=torch.bfloat16, enabled=autocast):
            hidden = model.base_model(input_ids=part).last_hidden_state[:, :-1]
            logits = model.get_output_embeddings()(hidden).float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), part[:, 1:].reshape(-1))
        (loss / len(parts)).backward()  # type: ignore[no-untyped-call]
        total += loss.item() / len(parts)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return total


def sft(
    model: Any, trainable: list[nn.Parameter], flops_per_token: float, *, rows: int, length: int,
    micro: int, steps: int, autocast: bool, lr: float, peaks: dict[str, Any],
) -> Any:  # fmt: skip
    device = next(model.parameters()).device
    model.train()
    fused = device.type == "cuda"
    opt = torch.optim.AdamW(trainable, lr=lr, fused=fused)
    ids = torch.randint(1, model.config.vocab_size, (rows, length), device=device)
    losses = [sft_step(model, opt, ids, micro, autocast)]  # warm-up (optimizer state, kernels)
    times = []
    for _ in range(steps):
        sync(device)
        t = time.perf_counter()
        losses.append(sft_step(model, opt, ids, micro, autocast))
        sync(device)
        times.append(time.perf_counter() - t)
    s = sorted(times)[len(times) // 2]
    mem = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else None
    report = flops_report(rows * length, flops_per_token, s, peaks)
    return {**report, "losses": losses, "loss_fell": losses[-1] < losses[0], "max_mem_gib": mem}


def add_lora(model: Any, rank: int) -> list[nn.Parameter]:
    model.requires_grad_(False)
    params: list[nn.Parameter] = []
    for layer in model.base_model.layers:
        attn = layer.self_attn
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            wrapped = LoRALinear(getattr(attn, name), rank)
            setattr(attn, name, wrapped)
            params += [wrapped.a, wrapped.b]
    return params


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", choices=["7b", "tiny"], default="7b")
    ap.add_argument("--out", type=Path, default=Path("bench-out/train.json"))
    ap.add_argument("--rows", type=int, default=64)
    ap.add_argument("--length", type=int, default=512)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--budget-s", type=float, default=180.0)
    args = ap.parse_args()
    tiny = args.shape == "tiny"
    device = torch.device("cpu" if tiny or not torch.cuda.is_available() else "cuda")
    dtype = torch.float32 if device.type == "cpu" else torch.bfloat16
    rows, length = (8, 64) if tiny else (args.rows, args.length)
    big, small = ("tiny", "tiny") if tiny else ("7b", "0.5b")
    meta = {"shape": args.shape, "device": str(device), "rows": rows, "length": length}
    meta["torch"] = torch.__version__
    run = Run(args.out, args.budget_s, meta)
    run.log(f"meta {json.dumps(meta)}")
    peaks = run.phase(
        "matmul", lambda: matmul_peak(device, 512 if tiny else 8192), need_s=5, limit_s=30
    )
    peaks = peaks or {}
    model = run.phase("build_7b", lambda: build_model(big, device, dtype), need_s=30, limit_s=120)
    if model is not None:
        run.results["meta"]["params_7b"] = n_params(model)
        run.phase(
            "score_7b",
            lambda: score(model, rows, length, args.reps, peaks),
            need_s=20,
            limit_s=90,
        )
        lora = run.phase("lora_7b", lambda: add_lora(model, 16), need_s=30, limit_s=30)
        if lora is not None:
            run.phase(
                "sft_lora_7b",
                lambda: sft(
                    model, lora, 4 * n_params(model), rows=rows, length=length,
                    micro=max(1, rows // 8), steps=2, autocast=False, lr=1e-4, peaks=peaks,
                ),
                need_s=30,
                limit_s=120,
            )  # fmt: skip
        del model, lora
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
    small_model = run.phase(
        "build_05b", lambda: build_model(small, device, torch.float32), need_s=20, limit_s=60
    )
    if small_model is not None:
        run.results["meta"]["params_05b"] = n_params(small_model)
        run.phase(
            "sft_full_05b",
            lambda: sft(
                small_model, list(small_model.parameters()), 6 * n_params(small_model),
                rows=rows, length=length, micro=max(1, rows // 4), steps=3,
                autocast=device.type == "cuda", lr=1e-5, peaks=peaks,
            ),
            need_s=20,
            limit_s=90,
        )  # fmt: skip
    run.log(f"results written to {args.out}")
    print(json.dumps(run.results["phases"], indent=1, default=str))
    return 0 if not run.results["errors"] else 2


if __name__ == "__main__":
    sys.exit(main())
