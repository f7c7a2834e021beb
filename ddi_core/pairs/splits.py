"""Train / validation / test splits of drug–disease pairs, with sampled negatives.

Kinds
-----
``random``
    Positive pairs are shuffled and cut by ``fractions`` (the paper's protocol,
    plus a validation part). Drugs and diseases are shared between parts.
``drug``
    The drugs that have positives are shuffled and cut by ``fractions`` (of
    drugs, not pairs); every pair goes with its drug, so no test drug is ever
    seen in training ("unseen drugs").
``disease``
    The same over diseases ("unseen diseases").

The default fractions are 0.8 / 0.1 / 0.1: the training part keeps the paper's
80 %, and the validation part used for early stopping and threshold tuning is
separate from the reported test part.

Negatives
---------
Random drug–disease pairs that are not known: never a known positive, never a
pair in ``exclude``, never twice. ``neg_ratio`` negatives per positive in every
part (the paper: 1). For the drug and disease splits a part's negatives use
only that part's drugs (diseases), so a test-drug negative is only ever in test.
Drugs and diseases are drawn uniformly from the pool, by default the drugs and
diseases that have at least one known positive (``negative_pool="positives"``).

:func:`paper_protocol_split` reproduces the paper exactly: 1:1 negatives, one
80/20 split of all pairs, early stopping **and** reporting on the same held-out
20 % — an optimistic estimate, flagged as such (``Split.optimistic``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ddi_core.errors import DDIError
from ddi_core.pairs.pairs import Pairs

log = logging.getLogger(__name__)

__all__ = [
    "Split",
    "SplitKind",
    "split_pairs",
    "paper_protocol_split",
    "sample_negatives",
    "pair_keys",
]

SplitKind = Literal["random", "drug", "disease"]
NegativePool = Literal["positives", "all"]


@dataclass(frozen=True)
class Split:
    """Three labelled pair sets and how they were made.

    Attributes
    ----------
    train, val, test : Pairs
        ``val`` is the same object as ``test`` under the paper protocol.
    kind : str
        ``random``, ``drug``, ``disease`` or ``paper``.
    fractions : tuple of float
    neg_ratio : float
    seed : int
    optimistic : bool
        True when early stopping and reporting share a set (paper protocol).
    note : str
    """

    train: Pairs
    val: Pairs
    test: Pairs
    kind: str
    fractions: tuple[float, ...]
    neg_ratio: float
    seed: int
    optimistic: bool = False
    note: str = ""

    def summary(self) -> dict[str, Any]:
        """Counts per part (JSON-ready)."""

        def c(p: Pairs) -> dict[str, int]:
            return {
                "pairs": len(p),
                "pos": int((p.y == 1).sum()),
                "neg": int((p.y == 0).sum()),
                "drugs": int(len(np.unique(p.drug))),
                "diseases": int(len(np.unique(p.dis))),
            }

        return {
            "kind": self.kind,
            "fractions": list(self.fractions),
            "neg_ratio": self.neg_ratio,
            "seed": self.seed,
            "optimistic": self.optimistic,
            "note": self.note,
            "train": c(self.train),
            "val": c(self.val),
            "test": c(self.test),
        }


def pair_keys(drug: np.ndarray, dis: np.ndarray, n_dis: int) -> np.ndarray:
    """One int64 key per pair: ``drug * n_dis + dis``."""
    return np.asarray(drug, np.int64) * np.int64(n_dis) + np.asarray(dis, np.int64)


def _isin_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Boolean: is each of ``keys`` in the sorted unique array ``sorted_keys``."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    j = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[j] == keys


def sample_negatives(
    n: int,
    drug_pool: np.ndarray,
    dis_pool: np.ndarray,
    n_dis: int,
    forbidden: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` distinct random pairs from ``drug_pool × dis_pool`` not in ``forbidden``.

    Parameters
    ----------
    n : int
    drug_pool, dis_pool : ndarray of int
        Distinct drugs and diseases to draw from (uniformly).
    n_dis : int
        Number of diseases (key base).
    forbidden : ndarray of int64
        Pair keys (:func:`pair_keys`) never to return.
    rng : numpy.random.Generator

    Returns
    -------
    (drug, dis) : tuple of ndarray of int64
    """
    drug_pool = np.unique(np.asarray(drug_pool, np.int64))
    dis_pool = np.unique(np.asarray(dis_pool, np.int64))
    forbidden = np.unique(np.asarray(forbidden, np.int64))
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    fd, fs = np.divmod(forbidden, n_dis)
    inside = np.isin(fd, drug_pool) & np.isin(fs, dis_pool)
    available = len(drug_pool) * len(dis_pool) - int(inside.sum())
    if n > available:
        raise DDIError(
            f"cannot sample {n} negatives: only {available} unknown pairs among "
            f"{len(drug_pool)} drugs × {len(dis_pool)} diseases"
        )
    if n > available // 2:  # dense regime: enumerate the unknown pairs
        allk = pair_keys(
            np.repeat(drug_pool, len(dis_pool)), np.tile(dis_pool, len(drug_pool)), n_dis
        )
        allk = allk[~_isin_sorted(allk, forbidden)]
        keys = rng.choice(allk, size=n, replace=False)
    else:
        keys = np.zeros(0, np.int64)
        while len(keys) < n:
            m = int(1.3 * (n - len(keys))) + 16
            cand = pair_keys(
                drug_pool[rng.integers(0, len(drug_pool), m)],
                dis_pool[rng.integers(0, len(dis_pool), m)],
                n_dis,
            )
            cand = cand[~_isin_sorted(cand, forbidden)]
            cand = cand[~np.isin(cand, keys)]
            _, first = np.unique(cand, return_index=True)
            cand = cand[np.sort(first)]  # distinct, in draw order
            keys = np.concatenate([keys, cand[: n - len(keys)]])
    d, s = np.divmod(keys, n_dis)
    return d.astype(np.int64), s.astype(np.int64)


def _cuts(n: int, fractions: tuple[float, float, float]) -> tuple[int, int]:
    a = int(round(fractions[0] * n))
    b = a + int(round(fractions[1] * n))
    return a, min(b, n)


def _check_fractions(fractions: tuple[float, ...]) -> tuple[float, float, float]:
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise DDIError(f"fractions must be three positive numbers summing to 1, got {fractions}")
    return (float(fractions[0]), float(fractions[1]), float(fractions[2]))


def _dedupe(drug: np.ndarray, dis: np.ndarray, n_dis: int) -> tuple[np.ndarray, np.ndarray]:
    keys = np.unique(pair_keys(drug, dis, n_dis))
    if len(keys) < len(drug):
        log.info("dropped %d duplicate positive pairs", len(drug) - len(keys))
    d, s = np.divmod(keys, n_dis)
    return d, s


def split_pairs(
    pos_drug: np.ndarray,
    pos_dis: np.ndarray,
    n_drugs: int,
    n_dis: int,
    *,
    kind: SplitKind = "random",
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    neg_ratio: float = 1.0,
    seed: int = 0,
    neg_seed: int | None = None,
    exclude: Pairs | tuple[np.ndarray, np.ndarray] | None = None,
    negative_pool: NegativePool = "positives",
) -> Split:
    """Split known positives into train / validation / test and add negatives.

    Parameters
    ----------
    pos_drug, pos_dis : ndarray of int
        Every known positive pair (duplicates are dropped).
    n_drugs, n_dis : int
        Table sizes.
    kind : {"random", "drug", "disease"}
    fractions : (train, val, test)
        Of pairs (random) or of drugs / diseases (drug / disease split).
    neg_ratio : float
        Negatives per positive in each part.
    seed : int
        Seed of the partition.
    neg_seed : int, optional
        Seed of the negatives (default: derived from ``seed``).
    exclude : Pairs or (drug, dis), optional
        Pairs never to use as negatives (besides the known positives).
    negative_pool : {"positives", "all"}
        Draw negative drugs/diseases from those with a known positive, or from
        the whole tables.

    Returns
    -------
    Split
    """
    fr = _check_fractions(fractions)
    d, s = _dedupe(pos_drug, pos_dis, n_dis)
    if len(d) == 0:
        raise DDIError("no positive pairs to split")
    if d.max() >= n_drugs or s.max() >= n_dis or d.min() < 0 or s.min() < 0:
        raise DDIError("positive pair indices out of range of the tables")
    rng = np.random.default_rng(seed)
    nrng = np.random.default_rng(neg_seed if neg_seed is not None else [seed, 1])
    forbidden = pair_keys(d, s, n_dis)
    if exclude is not None:
        ed, es = (exclude.drug, exclude.dis) if isinstance(exclude, Pairs) else exclude
        forbidden = np.concatenate([forbidden, pair_keys(ed, es, n_dis)])
    forbidden = np.unique(forbidden)
    drug_pool = np.unique(d) if negative_pool == "positives" else np.arange(n_drugs)
    dis_pool = np.unique(s) if negative_pool == "positives" else np.arange(n_dis)

    if kind == "random":
        perm = rng.permutation(len(d))
        a, b = _cuts(len(d), fr)
        part_of = np.empty(len(d), np.int64)
        part_of[perm[:a]], part_of[perm[a:b]], part_of[perm[b:]] = 0, 1, 2
        n_pos = [int((part_of == p).sum()) for p in range(3)]
        n_neg = [int(round(neg_ratio * k)) for k in n_pos]
        nd, ns = sample_negatives(sum(n_neg), drug_pool, dis_pool, n_dis, forbidden, nrng)
        bounds = np.cumsum([0, *n_neg])
        negs = [(nd[bounds[p] : bounds[p + 1]], ns[bounds[p] : bounds[p + 1]]) for p in range(3)]
    elif kind in ("drug", "disease"):
        ent = d if kind == "drug" else s
        units = rng.permutation(np.unique(ent))
        a, b = _cuts(len(units), fr)
        groups = [units[:a], units[a:b], units[b:]]
        if any(len(g) == 0 for g in groups):
            raise DDIError(f"too few {kind}s ({len(units)}) for fractions {fr}")
        unit_part = np.full((n_drugs if kind == "drug" else n_dis), -1, np.int64)
        for p, g in enumerate(groups):
            unit_part[g] = p
        part_of = unit_part[ent]
        negs = []
        for p, g in enumerate(groups):
            k = int(round(neg_ratio * int((part_of == p).sum())))
            if kind == "drug":
                negs.append(sample_negatives(k, g, dis_pool, n_dis, forbidden, nrng))
            else:
                negs.append(sample_negatives(k, drug_pool, g, n_dis, forbidden, nrng))
    else:
        raise DDIError(f"unknown split kind {kind!r}; choose random, drug or disease")

    parts = []
    for p in range(3):
        m = part_of == p
        if not m.any():
            raise DDIError(f"split part {('train', 'val', 'test')[p]} has no positives")
        nd_p, ns_p = negs[p]
        pr = Pairs(
            np.concatenate([d[m], nd_p]),
            np.concatenate([s[m], ns_p]),
            np.concatenate([np.ones(int(m.sum())), np.zeros(len(nd_p))]),
        )
        parts.append(pr.subset(rng.permutation(len(pr))))
    out = Split(
        parts[0], parts[1], parts[2], kind=kind, fractions=fr, neg_ratio=neg_ratio, seed=seed
    )
    log.info(
        "split %s: %s",
        kind,
        {k: v for k, v in out.summary().items() if k in ("train", "val", "test")},
    )
    return out


def paper_protocol_split(
    pos_drug: np.ndarray,
    pos_dis: np.ndarray,
    n_drugs: int,
    n_dis: int,
    *,
    seed: int = 0,
    test_fraction: float = 0.2,
    exclude: Pairs | tuple[np.ndarray, np.ndarray] | None = None,
) -> Split:
    """The paper's protocol: 1:1 negatives, one 80/20 split of all pairs.

    Early stopping and reporting both use the held-out 20 % (``val is test``),
    so the reported numbers are optimistic; the result says so
    (``optimistic=True``). Use :func:`split_pairs` for an honest estimate.
    """
    d, s = _dedupe(pos_drug, pos_dis, n_dis)
    rng = np.random.default_rng(seed)
    forbidden = pair_keys(d, s, n_dis)
    if exclude is not None:
        ed, es = (exclude.drug, exclude.dis) if isinstance(exclude, Pairs) else exclude
        forbidden = np.concatenate([forbidden, pair_keys(ed, es, n_dis)])
    nd, ns = sample_negatives(len(d), np.unique(d), np.unique(s), n_dis, forbidden, rng)
    allp = Pairs(
        np.concatenate([d, nd]),
        np.concatenate([s, ns]),
        np.concatenate([np.ones(len(d)), np.zeros(len(nd))]),
    )
    perm = rng.permutation(len(allp))
    n_test = int(round(test_fraction * len(allp)))
    train, test = allp.subset(perm[n_test:]), allp.subset(perm[:n_test])
    note = (
        "paper protocol: early stopping and reporting on the same held-out "
        f"{test_fraction:.0%} (optimistic)"
    )
    log.warning(note)
    return Split(
        train,
        test,
        test,
        kind="paper",
        fractions=(1 - test_fraction, test_fraction),
        neg_ratio=1.0,
        seed=seed,
        optimistic=True,
        note=note,
    )
