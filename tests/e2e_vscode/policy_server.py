"""The scripted OpenAI-compatible policy for the VS Code test, as a process of its own.

    python -m tests.e2e_vscode.policy_server      # prints its base URL, serves until killed

The answers depend on the first goal of the prompt (see `policy`), so that the test (and the
README's screenshots) get the same suggestions and the same proof every time.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence

from tests.support.scripted_openai import scripted_openai

# The stand-in Lean file of the test: a `sorry` to prove (0-based line SORRY_LINE) and an
# empty tactic line to ask suggestions for (SUGGEST_LINE), far enough down the file for the
# quick pick not to hide it in the screenshot.
LEAN_FILE = """/-!
# A leanstep demo

A stand-in Lean file: the propositional logic that the test REPL checks.
Put the cursor on a `sorry` and run **leanstep: Prove this sorry**, or on an
empty tactic line and run **leanstep: Suggest tactics**.
-/

theorem and_swap (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry

theorem imp_trans (p q r : Prop) (hpq : p → q) (hqr : q → r) : p → r := by
  intro hp
  \n"""
SORRY_LINE, SUGGEST_LINE = 9, 13

# (a hypothesis that tells the theorems apart, the goal's target) -> tactics and log-probs
TABLE: dict[tuple[str, str], list[tuple[str, float]]] = {
    # and_swap: `constructor`, then each half of `h`
    ("h : p ∧ q", "q ∧ p"): [("constructor", -0.2), ("exact h", -2.0)],
    ("h : p ∧ q", "q"): [("exact h.2", -0.1), ("exact h.1", -1.0)],
    ("h : p ∧ q", "p"): [("exact h.1", -0.1), ("exact h.2", -1.0)],
    # imp_trans, after `intro hp`: some prove the goal, some make progress, some are wrong
    ("hp : p", "r"): [
        ("exact hqr (hpq hp)", -0.15),
        ("apply hqr", -0.35),
        ("exact hpq hp", -0.8),
        ("exact hp", -1.1),
        ("apply hpq", -1.4),
    ],
    ("hp : p", "q"): [("exact hpq hp", -0.1)],
}


def policy(state: str) -> Sequence[tuple[str, float]]:
    """Candidate tactics (with log-probabilities) for the first goal of `state`."""
    first = state.split("\n\n")[0]
    hyps, _, target = first.partition("⊢")
    target = " ".join(target.split())
    for (hyp, goal), tactics in TABLE.items():
        if hyp in hyps and goal == target:
            return tactics
    return [("skip", -3.0)]


async def serve() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with scripted_openai(policy) as server:
        print(server.url, flush=True)
        await stop.wait()


def main() -> None:
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
