"""The leanstep language server: pygls `LanguageServer` owning one `Service`.

Invariants: handlers only translate; the service is built from `leanstep.toml` plus client
settings after health checks, in a worker thread (a model load never blocks the server), and
the client hears `leanstep/status` (starting → loading → ready, or error) throughout; a new
configuration (settings or a changed `leanstep.toml`) replaces the service only once it is
healthy and loaded; a broken one keeps the old service serving and reports the error. Long
work runs in request tasks, so other requests are answered meanwhile; a cancelled request
cancels its model and Lean work.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from lsp_server import protocol
from lsp_server.framing import run_resynchronising
from lsp_server.guard import RequestFailed
from lsp_server.settings import ParsedSettings, ServerSettings, parse_settings
from prover_core.config import CONFIG_NAME, Config, find_project_config, load_config
from prover_core.errors import ConfigError, LeanstepError
from prover_core.health import problems
from prover_core.service import Service, build_service

log = logging.getLogger("leanstep.lsp")
# Documents longer than this are refused (InvalidParams): leanstep works on single theorems,
# and a probe re-elaborates the text before the cursor's declaration.
MAX_DOCUMENT_CHARS = 2_000_000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An open document's text at one version."""

    uri: str
    version: int
    text: str


class LeanstepServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("leanstep", "0.2.0")
        self._settings: ParsedSettings = parse_settings(None)
        self._service: Service | None = None
        self._error: str | None = None  # why there is no service (when there is none)
        self._loading: asyncio.Task[None] | None = None
        self._root: Path | None = None
        self.config_path: Path | None = None
        self.init_options: Any = None  # initializationOptions, applied once initialized
        self.inline_tasks: dict[str, asyncio.Task[Any]] = {}

    # --- transport ---------------------------------------------------------------------------

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """pygls's stdio loop, with the resynchronising reader (`lsp_server.framing`, which
        says why pygls's own loop is replaced)."""
        import sys
        from threading import Event

        from pygls.io_ import StdinAsyncReader, StdoutWriter

        self._stop_event = Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(run_resynchronising(self._stop_event, reader, self.protocol))
        except BrokenPipeError:
            log.error("connection to the client lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def start_tcp(self, host: str, port: int) -> None:
        """pygls's TCP server, with the resynchronising reader."""
        from threading import Event

        self._stop_event = stop = Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)
            await run_resynchronising(stop, reader, self.protocol)
            self.shutdown()  # type: ignore[no-untyped-call]

        async def serve() -> None:
            server = await asyncio.start_server(connection, host, port)
            log.info("serving on %s:%s", host, port)
            async with server:
                await server.serve_forever()

        asyncio.run(serve())

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Out-of-band errors go to the log, not to popups (requests get error responses)."""
        log.error("server error (%s): %s", getattr(source, "__name__", source), error)

    # --- settings, status and the service ------------------------------------------------------

    @property
    def server_settings(self) -> ServerSettings:
        return self._settings.server

    def set_root(self, root_uri: str | None) -> None:
        path = to_fs_path(root_uri) if root_uri else None
        self._root = Path(path) if path else None

    def send_status(self, state: protocol.ServerState, message: str, detail: str = "") -> None:
        params: protocol.StatusParams = {"state": state, "message": message}
        if detail:
            params["detail"] = detail
        if self.config_path is not None:
            params["configPath"] = str(self.config_path)
        (log.error if state == "error" else log.info)("status %s: %s", state, message)
        self.protocol.notify(protocol.STATUS, params)

    async def apply_settings(self, settings: Any) -> None:
        """New client settings (or a changed `leanstep.toml`): reconfigure."""
        parsed = parse_settings(settings if isinstance(settings, dict) else None)
        set_traffic_logging(parsed.server.trace)
        for key in parsed.unknown:
            log.warning("unknown setting %s", key)
        await self.reconfigure(parsed)

    async def reload(self) -> None:
        await self.reconfigure(self._settings)

    async def reconfigure(self, parsed: ParsedSettings) -> None:
        """Validate and health-check the new configuration, then load it in the background;
        until it is ready (or when it is broken) the previous service keeps serving."""
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
        self._settings = parsed
        self.send_status("starting", "checking the configuration")
        try:
            config = self._build_config(parsed)
        except ConfigError as e:
            self._fail(f"{e}")
            return
        if self._service is not None and config == self._service.config:
            self.send_status("ready", "ready (configuration unchanged)")
            return  # e.g. an unrelated editor setting changed: keep the loaded model
        base = config.lean.project_dir or self._root
        found = await problems(config, base)
        if found:
            self._fail(found[0], "\n".join(found[1:]))
            return
        self._loading = asyncio.ensure_future(self._load(config))

    async def _load(self, config: Config) -> None:
        if config.policy.backend == "openai":
            self.send_status("loading", f"connecting to {config.policy.endpoint}")
        else:
            self.send_status("loading", f"loading model {config.policy.model}")
        cwd = config.lean.project_dir or self._root
        try:
            service = await asyncio.to_thread(build_service, config, cwd=cwd)
        except LeanstepError as e:
            self._fail(str(e))
            return
        except Exception as e:  # a model that fails to load: reported, and logged in full
            log.error("cannot load the policy", exc_info=e)
            self._fail(f"cannot load the policy: {type(e).__name__}: {e}")
            return
        old, self._service, self._error = self._service, service, None
        self.send_status("ready", "ready")
        if old is not None:
            await old.aclose()

    def _fail(self, message: str, detail: str = "") -> None:
        if self._service is None:
            self._error = message
        self.send_status("error", message, detail)

    def _build_config(self, parsed: ParsedSettings) -> Config:
        project = find_project_config(self._root) if self._root else None
        self.config_path = project or (self._root / CONFIG_NAME if self._root else None)
        return load_config(project, overrides=parsed.overrides)

    async def ready_service(self) -> Service:
        """The service, waiting for a load in progress. Raises RequestFailed saying why there
        is none."""
        if self._service is not None:
            return self._service
        if self._loading is None or self._loading.done():
            await self.reload()  # never configured, or broken: check again (it may be fixed)
        if self._loading is not None and not self._loading.done():
            await asyncio.shield(self._loading)
        if self._service is not None:
            return self._service
        raise RequestFailed(f"leanstep is not configured: {self._error or 'no service'}")

    async def close(self) -> None:
        for task in self.inline_tasks.values():
            task.cancel()
        if self._loading is not None:
            self._loading.cancel()
        if self._service is not None:
            await self._service.aclose()
            self._service = None

    # --- documents -----------------------------------------------------------------------------

    def snapshot(self, uri: str) -> Snapshot:
        """The open document's text and version; InvalidParams for an unknown or too-large
        document."""
        found = self.snapshot_or_none(uri)
        if found is None:
            raise JsonRpcInvalidParams(f"unknown document {uri} (not open)")
        if len(found.text) > MAX_DOCUMENT_CHARS:
            raise JsonRpcInvalidParams(
                f"{uri} is too large for leanstep ({len(found.text)} characters, "
                f"at most {MAX_DOCUMENT_CHARS})"
            )
        return found

    def snapshot_or_none(self, uri: str) -> Snapshot | None:
        """None when the document is not open (closed, or never opened)."""
        if uri not in self.workspace.text_documents:
            return None
        doc = self.workspace.get_text_document(uri)
        return Snapshot(uri, doc.version or 0, doc.source)


class _ExpectedErrorsInOneLine(logging.Filter):
    """pygls logs every error response with its traceback; for the errors leanstep raises on
    purpose (InvalidParams, RequestFailed, cancellation) one line is enough. Internal errors
    keep their traceback (already logged by `guard.translate`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, JsonRpcException) and not isinstance(exc, JsonRpcInternalError):
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


_ONE_LINE = _ExpectedErrorsInOneLine()


def set_traffic_logging(on: bool) -> None:
    """pygls logs every JSON-RPC message at info: only with `leanstep.trace.server` on."""
    for name in ("pygls.protocol", "pygls.protocol.json_rpc", "pygls.server", "pygls"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG if on else logging.WARNING)
        if _ONE_LINE not in logger.filters:
            logger.addFilter(_ONE_LINE)


def is_lean(uri: str) -> bool:
    return uri.endswith(".lean")


def watch_registration() -> types.RegistrationParams:
    """Ask the client to watch every `leanstep.toml` in the workspace."""
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=f"**/{CONFIG_NAME}")]
    )
    return types.RegistrationParams(
        registrations=[
            types.Registration(
                id="leanstep-config-watch",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
        ]
    )
