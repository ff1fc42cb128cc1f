"""A Lean REPL session: typed requests over one process, restart and restore.

Invariants:
- Requests are serialised (one lock); a caller cancelled mid-request does not desync the
  framing: the request finishes in the background and its answer is dropped.
- Every handle (`Env`, `ProofState`) issued here knows how it was made (its origin). After any
  restart, a handle is re-created lazily by replaying its origin chain in the new process;
  callers see the right answer or a typed `LeanError`, never another process's state.
- A restart happens only between requests, so the ids used by one request all come from the
  same process.
- Only handles someone still holds are restorable: origins live in weak dictionaries.
- A handle of another session is used here only through its copy (`adopt`): made once, by
  replaying its origin chain here or by pickling it there and unpickling it here, and cached
  for as long as the original is held.
"""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from prover_core.config import LeanConfig
from prover_core.errors import (
    LeanCrashed,
    LeanError,
    LeanProtocolError,
    LeanTimeout,
    StateLost,
)
from prover_core.lean import protocol
from prover_core.lean.process import ReplProcess
from prover_core.types import (
    Advanced,
    CommandResult,
    Env,
    Message,
    ProofState,
    Proved,
    Sorry,
    TacticFailed,
    TacticOutcome,
    TacticRecord,
)

_RSS_CHECK_EVERY = 16
Handle = Env | ProofState
_H = TypeVar("_H", Env, ProofState)


class LeanRejected(LeanError):
    """The REPL refused a command as a whole (`{"message": ...}`), e.g. a bad import."""


@dataclass(eq=False)
class _Origin:
    """How to re-create the handles one request produced."""

    payload: dict[str, Any]
    parent: Handle | None
    parent_key: str | None  # "env" or "proofState": where the parent's id goes
    timeout: float
    products: dict[tuple[str, int], weakref.ref[Any]] = field(default_factory=dict)


class LeanRepl:
    """One REPL process with typed, restorable handles."""

    def __init__(
        self,
        config: LeanConfig,
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._config = config
        self._cwd = cwd if cwd is not None else config.project_dir
        self._env = env
        self._proc: ReplProcess | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self._ids: weakref.WeakKeyDictionary[Handle, tuple[int, int]] = weakref.WeakKeyDictionary()
        self._origins: weakref.WeakKeyDictionary[Handle, _Origin] = weakref.WeakKeyDictionary()
        # copies are keyed by the original handle (a copy of a copy is a copy of the
        # original), so a chain made across several processes is moved one step at a time
        self._copies: weakref.WeakKeyDictionary[Handle, Handle] = weakref.WeakKeyDictionary()
        # copy → its original, weakly both ways: a copy never keeps its original alive
        self._originals: weakref.WeakKeyDictionary[Handle, weakref.ref[Handle]] = (
            weakref.WeakKeyDictionary()
        )
        self._adopting: weakref.WeakKeyDictionary[Handle, asyncio.Future[Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._pickles: weakref.WeakKeyDictionary[ProofState, asyncio.Future[Path]] = (
            weakref.WeakKeyDictionary()
        )
        self.restarts = 0
        self.replays = 0
        self.adoptions = 0  # copies made here of other sessions' handles
        self.adopt_s = 0.0  # time spent making them (queueing for this session included)

    # --- public API -------------------------------------------------------------------

    async def command(
        self,
        cmd: str,
        env: Env | None = None,
        *,
        all_tactics: bool = False,
        root_goals: bool = False,
        infotree: str | None = None,
        timeout: float | None = None,
    ) -> CommandResult:
        """Elaborate Lean source in `env` (a fresh environment when None)."""
        payload: dict[str, Any] = {"cmd": cmd}
        if all_tactics:
            payload["allTactics"] = True
        if root_goals:
            payload["rootGoals"] = True
        if infotree is not None:
            payload["infotree"] = infotree
        return await self._command_like(payload, env, timeout)

    async def file(
        self, path: Path, env: Env | None = None, *, all_tactics: bool = False
    ) -> CommandResult:
        """Elaborate a file by path (the REPL's file mode)."""
        payload: dict[str, Any] = {"path": str(path)}
        if all_tactics:
            payload["allTactics"] = True
        return await self._command_like(payload, env, None)

    async def tactic(
        self, state: ProofState, tactic: str, *, timeout: float | None = None
    ) -> TacticOutcome:
        """Run one tactic on `state`. Lean's verdict is a value; infrastructure fails raise."""
        self._check_owner(state)
        t = timeout if timeout is not None else self._config.timeout_s
        payload: dict[str, Any] = {"tactic": tactic}
        resp, gen = await self._call(payload, state, "proofState", t)
        failure = protocol.failure_of(resp)
        if failure is not None:
            if failure.is_lean_error:
                return TacticFailed(failure.lean_message)
            raise LeanProtocolError(f"REPL refused a tactic request: {failure.message}")
        raw = protocol.parse_tactic_result(resp)
        origin = _Origin(payload, state, "proofState", t)
        new = self._register(
            ProofState(goals=raw.goals, owner=self, interior=state.interior), origin, ("state", 0)
        )
        sorries = self._register_sorries(origin, raw.sorries, interior=True)
        self._bind_products(origin, resp, gen)
        if raw.completed or (state.interior and raw.closed_inside):
            return Proved(new, raw.messages)
        errors = [m for m in raw.messages if m.severity == "error"]
        if errors:
            return TacticFailed(errors[0].data, raw.proof_status)
        if (raw.goals or sorries) and not (raw.proof_status or "").startswith("Error"):
            return Advanced(new, raw.messages, sorries)
        return TacticFailed(f"proof not complete: {raw.proof_status}", raw.proof_status)

    async def pickle_env(self, env: Env, path: Path) -> None:
        self._check_owner(env)
        await self._call({"pickleTo": str(path)}, env, "env", self._config.timeout_s)

    async def unpickle_env(self, path: Path) -> Env:
        return (await self._command_like({"unpickleEnvFrom": str(path)}, None, None)).env

    async def pickle_state(self, state: ProofState, path: Path) -> None:
        self._check_owner(state)
        resp, _ = await self._call(
            {"pickleTo": str(path)}, state, "proofState", self._config.timeout_s
        )
        self._raise_failure(resp)

    async def unpickle_state(
        self, path: Path, env: Env | None = None, *, interior: bool = False
    ) -> ProofState:
        payload: dict[str, Any] = {"unpickleProofStateFrom": str(path)}
        resp, gen = await self._call(payload, env, "env", self._config.timeout_s)
        self._raise_failure(resp)
        raw = protocol.parse_tactic_result(resp)
        origin = _Origin(payload, env, "env", self._config.timeout_s)
        state = self._register(
            ProofState(goals=raw.goals, owner=self, interior=interior), origin, ("state", 0)
        )
        self._bind_products(origin, resp, gen)
        return state

    async def restart(self) -> None:
        """Kill the process; held handles will be restored on next use."""
        async with self._lock:
            await self._restart()

    async def close(self) -> None:
        async with self._lock:
            if self._proc is not None:
                await self._proc.close()
                self._proc = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.alive else None

    def holds(self, handle: Handle) -> bool:
        return handle.owner is self

    # --- copies of other sessions' handles ----------------------------------------------

    def alias(self, foreign: Handle, own: Handle) -> None:
        """Declare `own` this session's equivalent of `foreign` (e.g. one header's env in
        two processes), so chains through `foreign` are not replayed past it."""
        self._check_owner(own)
        self._copies[foreign] = own

    def record_copy(self, original: Handle, copy: Handle) -> None:
        """Declare `copy`, issued here by the same request that issued `original` in
        another session, this session's copy of `original` (as if adopted)."""
        self._check_owner(copy)
        original = _original(original)
        if original.owner is self or self._local(original) is not None:
            return
        self._copies[original] = copy
        self._originals[copy] = weakref.ref(original)

    def has_copy(self, handle: Handle) -> bool:
        """`handle` is usable here without a transfer (or its transfer is under way)."""
        return self._local(handle) is not None or _original(handle) in self._adopting

    def _local(self, handle: Handle) -> Handle | None:
        """This session's own handle for `handle`: itself, its original or a copy."""
        if handle.owner is self:
            return handle
        original = _original(handle)
        if original.owner is self:
            return original
        return self._copies.get(original) or self._copies.get(handle)

    async def adopt(self, handle: _H, *, pickle_dir: Path | None = None) -> _H:
        """This session's copy of `handle`, made once and cached. A proof state moves by
        pickling when `pickle_dir` is given, otherwise by replaying its origin chain here
        (an environment always by replay: unpickling one re-imports its header)."""
        return cast(_H, await self._adopt(handle, pickle_dir))

    async def _adopt(self, handle: Handle, pickle_dir: Path | None) -> Handle:
        local = self._local(handle)
        if local is not None:
            return local
        original = _original(handle)
        pending = self._adopting.get(original)
        if pending is None:
            pending = asyncio.ensure_future(self._make_copy(handle, pickle_dir))
            self._adopting[original] = pending

            def forget(_f: asyncio.Future[Any], h: Handle = original) -> None:
                self._adopting.pop(h, None)

            pending.add_done_callback(forget)
        copy: Handle = await asyncio.shield(pending)
        return copy

    async def _make_copy(self, handle: Handle, pickle_dir: Path | None) -> Handle:
        source = handle.owner
        if not isinstance(source, LeanRepl):
            raise ValueError("this handle was not issued by a REPL session")
        t0 = time.perf_counter()
        if pickle_dir is not None and isinstance(handle, ProofState):
            env = source._root_env(handle)
            env_copy = await self.adopt(env) if env is not None else None
            path = await source._pickled(handle, pickle_dir)
            copy: Handle = await self.unpickle_state(path, env_copy, interior=handle.interior)
            if copy.goals != handle.goals:  # type: ignore[union-attr]
                raise StateLost("the unpickled state differs from the original")
        else:
            copy = await self._replay_foreign(source, handle, pickle_dir)
        original = _original(handle)
        self._copies[original] = copy
        self._originals[copy] = weakref.ref(original)
        self.adoptions += 1
        self.adopt_s += time.perf_counter() - t0
        return copy

    async def _replay_foreign(
        self, source: LeanRepl, handle: Handle, pickle_dir: Path | None
    ) -> Handle:
        origin = source._origins.get(handle)
        if origin is None:
            raise StateLost("no record of how this state was made")
        key = next((k for k, ref in origin.products.items() if ref() is handle), None)
        if key is None:
            raise StateLost("the state is not among its origin's products")
        parent = None
        if origin.parent is not None:
            parent = await self._adopt(origin.parent, pickle_dir)
        parent_key = origin.parent_key or "env"
        resp, gen = await self._call(origin.payload, parent, parent_key, origin.timeout)
        if protocol.failure_of(resp) is not None:
            raise StateLost(f"replay refused: {resp.get('message')}")
        mine = _Origin(origin.payload, parent, origin.parent_key, origin.timeout)
        copy: Handle
        if isinstance(handle, ProofState):
            if _product_goals(resp, *key) not in (None, handle.goals):
                raise StateLost("replaying the state's history gave other goals")
            copy = self._register(
                ProofState(goals=handle.goals, owner=self, interior=handle.interior), mine, key
            )
        else:
            copy = self._register(Env(owner=self), mine, key)
        self._bind_products(mine, resp, gen)
        entry = self._ids.get(copy)
        if entry is None or entry[0] != gen:
            raise StateLost("replaying the state's history did not reproduce it")
        return copy

    def _root_env(self, state: ProofState) -> Env | None:
        """The environment the state's origin chain starts from (None: a fresh one)."""
        handle: Handle | None = state
        while handle is not None and not isinstance(handle, Env):
            origin = self._origins.get(handle)
            if origin is None:
                raise StateLost("no record of how this state was made")
            handle = origin.parent
        return handle

    async def _pickled(self, state: ProofState, directory: Path) -> Path:
        """A pickle file of `state` (written once per state, shared by every reader)."""
        pending = self._pickles.get(state)
        if pending is None or (pending.done() and pending.exception() is not None):
            path = directory / f"{uuid.uuid4().hex}.olean"
            pending = asyncio.ensure_future(self._pickle_to(state, path))
            self._pickles[state] = pending
        return await asyncio.shield(pending)

    async def _pickle_to(self, state: ProofState, path: Path) -> Path:
        await self.pickle_state(state, path)
        return path

    # --- requests ---------------------------------------------------------------------

    async def _command_like(
        self, payload: dict[str, Any], env: Env | None, timeout: float | None
    ) -> CommandResult:
        if env is not None:
            self._check_owner(env)
        t = timeout if timeout is not None else self._config.timeout_s
        resp, gen = await self._call(payload, env, "env", t)
        self._raise_failure(resp)
        raw = protocol.parse_command(resp)
        replay_payload = {k: v for k, v in payload.items() if k not in ("infotree",)}
        origin = _Origin(replay_payload, env, "env" if env is not None else None, t)
        new_env = self._register(Env(owner=self), origin, ("env", 0))
        sorries = self._register_sorries(origin, raw.sorries, interior=False)
        tactics = []
        for i, rt in enumerate(raw.tactics):
            state = None
            if rt.proof_state is not None:
                goals = tuple(g for g in rt.goals.split("\n\n") if g) if rt.goals else ()
                state = self._register(
                    ProofState(goals=goals, owner=self, interior=True), origin, ("tactic", i)
                )
            tactics.append(
                TacticRecord(rt.tactic, rt.goals, rt.pos, rt.end_pos, state, rt.used_constants)
            )
        self._bind_products(origin, resp, gen)
        return CommandResult(new_env, raw.messages, sorries, tuple(tactics), raw.infotree)

    @staticmethod
    def _raise_failure(resp: Mapping[str, Any]) -> None:
        failure = protocol.failure_of(resp)
        if failure is not None:
            if failure.is_lean_error:
                raise LeanRejected(failure.message)
            raise LeanProtocolError(f"REPL refused the request: {failure.message}")

    def _register_sorries(
        self, origin: _Origin, raw_sorries: tuple[protocol.RawSorry, ...], *, interior: bool
    ) -> tuple[Sorry, ...]:
        out = []
        for i, s in enumerate(raw_sorries):
            state = self._register(
                ProofState(goals=(s.goal,), owner=self, interior=interior), origin, ("sorry", i)
            )
            out.append(Sorry(state, s.goal, s.pos, s.end_pos))
        return tuple(out)

    def _register(self, handle: _H, origin: _Origin, key: tuple[str, int]) -> _H:
        origin.products[key] = weakref.ref(handle)
        self._origins[handle] = origin
        return handle

    def _check_owner(self, handle: Handle) -> None:
        if handle.owner is not self:
            raise ValueError("this handle was issued by another REPL session")

    async def _call(
        self, payload: dict[str, Any], parent: Handle | None, parent_key: str, timeout: float
    ) -> tuple[dict[str, Any], int]:
        """Send `payload` with `parent`'s current id, restoring and retrying as needed.

        Returns the response and the generation of the process that gave it: ids in it are
        valid only in that generation (the lock is released before the caller resumes).
        """
        await self._lock.acquire()
        task = asyncio.ensure_future(self._locked_call(payload, parent, parent_key, timeout))
        task.add_done_callback(lambda _t: self._lock.release())
        return await asyncio.shield(task)

    async def _locked_call(
        self, payload: dict[str, Any], parent: Handle | None, parent_key: str, timeout: float
    ) -> tuple[dict[str, Any], int]:
        attempts = self._config.crash_retries + 1
        for attempt in range(attempts):
            await self._maybe_recycle()
            try:
                full = dict(payload)
                if parent is not None:
                    full[parent_key] = await self._resolve(parent)
                resp = await self._send(full, timeout)
                return resp, self._generation
            except LeanTimeout:
                await self._restart()
                raise
            except (LeanCrashed, LeanProtocolError) as e:
                await self._restart()
                if attempt + 1 == attempts:
                    if isinstance(e, LeanCrashed):
                        raise
                    raise LeanCrashed(f"REPL answered garbage: {e}") from e
        raise AssertionError("unreachable")

    async def _send(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        # A new process is spawned only after `_restart` (which moved to a new generation);
        # a process that died on its own must not be silently replaced, or ids issued by
        # the dead one would be sent to its successor.
        if self._proc is not None and not self._proc.alive:
            raise LeanCrashed("REPL process exited")
        if self._proc is None:
            self._proc = await ReplProcess.spawn(
                self._config.repl_command,
                cwd=self._cwd,
                env=self._env,
                memory_limit_mb=self._config.memory_limit_mb,
            )
        resp = await self._proc.request(payload, timeout)
        if resp.get("message") in ("Unknown proof state.", "Unknown environment."):
            raise LeanProtocolError(f"REPL lost a handle: {resp['message']}")
        return resp

    async def _restart(self) -> None:
        if self._proc is not None:
            await self._proc.kill()
            self._proc = None
            self.restarts += 1
        self._generation += 1

    async def _maybe_recycle(self) -> None:
        proc = self._proc
        if proc is None:
            return
        cfg = self._config
        over_memory = (
            cfg.recycle_above_rss_mb is not None
            and proc.requests % _RSS_CHECK_EVERY == 0
            and proc.rss_mb() > cfg.recycle_above_rss_mb
        )
        if proc.requests >= cfg.recycle_after_requests or not proc.alive or over_memory:
            await self._restart()

    # --- handle ids and restoration ----------------------------------------------------

    async def _resolve(self, handle: Handle) -> int:
        entry = self._ids.get(handle)
        if entry is not None and entry[0] == self._generation:
            return entry[1]
        origin = self._origins.get(handle)
        if origin is None:
            raise StateLost("no record of how this state was made")
        await self._replay(origin)
        entry = self._ids.get(handle)
        if entry is None or entry[0] != self._generation:
            raise StateLost("replaying the state's history did not reproduce it")
        return entry[1]

    async def _replay(self, origin: _Origin) -> None:
        self.replays += 1
        full = dict(origin.payload)
        if origin.parent is not None and origin.parent_key is not None:
            full[origin.parent_key] = await self._resolve(origin.parent)
        resp = await self._send(full, origin.timeout)
        if protocol.failure_of(resp) is not None:
            raise StateLost(f"replay refused: {resp.get('message')}")
        self._bind_products(origin, resp, self._generation)

    def _bind_products(self, origin: _Origin, resp: Mapping[str, Any], generation: int) -> None:
        for (kind, i), ref in origin.products.items():
            handle = ref()
            if handle is None:
                continue
            repl_id = _product_id(resp, kind, i)
            if repl_id is not None:
                self._ids[handle] = (generation, repl_id)


def _original(handle: Handle) -> Handle:
    """The handle `handle` is a copy of (itself when it is no copy)."""
    owner = handle.owner
    ref = owner._originals.get(handle) if isinstance(owner, LeanRepl) else None
    original = ref() if ref is not None else None
    return original if original is not None else handle


def _product_goals(resp: Mapping[str, Any], kind: str, i: int) -> tuple[str, ...] | None:
    """The goals Lean reports for a proof-state product (None where it reports none)."""
    try:
        if kind == "state":
            return protocol.parse_tactic_result(resp).goals
        if kind == "sorry":
            return (protocol.parse_sorries(resp)[i].goal,)
    except (IndexError, LeanProtocolError):
        return None
    return None


def _product_id(resp: Mapping[str, Any], kind: str, i: int) -> int | None:
    try:
        if kind == "env":
            return protocol.parse_command(resp).env
        if kind == "state":
            return protocol.parse_tactic_result(resp).proof_state
        if kind == "sorry":
            return protocol.parse_sorries(resp)[i].proof_state
        if kind == "tactic":
            return protocol.parse_tactics(resp)[i].proof_state
    except (IndexError, LeanProtocolError):
        return None
    return None


__all__ = ["LeanRejected", "LeanRepl", "Message"]
