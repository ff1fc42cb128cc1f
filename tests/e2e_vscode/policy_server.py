"""The scripted OpenAI-compatible policy for the VS Code test, as a process of its own.

    python -m tests.e2e_vscode.policy_server      # prints its base URL, serves until killed

The answers depend on the first goal of the prompt (see `policy`), so that the test (and the
README's screenshots) get the same suggestions and the same proof every time.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Sequence

from tests.support.scripted_openai import scripted_openai

# The stand-in Lean file of the test (0-based lines): a `sorry` to prove while the file is edited
# above it (SORRY_LINE), the end of a tactic line to ask suggestions at (SUGGEST_LINE, after
# `intro hp`: the goal after that line), and a `sorry` whose search never ends, to cancel
# (ENDLESS_LINE), and the end of a `:= by` line to press Enter at, for ghost text (GHOST_LINE).
LEAN_FILE = """/-!
# A leanstep demo

A stand-in Lean file: the propositional logic that the test REPL checks.
Put the cursor on a `sorry` and run **leanstep: Prove this sorry**, or at the
end of a tactic line and run **leanstep: Suggest tactics**.
-/

theorem and_swap (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry

theorem imp_trans (p q r : Prop) (hpq : p → q) (hqr : q → r) : p → r := by
  intro hp

theorem endless (p q : Prop) (hs : p) : q := by
  sorry

theorem ghost (p : Prop) (hg : p) : p := by
"""
SORRY_LINE, SUGGEST_LINE, ENDLESS_LINE, GHOST_LINE = 9, 12, 15, 17

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
    # ghost: ghost text on the line after `:= by`
    ("hg : p", "p"): [("exact hg", -0.1)],
}
# Seconds each policy call for a goal takes: and_swap's first one, so that the file can be edited
# while its proof is being found; every one of `endless`, so that its search runs until cancelled.
SLOW: dict[tuple[str, str], float] = {("h : p ∧ q", "q ∧ p"): 3.0, ("hs", "q"): 0.4}


def policy(state: str) -> Sequence[tuple[str, float]]:
    """Candidate tactics (with log-probabilities) for the first goal of `state`."""
    first = state.split("\n\n")[0]
    hyps, _, target = first.partition("⊢")
    target = " ".join(target.split())
    for (hyp, goal), delay in SLOW.items():
        if hyp in hyps and goal == target:
            time.sleep(delay)  # (this server serves one client: blocking it is the point)
    # `endless`: each step adds a hypothesis, a new state that never proves `q` (Lean groups
    # hypotheses of one type: `hs h1 : p`)
    proofs_of_p = [
        n for line in hyps.split("\n") if line.endswith(" : p") for n in line.split()[:-2]
    ]
    if "hs" in proofs_of_p and target == "q":
        return [(f"have h{len(proofs_of_p)} : p := hs", -0.3), ("exact hs", -2.0)]
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
