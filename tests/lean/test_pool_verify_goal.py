"""Pool, verifier, goal-at-position and extraction against the stand-in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prover_core.lean.extract import extract_file
from prover_core.lean.goal_at import goal_at, make_probe
from prover_core.lean.pool import ReplPool, header_key
from prover_core.lean.repl import LeanRepl
from prover_core.lean.verify import verify_proof
from prover_core.types import Advanced
from tests.support.standin import standin_config

STMT = "theorem swap (p q : Prop) (h : p ∧ q)"


async def test_pool_imports_each_header_once_per_process() -> None:
    pool = ReplPool(standin_config(pool_size=3, processes_per_header=2))
    try:

        async def use(header: str) -> int | None:
            async with pool.lease(header) as lease:
                r = await lease.repl.command("example (p : Prop) (hp : p) : p := hp", lease.env)
                assert not r.errors
                await asyncio.sleep(0.01)
                return lease.repl.pid

        pids = await asyncio.gather(*(use("-- header A\n") for _ in range(12)))
        assert len(set(pids)) <= 2  # bounded per header
        assert pool.imports == len(set(pids))  # one import per process, reused for all
        await asyncio.gather(*(use("-- header B") for _ in range(3)))
        assert pool.size <= 3
    finally:
        await pool.close()


async def test_pool_evicts_idle_processes_of_other_headers() -> None:
    pool = ReplPool(standin_config(pool_size=1, processes_per_header=1))
    try:
        for h in ("-- a", "-- b", "-- a"):
            async with pool.lease(h) as lease:
                assert not (await lease.repl.command("example : True := trivial", lease.env)).errors
        assert pool.size == 1 and pool.imports == 3
    finally:
        await pool.close()


async def test_pool_is_fair_under_contention() -> None:
    pool = ReplPool(standin_config(pool_size=1, processes_per_header=1))
    order: list[int] = []
    try:

        async def use(i: int, header: str) -> None:
            async with pool.lease(header) as lease:
                order.append(i)
                await lease.repl.command("example : True := trivial", lease.env)

        await asyncio.gather(*(use(i, f"-- h{i % 2}") for i in range(6)))
        assert sorted(order) == list(range(6))  # everyone is served, nobody starves
    finally:
        await pool.close()


async def test_a_broken_header_is_a_clear_error() -> None:
    pool = ReplPool(standin_config())
    try:
        with pytest.raises(Exception, match="header does not elaborate"):
            async with pool.lease("theorem broken : := x"):
                pass
    finally:
        await pool.close()


def test_header_key_ignores_blank_lines_and_spaces() -> None:
    assert header_key("import A\n\n  import B  \n") == header_key("import A\nimport B")


async def test_verify_accepts_a_proof() -> None:
    v = await verify_proof(standin_config(), "", f"{STMT} : q ∧ p", "by\n  exact ⟨h.2, h.1⟩")
    assert v.ok and v.check == "passed" and v.axioms == ()


async def test_verify_accepts_classical_axioms() -> None:
    proof = "by\n  by_cases h : p\n  · exact Or.inl h\n  · exact Or.inr h"
    v = await verify_proof(standin_config(), "", "theorem em' (p : Prop) : p ∨ ¬p", proof)
    assert v.ok, v
    assert "Classical.choice" in v.axioms


@pytest.mark.parametrize(
    ("context", "proof", "check"),
    [
        ("", "by\n  sorry", "screen"),
        ("", "by\n  native_decide", "screen"),
        ("", "by\n  exact h", "elaboration"),
        ("", "by\n  exact ⟨h.2⟩", "elaboration"),
        # a lemma proved with sorry in the context: no sorry in the proof, but sorryAx
        ("theorem cheat (a : Prop) : a := sorry\n", "by\n  exact cheat _", "axioms"),
    ],
    ids=["sorry", "native_decide", "type-error", "incomplete", "sorry-lemma"],
)
async def test_verify_rejects(context: str, proof: str, check: str) -> None:
    v = await verify_proof(standin_config(), context, f"{STMT} : q ∧ p", proof)
    assert not v.ok and v.check == check, v


async def test_verify_rejects_a_changed_statement() -> None:
    v = await verify_proof(
        standin_config(),
        "",
        f"{STMT} : q ∧ p",
        "by\n  exact h.1",
        candidate_head=f"{STMT} : p",
    )
    assert not v.ok and v.check == "statement"


FILE = """-- a stand-in file
theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  constructor
  \n  exact hq
"""


async def test_goal_at_gives_every_goal_at_the_cursor() -> None:
    probe = make_probe(FILE, 3, 2)
    assert probe is not None
    repl = LeanRepl(standin_config())
    try:
        env = (await repl.command(probe.context)).env
        state = await goal_at(repl, env, probe)
        assert state is not None
        assert state.goals == (
            "case left\np q : Prop\nhp : p\nhq : q\n⊢ p",
            "case right\np q : Prop\nhp : p\nhq : q\n⊢ q",
        )
        out = await repl.tactic(state, "exact hp")
        assert isinstance(out, Advanced) and len(out.state.goals) == 1
    finally:
        await repl.close()


async def test_extract_pairs_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "t.lean"
    path.write_text(FILE.replace("  \n", "  exact hp\n"))
    repl = LeanRepl(standin_config())
    try:
        pairs = await extract_file(repl, path)
    finally:
        await repl.close()
    assert [p.tactic for p in pairs] == ["constructor", "exact hp", "exact hq"]
    assert pairs[0].state.endswith("⊢ p ∧ q") and pairs[1].state.startswith("case left")
    assert pairs[0].line == 3 and pairs[0].column == 2
