"""Run every benchmark: `python -m bench` (or `python3 dev.py bench`)."""

import contextlib
import runpy
import sys
from pathlib import Path

for name in ("distress_eval.py", "crisis_latency.py", "crisis_flood.py"):
    print(f"\n=== bench/{name}", flush=True)
    sys.argv = [name]
    with contextlib.suppress(SystemExit):
        runpy.run_path(str(Path(__file__).resolve().parent / name), run_name="__main__")
