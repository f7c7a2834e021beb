"""Train one preset on the random, unseen-drug and unseen-disease splits.

Usage: python scripts/train_all_splits.py [--preset paper|quick|evidence] [--seed S | --seeds 0,1,2]
       [--population evidence|paper] [--device D]

Prints one line per run and a final JSON list of {split, run_id, seconds,
test AUROC}. docs/RESULTS.md is generated from the registry by
scripts/make_results.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from ddi_core.config.run import preset
from ddi_core.training.runner import run_training


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--preset", default="paper", choices=["paper", "paper-known", "quick", "evidence"]
    )
    ap.add_argument("--seed", type=int, default=None, help="one seed (default 0)")
    ap.add_argument("--seeds", default=None, help="comma-separated seeds, e.g. 0,1,2")
    ap.add_argument(
        "--population",
        default=None,
        choices=["evidence", "paper"],
        help="evidence preset: every drug with any evidence, or the MLP's pairs",
    )
    ap.add_argument("--device", default=None)
    ap.add_argument("--splits", default="random,drug,disease")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed or 0]
    extra = {"population": args.population} if args.population else {}
    out = []
    for seed in seeds:
        for split in args.splits.split(","):
            t = time.perf_counter()
            run = run_training(
                preset(args.preset, split=split, seed=seed, **extra),
                device=args.device,
                echo=lambda m: print(m, file=sys.stderr, flush=True),
            )
            m = run.read_json("metrics.json") or {}
            out.append(
                {
                    "split": split,
                    "seed": seed,
                    "run_id": run.id,
                    "status": run.status,
                    "seconds": round(time.perf_counter() - t, 1),
                    "auroc": (m.get("test") or {}).get("auroc"),
                    "mrr": (m.get("test") or {}).get("mrr"),
                }
            )
            print(json.dumps(out[-1]), flush=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
