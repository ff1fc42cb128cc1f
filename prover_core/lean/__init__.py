"""Lean layer: REPL driver, pool, screen, verifier, goal at a position, extraction."""
