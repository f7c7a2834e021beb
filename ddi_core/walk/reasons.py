"""Why a chemical has no walk profile under a walk configuration, in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ddi_core.config.run import WalkConfig


def drug_reason(
    chemical_id: str,
    *,
    walk: WalkConfig,
    network_genes: np.ndarray,
    signed_dti: pd.DataFrame,
    drugs: pd.DataFrame,
) -> str:
    """Why a CTD chemical has no walk profile under ``walk`` (in words).

    Parameters
    ----------
    chemical_id : str
    walk : WalkConfig
        The run's walk configuration (network and seed source).
    network_genes : ndarray of int
        Entrez ids of the signaling network's nodes.
    signed_dti : DataFrame
        ``entities.signed_dti()``.
    drugs : DataFrame
        ``entities.drugs()`` (``chemical_id``, ``smiles``).
    """
    net = walk.network
    rows = signed_dti[signed_dti["chemical_id"] == chemical_id]
    smi = drugs.loc[drugs["chemical_id"] == chemical_id, "smiles"]
    has_smiles = bool(len(smi) and pd.notna(smi.iloc[0]) and str(smi.iloc[0]).strip())
    uses_pred = "predicted" in walk.seed_source
    sources = "DrugCentral, SIGNOR, Repurposing Hub"
    if rows.empty:
        if not has_smiles:
            return (
                f"it has no SMILES and no known signed targets ({sources}), "
                "so the signed walk has no seed and there is no drug profile"
            )
        if uses_pred:
            return (
                f"it has no known signed targets ({sources}) and the target classifier "
                f"predicted none in the {net} network from its SMILES, so there is no "
                "drug profile"
            )
        return (
            f"it has no known signed targets ({sources}); this run seeds walks with known "
            f"targets only (seed_source={walk.seed_source!r}), so its SMILES is not used "
            "and there is no drug profile"
        )
    in_net = rows["entrez"].isin(np.asarray(network_genes, np.int64))
    syms = rows["symbol"].astype(str).tolist()
    shown = ", ".join(syms[:8]) + (", …" if len(syms) > 8 else "")
    if not in_net.any():
        return (
            f"it has {len(rows)} known signed target(s) ({shown}) but none is a node of "
            f"the {net} signaling network, so the signed walk has no seed"
        )
    return (
        f"its {int(in_net.sum())} signed target(s) in the {net} network cancel out "
        "(conflicting signs), so the walk profile is empty"
    )


__all__ = ["drug_reason"]
