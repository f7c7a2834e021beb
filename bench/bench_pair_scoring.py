"""Scoring a user pair file (``ddi evaluate RUN --pairs FILE``): fast path vs the
per-row path it replaced, in one process, on the real bundle.

* file: ``--pairs`` rows (default 100,000) drawn with a fixed seed from the run's
  drugs and candidate diseases, half by name and half by MeSH id, with repeats
  (as a real file has them), written as CSV;
* fast: :func:`ddi_core.rank.pair_file.score_pair_file` (each distinct name resolved once,
  pairs scored in batches; ranks skipped, since the file has more than
  ``RANK_AUTO_MAX_DRUGS`` drugs) on the whole file;
* naive: what the command did before: every row resolved by a full scan of the
  name tables (``entities._resolve_by_scan``, the old lookup) and scored alone
  (one model call per pair), on the first ``--naive-rows`` rows, extrapolated per
  row; the scores of those rows are checked equal to the fast path's.

Peak memory: the process's peak resident set (``ru_maxrss``) after each part.

Usage: DDI_HOME=... python bench/bench_pair_scoring.py [--run default] [--pairs 100000]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def write_pairs(rs, n: int, seed: int, path: Path) -> None:
    """``n`` seeded rows, each drug and disease by name or by MeSH id (half each; only
    names that resolve back to their own id, so the file is valid)."""
    import csv

    from ddi_core.data import entities
    from ddi_core.errors import UnknownEntityError
    from ddi_core.facts import names

    def names_of(ids, label, resolve):
        out = {}
        for i in ids:
            name = label.get(i)
            try:
                out[i] = name if name and resolve(name) == i else i
            except UnknownEntityError:
                out[i] = i
        return out

    rng = np.random.default_rng(seed)
    d_label = entities.drugs().set_index("chemical_id")["name"].to_dict()
    dis = entities.diseases()
    s_label = dict(
        zip(
            dis["disease_id"],
            dis["ctd_name"].where(dis["ctd_name"] != "", dis["label"]),
            strict=True,
        )
    )
    d_ids, s_ids = list(rs.drug_ids), list(rs.dis_ids)
    d_name = names_of(d_ids, d_label, names.resolve_drug)
    s_name = names_of(s_ids, s_label, names.resolve_disease)
    di = rng.integers(0, len(d_ids), n)
    si = rng.integers(0, len(s_ids), n)
    by_name = rng.random((n, 2)) < 0.5
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["drug", "disease"])
        for k in range(n):
            d, s = d_ids[di[k]], s_ids[si[k]]
            w.writerow([d_name[d] if by_name[k, 0] else d, s_name[s] if by_name[k, 1] else s])


def naive(path: Path, rows: int, rs) -> tuple[float, np.ndarray]:
    """The old path: a table scan per name, one model call per pair."""
    import csv

    from ddi_core.data import entities
    from ddi_core.models.scores import sigmoid

    with path.open() as fh:
        body = list(csv.reader(fh))[1 : rows + 1]
    t0 = time.perf_counter()
    out = np.full(len(body), np.nan)
    for k, (d, s) in enumerate(body):
        cid = entities._resolve_by_scan("drug", d)
        did = entities._resolve_by_scan("disease", s)
        try:
            i, j = rs.drug_index(cid), rs.disease_index(did)
        except Exception:  # noqa: BLE001 (not featurisable: no score, as the fast path)
            continue
        out[k] = float(sigmoid(rs.scorer.logits_pairs(np.array([i]), np.array([j]))[0]))
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="default")
    ap.add_argument("--pairs", type=int, default=100_000)
    ap.add_argument("--naive-rows", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    from ddi_core.rank.pair_file import RANK_AUTO_MAX_DRUGS, score_pair_file
    from ddi_core.rank.session import load_scorer

    t0 = time.perf_counter()
    rs = load_scorer(a.run)
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.csv"
        write_pairs(rs, a.pairs, a.seed, path)
        mib_file = round(path.stat().st_size / 2**20, 1)
        peak_load = peak_mib()
        t1 = time.perf_counter()
        df = score_pair_file(path, run_id=rs.run_id)
        fast_s = time.perf_counter() - t1
        peak_fast = peak_mib()
        naive_s, naive_scores = naive(path, a.naive_rows, rs)
        fast_head = df["score"].to_numpy()[: a.naive_rows]
        same = bool(np.allclose(naive_scores, fast_head, rtol=1e-5, atol=1e-7, equal_nan=True))
    per_fast = fast_s / a.pairs
    per_naive = naive_s / a.naive_rows
    out = {
        "what": "ddi evaluate RUN --pairs FILE: each distinct name resolved once + batched "
        "scoring (fast) vs a table scan per name + one model call per pair (naive)",
        "run": rs.run_id,
        "model": rs.kind,
        "pairs": a.pairs,
        "file_mib": mib_file,
        "distinct_drugs": int(df["chemical_id"].nunique()),
        "distinct_diseases": int(df["disease_id"].nunique()),
        "scored": int(df["score"].notna().sum()),
        "ranks_computed": bool(df["rank"].notna().any()),
        "rank_auto_max_drugs": RANK_AUTO_MAX_DRUGS,
        "load_seconds": round(load_s, 2),
        "fast_seconds": round(fast_s, 2),
        "fast_pairs_per_second": round(a.pairs / fast_s),
        "naive_rows": a.naive_rows,
        "naive_seconds": round(naive_s, 2),
        "naive_seconds_extrapolated": round(per_naive * a.pairs, 1),
        "ratio_naive_over_fast": round(per_naive / per_fast, 1),
        "naive_scores_equal_fast": same,
        "peak_rss_mib_after_load": peak_load,
        "peak_rss_mib_after_fast": peak_fast,
        "peak_rss_mib": peak_mib(),
    }
    print(
        f"fast {fast_s:.1f} s for {a.pairs:,} pairs; naive {per_naive * 1000:.0f} ms/row "
        f"(x{out['ratio_naive_over_fast']}); peak {out['peak_rss_mib']} MiB",
        file=sys.stderr,
    )
    print(json.dumps(out))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
