"""`pickleTo` / `unpickle…From`: environments and proof states saved to files.

Files are Python pickles behind a magic line, read back with an unpickler that resolves only
this package's own classes (and plain containers), so a foreign file cannot run code.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from .state import Env, ProofState, bump_ids, fresh_id

MAGIC = b"leanstep-propositional-pickle 1\n"
_PACKAGE = __name__.rsplit(".", 1)[0] + "."
_BUILTINS = frozenset({"frozenset", "set", "dict", "list", "tuple"})


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module.startswith(_PACKAGE) or (module == "builtins" and name in _BUILTINS):
            cls = super().find_class(module, name)
            if isinstance(cls, type):
                return cls
        raise pickle.UnpicklingError(f"forbidden class {module}.{name}")


def save(path: str, obj: Env | ProofState) -> None:
    # the id watermark lets a fresh process keep new ids disjoint from the saved ones
    payload = (fresh_id(), obj)
    Path(path).write_bytes(MAGIC + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def load(path: str) -> Env | ProofState:
    data = Path(path).read_bytes()
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a pickle written by the propositional stand-in")
    payload = _SafeUnpickler(io.BytesIO(data[len(MAGIC) :])).load()
    if not (isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[0], int)):
        raise ValueError(f"{path}: unexpected content")
    watermark, obj = payload
    if not isinstance(obj, Env | ProofState):
        raise ValueError(f"{path}: unexpected content")
    bump_ids(watermark)
    return obj
