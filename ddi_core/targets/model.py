"""Drug–target classifier: drug ⊕ gene (600-d) → {inhibition, none, activation}.

The method's network ("Drug Target Prediction" in the paper): input 600 = drug
InfoGraph vector (300) ⊕ gene node2vec vector (300), two hidden layers of 1024
units, each Linear → BatchNorm → ELU → Dropout(0.2), and 3 softmax outputs in
the order :data:`CLASSES` = (inhibition, none, activation). Decision rule
(:func:`decide`): inhibition if ``p[inhibition] > 0.88``, else activation if
``p[activation] > 0.45``, else none.

Scoring every drug against every network gene (~15 M pairs) uses the
first-layer split: for ``x = d ⊕ g``, ``W x + b = W_d d + W_g g + b``, and in
eval mode BatchNorm is an affine map, so the whole first block up to the ELU is
``ELU(P_d[d] + P_g[g])`` with ``P_d`` computed once per drug and ``P_g`` once
per gene (:class:`FactorisedTargetScorer`). Only the second 1024×1024 layer and the
output layer run per pair.

Labelled pairs, the drug-disjoint split, metrics and baselines are in this
module too; the cached pipeline over the real data is
:mod:`ddi_core.targets.stage`.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from ddi_core.cache import atomic_write_bytes
from ddi_core.device import resolve_device
from ddi_core.fitloop import FitCallback, fit
from ddi_core.seeds import sub_seed
from ddi_core.targets.decision import (
    DEFAULT_ACTIVATION_THRESHOLD,
    DEFAULT_INHIBITION_THRESHOLD,
    decide,
)

log = logging.getLogger(__name__)


Precision = Literal["auto", "float32", "bfloat16"]


class TargetNet(nn.Module):
    """MLP ``in → hidden… → 3`` with Linear → BatchNorm → ELU → Dropout blocks.

    Parameters
    ----------
    in_dim : int
        Input width (600 = 300 drug + 300 gene in the method).
    hidden : sequence of int
        Hidden widths ((1024, 1024) in the method).
    dropout : float
        Dropout probability after every hidden block (0.2 in the method).
    n_classes : int
        Outputs (logits; softmax is applied by the caller).
    """

    def __init__(
        self,
        in_dim: int = 600,
        hidden: Sequence[int] = (1024, 1024),
        dropout: float = 0.2,
        n_classes: int = 3,
    ):
        super().__init__()
        if not hidden:
            raise ValueError("TargetNet needs at least one hidden layer")
        self.hparams: dict[str, Any] = {
            "in_dim": int(in_dim),
            "hidden": [int(h) for h in hidden],
            "dropout": float(dropout),
            "n_classes": int(n_classes),
        }
        blocks: list[nn.Module] = []
        width = in_dim
        for h in hidden:
            blocks += [nn.Linear(width, h), nn.BatchNorm1d(h), nn.ELU(), nn.Dropout(dropout)]
            width = h
        blocks.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*blocks)

    @classmethod
    def build(cls, hparams: Mapping[str, Any]) -> TargetNet:
        """Rebuild from :attr:`hparams`."""
        return cls(**dict(hparams))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits, shape ``(n, n_classes)``."""
        return self.layers(x)

    def hidden_blocks(self) -> list[tuple[nn.Linear, nn.BatchNorm1d]]:
        """``(Linear, BatchNorm1d)`` of each hidden block, in order."""
        mods = list(self.layers)
        return [(mods[i], mods[i + 1]) for i in range(0, len(mods) - 1, 4)]

    @property
    def output(self) -> nn.Linear:
        return self.layers[-1]


def _fold_bn(lin: nn.Linear, bn: nn.BatchNorm1d) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight and bias of ``bn(lin(x))`` with ``bn`` in eval mode (an affine map)."""
    s = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    w = lin.weight.detach() * s[:, None]
    b = (lin.bias.detach() - bn.running_mean) * s + bn.bias.detach()
    return w, b


class DrugTargetClassifier(ClassifierMixin, BaseEstimator):
    """The method's drug–target classifier with a scikit-learn interface.

    ``X`` rows are ``drug_vector ⊕ gene_vector`` (the first ``drug_dim``
    columns are the drug); ``y`` holds class indices in :data:`CLASSES` order
    (0 inhibition, 1 none, 2 activation).

    Parameters
    ----------
    drug_dim : int
        Columns of ``X`` that belong to the drug (used by :meth:`scorer`).
    hidden : tuple of int
        Hidden widths; (1024, 1024) is the method.
    dropout : float
        Dropout after each hidden block; 0.2 is the method.
    lr, weight_decay : float
        Adam learning rate and weight decay (the paper does not give these for
        this classifier).
    batch_size, max_epochs, patience : int
        Mini-batch size; epoch cap; early stopping stops after ``patience``
        epochs without a lower validation loss and restores the best weights.
    validation_fraction : float
        Share of the training rows held out for early stopping when ``fit`` gets
        no ``eval_set``; held out by group (drug) when ``groups`` is given.
        ``0`` trains ``max_epochs`` without early stopping.
    standardize : bool
        Standardize features with the training mean/std (folded into the first
        layer by :meth:`scorer`).
    class_weight : {"balanced"} or None
        Cross-entropy class weights.
    inhibition_threshold, activation_threshold : float
        Decision rule of :meth:`decide` / :meth:`predict`.
    device : str or None
        ``None`` → CUDA when present, CPU otherwise.
    random_state : int
        Seeds weight init, shuffling, dropout and the internal validation split.
        The global torch RNG state is restored after ``fit``.
    """

    def __init__(
        self,
        *,
        drug_dim: int = 300,
        hidden: tuple[int, ...] = (1024, 1024),
        dropout: float = 0.2,
        lr: float = 1e-3,
        weight_decay: float = 1e-5,
        batch_size: int = 256,
        max_epochs: int = 100,
        patience: int = 10,
        validation_fraction: float = 0.1,
        standardize: bool = True,
        class_weight: Literal["balanced"] | None = None,
        inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
        activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
        device: str | None = None,
        random_state: int = 0,
    ):
        self.drug_dim = drug_dim
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.standardize = standardize
        self.class_weight = class_weight
        self.inhibition_threshold = inhibition_threshold
        self.activation_threshold = activation_threshold
        self.device = device
        self.random_state = random_state

    # -- fitting ------------------------------------------------------------
    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        groups: np.ndarray | None = None,
        eval_set: tuple[np.ndarray, np.ndarray] | None = None,
        callbacks: Sequence[FitCallback] = (),
    ) -> DrugTargetClassifier:
        """Train with Adam and cross-entropy; early stopping on validation loss.

        Parameters
        ----------
        X : array, shape (n, drug_dim + gene_dim)
        y : array of int, shape (n,)
            Class indices 0/1/2.
        groups : array, shape (n,), optional
            Drug of each row; the internal validation split keeps groups whole.
        eval_set : (X_val, y_val), optional
            Validation data for early stopping (overrides ``validation_fraction``).
        callbacks : sequence of :class:`~ddi_core.fitloop.FitCallback`
            ``on_epoch(report)`` after every epoch (progress bars). The epochs,
            early stopping and restore are :func:`ddi_core.fitloop.fit`.

        Returns
        -------
        self
        """
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"X {X.shape} and y {y.shape} do not match")
        if not 0 < self.drug_dim < X.shape[1]:
            raise ValueError(f"drug_dim={self.drug_dim} must split {X.shape[1]} columns")
        if y.size and (y.min() < 0 or y.max() > 2):
            raise ValueError("y must hold class indices 0 (inhibition), 1 (none), 2 (activation)")
        dev = resolve_device(self.device)

        if eval_set is not None:
            Xt, yt = X, y
            Xv = np.asarray(eval_set[0], dtype=np.float32)
            yv = np.asarray(eval_set[1], dtype=np.int64)
        elif self.validation_fraction > 0:
            rng = np.random.default_rng(sub_seed(self.random_state, "validation"))
            if groups is not None:
                g = np.asarray(groups)
                uniq = np.unique(g)
                n_val = max(1, int(round(self.validation_fraction * len(uniq))))
                val_groups = rng.permutation(uniq)[:n_val]
                is_val = np.isin(g, val_groups)
            else:
                is_val = np.zeros(len(y), bool)
                is_val[
                    rng.permutation(len(y))[: max(1, int(round(self.validation_fraction * len(y))))]
                ] = True
            Xt, yt, Xv, yv = X[~is_val], y[~is_val], X[is_val], y[is_val]
        else:
            Xt, yt, Xv, yv = X, y, None, None

        if self.standardize:
            mean = Xt.mean(axis=0)
            scale = Xt.std(axis=0)
            scale[scale < 1e-8] = 1.0
        else:
            mean = np.zeros(X.shape[1], np.float32)
            scale = np.ones(X.shape[1], np.float32)
        self.mean_ = mean.astype(np.float32)
        self.scale_ = scale.astype(np.float32)
        self.n_features_in_ = int(X.shape[1])
        self.classes_ = np.arange(3)

        weight = None
        if self.class_weight == "balanced":
            counts = np.bincount(yt, minlength=3).astype(np.float64)
            w = np.where(counts > 0, len(yt) / (3 * np.maximum(counts, 1)), 0.0)
            weight = torch.tensor(w, dtype=torch.float32, device=dev)
        elif self.class_weight is not None:
            raise ValueError(f"class_weight must be 'balanced' or None, got {self.class_weight!r}")

        t_all = time.perf_counter()
        cuda_devices = [dev] if dev.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(sub_seed(self.random_state, "torch_init"))
            net = TargetNet(X.shape[1], self.hidden, self.dropout).to(dev)
            gen = torch.Generator().manual_seed(sub_seed(self.random_state, "shuffle"))
            opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            loss_fn = nn.CrossEntropyLoss(weight=weight)
            xt = torch.from_numpy(self._scale(Xt)).to(dev)
            ytt = torch.from_numpy(yt).to(dev)
            xv = torch.from_numpy(self._scale(Xv)).to(dev) if Xv is not None and len(Xv) else None
            yvt = torch.from_numpy(yv).to(dev) if xv is not None else None

            n = xt.shape[0]

            def run_epoch(_epoch: int) -> dict[str, float]:
                net.train()
                order = torch.randperm(n, generator=gen).to(dev)
                total = 0.0
                seen = 0
                for start in range(0, n, self.batch_size):
                    idx = order[start : start + self.batch_size]
                    if idx.numel() < 2:  # BatchNorm cannot train on one row
                        continue
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(net(xt[idx]), ytt[idx])
                    loss.backward()
                    opt.step()
                    total += float(loss.detach()) * idx.numel()
                    seen += idx.numel()
                last["train_loss"] = total / max(seen, 1)
                return {"train_loss": last["train_loss"]}

            last: dict[str, float] = {}
            has_val = xv is not None
            res = fit(
                run_epoch,
                max_epochs=self.max_epochs,
                # without validation the best epoch is tracked on the training loss, not restored
                validate=(
                    (lambda: (self._loss(net, xv, yvt, loss_fn), {}))
                    if has_val
                    else (lambda: (last["train_loss"], {}))
                ),
                patience=self.patience if has_val else None,
                min_delta=1e-6,
                snapshot=(
                    (
                        lambda: copy.deepcopy(
                            {k: v.detach().cpu() for k, v in net.state_dict().items()}
                        )
                    )
                    if has_val
                    else None
                ),
                restore=net.load_state_dict,
                callbacks=list(callbacks),
                check_finite=False,
            )
        history = [
            {
                "epoch": r.epoch + 1,
                "train_loss": r.train_loss,
                "val_loss": r.val_loss if has_val else None,
                "best_epoch": r.best_epoch + 1,
                "seconds": r.seconds,
            }
            for r in res.history
        ]
        best_epoch, best_loss = res.best_epoch + 1, res.best_val_loss
        net.eval()
        self.model_ = net.cpu()
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.n_epochs_ = len(history)
        self.device_ = str(dev)
        self.fit_seconds_ = time.perf_counter() - t_all
        log.info(
            "target classifier: %d epochs (best %d, val loss %.4f) in %.1f s on %s",
            self.n_epochs_,
            best_epoch,
            best_loss,
            self.fit_seconds_,
            dev,
        )
        return self

    def _scale(self, X: np.ndarray | None) -> np.ndarray:
        if X is None:
            return np.zeros((0, self.n_features_in_), np.float32)
        return ((np.asarray(X, dtype=np.float32) - self.mean_) / self.scale_).astype(np.float32)

    @staticmethod
    @torch.no_grad()
    def _loss(net: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module) -> float:
        net.eval()
        total = 0.0
        for s in range(0, x.shape[0], 8192):
            total += float(loss_fn(net(x[s : s + 8192]), y[s : s + 8192])) * min(
                8192, x.shape[0] - s
            )
        return total / max(x.shape[0], 1)

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("DrugTargetClassifier is not fitted yet; call fit first")

    # -- prediction ---------------------------------------------------------
    def predict_proba(self, X: np.ndarray, *, batch_size: int = 65536) -> np.ndarray:
        """Softmax probabilities, shape ``(n, 3)``, in :data:`CLASSES` order."""
        self._check_fitted()
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} columns, got {X.shape}")
        dev = resolve_device(self.device)
        net = self.model_.to(dev).eval()
        out = []
        with torch.inference_mode():
            for s in range(0, X.shape[0], batch_size):
                xb = torch.from_numpy(self._scale(X[s : s + batch_size])).to(dev)
                out.append(torch.softmax(net(xb), dim=1).cpu().numpy())
        self.model_ = net.cpu()
        return np.concatenate(out) if out else np.zeros((0, 3), np.float32)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """:func:`decide` with this classifier's thresholds."""
        return decide(proba, self.inhibition_threshold, self.activation_threshold)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class indices by the decision rule (not argmax)."""
        return self.decide(self.predict_proba(X))

    def predict_argmax(self, X: np.ndarray) -> np.ndarray:
        """Class indices by argmax of the probabilities."""
        return self.predict_proba(X).argmax(axis=1)

    # -- persistence --------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild the fitted classifier (torch-saveable)."""
        self._check_fitted()
        params = self.get_params()
        params["hidden"] = list(params["hidden"])
        return {
            "params": params,
            "hparams": self.model_.hparams,
            "state_dict": {k: v.detach().cpu() for k, v in self.model_.state_dict().items()},
            "mean": torch.from_numpy(self.mean_),
            "scale": torch.from_numpy(self.scale_),
            "history": self.history_,
            "best_epoch": self.best_epoch_,
            "device": self.device_,
            "fit_seconds": float(self.fit_seconds_),
        }

    def save(self, path: Any) -> None:
        """Write :meth:`state` with ``torch.save`` (atomic rename)."""
        import io

        buf = io.BytesIO()
        torch.save(self.state(), buf)
        from pathlib import Path

        atomic_write_bytes(Path(path), buf.getvalue())

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> DrugTargetClassifier:
        params = dict(state["params"])
        params["hidden"] = tuple(params["hidden"])
        clf = cls(**params)
        net = TargetNet.build(state["hparams"])
        net.load_state_dict(state["state_dict"])
        net.eval()
        clf.model_ = net
        clf.mean_ = state["mean"].numpy().astype(np.float32)
        clf.scale_ = state["scale"].numpy().astype(np.float32)
        clf.n_features_in_ = int(net.hparams["in_dim"])
        clf.classes_ = np.arange(3)
        clf.history_ = list(state.get("history", []))
        clf.best_epoch_ = int(state.get("best_epoch", 0))
        clf.n_epochs_ = len(clf.history_)
        clf.device_ = str(state.get("device", "cpu"))
        clf.fit_seconds_ = float(state.get("fit_seconds", 0.0))
        return clf

    @classmethod
    def load(cls, path: Any) -> DrugTargetClassifier:
        """Read a file written by :meth:`save` (``weights_only`` load)."""
        return cls.from_state(torch.load(path, map_location="cpu", weights_only=True))
