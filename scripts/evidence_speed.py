"""Training and full-matrix scoring time of evidence settings (population ``evidence``,
random split, seed 0), for choosing settings under the speed bars.

    python scripts/evidence_speed.py [--set KEY=VALUE ...]

``--set`` overrides an evidence setting as in ``scripts/evidence_ablation.py`` (a tuple
setting takes its items joined by ``+``). Prints trees, feature and training seconds,
compile seconds and the seconds to score every drug × every disease. The benchmark of
the default (with its LightGBM baseline) is ``bench/bench_evidence.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from ddi_core.config.run import EvidenceConfig, preset
    from ddi_core.models.evidence.fit import features_for_split, fit_evidence
    from ddi_core.models.evidence.model import EvidenceScorer
    from ddi_core.models.evidence.population import evidence_pair_data
    from ddi_core.models.evidence.tables import evidence_tables, tables_config
    from ddi_core.pairs.prepare import split_for
    from ddi_core.seeds import sub_seeds

    over = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        cur = getattr(EvidenceConfig(), k)
        over[k] = tuple(v.split("+")) if isinstance(cur, tuple) else type(cur)(v)
    cfg = preset("evidence", split="random", population="evidence", **over)
    t = evidence_tables(tables_config(cfg.evidence))
    data, drug_map = evidence_pair_data(cfg, t)
    seeds = sub_seeds(cfg.seed)
    split = split_for(cfg, data, seeds)
    t0 = time.perf_counter()
    fs = features_for_split(t, cfg, data, drug_map, split, seeds)
    t1 = time.perf_counter()
    booster = fit_evidence(fs, cfg, seeds["torch_init"])
    t2 = time.perf_counter()
    booster.accelerate()
    t3 = time.perf_counter()
    EvidenceScorer(fs.builder, booster, drug_map).logits_block(np.arange(len(drug_map)))
    t4 = time.perf_counter()
    print(
        json.dumps(
            {
                "set": a.set,
                "trees": booster.best_iteration,
                "bag_trees": booster.member_iterations or [booster.best_iteration],
                "features_s": round(t1 - t0, 1),
                "fit_s": round(t2 - t1, 1),
                "compile_s": round(t3 - t2, 1),
                "full_matrix_s": round(t4 - t3, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
