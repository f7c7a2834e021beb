"""Fitting the evidence model on a split: out-of-fold features → LightGBM boosters.

A run goes through the one run skeleton (:mod:`ddi_core.training.runner`) as every
kind does, with the MLP's split function, seeds, metrics, curves and baselines, so the
two kinds compare on the same footing (:mod:`ddi_core.models.evidence.kind`). With
``evidence.population = "paper"`` the pairs and the split are exactly the MLP's for the
same seed.

Protocol (no positive feeds its own features, nothing held out enters ``A``):

1. The split (train / validation / test, with its negatives) as for the MLP.
2. ``A`` = the training positives. EASE's ``λ`` is chosen by validation MRR.
3. The learner's training pairs: the training split plus extra negatives
   (``train_neg_ratio``, part of them on a positive's drug), drawn afresh for
   each of ``n_bags`` boosters; the features of the union come out of fold
   (:func:`~ddi_core.models.evidence.oof.oof_features`) once, and the boosters
   are averaged into one model (:func:`fit_evidence`).
4. The early-stopping pairs: the validation split plus extra validation
   negatives drawn the same way; features from ``A``.
5. Test pairs: features from ``A``; metrics, ranking over every test drug,
   degree-matched negatives, baselines (popularity, drug kNN, EASE).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ddi_core.config.run import RunConfig
from ddi_core.data import entities
from ddi_core.data.disease_classes import HIDDEN_IN_CLINICAL, disease_classes
from ddi_core.fitloop import FitCallback
from ddi_core.models.ease import association_matrix, choose_lambda
from ddi_core.models.evidence.features import FeatureBuilder, Similarities, _Static
from ddi_core.models.evidence.learner import Booster, average_boosters, fit_booster
from ddi_core.models.evidence.model import builder
from ddi_core.models.evidence.names import feature_names
from ddi_core.models.evidence.oof import fold_assignment, oof_features
from ddi_core.models.evidence.population import augment
from ddi_core.models.evidence.tables import EvidenceTables
from ddi_core.pairs.labels import PairData
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.splits import Split, pair_keys
from ddi_core.progress import Monitor

log = logging.getLogger(__name__)

__all__ = [
    "clinical_labels",
    "features_for_split",
    "fit_evidence",
    "profile_matrix",
    "SplitFeatures",
]


@dataclass
class SplitFeatures:
    """Everything the learner sees for one split (see the module docstring)."""

    ease_lambda: float
    ease_scores: dict[str, float]
    A_pop: sp.csr_matrix
    #: the union of every bag's training pairs, and their features
    train: Pairs
    stop: Pairs
    X_train: np.ndarray
    X_stop: np.ndarray
    builder: FeatureBuilder
    #: rows of ``train`` each bag's booster learns from
    bags: list[np.ndarray] | None = None

    def bag_rows(self) -> list[np.ndarray]:
        return self.bags if self.bags is not None else [np.arange(len(self.train))]


def _bagged_pairs(
    split, data: PairData, cfg: RunConfig, seed: int
) -> tuple[Pairs, Pairs, list[np.ndarray]]:
    """Every bag's training pairs as one union (bag 0's first, in order), its rows per
    bag, and bag 0's early-stopping pairs (shared by every bag)."""
    n_dis = len(data.dis_ids)
    train_p, stop_p = augment(split, data, cfg, seed)
    rows = [np.arange(len(train_p))]
    keys = pair_keys(train_p.drug, train_p.dis, n_dis)
    for b in range(1, cfg.evidence.n_bags):
        tb, _ = augment(split, data, cfg, seed + 1000 * b)
        kb = pair_keys(tb.drug, tb.dis, n_dis)
        order = np.argsort(keys, kind="stable")
        at = np.searchsorted(keys[order], kb)
        at = np.minimum(at, len(keys) - 1)
        known = keys[order][at] == kb
        new = ~known
        idx = np.empty(len(kb), np.int64)
        idx[known] = order[at[known]]
        idx[new] = len(keys) + np.arange(int(new.sum()))
        train_p = Pairs.concat(train_p, Pairs(tb.drug[new], tb.dis[new], tb.y[new]))
        keys = np.concatenate([keys, kb[new]])
        rows.append(idx)
    return train_p, stop_p, rows


def features_for_split(
    tables: EvidenceTables,
    cfg: RunConfig,
    data: PairData,
    drug_map: np.ndarray,
    split,
    seeds: dict[str, int],
    monitor: Monitor | None = None,
) -> SplitFeatures:
    """EASE's ``λ`` (validation MRR), the learner's pairs and their leak-safe features.

    Only training positives enter ``A``; training pairs get out-of-fold
    features; test pairs and labels are never read. ``monitor`` hears each fold.
    """
    mon = monitor or Monitor()
    n_dis = len(data.dis_ids)
    pos = split.train.y == 1
    A_pop = association_matrix(
        split.train.drug[pos], split.train.dis[pos], len(data.drug_ids), n_dis
    )
    vpos = split.val.y == 1
    lam, lam_scores = choose_lambda(
        A_pop, split.val.drug[vpos], split.val.dis[vpos], cfg.evidence.ease_lambdas
    )
    train_p, stop_p, bags = _bagged_pairs(split, data, cfg, seeds["negatives"] + 1)
    sims = Similarities.build(tables, cfg.evidence)
    static = _Static(tables) if "network" in cfg.evidence.families else None
    folds = fold_assignment(
        train_p.drug,
        train_p.dis,
        train_p.y,
        cfg.train.split,
        cfg.evidence.oof_folds,
        seeds["split"] + 7,
    )
    X_tr = oof_features(
        tables,
        sims,
        cfg.evidence,
        drug_map[train_p.drug],
        train_p.dis,
        train_p.y,
        folds,
        ease_lambda=lam,
        static=static,
        progress=lambda f, k: mon.update(stage="building features", fold=f, folds=k),
    )
    fb = builder(tables, cfg, drug_map, split.train, lam, sims, static)
    X_va = fb.pairs(drug_map[stop_p.drug], stop_p.dis)
    return SplitFeatures(lam, lam_scores, A_pop, train_p, stop_p, X_tr, X_va, fb, bags)


def fit_evidence(
    fs: SplitFeatures,
    cfg: RunConfig,
    seed: int,
    *,
    callbacks: Sequence[FitCallback] = (),
    monitor: Monitor | None = None,
) -> Booster:
    """One booster per bag (seed ``seed + b``, early stopping on the shared validation
    pairs), averaged into one model; a single bag is the plain booster. ``monitor``
    hears each bag and is asked between rounds whether to stop."""
    mon = monitor or Monitor()
    names = feature_names(cfg.evidence)
    members = []
    rows = fs.bag_rows()
    for b, idx in enumerate(rows):
        mon.update(stage="training", bag=b + 1, bags=len(rows))
        members.append(
            fit_booster(
                fs.X_train[idx],
                fs.train.y[idx],
                fs.X_stop,
                fs.stop.y,
                names,
                cfg.evidence,
                seed=seed + b,
                callbacks=callbacks,
                should_stop=mon.stopped,
            )
        )
        if mon.stopped():
            break
    return average_boosters(members)


def clinical_labels(split: Split, data: PairData) -> tuple[Split, dict[str, int]]:
    """``split`` without the training and validation positives whose disease class is
    hidden in the clinical view (the test split unchanged), and how many were dropped."""
    cls = disease_classes(entities.diseases())
    hidden = np.isin(
        cls.reindex(np.asarray(data.dis_ids).astype(str)).fillna("disease").to_numpy(object),
        sorted(HIDDEN_IN_CLINICAL),
    )
    dropped = {}
    parts = {}
    for name in ("train", "val"):
        p = getattr(split, name)
        drop = (p.y == 1) & hidden[p.dis]
        parts[name] = Pairs(p.drug[~drop], p.dis[~drop], p.y[~drop])
        dropped[name] = int(drop.sum())
    return dataclasses.replace(split, **parts), dropped


def profile_matrix(tables: EvidenceTables, drug_map: np.ndarray) -> np.ndarray:
    """Walk profiles of the run's drugs (zero rows without one): the kNN baseline's input."""
    X = np.zeros((len(drug_map), tables.profile.shape[1]), np.float32)
    pos = np.full(tables.n_drugs, -1, np.int64)
    pos[tables.profile_row] = np.arange(len(tables.profile_row))
    p = pos[drug_map]
    X[p >= 0] = tables.profile[p[p >= 0]]
    return X
