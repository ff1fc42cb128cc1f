"""The REPL protocol (leanprover-community/repl): requests in, response objects out.

Invariants:
- Environment and proof-state ids are process-global counters, never reused; every request
  that creates one appends to the table (as the real REPL does).
- `proofStatus` is "Completed" only when no goal is left, the state has a single root, and
  the root's proof term is complete, `sorry`-free and accepted by the kernel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeGuard

from . import persist
from .commands import CmdOutput, run_commands
from .exec import new_exec, run_seq
from .kernel import KernelError, check, has_mvar, has_sorry
from .lexer import LineMap
from .parse_term import ParseError
from .parser import parse_tactic_input
from .state import Abort, Env, Exec, Msg, ProofState, TacticError, root_term, sorry_state

Json = dict[str, Any]


def _pos(lm: LineMap, offset: int) -> Json:
    line, col = lm.pos(offset)
    return {"line": line, "column": col}


ZERO = {"line": 0, "column": 0}


def proof_status(st: ProofState) -> str:
    if st.goals:
        return "Incomplete: open goals remain"
    if len(st.roots) != 1:
        return "Not verified: more than one initial goal"
    term = root_term(st)
    if has_mvar(term):
        return "Incomplete: contains metavariable(s)"
    if has_sorry(term):
        return "Incomplete: contains sorry"
    root = st.mctx.decls[st.roots[0]]
    try:
        check(term, root.hyps(), root.props(), root.target, st.env.lookup)
    except KernelError as e:
        return f"Error: kernel type check failed: (kernel) {e}"
    return "Completed"


def _is_index(n: object, size: int) -> TypeGuard[int]:
    return isinstance(n, int) and not isinstance(n, bool) and 0 <= n < size


class Repl:
    """In-process REPL: `handle(request)` returns the response object."""

    def __init__(self) -> None:
        self.envs: list[Env] = []
        self.states: list[ProofState] = []

    def handle(self, req: Any) -> Json:
        if not isinstance(req, dict):
            return {"message": "Could not parse as a valid JSON command: expected an object"}
        try:
            if "cmd" in req:
                return self._cmd(req, str(req["cmd"]))
            if "path" in req:
                return self._file(req)
            if "tactic" in req:
                return self._tactic(req)
            if "pickleTo" in req:
                return self._pickle(req)
            if "unpickleEnvFrom" in req:
                env = persist.load(str(req["unpickleEnvFrom"]))
                if not isinstance(env, Env):
                    return {"message": "The file does not contain an environment."}
                return {"env": self._add_env(env)}
            if "unpickleProofStateFrom" in req:
                return self._unpickle_state(req)
        except (OSError, ValueError) as e:
            return {"message": str(e)}
        except RecursionError:
            return {"message": "stand-in: input nested too deeply"}
        return {"message": "Could not parse as a valid JSON command: unknown request"}

    # ------------------------------------------------------------ tables

    def _add_env(self, env: Env) -> int:
        self.envs.append(env)
        return len(self.envs) - 1

    def _add_state(self, st: ProofState) -> int:
        self.states.append(st)
        return len(self.states) - 1

    def _env(self, req: Json) -> Env | None:
        n = req.get("env")
        if n is None:
            return Env()
        if _is_index(n, len(self.envs)):
            return self.envs[n]
        return None

    def _state(self, req: Json) -> ProofState | None:
        n = req.get("proofState")
        if _is_index(n, len(self.states)):
            return self.states[n]
        return None

    # ------------------------------------------------------------ commands

    def _cmd(self, req: Json, src: str) -> Json:
        env = self._env(req)
        if env is None:
            return {"message": "Unknown environment."}
        out = run_commands(env, src, bool(req.get("allTactics")), bool(req.get("rootGoals")))
        return self._cmd_response(out)

    def _file(self, req: Json) -> Json:
        try:
            src = Path(str(req["path"])).read_text(encoding="utf-8")
        except OSError as e:
            return {
                "message": f"no such file or directory (error code: 2)\n  file: {req['path']}"
                if isinstance(e, FileNotFoundError)
                else str(e)
            }
        return self._cmd(req, src)

    def _cmd_response(self, out: CmdOutput) -> Json:
        lm = LineMap(out.src)
        resp: Json = {}
        sorries = []
        for rec, env in [*out.sorries, *out.roots]:
            sid = self._add_state(sorry_state(rec, env))
            entry: Json = {"proofState": sid, "goal": rec.goal.text()}
            if rec.span is not None:
                entry["pos"] = _pos(lm, rec.span[0])
                entry["endPos"] = _pos(lm, rec.span[1])
            sorries.append(entry)
        tactics = []
        for r, env in out.records:
            sid = self._add_state(ProofState(r.goals, r.mctx, r.roots, env))
            tactics.append(
                {
                    "tactic": out.src[r.node.span[0] : r.node.span[1]],
                    "proofState": sid,
                    "pos": _pos(lm, r.node.span[0]),
                    "goals": "\n\n".join(r.mctx.decls[g].text() for g in r.goals) or "no goals",
                    "endPos": _pos(lm, r.node.span[1]),
                    "usedConstants": list(r.used),
                }
            )
        if tactics:
            resp["tactics"] = tactics
        if sorries:
            resp["sorries"] = sorries
        if out.messages:
            resp["messages"] = [self._message(m, lm) for m in out.messages]
        resp["env"] = self._add_env(out.env)
        return resp

    @staticmethod
    def _message(m: Msg, lm: LineMap | None) -> Json:
        if m.span is None or lm is None:
            return {"severity": m.severity, "pos": ZERO, "endPos": ZERO, "data": m.text}
        return {
            "severity": m.severity,
            "pos": _pos(lm, m.span[0]),
            "endPos": _pos(lm, m.span[1]),
            "data": m.text,
        }

    # ------------------------------------------------------------ tactic mode

    def _tactic(self, req: Json) -> Json:
        st = self._state(req)
        if st is None:
            return {"message": "Unknown proof state."}
        src = str(req["tactic"])
        try:
            seq = parse_tactic_input(src)
        except ParseError as e:
            line, col = LineMap(src).pos(e.start)
            return {"message": f"Lean error:\n<input>:{line}:{col + 1}: {e.message}"}
        x = new_exec(Exec(st.env, st.mctx.copy(), list(st.goals), src, tactic_mode=True))
        x.roots = st.roots
        try:
            run_seq(x, seq)
        except TacticError as e:
            return {"message": "Lean error:\n" + e.message}
        except Abort:
            for g in x.goals:
                x.admit(g)
            x.goals = []
        new = ProofState(tuple(x.goals), x.mctx, st.roots, st.env)
        return self._state_response(new, x)

    def _state_response(self, st: ProofState, x: Exec | None = None) -> Json:
        resp: Json = {}
        if x is not None and x.sorries:
            resp["sorries"] = [
                {"proofState": self._add_state(sorry_state(s, st.env)), "goal": s.goal.text()}
                for s in x.sorries
            ]
        resp["proofStatus"] = proof_status(st)
        resp["proofState"] = self._add_state(st)
        if x is not None and x.messages:
            resp["messages"] = [self._message(m, None) for m in x.messages]
        resp["goals"] = [st.mctx.decls[g].text() for g in st.goals]
        return resp

    # ------------------------------------------------------------ pickling

    def _pickle(self, req: Json) -> Json:
        path = str(req["pickleTo"])
        if "proofState" in req:
            st = self._state(req)
            if st is None:
                return {"message": "Unknown proof state."}
            persist.save(path, st)
            return self._state_response(st)
        env = self._env(req) if "env" in req else None
        if env is None:
            return {"message": "Unknown environment."}
        persist.save(path, env)
        return {"env": req["env"]}

    def _unpickle_state(self, req: Json) -> Json:
        st = persist.load(str(req["unpickleProofStateFrom"]))
        if not isinstance(st, ProofState):
            return {"message": "The file does not contain a proof state."}
        if "env" in req:
            env = self._env(req)
            if env is None:
                return {"message": "Unknown environment."}
            st = ProofState(st.goals, st.mctx, st.roots, env)
        return self._state_response(st)
