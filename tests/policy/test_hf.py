"""The transformers backend on tiny CPU models; both decode paths (generate and FastDecoder)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tiny_corpus import STATES, TRAINED, assert_logprobs_are_raw, assert_single_line_candidates

from prover_core.errors import PolicyUnavailable
from prover_core.policy.hf import HfTacticGenerator
from prover_core.policy.protocol import Sampling, TacticGenerator

PATHS = [pytest.param(False, id="generate"), pytest.param(True, id="fast")]


@pytest.mark.parametrize("fast", PATHS)
async def test_generate_returns_n_single_line_candidates(tiny_dir: Path, fast: bool) -> None:
    gen = HfTacticGenerator(tiny_dir, fast_decode=fast)
    assert isinstance(gen, TacticGenerator)
    out = await gen.generate(STATES, 3, Sampling(temperature=1.0, max_tokens=10, seed=0))
    assert_single_line_candidates(out, 3, 10)


@pytest.mark.parametrize("fast", PATHS)
async def test_empty_inputs_give_empty_results(tiny_dir: Path, fast: bool) -> None:
    gen = HfTacticGenerator(tiny_dir, fast_decode=fast)
    assert await gen.generate([], 4, Sampling()) == []
    assert await gen.score([]) == []


async def test_greedy_with_several_samples_is_rejected(tiny_dir: Path) -> None:
    gen = HfTacticGenerator(tiny_dir)
    with pytest.raises(ValueError, match="greedy"):
        await gen.generate(STATES, 2, Sampling(temperature=0))


@pytest.mark.parametrize("fast", PATHS)
async def test_seeded_sampling_is_reproducible(tiny_dir: Path, fast: bool) -> None:
    gen = HfTacticGenerator(tiny_dir, fast_decode=fast)
    s = Sampling(temperature=1.3, max_tokens=8, seed=7)
    a = await gen.generate(STATES, 4, s)
    b = await gen.generate(STATES, 4, s)
    c = await gen.generate(STATES, 4, Sampling(temperature=1.3, max_tokens=8, seed=8))
    assert a == b
    assert a != c


@pytest.mark.parametrize("fast", PATHS)
async def test_trained_policy_greedily_produces_its_tactic(trained_dir: Path, fast: bool) -> None:
    gen = HfTacticGenerator(trained_dir, fast_decode=fast)
    greedy = Sampling(temperature=0, max_tokens=32)
    out = await gen.generate(STATES, 1, greedy)
    assert [c[0].text for c in out] == [TRAINED[s].split("\n")[0] for s in STATES]
    # EOS-terminated candidates: log-prob and count are exactly score()'s (raw, same tokens).
    for state in STATES[:2]:
        (cand,) = (await gen.generate([state], 1, greedy))[0]
        (per_token,) = await gen.score([(state, cand.text)])
        assert cand.n_tokens == len(per_token)
        assert cand.logprob == pytest.approx(sum(per_token), abs=1e-4)
    # The first token containing a newline ends the tactic and is counted; here it is "]\n".
    (cand,) = (await gen.generate([STATES[2]], 1, greedy))[0]
    ids = gen.tokenizer(TRAINED[STATES[2]], add_special_tokens=False)["input_ids"]
    first_nl = next(i for i, t in enumerate(ids) if "\n" in gen.tokenizer.decode([t]))
    assert gen.tokenizer.decode([ids[first_nl]]) == "]\n"
    assert cand.n_tokens == first_nl + 1


@pytest.mark.parametrize("fast", PATHS)
async def test_logprobs_are_raw_whatever_the_temperature(trained_dir: Path, fast: bool) -> None:
    await assert_logprobs_are_raw(HfTacticGenerator(trained_dir, fast_decode=fast))


async def test_both_paths_agree_greedily(trained_dir: Path) -> None:
    a = HfTacticGenerator(trained_dir, fast_decode=False)
    b = HfTacticGenerator(trained_dir, fast_decode=True)
    s = Sampling(temperature=0, max_tokens=12)
    out_a = await a.generate(STATES, 1, s)
    out_b = await b.generate(STATES, 1, s)
    for (x,), (y,) in zip(out_a, out_b, strict=True):
        assert (x.text, x.n_tokens) == (y.text, y.n_tokens)
        assert x.logprob == pytest.approx(y.logprob, abs=1e-4)


async def test_small_max_batch_splits_without_changing_results(trained_dir: Path) -> None:
    big = HfTacticGenerator(trained_dir, max_batch=64)
    small = HfTacticGenerator(trained_dir, max_batch=2)
    s = Sampling(temperature=0, max_tokens=12)
    assert await big.generate(STATES, 1, s) == await small.generate(STATES, 1, s)
    pairs = [(st, TRAINED[st]) for st in STATES]
    for x, y in zip(await big.score(pairs), await small.score(pairs), strict=True):
        assert x == pytest.approx(y, abs=1e-5)


async def test_concurrent_calls_are_serialised_and_all_answered(tiny_dir: Path) -> None:
    gen = HfTacticGenerator(tiny_dir)
    s = Sampling(temperature=1.0, max_tokens=6)
    outs = await asyncio.gather(*(gen.generate([st], 2, s) for st in STATES))
    assert [len(o[0]) for o in outs] == [2, 2, 2]


async def test_closed_generator_is_unavailable(tiny_dir: Path) -> None:
    gen = HfTacticGenerator(tiny_dir)
    await gen.aclose()
    with pytest.raises(PolicyUnavailable):
        await gen.generate(STATES, 1, Sampling(temperature=0))
    with pytest.raises(PolicyUnavailable):
        await gen.score([(STATES[0], "simp")])
