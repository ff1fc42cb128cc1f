"""`prove --write` is anchored against the file on disk by the editor's rule (issue #14)."""

from __future__ import annotations

from pathlib import Path

from prover_core.fileio import Source, read_source
from prover_core.placement import find_target, proof_edit, verified_text
from prover_core.results import Anchor, ProveResult
from prover_core.types import Refusal
from prover_core.write_back import write_proof
from tests.support.standin import standin_config

FILE = (
    "theorem a (p : Prop) (hp : p) : p := hp\n\n"
    "theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n\n"
    "theorem z (p : Prop) (hp : p) : p := hp\n"
)
PROOF = "exact ⟨h.2, h.1⟩"


def found(text: str = FILE) -> ProveResult:
    """The result a search on `text` would give for `u` (its proof passes the verifier)."""
    target = find_target(text, "u", None, None)
    assert not isinstance(target, Refusal)
    edit = proof_edit(text, target, (PROOF,))
    return ProveResult(
        True, edit, (PROOF,), status="proved", anchor=Anchor("u", 0),
        verified_on=verified_text(text, target.decl),
    )  # fmt: skip


def read_then_write(tmp_path: Path) -> tuple[Path, Source]:
    """`x.lean` holding FILE, as read when the search started (the test then changes it)."""
    path = tmp_path / "x.lean"
    path.write_text(FILE)
    return path, read_source(path)


async def test_an_unchanged_file_gets_the_edit(tmp_path: Path) -> None:
    path = tmp_path / "x.lean"
    path.write_text(FILE)
    assert await write_proof(path, read_source(path), found(), standin_config()) is None
    assert path.read_text() == FILE.replace("  sorry", f"  {PROOF}")
    assert (tmp_path / "x.lean.bak").read_text() == FILE


async def test_a_change_after_the_declaration_keeps_the_place(tmp_path: Path) -> None:
    now = FILE + "theorem later (p : Prop) (hp : p) : p := hp\n"
    path, read = read_then_write(tmp_path)
    path.write_text(now)
    assert await write_proof(path, read, found(), standin_config()) is None
    assert path.read_text() == now.replace("  sorry", f"  {PROOF}")


async def test_a_file_changed_before_the_theorem_is_verified_again(tmp_path: Path) -> None:
    path, read = read_then_write(tmp_path)
    path.write_text("theorem b (p : Prop) (hp : p) : p := hp\n" + FILE)
    assert await write_proof(path, read, found(), standin_config()) is None
    text = path.read_text()
    assert text.startswith("theorem b") and f"q ∧ p := by\n  {PROOF}\n" in text
    assert "sorry" not in text


async def test_a_file_broken_before_the_theorem_is_not_written(tmp_path: Path) -> None:
    path, read = read_then_write(tmp_path)
    broken = "theorem b (p q : Prop) (hp : p) : q := hp\n" + FILE
    path.write_text(broken)
    refused = await write_proof(path, read, found(), standin_config())
    assert refused is not None and "no longer checks" in refused
    assert path.read_text() == broken and not (tmp_path / "x.lean.bak").exists()


async def test_a_changed_theorem_is_verified_again_or_not_written(tmp_path: Path) -> None:
    path, read = read_then_write(tmp_path)
    changed = FILE.replace("  sorry", "  constructor\n  sorry")
    path.write_text(changed)
    refused = await write_proof(path, read, found(), standin_config())
    assert refused is not None and "no longer checks" in refused
    assert path.read_text() == changed
    spaced = FILE.replace("(h : p ∧ q)", "(h  : p ∧ q)")
    path.write_text(spaced)
    assert await write_proof(path, read, found(), standin_config()) is None
    assert path.read_text() == spaced.replace("  sorry", f"  {PROOF}")


async def test_a_missing_or_duplicated_theorem_is_not_written(tmp_path: Path) -> None:
    path, read = read_then_write(tmp_path)
    for now in (
        FILE.replace("theorem u", "theorem w"),
        FILE + FILE[FILE.index("theorem u") : FILE.index("theorem z")],
    ):
        path.write_text(now)
        refused = await write_proof(path, read, found(), standin_config())
        assert refused is not None and "no longer in the file as one theorem" in refused
        assert path.read_text() == now
