"""Speed of the screen (`prover_core.lean.screen`): a realistic 100 KB proof, the same with a
finding and with a nested comment (the precise lexer), and pathological 100 KB inputs (which
must stay linear: odd characters, interpolated-string holes, Aesop context walks, …).
Prints the best of several runs per case and writes JSON.

    python benchmarks/screen_speed.py [--out bench-out/screen.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lex_timing import run_cases

from prover_core.lean.screen import is_clean, screen

PROOF = """theorem t{i} (a b c : ℝ) (h₀ : 0 < a ∧ 0 < b) (h₁ : a * b = 1) : a + b ≥ 2 := by
  have h₂ : 0 ≤ (a - b) ^ 2 := sq_nonneg (a - b)
  -- expand and compare; see `two_mul`
  nlinarith [sq_nonneg (a + b), mul_pos h₀.1 h₀.2, h₁, h₂, hf.preimage (f ⁻¹' s)]
  /- an alternative: «AM-GM» -/
  simp only [Finset.sum_range_succ, Nat.cast_add, Nat.cast_one] at *
  norm_num [Real.sqrt_eq_iff, show (2:ℝ) = 1 + 1 by norm_num] at h₂ ⊢
  exact ⟨fun x hx => by linarith [hx.1, h' x], by omega⟩

"""


def main() -> int:
    proof = "".join(PROOF.format(i=i) for i in range(200))[:100_000]
    assert is_clean(proof)
    cases = {
        "proof_100kb_clean": (proof, 7),
        "proof_100kb_with_sorry": (proof + "sorry", 5),
        "proof_100kb_nested_comment": ("/- a /- nested -/ comment -/\n" + proof, 5),
        "junk_quotes": ("«" * 100_000, 1),
        "junk_braced_strings": ('"a{' * 33_000, 1),
        "junk_openers": ("/-" * 50_000, 1),
        "junk_primes": ("'" * 100_000, 1),
        "junk_latin": ("é" * 100_000, 1),
        "junk_bad_numerals": ("0x " * 33_000, 1),
        "junk_cyrillic": ("а" * 100_000, 1),
        "junk_bidi_comment": ("-- \u202e\n" * 20_000, 1),
        "junk_holes": ('s!"{x}"' * 14_000, 1),
        "junk_nested_holes": ('s!"{' * 5_000 + '}"' * 5_000, 1),
        "junk_unclosed_holes": ('exact "{"\n' * 10_000, 1),
        "junk_aesop_unsafe": ("aesop (add " + "unsafe " * 14_000 + ")", 1),
        "junk_attribute_segments": ("@[aesop " + "(x) " * 25_000 + "unsafe " * 100 + "]", 1),
    }
    return run_cases(__doc__, cases, screen, "a 100 KB proof well under 50 ms", "ms")


if __name__ == "__main__":
    raise SystemExit(main())
