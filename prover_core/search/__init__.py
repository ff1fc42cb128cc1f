"""Best-first proof search and the planner-prover."""
