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

__all__ = ["drug_kernel", "krr_weights"]


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
