"""Ablation of the evidence model's feature families on the three splits.

For each split and variant (every family, each family left out, the
gene–disease features left out, popularity alone) it builds the leak-safe
features, fits LightGBM with early stopping on validation, and reports
validation metrics (what any choice is made on) beside test metrics (what is
reported). No run is written; the records go to ``docs/bench/ablation.json``.

Also reports, for test positives, how often a gene shared between the drug
(signed targets, CTD chemical genes) and the disease's CTD genes "explains"
the pair, against the split's test negatives and degree-matched negatives:
the label-echo check of ``ctd/6_G_D.csv``.

    python scripts/evidence_ablation.py [--splits random,drug,disease] [--seed 0]
        [--population paper] [--variants all,-network,...]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FAMILY_VARIANTS = ("popularity", "drug_knn", "gene_cf", "disease_sim", "network", "ease")


def variants(cfg_ev, names: list[str]):
    out = {}
    for v in names:
        if v == "all":
            out[v] = cfg_ev
        elif v == "no_gene_disease":
            out[v] = replace(cfg_ev, gene_disease=False)
        elif v == "popularity_only":
            out[v] = replace(cfg_ev, families=("popularity",))
        elif v.startswith("-"):
            out[v] = replace(cfg_ev, families=tuple(f for f in cfg_ev.families if f != v[1:]))
        else:
            raise SystemExit(f"unknown variant {v}")
    return out


def echo_check(tables, data, drug_map, split, seed: int) -> dict:
    """Share of pairs whose drug genes (targets ∪ chemical genes) meet the disease genes."""
    from ddi_core.models.evaluate import degree_matched_negatives

    G = ((tables.targets + tables.chemgenes) > 0).astype(np.float32).tocsr()
    D = (tables.dis_genes > 0).astype(np.float32).tocsr()
    n_dis = len(data.dis_ids)

    def share(drug, dis):
        g = G[drug_map[drug]]
        d = D[dis]
        hits = np.asarray(g.multiply(d).sum(axis=1)).ravel() > 0
        return float(hits.mean()) if len(hits) else float("nan")

    t = split.test
    pos = t.y == 1
    nd, ns = degree_matched_negatives(
        t.drug[pos], t.dis[pos], data.pos_drug * n_dis + data.pos_dis, n_dis, seed
    )
    return {
        "test_positives": share(t.drug[pos], t.dis[pos]),
        "test_negatives": share(t.drug[~pos], t.dis[~pos]),
        "degree_matched_negatives": share(nd, ns),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--splits", default="random,drug,disease")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--population", default="paper")
    p.add_argument(
        "--variants",
        default="all,"
        + ",".join(f"-{f}" for f in FAMILY_VARIANTS)
        + ",no_gene_disease,popularity_only",
    )
    p.add_argument("--out", default=str(REPO / "docs" / "bench" / "ablation.json"))
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override an evidence setting (e.g. train_neg_ratio=10)",
    )
    p.add_argument(
        "--tune",
        action="store_true",
        help="validation metrics only: the test split is not scored (for choosing settings)",
    )
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from ddi_core.config.run import EvidenceConfig, preset
    from ddi_core.models.evaluate import degree_matched_auroc, evaluate_scorer, ranking_metrics
    from ddi_core.models.evidence.fit import features_for_split, fit_evidence
    from ddi_core.models.evidence.model import EvidenceScorer
    from ddi_core.models.evidence.names import feature_names
    from ddi_core.models.evidence.population import evidence_pair_data
    from ddi_core.models.evidence.tables import evidence_tables, tables_config
    from ddi_core.pairs.prepare import split_for
    from ddi_core.seeds import sub_seeds

    tables = evidence_tables(tables_config(preset("evidence").evidence))
    out_path = Path(a.out)
    records = json.loads(out_path.read_text()) if out_path.is_file() else {}
    for split_kind in a.splits.split(","):
        over = {}
        for kv in a.set:
            k, v = kv.split("=", 1)
            cur = getattr(EvidenceConfig(), k)
            # a tuple setting takes its items joined by "+" (drug_sims=profile+moa)
            over[k] = tuple(v.split("+")) if isinstance(cur, tuple) else type(cur)(v)
        base = preset("evidence", seed=a.seed, split=split_kind, population=a.population, **over)
        data, drug_map = evidence_pair_data(base, tables)
        seeds = sub_seeds(base.seed)
        split = split_for(base, data, seeds)
        key = f"{a.population}/{split_kind}/seed{a.seed}" + "".join(f"/{kv}" for kv in a.set)
        rec = records.get(key, {"variants": {}})
        if not a.tune:
            rec["echo"] = echo_check(tables, data, drug_map, split, seeds["baselines"])
            print(key, "echo", json.dumps(rec["echo"]), flush=True)
        n_dis = len(data.dis_ids)
        for vname, ev in variants(base.evidence, a.variants.split(",")).items():
            cfg = replace(base, evidence=ev)
            t0 = time.perf_counter()
            fs = features_for_split(tables, cfg, data, drug_map, split, seeds)
            names = feature_names(ev)
            b = fit_evidence(fs, cfg, seeds["torch_init"])
            sc = EvidenceScorer(fs.builder, b, drug_map)
            val_c = evaluate_scorer(
                sc, train=split.train, val=split.val, test=split.val, n_dis=n_dis, ranking=False
            )["classification"]
            val_r = ranking_metrics(sc, split.val, split.train, n_dis)
            val_dm = degree_matched_auroc(
                sc, split.val, data.pos_drug, data.pos_dis, n_dis, seed=seeds["baselines"]
            )
            row = {
                "n_features": len(names),
                "rounds": b.best_iteration,
                "seconds": round(time.perf_counter() - t0, 1),
                "val": {
                    "auroc": val_c["auroc"],
                    "mrr": val_r["mrr"],
                    "median_rank": val_r["median_rank"],
                    "auroc_degree_matched": val_dm["auroc"],
                },
            }
            if not a.tune:
                res = evaluate_scorer(
                    sc, train=split.train, val=split.val, test=split.test, n_dis=n_dis
                )
                dm = degree_matched_auroc(
                    sc, split.test, data.pos_drug, data.pos_dis, n_dis, seed=seeds["baselines"]
                )
                row["test"] = {
                    "auroc": res["classification"]["auroc"],
                    "aupr": res["classification"]["aupr"],
                    "mrr": res["ranking"]["mrr"],
                    "median_rank": res["ranking"]["median_rank"],
                    "hits@10": res["ranking"]["hits@10"],
                    "auroc_degree_matched": dm["auroc"],
                }
            rec["variants"][vname] = row
            records[key] = rec
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(records, indent=1))
            print(key, vname, json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
