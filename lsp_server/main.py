"""Entry point: `leanstep serve --stdio | --tcp PORT`."""

from __future__ import annotations

import logging
import sys

from lsp_server.handlers import register
from lsp_server.server import LeanstepServer, set_traffic_logging


def create_server() -> LeanstepServer:
    server = LeanstepServer()
    register(server)
    return server


def serve(stdio: bool = True, host: str = "127.0.0.1", port: int | None = None) -> None:
    logging.basicConfig(  # stdout carries LSP only
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    set_traffic_logging(False)
    server = create_server()
    if port is not None:
        server.start_tcp(host, port)
    else:
        server.start_io()
