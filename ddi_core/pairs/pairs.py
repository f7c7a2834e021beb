"""Labelled drug–disease pairs as index arrays (numpy only: ranking and evaluation read
them without the torch feature machinery of :mod:`ddi_core.pairs.features`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ddi_core.errors import DDIError

__all__ = ["Pairs", "SyntheticPairs"]


@dataclass(frozen=True)
class Pairs:
    """Labelled drug–disease pairs as index arrays.

    Attributes
    ----------
    drug : ndarray of int64, shape (n,)
        Row of the drug table.
    dis : ndarray of int64, shape (n,)
        Row of the disease table.
    y : ndarray of float32, shape (n,)
        1 for a known association, 0 for a sampled negative.
    """

    drug: np.ndarray
    dis: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "drug", np.asarray(self.drug, dtype=np.int64))
        object.__setattr__(self, "dis", np.asarray(self.dis, dtype=np.int64))
        object.__setattr__(self, "y", np.asarray(self.y, dtype=np.float32))
        if not (len(self.drug) == len(self.dis) == len(self.y)):
            raise DDIError(
                f"pairs have mismatched lengths: drug {len(self.drug)}, "
                f"disease {len(self.dis)}, y {len(self.y)}"
            )

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, idx: np.ndarray) -> Pairs:
        """The pairs at positions ``idx``."""
        return Pairs(self.drug[idx], self.dis[idx], self.y[idx])

    @staticmethod
    def concat(*parts: Pairs) -> Pairs:
        """Concatenate several pair sets in order."""
        return Pairs(
            np.concatenate([p.drug for p in parts]),
            np.concatenate([p.dis for p in parts]),
            np.concatenate([p.y for p in parts]),
        )


@dataclass(frozen=True)
class SyntheticPairs:
    """Compact SMOTE samples: ``x = x_a + lam * (x_b - x_a)`` per table.

    The synthetic feature vector is the drug part
    ``drug_X[d1] + lam * (drug_X[d2] - drug_X[d1])`` concatenated with the disease
    part ``dis_X[s1] + lam * (dis_X[s2] - dis_X[s1])``, built per batch.
    """

    d1: np.ndarray
    d2: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    lam: np.ndarray
    y: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.lam)

    @staticmethod
    def empty() -> SyntheticPairs:
        z = np.zeros(0, np.int64)
        return SyntheticPairs(z, z, z, z, np.zeros(0, np.float64), np.zeros(0, np.float32))
