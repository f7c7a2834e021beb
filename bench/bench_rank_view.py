"""Ranking one drug: the clinical view with its marks against the bare ranking of before.

Both paths rank every candidate disease of the same drugs with the same loaded run, in one
process (the run loaded once before timing, as the dashboard and a warm CLI have it):

* clinical (today's :func:`ddi_core.rank.queries.rank_diseases`, the default view): the
  model's scores, each disease's class, the three marks with their sources (indication,
  literature, non-indication), the hidden terms dropped before ranking;
* bare (the path before issue 24): the query resolved, the model's scores and
  :func:`ddi_core.rank.table.ranked_table` with names, ids and MeSH branches only.

Printed: the median time per drug of each path over ``--repeats`` rounds of ``--drugs``
seeded drugs, their ratio, the peak RSS growth of each, and one JSON line last.

Usage::

    DDI_HOME=... python bench/bench_rank_view.py [--run RUN] [--drugs 20] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scoring import _PeakRSS  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default=None)
    ap.add_argument("--drugs", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from ddi_core.facts import names
    from ddi_core.rank.queries import rank_diseases
    from ddi_core.rank.session import load_scorer
    from ddi_core.rank.table import ranked_table

    rs = load_scorer(args.run)
    rng = np.random.default_rng(args.seed)
    rows = rng.choice(len(rs.drug_ids), size=min(args.drugs, len(rs.drug_ids)), replace=False)
    ids = [str(rs.drug_ids[r]) for r in rows]
    rank_diseases(ids[0], run_id=rs.run_id)  # names, marks and classes loaded once

    def bare() -> None:
        for d in rows:
            names.resolve_drug(str(rs.drug_ids[d]))  # both paths resolve the query
            logits = rs.scorer.logits_for_drug(int(d))
            ranked_table(
                logits,
                {
                    "disease_name": rs.dis_names,
                    "disease_id": rs.dis_ids,
                    "mesh_branch": rs.dis_branches,
                },
                rs.known_dis_mask(int(d)),
                rs.train_dis_mask(int(d)),
            )

    def clinical() -> None:
        for d in ids:
            rank_diseases(d, run_id=rs.run_id)

    out = {}
    for name, fn in (("bare", bare), ("clinical", clinical)):
        times = []
        with _PeakRSS() as mem:
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) / len(rows))
        out[name] = {"seconds_per_drug": float(np.median(times)), "peak_rss_mib": round(mem.mib, 1)}
        print(
            f"{name:9s} {1000 * out[name]['seconds_per_drug']:8.1f} ms per drug  "
            f"peak RSS +{mem.mib:.1f} MiB"
        )
    ratio = out["clinical"]["seconds_per_drug"] / out["bare"]["seconds_per_drug"]
    print(f"clinical / bare: {ratio:.2f}x")
    print(
        json.dumps(
            {
                "bench": "rank_view",
                "run": rs.run_id,
                "model": rs.kind,
                "drugs": len(rows),
                "repeats": args.repeats,
                **{
                    f"{k}_ms_per_drug": round(1000 * v["seconds_per_drug"], 2)
                    for k, v in out.items()
                },
                **{f"{k}_peak_rss_mib": v["peak_rss_mib"] for k, v in out.items()},
                "ratio_clinical_over_bare": round(ratio, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
