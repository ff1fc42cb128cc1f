"""`prove --write` is anchored against the file on disk (issue #14)."""

from __future__ import annotations

from pathlib import Path

from prover_core.fileio import read_source
from prover_core.write_back import Anchored, reanchor, write_proof
from tests.support.standin import standin_config

FILE = (
    "theorem a (p : Prop) (hp : p) : p := hp\n\n"
    "theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n\n"
    "theorem z (p : Prop) (hp : p) : p := hp\n"
)
PROOF = "exact ⟨h.2, h.1⟩"
AT = FILE.index("sorry")


def test_a_change_after_the_declaration_keeps_the_place() -> None:
    new = FILE + "theorem later (p : Prop) (hp : p) : p := hp\n"
    placed = reanchor(FILE, new, AT, AT + 5)
    assert isinstance(placed, Anchored)
    assert (placed.start, placed.end, placed.context_changed) == (AT, AT + 5, False)


def test_a_change_before_the_declaration_moves_the_edit() -> None:
    new = "-- a new first line\n" + FILE.replace("hp\n\n", "hp -- note\n\n", 1)
    placed = reanchor(FILE, new, AT, AT + 5)
    assert isinstance(placed, Anchored) and placed.context_changed
    assert new[placed.start : placed.end] == "sorry"
    assert placed.start == new.index("sorry")


def test_a_changed_or_missing_declaration_is_refused() -> None:
    changed = FILE.replace("q ∧ p := by", "q ∧ p ∧ q := by")
    assert reanchor(FILE, changed, AT, AT + 5) == "theorem u changed since the proof was found"
    gone = FILE.replace("theorem u", "theorem w")
    assert reanchor(FILE, gone, AT, AT + 5) == "theorem u is no longer in the file"
    twice = FILE + FILE[FILE.index("theorem u") : FILE.index("theorem z")]
    assert reanchor(FILE, twice, AT, AT + 5) == "theorem u is ambiguous"


async def test_a_file_changed_before_the_theorem_is_verified_again(tmp_path: Path) -> None:
    path = tmp_path / "x.lean"
    path.write_text(FILE)
    read = read_source(path)
    path.write_text("theorem b (p : Prop) (hp : p) : p := hp\n" + FILE)
    assert await write_proof(path, read, AT, AT + 5, PROOF, standin_config()) is None
    text = path.read_text()
    assert text.startswith("theorem b") and f"q ∧ p := by\n  {PROOF}\n" in text
    assert "sorry" not in text


async def test_a_file_broken_before_the_theorem_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "x.lean"
    path.write_text(FILE)
    read = read_source(path)
    broken = "theorem b (p q : Prop) (hp : p) : q := hp\n" + FILE
    path.write_text(broken)
    refused = await write_proof(path, read, AT, AT + 5, PROOF, standin_config())
    assert refused is not None and "no longer verifies" in refused
    assert path.read_text() == broken and not (tmp_path / "x.lean.bak").exists()


async def test_a_changed_theorem_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "x.lean"
    path.write_text(FILE)
    read = read_source(path)
    changed = FILE.replace("  sorry", "  constructor\n  sorry")
    path.write_text(changed)
    refused = await write_proof(path, read, AT, AT + 5, PROOF, standin_config())
    assert refused is not None and "theorem u changed" in refused
    assert path.read_text() == changed
