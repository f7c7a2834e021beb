"""Metrics, curves and ranking metrics over one scorer interface.

Everything that scores pairs exposes the :class:`PairScorer` interface
(``score_pairs(drug_idx, dis_idx)`` and ``score_matrix(drug_idx_set)``), so the
same metrics apply to the MLP (:class:`ModelScorer`), the evidence model and the
baselines (:mod:`ddi_core.models.baselines`).

Classification metrics
    Accuracy, precision, recall, F1 at 0.5 and at the threshold that maximises F1
    on the *validation* pairs (never the test pairs); AUROC; AUPR (average
    precision); ROC and PR curves downsampled to at most 200 points.
Ranking metrics (:func:`ranking_metrics`)
    For every test drug, all diseases are candidates except the drug's filtered
    pairs (its training positives; pass validation positives too for the
    filtered protocol). Each test positive gets the *realistic* rank
    ``1 + #{higher} + #{tied others} / 2``; MRR, Hits@k and the median rank are
    averaged over test positive pairs. ``aupr_all_unknown`` is the AUPR over every
    candidate pair of the test drugs, test positives against all other
    candidates, at the real prevalence (``prevalence``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from ddi_core.errors import DDIError
from ddi_core.models.mlp.scoring import ModelScorer
from ddi_core.models.scores import realistic_ranks
from ddi_core.pairs.pairs import Pairs

log = logging.getLogger(__name__)

__all__ = [
    "PairScorer",
    "ModelScorer",
    "threshold_metrics",
    "best_f1_threshold",
    "downsample_curve",
    "curves",
    "classification_metrics",
    "ranking_metrics",
    "evaluate_scorer",
    "degree_matched_negatives",
    "degree_matched_auroc",
    "extra_metrics",
]


# --------------------------------------------------------------------------- #
# interface
# --------------------------------------------------------------------------- #
@runtime_checkable
class PairScorer(Protocol):
    """Scores drug–disease pairs; higher means more likely associated."""

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        """Scores of pairs ``(drug_idx[i], dis_idx[i])``, shape (n,)."""
        ...

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        """Scores of every disease for each drug, shape (len(drug_idx), n_dis)."""
        ...


# --------------------------------------------------------------------------- #
# classification metrics and curves
# --------------------------------------------------------------------------- #
def threshold_metrics(
    y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5
) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of ``scores >= threshold``."""
    y_true = np.asarray(y_true).astype(int)
    pred = (np.asarray(scores) >= threshold).astype(int)
    return {
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(y_true, pred)),
        "precision": float(precision_score(y_true, pred, zero_division=0)),
        "recall": float(recall_score(y_true, pred, zero_division=0)),
        "f1": float(f1_score(y_true, pred, zero_division=0)),
    }


def best_f1_threshold(y_val: np.ndarray, scores_val: np.ndarray) -> float:
    """The score threshold (``>=``) with the highest F1 on validation pairs."""
    p, r, t = precision_recall_curve(np.asarray(y_val).astype(int), np.asarray(scores_val))
    p, r = p[:-1], r[:-1]  # the last point has no threshold
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    return float(t[int(np.argmax(f1))])


def _finite_list(a: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(a, dtype=np.float64)]


def downsample_curve(*arrays: np.ndarray, max_points: int = 200) -> list[np.ndarray]:
    """Keep at most ``max_points`` evenly spaced points (first and last always kept)."""
    n = len(arrays[0])
    if n <= max_points:
        return [np.asarray(a) for a in arrays]
    idx = np.unique(np.round(np.linspace(0, n - 1, max_points)).astype(int))
    return [np.asarray(a)[idx] for a in arrays]


def curves(
    y_true: np.ndarray, scores: np.ndarray, max_points: int = 200
) -> dict[str, dict[str, list]]:
    """ROC and PR curve points, downsampled for storage (JSON-ready; inf → None)."""
    y_true = np.asarray(y_true).astype(int)
    fpr, tpr, rt = roc_curve(y_true, scores)
    prec, rec, pt = precision_recall_curve(y_true, scores)
    pt = np.append(pt, np.inf)  # the (recall 0, precision 1) end point has no threshold
    fpr, tpr, rt = downsample_curve(fpr, tpr, rt, max_points=max_points)
    prec, rec, pt = downsample_curve(prec, rec, pt, max_points=max_points)
    return {
        "roc": {"fpr": _finite_list(fpr), "tpr": _finite_list(tpr), "threshold": _finite_list(rt)},
        "pr": {
            "precision": _finite_list(prec),
            "recall": _finite_list(rec),
            "threshold": _finite_list(pt),
        },
    }


def classification_metrics(
    y_test: np.ndarray,
    s_test: np.ndarray,
    y_val: np.ndarray | None = None,
    s_val: np.ndarray | None = None,
    max_points: int = 200,
) -> dict[str, Any]:
    """Metrics on the test pairs; the tuned threshold comes from validation only.

    Returns
    -------
    dict
        ``at_0.5`` and (when validation scores are given) ``at_val_threshold``
        (accuracy, precision, recall, f1, threshold); ``auroc``; ``aupr``;
        ``curves``; ``n``, ``n_pos``.
    """
    y_test = np.asarray(y_test).astype(int)
    out: dict[str, Any] = {
        "n": int(len(y_test)),
        "n_pos": int(y_test.sum()),
        "at_0.5": threshold_metrics(y_test, s_test, 0.5),
    }
    if y_val is not None and s_val is not None:
        out["at_val_threshold"] = threshold_metrics(y_test, s_test, best_f1_threshold(y_val, s_val))
    both = 0 < y_test.sum() < len(y_test)
    out["auroc"] = float(roc_auc_score(y_test, s_test)) if both else None
    out["aupr"] = float(average_precision_score(y_test, s_test)) if both else None
    out["curves"] = curves(y_test, s_test, max_points) if both else None
    return out


# --------------------------------------------------------------------------- #
# ranking metrics
# --------------------------------------------------------------------------- #
ScoreSource = PairScorer | Callable[[np.ndarray], np.ndarray] | np.ndarray


def _matrix_fn(scores: ScoreSource) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(scores, np.ndarray):
        return lambda drugs: scores[drugs]
    if hasattr(scores, "score_matrix"):
        return scores.score_matrix
    if callable(scores):
        return scores
    raise TypeError("scores must be a PairScorer, a callable or an (n_drugs, n_dis) array")


def _others_above(s: np.ndarray) -> np.ndarray:
    """For each of one drug's test positives (scores ``s``), how many of the others rank
    above it: 1 for each higher score, 1/2 for each tie (the average-rank convention)."""
    s = np.asarray(s, np.float64)
    return (s[None, :] > s[:, None]).sum(axis=1) + 0.5 * (
        (s[None, :] == s[:, None]).sum(axis=1) - 1
    )


def ranking_metrics(
    scores: ScoreSource,
    test_positives: Pairs,
    filter_pairs: Pairs,
    n_dis: int,
    hits: tuple[int, ...] = (1, 10, 50),
    chunk: int = 256,
) -> dict[str, Any]:
    """Rank every candidate disease for each test drug.

    Parameters
    ----------
    scores : PairScorer, callable or ndarray
        ``score_matrix(drugs)``, a callable returning the same, or a full
        ``(n_drugs, n_dis)`` matrix indexed by drug.
    test_positives : Pairs
        Test pairs; only those with ``y == 1`` are ranked.
    filter_pairs : Pairs
        Pairs removed from each drug's candidates (every ``y == 1`` pair): at least
        the training positives; add validation positives for the filtered protocol.
    n_dis : int
    hits : tuple of int
    chunk : int
        Test drugs scored at once.

    Returns
    -------
    dict
        ``mrr``, ``hits@k``, ``median_rank``, ``mean_rank``, ``n_queries``,
        ``n_drugs``, ``aupr_all_unknown``, ``prevalence``, ``n_candidates``;
        ``mrr_filtered``: the MRR with each test positive ranked against the
        candidates less the drug's other test positives (the fully filtered
        protocol of Bordes et al. 2013), and ``mrr_ceiling``: the highest ``mrr``
        any scorer can reach here (each drug's test positives on its top places,
        so ``Σ_d H(n_d) / Σ_d n_d``). ``mrr`` counts a drug's other test
        positives ranked above a positive against it, so a drug with many test
        positives (every drug, in the unseen-drug split) caps it low.
    """
    fn = _matrix_fn(scores)
    pos = test_positives.y == 1
    td, ts = test_positives.drug[pos], test_positives.dis[pos]
    if len(td) == 0:
        raise DDIError("no test positives to rank")
    fpos = filter_pairs.y == 1
    fd, fs = filter_pairs.drug[fpos], filter_pairs.dis[fpos]
    drugs = np.unique(td)
    ranks: list[np.ndarray] = []
    ranks_f: list[np.ndarray] = []
    ceiling: list[np.ndarray] = []
    all_scores: list[np.ndarray] = []
    all_labels: list[np.ndarray] = []
    order_f = np.argsort(fd, kind="stable")
    fd_sorted, fs_sorted = fd[order_f], fs[order_f]
    order_t = np.argsort(td, kind="stable")
    td_sorted, ts_sorted = td[order_t], ts[order_t]
    for lo in range(0, len(drugs), chunk):
        q = drugs[lo : lo + chunk]
        M = np.asarray(fn(q), dtype=np.float64)
        if M.shape != (len(q), n_dis):
            raise DDIError(f"score matrix has shape {M.shape}, expected {(len(q), n_dis)}")
        for i, d in enumerate(q):
            cand = np.ones(n_dis, dtype=bool)
            a, b = np.searchsorted(fd_sorted, [d, d + 1])
            cand[fs_sorted[a:b]] = False
            a, b = np.searchsorted(td_sorted, [d, d + 1])
            targets = np.unique(ts_sorted[a:b])
            if not cand[targets].all():
                raise DDIError(f"drug {d}: a test positive is also a filtered pair")
            row = M[i, cand]
            r_d = realistic_ranks(row)[np.cumsum(cand)[targets] - 1]
            ranks.append(r_d)
            # the same rank with the drug's other test positives out of the candidates:
            # each other positive above it is one place less, a tie half a place
            ranks_f.append(r_d - _others_above(M[i, targets]))
            ceiling.append(np.arange(1, len(targets) + 1, dtype=np.float64))
            lab = np.zeros(n_dis, dtype=bool)
            lab[targets] = True
            all_scores.append(row)
            all_labels.append(lab[cand])
    r = np.concatenate(ranks)
    s_all = np.concatenate(all_scores)
    y_all = np.concatenate(all_labels)
    out: dict[str, Any] = {
        "mrr": float(np.mean(1.0 / r)),
        "mrr_filtered": float(np.mean(1.0 / np.concatenate(ranks_f))),
        "mrr_ceiling": float(np.mean(1.0 / np.concatenate(ceiling))),
        **{f"hits@{k}": float(np.mean(r <= k)) for k in hits},
        "median_rank": float(np.median(r)),
        "mean_rank": float(np.mean(r)),
        "n_queries": int(len(r)),
        "n_drugs": int(len(drugs)),
        "n_candidates": int(len(y_all)),
        "prevalence": float(y_all.mean()),
        "aupr_all_unknown": float(average_precision_score(y_all, s_all)),
    }
    return out


def evaluate_scorer(
    scorer: PairScorer,
    *,
    train: Pairs,
    val: Pairs,
    test: Pairs,
    n_dis: int,
    extra_filter: Pairs | None = None,
    max_points: int = 200,
    ranking: bool = True,
    rank_max_drugs: int | None = None,
    rank_seed: int = 0,
) -> dict[str, Any]:
    """Classification and ranking metrics of one scorer on one split.

    The threshold is tuned on ``val``; ranking filters the training positives
    and the validation positives (plus ``extra_filter``). When ``val`` is the test
    set (the optimistic paper protocol) only training positives are filtered.
    ``rank_max_drugs`` ranks a seeded random sample of at most that many test
    drugs (every disease is still a candidate for each), because scoring a
    drug against every disease costs a full MLP pass per disease; the sample
    size is reported as ``ranking.n_drugs``.
    """
    s_test = scorer.score_pairs(test.drug, test.dis)
    s_val = scorer.score_pairs(val.drug, val.dis)
    same = val is test or (
        len(val) == len(test)
        and np.array_equal(val.drug, test.drug)
        and np.array_equal(val.dis, test.dis)
    )
    out: dict[str, Any] = {
        "classification": classification_metrics(test.y, s_test, val.y, s_val, max_points),
        "ranking": None,
    }
    if not ranking:
        return out
    parts = [train] + ([] if same else [val]) + ([extra_filter] if extra_filter is not None else [])
    flt = Pairs.concat(*parts)
    queries = test
    if rank_max_drugs is not None:
        drugs = np.unique(test.drug[test.y == 1])
        if len(drugs) > rank_max_drugs:
            rng = np.random.default_rng(rank_seed)
            keep = rng.choice(drugs, size=rank_max_drugs, replace=False)
            queries = test.subset(np.flatnonzero(np.isin(test.drug, keep)))
    out["ranking"] = ranking_metrics(scorer, queries, flt, n_dis)
    return out


# --------------------------------------------------------------------------- #
# degree-matched negatives
# --------------------------------------------------------------------------- #
def degree_matched_negatives(
    pos_drug: np.ndarray,
    pos_dis: np.ndarray,
    known_keys: np.ndarray,
    n_dis: int,
    seed: int = 0,
    rounds: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """Negatives with the positives' exact drug and disease multisets.

    The diseases of the positives are permuted among their drugs; a pair that
    is known, or drawn twice, is re-permuted with the other leftovers (up to
    ``rounds`` times; the few left then are dropped). Every drug and every
    disease therefore appears as often among the negatives as among the
    positives, so disease popularity and drug degree cannot separate them:
    popularity scores AUROC 0.5 by construction.
    """
    rng = np.random.default_rng(seed)
    d = np.asarray(pos_drug, np.int64)
    s = rng.permutation(np.asarray(pos_dis, np.int64))
    known = np.unique(np.asarray(known_keys, np.int64))
    todo = np.arange(len(d))
    ok = np.zeros(len(d), bool)
    for _ in range(rounds):
        keys = d * n_dis + s
        bad = np.isin(keys, known)
        # duplicates among the accepted and the current candidates
        _, first = np.unique(keys, return_index=True)
        dup = np.ones(len(d), bool)
        dup[first] = False
        ok = ~bad & ~dup
        todo = np.flatnonzero(~ok)
        if len(todo) == 0:
            break
        if len(todo) < 2:
            break
        s[todo] = rng.permutation(s[todo])
    return d[ok], s[ok]


def degree_matched_auroc(
    scorer: PairScorer,
    test: Pairs,
    all_pos_drug: np.ndarray,
    all_pos_dis: np.ndarray,
    n_dis: int,
    seed: int = 0,
) -> dict[str, Any]:
    """AUROC of test positives against :func:`degree_matched_negatives` of them."""
    pos = test.y == 1
    pd_, ps_ = test.drug[pos], test.dis[pos]
    known = np.asarray(all_pos_drug, np.int64) * n_dis + np.asarray(all_pos_dis, np.int64)
    nd, ns = degree_matched_negatives(pd_, ps_, known, n_dis, seed)
    sp_ = scorer.score_pairs(pd_, ps_)
    sn_ = scorer.score_pairs(nd, ns)
    y = np.concatenate([np.ones(len(sp_)), np.zeros(len(sn_))])
    return {
        "auroc": float(roc_auc_score(y, np.concatenate([sp_, sn_]))),
        "n_pos": int(len(sp_)),
        "n_neg": int(len(sn_)),
    }


def extra_metrics(
    scorer: PairScorer, split, data, *, seed: int, max_drugs: int | None
) -> dict[str, Any]:
    """Validation MRR (model selection) and test AUROC against degree-matched negatives.

    ``split`` has ``train``/``val``/``test`` :class:`Pairs`; ``data`` is the run's
    :class:`~ddi_core.pairs.labels.PairData` (every known positive, so that no
    degree-matched negative is a known pair). Validation ranking is over at most
    ``max_drugs`` drugs drawn with ``seed``.
    """
    n_dis = len(data.dis_ids)
    val_rank = ranking_metrics(
        scorer, sample_queries(split.val, max_drugs, seed), split.train, n_dis
    )
    dm = degree_matched_auroc(scorer, split.test, data.pos_drug, data.pos_dis, n_dis, seed=seed)
    return {
        "val_mrr": val_rank["mrr"],
        "val_median_rank": val_rank["median_rank"],
        "auroc_degree_matched": dm["auroc"],
        "degree_matched_pairs": dm["n_neg"],
    }


def sample_queries(part: Pairs, max_drugs: int | None, seed: int) -> Pairs:
    """The pairs of at most ``max_drugs`` of ``part``'s positive drugs (seeded draw)."""
    if max_drugs is None:
        return part
    drugs = np.unique(part.drug[part.y == 1])
    if len(drugs) <= max_drugs:
        return part
    keep = np.random.default_rng(seed).choice(drugs, size=max_drugs, replace=False)
    return part.subset(np.flatnonzero(np.isin(part.drug, keep)))
