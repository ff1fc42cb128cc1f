#!/usr/bin/env bash
# The GPU benchmarks in one go, within 8 minutes of wall time (BENCHMARKS.md figures).
#   OUT=bench-out bash benchmarks/gpu_suite.sh   (PYTHON=... picks the interpreter; SHAPE=tiny: CPU dry run)
# Writes $OUT/decode.json, $OUT/train.json, $OUT/env.txt and $OUT/suite.log. Each script
# saves its JSON after every phase, so a timeout or crash keeps the figures measured so far;
# one script failing does not stop the other.
set -u
cd "$(dirname "$0")/.."
OUT="${OUT:-./bench-out}"
PY="${PYTHON:-python3}"
SHAPE="${SHAPE:-7b}"  # SHAPE=tiny: the same run on CPU, for a dry run
mkdir -p "$OUT"
LOG="$OUT/suite.log"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
stamp() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$LOG"; }

stamp "suite start; budget: decode <= 260 s, train <= 200 s"
{
  nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.mem --format=csv
  "$PY" -c 'import sys, torch, transformers; print(sys.version.split()[0], torch.__version__, transformers.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no cuda")'
} 2>&1 | tee "$OUT/env.txt" | tee -a "$LOG"

stamp "decode benchmark"
timeout -k 10 260 "$PY" benchmarks/gpu_decode.py --shape "$SHAPE" --out "$OUT/decode.json" \
  --budget-s 240 2>&1 | tee -a "$LOG"
stamp "decode exit ${PIPESTATUS[0]}"

stamp "train benchmark"
timeout -k 10 200 "$PY" benchmarks/gpu_train.py --shape "$SHAPE" --out "$OUT/train.json" \
  --budget-s 180 2>&1 | tee -a "$LOG"
stamp "train exit ${PIPESTATUS[0]}"

stamp "summary"
"$PY" - "$OUT" <<'PYEOF' 2>&1 | tee -a "$LOG"
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
for name in ("decode", "train"):
    path = out / f"{name}.json"
    if not path.exists():
        print(f"{name}: no JSON")
        continue
    data = json.loads(path.read_text())
    for batch, r in data.get("summary", {}).items():
        print(f"{name}.best_{batch}: attention={r['attention']} ms/step={r['ms_per_step']:.3f} "
              f"x_bound(nominal)={r.get('ratio_nominal_tbps', float('nan')):.2f} "
              f"x_bound(copy)={r.get('ratio_copy_tbps', float('nan')):.2f}")
    for phase, r in data.get("phases", {}).items():
        for sub, c in r.items():
            if isinstance(c, dict) and "max_rel_err" in c:
                print(f"{name}.{phase}.{sub}: rel_err={c['max_rel_err']:.3g} argmax_agree={c['argmax_agree']:.2f}")
        keys = [k for k in r if k.startswith(("ms_per_step", "ratio_", "tokens_per_s", "pct_of", "tflops", "ok", "max_rel", "capture_s", "copy_tbps", "matmul_tflops"))]
        print(f"{name}.{phase}: " + ", ".join(f"{k}={r[k]:.4g}" if isinstance(r[k], float) else f"{k}={r[k]}" for k in keys))
    for phase, err in data.get("errors", {}).items():
        print(f"{name}.{phase}: ERROR {err}")
    if data.get("skipped"):
        print(f"{name}: skipped {data['skipped']}")
PYEOF
stamp "suite end"
