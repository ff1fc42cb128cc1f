"""`python -m prover_core.propositional [fault flags]`: the stand-in REPL on stdin/stdout."""

from __future__ import annotations

import argparse
import os
import sys

from .faults import Faults, add_arguments
from .server import main_loop


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m prover_core.propositional",
        description="Propositional-logic stand-in for the Lean REPL "
        "(leanprover-community/repl protocol).",
    )
    add_arguments(p)
    args = p.parse_args(argv)
    return main_loop(Faults.from_sources(args, os.environ))


if __name__ == "__main__":
    sys.exit(main())
