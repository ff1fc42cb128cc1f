"""Numerical accuracy of FastDecoder in bf16 against a float32 reference, next to the
accuracy of transformers' own bf16 forward (the noise floor of bf16 on the same weights).

Random weights make logits nearly flat, so argmax agreement between two bf16 paths is a poor
test; this compares each bf16 path with float32 logits over the same tokens instead.

    python benchmarks/gpu_decode_check.py --shape 7b --out bench-out/check.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gpu_decode import build_model, prompts

from prover_core.policy.decode import FastDecoder


def rel_err(x: torch.Tensor, ref: torch.Tensor) -> float:
    centred = ref - ref.mean(-1, keepdim=True)
    return float(((x - ref).norm(dim=-1) / centred.norm(dim=-1)).max().item())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", choices=["7b", "tiny"], default="7b")
    ap.add_argument("--out", type=Path, default=Path("bench-out/check.json"))
    ap.add_argument("--prompt", type=int, default=None)
    ap.add_argument("--steps", type=int, default=8)
    args = ap.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    length = args.prompt or (256 if args.shape == "7b" else 16)
    torch.manual_seed(0)
    model32 = build_model(args.shape, device, torch.float32)
    model16 = build_model(args.shape, device, torch.bfloat16)
    model16.load_state_dict(model32.state_dict())  # the same weights, rounded to bf16
    vocab = model32.config.vocab_size
    report: dict[str, Any] = {"shape": args.shape, "device": str(device)}
    for attention in ("sdpa", "matmul"):
        dec = FastDecoder(model16, attention=attention, fuse_in_place=False)
        for name, batch, temperature in [("b1_greedy", 1, 0.0), ("b4_sampled", 4, 1.0)]:
            ids, mask = prompts(batch, length, vocab, device, seed=1)
            seen: list[torch.Tensor] = []

            def keep(
                _step: int, logits: torch.Tensor, seen: list[torch.Tensor] = seen, b: int = batch
            ) -> None:
                seen.append(logits[:b].float().clone())

            torch.manual_seed(2)
            out = dec.generate(
                ids, mask, max_new_tokens=args.steps, temperature=temperature, on_logits=keep
            )  # fmt: skip
            fast = torch.stack(seen, 1)
            new = out.tokens.to(device)
            full = torch.cat([ids, new[:, :-1]], 1)
            with torch.no_grad():
                ref = model32(input_ids=full).logits[:, length - 1 :].float()
                hf16 = model16(input_ids=full).logits[:, length - 1 :].float()
            r = {
                "fast_bf16_vs_fp32": rel_err(fast, ref),
                "hf_bf16_vs_fp32": rel_err(hf16, ref),
                "fast_vs_hf_bf16": rel_err(fast, hf16),
            }
            r["ratio_to_hf_noise"] = r["fast_bf16_vs_fp32"] / max(r["hf_bf16_vs_fp32"], 1e-12)
            report[f"{attention}_{name}"] = r
            print(attention, name, json.dumps(r), flush=True)
        del dec
    report["ok"] = all(v["ratio_to_hf_noise"] < 1.5 for v in report.values() if isinstance(v, dict))
    print("ok", report["ok"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
