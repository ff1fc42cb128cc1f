"""Ghost text (`textDocument/inlineCompletion`): the best checked tactic at the cursor.

Invariants: answers are cached by (uri, document version, position), so a pause or a
re-request at the same place costs nothing and a different column never reuses another
column's answer; an answer without a goal is never cached (the goal may appear once the
file elaborates); one request per document is in flight (a newer one or an edit cancels
it); failures give a null result and a log line, never an error popup. The cursor rule
(`prover_core.cursor`) decides the goal and the text: after `:= by` + Enter the tactic comes
at the block's indentation (the `by` line's + 2). A tactic that closes the goal is marked
in the item's command title ("✓ proves the goal").
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_server.convert import lsp_range, to_core
from lsp_server.server import LeanstepServer, is_lean
from prover_core.errors import LeanstepError
from prover_core.service import SuggestResult

log = logging.getLogger("leanstep.lsp")
CacheKey = tuple[str, int, int, int]
ACCEPTED_COMMAND = "leanstep.inlineAccepted"


class InlineCache:
    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._items: collections.OrderedDict[CacheKey, types.InlineCompletionList | None] = (
            collections.OrderedDict()
        )

    def get(self, key: CacheKey) -> tuple[bool, types.InlineCompletionList | None]:
        if key not in self._items:
            return False, None
        self._items.move_to_end(key)
        return True, self._items[key]

    def put(self, key: CacheKey, value: types.InlineCompletionList | None) -> None:
        self._items[key] = value
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def forget(self, uri: str) -> None:
        for key in [k for k in self._items if k[0] == uri]:
            del self._items[key]

    def __len__(self) -> int:
        return len(self._items)


def _items(text: str, result: SuggestResult) -> types.InlineCompletionList | None:
    best = next((s for s in result.suggestions if s.outcome != "failed"), None)
    if best is None or result.insert is None:
        return None
    title = "✓ proves the goal" if best.outcome == "proved" else "makes progress"
    item = types.InlineCompletionItem(
        insert_text=best.insert_text,
        range=lsp_range(text, result.insert.start, result.insert.end),
        command=types.Command(title=title, command=ACCEPTED_COMMAND, arguments=[best.outcome]),
    )
    return types.InlineCompletionList(items=[item])


async def inline_completion(
    ls: LeanstepServer, cache: InlineCache, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    uri = params.text_document.uri
    if not ls.server_settings.inline_enabled or not is_lean(uri):
        return None
    snap = ls.snapshot_or_none(uri)
    if snap is None:
        return None
    key = (uri, snap.version, params.position.line, params.position.character)
    hit, cached = cache.get(key)
    if hit:
        return cached
    previous = ls.inline_tasks.pop(uri, None)
    if previous is not None:
        previous.cancel()
    task = asyncio.current_task()
    assert task is not None
    ls.inline_tasks[uri] = task
    try:
        await asyncio.sleep(ls.server_settings.inline_debounce_ms / 1000)
        snap = ls.snapshot(uri)
        if snap.version != key[1]:
            return None  # edited during the pause: a newer request follows
        line, column = to_core(snap.text, params.position)
        service = await ls.ready_service()
        t0 = time.perf_counter()
        result = await service.suggest(snap.text, line, column, mode="inline")
        c = result.counts
        log.info(
            "inlineCompletion proved=%d advanced=%d failed=%d total_ms=%.2f policy_ms=%.2f "
            "lean_ms=%.2f",
            c.proved, c.advanced, c.failed, (time.perf_counter() - t0) * 1e3,
            result.policy_s * 1e3, result.lean_s * 1e3,
        )  # fmt: skip
        if result.goal is None:
            return None  # never cached: the goal may exist once the file elaborates
        items = _items(snap.text, result)
        cache.put(key, items)
        return items
    except (JsonRpcException, LeanstepError) as e:
        log.info("inlineCompletion: no ghost text (%s)", e)
        return None
    except Exception as e:  # the contract: ghost text fails quietly; the bug is logged in full
        log.error("inlineCompletion failed", exc_info=e)
        return None
    finally:
        if ls.inline_tasks.get(uri) is task:
            del ls.inline_tasks[uri]
