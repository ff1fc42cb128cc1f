"""The propositional-logic stand-in for the Lean REPL (leanprover-community/repl protocol).

Entry points:
- `python -m prover_core.propositional [--crash-after N] [--hang-on S] [--garbage-after N]
  [--garbage-every K] [--latency-ms X] [--grow-mb-per-request X]`: the REPL on stdin/stdout;
  `faults.command(Faults(...))` builds that argv for a subprocess.
- `repl.Repl().handle(request) -> response`: the same REPL in process.
- `server.serve(stdin, stdout, faults)`: the framing loop on any text streams.
- `generator.write_corpus(n, seed, out)`: a JSONL corpus of theorems with checked proofs.

It must never leak into the real Lean path: nothing outside this package imports it.
"""
