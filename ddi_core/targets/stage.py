"""Drug target profiles: labels, drug-disjoint evaluation, cached fit, signed seeds.

Pipeline (:func:`fit_targets`, cached as stage ``targets``):

1. **Labels** (:func:`build_target_pairs`): the signed drug–target pairs of
   :func:`ddi_core.data.entities.signed_dti` whose drug has an InfoGraph vector
   and whose gene has a node2vec vector (sign −1 → inhibition, +1 → activation),
   plus ``none`` pairs sampled per drug among genes with no known interaction
   (no signed or unsigned evidence), ``negative_ratio`` per known pair.
2. **Split by drug** (:func:`split_by_drug`): train / validation / test share no
   drug; validation drives early stopping only, test is reported.
3. **Fit** :class:`~ddi_core.targets.model.DrugTargetClassifier`; report per-class
   precision/recall/F1, macro-F1 and confusion matrices of the decision rule and
   of argmax, next to a majority-class and a logistic-regression baseline on the
   same features and splits.
4. **Grid**: every drug with a vector × every signaling-network gene with a
   vector, decided by the rule (:meth:`~ddi_core.targets.scorer.FactorisedTargetScorer.grid`);
   non-``none`` calls are stored.

:func:`target_profiles` turns known and/or predicted calls into a sparse signed
seed matrix over the network's nodes (+1 activation, −1 inhibition; known wins
on conflict); drugs left without a seed are listed with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.cache import atomic_write_json, cached
from ddi_core.fitloop import FitCallback
from ddi_core.seeds import sub_seed
from ddi_core.targets.config import STAGE, TargetConfig
from ddi_core.targets.decision import CLASSES
from ddi_core.targets.inputs import TargetInputs, _features, load_inputs
from ddi_core.targets.labels import build_target_pairs, split_by_drug
from ddi_core.targets.metrics import baseline_probas, evaluate_proba
from ddi_core.targets.model import DrugTargetClassifier

ProgressCallback = Callable[[int, int], None]


def _split_summary(table: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ("train", "val", "test"):
        t = table[table["split"] == part]
        out[part] = {
            "pairs": int(len(t)),
            "drugs": int(t["chemical_id"].nunique()),
            "labels": {c: int((t["label"] == i).sum()) for i, c in enumerate(CLASSES)},
        }
    return out


_MODEL_ONLY = (
    "inhibition_threshold",
    "activation_threshold",
    "precision",
    "prior_correction",
    "call_rule",
    "top_k",
    "rank_by",
    "lift_power",
)


def _compute_model(
    out: Path,
    config: TargetConfig,
    inputs: TargetInputs,
    device: str | None,
    callbacks: Sequence[FitCallback],
) -> None:
    pairs = build_target_pairs(
        inputs.dti,
        inputs.drug_embedding.ids,
        inputs.gene_embedding.ids,
        negative_ratio=config.negative_ratio,
        exclude_pairs=inputs.exclude_pairs,
        random_state=sub_seed(config.seed, "negatives"),
    )
    table = pairs.table.copy()
    table["split"] = split_by_drug(
        table["chemical_id"], config.fractions, sub_seed(config.seed, "split")
    )
    X = _features(inputs, table)
    y = table["label"].to_numpy(np.int64)
    part = table["split"].to_numpy()
    tr, va, te = part == "train", part == "val", part == "test"
    clf = config.classifier(drug_dim=inputs.drug_embedding.dim, device=device)
    clf.fit(X[tr], y[tr], eval_set=(X[va], y[va]) if va.any() else None, callbacks=callbacks)
    probas = {"model": clf.predict_proba(X[te])}
    base, base_info = baseline_probas(
        X[tr],
        y[tr],
        X[te],
        X_val=X[va],
        y_val=y[va],
        Cs=config.logistic_Cs,
        random_state=sub_seed(config.seed, "baselines"),
    )
    probas.update(base)
    test = table[te][["chemical_id", "entrez", "label"]].reset_index(drop=True)
    for name, p in probas.items():
        for i, c in enumerate(CLASSES):
            test[f"{name}_{c}"] = p[:, i].astype(np.float32)
    report: dict[str, Any] = {
        "labels": pairs.stats,
        "split": _split_summary(table),
        "n_train": int(tr.sum()),
        "n_val": int(va.sum()),
        "n_test": int(te.sum()),
        "baselines": base_info,
        "training": {
            "epochs": clf.n_epochs_,
            "best_epoch": clf.best_epoch_,
            "seconds": round(clf.fit_seconds_, 3),
            "device": clf.device_,
            "history": clf.history_,
        },
    }
    clf.save(out / "model.pt")
    table.to_parquet(out / "pairs.parquet", index=False)
    test.to_parquet(out / "test_proba.parquet", index=False)
    atomic_write_json(out / "report.json", report)


@dataclass(frozen=True)
class TargetStage:
    """A fitted ``targets`` entry: model, labelled pairs, test probabilities.

    Attributes
    ----------
    path : pathlib.Path
        The cache entry.
    config : TargetConfig
        Config it was requested with (thresholds apply to :meth:`evaluation`
        and :attr:`classifier`; they are not part of the model's key).
    """

    path: Path
    config: TargetConfig

    @cached_property
    def report(self) -> dict[str, Any]:
        """Label counts, split sizes and the training history."""
        return json.loads((self.path / "report.json").read_text())

    @cached_property
    def classifier(self) -> DrugTargetClassifier:
        clf = DrugTargetClassifier.load(self.path / "model.pt")
        return clf.set_params(
            inhibition_threshold=self.config.inhibition_threshold,
            activation_threshold=self.config.activation_threshold,
        )

    @cached_property
    def pairs(self) -> pd.DataFrame:
        """Labelled pairs with their ``split``."""
        return pd.read_parquet(self.path / "pairs.parquet")

    @cached_property
    def test_proba(self) -> pd.DataFrame:
        """Test pairs with the model's and baselines' probabilities."""
        return pd.read_parquet(self.path / "test_proba.parquet")

    def evaluation(self) -> dict[str, Any]:
        """Rule and argmax metrics of the model and the baselines on the test split."""
        t = self.test_proba
        y = t["label"].to_numpy(np.int64)
        th = (self.config.inhibition_threshold, self.config.activation_threshold)
        out: dict[str, Any] = {}
        for name in ("model", "majority", "logistic"):
            p = t[[f"{name}_{c}" for c in CLASSES]].to_numpy(np.float64)
            out[name] = evaluate_proba(p, y, *th)
        return out


def fit_targets(
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    device: str | None = None,
    callbacks: Sequence[FitCallback] = (),
    force: bool = False,
) -> TargetStage:
    """Build labels, split by drug, fit and evaluate once per config and inputs.

    Cached as stage ``targets``; the key leaves out the decision thresholds and
    the grid precision (they do not change the fitted model).

    Parameters
    ----------
    config : TargetConfig, optional
    inputs : TargetInputs, optional
        Defaults to :func:`load_inputs`.
    device : str, optional
        Torch device (not part of the key); CUDA when present by default.
    callbacks : sequence of :class:`~ddi_core.fitloop.FitCallback`
        Told of every training epoch (not on a cache hit).
    force : bool
        Refit even when cached.

    Returns
    -------
    TargetStage
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    key = {k: v for k, v in cfg.key().items() if k not in _MODEL_ONLY}
    path = cached(
        STAGE,
        {"part": "model", **key},
        inp.hashes,
        lambda out: _compute_model(out, cfg, inp, device, callbacks),
        force=force,
    )
    return TargetStage(path, cfg)
