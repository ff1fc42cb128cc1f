"""Problem sets: the split rule for Lean sources, the held-out check, named sets' errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from prover_core.errors import ConfigError
from training.problems import (
    TEST_SHARE_BYTE,
    Problem,
    check_held_out,
    lean_split,
    load_problems,
)


def test_lean_folder_theorems_get_the_documented_split(tmp_path: Path) -> None:
    names = [f"t{i}" for i in range(60)]
    text = "".join(f"theorem {n} (p : Prop) (hp : p) : p := by sorry\n\n" for n in names)
    (tmp_path / "A.lean").write_text(text)
    problems = load_problems(tmp_path)
    want = {
        n: "test" if hashlib.sha256(n.encode()).digest()[0] < TEST_SHARE_BYTE else "valid"
        for n in names
    }
    assert {p.name: p.split for p in problems} == want
    tests = load_problems(tmp_path, "test")
    assert 0 < len(tests) < 20 and all(lean_split(p.name) == "test" for p in tests)
    assert len(tests) + len(load_problems(tmp_path, "valid")) == 60


def _p(name: str, statement: str) -> Problem:
    return Problem(name, f"theorem {name} {statement}")


def test_held_out_set_must_be_non_empty_and_disjoint() -> None:
    train = [_p("a", "(p : Prop) (hp : p) : p"), _p("b", ": True")]
    check_held_out(train, [_p("c", ": False → False")], "eval")
    with pytest.raises(ConfigError, match="evaluation set is empty"):
        check_held_out(train, [], "eval")
    with pytest.raises(ConfigError, match=r"1 evaluation problems.*: b"):
        check_held_out(train, [_p("b", ": 1 = 1")], "eval")
    with pytest.raises(ConfigError, match="z = a"):  # same statement, other name and spacing
        check_held_out(train, [_p("z", "(p : Prop)  (hp : p)\n  : p")], "eval")


def test_missing_named_set_says_where_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEANSTEP_BENCHMARKS_DIR", str(tmp_path))
    with pytest.raises(ConfigError) as e:
        load_problems("minif2f")
    text = str(e.value)
    assert str(tmp_path / "minif2f.jsonl") in text and "DeepSeek-Prover-V1.5" in text
    assert "--problems /path/to/minif2f.jsonl" in text and "LEANSTEP_BENCHMARKS_DIR" in text
    row = '{"name": "m", "split": "test", "formal_statement": "theorem m : True := by"}\n'
    (tmp_path / "elsewhere.jsonl").write_text(row)
    assert [p.name for p in load_problems(tmp_path / "elsewhere.jsonl", "test")] == ["m"]
    with pytest.raises(ConfigError, match="no problem set at"):
        load_problems(tmp_path / "nope.jsonl")
