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
per gene (:class:`FactoredScorer`). Only the second 1024×1024 layer and the
output layer run per pair.

Labelled pairs, the drug-disjoint split, metrics and baselines are in this
module too; the cached pipeline over the real data is
:mod:`ddi_core.targets.stage`.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

log = logging.getLogger(__name__)

#: Output order of the classifier (the method's order).
CLASSES: tuple[str, str, str] = ("inhibition", "none", "activation")
INHIBITION, NONE, ACTIVATION = 0, 1, 2
#: Class index -> sign of the drug's effect on the gene.
CLASS_SIGN = np.array([-1, 0, 1], dtype=np.int8)

DEFAULT_INHIBITION_THRESHOLD = 0.88
DEFAULT_ACTIVATION_THRESHOLD = 0.45

Precision = Literal["auto", "float32", "bfloat16"]


# ---------------------------------------------------------------------------
# decision rule
# ---------------------------------------------------------------------------


def decide(
    proba: np.ndarray | torch.Tensor,
    inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
    activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
) -> np.ndarray:
    """The method's decision rule on class probabilities.

    Parameters
    ----------
    proba : array, shape (n, 3)
        Probabilities in :data:`CLASSES` order (inhibition, none, activation).
    inhibition_threshold, activation_threshold : float
        Inhibition when ``p[:, 0] > inhibition_threshold``; otherwise activation
        when ``p[:, 2] > activation_threshold``; otherwise none. Strict ``>``.

    Returns
    -------
    numpy.ndarray
        int64 class indices, shape ``(n,)``.
    """
    p = proba.detach().cpu().numpy() if isinstance(proba, torch.Tensor) else np.asarray(proba)
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"proba must have shape (n, 3), got {p.shape}")
    out = np.full(p.shape[0], NONE, dtype=np.int64)
    act = p[:, ACTIVATION] > activation_threshold
    out[act] = ACTIVATION
    out[p[:, INHIBITION] > inhibition_threshold] = INHIBITION
    return out


def prior_shift(pi_train: Sequence[float], pi_deploy: Sequence[float]) -> np.ndarray:
    """Per-class logit shift ``log(pi_deploy / pi_train)`` (Saerens et al. 2002).

    A classifier trained where class ``c`` has prior ``pi_train[c]`` gives
    posteriors for a population with priors ``pi_deploy`` after
    ``p'_c ∝ p_c · pi_deploy[c] / pi_train[c]``, i.e. a softmax of the logits
    plus this shift.
    """
    a = np.asarray(pi_train, np.float64)
    b = np.asarray(pi_deploy, np.float64)
    if a.shape != (3,) or b.shape != (3,):
        raise ValueError(f"priors must have 3 classes, got {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.all(a > 0) and np.all(b > 0)):
        raise ValueError(f"priors must be positive and finite, got {a.tolist()} and {b.tolist()}")
    return np.log(b / b.sum()) - np.log(a / a.sum())


def correct_proba(proba: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """Class probabilities re-weighted for another class prior (see :func:`prior_shift`)."""
    p = np.asarray(proba, np.float64)
    if shift is None:
        return p
    w = p * np.exp(np.asarray(shift, np.float64))[None, :]
    return w / w.sum(axis=1, keepdims=True)


def top_k_calls(drug_idx: np.ndarray, proba: np.ndarray, k: int,
                weight: np.ndarray | None = None) -> np.ndarray:
    """Mask of the ``k`` pairs per drug most likely to be a target (``1 - p_none``).

    With ``weight`` (one positive value per pair) the score is
    ``(1 - p_none) / weight``: e.g. the gene's mean target probability over
    drugs, which ranks by lift instead of by probability. Ties break by
    position (stable). The sign of a call is the larger of inhibition and
    activation (:func:`top_k_classes`).
    """
    d = np.asarray(drug_idx, np.int64)
    score = 1.0 - np.asarray(proba, np.float64)[:, NONE]
    if weight is not None:
        score = score / np.asarray(weight, np.float64)
    order = np.lexsort((-score, d))  # by drug, then most likely first
    ds = d[order]
    start = np.r_[0, np.flatnonzero(np.diff(ds)) + 1]
    rank = np.arange(len(ds)) - np.repeat(start, np.diff(np.r_[start, len(ds)]))
    keep = np.zeros(len(d), bool)
    keep[order[rank < k]] = True
    return keep


def top_k_classes(proba: np.ndarray) -> np.ndarray:
    """Class of a top-k call: inhibition or activation, whichever is likelier."""
    p = np.asarray(proba)
    return np.where(p[:, INHIBITION] >= p[:, ACTIVATION], INHIBITION, ACTIVATION).astype(np.int64)


# ---------------------------------------------------------------------------
# network
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# devices and seeds
# ---------------------------------------------------------------------------


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None``/"auto" → CUDA when present, CPU otherwise."""
    if device is None or str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def sub_seed(seed: int, name: str) -> int:
    """A named 31-bit sub-seed of a root seed (split, negatives, torch init, ...)."""
    import hashlib

    h = hashlib.sha256(f"{int(seed)}:{name}".encode()).hexdigest()
    return int(h[:8], 16) & 0x7FFFFFFF


# ---------------------------------------------------------------------------
# classifier
# ---------------------------------------------------------------------------


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
        on_epoch: Callable[[dict[str, Any]], None] | None = None,
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
        on_epoch : callable, optional
            Called after every epoch with ``{"epoch", "train_loss", "val_loss",
            "best_epoch", "seconds"}`` (progress bars).

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
                is_val[rng.permutation(len(y))[: max(1, int(round(self.validation_fraction * len(y))))]] = True
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

            history: list[dict[str, Any]] = []
            best_loss, best_epoch, best_state = math.inf, 0, None
            n = xt.shape[0]
            for epoch in range(1, self.max_epochs + 1):
                t0 = time.perf_counter()
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
                train_loss = total / max(seen, 1)
                val_loss = self._loss(net, xv, yvt, loss_fn) if xv is not None else train_loss
                if val_loss < best_loss - 1e-6:
                    best_loss, best_epoch = val_loss, epoch
                    best_state = copy.deepcopy({k: v.detach().cpu() for k, v in net.state_dict().items()})
                info = {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "val_loss": val_loss if xv is not None else None,
                    "best_epoch": best_epoch,
                    "seconds": time.perf_counter() - t0,
                }
                history.append(info)
                log.debug("epoch %d train %.4f val %s", epoch, train_loss, info["val_loss"])
                if on_epoch is not None:
                    on_epoch(dict(info))
                if xv is not None and epoch - best_epoch >= self.patience:
                    break
        if best_state is not None and xv is not None:
            net.load_state_dict(best_state)
        net.eval()
        self.model_ = net.cpu()
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.n_epochs_ = len(history)
        self.device_ = str(dev)
        self.fit_seconds_ = time.perf_counter() - t_all
        log.info(
            "target classifier: %d epochs (best %d, val loss %.4f) in %.1f s on %s",
            self.n_epochs_, best_epoch, best_loss, self.fit_seconds_, dev,
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
            total += float(loss_fn(net(x[s : s + 8192]), y[s : s + 8192])) * min(8192, x.shape[0] - s)
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

    def scorer(self, device: str | torch.device | None = None) -> FactoredScorer:
        """The fitted network as a :class:`FactoredScorer` (first-layer split)."""
        self._check_fitted()
        return FactoredScorer.from_classifier(self, device=device)

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

        from ddi_core.cache import atomic_write_bytes

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


# ---------------------------------------------------------------------------
# first-layer split: every drug × every gene
# ---------------------------------------------------------------------------


def _bf16_fast() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@dataclass
class GridResult:
    """Decisions of every drug × gene pair, kept sparse (non-``none`` only).

    Attributes
    ----------
    drug_idx, gene_idx : numpy.ndarray
        int64 row/column of each pair whose decision is not ``none``.
    cls : numpy.ndarray
        int64 decided class (0 inhibition or 2 activation).
    proba : numpy.ndarray
        float32 ``(m, 3)`` probabilities (full float32 precision).
    counts : dict
        Pairs per decided class over the whole grid, plus timing and precision.
    """

    drug_idx: np.ndarray
    gene_idx: np.ndarray
    cls: np.ndarray
    proba: np.ndarray
    counts: dict[str, Any] = field(default_factory=dict)


class FactoredScorer:
    """A fitted :class:`TargetNet` in eval mode, first layer split by drug and gene.

    ``logits(d ⊕ g) = head(ELU(P_d(d) + P_g(g)))`` where ``P_d(d) = s·W_d·d̃ + c``,
    ``P_g(g) = s·W_g·g̃``, ``x̃`` is the standardized input, and ``s``/``c`` fold
    BatchNorm's running statistics and affine parameters. ``head`` is the rest
    of the network with every BatchNorm folded into its Linear.

    Build with :meth:`DrugTargetClassifier.scorer`.
    """

    def __init__(
        self,
        w_drug: torch.Tensor,
        w_gene: torch.Tensor,
        bias: torch.Tensor,
        head: list[tuple[torch.Tensor, torch.Tensor]],
        mean: np.ndarray,
        scale: np.ndarray,
        drug_dim: int,
        device: torch.device,
    ):
        self.w_drug = w_drug
        self.w_gene = w_gene
        self.bias = bias
        self.head = head
        self.mean = mean
        self.scale = scale
        self.drug_dim = drug_dim
        self.device = device
        self._heads: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {}
        #: added to the logits before the softmax (:func:`prior_shift`); None = none
        self.logit_shift: torch.Tensor | None = None

    def with_prior_shift(self, shift: np.ndarray | None) -> FactoredScorer:
        """This scorer with probabilities corrected by a per-class logit shift."""
        self.logit_shift = (None if shift is None else
                            torch.as_tensor(np.asarray(shift, np.float32), device=self.device))
        return self

    @classmethod
    def from_classifier(
        cls, clf: DrugTargetClassifier, device: str | torch.device | None = None
    ) -> FactoredScorer:
        dev = resolve_device(device if device is not None else clf.device)
        net = clf.model_.eval()
        blocks = net.hidden_blocks()
        w1, b1 = _fold_bn(*blocks[0])
        dd = clf.drug_dim
        head = [tuple(t.to(dev) for t in _fold_bn(lin, bn)) for lin, bn in blocks[1:]]
        head.append((net.output.weight.detach().to(dev), net.output.bias.detach().to(dev)))
        return cls(
            w1[:, :dd].contiguous().to(dev),
            w1[:, dd:].contiguous().to(dev),
            b1.to(dev),
            head,
            clf.mean_,
            clf.scale_,
            dd,
            dev,
        )

    @torch.no_grad()
    def project_drugs(self, vectors: np.ndarray) -> torch.Tensor:
        """``P_d`` of each drug vector (bias included), shape ``(n, hidden)``."""
        d = (np.asarray(vectors, np.float32) - self.mean[: self.drug_dim]) / self.scale[: self.drug_dim]
        return torch.from_numpy(d.astype(np.float32)).to(self.device) @ self.w_drug.T + self.bias

    @torch.no_grad()
    def project_genes(self, vectors: np.ndarray) -> torch.Tensor:
        """``P_g`` of each gene vector, shape ``(n, hidden)``."""
        g = (np.asarray(vectors, np.float32) - self.mean[self.drug_dim :]) / self.scale[self.drug_dim :]
        return torch.from_numpy(g.astype(np.float32)).to(self.device) @ self.w_gene.T

    def _head(self, dtype: torch.dtype) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``(W.T, b)`` of the layers after the first, in ``dtype`` (cached)."""
        key = str(dtype)
        if key not in self._heads:
            self._heads[key] = [(w.T.contiguous().to(dtype), b.to(dtype)) for w, b in self.head]
        return self._heads[key]

    @torch.no_grad()
    def head_proba(self, h1_pre: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities (float32) from first-layer pre-activations.

        The matrix products run in ``h1_pre``'s dtype (bfloat16 is a fast screen
        on CPUs with AMX). ``h1_pre`` is overwritten.
        """
        layers = self._head(h1_pre.dtype)
        h = torch.nn.functional.elu(h1_pre, inplace=True)
        for wt, b in layers[:-1]:
            h = torch.nn.functional.elu(torch.addmm(b, h, wt), inplace=True)
        wt, b = layers[-1]
        logits = torch.addmm(b, h, wt).float()
        if self.logit_shift is not None:
            logits = logits + self.logit_shift
        return torch.softmax(logits, dim=1)

    @torch.no_grad()
    def proba_pairs(
        self, drug_part: torch.Tensor, gene_part: torch.Tensor, di: np.ndarray, gi: np.ndarray
    ) -> np.ndarray:
        """float32 probabilities of the pairs ``(di[k], gi[k])`` of projected tables."""
        out = []
        for s in range(0, len(di), 32768):
            a = torch.as_tensor(di[s : s + 32768], device=self.device)
            b = torch.as_tensor(gi[s : s + 32768], device=self.device)
            out.append(self.head_proba(drug_part[a] + gene_part[b]).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 3), np.float32)

    @torch.no_grad()
    def _screen_error(self, dp: torch.Tensor, gp: torch.Tensor, dtype: torch.dtype, n: int = 16384) -> float:
        """Largest |p_dtype − p_float32| over a fixed random sample of pairs."""
        rng = np.random.default_rng(0)
        di = rng.integers(0, dp.shape[0], n)
        gi = rng.integers(0, gp.shape[0], n)
        a = torch.as_tensor(di, device=self.device)
        b = torch.as_tensor(gi, device=self.device)
        p32 = self.head_proba(dp[a] + gp[b])
        plo = self.head_proba(dp[a].to(dtype) + gp[b].to(dtype))
        return float((p32 - plo).abs().max())

    def grid(
        self,
        drug_vectors: np.ndarray,
        gene_vectors: np.ndarray,
        *,
        inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
        activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
        precision: Precision = "auto",
        refine_margin: float = 0.05,
        block_pairs: int | None = None,
        top_k: int | None = None,
        gene_weight: np.ndarray | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> GridResult:
        """Decide every drug × gene pair in blocks; keep the non-``none`` ones.

        Parameters
        ----------
        drug_vectors, gene_vectors : numpy.ndarray
            Raw (unstandardized) embedding rows.
        inhibition_threshold, activation_threshold : float
            The decision rule.
        precision : {"auto", "float32", "bfloat16"}
            ``bfloat16`` screens all pairs with bfloat16 matrix products, then
            recomputes in float32 every pair decided non-``none`` or whose
            screened probability lies within ``refine_margin`` of a threshold,
            so kept probabilities and decisions are float32 ones (a pair can
            only differ if bfloat16 moved a probability by more than the
            margin). ``auto`` = float32 on CUDA, bfloat16 on CPUs with native
            bfloat16 support, float32 otherwise.
        refine_margin : float
            See ``precision``.
        block_pairs : int, optional
            Pairs per block (memory: about ``block_pairs × hidden × 8`` bytes);
            default 49,152 on CPU, 1,048,576 on CUDA.
        top_k : int, optional
            Instead of the thresholds, call the ``top_k`` genes per drug most
            likely to be targets (``1 - p_none``; :func:`top_k_calls`), each with
            the likelier of inhibition and activation.
        gene_weight : numpy.ndarray, optional
            With ``top_k``: rank a drug's genes by ``(1 - p_none) / gene_weight``
            (positive, one per gene), e.g. the gene's mean over drugs (lift).
        on_progress : callable, optional
            ``on_progress(drugs_done, n_drugs)`` after each block.

        Returns
        -------
        GridResult
        """
        if top_k is not None and top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        gw = None
        if gene_weight is not None:
            gw_np = np.asarray(gene_weight, np.float64)
            if gw_np.shape != (len(gene_vectors),) or not np.all(gw_np > 0):
                raise ValueError("gene_weight must hold one positive value per gene")
            gw = torch.as_tensor(gw_np, dtype=torch.float32, device=self.device)
        if precision == "auto":
            precision = "bfloat16" if self.device.type == "cpu" and _bf16_fast() else "float32"
        dtype = torch.bfloat16 if precision == "bfloat16" else torch.float32
        t0 = time.perf_counter()
        dp = self.project_drugs(drug_vectors)
        gp = self.project_genes(gene_vectors)
        dp_s, gp_s = dp.to(dtype), gp.to(dtype)
        n_d, n_g = dp.shape[0], gp.shape[0]
        if block_pairs is None:
            block_pairs = 1 << 20 if self.device.type == "cuda" else 49152
        per = max(1, block_pairs // max(n_g, 1))
        keep_d: list[np.ndarray] = []
        keep_g: list[np.ndarray] = []
        n_refined = 0
        with torch.inference_mode():
            for s in range(0, n_d, per):
                e = min(n_d, s + per)
                pre = (dp_s[s:e, None, :] + gp_s[None, :, :]).reshape(-1, dp.shape[1])
                p = self.head_proba(pre)
                if dtype == torch.float32:
                    cand = (p[:, INHIBITION] > inhibition_threshold) | (
                        p[:, ACTIVATION] > activation_threshold
                    )
                else:
                    cand = (p[:, INHIBITION] > inhibition_threshold - refine_margin) | (
                        p[:, ACTIVATION] > activation_threshold - refine_margin
                    )
                if top_k is not None:  # the screen keeps a margin of extra candidates
                    kk = min(n_g, top_k if dtype == torch.float32 else 2 * top_k + 8)
                    sc = 1.0 - p[:, NONE].reshape(e - s, n_g)
                    if gw is not None:
                        sc = sc / gw[None, :]
                    t = torch.topk(sc, kk, dim=1).indices
                    cand = torch.zeros(p.shape[0], dtype=torch.bool, device=p.device)
                    cand[(t + torch.arange(e - s, device=p.device)[:, None] * n_g).reshape(-1)] = True
                flat = torch.nonzero(cand).squeeze(1).cpu().numpy()
                keep_d.append(s + flat // n_g)
                keep_g.append(flat % n_g)
                if on_progress is not None:
                    on_progress(e, n_d)
        di = np.concatenate(keep_d) if keep_d else np.zeros(0, np.int64)
        gi = np.concatenate(keep_g) if keep_g else np.zeros(0, np.int64)
        screen_s = time.perf_counter() - t0
        # exact float32 probabilities of the kept pairs (and borderline ones)
        proba = self.proba_pairs(dp, gp, di, gi)
        bf16_err = None
        if dtype != torch.float32:
            n_refined = len(di)
            bf16_err = self._screen_error(dp, gp, dtype)
            if bf16_err > refine_margin / 2:
                log.warning(
                    "bfloat16 screen moved probabilities by up to %.4f (margin %.3f): "
                    "use precision='float32'", bf16_err, refine_margin,
                )
        if top_k is None:
            cls_ = decide(proba, inhibition_threshold, activation_threshold)
        else:
            w = None if gene_weight is None else np.asarray(gene_weight, np.float64)[gi]
            cls_ = np.where(top_k_calls(di, proba, top_k, w), top_k_classes(proba), NONE)
        nz = cls_ != NONE
        res = GridResult(di[nz].astype(np.int64), gi[nz].astype(np.int64), cls_[nz], proba[nz])
        n_pairs = int(n_d) * int(n_g)
        n_inh = int((res.cls == INHIBITION).sum())
        n_act = int((res.cls == ACTIVATION).sum())
        res.counts = {
            "n_drugs": int(n_d),
            "n_genes": int(n_g),
            "n_pairs": n_pairs,
            "inhibition": n_inh,
            "activation": n_act,
            "none": n_pairs - n_inh - n_act,
            "precision": precision,
            "rule": ("threshold" if top_k is None else
                     f"top_{top_k}" + ("_lift" if gene_weight is not None else "")),
            "prior_corrected": self.logit_shift is not None,
            "refined_float32": int(n_refined),
            "bfloat16_max_abs_error_sample": bf16_err,
            "screen_seconds": round(screen_s, 3),
            "seconds": round(time.perf_counter() - t0, 3),
            "device": str(self.device),
        }
        log.info(
            "target grid: %d drugs x %d genes = %d pairs in %.1f s (%s): %d inhibition, %d activation",
            n_d, n_g, n_pairs, res.counts["seconds"], precision, n_inh, n_act,
        )
        return res
