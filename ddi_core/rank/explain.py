"""Why a run scores a drug–disease pair as it does.

:func:`explain_pair` gives, for one pair, what every model kind shares (the score, its
rank in the view, whether the pair is known or was trained on, where it is known from
and the disease's class) and the kind's own part (:meth:`ModelKind.explain
<ddi_core.models.base.ModelKind>`): the MLP's targets, profile and driver genes and
neighbours (:mod:`ddi_core.models.mlp.explain`), the evidence model's feature
contributions and evidence paths (:mod:`ddi_core.models.evidence.explain`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ddi_core.data.disease_classes import CLASS_MEANING
from ddi_core.facts import names
from ddi_core.facts.known import MARK_LABELS, MARK_MEANING, MARKS
from ddi_core.models.registry import model_kind
from ddi_core.models.scores import sigmoid
from ddi_core.rank.queries import Terms, hidden_terms
from ddi_core.rank.session import RunScorer, load_scorer
from ddi_core.rank.table import rank_in_view

__all__ = ["explain_pair"]


def explain_pair(
    drug: str,
    disease: str,
    run_id: str | None = None,
    top: int = 10,
    *,
    device: str | None = None,
    terms: Terms = "clinical",
) -> dict[str, Any]:
    """Explain one pair's score (see the module docstring).

    Parameters
    ----------
    drug, disease : str
        Names, synonyms or MeSH ids.
    run_id : str, optional
        Default the newest finished run.
    top : int
        Genes listed per section; neighbours listed (at most ``top``).
    terms : {"clinical", "all"}
        The view the rank is taken in (:func:`ddi_core.rank.queries.rank_diseases`).

    Returns
    -------
    dict
        JSON-ready: ``run``, ``drug {id, name}``, ``disease {id, name}``,
        ``score``, ``logit``, ``rank`` / ``percentile`` / ``n_diseases`` (among the
        view's candidate diseases for the drug; ``ranked_among_all`` when the view hides
        this disease), ``known``, ``in_training``, ``view`` (the view, the disease's
        class and what it means), ``marks`` (where the pair is known from, each mark
        with its sources and its meaning), ``targets``,
        ``profile_genes``, ``driver_genes``, ``attribution`` (sums),
        ``disease_genes`` (counts), ``neighbours``, ``method``.

    Raises
    ------
    UnknownEntityError, NotFeaturisableError
    """

    cid = names.resolve_drug(drug)
    did = names.resolve_disease(disease)
    rs = load_scorer(run_id, device=device)
    if rs.trained is None:
        raise ValueError("explain_pair needs a loaded run")
    d, s = rs.drug_index(cid), rs.disease_index(did)
    logits = rs.scorer.logits_for_drug(d)
    rank, pct, n_view, among_all = rank_in_view(
        logits, s, hidden_terms(rs.disease_classes(), terms)
    )
    e = {
        "run": rs.run_id,
        "model": rs.kind,
        "drug": {"id": cid, "name": str(rs.drug_names[d])},
        "disease": {
            "id": did,
            "name": str(rs.dis_names[s]),
            "mesh_branch": str(rs.dis_branches[s]),
        },
        "score": float(sigmoid(np.array([logits[s]]))[0]),
        "logit": float(logits[s]),
        "rank": rank,
        "percentile": pct,
        "n_diseases": n_view,
        "ranked_among_all": among_all,
        "known": bool(rs.known[d, s]),
        "in_training": bool(rs.train_pos[d, s]),
        **model_kind(rs.kind).explain(rs, d, s, top),
    }
    return _with_facts(rs, e, cid, did, s, terms)


def _with_facts(
    rs: RunScorer, e: dict[str, Any], cid: str, did: str, s: int, terms: Terms
) -> dict[str, Any]:
    """An explanation with the pair's facts: the view, the disease's class and the marks
    of where the pair is known from, each in words."""
    cls = str(rs.disease_classes()[s])
    e["disease"]["class"] = cls
    e["view"] = {
        "terms": terms,
        "class": cls,
        "class_meaning": CLASS_MEANING.get(cls, ""),
        "hidden_by_view": bool(hidden_terms(np.array([cls], dtype=object), terms)[0]),
    }
    marks = (
        rs.known_marks.pair(cid, did)
        if rs.known_marks is not None
        else {
            "indication": [],
            "literature": ["CTD"] if e.get("known") else [],
            "non_indication": [],
        }
    )
    e["marks"] = {
        m: {"sources": marks[m], "meaning": MARK_MEANING[m], "label": MARK_LABELS[m]} for m in MARKS
    }
    return e
