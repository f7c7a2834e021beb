"""Choose how the paper preset ranks a drug's predicted targets: validation F1@k and seed-set sharing.

A drug's top-k calls rank its genes by ``P(target) / mean_g ** a``, where
``mean_g`` is the gene's mean P(target) over 300 drugs (the product's
``_gene_mean_target``): ``a = 0`` ranks by probability, ``a = 1`` by lift,
``a = 0.5`` by sqrt-lift. For each ``a`` and k this prints, on the target
classifier's drug-disjoint **validation** drugs, precision@k, recall@k and
F1@k, and, over every drug the paper preset scores (known targets win, as in
the preset), the share of drugs whose signed seed set equals another drug's
(so their walk profiles are identical), also counting only drugs that share
with a drug of a different structure (a different InfoGraph vector).

The choice: the highest validation F1@k among settings whose sharing is below
5% (issue 11's bar). Test drugs are printed for the record only.

    python scripts/target_call_sweep.py [--out docs/bench/target_call_sweep.json]
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

POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
KS = (3, 5, 10, 15, 20, 30)
BAR = 0.05


def _sharing(seed_rows: list[tuple], structure: list[bytes]) -> tuple[float, float]:
    """Share of drugs whose seed set equals another's; and of those sharing across structures."""
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(seed_rows):
        groups.setdefault(r, []).append(i)
    n = len(seed_rows)
    shared = cross = 0
    for idx in groups.values():
        if len(idx) < 2:
            continue
        shared += len(idx)
        kinds = [structure[i] for i in idx]
        for s in kinds:
            if any(o != s for o in kinds):
                cross += 1
    return shared / n, cross / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("docs/bench/target_call_sweep.json"))
    ap.add_argument("--powers", default=",".join(map(str, POWERS)), help="comma-separated a values")
    ap.add_argument("--ks", default=",".join(map(str, KS)), help="comma-separated k values")
    args = ap.parse_args()
    powers = tuple(float(x) for x in args.powers.split(","))
    ks = tuple(int(x) for x in args.ks.split(","))
    logging.basicConfig(level=logging.WARNING)
    import torch

    from ddi_core.config.run import preset
    from ddi_core.seeds import sub_seed
    from ddi_core.targets.calls import _at_k, _drug_probas, _truth, class_priors
    from ddi_core.targets.decision import ACTIVATION, INHIBITION, NONE, correct_proba
    from ddi_core.targets.grid import _gene_mean_target
    from ddi_core.targets.inputs import load_inputs
    from ddi_core.targets.predict import _known_pairs
    from ddi_core.targets.scorer import FactorisedTargetScorer
    from ddi_core.targets.stage import fit_targets
    from ddi_core.walk.profiles import target_config

    t0 = time.perf_counter()
    torch.set_num_threads(2)
    tcfg = target_config(preset("paper").walk)
    inp = load_inputs(tcfg)
    st = fit_targets(tcfg, inp)
    shift = np.asarray(class_priors(st, inp)["logit_shift"])
    genes, rows = inp.scored_genes()
    sc = FactorisedTargetScorer.from_classifier(st.classifier)
    sc.with_prior_shift(shift)
    gmean = _gene_mean_target(sc, inp, rows, sub_seed(tcfg.seed, "lift"))
    ids = np.asarray(inp.drug_embedding.ids).astype(str)
    vecs = np.asarray(inp.drug_embedding.vectors)
    pairs = st.pairs

    def corrected(drugs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        P = _drug_probas(st, inp, drugs)
        c = correct_proba(P.reshape(-1, 3), shift)
        pt = (1 - c[:, NONE]).reshape(len(drugs), -1)
        sign = np.where(c[:, INHIBITION] >= c[:, ACTIVATION], -1, 1).reshape(len(drugs), -1)
        return pt.astype(np.float64), sign.astype(np.int8)

    res: dict = {"powers": powers, "ks": ks, "bar": BAR, "validation": {}, "test": {}}
    emb = set(ids)
    for part in ("val", "test"):
        drugs = np.array(
            [
                d
                for d in np.unique(pairs.loc[pairs.split == part, "chemical_id"].astype(str))
                if d in emb
            ]
        )
        pt, sign = corrected(drugs)
        T = _truth(pairs, drugs, genes)
        key = "validation" if part == "val" else "test"
        for a in powers:
            r = _at_k(pt / gmean**a, sign, T, ks)
            res[key][str(a)] = {
                k: {m: round(v[m], 4) for m in ("precision", "recall", "f1")} for k, v in r.items()
            }

    # every drug the paper preset scores: embedded drugs plus drugs with a known target in the network
    known = _known_pairs(inp.dti).astype({"chemical_id": str})
    node_set = set(np.asarray(inp.network_nodes, np.int64).tolist())
    known = known[known["entrez"].astype(np.int64).isin(node_set)]
    known_by = {
        d: {(int(g), int(s)) for g, s in zip(g_.entrez, g_.sign, strict=True)}
        for d, g_ in known.groupby("chemical_id")
    }
    pt_all, sign_all = corrected(ids)
    gene_list = genes.astype(np.int64)
    structure = {d: vecs[i].tobytes() for i, d in enumerate(ids)}
    sharing: dict = {}
    for a in powers:
        score = pt_all / gmean**a
        order = np.argsort(-score, axis=1, kind="stable")[:, : max(ks)]
        for k in ks:
            rows_: list[tuple] = []
            kinds: list[bytes] = []
            for i, d in enumerate(ids):
                kn = known_by.get(d, set())
                kn_g = {g for g, _ in kn}
                pred = {
                    (int(gene_list[j]), int(sign_all[i, j]))
                    for j in order[i, :k]
                    if int(gene_list[j]) not in kn_g
                }
                rows_.append(tuple(sorted(kn | pred)))
                kinds.append(structure[d])
            for d, kn in known_by.items():
                if d not in structure:
                    rows_.append(tuple(sorted(kn)))
                    kinds.append(d.encode())
            share, cross = _sharing(rows_, kinds)
            sharing.setdefault(str(a), {})[str(k)] = {
                "drugs": len(rows_),
                "identical_share": round(share, 4),
                "share_across_structures": round(cross, 4),
            }
    res["sharing"] = sharing
    ok = [
        (res["validation"][str(a)][str(k)]["f1"], a, k)
        for a in powers
        for k in ks
        if sharing[str(a)][str(k)]["identical_share"] < BAR
    ]
    best = max(ok) if ok else None
    res["chosen"] = (
        None if best is None else {"power": best[1], "k": best[2], "validation_f1": best[0]}
    )
    res["seconds"] = round(time.perf_counter() - t0, 1)
    print(
        f"{'a':>5} {'k':>3} {'val P@k':>8} {'val R@k':>8} {'val F1':>7} {'test F1':>7} {'share':>6} {'cross':>6}"
    )
    for a in powers:
        for k in ks:
            v, t, s = (
                res["validation"][str(a)][str(k)],
                res["test"][str(a)][str(k)],
                sharing[str(a)][str(k)],
            )
            print(
                f"{a:5.2f} {k:3d} {v['precision']:8.3f} {v['recall']:8.3f} {v['f1']:7.4f} {t['f1']:7.4f} "
                f"{100 * s['identical_share']:5.1f}% {100 * s['share_across_structures']:5.1f}%"
            )
    print("chosen (validation F1@k, sharing below 5%):", res["chosen"], f"({res['seconds']} s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
