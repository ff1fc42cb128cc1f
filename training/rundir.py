"""The run directory: config, manifest, the step journal, metrics and TensorBoard logs.

Invariants:
- `steps.json` is the journal: a step's name maps to its (small, JSON) result, written
  atomically only after every file the step produces is complete. A step found there is
  never re-run; a step not found is re-run from scratch (its outputs are deterministic and
  are overwritten, or reused where they are themselves complete checkpoints).
- The run's control flow depends only on journal results, so replaying it after a crash
  takes the same path as the uninterrupted run.
- A run directory belongs to one config and one base model: resuming with another config
  or a changed base model (hash in `manifest.json`) is refused.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from prover_core.errors import ConfigError
from training.config import TrainConfig
from training.records import atomic_write_json, file_sha256, tree_sha256
from training.results import StepResult

R = TypeVar("R", bound=StepResult)
BEST = "best"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("torch", "transformers", "peft", "ray"):
        try:
            module = __import__(name)
            out[name] = str(getattr(module, "__version__", "?"))
        except ImportError:
            continue
    return out


class RunDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.journal_path = root / "steps.json"
        self.journal: dict[str, dict[str, Any]] = {}
        if self.journal_path.exists():
            self.journal = json.loads(self.journal_path.read_text(encoding="utf-8"))
        self._tb: Any = None

    # --- layout ---------------------------------------------------------------------------
    def model(self, name: str) -> Path:
        return self.root / "models" / name

    def set_best(self, target: Path) -> None:
        """Point `models/best` at `target` (a checkpoint under `models/`): a relative symlink
        swapped in by one rename, so a reader sees the old best or the new, never neither."""
        link = self.model(BEST)
        tmp = link.with_name(f".{BEST}.tmp")
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(target, link.parent), tmp)
        os.replace(tmp, link)

    def round_dir(self, r: int) -> Path:
        return self.root / "rounds" / f"r{r:03d}"

    # --- identity -------------------------------------------------------------------------
    def open(self, cfg: TrainConfig, data_files: list[Path], resume: bool) -> None:
        """Create the run directory, or check that `cfg` is the config it was made with."""
        config_json = json.loads(cfg.model_dump_json())
        config_path = self.root / "config.json"
        if config_path.exists():
            if not resume:
                raise ConfigError(f"{self.root} holds a run already: pass --resume to continue")
            if json.loads(config_path.read_text()) != config_json:
                raise ConfigError(f"{self.root}: the config differs from the run's config.json")
            manifest = json.loads((self.root / "manifest.json").read_text())
            if manifest["base_model_sha256"] != tree_sha256(cfg.base_model):
                raise ConfigError(f"{cfg.base_model} changed since the run started")
            return
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_json(
            self.root / "manifest.json",
            {
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "base_model": str(cfg.base_model),
                "base_model_sha256": tree_sha256(cfg.base_model),
                "data": {str(p): file_sha256(p) for p in data_files if p.is_file()},
                "versions": _versions(),
            },
        )
        atomic_write_json(config_path, config_json)  # last: its presence marks a created run

    # --- journal --------------------------------------------------------------------------
    def step(self, name: str, kind: type[R], fn: Callable[[], R]) -> R:
        """`fn()` once: a journalled step reads back as `kind` and is not run again."""
        if name in self.journal:
            return kind.from_json(self.journal[name])
        t0 = time.perf_counter()
        result = fn()
        self.journal[name] = {**result.to_json(), "step_s": round(time.perf_counter() - t0, 3)}
        atomic_write_json(self.journal_path, self.journal)
        return result

    def done(self, name: str) -> bool:
        return name in self.journal

    # --- logs -----------------------------------------------------------------------------
    def scalar(self, tag: str, value: float, step: int) -> None:
        """TensorBoard scalar (a no-op without tensorboard installed)."""
        if self._tb is None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                self._tb = False
                return
            self._tb = SummaryWriter(str(self.root / "tb"))
        if self._tb:
            self._tb.add_scalar(tag, value, step)

    def close(self) -> None:
        if self._tb:
            self._tb.close()
