"""Per-call seeds: a seeded run is reproducible, and no two policy calls share draws.

Every seeded policy call draws from `derive_seed(run seed, stream, …)`, where the parts name
the call uniquely (agent or pass, expansion); an unseeded run passes no seed at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from prover_core.policy.protocol import Sampling


def derive_seed(*parts: object) -> int:
    """A 31-bit seed from any printable parts (stable across processes and Python runs)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def seeded_for(sampling: Sampling, *parts: object) -> Sampling:
    """`sampling` with this call's own seed; unchanged (unseeded) when it has none."""
    if sampling.seed is None:
        return sampling
    return replace(sampling, seed=derive_seed(sampling.seed, *parts))
