"""Predicted targets of one drug, with known targets beside them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.errors import UnknownEntityError
from ddi_core.targets.config import TargetConfig
from ddi_core.targets.decision import ACTIVATION, CLASSES, INHIBITION, NONE, decide
from ddi_core.targets.inputs import TargetInputs, load_inputs
from ddi_core.targets.scorer import FactorisedTargetScorer
from ddi_core.targets.stage import TargetStage, fit_targets


def _known_pairs(dti: pd.DataFrame) -> pd.DataFrame:
    """Conflict-free signed pairs (a pair listed with both signs is dropped)."""
    d = dti.copy()
    d["chemical_id"] = d["chemical_id"].astype(str)
    d["entrez"] = d["entrez"].astype(np.int64)
    d = d[d["sign"].isin([-1, 1])]
    agg = d.groupby(["chemical_id", "entrez"])["sign"].transform("nunique")
    d = d[agg == 1].drop_duplicates(["chemical_id", "entrez"])
    if "sources" not in d.columns:
        d["sources"] = ""
    return d.reset_index(drop=True)


@dataclass
class DrugTargetPrediction:
    """Predicted and known targets of one drug.

    Attributes
    ----------
    chemical_id : str
    has_vector : bool
        Whether the drug has an InfoGraph vector (no predictions otherwise).
    predictions : pandas.DataFrame
        Top network genes by ``max(p_inhibition, p_activation)``: entrez,
        symbol, p_inhibition, p_none, p_activation, decision, known_sign,
        known_sources.
    known : pandas.DataFrame
        All known signed targets: entrez, symbol, sign, sources, in_network,
        and the model's probabilities and decision where it can score them.
    n_scored : int
        Genes scored (network nodes with a vector).
    """

    chemical_id: str
    has_vector: bool
    predictions: pd.DataFrame
    known: pd.DataFrame
    n_scored: int

    def to_dict(self) -> dict[str, Any]:
        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(df.to_json(orient="records"))

        return {
            "drug": self.chemical_id,
            "has_vector": self.has_vector,
            "n_scored": self.n_scored,
            "predictions": recs(self.predictions),
            "known": recs(self.known),
        }


def predict_drug_targets(
    chemical_id: str,
    *,
    top: int = 20,
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    stage: TargetStage | None = None,
) -> DrugTargetPrediction:
    """Score one drug against every network gene; known targets beside.

    Parameters
    ----------
    chemical_id : str
        A CTD chemical id (resolve names with
        :func:`ddi_core.facts.names.resolve_drug`).
    top : int
        Genes listed in ``predictions``.
    config, inputs, stage : optional
        ``stage`` defaults to :func:`fit_targets` (cached).

    Raises
    ------
    UnknownEntityError
        When the drug is neither embedded nor in the DTI table nor in the
        inputs' drug universe.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    cid = str(chemical_id)
    d_idx = inp.drug_embedding.index()
    known_all = _known_pairs(inp.dti)
    if (
        cid not in d_idx
        and cid not in set(known_all["chemical_id"])
        and cid not in set(inp.universe())
    ):
        raise UnknownEntityError("drug", cid)
    sym = inp.gene_symbols
    known = known_all[known_all["chemical_id"] == cid][["entrez", "sign", "sources"]].copy()
    known["symbol"] = [sym.get(int(g), str(g)) for g in known["entrez"]]
    known["in_network"] = np.isin(
        known["entrez"].to_numpy(np.int64), np.asarray(inp.network_nodes, np.int64)
    )
    genes, rows = inp.scored_genes()
    cols = [
        "entrez",
        "symbol",
        "p_inhibition",
        "p_none",
        "p_activation",
        "decision",
        "known_sign",
        "known_sources",
    ]
    if cid not in d_idx:
        return DrugTargetPrediction(
            cid,
            False,
            pd.DataFrame(columns=cols),
            known[["entrez", "symbol", "sign", "sources", "in_network"]].reset_index(drop=True),
            len(genes),
        )
    st = stage if stage is not None else fit_targets(cfg, inp)
    scorer = FactorisedTargetScorer.from_classifier(st.classifier)
    dvec = np.asarray(inp.drug_embedding.vectors)[[d_idx[cid]]]
    dp = scorer.project_drugs(dvec)
    gp = scorer.project_genes(np.asarray(inp.gene_embedding.vectors)[rows])
    proba = scorer.proba_pairs(dp, gp, np.zeros(len(genes), np.int64), np.arange(len(genes)))
    dec = decide(proba, cfg.inhibition_threshold, cfg.activation_threshold)
    scored = pd.DataFrame(
        {
            "entrez": genes,
            "symbol": [sym.get(int(g), str(g)) for g in genes],
            "p_inhibition": proba[:, INHIBITION],
            "p_none": proba[:, NONE],
            "p_activation": proba[:, ACTIVATION],
            "decision": np.asarray(CLASSES)[dec],
        }
    )
    kmap = known.set_index("entrez")
    scored["known_sign"] = scored["entrez"].map(kmap["sign"]).astype("Int64")
    scored["known_sources"] = scored["entrez"].map(kmap["sources"])
    score = np.maximum(proba[:, INHIBITION], proba[:, ACTIVATION])
    order = np.lexsort((genes, -score))[: max(int(top), 0)]
    preds = scored.iloc[order].reset_index(drop=True)
    k = known.merge(
        scored.drop(columns=["symbol", "known_sign", "known_sources"]), on="entrez", how="left"
    )
    k = k[
        [
            "entrez",
            "symbol",
            "sign",
            "sources",
            "in_network",
            "p_inhibition",
            "p_none",
            "p_activation",
            "decision",
        ]
    ]
    return DrugTargetPrediction(
        cid, True, preds, k.sort_values("entrez").reset_index(drop=True), len(genes)
    )
