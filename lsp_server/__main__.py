"""`python -m lsp_server …` is the `leanstep` command (for editors given a Python path)."""

from lsp_server.cli import main

main()
