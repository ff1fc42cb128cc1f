"""Sound final check of a proof (LEAN.md, "Soundness"), in a fresh REPL process.

A proof passes only if: the screen finds nothing; the file up to the theorem (`context`)
elaborates with no error; statement + proof elaborates after it with no error and no sorry;
`#print axioms` lists only allowed axioms (an allow-list); and the statement's elaborated
type equals that of the original statement elaborated separately. `#check` and
`#print axioms` name the theorem by its full name (namespaces resolved).
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


def _target(context: str, statement: str) -> tuple[str, str]:
    """(the head to elaborate, the full name it declares). An `example` is renamed to a
    theorem `_CHECK_NAME` so that it can be named; the namespace comes from `context`."""
    decls = declarations(statement + " := sorry")
    if len(decls) != 1 or statement[: decls[0].start].strip():
        raise ValueError("the statement is not one theorem/lemma/example head")
    head = statement if decls[0].name is not None else decls[0].with_name(_CHECK_NAME)
    sep = "" if not context or context.endswith("\n") else "\n"
    placed = declarations(context + sep + head + " := sorry")
    if not placed or placed[-1].name is None:
        raise ValueError("the statement is not one theorem/lemma/example head")
    return head, placed[-1].name


async def _type_of(repl: LeanRepl, env: Env, name: str) -> str | None:
    result = await repl.command(f"set_option pp.all true in\n#check @{name}", env)
    infos = [m.data for m in result.messages if m.severity == "info"]
    return infos[0] if infos and not result.errors else None


def _first_error(result: CommandResult) -> str:
    e = result.errors[0]
    where = f"line {e.pos.line}: " if e.pos is not None else ""
    return where + e.data


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
        head, name = _target(context, statement)
        cand_head, cand_name = (
            (head, name) if candidate_head is None else _target(context, candidate_head)
        )
    except ValueError as e:
        return Verdict(False, "statement", str(e))
    if cand_name != name:
        return Verdict(False, "statement", f"the proof declares {cand_name}, not {name}")
    repl = LeanRepl(config, cwd=cwd, env=env)
    try:
        try:
            base = await repl.command(context, timeout=config.header_timeout_s)
        except LeanRejected as e:
            return Verdict(False, "elaboration", f"context rejected: {e}")
        # The file up to the target must elaborate cleanly: an error before it can change
        # what the target means (a failed `namespace`, a missing lemma, a duplicate name).
        if base.errors:
            return Verdict(False, "elaboration", "before the theorem: " + _first_error(base))
        original = await repl.command(f"{head} := sorry", base.env)
        if original.errors:
            return Verdict(False, "statement", "statement: " + _first_error(original))
        want = await _type_of(repl, original.env, name)
        candidate = await repl.command(f"{cand_head} :=\n{proof}", base.env)
        if candidate.errors:
            return Verdict(False, "elaboration", candidate.errors[0].data)
        if candidate.sorries:
            return Verdict(False, "sorry", "the proof contains sorry")
        got = await _type_of(repl, candidate.env, name)
        if want is None or got is None or want != got:
            return Verdict(False, "statement", f"statement changed: {want!r} vs {got!r}")
        printed = await repl.command(f"#print axioms {name}", candidate.env)
        axioms = parse_axioms(printed)
        if axioms is None:
            return Verdict(False, "axioms", "no `#print axioms` answer")
        extra = sorted(set(axioms) - ALLOWED_AXIOMS)
        if extra:
            return Verdict(False, "axioms", "disallowed axioms: " + ", ".join(extra), axioms)
        return Verdict(True, "passed", "", axioms)
    finally:
        await repl.close()
