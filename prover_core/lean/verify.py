"""Sound final check of a proof (LEAN.md, "Soundness"), in a fresh REPL process.

A proof passes only if: the screen finds nothing; header + statement + proof elaborates with
no error and no sorry; `#print axioms` lists only allowed axioms (an allow-list); and the
statement's elaborated type equals that of the original statement elaborated separately.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from prover_core.config import LeanConfig
from prover_core.lean.decl import declarations
from prover_core.lean.repl import LeanRejected, LeanRepl
from prover_core.lean.screen import screen
from prover_core.types import CommandResult, Env

ALLOWED_AXIOMS: frozenset[str] = frozenset({"propext", "Classical.choice", "Quot.sound"})
_CHECK_NAME = "leanstep_verify_target"
_DEPENDS = re.compile(r"depends on axioms: \[(?P<axioms>[^\]]*)\]", re.DOTALL)
_NO_AXIOMS = "does not depend on any axioms"

Check = Literal["screen", "statement", "elaboration", "sorry", "axioms", "passed"]


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    check: Check  # the check that failed, or "passed"
    detail: str = ""
    axioms: tuple[str, ...] = ()


def parse_axioms(result: CommandResult) -> tuple[str, ...] | None:
    """Axioms from a `#print axioms` answer; None when the answer has no such line."""
    for m in result.messages:
        if _NO_AXIOMS in m.data:
            return ()
        found = _DEPENDS.search(m.data)
        if found is not None:
            return tuple(a.strip() for a in found.group("axioms").split(",") if a.strip())
    return None


def _rename(statement: str) -> str:
    decls = declarations(statement + " := sorry")
    if len(decls) != 1:
        raise ValueError("the statement is not one theorem/lemma/example head")
    return decls[0].with_name(_CHECK_NAME)


async def _type_of(repl: LeanRepl, env: Env) -> str | None:
    result = await repl.command(f"set_option pp.all true in\n#check @{_CHECK_NAME}", env)
    infos = [m.data for m in result.messages if m.severity == "info"]
    return infos[0] if infos and not result.errors else None


async def verify_proof(
    config: LeanConfig,
    context: str,
    statement: str,
    proof: str,
    *,
    candidate_head: str | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Verdict:
    """Check `statement := proof` after `context` (imports and preceding commands).

    `statement` is the user's declaration head without `:=`; `proof` is the text after `:=`;
    `candidate_head` is the head the proof was written under, when the caller rebuilt the
    declaration (default: `statement`). Infrastructure failures raise `LeanError`; a rejected
    proof is a `Verdict`.
    """
    findings = screen(proof)
    if findings:
        f = findings[0]
        return Verdict(False, "screen", f"{f.line}:{f.column}: {f.construct} — {f.reason}")
    try:
        head = _rename(statement)
        cand_head = head if candidate_head is None else _rename(candidate_head)
    except ValueError as e:
        return Verdict(False, "statement", str(e))
    repl = LeanRepl(config, cwd=cwd, env=env)
    try:
        try:
            base = await repl.command(context, timeout=config.header_timeout_s)
        except LeanRejected as e:
            return Verdict(False, "elaboration", f"context rejected: {e}")
        # Errors in the context (other broken theorems of the file) do not make this proof
        # unsound: whatever they left behind carries `sorryAx`, which the axiom check rejects.
        original = await repl.command(f"{head} := sorry", base.env)
        if original.errors:
            return Verdict(False, "statement", "statement: " + original.errors[0].data)
        want = await _type_of(repl, original.env)
        candidate = await repl.command(f"{cand_head} :=\n{proof}", base.env)
        if candidate.errors:
            return Verdict(False, "elaboration", candidate.errors[0].data)
        if candidate.sorries:
            return Verdict(False, "sorry", "the proof contains sorry")
        got = await _type_of(repl, candidate.env)
        if want is None or got is None or want != got:
            return Verdict(False, "statement", f"statement changed: {want!r} vs {got!r}")
        printed = await repl.command(f"#print axioms {_CHECK_NAME}", candidate.env)
        axioms = parse_axioms(printed)
        if axioms is None:
            return Verdict(False, "axioms", "no `#print axioms` answer")
        extra = sorted(set(axioms) - ALLOWED_AXIOMS)
        if extra:
            return Verdict(False, "axioms", "disallowed axioms: " + ", ".join(extra), axioms)
        return Verdict(True, "passed", "", axioms)
    finally:
        await repl.close()
