"""Calibrated target calls: the classifier's probabilities at the deployment prior.

The drug–target classifier is trained on one known signed pair per
``negative_ratio`` sampled ``none`` pairs, so about a third of its training
pairs are targets. Scored against every network gene, a drug has about three
known targets among ~6,000 genes: the training prior overstates targets by a
factor of ~500, and the paper's thresholds (0.88 inhibition, 0.45 activation)
then call hundreds of targets per drug.

:func:`class_priors` estimates both priors (training: the label shares of the
training split; deployment: known signed targets per labelled drug per scored
gene, by class) and the logit shift of Saerens et al. (Neural Comput 2002,
:func:`ddi_core.targets.decision.prior_shift`). :func:`call_evaluation` measures the
calls on the classifier's drug-disjoint validation and test drugs against
every scored gene: precision@k and recall@k (k chosen on validation), the
calibrated thresholds' calls per drug, and reliability bins of the corrected
target probability.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ddi_core.cache import atomic_write_json, cached
from ddi_core.targets.config import STAGE
from ddi_core.targets.decision import (
    ACTIVATION,
    CLASSES,
    INHIBITION,
    NONE,
    correct_proba,
    decide,
    prior_shift,
)
from ddi_core.targets.scorer import FactorisedTargetScorer

if TYPE_CHECKING:  # pragma: no cover
    from ddi_core.targets.config import TargetConfig
    from ddi_core.targets.inputs import TargetInputs
    from ddi_core.targets.stage import TargetStage

log = logging.getLogger(__name__)

CALLS_VERSION = 1
#: k values reported for precision@k / recall@k
KS = (1, 2, 3, 5, 10, 20, 30, 50)
RELIABILITY_BINS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def class_priors(stage: TargetStage, inputs: TargetInputs) -> dict[str, Any]:
    """Training and deployment class priors and the logit shift between them.

    ``pi_train``: label shares of the classifier's training split.
    ``pi_deploy``: per class, known signed pairs on scored genes of the
    labelled drugs / (labelled drugs × scored genes); ``none`` the rest.
    """
    pairs = stage.pairs
    tr = pairs[pairs["split"] == "train"]
    counts = np.bincount(tr["label"].to_numpy(np.int64), minlength=3).astype(np.float64)
    pi_train = counts / counts.sum()
    genes, _ = inputs.scored_genes()
    known = pairs[pairs["label"] != NONE]
    known = known[np.isin(known["entrez"].to_numpy(np.int64), genes)]
    n_drugs = int(pairs.loc[pairs["label"] != NONE, "chemical_id"].nunique())
    n_genes = int(len(genes))
    per = np.bincount(known["label"].to_numpy(np.int64), minlength=3).astype(np.float64)
    pi_deploy = per / max(n_drugs * n_genes, 1)
    pi_deploy[NONE] = 1.0 - pi_deploy[INHIBITION] - pi_deploy[ACTIVATION]
    shift = prior_shift(pi_train, pi_deploy)
    return {
        "classes": list(CLASSES),
        "pi_train": pi_train.tolist(),
        "pi_deploy": pi_deploy.tolist(),
        "logit_shift": shift.tolist(),
        "labelled_drugs": n_drugs,
        "scored_genes": n_genes,
        "known_per_drug": float(len(known) / max(n_drugs, 1)),
    }


def _drug_probas(stage: TargetStage, inputs: TargetInputs, drugs: np.ndarray) -> np.ndarray:
    """Uncorrected probabilities, shape ``(len(drugs), n_scored_genes, 3)`` (float32)."""
    genes, rows = inputs.scored_genes()
    idx = inputs.drug_embedding.index()
    sc = FactorisedTargetScorer.from_classifier(stage.classifier)
    sc.with_prior_shift(None)
    dp = sc.project_drugs(np.asarray(inputs.drug_embedding.vectors)[[idx[d] for d in drugs]])
    gp = sc.project_genes(np.asarray(inputs.gene_embedding.vectors)[rows])
    n_g = len(genes)
    out = np.empty((len(drugs), n_g, 3), np.float32)
    gi = np.arange(n_g)
    for i in range(len(drugs)):
        out[i] = sc.proba_pairs(dp, gp, np.full(n_g, i, np.int64), gi)
    return out


def _truth(pairs: pd.DataFrame, drugs: np.ndarray, genes: np.ndarray) -> np.ndarray:
    """Known signed target matrix: 0 none, -1 inhibition, +1 activation."""
    k = pairs[(pairs["label"] != NONE) & pairs["chemical_id"].isin(set(drugs))]
    r = pd.Index(drugs).get_indexer(k["chemical_id"])
    c = pd.Index(genes).get_indexer(k["entrez"].to_numpy(np.int64))
    ok = c >= 0
    T = np.zeros((len(drugs), len(genes)), np.int8)
    T[r[ok], c[ok]] = np.where(k["label"].to_numpy()[ok] == INHIBITION, -1, 1)
    return T


def _at_k(p_target: np.ndarray, sign: np.ndarray, T: np.ndarray, ks) -> dict[str, dict[str, float]]:
    order = np.argsort(-p_target, axis=1, kind="stable")
    n_known = (T != 0).sum(axis=1)
    has = n_known > 0
    out = {}
    for k in ks:
        top = order[:, :k]
        hit = np.take_along_axis(T, top, axis=1) != 0
        right = np.take_along_axis(T, top, axis=1) == np.take_along_axis(sign, top, axis=1)
        prec = hit.sum(axis=1) / k
        rec = hit.sum(axis=1) / np.maximum(n_known, 1)
        f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0.0)
        out[str(k)] = {
            "precision": float(prec[has].mean()),
            "recall": float(rec[has].mean()),
            "f1": float(f1[has].mean()),
            "sign_accuracy": float(right.sum() / max(hit.sum(), 1)),
        }
    return out


def _reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    bins = np.asarray(RELIABILITY_BINS)
    b = np.clip(np.searchsorted(bins, p, side="right") - 1, 0, len(bins) - 2)
    rows = []
    for i in range(len(bins) - 1):
        m = b == i
        if m.any():
            rows.append(
                {
                    "lo": float(bins[i]),
                    "hi": float(bins[i + 1]),
                    "n": int(m.sum()),
                    "mean_predicted": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return rows


def _evaluate_part(proba: np.ndarray, T: np.ndarray, shift: np.ndarray, cfg: TargetConfig) -> dict:
    n_d, n_g, _ = proba.shape
    flat = proba.reshape(-1, 3)
    raw_calls = decide(flat, cfg.inhibition_threshold, cfg.activation_threshold).reshape(n_d, n_g)
    cor = correct_proba(flat, shift)
    cor_calls = decide(cor, cfg.inhibition_threshold, cfg.activation_threshold).reshape(n_d, n_g)
    p_t = (1.0 - cor[:, NONE]).reshape(n_d, n_g)
    sign = np.where(cor[:, INHIBITION] >= cor[:, ACTIVATION], -1, 1).reshape(n_d, n_g)
    y = (T != 0).reshape(-1)
    has = (T != 0).any(axis=1)

    def rule(calls: np.ndarray) -> dict[str, float]:
        called = calls != NONE
        per = called.sum(axis=1)
        tp = (called & (T != 0)).sum(axis=1)
        return {
            "calls_per_drug_median": float(np.median(per)),
            "calls_per_drug_mean": float(per.mean()),
            "drugs_with_a_call": int((per > 0).sum()),
            "precision": float(tp.sum() / max(called.sum(), 1)),
            "recall": float(tp[has].sum() / max((T[has] != 0).sum(), 1)),
        }

    return {
        "drugs": int(n_d),
        "drugs_with_known": int(has.sum()),
        "genes": int(n_g),
        "known_target_rate": float(y.mean()),
        "at_k": _at_k(p_t, sign, T, KS),
        "thresholds_raw": rule(raw_calls),
        "thresholds_calibrated": rule(cor_calls),
        "reliability_raw": _reliability((1.0 - flat[:, NONE]).astype(np.float64), y),
        "reliability_calibrated": _reliability(p_t.reshape(-1), y),
    }


def call_evaluation(
    config: TargetConfig, inputs: TargetInputs, stage: TargetStage, *, force: bool = False
) -> dict[str, Any]:
    """Calls on the classifier's held-out drugs against every scored gene (cached).

    ``chosen_k`` maximises mean F1@k over validation drugs; test numbers are
    reported for every k and the thresholds (raw and prior-corrected).
    """

    def compute(out: Path) -> None:
        t0 = time.perf_counter()
        pri = class_priors(stage, inputs)
        shift = np.asarray(pri["logit_shift"])
        genes, _ = inputs.scored_genes()
        pairs = stage.pairs
        emb = set(map(str, inputs.drug_embedding.ids))
        res: dict[str, Any] = {"priors": pri}
        for part in ("val", "test"):
            drugs = np.unique(pairs.loc[pairs["split"] == part, "chemical_id"].astype(str))
            drugs = np.array([d for d in drugs if d in emb])
            proba = _drug_probas(stage, inputs, drugs)
            res[part] = _evaluate_part(proba, _truth(pairs, drugs, genes), shift, config)
        ks = res["val"]["at_k"]
        res["chosen_k"] = int(max(ks, key=lambda k: (ks[k]["f1"], -int(k))))
        res["seconds"] = round(time.perf_counter() - t0, 1)
        atomic_write_json(out / "calls.json", res)

    key = {"part": "calls", "v": CALLS_VERSION, **config.key()}
    path = cached(STAGE, key, {**inputs.hashes, "model": stage.path.name}, compute, force=force)
    return json.loads((path / "calls.json").read_text())


__all__ = ["KS", "call_evaluation", "class_priors"]
