"""`python -m prover_core …` is the `leanstep` command (for editors given a Python path)."""

from prover_core.cli import main

main()
