"""LSP features: each handler converts params, calls the service, converts the result."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from lsp_server import protocol
from lsp_server.convert import lsp_position, plain, require, suggestion_wire, to_core, to_lsp_edit
from lsp_server.server import LeanstepServer, UnknownDocument, is_lean
from prover_core.errors import LeanstepError
from prover_core.lean.decl import declaration_at, offset_of
from prover_core.lean.lexer import lex
from prover_core.search.best_first import SearchStats
from prover_core.service import SuggestResult


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was valid but leanstep could not serve it."""

    code = -32803


def _doc(ls: LeanstepServer, params: dict[str, Any]) -> tuple[str, str, Any]:
    uri = require(params, "textDocument", "uri")
    if not isinstance(uri, str):
        raise JsonRpcInvalidParams("textDocument.uri must be a string")
    try:
        text = ls.document_text(uri)
    except UnknownDocument as e:
        raise JsonRpcInvalidParams(str(e)) from None
    return uri, text, ls.workspace.get_text_document(uri)


def _service(ls: LeanstepServer) -> Any:
    try:
        return ls.service()
    except LeanstepError as e:
        raise RequestFailed(f"leanstep is not configured: {e}") from None


class _Progress:
    """Work-done progress on a client token (or none), reporting search expansions."""

    def __init__(self, ls: LeanstepServer, token: Any, title: str, total: int) -> None:
        self._ls, self._token, self._total, self._last = ls, token, total, -1
        if token is not None:
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0)
            )

    def __call__(self, stats: SearchStats) -> None:
        if self._token is None:
            return
        pct = min(99, int(100 * stats.expansions / max(self._total, 1)))
        if pct != self._last:
            self._last = pct
            self._ls.work_done_progress.report(
                self._token,
                types.WorkDoneProgressReport(
                    message=f"{stats.expansions} expansions", percentage=pct
                ),
            )

    def end(self, message: str) -> None:
        if self._token is not None:
            self._ls.work_done_progress.end(self._token, types.WorkDoneProgressEnd(message=message))


def register(ls: LeanstepServer) -> None:
    @ls.feature(types.INITIALIZE)
    async def initialize(params: types.InitializeParams) -> None:
        root = params.root_uri or (
            params.workspace_folders[0].uri if params.workspace_folders else None
        )
        ls.set_root(root)
        await ls.apply_settings(params.initialization_options)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and "leanstep" in settings:
            settings = settings["leanstep"]
        await ls.apply_settings(settings)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        task = ls.inline_tasks.pop(params.text_document.uri, None)
        if task is not None:
            task.cancel()  # a new edit makes a pending ghost-text answer stale

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        task = ls.inline_tasks.pop(params.text_document.uri, None)
        if task is not None:
            task.cancel()

    @ls.feature(protocol.SUGGEST_TACTICS)
    async def suggest_tactics(raw: Any) -> protocol.SuggestTacticsResult:
        params = plain(raw)
        uri, text, doc = _doc(ls, params)
        if not is_lean(uri):
            return {"goal": None, "suggestions": []}
        line, column = to_core(doc, text, lsp_position(params))
        n = params.get("n")
        goal = params.get("goal")
        t0 = time.perf_counter()
        result = await _service(ls).suggest(
            text, line, column, n if isinstance(n, int) and n > 0 else None,
            goal if isinstance(goal, str) and goal.strip() else None,
        )  # fmt: skip
        _log_timing(ls, "suggestTactics", time.perf_counter() - t0, result)
        return {
            "goal": result.goal,
            "suggestions": [suggestion_wire(s) for s in result.suggestions],  # type: ignore[misc]
        }

    @ls.feature(protocol.SEARCH_PROOF)
    async def search_proof(raw: Any) -> protocol.SearchProofResult:
        params = plain(raw)
        uri, text, doc = _doc(ls, params)
        if not is_lean(uri):
            return {"proved": False, "message": "not a Lean file"}
        line, column = to_core(doc, text, lsp_position(params))
        service = _service(ls)
        budget = None
        expansions = params.get("expansions")
        if isinstance(expansions, int) and expansions > 0:
            budget = service.config.search.model_copy(update={"expansions": expansions})
        total = (budget or service.config.search).expansions
        progress = _Progress(ls, params.get("workDoneToken"), "leanstep: proving", total)
        try:
            result = await service.prove(
                text, line=line, column=column, budget=budget, on_expand=progress
            )
        finally:
            progress.end("done")
        out: protocol.SearchProofResult = {"proved": result.proved, "message": result.message}
        if result.proof:
            out["proof"] = list(result.proof)
        if result.proved and result.edit is not None:
            out["edit"] = to_lsp_edit(doc, uri, result.edit)
        return out

    @ls.feature(protocol.SKETCH_LEMMAS)
    async def sketch_lemmas(raw: Any) -> protocol.SketchLemmasResult:
        params = plain(raw)
        uri, text, doc = _doc(ls, params)
        line, column = to_core(doc, text, lsp_position(params))
        offset = offset_of(text, line, column)
        decl = declaration_at(text, offset)
        if decl is None or decl.name is None:
            return {"message": "put the cursor inside a named theorem"}
        progress = _Progress(ls, params.get("workDoneToken"), "leanstep: planning", 1)
        try:
            result = await _service(ls).sketch(text, decl.name)
        finally:
            progress.end("done")
        out: protocol.SketchLemmasResult = {"message": result.message or "sketch inserted"}
        if result.edit is not None:
            out["skeleton"] = result.edit.new_text
            out["edit"] = to_lsp_edit(doc, uri, result.edit)
        return out

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        if not is_lean(uri):
            return []
        try:
            text = ls.document_text(uri)
        except UnknownDocument:
            return []
        doc = ls.workspace.get_text_document(uri)
        start = doc.offset_at_position(params.range.start)
        end = doc.offset_at_position(params.range.end)
        lo = text.rfind("\n", 0, start) + 1
        hi = text.find("\n", end)
        hi = len(text) if hi < 0 else hi
        # the whole text is lexed: a line inside a comment or string holds no `sorry`
        sorries = [t for t in lex(text)[0] if t.text == "sorry" and lo <= t.start < hi]
        if not sorries:
            return []
        at = doc.client_position_at_offset(sorries[0].start)
        arg = {
            "textDocument": {"uri": uri},
            "position": {"line": at.line, "character": at.character},
        }
        actions = [
            ("Prove with leanstep", "leanstep.proveSorry"),
            ("Sketch lemmas with leanstep", "leanstep.sketchLemmas"),
            ("Suggest tactics (leanstep)", "leanstep.suggestTactics"),
        ]
        return [
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                command=types.Command(title=title, command=command, arguments=[arg]),
            )
            for title, command in actions
        ]

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION)
    async def inline_completion(
        params: types.InlineCompletionParams,
    ) -> types.InlineCompletionList | None:
        uri = params.text_document.uri
        if not ls.server_settings.inline_enabled or not is_lean(uri):
            return None
        previous = ls.inline_tasks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.current_task()
        assert task is not None
        ls.inline_tasks[uri] = task
        try:
            await asyncio.sleep(ls.server_settings.inline_debounce_ms / 1000)
            return await _inline(ls, params)
        except (UnknownDocument, JsonRpcException, LeanstepError):
            return None  # ghost text shows nothing rather than an error
        finally:
            if ls.inline_tasks.get(uri) is task:
                del ls.inline_tasks[uri]

    @ls.feature(types.SHUTDOWN)
    async def shutdown(_params: Any) -> None:
        with contextlib.suppress(Exception):
            await ls.close()


def _log_timing(ls: LeanstepServer, what: str, total_s: float, result: SuggestResult) -> None:
    """One `window/logMessage` (type Log) per suggestion request: where the time went."""
    ls.window_log_message(
        types.LogMessageParams(
            types.MessageType.Log,
            f"timing {what} total_ms={total_s * 1e3:.2f} policy_ms={result.policy_s * 1e3:.2f} "
            f"lean_ms={result.lean_s * 1e3:.2f}",
        )
    )


async def _inline(
    ls: LeanstepServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    uri = params.text_document.uri
    text = ls.document_text(uri)
    doc = ls.workspace.get_text_document(uri)
    line, column = to_core(doc, text, params.position)
    current = text.split("\n")[line]
    if current[column:].strip():
        return None  # only at the end of what is typed on the line
    t0 = time.perf_counter()
    result = await ls.service().suggest(text, line, column)
    _log_timing(ls, "inlineCompletion", time.perf_counter() - t0, result)
    best = next((s for s in result.suggestions if s.outcome in ("proves", "progress")), None)
    if best is None:
        return None
    indent = len(current) - len(current.lstrip())
    start = doc.client_position_at_offset(offset_of(text, line, min(indent, column)))
    item = types.InlineCompletionItem(
        insert_text=best.tactic, range=types.Range(start=start, end=params.position)
    )
    return types.InlineCompletionList(items=[item])
