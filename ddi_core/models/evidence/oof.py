"""Out-of-fold evidence features of the training pairs.

No positive may feed its own features: the training pairs are dealt into ``k``
folds grouped like the split (:func:`fold_assignment`), and the pairs of fold
``f`` get their association-derived features from the training positives
outside ``f`` (:func:`oof_features`). Validation and test pairs get theirs from
every training positive (:class:`~ddi_core.models.evidence.features.FeatureBuilder`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.ease import association_matrix
from ddi_core.models.evidence.features import FeatureBuilder, Similarities, _Static
from ddi_core.models.evidence.names import feature_names
from ddi_core.models.evidence.tables import EvidenceTables

__all__ = ["fold_assignment", "oof_features"]


def fold_assignment(
    drug: np.ndarray, dis: np.ndarray, y: np.ndarray, kind: str, k: int, seed: int
) -> np.ndarray:
    """Fold (0..k-1) of each training pair, grouped like the split.

    ``random``: positives and negatives are dealt into folds at random;
    ``drug`` / ``disease``: every pair goes with its drug's (disease's) fold.
    """
    rng = np.random.default_rng(seed)
    n = len(drug)
    if kind == "random":
        return rng.integers(0, k, n)
    key = np.asarray(drug if kind == "drug" else dis, np.int64)
    units = np.unique(key)
    f = rng.permutation(len(units)) % k
    return f[np.searchsorted(units, key)]


def oof_features(
    tables: EvidenceTables,
    sims: Similarities,
    cfg: EvidenceConfig,
    drug: np.ndarray,
    dis: np.ndarray,
    y: np.ndarray,
    folds: np.ndarray,
    *,
    ease_lambda: float,
    static: _Static | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Out-of-fold features of training pairs.

    The pairs of fold ``f`` get their features from the training positives
    outside fold ``f``: no positive ever feeds its own features.
    """
    drug, dis, y = np.asarray(drug, np.int64), np.asarray(dis, np.int64), np.asarray(y)
    out = np.empty((len(drug), len(feature_names(cfg))), np.float32)
    k = int(folds.max()) + 1 if len(folds) else 0
    for f in range(k):
        inside = folds == f
        keep = (y == 1) & ~inside
        A = association_matrix(drug[keep], dis[keep], tables.n_drugs, tables.n_dis)
        fb = FeatureBuilder(tables, sims, cfg, A, ease_lambda, static=static)
        idx = np.flatnonzero(inside)
        out[idx] = fb.pairs(drug[idx], dis[idx])
        if progress:
            progress(f + 1, k)
    return out
