"""Scores as a reader sees them: probabilities from logits, and the one tie-averaged
("realistic") rank, ``1 + #higher + #tied others / 2``.

A score tied with others gets the mean of the positions the tie spans, so a
model that scores everything equal ranks each candidate in the middle rather
than first. Every rank the project reports (ranking metrics, the ranked
table's percentiles, PharmacotherapyDB percentiles) comes from here.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` in float64, without overflow warnings."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def realistic_ranks(scores: np.ndarray) -> np.ndarray:
    """Rank of every score among ``scores`` (1 = highest), ties averaged; float64."""
    v = np.asarray(scores, dtype=np.float64)
    if np.isnan(v).any():
        raise ValueError("realistic_ranks: scores contain NaN")
    return rankdata(-v, method="average")


def percentiles(ranks: np.ndarray, n: int) -> np.ndarray:
    """``100 · (n − r) / (n − 1)``: 100 for the top, 0 for the bottom; ``n = 1`` gives 100."""
    r = np.asarray(ranks, dtype=np.float64)
    if n <= 1:
        return np.full(r.shape, 100.0)
    return 100.0 * (n - r) / (n - 1)


__all__ = ["percentiles", "realistic_ranks", "sigmoid"]
