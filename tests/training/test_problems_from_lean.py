"""Problems read from a Lean file go through the Lean-token declaration finder (issue #14)."""

from __future__ import annotations

import codecs
from pathlib import Path

from training.problems import from_lean_file

TEXT = """/- theorem ghost (p : Prop) : p := by sorry -/
namespace A
theorem one (p : Prop) (hp : p) : p := by
  -- to do
  sorry
theorem done (p : Prop) (hp : p) : p := hp
end A
theorem two (p : Prop) (hp : p) : p := sorry
"""


def test_problems_have_full_names_and_skip_comments(tmp_path: Path) -> None:
    path = tmp_path / "x.lean"
    path.write_bytes(codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode())
    problems = list(from_lean_file(path))
    assert [p.name for p in problems] == ["A.one", "two"]
    assert problems[0].head == "theorem one (p : Prop) (hp : p) : p"
    assert problems[0].header == TEXT[: TEXT.index("theorem one")]
    assert problems[1].header.endswith("end A\n")
