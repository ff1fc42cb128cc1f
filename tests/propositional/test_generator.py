"""The theorem corpus: deterministic, unique, graded, miniF2F-shaped, every proof checked."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from prover_core.propositional.generator import write_corpus

from .conftest import Session, proves

FIELDS = {
    "name",
    "split",
    "informal_prefix",
    "formal_statement",
    "goal",
    "header",
    "proof",
    "difficulty",
    "classical",
}


def test_corpus_is_deterministic_unique_and_checked(tmp_path: Path, repl: Session) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert write_corpus(80, 7, a) == 80
    write_corpus(80, 7, b)
    write_corpus(20, 8, c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text().splitlines()[:3] != c.read_text().splitlines()[:3]
    recs = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    assert all(set(r) == FIELDS for r in recs)
    assert len({r["name"] for r in recs}) == 80
    statements = {r["formal_statement"].split(" ", 2)[2] for r in recs}
    assert len(statements) == 80
    assert Counter(r["difficulty"] for r in recs).keys() == {1, 2, 3, 4, 5}
    assert {r["split"] for r in recs} == {"valid", "test"}
    assert 0 < sum(r["split"] == "test" for r in recs) < 20
    assert 0 < sum(r["classical"] for r in recs) < 40
    for r in recs[:25]:
        assert r["formal_statement"].startswith(f"theorem {r['name']} (")
        assert r["formal_statement"].endswith(" := by\n") and r["header"] == ""
        assert all(line.startswith("  ") for line in r["proof"].splitlines())
        assert proves(repl.cmd(r["formal_statement"] + r["proof"]))
        sorry = repl.cmd(r["formal_statement"] + "  sorry")
        assert sorry["sorries"][0]["goal"] == r["goal"]
