"""The evidence model's feature columns: their names for a config
(:func:`feature_names`), the family each belongs to (:func:`feature_family`),
and which are built on CTD's gene–disease file (:func:`uses_gene_disease`).
"""

from __future__ import annotations

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.evidence.similarity import GENE_DISEASE_SIMS

__all__ = [
    "FAMILIES",
    "GENE_CF",
    "NETWORK_FEATURES",
    "feature_names",
    "feature_family",
    "uses_gene_disease",
]

FAMILIES = ("popularity", "drug_knn", "gene_cf", "disease_sim", "network", "ease", "krr")
#: gene-level collaborative evidence: drug → gene ← training drugs → disease
GENE_CF = ("targets", "chemgenes")
NETWORK_FEATURES = (
    "walk_share_abs",
    "walk_share_signed",
    "walk_enrichment",
    "target_genes_shared",
    "chem_genes_shared",
    "chem_genes_jaccard",
    "prox_targets",
    "prox_chemgenes",
    "dis_n_genes",
    "drug_n_targets",
    "drug_n_chemgenes",
)


def feature_family(name: str) -> str:
    """The family of a feature name."""
    if name in ("dis_pop", "drug_deg"):
        return "popularity"
    if name == "ease":
        return "ease"
    if name == "drug_krr":
        return "krr"
    if name.startswith("genecf_"):
        return "gene_cf"
    if name in NETWORK_FEATURES:
        return "network"
    if "_knn_" in name or name.split("_")[0] in (
        "profile",
        "targets",
        "chemgenes",
        "morgan",
        "infograph",
        "moa",
    ):
        return "drug_knn"
    return "disease_sim"


def uses_gene_disease(name: str) -> bool:
    """Is the feature built on ``ctd/6_G_D.csv``?"""
    if name in ("drug_n_targets", "drug_n_chemgenes"):
        return False
    if feature_family(name) == "network":
        return True
    return feature_family(name) == "disease_sim" and name.split("_")[0] in GENE_DISEASE_SIMS


def feature_names(cfg: EvidenceConfig) -> list[str]:
    """The feature columns of ``cfg``, in order."""
    fam = set(cfg.families)
    out: list[str] = []
    if "popularity" in fam:
        out += ["dis_pop", "drug_deg"]
    if "drug_knn" in fam:
        for k in cfg.drug_sims:
            out += [f"{k}_knn_frac", f"{k}_knn_count", f"{k}_knn_wsum", f"{k}_max"]
            out += [
                f"{k}_knn_{j}"
                for j in cfg.knn_dis_sims
                if cfg.gene_disease or j not in GENE_DISEASE_SIMS
            ]
    if "gene_cf" in fam:
        for g in GENE_CF:
            out += [f"genecf_{g}_mean", f"genecf_{g}_max"]
    if "disease_sim" in fam:
        for j in cfg.dis_sims:
            if j in GENE_DISEASE_SIMS and not cfg.gene_disease:
                continue
            out += [f"{j}_max", f"{j}_mean"]
    if "network" in fam:
        out += [
            n
            for n in NETWORK_FEATURES
            if cfg.gene_disease or n in ("drug_n_targets", "drug_n_chemgenes")
        ]
    if "ease" in fam:
        out.append("ease")
    if "krr" in fam:
        out.append("drug_krr")
    return out
