"""How many drugs and known pairs each model kind can score.

The MLP needs a walk profile (a signed target in the signaling network) and a
MeSH embedding; the evidence model needs any evidence for the drug (a signed
target, CTD chemical–gene rows or a SMILES) and a MeSH embedding for the
disease (the same candidate diseases).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ddi_core.config.run import RunConfig, preset
from ddi_core.data import loaders
from ddi_core.models.evidence.tables import TablesConfig, evidence_tables
from ddi_core.pairs.prepare import prepare
from ddi_core.walk.profiles import cached_profiles, drug_profiles, profile_stats

__all__ = ["model_coverage"]


def model_coverage() -> dict[str, Any]:
    """``{"mlp": {...}, "evidence": {...}, "ctd": {...}}`` with drugs, diseases, pairs."""

    ctd = loaders.load_ctd_chemical_disease()[["chemical_id", "disease_id"]].drop_duplicates()
    t = evidence_tables(TablesConfig(infograph=False))  # coverage needs no InfoGraph vectors
    mlp = prepare(RunConfig())
    faithful = preset("paper")
    paper = None
    if cached_profiles(faithful.walk) is not None:  # predicted seeds: never trained here
        pp = prepare(faithful)
        paper = {
            "drugs": int(len(pp.drug_ids)),
            "diseases": int(len(pp.dis_ids)),
            "pairs": int(pp.counts["positives"]),
            "drugs_with_pairs": int(len(np.unique(pp.pos_drug))),
            "profiles": profile_stats(drug_profiles(faithful.walk)),
            "needs": "an InfoGraph vector (a SMILES) or a known signed target in HSN v7, "
            "and a MeSH embedding",
        }
    dis = set(t.dis_ids.tolist())
    ev_drugs = set(t.drug_ids.tolist())
    ev_pairs = ctd[ctd["chemical_id"].isin(ev_drugs) & ctd["disease_id"].isin(dis)]
    return {
        "ctd": {
            "drugs": int(ctd["chemical_id"].nunique()),
            "diseases": int(ctd["disease_id"].nunique()),
            "pairs": int(len(ctd)),
        },
        "mlp": {
            "drugs": int(len(mlp.drug_ids)),
            "diseases": int(len(mlp.dis_ids)),
            "pairs": int(mlp.counts["positives"]),
            "drugs_with_pairs": int(len(np.unique(mlp.pos_drug))),
            "profiles": profile_stats(drug_profiles(RunConfig().walk)),
            "needs": "a walk profile (a known signed target in HSN v7) and a MeSH embedding",
        },
        "mlp_paper": paper
        or {
            "needs": "the target classifier's calls: run `ddi targets "
            "profiles` or `ddi train --preset paper`"
        },
        "evidence": {
            "drugs": int(len(t.drug_ids)),
            "diseases": int(len(t.dis_ids)),
            "pairs": int(len(ev_pairs)),
            "drugs_with_pairs": int(ev_pairs["chemical_id"].nunique()),
            "with_smiles": t.meta.get("with_smiles"),
            "with_signed_target": t.meta.get("with_signed_target"),
            "with_chemgenes": t.meta.get("with_chemgenes"),
            "needs": "a signed target, CTD chemical-gene rows or a SMILES, and a MeSH "
            "embedding for the disease",
        },
    }
