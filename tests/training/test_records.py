"""Records: JSONL round trip, dedup by (state, tactic), atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.records import Record, atomic_open, dedup, read_records, write_records


def test_round_trip(tmp_path: Path) -> None:
    recs = [
        Record("thm", "p : Prop\n⊢ p", "exact h", "m1", -0.5, 2, "search", 1.7),
        Record("thm2", "⊢ True", "trivial"),
    ]
    path = tmp_path / "r.jsonl"
    assert write_records(path, recs) == 2
    assert list(read_records(path)) == recs


def test_dedup_keeps_first_by_normalised_state_and_tactic() -> None:
    a = Record("t1", "p : Prop\n⊢ p", "exact  h", iteration=1)
    b = Record("t2", "p : Prop ⊢ p", "exact h", iteration=2)  # same key after normalising
    c = Record("t1", "p : Prop\n⊢ p", "assumption")
    assert list(dedup([a, b, c, a])) == [a, c]


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_open(path) as f:
        f.write("partial")
        raise RuntimeError("crash")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
