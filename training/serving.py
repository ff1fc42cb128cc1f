"""A run's checkpoint served as a policy, through prover_core's factory.

A full checkpoint (or a plain Hugging Face directory) is `PolicyConfig.model` for
`prover_core.policy.factory.make_policy`, so training serves exactly as the editor does; a
LoRA checkpoint is merged into its base first (hf backend only, checked by `TrainConfig`).
"""

from __future__ import annotations

from pathlib import Path

from prover_core.config import PolicyConfig
from prover_core.policy.factory import make_policy
from prover_core.policy.protocol import TacticGenerator


def load_policy(model_dir: Path, policy: PolicyConfig) -> TacticGenerator:
    """The policy backend over the checkpoint in `model_dir` (not batched)."""
    from training.finetune import is_lora_checkpoint, load_for_inference

    if is_lora_checkpoint(model_dir):
        from prover_core.policy.hf import HfTacticGenerator

        model, tokenizer = load_for_inference(model_dir, policy.device, policy.dtype)
        return HfTacticGenerator(
            model,
            tokenizer,
            device=policy.device,
            dtype=policy.dtype,
            prompt_template=policy.prompt_template,
            max_batch=policy.max_batch,
        )
    return make_policy(policy.model_copy(update={"model": str(model_dir)}))
