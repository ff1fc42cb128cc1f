"""Builds the configured policy backend, wrapped in the batcher. Heavy imports stay lazy."""

from __future__ import annotations

from prover_core.config import PolicyConfig
from prover_core.errors import ConfigError
from prover_core.policy.batcher import BatchingGenerator
from prover_core.policy.protocol import Sampling, TacticGenerator


def make_policy(config: PolicyConfig) -> TacticGenerator:
    """The backend named by `config.backend`, not yet batched."""
    if config.backend == "openai":
        if not config.endpoint or not config.model:
            raise ConfigError("policy.backend = 'openai' needs policy.endpoint and policy.model")
        from prover_core.policy.openai import OpenAITacticGenerator

        return OpenAITacticGenerator(
            config.endpoint,
            config.model,
            api_key=config.api_key,
            prompt_template=config.prompt_template,
            timeout_s=config.request_timeout_s,
            retries=config.retries,
        )
    if not config.model:
        raise ConfigError(f"policy.backend = {config.backend!r} needs policy.model (a path)")
    if config.backend == "vllm":
        from prover_core.policy.vllm import VllmTacticGenerator

        return VllmTacticGenerator(
            config.model, prompt_template=config.prompt_template, max_batch=config.max_batch
        )
    from prover_core.policy.hf import HfTacticGenerator

    return HfTacticGenerator(
        config.model,
        device=config.device,
        dtype=config.dtype,
        prompt_template=config.prompt_template,
        max_batch=config.max_batch,
    )


def batched(policy: TacticGenerator, config: PolicyConfig) -> BatchingGenerator:
    """The batcher for `policy`: an in-process hf model takes one call at a time; a vLLM
    engine or server takes several, since it batches across calls itself."""
    return BatchingGenerator(
        policy,
        max_batch=config.max_batch,
        max_wait_s=config.max_wait_ms / 1000.0,
        max_concurrent=1 if config.backend == "hf" else config.concurrent_calls,
    )


def sampling_of(config: PolicyConfig, *, seed: int | None = None) -> Sampling:
    return Sampling(
        temperature=config.temperature,
        top_p=config.top_p,
        max_tokens=config.max_tokens,
        seed=seed,
    )
