"""Run the benchmarks under bench/ and store each one's final JSON line in
docs/bench/<name>.json (with the command, time and machine load), for
scripts/make_results.py.

Usage: DDI_HOME=... python scripts/run_benches.py [NAME ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "bench"

#: name -> arguments. bench_train uses the real problem's shape (1,714 drugs x
#: 4,403 non-constant profile columns, 2,373 diseases x 300, 26,154 training pairs).
BENCHES: dict[str, list[str]] = {
    "walk": ["bench/bench_walk.py"],
    "node2vec": ["bench/bench_node2vec.py", "--skip-train"],  # training time: ddi embed meta
    "infograph": ["bench/bench_infograph.py"],
    "train": [
        "bench/bench_train.py",
        "--drugs",
        "1714",
        "--drug-dim",
        "4403",
        "--density",
        "0.73",
        "--diseases",
        "2373",
        "--pairs",
        "26154",
        "--batches",
        "12",
    ],
    "scoring": ["bench/bench_scoring.py", "--drugs", "30"],
    "evidence": ["bench/bench_evidence.py"],
    "pair_scoring": ["bench/bench_pair_scoring.py", "--pairs", "100000"],
    "rank_view": ["bench/bench_rank_view.py", "--drugs", "20", "--repeats", "5"],
    "pages": ["bench/bench_pages.py", "--rounds", "2"],
}


def main(names: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rc = 0
    for name in names or list(BENCHES):
        cmd = [sys.executable, *BENCHES[name]]
        print(f"== {name}: {' '.join(cmd)}", flush=True)
        load0 = os.getloadavg()[0]
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        sys.stdout.write(p.stdout[-3000:])
        last = next((ln for ln in reversed(p.stdout.splitlines()) if ln.startswith("{")), None)
        if p.returncode != 0 or last is None:
            print(p.stderr[-3000:], file=sys.stderr)
            rc = 1
            continue
        rec = {
            "bench": name,
            "command": " ".join(BENCHES[name]),
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "wall_seconds": round(time.perf_counter() - t, 1),
            "machine": {"cpus": os.cpu_count(), "load_avg_at_start": round(load0, 2)},
            "result": json.loads(last),
        }
        (OUT / f"{name}.json").write_text(json.dumps(rec, indent=1) + "\n")
    return rc


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
