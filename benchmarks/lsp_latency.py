"""Editor latency over stdio: `leanstep/suggestTactics` and `textDocument/inlineCompletion`
round trips to a real `leanstep serve --stdio` process, with the stand-in REPL at a fixed
latency and the hf backend on a tiny random-initialised model. Reports p50/p95 of the total
and of our own overhead = total − model time − Lean time (the server logs its split of each
request in one log line on stderr). Each ghost-text request follows an edit (a new document
version), so the ghost-text cache does not answer it. Target: overhead <= 10 ms p50.

    python benchmarks/lsp_latency.py [--requests 60] [--latency-ms 2] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from prover_core.policy.tiny import build_tiny_policy
from prover_core.propositional.generator import write_corpus
from training.records import atomic_write_json

FILE = """theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  constructor
  \n  exact hq
"""
_TIMING = re.compile(
    r"(suggestTactics|inlineCompletion) .*total_ms=([\d.]+) policy_ms=([\d.]+) lean_ms=([\d.]+)"
)


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


async def measure(root: Path, model: Path, args: argparse.Namespace) -> dict[str, Any]:
    standin = [sys.executable, "-m", "prover_core.propositional", "--latency-ms",
               str(args.latency_ms)]  # fmt: skip
    (root / "leanstep.toml").write_text(
        "[lean]\nrepl_command = [" + ", ".join(f'"{c}"' for c in standin) + "]\n"
        f'[policy]\nbackend = "hf"\nmodel = "{model}"\ndevice = "cpu"\ndtype = "float32"\n'
        f"max_tokens = {args.max_tokens}\n"
    )
    client = LanguageClient("bench", "1")
    client.feature("leanstep/status")(lambda params: None)
    logs: list[tuple[str, float, float, float]] = []

    await client.start_io(sys.executable, "-m", "prover_core", "serve", "--stdio")
    stderr = client._server.stderr if client._server is not None else None
    assert stderr is not None

    async def read_log() -> None:
        while line := await stderr.readline():
            m = _TIMING.search(line.decode("utf-8", "replace"))
            if m:
                logs.append((m[1], float(m[2]), float(m[3]), float(m[4])))

    reader = asyncio.ensure_future(read_log())
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
            initialization_options={"inline": {"debounceMs": 0}},
        )
    )  # fmt: skip
    client.initialized(types.InitializedParams())
    uri = (root / "a.lean").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="lean4", version=1,
                                                 text=FILE)
        )
    )  # fmt: skip
    params = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 2},
              "n": args.n}  # fmt: skip
    inline = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=2, character=2),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )
    totals: dict[str, list[float]] = {"suggestTactics": [], "inlineCompletion": []}
    version = 1
    for i in range(args.warmup + args.requests):
        for kind in totals:
            if kind == "inlineCompletion":  # a new version: the ghost-text cache must miss
                version += 1
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(uri=uri,
                                                                            version=version),
                        content_changes=[types.TextDocumentContentChangeWholeDocument(text=FILE)],
                    )
                )  # fmt: skip
            t0 = time.perf_counter()
            if kind == "suggestTactics":
                await client.protocol.send_request_async("leanstep/suggestTactics", params)
            else:
                await client.text_document_inline_completion_async(inline)
            if i >= args.warmup:
                totals[kind].append((time.perf_counter() - t0) * 1e3)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]
    await asyncio.wait_for(reader, 10)
    report: dict[str, Any] = {}
    for kind, ts in totals.items():
        split = [entry for entry in logs if entry[0] == kind][args.warmup :]
        overhead = [t - p - le for t, (_, _, p, le) in zip(ts, split, strict=True)]
        report[kind] = {
            "total_p50_ms": statistics.median(ts),
            "total_p95_ms": pct(ts, 0.95),
            "policy_p50_ms": statistics.median(p for _, _, p, _ in split),
            "lean_p50_ms": statistics.median(le for _, _, _, le in split),
            "overhead_p50_ms": statistics.median(overhead),
            "overhead_p95_ms": pct(overhead, 0.95),
        }
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("-n", type=int, default=8, help="candidates per request")
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus.jsonl"
        write_corpus(100, 0, corpus)
        texts = [json.loads(line)["goal"] for line in corpus.read_text().splitlines()]
        model = build_tiny_policy(texts, root / "model")
        report = asyncio.run(measure(root, model, args))
    for kind, r in report.items():
        print(kind + ": " + ", ".join(f"{k}={v:.2f}" for k, v in r.items()))
    print("target: overhead <= 10 ms p50")
    if args.out:
        atomic_write_json(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
