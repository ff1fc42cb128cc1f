"""Speed of declaration lookup (`prover_core.lean.decl`): a realistic file of 2000 theorems
with doc comments, comments and namespaces (~400 KB), and pathological 100 KB inputs (which
must stay linear). Prints the best of several runs per case and writes JSON.

    python benchmarks/decl_speed.py [--out bench-out/decl.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lex_timing import run_cases

from prover_core.lean.decl import _scan

THEOREM = """/-- The {i}th theorem; `theorem fake : x := y` in its doc. -/
@[simp] theorem foo{i} (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  constructor
  · exact hp -- a comment := with an assign
  · exact hq
/- an old attempt
theorem foo{i} : p := hp -/

"""


def scan_uncached(text: str) -> object:
    _scan.cache_clear()
    return _scan(text)


def main() -> int:
    body = "".join(THEOREM.format(i=i) for i in range(2000))
    cases = {
        "file_2000_theorems": ("namespace A\nsection\n" + body + "end\nend A\n", 3),
        "junk_attribute_openers": ("@[" * 50_000, 1),
        "junk_attribute_commands": ("attribute [" * 9_000, 1),
        "junk_modifiers": ("private " * 12_500, 1),
        "junk_namespaces": ("namespace A\n" * 8_000, 1),
        "junk_ends": ("end\n" * 25_000, 1),
        "junk_theorems": ("theorem " * 12_500, 1),
        "junk_doc_comments": ("/-- d -/" * 12_500, 1),
    }
    target = "linear in the input; a 400 KB file well under 1 s"
    return run_cases(__doc__, cases, scan_uncached, target, "decl_speed_ms")


if __name__ == "__main__":
    raise SystemExit(main())
