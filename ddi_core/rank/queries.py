"""Scoring and ranking with a finished run: every disease for a drug, every drug for a disease.

Scoring
    Logits come from :class:`ddi_core.models.scoring.FactorisedScorer` (the pair MLP
    with its first layer split into a drug part and a disease part).

Ranks and percentiles
    Candidates are ordered by descending logit (ties by table order); ``rank``
    is the ordinal position ``1..n``. ``percentile`` is ``100 · (n − r) / (n −
    1)`` with ``r`` the tie-averaged ("realistic") rank among the same ``n``
    candidates: 100 = top, 0 = bottom, the convention of
    :func:`ddi_core.validation.ptdb.rank_percentile`. ``score`` is the model
    probability ``sigmoid(logit)``; ordering uses the logit (no saturation ties).
    With ``hide_known`` the known (CTD) pairs are removed *before* ranking, so
    ``rank`` and ``percentile`` are among the unknown candidates only (the
    filtered protocol).

Known and training pairs
    ``known``: the pair is a CTD chemical–disease association (the whole CTD
    table, including pairs a run excluded from training). ``in_training``: the
    pair was a positive of the run's training pairs (``train_used``: the pairs
    the model was fitted on).

Featurisability
    A drug is scored only when it has a walk profile (at least one signed target
    in the run's signaling network); a disease only when it is a CTD disease with
    a MeSH-network embedding. Anything else raises :class:`NotFeaturisableError`
    with the precise reason; nothing is ever scored from a zero vector.

The loaded run (model, tables, caches) is kept per run id by a small
``functools.lru_cache`` (:func:`load_scorer`), so after the first load a
one-drug query answers in well under a second on two CPU cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ddi_core.rank.session import load_scorer
from ddi_core.rank.table import ranked_table


# --------------------------------------------------------------------------- #
# ranking
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class RankResult:
    """A ranked candidate list for one drug or one disease.

    Attributes
    ----------
    kind : {"drug", "disease"}
        The kind of the *query* entity.
    query_id, query_name : str
    run_id : str
    table : DataFrame
        Best first; see :func:`ranked_table` (``disease_name``, ``disease_id``,
        ``mesh_branch`` for a drug query; ``drug_name``, ``drug_id`` for a
        disease query).
    n_candidates : int
        Candidates before hiding known pairs and cutting to ``top``.
    n_known : int
        Known (CTD) pairs among the candidates.
    hide_known : bool
    """

    kind: Literal["drug", "disease"]
    query_id: str
    query_name: str
    run_id: str
    table: pd.DataFrame
    n_candidates: int
    n_known: int
    hide_known: bool

    def to_json(self) -> dict[str, Any]:
        """``{drug|disease: {id, name}, run, results: [...]}`` (JSON-ready)."""
        other = "disease" if self.kind == "drug" else "drug"
        cols = [
            "rank",
            f"{other}_id",
            f"{other}_name",
            "score",
            "percentile",
            "known",
            "in_training",
        ] + (["mesh_branch"] if other == "disease" else [])
        rows = []
        for rec in self.table[cols].to_dict(orient="records"):
            rec["rank"] = int(rec["rank"])
            rec["score"] = float(rec["score"])
            rec["percentile"] = float(rec["percentile"])
            rec["known"] = bool(rec["known"])
            rec["in_training"] = bool(rec["in_training"])
            rows.append(rec)
        return {
            self.kind: {"id": self.query_id, "name": self.query_name},
            "run": self.run_id,
            "n_candidates": int(self.n_candidates),
            "n_known": int(self.n_known),
            "hide_known": bool(self.hide_known),
            "results": rows,
        }


def rank_diseases(
    drug_query: str,
    *,
    run_id: str | None = None,
    hide_known: bool = False,
    top: int | None = None,
    device: str | None = None,
) -> RankResult:
    """Every candidate disease for one drug, best first.

    Parameters
    ----------
    drug_query : str
        Name, synonym or MeSH id of a CTD chemical.
    run_id : str, optional
        Default the newest finished run.
    hide_known : bool
        Drop CTD-known pairs before ranking (filtered ranks).
    top : int, optional
        Keep the best ``top`` rows.
    device : str, optional

    Returns
    -------
    RankResult
        ``table``: rank, score, percentile, disease_name, disease_id,
        mesh_branch, known, in_training, logit.

    Raises
    ------
    UnknownEntityError
        Unknown name (with close matches).
    NotFeaturisableError
        A known chemical without a walk profile (the reason says why).
    """
    from ddi_core.data import entities

    cid = entities.resolve_drug(drug_query)  # before loading: a typo answers at once
    rs = load_scorer(run_id, device=device)
    d = rs.drug_index(cid)
    logits = rs.scorer.logits_for_drug(d)
    known = rs.known_dis_mask(d)
    table = ranked_table(
        logits,
        {"disease_name": rs.dis_names, "disease_id": rs.dis_ids, "mesh_branch": rs.dis_branches},
        known,
        rs.train_dis_mask(d),
        hide_known=hide_known,
        top=top,
    )
    return RankResult(
        "drug",
        cid,
        str(rs.drug_names[d]),
        rs.run_id,
        table,
        n_candidates=len(logits),
        n_known=int(known.sum()),
        hide_known=hide_known,
    )


def rank_drugs(
    disease_query: str,
    *,
    run_id: str | None = None,
    hide_known: bool = False,
    top: int | None = None,
    device: str | None = None,
) -> RankResult:
    """Every featurised drug for one disease, best first.

    The same conventions as :func:`rank_diseases`; ``table`` has ``drug_name``
    and ``drug_id``. Raises :class:`NotFeaturisableError` for a disease that is
    not a candidate of the run (not a CTD disease or no MeSH embedding).
    """
    from ddi_core.data import entities

    did = entities.resolve_disease(disease_query)
    rs = load_scorer(run_id, device=device)
    s = rs.disease_index(did)
    logits = rs.scorer.logits_for_disease(s)
    known = rs.known_drug_mask(s)
    table = ranked_table(
        logits,
        {"drug_name": rs.drug_names, "drug_id": rs.drug_ids},
        known,
        rs.train_drug_mask(s),
        hide_known=hide_known,
        top=top,
    )
    return RankResult(
        "disease",
        did,
        str(rs.dis_names[s]),
        rs.run_id,
        table,
        n_candidates=len(logits),
        n_known=int(known.sum()),
        hide_known=hide_known,
    )
