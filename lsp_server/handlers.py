"""LSP features: each handler converts params, calls the service, converts the result.
Every request handler goes through `guard.guarded` (the one error mapping)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from lsp_server import protocol
from lsp_server.convert import (
    counts_wire,
    insert_wire,
    lsp_position,
    optional_int,
    plain,
    position_at,
    require,
    suggestion_wire,
    to_core,
)
from lsp_server.guard import guarded, guarded_sync, raise_bad_request
from lsp_server.inline import InlineCache, inline_completion
from lsp_server.placing import Placer, SearchReporter, hint_for, stats_wire
from lsp_server.server import MAX_DOCUMENT_CHARS, LeanstepServer, is_lean, watch_registration
from prover_core.cursor import sorry_at_range
from prover_core.service import Anchor

log = logging.getLogger("leanstep.lsp")


def _uri(params: Any) -> str:
    uri = require(params, "textDocument", "uri")
    if not isinstance(uri, str):
        raise JsonRpcInvalidParams("textDocument.uri must be a string")
    return uri


def _mode(params: Any) -> protocol.SuggestMode:
    mode = params.get("mode", "list")
    if mode not in ("list", "inline"):
        raise JsonRpcInvalidParams('mode must be "list" or "inline"')
    return "inline" if mode == "inline" else "list"


def register(ls: LeanstepServer) -> None:
    cache = InlineCache()
    placer = Placer(ls)

    @ls.feature(types.INITIALIZE)
    @guarded(types.INITIALIZE)
    async def initialize(params: types.InitializeParams) -> None:
        root = params.root_uri or (
            params.workspace_folders[0].uri if params.workspace_folders else None
        )
        ls.set_root(root)
        ls.init_options = params.initialization_options

    @ls.feature(types.INITIALIZED)
    async def initialized(_params: types.InitializedParams) -> None:
        await ls.apply_settings(ls.init_options)
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is not None and watched.dynamic_registration:
            try:
                await asyncio.wait_for(
                    ls.client_register_capability_async(watch_registration()), 30
                )
            except (TimeoutError, JsonRpcException) as e:
                log.warning("the client does not watch leanstep.toml for us: %s", e)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and "leanstep" in settings:
            settings = settings["leanstep"]
        await ls.apply_settings(settings)

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        if any(c.uri.endswith("/leanstep.toml") for c in params.changes):
            await ls.reload()

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        task = ls.inline_tasks.pop(params.text_document.uri, None)
        if task is not None:
            task.cancel()  # a new edit makes a pending ghost-text answer stale

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        cache.forget(params.text_document.uri)
        task = ls.inline_tasks.pop(params.text_document.uri, None)
        if task is not None:
            task.cancel()

    @ls.feature(protocol.SUGGEST_TACTICS)
    @guarded(protocol.SUGGEST_TACTICS)
    async def suggest_tactics(raw: Any) -> protocol.SuggestTacticsResult:
        params = plain(raw)
        snap = ls.snapshot(_uri(params))
        line, column = to_core(snap.text, lsp_position(params))
        n, mode, goal = optional_int(params, "n"), _mode(params), params.get("goal")
        if not is_lean(snap.uri):
            raise JsonRpcInvalidParams(f"{snap.uri} is not a Lean file")
        service = await ls.ready_service()
        t0 = time.perf_counter()
        result = await service.suggest(
            snap.text, line, column, n,
            goal if isinstance(goal, str) and goal.strip() else None, mode,
        )  # fmt: skip
        raise_bad_request(result.refusal)
        c = result.counts
        log.info(
            "suggestTactics n=%s mode=%s proved=%d advanced=%d failed=%d total_ms=%.2f "
            "policy_ms=%.2f lean_ms=%.2f%s",
            n, mode, c.proved, c.advanced, c.failed, (time.perf_counter() - t0) * 1e3,
            result.policy_s * 1e3, result.lean_s * 1e3,
            f" refused={result.refusal.kind}" if result.refusal else "",
        )  # fmt: skip
        return {
            "version": snap.version,
            "goal": result.goal,
            "suggestions": [suggestion_wire(s) for s in result.suggestions],
            "summary": result.summary,
            "counts": counts_wire(result.counts),
            "insert": insert_wire(snap.text, result.insert) if result.insert else None,
        }

    @ls.feature(protocol.SEARCH_PROOF)
    @guarded(protocol.SEARCH_PROOF)
    async def search_proof(raw: Any) -> protocol.SearchProofResult:
        params = plain(raw)
        snap = ls.snapshot(_uri(params))
        line, column = to_core(snap.text, lsp_position(params))
        expansions = optional_int(params, "expansions")
        if expansions is not None and expansions < 1:
            raise JsonRpcInvalidParams("expansions must be positive")
        service = await ls.ready_service()
        budget = service.config.search
        if expansions is not None:
            budget = budget.model_copy(update={"expansions": expansions})
        reporter = SearchReporter(ls, snap.uri, params.get("workDoneToken"))
        try:
            result = await service.prove(
                snap.text, line=line, column=column, budget=budget,
                on_progress=reporter.report,
            )  # fmt: skip
        finally:
            reporter.end()
        raise_bad_request(result.refusal)
        out: protocol.SearchProofResult = {
            "proved": result.proved,
            "message": result.message,
            "status": result.status,
        }
        if result.proof:
            out["proof"] = list(result.proof)
        if result.anchor is not None:
            out["anchor"] = {"declaration": result.anchor.declaration, "sorry": result.anchor.sorry}
        if result.search is not None:
            out["stats"] = stats_wire(result.search, budget)
            hint = hint_for(result.status, budget)
            if hint:
                out["hint"] = hint
        if result.proved and result.edit is not None:
            placed = await placer.place_found(snap, result)
            out["message"], out["status"] = placed.message, placed.status_for_search
            out["proved"] = placed.edit is not None
            if placed.edit is not None:
                out["edit"] = placed.edit
        log.info(
            "searchProof status=%s expansions=%s lean_ms=%.0f policy_ms=%.0f",
            out["status"], out.get("stats", {}).get("expansions"),
            result.search.stats.lean_s * 1e3 if result.search else 0,
            result.search.stats.policy_s * 1e3 if result.search else 0,
        )  # fmt: skip
        return out

    @ls.feature(protocol.PLACE_PROOF)
    @guarded(protocol.PLACE_PROOF)
    async def place_proof(raw: Any) -> protocol.PlaceProofResult:
        params = plain(raw)
        uri = _uri(params)
        name, index = require(params, "anchor", "declaration"), require(params, "anchor", "sorry")
        proof = require(params, "proof")
        if not isinstance(name, str) or not isinstance(index, int) or index < 0:
            raise JsonRpcInvalidParams("anchor must be {declaration: string, sorry: int >= 0}")
        if not isinstance(proof, list) or not proof or not all(isinstance(t, str) for t in proof):
            raise JsonRpcInvalidParams("proof must be a non-empty list of tactics")
        placed = await placer.place_again(uri, Anchor(name, index), tuple(proof))
        out: protocol.PlaceProofResult = {"message": placed.message, "status": placed.status}
        if placed.edit is not None:
            out["edit"] = placed.edit
        log.info("placeProof status=%s", placed.status)
        return out

    @ls.feature(protocol.SKETCH_LEMMAS)
    @guarded(protocol.SKETCH_LEMMAS)
    async def sketch_lemmas(raw: Any) -> protocol.SketchLemmasResult:
        params = plain(raw)
        snap = ls.snapshot(_uri(params))
        line, column = to_core(snap.text, lsp_position(params))
        service = await ls.ready_service()
        reporter = SearchReporter(ls, snap.uri, params.get("workDoneToken"), "planning")
        try:
            result = await service.sketch(snap.text, line=line, column=column)
        finally:
            reporter.end()
        raise_bad_request(result.refusal)
        out: protocol.SketchLemmasResult = {"message": result.message, "status": result.status}
        if result.rejected:
            out["rejected"] = list(result.rejected)
        if result.edit is not None:
            placed = placer.place_sketch(snap, result.edit)
            out["message"] = placed.message
            out["skeleton"] = result.edit.new_text
            if placed.edit is not None:
                out["edit"] = placed.edit
            else:
                out["status"] = "refused"
        log.info("sketchLemmas status=%s", out["status"])
        return out

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    @guarded_sync(types.TEXT_DOCUMENT_CODE_ACTION)
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        snap = ls.snapshot_or_none(uri)
        if snap is None or not is_lean(uri) or len(snap.text) > MAX_DOCUMENT_CHARS:
            return []
        lo = to_core(snap.text, params.range.start)
        hi = to_core(snap.text, params.range.end)
        found = sorry_at_range(snap.text, lo, hi)
        if found is None:
            return []
        at = position_at(snap.text, found)
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

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline(params: types.InlineCompletionParams) -> types.InlineCompletionList | None:
        return await inline_completion(ls, cache, params)

    @ls.feature(types.SHUTDOWN)
    @guarded(types.SHUTDOWN)
    async def shutdown(_params: Any) -> None:
        await ls.close()
