"""Best-first search with the hf backend on a tiny model (not scripted): the whole path from
model samples to Lean outcomes to the recorded tree."""

from __future__ import annotations

from pathlib import Path

from prover_core.config import SearchConfig
from prover_core.lean.repl import LeanRepl
from prover_core.policy.hf import HfTacticGenerator
from prover_core.policy.protocol import Sampling
from prover_core.policy.tiny import build_tiny_policy
from prover_core.search.best_first import BestFirstSearch
from tests.support.standin import standin_config

THM = "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"
TEXTS = [
    "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q:::constructor\n",
    "case left\np q : Prop\nhp : p\nhq : q\n⊢ p:::exact hp\n",
    "case right\np q : Prop\nhp : p\nhq : q\n⊢ q:::exact hq\n",
] * 20


async def test_search_with_a_tiny_model_records_real_samples(tmp_path: Path) -> None:
    model_dir = build_tiny_policy(TEXTS, tmp_path / "m", vocab_size=300, seed=1)
    policy = HfTacticGenerator(model_dir, device="cpu", dtype="float32")
    repl = LeanRepl(standin_config())
    try:
        root = (await repl.command(THM)).sorries[0].state
        cfg = SearchConfig(width=3, expansions=3, wall_time_s=60)
        res = await BestFirstSearch(
            root, repl, policy, cfg, Sampling(temperature=1.0, max_tokens=12, seed=0)
        ).run()
    finally:
        await repl.close()
        await policy.aclose()
    assert 1 <= res.stats.expansions <= 3
    edges = res.to_json()["tree"]["edges"]
    assert edges
    for e in edges:
        assert e["logprob"] <= 0 and e["n_tokens"] >= 1
        assert e["outcome"] in {"proved", "advanced", "duplicate", "failed", "screened", "timeout"}
        assert "\n" not in e["tactic"]
    assert res.stats.policy_s > 0 and res.stats.lean_s > 0
