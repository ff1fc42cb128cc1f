"""REPL processes keyed by import header, each holding that header's environment.

Invariants:
- A header is imported once per process; theorems run in `"env": header_env`.
- At most `pool_size` processes in all and `processes_per_header` per header.
- A process with leases is never evicted; waiters for capacity are served first come, first
  served.
- A lease may lend several processes of its header (a `ProcessGroup`): the first is waited
  for; the others are only idle or new ones (never an eviction) and join the group once
  their header is imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prover_core.config import LeanConfig
from prover_core.lean.group import ProcessGroup
from prover_core.lean.repl import LeanRejected, LeanRepl
from prover_core.types import Env


def header_key(header: str) -> str:
    """Headers that differ only in blank lines or surrounding spaces share processes."""
    return "\n".join(line.strip() for line in header.strip().splitlines() if line.strip())


@dataclass(eq=False)
class _Slot:
    repl: LeanRepl
    key: str
    env: Env | None = None
    leases: int = 0
    last_used: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    failure: BaseException | None = None


@dataclass(frozen=True)
class Lease:
    """A REPL session and the environment of the requested header in it; `group` runs
    tactics across every process lent to the request (`repl` among them)."""

    repl: LeanRepl
    env: Env
    group: ProcessGroup


class ReplPool:
    def __init__(
        self,
        config: LeanConfig,
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._config = config
        self._cwd = cwd
        self._proc_env = env
        self._slots: list[_Slot] = []
        self._capacity = asyncio.Condition()
        self._clock = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pickle_dir: Path | None = None
        self.imports = 0

    def _spawn(self, coro: Coroutine[None, None, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def size(self) -> int:
        return len(self._slots)

    @contextlib.asynccontextmanager
    async def lease(self, header: str, processes: int | None = None) -> AsyncIterator[Lease]:
        """`processes`: most processes lent (default `lean.processes_per_request`)."""
        want = processes if processes is not None else self._config.requested_processes
        key = header_key(header)
        slot, extras = await self._acquire(key, header, max(want, 1) - 1)
        joining: list[asyncio.Task[None]] = []
        group: ProcessGroup | None = None
        try:
            await slot.ready.wait()
            if slot.failure is not None:
                raise slot.failure
            assert slot.env is not None
            group = ProcessGroup(
                slot.repl,
                slot.env,
                transfer=self._config.state_transfer,
                pickle_dir=self._pickles() if self._config.state_transfer == "pickle" else None,
            )
            for extra in extras:  # ready ones join now, so a request's first call uses them
                if extra.ready.is_set():
                    if extra.failure is None and extra.env is not None:
                        group.add(extra.repl, extra.env)
                else:
                    joining.append(asyncio.create_task(_join(group, extra)))
            yield Lease(slot.repl, slot.env, group)
        finally:
            for task in joining:
                task.cancel()
            await asyncio.gather(*joining, return_exceptions=True)
            if group is not None:
                await group.aclose()
            for extra in extras:
                await self._release(extra)
            await self._release(slot)

    def _pickles(self) -> Path:
        if self._pickle_dir is None:
            self._pickle_dir = Path(tempfile.mkdtemp(prefix="leanstep-pickles-"))
        return self._pickle_dir

    async def _acquire(self, key: str, header: str, extra: int) -> tuple[_Slot, list[_Slot]]:
        async with self._capacity:
            while True:
                slot = self._choose(key, header)
                if slot is not None:
                    slot.leases += 1
                    slot.last_used = next(self._clock)
                    extras = self._extras(key, header, slot, extra)
                    for s in extras:
                        s.leases += 1
                        s.last_used = slot.last_used
                    return slot, extras
                await self._capacity.wait()

    def _extras(self, key: str, header: str, primary: _Slot, want: int) -> list[_Slot]:
        """Up to `want` more processes of `key` that nobody is using, new ones if room."""
        out = [
            s
            for s in self._slots
            if s is not primary and s.key == key and s.failure is None and s.leases == 0
        ][:want]
        while len(out) < want and len(self._slots) < self._config.pool_size:
            if sum(s.key == key and s.failure is None for s in self._slots) >= (
                self._config.processes_per_header
            ):
                break
            out.append(self._new_slot(key, header))
        return out

    def _choose(self, key: str, header: str) -> _Slot | None:
        """Pick or create a slot for `key`; None when the caller must wait."""
        mine = [s for s in self._slots if s.key == key and s.failure is None]
        idle = [s for s in mine if s.leases == 0]
        if idle:
            return idle[0]
        can_grow = len(mine) < self._config.processes_per_header
        if can_grow and len(self._slots) < self._config.pool_size:
            return self._new_slot(key, header)
        if can_grow or not mine:
            victims = [s for s in self._slots if s.leases == 0 and s.key != key]
            if victims:
                victim = min(victims, key=lambda s: s.last_used)
                self._slots.remove(victim)
                self._spawn(victim.repl.close())
                return self._new_slot(key, header)
        if mine:
            return min(mine, key=lambda s: s.leases)
        return None

    def _new_slot(self, key: str, header: str) -> _Slot:
        slot = _Slot(LeanRepl(self._config, cwd=self._cwd, env=self._proc_env), key)
        self._slots.append(slot)
        self._spawn(self._import(slot, header))
        return slot

    async def _import(self, slot: _Slot, header: str) -> None:
        try:
            result = await slot.repl.command(header, timeout=self._config.header_timeout_s)
            self.imports += 1
            if result.errors:
                detail = "\n".join(m.data for m in result.errors)
                raise LeanRejected(f"the header does not elaborate:\n{detail}")
            slot.env = result.env
        except BaseException as e:  # surfaced to every lessee of this slot
            slot.failure = e
        finally:
            slot.ready.set()

    async def _release(self, slot: _Slot) -> None:
        async with self._capacity:
            slot.leases -= 1
            if slot.failure is not None and slot.leases == 0 and slot in self._slots:
                self._slots.remove(slot)
                await slot.repl.close()
            self._capacity.notify_all()

    async def close(self) -> None:
        async with self._capacity:
            slots, self._slots = self._slots, []
        await asyncio.gather(*(s.repl.close() for s in slots), return_exceptions=True)
        if self._pickle_dir is not None:
            shutil.rmtree(self._pickle_dir, ignore_errors=True)
            self._pickle_dir = None


async def _join(group: ProcessGroup, slot: _Slot) -> None:
    """Add `slot` to `group` once its header is imported; a failed import just stays out."""
    await slot.ready.wait()
    if slot.failure is None and slot.env is not None:
        group.add(slot.repl, slot.env)
