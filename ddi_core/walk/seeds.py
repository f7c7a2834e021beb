"""A drug's walk seeds, assembled once for every reader: the CLI (``ddi walk``), the
*Signed walk* page and the profiles' own record.

Known signed targets (``entities.signed_dti()``: DrugCentral, SIGNOR, Repurposing Hub,
CTD) come first, all of them; the drug-target classifier's calls follow when the walk
seeds with predicted targets, except genes already known (known targets win on
conflict, as the walk profiles are built). :func:`predicted_seed_table` reads the calls
of a cached profiles entry; :func:`variant_config` is the walk of one of the page's
variants (network, edges, seeds) on the paper preset's target calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from ddi_core.config.run import WalkConfig, preset
from ddi_core.graphs.signaling import NetworkName

#: the columns of a seed table
SEED_COLUMNS = ("entrez", "symbol", "sign", "sources", "seed_source", "probability")


def phy_allowed(network: NetworkName) -> bool:
    """Only HSN has unsigned physical ('Phy') edges to add."""
    return network == "hsn"


def variant_config(network: NetworkName, include_phy: bool, seed_source: str) -> WalkConfig:
    """The walk of a variant: the paper preset's walk (its target calls) on ``network``,
    with or without HSN's 'Phy' edges (signed by :attr:`WalkConfig.phy_sign`, the paper's
    rule) and seeds from ``seed_source`` ("known" / "known+predicted")."""
    return replace(
        preset("paper").walk,
        network=network,
        include_phy=bool(include_phy) and phy_allowed(network),
        seed_source=seed_source,
    )


def predicted_seed_table(seeds: pd.DataFrame) -> pd.DataFrame:
    """The predicted calls of a profiles entry's seed table: ``chemical_id``, ``entrez``,
    ``sign``, ``probability``."""
    s = seeds[seeds["source"].astype(str) == "predicted"]
    return pd.DataFrame(
        {
            "chemical_id": s["chemical_id"].astype(str).to_numpy(),
            "entrez": s["entrez"].to_numpy(np.int64),
            "sign": s["sign"].to_numpy(np.int64),
            "probability": s["probability"].to_numpy(np.float64),
        }
    )


def seed_rows(
    drug_id: str,
    signed_dti: pd.DataFrame,
    predicted: pd.DataFrame | None,
    symbols: Mapping[int, str],
    *,
    known: bool = True,
) -> pd.DataFrame:
    """One drug's seeds (:data:`SEED_COLUMNS`): its known signed targets (``known``) and
    the predicted calls of ``predicted`` (``chemical_id``, ``entrez``, ``sign``,
    ``probability``; ``None``: known seeds only) for genes not already known."""
    k = signed_dti[signed_dti["chemical_id"] == drug_id][["entrez", "symbol", "sign", "sources"]]
    k = k.assign(seed_source="known", probability=np.nan)
    if predicted is None:
        return k.reset_index(drop=True)
    p = predicted[(predicted["chemical_id"] == drug_id) & ~predicted["entrez"].isin(k["entrez"])]
    p = pd.DataFrame(
        {
            "entrez": p["entrez"].to_numpy(np.int64),
            "symbol": [symbols.get(int(g)) or str(int(g)) for g in p["entrez"]],
            "sign": p["sign"].to_numpy(np.int64),
            "sources": "classifier",
            "seed_source": "predicted",
            "probability": p["probability"].to_numpy(np.float64),
        }
    )
    return pd.concat(([k] if known else []) + [p], ignore_index=True)


__all__ = ["SEED_COLUMNS", "phy_allowed", "predicted_seed_table", "seed_rows", "variant_config"]
