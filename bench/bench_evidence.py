"""The evidence model's speed: features + training, full-matrix scoring, one-drug queries.

All in one process, on the real bundle (``--population evidence``: every CTD
chemical with any evidence):

* train: the leak-safe features of the full random split (out-of-fold training
  pairs, early-stopping pairs) and LightGBM with early stopping, timed from
  the cached static tables;
* compile: the booster built into C by tl2cgen (:mod:`ddi_core.models.evidence.compiled`;
  counted in the training time; near zero when the library is already cached);
* full matrix: every covered drug × every candidate disease, block features
  then the compiled booster (:meth:`EvidenceScorer.logits_block`), and the same
  matrix through LightGBM's own predict as the baseline (ratio, and whether the
  two matrices are equal bit for bit);
* one drug: :meth:`EvidenceScorer.logits_for_drug` (median of ``--queries``);
* naive baseline: the same pair features computed one pair at a time
  (``FeatureBuilder.block([d], [s])``) for ``--naive-pairs`` seeded pairs,
  extrapolated to the full matrix; the ratio is naive / fast per pair
  (feature building), and the block features are checked equal to the
  per-pair ones.

Peak memory: the process's peak resident set (``ru_maxrss``) after each part.

Usage: DDI_HOME=... python bench/bench_evidence.py [--population evidence] [--queries 20]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--population", default="evidence", choices=["evidence", "paper"])
    ap.add_argument("--split", default="random")
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--naive-pairs", type=int, default=300)
    a = ap.parse_args()

    from ddi_core.config.run import preset
    from ddi_core.models.evidence.fit import features_for_split, fit_evidence
    from ddi_core.models.evidence.model import EvidenceScorer
    from ddi_core.models.evidence.population import evidence_pair_data
    from ddi_core.models.evidence.tables import evidence_tables, tables_config
    from ddi_core.pairs.prepare import split_for
    from ddi_core.seeds import sub_seeds

    cfg = preset("evidence", split=a.split, population=a.population)
    t0 = time.perf_counter()
    tables = evidence_tables(tables_config(preset("evidence").evidence))
    data, drug_map = evidence_pair_data(cfg, tables)
    seeds = sub_seeds(cfg.seed)
    split = split_for(cfg, data, seeds)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    fs = features_for_split(tables, cfg, data, drug_map, split, seeds)
    feat_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    booster = fit_evidence(fs, cfg, seeds["torch_init"])
    fit_s = time.perf_counter() - t0
    peak_train = peak_mib()

    from ddi_core.models.evidence.compiled import is_cached
    from ddi_core.models.evidence.learner import Booster

    compile_cached = is_cached(booster.to_string())
    t0 = time.perf_counter()
    compiled_ok = booster.accelerate()
    compile_s = time.perf_counter() - t0

    sc = EvidenceScorer(fs.builder, booster, drug_map)
    n_d, n_s = len(drug_map), tables.n_dis
    t0 = time.perf_counter()
    M = sc.logits_block(np.arange(n_d))
    full_s = time.perf_counter() - t0
    peak_full = peak_mib()
    # baseline: the same matrix through LightGBM's predict (the path without a compiler)
    plain = Booster(booster.model, booster.feature_names, booster.best_iteration)
    plain.compile_tried = True
    t0 = time.perf_counter()
    M_lgb = EvidenceScorer(fs.builder, plain, drug_map).logits_block(np.arange(n_d))
    full_lgb_s = time.perf_counter() - t0
    same_matrix = bool(np.array_equal(M, M_lgb))
    del M_lgb

    rng = np.random.default_rng(0)
    qs = rng.choice(n_d, size=min(a.queries, n_d), replace=False)
    times = []
    for d in qs:
        t0 = time.perf_counter()
        row = sc.logits_for_drug(int(d))
        times.append(time.perf_counter() - t0)
        assert np.allclose(row, M[d], atol=1e-5)
    one_s = float(np.median(times))

    # naive: one pair at a time
    pd_ = rng.integers(0, n_d, a.naive_pairs)
    ps_ = rng.integers(0, n_s, a.naive_pairs)
    t0 = time.perf_counter()
    naive = np.stack(
        [
            fs.builder.block(drug_map[[d]], np.array([s]))[0, 0]
            for d, s in zip(pd_, ps_, strict=True)
        ]
    )
    naive_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast_feats = fs.builder.block(drug_map[np.arange(min(256, n_d))])
    fast_feat_s = time.perf_counter() - t0
    per_pair_fast = fast_feat_s / (min(256, n_d) * n_s)
    per_pair_naive = naive_s / a.naive_pairs
    block = fs.builder.pairs(drug_map[pd_], ps_)
    same = bool(np.allclose(naive, block, equal_nan=True, atol=1e-6))
    del fast_feats

    out = {
        "population": a.population,
        "split": a.split,
        "drugs": int(n_d),
        "diseases": int(n_s),
        "train_pairs": int(len(fs.train)),
        "features": len(booster.feature_names),
        "rounds": booster.best_iteration,
        "load_seconds": round(load_s, 1),
        "feature_seconds": round(feat_s, 1),
        "fit_seconds": round(fit_s, 1),
        "compile_seconds": round(compile_s, 1),
        "compile_was_cached": compile_cached,
        "train_total_seconds": round(feat_s + fit_s + compile_s, 1),
        "train_target_seconds": 120,
        "scored_with": "compiled trees (tl2cgen)" if compiled_ok else "LightGBM",
        "full_matrix_seconds": round(full_s, 1),
        "full_matrix_lightgbm_seconds": round(full_lgb_s, 1),
        "ratio_lightgbm_over_compiled_full_matrix": round(full_lgb_s / full_s, 2),
        "full_matrix_equal_to_lightgbm": same_matrix,
        "full_matrix_pairs": int(n_d * n_s),
        "full_matrix_target_seconds": 30,
        "one_drug_median_seconds": round(one_s, 3),
        "one_drug_target_seconds": 0.3,
        "naive_per_pair_ms": round(1000 * per_pair_naive, 3),
        "fast_per_pair_us": round(1e6 * per_pair_fast, 3),
        "ratio_naive_over_fast_features": round(per_pair_naive / per_pair_fast, 1),
        "naive_full_matrix_hours_est": round(per_pair_naive * n_d * n_s / 3600, 1),
        "naive_equals_block": same,
        "peak_rss_mib_after_train": peak_train,
        "peak_rss_mib_after_full_matrix": peak_full,
        "peak_target_mib": 4096,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
