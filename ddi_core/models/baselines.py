"""Baselines every model is compared with, on the :class:`~ddi_core.models.evaluate.PairScorer`
interface: disease popularity, a logistic regression on the pair features, and
drug-similarity nearest neighbours. (EASE, the collaborative-filtering baseline,
lives beside the evidence model: :mod:`ddi_core.models.ease`.)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize

from ddi_core.models.scores import sigmoid
from ddi_core.pairs.features import PairFeatures, Table
from ddi_core.pairs.pairs import Pairs

__all__ = ["PopularityBaseline", "LogisticBaseline", "DrugKNNBaseline"]


class PopularityBaseline:
    """Score of ``(d, s)`` = number of training positives of disease ``s``.

    Parameters
    ----------
    n_dis : int
        Number of diseases.

    Attributes
    ----------
    degree_ : ndarray of float64, shape (n_dis,)
    """

    def __init__(self, n_dis: int) -> None:
        self.n_dis = n_dis

    def fit(self, train_pairs: Pairs) -> PopularityBaseline:
        pos = train_pairs.y == 1
        self.degree_ = np.bincount(train_pairs.dis[pos], minlength=self.n_dis).astype(np.float64)
        return self

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        return self.degree_[np.asarray(dis_idx, np.int64)]

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        return np.tile(self.degree_, (len(drug_idx), 1))


class LogisticBaseline:
    """Logistic regression on the same standardised pair features.

    Trained with ``SGDClassifier(loss="log_loss")`` and ``partial_fit`` over
    batches built on the fly (no feature matrix is materialised). A linear model
    on ``z_d ⊕ z_s`` is additive, ``w_d·z_d + w_s·z_s + b``: a drug propensity plus
    a disease propensity, which is how :meth:`score_matrix` computes it.

    Parameters
    ----------
    alpha : float
        L2 penalty of ``SGDClassifier``.
    epochs : int
        Passes over the training pairs.
    batch_size : int
    max_train_pairs : int, optional
        Fit on a seeded random subsample of at most this many training pairs
        (documented in the result as ``n_fit_pairs_``).
    random_state : int

    Attributes
    ----------
    clf_ : SGDClassifier
    w_drug_, w_dis_ : ndarray
    intercept_ : float
    n_fit_pairs_ : int
    """

    def __init__(
        self,
        alpha: float = 1e-4,
        epochs: int = 5,
        batch_size: int = 4096,
        max_train_pairs: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.alpha = alpha
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_train_pairs = max_train_pairs
        self.random_state = random_state

    def fit(self, train_pairs: Pairs, features: PairFeatures) -> LogisticBaseline:
        rng = np.random.default_rng(self.random_state)
        idx = np.arange(len(train_pairs))
        if self.max_train_pairs is not None and len(idx) > self.max_train_pairs:
            idx = np.sort(rng.choice(idx, self.max_train_pairs, replace=False))
        self.features_ = features
        self.n_fit_pairs_ = len(idx)
        clf = SGDClassifier(loss="log_loss", alpha=self.alpha, random_state=self.random_state)
        classes = np.array([0.0, 1.0])
        for _ in range(self.epochs):
            order = rng.permutation(idx)
            for lo in range(0, len(order), self.batch_size):
                b = order[lo : lo + self.batch_size]
                X = features.numpy_batch(train_pairs.drug[b], train_pairs.dis[b])
                clf.partial_fit(X, train_pairs.y[b], classes=classes)
        self.clf_ = clf
        w = clf.coef_.ravel().astype(np.float64)
        self.w_drug_ = w[: features.drug_dim]
        self.w_dis_ = w[features.drug_dim :]
        self.intercept_ = float(clf.intercept_[0])
        self.dis_part_ = features.scaled_table("dis").astype(np.float64) @ self.w_dis_
        return self

    def _drug_part(self, drugs: np.ndarray) -> np.ndarray:
        return self.features_.scaled_table("drug", drugs).astype(np.float64) @ self.w_drug_

    def decision_function(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        """Logits ``w_d·z_d + w_s·z_s + b`` of pairs, shape (n,)."""
        ud, inv = np.unique(np.asarray(drug_idx, np.int64), return_inverse=True)
        return (
            self._drug_part(ud)[inv]
            + self.dis_part_[np.asarray(dis_idx, np.int64)]
            + self.intercept_
        )

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        return sigmoid(self.decision_function(drug_idx, dis_idx))

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        z = self._drug_part(np.asarray(drug_idx, np.int64))[:, None] + self.dis_part_[None, :]
        return sigmoid(z + self.intercept_)


class DrugKNNBaseline:
    """Drug-similarity nearest neighbours ("guilt by association").

    ``score(d, s) = Σ_{d' ∈ kNN(d)} max(cos(d, d'), 0) · A[d', s]`` where ``A`` holds the
    training positives and ``kNN(d)`` are the ``k`` training drugs (drugs with at
    least one training positive) most cosine-similar to ``d`` on the raw drug
    rows, ``d`` itself excluded.

    Parameters
    ----------
    n_dis : int
    k : int

    Attributes
    ----------
    train_drugs_ : ndarray of int64
    A_ : scipy.sparse CSR, shape (len(train_drugs_), n_dis)
    """

    def __init__(self, n_dis: int, k: int = 20) -> None:
        self.n_dis = n_dis
        self.k = k

    def fit(self, train_pairs: Pairs, drug_X: Table) -> DrugKNNBaseline:
        pos = train_pairs.y == 1
        d, s = train_pairs.drug[pos], train_pairs.dis[pos]
        self.train_drugs_, row = np.unique(d, return_inverse=True)
        A = sp.csr_matrix((np.ones(len(d)), (row, s)), shape=(len(self.train_drugs_), self.n_dis))
        A.data[:] = 1.0  # duplicates count once
        self.A_ = A
        if sp.issparse(drug_X):
            Xn = normalize(sp.csr_matrix(drug_X, dtype=np.float64))
        else:
            Xn = normalize(np.asarray(drug_X, dtype=np.float64))
        self.Xn_ = Xn
        self.Xtrain_ = Xn[self.train_drugs_]
        return self

    def score_matrix(self, drug_idx: np.ndarray, chunk: int = 512) -> np.ndarray:
        drug_idx = np.asarray(drug_idx, np.int64)
        out = np.empty((len(drug_idx), self.n_dis), dtype=np.float64)
        k = min(self.k, len(self.train_drugs_))
        for lo in range(0, len(drug_idx), chunk):
            q = drug_idx[lo : lo + chunk]
            S = self.Xn_[q] @ self.Xtrain_.T
            S = S.toarray() if sp.issparse(S) else np.asarray(S)
            j = np.minimum(np.searchsorted(self.train_drugs_, q), len(self.train_drugs_) - 1)
            own = self.train_drugs_[j] == q
            S[np.flatnonzero(own), j[own]] = -np.inf  # leave the drug itself out
            W = np.zeros_like(S)
            r = np.arange(len(q))[:, None]
            if k < S.shape[1]:
                top = np.argpartition(-S, k - 1, axis=1)[:, :k]
            else:
                top = np.broadcast_to(np.arange(S.shape[1]), S.shape)
            W[r, top] = np.maximum(S[r, top], 0.0)  # the excluded self (-inf) weighs 0
            out[lo : lo + len(q)] = np.asarray(self.A_.T @ W.T).T
        return out

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        ud, inv = np.unique(np.asarray(drug_idx, np.int64), return_inverse=True)
        M = self.score_matrix(ud)
        return M[inv, np.asarray(dis_idx, np.int64)]
