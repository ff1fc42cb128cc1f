"""`leanstep verify` / `prove --write` on the files of issue #14, run as a user runs them."""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Sequence
from pathlib import Path

from tests.support.cli import run_async as run
from tests.support.cli import write_project
from tests.support.scripted_openai import scripted_openai

REAL = "theorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n"
OLD = "/- old attempt\ntheorem u (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n-/\n"


def policy(state: str) -> Sequence[tuple[str, float]]:
    return [("exact ⟨h.2, h.1⟩", -0.3)] if "⊢ q ∧ p" in state else [("exact hq", -1.0)]


async def test_write_keeps_bom_and_crlf_and_backs_up_the_original_bytes(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF8 + ("-- ∀ é\n" + REAL).replace("\n", "\r\n").encode()
    async with scripted_openai(policy) as server:
        path = write_project(tmp_path, server.url, raw, 10)
        code, out, err = await run("prove", str(path), "--theorem", "u", "--write", cwd=tmp_path)
    assert code == 0, err
    assert path.read_bytes() == raw.replace(b"sorry", "exact ⟨h.2, h.1⟩".encode())
    assert (tmp_path / "Demo.lean.bak").read_bytes() == raw
    code, out, err = await run("verify", str(path), "--theorem", "u", cwd=tmp_path)
    assert code == 0 and json.loads(out)["ok"], err


async def test_write_never_goes_into_a_commented_out_attempt(tmp_path: Path) -> None:
    async with scripted_openai(policy) as server:
        path = write_project(tmp_path, server.url, (OLD + REAL).encode(), 10)
        code, _, err = await run("prove", str(path), "--theorem", "u", "--write", cwd=tmp_path)
    assert code == 0, err
    assert path.read_text() == OLD + REAL.replace("sorry", "exact ⟨h.2, h.1⟩")


async def test_verify_checks_the_real_theorem_not_the_comment(tmp_path: Path) -> None:
    text = OLD.replace("by\n  sorry", "⟨h.2, h.1⟩") + REAL
    path = write_project(tmp_path, "http://127.0.0.1:9", text.encode(), 10)
    code, out, _ = await run("verify", str(path), "--theorem", "u", cwd=tmp_path)
    assert code == 1 and not json.loads(out)["ok"]
    path.write_text(OLD.replace("by\n  sorry", "⟨h.2, h.1⟩"))
    code, out, err = await run("verify", str(path), "--theorem", "u", cwd=tmp_path)
    assert (code, out) == (2, "") and err == f"leanstep: no theorem named 'u' ({path})\n"


async def test_verify_never_takes_other_foo_for_foo(tmp_path: Path) -> None:
    text = "theorem Other.u (p q : Prop) (h : p ∧ q) : q ∧ p := ⟨h.2, h.1⟩\n" + REAL
    path = write_project(tmp_path, "http://127.0.0.1:9", text.encode(), 10)
    code, out, _ = await run("verify", str(path), "--theorem", "u", cwd=tmp_path)
    assert code == 1 and not json.loads(out)["ok"]
    code, out, _ = await run("verify", str(path), "--theorem", "Other.u", cwd=tmp_path)
    assert code == 0 and json.loads(out)["ok"]


async def test_a_read_only_file_is_refused_before_any_search(tmp_path: Path) -> None:
    async with scripted_openai(policy) as server:
        path = write_project(tmp_path, server.url, REAL.encode(), 10)
        os.chmod(path, 0o444)
        code, out, err = await run("prove", str(path), "--theorem", "u", "--write", cwd=tmp_path)
        assert server.completions == 0
    assert code == 2 and out == ""
    assert err == f"leanstep: read-only file: nothing will be written to it ({path})\n"
    assert path.read_text() == REAL and not (tmp_path / "Demo.lean.bak").exists()


async def test_a_mistyped_name_fails_before_any_model_or_repl_starts(tmp_path: Path) -> None:
    # nothing listens on port 9: a command that reached the model would fail otherwise
    raw = ("namespace NS\n" + REAL + "end NS\n").encode()
    path = write_project(tmp_path, "http://127.0.0.1:9", raw, 10)
    hint = "no theorem named 'u'; full names that end in 'u': NS.u"
    for command in (["prove", "--write"], ["sketch"], ["verify"]):
        code, out, err = await run(command[0], str(path), "--theorem", "u", *command[1:],
                                   cwd=tmp_path)  # fmt: skip
        assert (code, out, err) == (2, "", f"leanstep: {hint} ({path})\n"), command
    assert path.read_bytes() == raw and not (tmp_path / "Demo.lean.bak").exists()


async def test_a_half_typed_declaration_below_does_not_block_the_proof(tmp_path: Path) -> None:
    raw = (REAL + "\ntheorm next (p : Prop) : p := by\n  sorry\n").encode()
    async with scripted_openai(policy) as server:
        path = write_project(tmp_path, server.url, raw, 10)
        code, _, err = await run("prove", str(path), "--theorem", "u", "--write", cwd=tmp_path)
    assert code == 0, err
    assert path.read_bytes() == raw.replace(b"sorry", "exact ⟨h.2, h.1⟩".encode(), 1)
