"""Scoring and ranking with a finished run: every disease for a drug, every drug for a disease.

Scoring
    Logits come from :class:`ddi_core.models.mlp.scoring.FactorisedScorer` (the pair MLP
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
    table, including pairs a run excluded from training: the labels the model
    learns). ``indication``, ``literature``, ``non_indication``: where the pair is
    known from, each mark with its sources (:mod:`ddi_core.facts.known`).
    ``in_training``: the pair was a positive of the run's training pairs
    (``train_used``: the pairs the model was fitted on).

Views
    ``terms="clinical"`` (the default) hides experimental-model and
    chemically-induced disease terms before ranking
    (:mod:`ddi_core.data.disease_classes`), and a disease query keeps FDA-approved
    drugs only unless ``approved_only=False``; ``terms="all"`` ranks every candidate.

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

import numpy as np
import pandas as pd

from ddi_core.data.disease_classes import HIDDEN_IN_CLINICAL
from ddi_core.errors import DDIError
from ddi_core.facts import names
from ddi_core.facts.known import MARKS
from ddi_core.rank.session import RunScorer, load_scorer
from ddi_core.rank.table import ranked_table

# --------------------------------------------------------------------------- #
# ranking
# --------------------------------------------------------------------------- #
Terms = Literal["clinical", "all"]
#: What each ``terms`` view shows.
TERMS_HELP = {
    "clinical": "candidate diseases of class experimental model or chemically induced are "
    "hidden (a CTD therapeutic row there is a protective role in a model or against an "
    "injury, never an indication); signs and pathological processes are shown but marked",
    "all": "every candidate disease term, whatever its class",
}
MARK_COLUMNS = MARKS


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
        ``mesh_branch``, ``disease_class`` for a drug query; ``drug_name``, ``drug_id``,
        ``approved`` for a disease query), plus one column per mark of
        :data:`ddi_core.facts.known.MARKS` (its sources, ``""`` when absent).
    n_candidates : int
        Candidates of the run before any view, filter or cut.
    n_known : int
        Known CTD pairs among the view's candidates (the model's labels).
    hide_known : bool
        Pairs known as an indication or in the literature were dropped before ranking.
    terms : {"clinical", "all"}
        The view (:data:`TERMS_HELP`).
    n_hidden : int
        Candidates the view hid before ranking: disease terms of a hidden class (a
        drug query in the clinical view) or drugs not FDA-approved (a disease query
        with ``approved_only``).
    approved_only : bool
        A disease query kept FDA-approved drugs only.
    n_indications : int
        The view's candidates with an approved or labelled indication mark.
    data_version : str
        Digest of the raw files the run was trained on
        (:func:`ddi_core.data.sources.data_version`).
    """

    kind: Literal["drug", "disease"]
    query_id: str
    query_name: str
    run_id: str
    table: pd.DataFrame
    n_candidates: int
    n_known: int
    hide_known: bool
    terms: Terms = "all"
    n_hidden: int = 0
    approved_only: bool = False
    n_indications: int = 0
    data_version: str = ""

    def to_json(self) -> dict[str, Any]:
        """``{drug|disease: {id, name}, run, view, results: [...]}`` (JSON-ready)."""
        other = "disease" if self.kind == "drug" else "drug"
        extra = ["mesh_branch", "disease_class"] if other == "disease" else ["approved"]
        cols = [
            "rank",
            f"{other}_id",
            f"{other}_name",
            "score",
            "percentile",
            "known",
            "in_training",
            *MARK_COLUMNS,
            *extra,
        ]
        rows = []
        for rec in self.table[[c for c in cols if c in self.table]].to_dict(orient="records"):
            rec["rank"] = int(rec["rank"])
            rec["score"] = float(rec["score"])
            rec["percentile"] = float(rec["percentile"])
            rec["known"] = bool(rec["known"])
            rec["in_training"] = bool(rec["in_training"])
            if "approved" in rec:
                rec["approved"] = bool(rec["approved"])
            rows.append(rec)
        return {
            self.kind: {"id": self.query_id, "name": self.query_name},
            "run": self.run_id,
            "data_version": self.data_version,
            "terms": self.terms,
            "approved_only": bool(self.approved_only),
            "n_candidates": int(self.n_candidates),
            "n_hidden": int(self.n_hidden),
            "n_known": int(self.n_known),
            "n_indications": int(self.n_indications),
            "hide_known": bool(self.hide_known),
            "results": rows,
        }


def _marks(rs: RunScorer, *, drug: str | None = None, disease: str | None = None) -> pd.DataFrame:
    """The marks of a drug's (or a disease's) candidate pairs, aligned to the run's table."""
    if rs.known_marks is not None:
        if drug is not None:
            return rs.known_marks.for_drug(drug, rs.dis_ids)
        return rs.known_marks.for_disease(str(disease), rs.drug_ids)
    # no marks table (a synthetic run): CTD's rows are the literature mark
    mask = (
        rs.known_dis_mask(rs.drug_row[drug])
        if drug is not None
        else rs.known_drug_mask(rs.dis_row[str(disease)])
    )
    n = len(mask)
    return pd.DataFrame(
        {
            "indication": np.full(n, "", object),
            "literature": np.where(mask, "CTD", "").astype(object),
            "non_indication": np.full(n, "", object),
        }
    )


def hidden_terms(classes: np.ndarray, terms: Terms) -> np.ndarray:
    """Which disease terms the ``terms`` view hides (all ``False`` for ``"all"``)."""
    if terms not in ("clinical", "all"):
        raise DDIError(f"unknown view {terms!r}: clinical or all")
    if terms == "all":
        return np.zeros(len(classes), bool)
    return np.isin(np.asarray(classes, dtype=object), sorted(HIDDEN_IN_CLINICAL))


def rank_diseases(
    drug_query: str,
    *,
    run_id: str | None = None,
    hide_known: bool = False,
    top: int | None = None,
    device: str | None = None,
    terms: Terms = "clinical",
) -> RankResult:
    """Every candidate disease for one drug, best first.

    Parameters
    ----------
    drug_query : str
        Name, brand name, synonym or MeSH id of a CTD chemical.
    run_id : str, optional
        Default the default run (:func:`ddi_core.runs.inputs.default_run`).
    hide_known : bool
        Drop pairs known as an indication or in the literature before ranking
        (filtered ranks).
    top : int, optional
        Keep the best ``top`` rows.
    device : str, optional
    terms : {"clinical", "all"}
        The clinical view (default) hides experimental-model and chemically-induced
        terms before ranking, so ranks are among the clinical candidates.

    Returns
    -------
    RankResult
        ``table``: rank, score, percentile, disease_name, disease_id, mesh_branch,
        disease_class, indication, literature, non_indication, known, in_training, logit.

    Raises
    ------
    UnknownEntityError
        Unknown name (with close matches).
    NotFeaturisableError
        A known chemical without a walk profile (the reason says why).
    """

    cid = names.resolve_drug(drug_query)  # before loading: a typo answers at once
    rs = load_scorer(run_id, device=device)
    d = rs.drug_index(cid)
    logits = rs.scorer.logits_for_drug(d)
    known = rs.known_dis_mask(d)
    classes = rs.disease_classes()
    marks = _marks(rs, drug=cid)
    known_any = known | (marks["indication"].to_numpy() != "")
    hidden = hidden_terms(classes, terms)
    table = ranked_table(
        logits,
        {
            "disease_name": rs.dis_names,
            "disease_id": rs.dis_ids,
            "mesh_branch": rs.dis_branches,
            "disease_class": classes,
            **{m: marks[m].to_numpy() for m in MARK_COLUMNS},
        },
        known,
        rs.train_dis_mask(d),
        top=top,
        exclude=hidden | known_any if hide_known else hidden,
    )
    return RankResult(
        "drug",
        cid,
        str(rs.drug_names[d]),
        rs.run_id,
        table,
        n_candidates=len(logits),
        n_known=int((known & ~hidden).sum()),
        hide_known=hide_known,
        terms=terms,
        n_hidden=int(hidden.sum()),
        n_indications=int(((marks["indication"].to_numpy() != "") & ~hidden).sum()),
        data_version=rs.data_version(),
    )


def rank_drugs(
    disease_query: str,
    *,
    run_id: str | None = None,
    hide_known: bool = False,
    top: int | None = None,
    device: str | None = None,
    terms: Terms = "clinical",
    approved_only: bool | None = None,
) -> RankResult:
    """Every featurised drug for one disease, best first.

    The same conventions as :func:`rank_diseases`; ``table`` has ``drug_name``,
    ``drug_id`` and ``approved`` (on DrugCentral's FDA-approved list).
    ``approved_only`` (default: on in the clinical view) keeps approved drugs only,
    before ranking, so tool compounds and supplements are one switch away. Raises
    :class:`NotFeaturisableError` for a disease that is not a candidate of the run (not
    a CTD disease or no MeSH embedding).
    """

    if terms not in ("clinical", "all"):
        raise DDIError(f"unknown view {terms!r}: clinical or all")
    did = names.resolve_disease(disease_query)
    rs = load_scorer(run_id, device=device)
    s = rs.disease_index(did)
    logits = rs.scorer.logits_for_disease(s)
    known = rs.known_drug_mask(s)
    marks = _marks(rs, disease=did)
    known_any = known | (marks["indication"].to_numpy() != "")
    approved = rs.approved_mask()
    if approved_only is None:
        approved_only = terms == "clinical"
    # a run without an approval record (a synthetic one) cannot filter on it
    approved_only = bool(approved_only) and rs.drug_approved is not None
    hidden = ~approved if approved_only else np.zeros(len(logits), bool)
    table = ranked_table(
        logits,
        {
            "drug_name": rs.drug_names,
            "drug_id": rs.drug_ids,
            "approved": approved,
            **{m: marks[m].to_numpy() for m in MARK_COLUMNS},
        },
        known,
        rs.train_drug_mask(s),
        top=top,
        exclude=hidden | known_any if hide_known else hidden,
    )
    return RankResult(
        "disease",
        did,
        str(rs.dis_names[s]),
        rs.run_id,
        table,
        n_candidates=len(logits),
        n_known=int((known & ~hidden).sum()),
        hide_known=hide_known,
        terms=terms,
        n_hidden=int(hidden.sum()),
        approved_only=bool(approved_only),
        n_indications=int(((marks["indication"].to_numpy() != "") & ~hidden).sum()),
        data_version=rs.data_version(),
    )
