"""Why the paper's MLP scores a drug–disease pair as it does (its part of
:func:`ddi_core.rank.explain.explain_pair`).

:func:`explain_mlp_pair` gathers, for one pair:

targets
    The drug's signed targets (the walk's seeds): known pairs from
    ``entities.signed_dti()`` (``source``: the evidence sources) plus, when the
    run seeds with predicted targets, the predicted ones of its profile table;
    ``in_network`` says whether the gene is a node of the run's signaling
    network (only those seed the walk).
profile_genes
    The genes carrying most of the drug's walk profile (largest ``|value|``).
driver_genes
    The profile dimensions that most drive this pair's score, by gradient ×
    input (:func:`grad_times_input`): with ``x`` the *standardised* pair input
    ``z = (raw − mean) / scale`` (the run's scaler, so ``z = 0`` is the training
    mean) and ``f`` the model's logit (eval mode, no dropout), the attribution of
    dimension ``j`` is ``x_j · ∂f/∂x_j``. For a ReLU network this is the
    dimension's first-order contribution to the logit relative to the training
    mean, within the input's linear region; positive pushes towards an
    association. Only the drug-profile dimensions are listed (one per network
    gene the scaler keeps); the disease-embedding dimensions are summed into
    ``attribution.disease_total``.
disease genes
    Each gene above is flagged ``disease_gene`` when it is a CTD gene of the
    disease (``load_ctd_gene_disease``; symbols mapped to Entrez with
    :func:`ddi_core.data.genes.symbol_to_entrez`).
neighbours
    The training drugs most similar to the drug (cosine of raw walk profiles)
    among those that are positives of the disease in the run's training split.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from ddi_core.data import entities, loaders
from ddi_core.data.genes import symbol_to_entrez
from ddi_core.models.base import ExplainContext
from ddi_core.pairs.features import PairFeatures

log = logging.getLogger(__name__)

__all__ = ["explain_mlp_pair", "grad_times_input", "pair_attribution"]


def grad_times_input(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Gradient × input of the logit for each row of ``x``.

    Parameters
    ----------
    model : nn.Module
        Maps ``(n, D)`` inputs to ``(n,)`` (or ``(n, 1)``) logits. Evaluated in
        eval mode; its training flag is restored; parameter gradients are not
        touched.
    x : Tensor, shape (n, D)

    Returns
    -------
    Tensor, shape (n, D)
        ``x * ∂logit/∂x`` row by row (rows are independent in eval mode).
    """
    was_training = model.training
    model.eval()
    try:
        xg = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            out = model(xg).reshape(-1)
            (grad,) = torch.autograd.grad(out.sum(), xg)
    finally:
        model.train(was_training)
    return (grad * xg).detach()


def pair_attribution(
    model: nn.Module, features: PairFeatures, drug_row: int, dis_row: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient × input of one pair, split into the drug part and the disease part.

    Returns
    -------
    drug_attr : ndarray, shape (features.drug_dim,)
        One value per kept drug-profile column (``scaler.drug_keep``).
    dis_attr : ndarray, shape (features.dis_dim,)
    """
    dev = features.device
    model.to(dev)
    x = features.batch(np.array([drug_row]), np.array([dis_row]))
    a = grad_times_input(model, x)[0].float().cpu().numpy()
    return a[: features.drug_dim], a[features.drug_dim :]


def _gene_symbols(rs: ExplainContext) -> pd.Series:
    def build() -> pd.Series:
        g = entities.genes()
        return pd.Series(g["symbol"].to_numpy(), index=g["entrez"].to_numpy())

    return rs.memo("gene_symbols", build)


def _disease_genes(rs: ExplainContext, disease_id: str) -> set[int]:
    """Entrez ids of the CTD genes of ``disease_id``."""

    def build() -> dict[str, set[int]]:
        gd = loaders.load_ctd_gene_disease()
        m = symbol_to_entrez(gd["gene_symbol"], entities.genes())
        m = m[m["entrez"].notna()]
        sym = dict(zip(m["symbol"], m["entrez"].astype(int), strict=True))
        e = gd["gene_symbol"].map(sym)
        ok = e.notna()
        out: dict[str, set[int]] = {}
        for d, g in zip(gd.loc[ok, "disease_id"], e[ok].astype(int), strict=True):
            out.setdefault(str(d), set()).add(int(g))
        log.info("CTD gene–disease: %d of %d rows mapped to Entrez", int(ok.sum()), len(gd))
        return out

    return rs.memo("disease_genes", build).get(disease_id, set())


def _targets(rs: ExplainContext, chemical_id: str, network: set[int]) -> list[dict[str, Any]]:
    dti = entities.signed_dti()
    rows = dti[dti["chemical_id"] == chemical_id]
    out = [
        {
            "entrez": int(r.entrez),
            "symbol": str(r.symbol),
            "sign": int(r.sign),
            "effect": "activation" if r.sign > 0 else "inhibition",
            "source": str(r.sources),
            "seed_source": "known",
            "probability": None,
            "in_network": int(r.entrez) in network,
        }
        for r in rows.itertuples()
    ]
    seeds = rs.profiles().seeds
    pred = seeds[(seeds["chemical_id"] == chemical_id) & (seeds["source"] == "predicted")]
    if len(pred):
        sym = _gene_symbols(rs)
        have = {t["entrez"] for t in out}
        for r in pred.itertuples():
            if int(r.entrez) in have:
                continue
            out.append(
                {
                    "entrez": int(r.entrez),
                    "symbol": str(sym.get(int(r.entrez), "")),
                    "sign": int(r.sign),
                    "effect": "activation" if r.sign > 0 else "inhibition",
                    "source": "predicted",
                    "seed_source": "predicted",
                    "probability": (
                        float(r.probability)
                        if hasattr(r, "probability") and np.isfinite(r.probability)
                        else None
                    ),
                    "in_network": int(r.entrez) in network,
                }
            )
    return sorted(out, key=lambda t: (not t["in_network"], t["symbol"]))


def _neighbours(rs: ExplainContext, d: int, s: int, k: int) -> list[dict[str, Any]]:
    train = rs.trained.train
    pos = (train.y == 1) & (train.dis == s) & (train.drug != d)
    cand = np.unique(train.drug[pos])
    if len(cand) == 0:
        return []
    X = rs.trained.data.drug_X
    q = np.asarray(X[d], np.float64).ravel()
    C = np.asarray(X[cand], np.float64)
    denom = np.linalg.norm(C, axis=1) * np.linalg.norm(q)
    cos = np.divide(C @ q, denom, out=np.zeros(len(cand)), where=denom > 0)
    used = rs.train_pos[:, s].toarray().ravel()
    order = np.argsort(-cos, kind="stable")[:k]
    return [
        {
            "drug_id": str(rs.drug_ids[cand[i]]),
            "drug_name": str(rs.drug_names[cand[i]]),
            "cosine": float(cos[i]),
            "in_training": bool(used[cand[i]]),
        }
        for i in order
    ]


def explain_mlp_pair(rs: ExplainContext, d: int, s: int, top: int = 10) -> dict[str, Any]:
    """The MLP's part of one pair's explanation (JSON-ready): ``targets``,
    ``profile_genes``, ``driver_genes``, ``attribution``, ``disease_genes``,
    ``neighbours`` and ``method`` (see the module docstring)."""
    cid, did = str(rs.drug_ids[d]), str(rs.dis_ids[s])
    tm = rs.trained
    prof = rs.profiles()
    gene_ids = np.asarray(prof.gene_ids, np.int64)
    network = set(gene_ids.tolist())
    sym = _gene_symbols(rs)
    dgenes = _disease_genes(rs, did)

    raw = np.asarray(tm.data.drug_X[d], np.float64).ravel()

    def gene(e: int) -> dict[str, Any]:
        return {
            "entrez": int(e),
            "symbol": str(sym.get(int(e), "")),
            "disease_gene": int(e) in dgenes,
        }

    nz = np.flatnonzero(raw)
    order = nz[np.argsort(-np.abs(raw[nz]), kind="stable")][:top]
    total = float(np.abs(raw).sum())
    profile_genes = [
        {
            **gene(gene_ids[j]),
            "value": float(raw[j]),
            "share": float(abs(raw[j]) / total) if total else 0.0,
        }
        for j in order
    ]

    drug_attr, dis_attr = pair_attribution(tm.state.model, tm.state.features, d, s)
    keep = tm.state.features.scaler.drug_keep if tm.state.features.scaler is not None else None
    cols = np.flatnonzero(keep) if keep is not None else np.arange(len(gene_ids))
    z = tm.state.features.scaled_table("drug", np.array([d]))[0]
    order = np.argsort(-np.abs(drug_attr), kind="stable")[:top]
    driver_genes = [
        {
            **gene(gene_ids[cols[j]]),
            "attribution": float(drug_attr[j]),
            "profile_value": float(raw[cols[j]]),
            "standardised": float(z[j]),
        }
        for j in order
    ]

    mass = float(np.abs(raw[np.isin(gene_ids, list(dgenes))]).sum()) if dgenes else 0.0
    return {
        "targets": _targets(rs, cid, network),
        "profile_genes": profile_genes,
        "driver_genes": driver_genes,
        "attribution": {
            "drug_total": float(drug_attr.sum()),
            "disease_total": float(dis_attr.sum()),
            "drug_abs_total": float(np.abs(drug_attr).sum()),
        },
        "disease_genes": {
            "ctd_genes": len(dgenes),
            "in_network": len(dgenes & network),
            "profile_share": mass / total if total else 0.0,
        },
        "neighbours": _neighbours(rs, d, s, top),
        "method": {
            "driver_genes": "gradient x input of the logit on the standardised input "
            "(reference: the training mean); positive favours association",
            "neighbours": "training-split positives of the disease, cosine of walk profiles",
        },
    }
