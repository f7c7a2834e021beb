"""EASE: a closed-form item–item collaborative filter (Steck, WWW 2019).

With ``X`` the binary drug × disease matrix of training associations,
``G = XᵀX + λI``, ``P = G⁻¹``, the item–item weights are ``B = I − P·diag(1/diag P)``
with ``diag B = 0``; the score of disease ``s`` for drug ``d`` is ``(X·B)[d, s]``:
a weighted vote of the drug's other known diseases. ``λ`` is the one
regularisation weight, chosen on the validation split
(:func:`choose_lambda`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ddi_core.models.evaluate import ranking_metrics
from ddi_core.pairs.pairs import Pairs

__all__ = ["association_matrix", "ease_weights", "EASEScorer", "choose_lambda", "ease_baseline"]


def association_matrix(
    drug: np.ndarray, dis: np.ndarray, n_drugs: int, n_dis: int
) -> sp.csr_matrix:
    """The binary drug × disease matrix of the given positive pairs."""
    m = sp.csr_matrix(
        (np.ones(len(drug), np.float32), (np.asarray(drug), np.asarray(dis))),
        shape=(n_drugs, n_dis),
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def ease_weights(X: sp.spmatrix, lam: float) -> np.ndarray:
    """The EASE item–item matrix ``B`` (n_items × n_items, float32, zero diagonal)."""
    X = sp.csr_matrix(X, dtype=np.float64)
    G = np.asarray((X.T @ X).todense(), np.float64)
    G[np.diag_indices_from(G)] += float(lam)
    P = np.linalg.inv(G)
    B = -P / np.diag(P)[None, :]
    np.fill_diagonal(B, 0.0)
    return B.astype(np.float32)


class EASEScorer:
    """EASE as a pair scorer (the :class:`ddi_core.models.evaluate.PairScorer` interface).

    Parameters
    ----------
    lam : float
        L2 weight ``λ``.

    Attributes
    ----------
    B_ : ndarray float32 (n_dis, n_dis)
    X_ : CSR (n_drugs, n_dis)
    """

    def __init__(self, lam: float = 100.0) -> None:
        self.lam = lam

    def fit(self, X: sp.spmatrix) -> EASEScorer:
        self.X_ = sp.csr_matrix(X, dtype=np.float32)
        self.B_ = ease_weights(self.X_, self.lam)
        return self

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        return np.asarray(self.X_[np.asarray(drug_idx, np.int64)] @ self.B_, np.float64)

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        ud, inv = np.unique(np.asarray(drug_idx, np.int64), return_inverse=True)
        return self.score_matrix(ud)[inv, np.asarray(dis_idx, np.int64)]


def choose_lambda(
    X: sp.spmatrix, val_drug: np.ndarray, val_dis: np.ndarray, lambdas: Sequence[float]
) -> tuple[float, dict[str, float]]:
    """The ``λ`` with the best validation MRR (ties: the smaller ``λ``).

    ``X`` holds the training associations only; each validation positive is
    ranked among the diseases that are not training positives of its drug.

    Returns
    -------
    (best λ, {str(λ): validation MRR})
    """

    X = sp.csr_matrix(X, dtype=np.float32)
    r, c = X.nonzero()
    train = Pairs(r, c, np.ones(len(r)))
    val = Pairs(np.asarray(val_drug), np.asarray(val_dis), np.ones(len(val_drug)))
    scores: dict[str, float] = {}
    best, best_mrr = float(lambdas[0]), -1.0
    for lam in lambdas:
        m = ranking_metrics(EASEScorer(lam).fit(X), val, train, X.shape[1])["mrr"]
        scores[str(float(lam))] = float(m)
        if m > best_mrr + 1e-12:
            best, best_mrr = float(lam), float(m)
    return best, scores


def ease_baseline(split, n_dis: int, lambdas: Sequence[float]) -> EASEScorer:
    """EASE on ``split``'s training positives, ``λ`` chosen by validation MRR."""
    pos = split.train.y == 1
    n_drugs = int(max(split.train.drug.max(), split.val.drug.max(), split.test.drug.max())) + 1
    A = association_matrix(split.train.drug[pos], split.train.dis[pos], n_drugs, n_dis)
    vpos = split.val.y == 1
    lam, _ = choose_lambda(A, split.val.drug[vpos], split.val.dis[vpos], lambdas)
    return EASEScorer(lam).fit(A)
