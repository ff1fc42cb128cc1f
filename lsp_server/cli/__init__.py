"""The composition root: the `leanstep` command (`python -m lsp_server`).

The only code that imports `prover_core`, `lsp_server`'s server, `training` and the stand-in
(`prover_core.propositional`) together; `prover_core` imports nothing from here or above it.
"""

from lsp_server.cli.app import main

__all__ = ["main"]
