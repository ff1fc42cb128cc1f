"""Anchored edits and search progress for the language server.

Invariants: an edit sent to the client is computed on the document text current when the
answer is sent and names that version (a versioned `TextDocumentEdit`); when the document
moved on since the search read it, the target `sorry` is found again by its anchor (same
declaration, same `sorry` index) and the service verifies the proof again if the declaration
itself changed; a closed document gets no edit and a "withheld" answer, never an error.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass
from typing import Any, Literal

from lsprotocol import types

from lsp_server import protocol
from lsp_server.convert import versioned_edit
from lsp_server.server import LeanstepServer, Snapshot
from prover_core.config import SearchConfig
from prover_core.placement import relocate_edit
from prover_core.search.best_first import SearchResult
from prover_core.service import Anchor, ProveProgress, ProveResult, TextEdit

_CLOSED = "the document was closed before the answer arrived; nothing was changed"
_RETRIES = 3
_REMEMBERED = 64
_PROGRESS_INTERVAL_S = 0.2  # at most 5 progress notifications a second


@dataclass(frozen=True, slots=True)
class Placed:
    edit: types.WorkspaceEdit | None
    status: Literal["placed", "withheld"]
    message: str

    @property
    def status_for_search(self) -> protocol.SearchStatus:
        return "proved" if self.edit is not None else "withheld"


def _withheld(message: str) -> Placed:
    return Placed(None, "withheld", message)


class Placer:
    def __init__(self, ls: LeanstepServer) -> None:
        self._ls = ls
        # (uri, anchor, proof) → the declaration text the proof was verified in
        self._verified: collections.OrderedDict[tuple[str, Anchor, tuple[str, ...]], str] = (
            collections.OrderedDict()
        )

    def _remember(self, uri: str, anchor: Anchor, proof: tuple[str, ...], decl: str) -> None:
        self._verified[(uri, anchor, proof)] = decl
        while len(self._verified) > _REMEMBERED:
            self._verified.popitem(last=False)

    async def place_found(self, snap: Snapshot, result: ProveResult) -> Placed:
        """The verified proof of `result` (found on `snap`) as an edit of the current text."""
        assert result.edit is not None and result.proof is not None
        if result.anchor is not None and result.verified_on is not None:
            self._remember(snap.uri, result.anchor, result.proof, result.verified_on)
        current = self._ls.snapshot_or_none(snap.uri)
        if current is None:
            return _withheld(_CLOSED)
        if current.text == snap.text:
            return Placed(
                versioned_edit(snap.uri, current.version, current.text, result.edit),
                "placed",
                result.message,
            )
        if result.anchor is None:
            return _withheld(
                "the file changed during the search and an `example` cannot be found again; "
                "proof withheld"
            )
        return await self.place_again(snap.uri, result.anchor, result.proof)

    async def place_again(self, uri: str, anchor: Anchor, proof: tuple[str, ...]) -> Placed:
        """`proof` at `anchor` in the current text, verified again when the declaration is
        not the one it was verified in (or that is unknown)."""
        verified_on = self._verified.get((uri, anchor, proof))
        for _ in range(_RETRIES):
            current = self._ls.snapshot_or_none(uri)
            if current is None:
                return _withheld(_CLOSED)
            service = await self._ls.ready_service()
            res = await service.place(current.text, anchor, proof, verified_on)
            after = self._ls.snapshot_or_none(uri)
            if after is None:
                return _withheld(_CLOSED)
            if after.version != current.version:
                continue  # changed while it was being checked: find it again
            if res.edit is None:
                return _withheld(res.message)
            return Placed(
                versioned_edit(uri, current.version, current.text, res.edit), "placed", res.message
            )
        return _withheld("the document kept changing while the proof was being placed; try again")

    def place_sketch(self, snap: Snapshot, edit: TextEdit) -> Placed:
        current = self._ls.snapshot_or_none(snap.uri)
        if current is None:
            return _withheld(_CLOSED)
        moved = edit if current.text == snap.text else relocate_edit(snap.text, current.text, edit)
        if moved is None:
            return _withheld("the theorem changed while the planner worked; sketch again")
        return Placed(
            versioned_edit(snap.uri, current.version, current.text, moved), "placed", "sketch ready"
        )


def stats_wire(search: SearchResult, budget: SearchConfig) -> protocol.SearchStats:
    depth = max((n.depth for n in search.tree.nodes.values()), default=0)
    return {
        "expansions": search.stats.expansions,
        "budget": budget.expansions * budget.passes,
        "elapsedS": round(search.stats.wall_s, 3),
        "bestDepth": depth,
    }


def hint_for(status: str, budget: SearchConfig) -> str | None:
    if status in ("budget", "timeout"):
        return f"try again with 4× budget ({4 * budget.expansions} expansions)"
    return None


class SearchReporter:
    """Work-done progress on a client token (or none) plus throttled
    `leanstep/searchProgress` notifications for the panel."""

    def __init__(self, ls: LeanstepServer, uri: str, token: Any, what: str = "proving") -> None:
        self._ls, self._uri = ls, uri
        self._token = token if isinstance(token, str | int) else None
        self._start = time.perf_counter()
        self._last = 0.0
        if self._token is not None:
            ls.work_done_progress.begin(
                self._token,
                types.WorkDoneProgressBegin(title=f"leanstep: {what}", cancellable=True),
            )

    def report(self, progress: ProveProgress) -> None:
        now = time.perf_counter()
        done = progress.stats.expansions >= progress.budget
        if now - self._last < _PROGRESS_INTERVAL_S and not done:
            return
        self._last = now
        path = progress.best_path()
        elapsed = now - self._start
        message = (
            f"{progress.stats.expansions}/{progress.budget} expansions · {elapsed:.1f} s · "
            f"best depth {len(path)}"
        )
        if self._token is not None:
            pct = min(99, int(100 * progress.stats.expansions / max(progress.budget, 1)))
            self._ls.work_done_progress.report(
                self._token, types.WorkDoneProgressReport(message=message, percentage=pct)
            )
        params: protocol.SearchProgressParams = {
            "uri": self._uri,
            "expansions": progress.stats.expansions,
            "budget": progress.budget,
            "elapsedS": round(elapsed, 3),
            "bestDepth": len(path),
            "bestPath": list(path),
        }
        if self._token is not None:
            params["token"] = self._token
        self._ls.protocol.notify(protocol.SEARCH_PROGRESS, params)

    def end(self) -> None:
        if self._token is not None:
            self._ls.work_done_progress.end(self._token, types.WorkDoneProgressEnd(message="done"))
