"""The clinical ranking figure: where a run puts the approved or labelled indications
it was not trained on, among the candidates a pharmacologist sees.

For one split part (``val`` to choose, ``test`` to report) of a finished run:

targets
    The part's positive pairs that also carry an *indication* mark
    (:mod:`ddi_core.facts.known`: DrugCentral's label, PharmacotherapyDB DM / SYM).
candidates
    Every disease of the run whose class the view shows (:func:`ddi_core.rank.queries.
    hidden_terms`: ``"clinical"`` hides experimental-model and chemically-induced terms,
    ``"all"`` hides none), without the drug's other known pairs (any CTD pair, any
    indication): the *filtered* protocol of Bordes et al. (2013), so a target competes
    with the unknown candidates only. A target in a hidden class is not counted.
rank
    ``1 + #higher + #tied / 2`` among the candidates and the target (tie-averaged).

:func:`clinical_ranking` returns MRR, Hits@10, median rank and the counts, for the run's
model and for disease popularity (each disease's positives in the run's training split).
:func:`top_k_classes` measures what the top of a list is made of.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ddi_core.data.disease_classes import HIDDEN_IN_CLINICAL, MARKED_IN_CLINICAL
from ddi_core.rank.queries import Terms, hidden_terms
from ddi_core.rank.session import RunScorer


def target_ranks(
    scores: np.ndarray, targets: np.ndarray, excluded: np.ndarray, hidden: np.ndarray
) -> np.ndarray:
    """Tie-averaged rank of each target among one drug's candidates.

    Parameters
    ----------
    scores : ndarray, shape (n_dis,)
    targets : ndarray of int
        Disease rows to rank (none hidden).
    excluded : ndarray of bool, shape (n_dis,)
        The drug's known pairs (the targets among them), left out of the candidates.
    hidden : ndarray of bool, shape (n_dis,)
        Terms the view hides.

    Returns
    -------
    ndarray of float
        One rank per target: 1 + candidates scored higher + (tied candidates) / 2, where
        the candidates are the rows neither excluded, hidden nor a target.
    """
    cand = ~(np.asarray(excluded, bool) | np.asarray(hidden, bool))
    cand[np.asarray(targets, np.int64)] = False  # a target never competes with itself
    c = np.sort(np.asarray(scores, np.float64)[cand])
    out = np.empty(len(targets), np.float64)
    for i, t in enumerate(np.asarray(targets, np.int64)):
        v = float(scores[t])
        above = len(c) - np.searchsorted(c, v, side="right")
        tied = np.searchsorted(c, v, side="right") - np.searchsorted(c, v, side="left")
        out[i] = 1.0 + above + tied / 2.0
    return out


def summarise(ranks: np.ndarray, n_drugs: int) -> dict[str, Any]:
    """MRR, Hits@10, median rank and the counts of a set of target ranks."""
    r = np.asarray(ranks, np.float64)
    if not len(r):
        return {"pairs": 0, "drugs": n_drugs, "mrr": None, "hits_at_10": None, "median_rank": None}
    return {
        "pairs": int(len(r)),
        "drugs": int(n_drugs),
        "mrr": float(np.mean(1.0 / r)),
        "hits_at_10": float(np.mean(r <= 10)),
        "median_rank": float(np.median(r)),
    }


def clinical_ranking(
    rs: RunScorer,
    part: Any,
    train: Any,
    *,
    terms: Terms = "clinical",
    score_block: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, Any]:
    """The clinical ranking figure of one split part (see the module docstring).

    Parameters
    ----------
    rs : RunScorer
        The run, with its disease classes and known-pair marks.
    part, train : Pairs
        The split part whose positives are the candidates for targets, and the training
        split (the popularity baseline's counts).
    terms : {"clinical", "all"}
    score_block : callable, optional
        Drug rows -> scores of every disease (default the run's model).

    Returns
    -------
    dict
        ``model`` and ``popularity``: :func:`summarise` of their target ranks; ``terms``.
    """
    score_block = score_block or rs.scorer.logits_block
    n_dis = len(rs.dis_ids)
    hidden = hidden_terms(rs.disease_classes(), terms)
    pos = part.y == 1
    drugs_, dis_ = part.drug[pos], part.dis[pos]
    indication = np.zeros(len(drugs_), bool)
    excluded_of: dict[int, np.ndarray] = {}
    for d in np.unique(drugs_):
        marks = _marks_row(rs, int(d))
        excluded_of[int(d)] = rs.known_dis_mask(int(d)) | (marks != "")
        sel = drugs_ == d
        indication[sel] = marks[dis_[sel]] != ""
    keep = indication & ~hidden[dis_]
    drugs_, dis_ = drugs_[keep], dis_[keep]
    tr = train.y == 1
    popularity = np.bincount(train.dis[tr], minlength=n_dis).astype(np.float64)
    ranks_model, ranks_pop = [], []
    uniq = np.unique(drugs_)
    for lo in range(0, len(uniq), 64):
        block = uniq[lo : lo + 64]
        S = np.asarray(score_block(block), np.float64)
        for j, d in enumerate(block):
            t = dis_[drugs_ == d]
            ranks_model.append(target_ranks(S[j], t, excluded_of[int(d)], hidden))
            ranks_pop.append(target_ranks(popularity, t, excluded_of[int(d)], hidden))
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)  # noqa: E731
    return {
        "terms": terms,
        "model": summarise(cat(ranks_model), len(uniq)),
        "popularity": summarise(cat(ranks_pop), len(uniq)),
    }


def _marks_row(rs: RunScorer, d: int) -> np.ndarray:
    """The indication mark of drug row ``d`` with every disease (sources, ``""`` none)."""
    if rs.known_marks is None:
        return np.full(len(rs.dis_ids), "", dtype=object)
    return rs.known_marks.for_drug(str(rs.drug_ids[d]), rs.dis_ids)["indication"].to_numpy()


def top_k_classes(
    rs: RunScorer,
    drug_rows: np.ndarray,
    *,
    k: int = 10,
    terms: Terms = "all",
    score_block: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, Any]:
    """What the top ``k`` of each drug's list is made of, in a view.

    Returns
    -------
    dict
        ``drugs``, ``rows`` (drugs × k), ``hidden_share`` (rows of class experimental
        model or chemically induced: 0 in the clinical view by construction),
        ``marked_share`` (signs and pathological processes), ``by_class`` (rows per class).
    """
    score_block = score_block or rs.scorer.logits_block
    classes = np.asarray(rs.disease_classes(), dtype=object)
    hidden = hidden_terms(classes, terms)
    counts: dict[str, int] = {}
    rows = 0
    for lo in range(0, len(drug_rows), 64):
        block = np.asarray(drug_rows[lo : lo + 64])
        S = np.asarray(score_block(block), np.float64)
        S[:, hidden] = -np.inf
        top = np.argsort(-S, axis=1, kind="stable")[:, :k]
        for c in classes[top].ravel():
            counts[str(c)] = counts.get(str(c), 0) + 1
        rows += top.size
    share = lambda names: sum(counts.get(c, 0) for c in names) / rows if rows else None  # noqa: E731
    return {
        "terms": terms,
        "k": k,
        "drugs": int(len(drug_rows)),
        "rows": int(rows),
        "hidden_share": share(HIDDEN_IN_CLINICAL),
        "marked_share": share(MARKED_IN_CLINICAL),
        "by_class": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
    }


__all__ = ["clinical_ranking", "summarise", "target_ranks", "top_k_classes"]
