"""The leanstep language server: pygls `LanguageServer` owning one `Service`.

Invariants: handlers only translate; the service is built lazily from `leanstep.toml` plus
client settings and rebuilt (the old one closed) when settings change; long work runs in
request tasks, so other requests are answered meanwhile; a cancelled request cancels its
model and Lean work.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from lsp_server.settings import ParsedSettings, ServerSettings, parse_settings
from prover_core.config import Config, find_project_config, load_config
from prover_core.errors import ConfigError
from prover_core.service import Service, build_service

log = logging.getLogger("leanstep.lsp")
MAX_DOCUMENT_CHARS = 2_000_000


class LeanstepServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("leanstep", "0.1.0")
        self._settings: ParsedSettings = parse_settings(None)
        self._service: Service | None = None
        self._service_error: str | None = None
        self._root: Path | None = None
        self.inline_tasks: dict[str, asyncio.Task[Any]] = {}

    @property
    def server_settings(self) -> ServerSettings:
        return self._settings.server

    def set_root(self, root_uri: str | None) -> None:
        path = to_fs_path(root_uri) if root_uri else None
        self._root = Path(path) if path else None

    async def apply_settings(self, settings: Any) -> None:
        """New client settings: validate, then replace the service (closing the old one)."""
        parsed = parse_settings(settings if isinstance(settings, dict) else None)
        for key in parsed.unknown:
            self.window_log_message(
                types.LogMessageParams(types.MessageType.Warning, f"unknown setting {key}")
            )
        try:
            self._build_config(parsed)
        except ConfigError as e:
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"leanstep settings: {e}")
            )
            return
        self._settings = parsed
        old, self._service, self._service_error = self._service, None, None
        if old is not None:
            await old.aclose()

    def _build_config(self, parsed: ParsedSettings) -> Config:
        project = find_project_config(self._root) if self._root else None
        return load_config(project, overrides=parsed.overrides)

    def service(self) -> Service:
        """The service, built on first use. Raises ConfigError with a user-facing reason."""
        if self._service is None:
            config = self._build_config(self._settings)
            cwd = config.lean.project_dir or self._root
            try:
                self._service = build_service(config, cwd=cwd)
            except ConfigError:
                raise
            except Exception as e:  # a model that fails to load
                raise ConfigError(f"cannot start the policy: {e}") from e
        return self._service

    async def close(self) -> None:
        for task in self.inline_tasks.values():
            task.cancel()
        if self._service is not None:
            await self._service.aclose()
            self._service = None

    def document_text(self, uri: str) -> str:
        """The text of an open document; raises `UnknownDocument`."""
        try:
            doc = self.workspace.get_text_document(uri)
            text = doc.source
        except Exception as e:
            raise UnknownDocument(f"unknown document {uri}") from e
        if len(text) > MAX_DOCUMENT_CHARS:
            raise UnknownDocument(f"{uri} is too large for leanstep ({len(text)} characters)")
        return text


class UnknownDocument(Exception):
    """The request names a document the server cannot use."""


def is_lean(uri: str) -> bool:
    return uri.endswith(".lean")
