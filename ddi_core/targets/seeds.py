"""Signed walk seeds per drug from known and/or predicted targets."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ddi_core.cache import stable_hash
from ddi_core.errors import UnknownEntityError
from ddi_core.targets.config import SeedSource, TargetConfig
from ddi_core.targets.grid import predicted_targets
from ddi_core.targets.inputs import TargetInputs, load_inputs
from ddi_core.targets.predict import _known_pairs
from ddi_core.targets.stage import TargetStage

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class TargetProfiles:
    """Signed seed vectors of drugs over a signaling network's nodes.

    Attributes
    ----------
    drug_ids : numpy.ndarray
        ``<U`` CTD chemical ids of the rows (drugs with at least one seed), sorted.
    node_ids : numpy.ndarray
        int64 Entrez ids of the columns (the network's node order).
    seeds : scipy.sparse.csr_matrix
        int8, shape ``(len(drug_ids), len(node_ids))``: +1 activation, −1
        inhibition.
    table : pandas.DataFrame
        One row per seed: chemical_id, entrez, sign, source ('known' or
        'predicted'), probability (of the predicted class; NaN for known).
    missing : pandas.DataFrame
        Drugs of the universe without any seed: chemical_id, reason.
    source : str
        'known', 'predicted' or 'known+predicted'.
    meta : dict
        Counts and ``key`` (a hash of what determined the profiles).
    """

    drug_ids: np.ndarray
    node_ids: np.ndarray
    seeds: sp.csr_matrix
    table: pd.DataFrame
    missing: pd.DataFrame
    source: str
    meta: dict[str, Any] = field(default_factory=dict)

    def row(self, chemical_id: str) -> np.ndarray:
        """Dense int8 seed vector of one drug."""
        i = np.searchsorted(self.drug_ids, chemical_id)
        if i >= len(self.drug_ids) or self.drug_ids[i] != chemical_id:
            hit = self.missing.loc[self.missing["chemical_id"] == chemical_id, "reason"]
            why = f" ({hit.iloc[0]})" if len(hit) else ""
            raise UnknownEntityError(f"drug with {self.source} seeds{why}", chemical_id)
        return self.seeds[i].toarray().ravel()


def build_profiles(
    source: SeedSource,
    node_ids: np.ndarray,
    known: pd.DataFrame | None,
    predicted: pd.DataFrame | None,
    universe: Iterable[str],
    embedded: Iterable[str] = (),
    unparsable: dict[str, str] | None = None,
) -> TargetProfiles:
    """Assemble seed profiles from known and/or predicted calls.

    Parameters
    ----------
    source : {"known", "predicted", "known+predicted"}
    node_ids : numpy.ndarray
        Network nodes (columns), int64.
    known : pandas.DataFrame or None
        chemical_id, entrez, sign (±1) — conflict-free.
    predicted : pandas.DataFrame or None
        chemical_id, entrez, sign, p_inhibition, p_activation.
    universe : iterable of str
        Drugs to account for; those left without seeds go to ``missing``.
    embedded : iterable of str
        Drugs with a vector (to explain why a drug has no prediction).
    unparsable : dict, optional
        Drug → RDKit's reason, for drugs whose SMILES could not be parsed.
    """
    if source not in ("known", "predicted", "known+predicted"):
        raise ValueError(
            f"source must be 'known', 'predicted' or 'known+predicted', got {source!r}"
        )
    nodes = np.asarray(node_ids, np.int64)
    parts = []
    known_any: set[str] = set()
    if "known" in source.split("+"):
        if known is None:
            raise ValueError("known seeds requested but no known table given")
        k = known[["chemical_id", "entrez", "sign"]].astype(
            {"chemical_id": str, "entrez": np.int64}
        )
        known_any = set(k["chemical_id"])
        k = k[np.isin(k["entrez"].to_numpy(), nodes)]
        parts.append(k.assign(source="known", probability=np.nan))
    pred_any: set[str] = set()
    if "predicted" in source.split("+"):
        if predicted is None:
            raise ValueError("predicted seeds requested but no predictions given")
        p = predicted.astype({"chemical_id": str, "entrez": np.int64})
        pred_any = set(p["chemical_id"])
        p = p[np.isin(p["entrez"].to_numpy(), nodes)]
        prob = np.where(
            p["sign"].to_numpy() < 0, p["p_inhibition"].to_numpy(), p["p_activation"].to_numpy()
        )
        parts.append(
            pd.DataFrame(
                {
                    "chemical_id": p["chemical_id"].to_numpy(),
                    "entrez": p["entrez"].to_numpy(),
                    "sign": p["sign"].to_numpy(),
                    "source": "predicted",
                    "probability": prob,
                }
            )
        )
    table = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["chemical_id", "entrez", "sign", "source", "probability"])
    )
    n_conflicts = 0
    if len(parts) == 2:
        dup = table.duplicated(["chemical_id", "entrez"], keep=False)
        sign_by_pair = table[dup].groupby(["chemical_id", "entrez"])["sign"].nunique()
        n_conflicts = int((sign_by_pair > 1).sum())
        table = table.drop_duplicates(["chemical_id", "entrez"], keep="first")  # known first
    table["sign"] = table["sign"].astype(np.int8)
    table = table.sort_values(["chemical_id", "entrez"]).reset_index(drop=True)
    drug_ids = np.unique(table["chemical_id"].to_numpy().astype(str))
    r = np.searchsorted(drug_ids, table["chemical_id"].to_numpy().astype(str))
    c = (
        np.searchsorted(nodes, table["entrez"].to_numpy())
        if np.all(np.diff(nodes) > 0)
        else pd.Index(nodes).get_indexer(table["entrez"])
    )
    seeds = sp.csr_matrix(
        (table["sign"].to_numpy(np.int8), (r, c)), shape=(len(drug_ids), len(nodes)), dtype=np.int8
    )
    emb = set(map(str, embedded))
    have = set(drug_ids.tolist())
    miss_rows = []
    for d in sorted(set(map(str, universe)) - have):
        why = []
        if "known" in source.split("+"):
            why.append(
                "known targets not in network" if d in known_any else "no known signed target"
            )
        if "predicted" in source.split("+"):
            if d in (unparsable or {}):
                why.append(f"SMILES not parsable by RDKit ({unparsable[d]})")
            elif d not in emb:
                why.append("no InfoGraph vector")
            else:
                why.append(
                    "predicted targets not in network" if d in pred_any else "no predicted target"
                )
        miss_rows.append((d, "; ".join(why)))
    missing = pd.DataFrame(miss_rows, columns=["chemical_id", "reason"])
    meta = {
        "source": source,
        "drugs_with_seeds": int(len(drug_ids)),
        "drugs_without_seeds": int(len(missing)),
        "seeds": int(len(table)),
        "seeds_by_source": {k: int(v) for k, v in table["source"].value_counts().items()},
        "seeds_by_sign": {str(k): int(v) for k, v in table["sign"].value_counts().items()},
        "known_predicted_sign_conflicts": n_conflicts,
        "missing_reasons": {k: int(v) for k, v in missing["reason"].value_counts().items()},
    }
    log.info(
        "target profiles (%s): %d drugs with seeds, %d without, %d seeds",
        source,
        meta["drugs_with_seeds"],
        meta["drugs_without_seeds"],
        meta["seeds"],
    )
    return TargetProfiles(drug_ids, nodes, seeds, table, missing, source, meta)


def target_profiles(
    source: SeedSource = "known",
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    stage: TargetStage | None = None,
) -> TargetProfiles:
    """Signed seed profiles of every drug over the signaling network.

    ``known`` needs no model; ``predicted`` and ``known+predicted`` use the
    cached :func:`fit_targets` stage (fitted on first use). ``meta["key"]``
    hashes the source, the inputs and (for predictions) the stage's config.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    t0 = time.perf_counter()
    pred = None
    if "predicted" in source:
        pred, _ = predicted_targets(cfg, inp, stage=stage)
    prof = build_profiles(
        source,
        inp.network_nodes,
        _known_pairs(inp.dti),
        pred,
        inp.universe(),
        np.asarray(inp.drug_embedding.ids).astype(str),
        {str(f[0]): str(f[2]) for f in inp.drug_embedding.meta.get("parse_failures", [])},
    )
    key_parts: dict[str, Any] = {
        "source": source,
        "dti": inp.hashes["dti"],
        "network_nodes": inp.hashes["network_nodes"],
    }
    if pred is not None:
        key_parts.update(config=cfg.key(), inputs=inp.hashes)
    prof.meta["key"] = stable_hash(key_parts)[:16]
    prof.meta["seconds"] = round(time.perf_counter() - t0, 3)
    return prof
