"""Diagnostic: rank a drug's predicted targets by P(target) or by its lift over the gene's mean.

The top-k calls by P(target) are dominated by a few genes that every drug gets
(the classifier's gene prior). This compares precision@k / recall@k / F1@k and the
number of distinct top-5 seed sets on the classifier's held-out drugs for P,
P / mean_g and P / sqrt(mean_g) (gene means over 300 random embedded drugs).
Prints only; nothing is chosen on the test drugs.

    python scripts/target_call_ranking.py
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    from ddi_core.config.run import preset
    from ddi_core.targets.calls import _at_k, _drug_probas, _truth, class_priors
    from ddi_core.targets.decision import ACTIVATION, INHIBITION, NONE, correct_proba
    from ddi_core.targets.inputs import load_inputs
    from ddi_core.targets.stage import fit_targets
    from ddi_core.walk.profiles import target_config

    tcfg = target_config(preset("paper").walk)
    inp = load_inputs(tcfg)
    st = fit_targets(tcfg, inp)
    shift = np.asarray(class_priors(st, inp)["logit_shift"])
    genes, _ = inp.scored_genes()
    pairs = st.pairs
    ids = np.asarray(inp.drug_embedding.ids).astype(str)
    emb = set(ids)
    ref = _drug_probas(st, inp, np.random.default_rng(0).choice(ids, 300, replace=False))
    gmean = (1 - correct_proba(ref.reshape(-1, 3), shift)[:, NONE]).reshape(300, -1).mean(0)
    for part in ("val", "test"):
        drugs = np.array(
            [
                d
                for d in np.unique(pairs.loc[pairs.split == part, "chemical_id"].astype(str))
                if d in emb
            ]
        )
        P = _drug_probas(st, inp, drugs)
        T = _truth(pairs, drugs, genes)
        c = correct_proba(P.reshape(-1, 3), shift)
        pt = (1 - c[:, NONE]).reshape(len(drugs), -1)
        sign = np.where(c[:, INHIBITION] >= c[:, ACTIVATION], -1, 1).reshape(len(drugs), -1)
        for name, score in (("p", pt), ("lift", pt / gmean), ("sqrt-lift", pt / np.sqrt(gmean))):
            r = _at_k(score, sign, T, (1, 5, 10, 20, 30, 50))
            top = np.argsort(-score, 1)[:, :5]
            sets = len({tuple(sorted(x)) for x in top})
            print(
                part,
                name,
                {
                    k: (round(v["precision"], 3), round(v["recall"], 3), round(v["f1"], 4))
                    for k, v in r.items()
                },
                f"distinct top-5 sets {sets} of {len(drugs)}; genes {len(np.unique(top))}",
            )


if __name__ == "__main__":
    main()
