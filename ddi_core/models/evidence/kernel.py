"""Kernel ridge regression of disease labels on a drug kernel (the ``krr`` feature family).

The kernel is the sum of the configured drug similarities, each with a unit
diagonal on the drugs it covers (cosine, Jaccard and Tanimoto are positive
semi-definite, so the sum is too). The weights are fitted on the drugs with a
training positive; see :mod:`ddi_core.models.evidence.features` for how a drug
is scored without its own vote.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from ddi_core.models.evidence.similarity import DrugSimilarity

__all__ = ["KRR_CHUNK", "KernelRidge", "drug_kernel", "krr_weights"]

#: table rows per chunk of kernel-ridge scores (see :meth:`KernelRidge.scores`)
KRR_CHUNK = 256


def drug_kernel(sims: Iterable[DrugSimilarity], n_drugs: int) -> np.ndarray:
    """The sum of drug similarities, each with a unit diagonal on the drugs it covers.

    float32 (n_drugs, n_drugs); a drug no similarity covers has a zero row.
    """
    K = np.zeros((n_drugs, n_drugs), np.float32)
    for s in sims:
        K[np.ix_(s.rows, s.rows)] += s.M
        K[s.rows, s.rows] += 1.0
    return K


def krr_weights(K: np.ndarray, A: sp.csr_matrix, rows: np.ndarray, lam: float) -> np.ndarray:
    """``(K[rows, rows] + λI)⁻¹ A[rows]``, float32 (len(rows), n_dis)."""
    import scipy.linalg as sla

    Ktt = np.asarray(K[np.ix_(rows, rows)], np.float64)
    Ktt[np.diag_indices_from(Ktt)] += lam
    B = A[rows].toarray().astype(np.float64)
    if not len(rows):
        return B.astype(np.float32)
    try:
        alpha = sla.solve(Ktt, B, assume_a="pos", check_finite=False)
    except np.linalg.LinAlgError:  # a kernel that is not positive semi-definite
        alpha = sla.solve(Ktt, B, check_finite=False)
    return alpha.astype(np.float32)


class KernelRidge:
    """Kernel-ridge scores of every table drug against every disease, fitted on ``rows``.

    ``score(d) = K[d, rows] α`` with ``K[d, d]`` set to 0: a drug never votes for itself.
    """

    def __init__(self, K: np.ndarray, A: sp.csr_matrix, rows: np.ndarray, lam: float):
        self.K, self.rows = K, np.asarray(rows, np.int64)
        self.alpha = krr_weights(K, A, self.rows, lam)
        self.n_dis = A.shape[1]
        self._chunks: dict[int, np.ndarray] = {}

    def _chunk(self, c: int) -> np.ndarray:
        if c not in self._chunks:
            q = np.arange(c * KRR_CHUNK, min((c + 1) * KRR_CHUNK, self.K.shape[0]))
            Kq = self.K[np.ix_(q, self.rows)]
            Kq[q[:, None] == self.rows[None, :]] = 0.0
            self._chunks[c] = Kq @ self.alpha
        return self._chunks[c]

    def scores(self, drugs: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Scores of ``drugs`` × ``cols``, float32; NaN for a drug no similarity covers.

        Computed for fixed chunks of :data:`KRR_CHUNK` table rows and kept, so a drug's
        score never depends on which drugs share its block: a float32 matrix product
        sums in an order that depends on the operands' shapes, and a difference in the
        last bit can flip a tree's split.
        """
        drugs, cols = np.asarray(drugs, np.int64), np.asarray(cols, np.int64)
        out = np.full((len(drugs), len(cols)), np.nan, np.float32)
        covered = self.K[drugs, drugs] > 0
        if not len(self.rows):
            out[covered] = 0.0
            return out
        for c in np.unique(drugs // KRR_CHUNK):
            at = np.flatnonzero((drugs // KRR_CHUNK == c) & covered)
            out[at] = self._chunk(int(c))[drugs[at] - c * KRR_CHUNK][:, cols]
        return out
