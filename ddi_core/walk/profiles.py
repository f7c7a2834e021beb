"""Drug profiles: the signed random walk's expected values over network genes.

One row per drug that has at least one signed target in the chosen signaling
network; columns are that network's genes (Entrez ids, ``gene_ids``). The
"gene universe" ``ppi+signaling`` of the paper's 19k-d vectors adds the STRING
genes outside the signaling network: the walk can never reach them, so they
are all-zero columns. They are reported as nominal dimensions and never stored
(:func:`ddi_core.pairs.features.constant_mask` shows that dropping them leaves
predictions unchanged).

Seeds come from the data layer's known signed targets (``seed_source="known"``)
or, with ``"predicted"`` / ``"known+predicted"``, from the drug–target
classifier (:mod:`ddi_core.targets.model`; known wins on conflict).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core import paths
from ddi_core.cache import _canon, cached
from ddi_core.config.run import WalkConfig
from ddi_core.data import entities, loaders
from ddi_core.data.loaders import load_string_ppi
from ddi_core.data.sources import sources
from ddi_core.graphs.signaling import load_signaling_network
from ddi_core.targets.config import TargetConfig
from ddi_core.targets.seeds import target_profiles
from ddi_core.walk import algorithm as walk
from ddi_core.walk.seeds import predicted_seed_table, seed_rows

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
    """chemical_id, entrez, sign, source, probability of every seed (known wins on conflict)."""

    if cfg.seed_source == "known":
        known = entities.signed_dti()[["chemical_id", "entrez", "sign"]].copy()
        known["source"] = "known"
        known["probability"] = np.nan
        return known
    tp = _target_profiles(cfg)
    return tp.table[["chemical_id", "entrez", "sign", "source", "probability"]].copy()


def _target_profiles(cfg: WalkConfig):

    return target_profiles(cfg.seed_source, target_config(cfg))


def target_config(cfg: WalkConfig):
    """The targets stage's config for a walk's predicted seeds."""

    if cfg.target_calls not in ("calibrated", "top_k", "raw"):
        raise ValueError(
            f"target_calls must be 'calibrated', 'top_k' or 'raw', got {cfg.target_calls!r}"
        )
    return TargetConfig(
        network=cfg.network,
        include_phy=cfg.include_phy,
        prior_correction=cfg.target_calls != "raw",
        call_rule="top_k" if cfg.target_calls == "top_k" else "threshold",
        top_k=int(cfg.target_top_k),
        rank_by=cfg.target_rank,
        lift_power=float(cfg.target_lift_power),
    )


def drug_seeds(cfg: WalkConfig, drug_id: str) -> pd.DataFrame:
    """One drug's walk seeds under ``cfg``, each naming its source
    (:func:`ddi_core.walk.seeds.seed_rows`: known targets, then the classifier's calls of
    genes not already known, when the walk seeds with predicted targets).

    Columns: ``entrez``, ``symbol``, ``sign``, ``sources`` (the evidence:
    DrugCentral / CTD for known targets, "classifier" for predicted ones),
    ``seed_source`` ('known' / 'predicted') and ``probability`` (the
    prior-corrected probability of a predicted call; NaN for known).
    Known targets outside the network are listed too (the walk skips them).
    """
    dti = entities.signed_dti()
    if cfg.seed_source == "known":
        return seed_rows(drug_id, dti, None, {})
    tp = _target_profiles(cfg)
    t = tp.table[tp.table["chemical_id"] == drug_id]
    genes = entities.genes()
    sym = dict(zip(genes["entrez"].astype(np.int64), genes["symbol"].astype(str), strict=True))
    return seed_rows(
        drug_id, dti, predicted_seed_table(t), sym, known=cfg.seed_source != "predicted"
    )


def profile_stats(p: DrugProfiles) -> dict[str, Any]:
    """Drugs with a profile, distinct profiles, and seeds per drug by source.

    ``identical_share``: drugs whose profile equals another drug's (bit for
    bit), over drugs with a profile: such drugs cannot be told apart by the
    MLP's input.
    """
    X = np.ascontiguousarray(p.X)
    n = int(X.shape[0])
    if n:
        rows = X.view(np.dtype((np.void, X.dtype.itemsize * X.shape[1]))).ravel()
        _, inv, counts = np.unique(rows, return_inverse=True, return_counts=True)
        shared = int((counts[inv] > 1).sum())
        distinct = int(len(counts))
    else:
        shared = distinct = 0
    seeds = p.seeds
    per = seeds.groupby(["chemical_id", "source"]).size().unstack(fill_value=0)
    per = per.reindex(p.drug_ids.astype(str), fill_value=0)
    out = {
        "drugs": n,
        "distinct_profiles": distinct,
        "drugs_sharing_a_profile": shared,
        "identical_share": shared / n if n else 0.0,
    }
    for src in ("known", "predicted"):
        col = per[src] if src in per.columns else pd.Series(0, index=per.index)
        out[f"{src}_seeds_per_drug_median"] = float(col.median()) if n else 0.0
        out[f"drugs_with_{src}_seeds"] = int((col > 0).sum())
    out["drugs_with_predicted_seeds_only"] = (
        int(((per.get("predicted", 0) > 0) & (per.get("known", 0) == 0)).sum()) if n else 0
    )
    return out


def cached_profiles(cfg: WalkConfig) -> DrugProfiles | None:
    """The newest cached profiles computed with ``cfg``, without computing anything.

    For display (the signed-walk page): ``None`` when no such entry exists.
    Training never uses this (it goes through :func:`drug_profiles`, which
    checks the inputs' hashes).
    """
    import json

    want = _canon(key_config(cfg))
    best = None
    for meta_path in (paths.cache_dir() / "profiles").glob("*/meta.json"):
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            continue
        if meta.get("config") == want and (best is None or meta.get("created", "") > best[0]):
            best = (meta.get("created", ""), meta_path.parent)
    return None if best is None else _load_entry(best[1])


def _load_entry(entry: Path) -> DrugProfiles:
    import json

    meta = json.loads((entry / "profiles.json").read_text())
    meta["cache_key"] = entry.name
    return DrugProfiles(
        drug_ids=np.load(entry / "drug_ids.npy", allow_pickle=False),
        gene_ids=np.load(entry / "gene_ids.npy", allow_pickle=False),
        X=np.load(entry / "X.npy", allow_pickle=False),
        seeds=_seeds_frame(pd.read_parquet(entry / "seeds.parquet")),
        meta=meta,
    )


def _seeds_frame(seeds: pd.DataFrame) -> pd.DataFrame:
    if "probability" not in seeds.columns:  # entries written before seeds carried it
        seeds = seeds.assign(probability=np.nan)
    return seeds


#: Walk fields that only matter for predicted seeds, and the one that only matters
#: with the physical edges walked.
_TARGET_FIELDS = ("target_calls", "target_top_k", "target_rank", "target_lift_power")


def key_config(cfg: WalkConfig) -> dict:
    """The cache key's config of ``cfg``'s profiles: every field that can change them.

    The target-call fields are left out for known seeds and ``phy_sign`` without
    the physical edges, so adding a walk option never invalidates profiles (and
    the evidence tables and runs built on them) that the option cannot change.
    """
    d = {"v": PROFILES_VERSION, **asdict(cfg)}
    if cfg.seed_source == "known":
        for k in _TARGET_FIELDS:
            d.pop(k, None)
    if not cfg.include_phy:
        d.pop("phy_sign", None)
    return d


def _inputs(cfg: WalkConfig) -> dict[str, str]:

    rels = {
        "hsn": [loaders.HSN],
        "signor": [loaders.SIGNOR_PKN, loaders.HGNC],
        "omnipath": [loaders.OMNIPATH, loaders.HGNC],
    }[cfg.network]

    out = {
        **{r: sources()[r].sha256 for r in rels},
        "entities": entities.build_entities().name,  # the cache key of the entity tables
    }
    if cfg.seed_source != "known":  # predicted seeds: the classifier stage's key
        out["targets"] = str(_target_profiles(cfg).meta.get("key"))
    return out


def drug_profiles(cfg: WalkConfig | None = None, *, force: bool = False) -> DrugProfiles:
    """Exact walk profiles of every drug with a seed in the network (cached)."""

    cfg = cfg or WalkConfig()

    def compute(tmp: Path) -> None:
        import time

        t0 = time.perf_counter()
        graph = load_signaling_network(
            cfg.network,
            include_phy=cfg.include_phy,
            phy_sign=cfg.phy_sign if cfg.include_phy else 0,
        )
        seeds = _seed_table(cfg)
        S, drugs = walk.seed_matrix(graph, seeds)
        keep = np.asarray(abs(S).sum(axis=1)).ravel() > 0  # duplicate signs may cancel
        S, drugs = S[keep], drugs[keep]
        X = walk.drug_profiles(
            graph, S, alpha=cfg.alpha, decay=cfg.decay, max_steps=cfg.max_steps
        ).astype(np.float32)
        in_net = seeds[graph.contains(seeds["entrez"].to_numpy(np.int64))]
        all_drugs = seeds["chemical_id"].nunique()
        nominal = graph.n_nodes
        if cfg.gene_universe == "ppi+signaling":
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
        log.info(
            "profiles: %d drugs x %d genes (%d non-zero columns) in %.1fs",
            X.shape[0],
            X.shape[1],
            meta["nonzero_dim"],
            meta["seconds"],
        )

    entry = cached("profiles", key_config(cfg), _inputs(cfg), compute, force=force)
    return _load_entry(entry)


__all__ = [
    "DrugProfiles",
    "cached_profiles",
    "drug_profiles",
    "drug_seeds",
    "profile_stats",
    "target_config",
]
