"""A test double of the Lean REPL that answers a recorded transcript.

Usage: python replay_repl.py FIXTURE_BASE. It reads framed requests from stdin exactly as the
REPL does; each must equal the next recorded request (same keys and values), else it prints a
diagnostic to stderr and exits with code 3. It answers the recorded response text verbatim.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transcripts import parse_request, split_chunks


def main() -> int:
    base = Path(sys.argv[1])
    requests = [parse_request(c) for c in split_chunks(base.with_suffix(".in").read_text())]
    out = base.parent / f"{base.name}.expected.out"
    responses = split_chunks(out.read_text())
    buf: list[str] = []
    i = 0
    for line in sys.stdin:
        if line.strip():
            buf.append(line)
            continue
        if not buf:
            continue
        got = json.loads("".join(buf).replace("\n", ""))
        buf = []
        if i >= len(requests) or got != requests[i]:
            want = requests[i] if i < len(requests) else None
            print(f"request {i} mismatch:\n got  {got}\n want {want}", file=sys.stderr)
            return 3
        sys.stdout.write(responses[i].strip() + "\n\n")
        sys.stdout.flush()
        i += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
