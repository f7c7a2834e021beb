"""SMOTE on pair features without materialising them.

A synthetic sample between minority pairs ``a = (d1, s1)`` and its neighbour
``b = (d2, s2)`` with gap ``lam`` is ``x_a + lam * (x_b - x_a)``; because the
feature vector is a concatenation, that is the interpolation of the drug rows
and of the disease rows with the same ``lam``. It is stored as
``(d1, d2, s1, s2, lam)`` (:class:`ddi_core.pairs.features.SyntheticPairs`) and built
per batch by :meth:`ddi_core.pairs.features.PairFeatures.batch_synthetic`.

Neighbours are searched in the space of the features' batches (the standardised
space when the features carry a scaler). The squared distance between two pairs
splits into a drug part and a disease part,
``||x_a - x_b||² = ||z_d1 - z_d2||² + ||z_s1 - z_s2||²``, so two small distance
matrices over the *unique* minority drugs and diseases are computed once and
pair distances are gathered from them block by block.

The random draws follow imbalanced-learn's ``SMOTE`` exactly
(``RandomState(random_state)``; ``randint`` over ``n_minority * k`` for base
sample and neighbour, then ``uniform`` for the gaps), and the number of samples
is its ``sampling_strategy='auto'`` count (minority up to the majority count), so
with the same neighbours the synthetic samples are identical. Neighbours tied at
the k-th distance are chosen arbitrarily (but deterministically), as in
scikit-learn.

Memory: ``n_ud² + n_us²`` float64 distances (``n_ud``/``n_us`` unique minority
drugs/diseases) plus a gather block bounded by ``block_elems``.
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from ddi_core.errors import DDIError
from ddi_core.pairs.features import PairFeatures
from ddi_core.pairs.pairs import Pairs, SyntheticPairs

log = logging.getLogger(__name__)

__all__ = ["PairSMOTE", "squared_distances"]


def squared_distances(
    Z: np.ndarray, device: torch.device | str = "cpu", block: int = 2048
) -> torch.Tensor:
    """All-pairs squared Euclidean distances between rows of ``Z`` (float64).

    Parameters
    ----------
    Z : ndarray, shape (n, D)
        Rows (float32 is upcast block by block).
    device : torch.device or str
        Where the matrix is computed and returned.
    block : int
        Rows upcast at a time.

    Returns
    -------
    torch.Tensor of float64, shape (n, n)
        Non-negative, zero diagonal.
    """
    Zt = torch.from_numpy(np.ascontiguousarray(Z)).to(device)
    n = Zt.shape[0]
    sq = torch.cat([(Zt[i : i + block].double() ** 2).sum(1) for i in range(0, n, block)])
    out = torch.empty((n, n), dtype=torch.float64, device=Zt.device)
    for i in range(0, n, block):
        Zi = Zt[i : i + block].double()
        for j in range(0, n, block):
            Zj = Zt[j : j + block].double()
            out[i : i + block, j : j + block] = (
                sq[i : i + block, None] + sq[None, j : j + block] - 2.0 * (Zi @ Zj.T)
            )
    out.clamp_(min=0.0)
    out.fill_diagonal_(0.0)
    return out


class PairSMOTE:
    """SMOTE for drug–disease pairs, in compact form.

    Parameters
    ----------
    k_neighbors : int, default 5
        Nearest minority neighbours per minority sample (imbalanced-learn's
        ``k_neighbors``).
    random_state : int, optional
        Seed of the ``numpy.random.RandomState`` that draws samples and gaps
        (the same draws as imbalanced-learn with the same seed).
    block_elems : int, default 16_000_000
        Bound on ``queries × candidates`` gathered at once in the neighbour search.

    Attributes
    ----------
    minority_label_ : float
        The label that is oversampled.
    minority_idx_ : ndarray of int64, shape (n_min,)
        Positions of the minority samples in the fitted pairs.
    nn_ : ndarray of int64, shape (n_min, k)
        Nearest minority neighbours of each minority sample, as positions in
        ``minority_idx_``, nearest first (empty when nothing is generated).
    n_generated_ : int
        Number of synthetic samples.
    """

    def __init__(
        self,
        k_neighbors: int = 5,
        random_state: int | None = None,
        block_elems: int = 16_000_000,
    ) -> None:
        self.k_neighbors = k_neighbors
        self.random_state = random_state
        self.block_elems = block_elems

    def fit_generate(self, pairs: Pairs, features: PairFeatures) -> SyntheticPairs:
        """Fit on the training pairs and return the synthetic samples only.

        Parameters
        ----------
        pairs : Pairs
            Training pairs (never validation or test).
        features : PairFeatures
            Feature builder; neighbours are found in its (standardised) space.

        Returns
        -------
        SyntheticPairs
            ``n_majority - n_minority`` new samples of the minority label (none
            when the classes are balanced). The original pairs are not included.
        """
        y = pairs.y
        labels, counts = np.unique(y, return_counts=True)
        if len(labels) != 2:
            raise DDIError(
                f"SMOTE needs two classes in the training pairs, found {labels.tolist()}"
            )
        # imbalanced-learn 'auto' = 'not majority'; on a tie the first label is the majority
        major = int(np.argmax(counts))
        minor = 1 - major
        self.minority_label_ = float(labels[minor])
        self.minority_idx_ = np.flatnonzero(y == labels[minor]).astype(np.int64)
        n_samples = int(counts[major] - counts[minor])
        k = self.k_neighbors
        self.n_generated_ = n_samples
        if n_samples == 0:
            self.nn_ = np.zeros((len(self.minority_idx_), 0), dtype=np.int64)
            log.info("SMOTE: classes balanced (%d each), nothing generated", counts[0])
            return SyntheticPairs.empty()
        n_min = len(self.minority_idx_)
        if n_min <= k:
            raise DDIError(f"SMOTE needs more than k_neighbors={k} minority samples, found {n_min}")
        self.nn_ = self._neighbours(pairs, features)
        rs = np.random.RandomState(self.random_state)
        samples = rs.randint(low=0, high=self.nn_.size, size=n_samples)
        steps = rs.uniform(size=n_samples)
        rows = np.floor_divide(samples, k)
        cols = np.mod(samples, k)
        a = self.minority_idx_[rows]
        b = self.minority_idx_[self.nn_[rows, cols]]
        log.info("SMOTE: %d minority, %d synthetic samples (k=%d)", n_min, n_samples, k)
        return SyntheticPairs(
            d1=pairs.drug[a],
            d2=pairs.drug[b],
            s1=pairs.dis[a],
            s2=pairs.dis[b],
            lam=steps,
            y=np.full(n_samples, self.minority_label_, dtype=np.float32),
        )

    def _neighbours(self, pairs: Pairs, features: PairFeatures) -> np.ndarray:
        k = self.k_neighbors
        dev = features.device
        m = self.minority_idx_
        ud, inv_d = np.unique(pairs.drug[m], return_inverse=True)
        us, inv_s = np.unique(pairs.dis[m], return_inverse=True)
        Dd = squared_distances(features.scaled_table("drug", ud), dev)
        Ds = squared_distances(features.scaled_table("dis", us), dev)
        inv_d_t = torch.as_tensor(inv_d, device=dev)
        inv_s_t = torch.as_tensor(inv_s, device=dev)
        n = len(m)
        step = max(1, min(n, self.block_elems // n))
        out = np.empty((n, k), dtype=np.int64)
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            q = torch.arange(lo, hi, device=dev)
            D = Dd.index_select(0, inv_d_t[lo:hi]).index_select(1, inv_d_t)
            D += Ds.index_select(0, inv_s_t[lo:hi]).index_select(1, inv_s_t)
            D[torch.arange(hi - lo, device=dev), q] = float("inf")  # never oneself
            out[lo:hi] = torch.topk(D, k, dim=1, largest=False, sorted=True).indices.cpu().numpy()
        log.debug(
            "SMOTE neighbours: %d queries, %d unique drugs, %d unique diseases", n, len(ud), len(us)
        )
        return out
