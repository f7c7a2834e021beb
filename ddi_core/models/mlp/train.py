"""Training loop for the pair MLP: batches from tables, SMOTE, early stopping.

The method's protocol: Adam (lr 1e-4, weight decay 1e-5), batch 256,
``BCEWithLogitsLoss``, early stopping with patience 10 on validation loss, best
weights restored. SMOTE (fitted on the training pairs only) adds synthetic
samples to the training batches only; validation batches are the original pairs.

The epochs, early stopping and best-weight restore are the project's one fit
loop (:func:`ddi_core.fitloop.fit`); progress goes through its callbacks
(``on_batch``, ``on_epoch(report)``), so the CLI's tqdm bar and the UI's
progress bar hang off the loop without subclassing it; a cancellation event is
checked before every batch.

Determinism: the caller fixes the init seed (:func:`ddi_core.models.mlp.build_model`);
the shuffle order comes from a ``torch.Generator`` seeded with
``shuffle_seed``; dropout masks come from the global torch RNG, which is forked
(saved and restored around the loop) and seeded with ``dropout_seed`` inside it,
so nothing outside the call is affected. On CPU the same seeds give the same
metrics; on CUDA, cuBLAS/cuDNN may add small nondeterminism.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from ddi_core.device import resolve_device
from ddi_core.errors import DDIError
from ddi_core.fitloop import EpochReport, FitCallback, fit
from ddi_core.pairs.features import PairFeatures
from ddi_core.pairs.pairs import Pairs, SyntheticPairs
from ddi_core.pairs.smote import PairSMOTE

log = logging.getLogger(__name__)

__all__ = [
    "TrainLoopConfig",
    "history_row",
    "TrainResult",
    "train",
]

Status = Literal["completed", "early_stopped", "cancelled"]


@dataclass(frozen=True)
class TrainLoopConfig:
    """Settings of :func:`train` (the paper's values by default).

    Attributes
    ----------
    max_epochs : int
    patience : int
        Epochs without a validation-loss improvement larger than ``min_delta``
        before stopping.
    batch_size, lr, weight_decay : training hyper-parameters.
    smote : bool
        Oversample the minority class of the training pairs (no-op at 1:1).
    smote_k : int
    shuffle_seed, dropout_seed, smote_seed : int
        Named sub-seeds (the torch init seed belongs to ``build_model``).
    eval_batch_size : int
        Batch size for validation passes.
    min_delta : float
    """

    max_epochs: int = 200
    patience: int = 10
    batch_size: int = 256
    lr: float = 1e-4
    weight_decay: float = 1e-5
    smote: bool = True
    smote_k: int = 5
    shuffle_seed: int = 0
    dropout_seed: int = 0
    smote_seed: int = 0
    eval_batch_size: int = 4096
    min_delta: float = 0.0

    @classmethod
    def from_train_config(cls, tc: Any, **seeds: int) -> TrainLoopConfig:
        """Take the shared fields of ``ddi_core.config.run.TrainConfig`` plus named seeds."""
        names = {f for f in cls.__dataclass_fields__}
        kw = {n: getattr(tc, n) for n in names if hasattr(tc, n)}
        kw.update(seeds)
        return cls(**kw)


def history_row(r: EpochReport) -> dict[str, float]:
    """One epoch of the run record's history: ``epoch`` (from 0), losses, accuracies,
    ``eta_seconds``, ``seconds``, ``best_val_loss`` (the keys ``curves.json`` has always had)."""
    return {
        "epoch": r.epoch,
        "train_loss": r.train_loss,
        "val_loss": r.val_loss,
        "train_acc": r.extra["train_acc"],
        "val_acc": r.extra["val_acc"],
        "eta_seconds": r.eta_seconds,
        "seconds": r.seconds,
        "best_val_loss": r.best_val_loss,
    }


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    Attributes
    ----------
    status : {"completed", "early_stopped", "cancelled"}
    best_epoch : int
        Epoch (from 0) whose weights were restored; -1 if no epoch finished.
    best_val_loss : float
    epochs_run : int
        Epochs completed.
    history : list of dict
        One :func:`history_row` per completed epoch.
    n_train, n_synthetic, n_val : int
    device : str
    seconds : float
    config : dict
    """

    status: Status
    best_epoch: int
    best_val_loss: float
    epochs_run: int
    history: list[dict[str, float]] = field(default_factory=list)
    n_train: int = 0
    n_synthetic: int = 0
    n_val: int = 0
    device: str = "cpu"
    seconds: float = 0.0
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _eval_pass(
    model: nn.Module, features: PairFeatures, pairs: Pairs, batch_size: int
) -> tuple[float, float]:
    """Mean BCE and accuracy at 0.5 on ``pairs`` (eval mode, no grad)."""
    dev = features.device
    loss_sum = torch.zeros((), dtype=torch.float64, device=dev)
    correct = torch.zeros((), dtype=torch.int64, device=dev)
    model.eval()
    with torch.no_grad():
        for lo in range(0, len(pairs), batch_size):
            sl = slice(lo, lo + batch_size)
            x = features.batch(pairs.drug[sl], pairs.dis[sl])
            y = torch.as_tensor(pairs.y[sl], device=dev)
            logits = model(x)
            loss_sum += nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="sum")
            correct += ((logits > 0).float() == y).sum()
    n = max(1, len(pairs))
    return float(loss_sum) / n, float(correct) / n


def _check_features(features: PairFeatures, train_pairs: Pairs, model: nn.Module) -> None:
    sc = features.scaler
    if sc is None:
        log.warning("training on unstandardised features (no scaler)")
    elif not sc.fitted_on(train_pairs.drug, train_pairs.dis):
        raise DDIError(
            "the feature scaler was not fitted on exactly these training pairs "
            "(fit it on the training split only: features.standardized_features)"
        )
    first = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
    if first is not None and first.in_features != features.dim:
        raise DDIError(
            f"model expects {first.in_features} features, the features have {features.dim}"
        )


def train(
    model: nn.Module,
    train_pairs: Pairs,
    val_pairs: Pairs,
    features: PairFeatures,
    config: TrainLoopConfig | None = None,
    callbacks: Sequence[FitCallback] | None = None,
    should_stop: Callable[[], bool] | None = None,
    device: torch.device | str | None = None,
) -> TrainResult:
    """Train ``model`` in place; the best-validation-loss weights are restored.

    Parameters
    ----------
    model : nn.Module
        Maps a (n, features.dim) batch to n logits (:class:`ddi_core.models.mlp.PairMLP`).
    train_pairs : Pairs
        Training split (original pairs). SMOTE, when on, is fitted here on them.
    val_pairs : Pairs
        Validation split for early stopping (never the reported test split).
    features : PairFeatures
        Batch builder; its scaler must have been fitted on ``train_pairs``.
    config : TrainLoopConfig, optional
    callbacks : sequence of :class:`~ddi_core.fitloop.FitCallback`, optional
    should_stop : callable, optional
        The one cancel check (:class:`ddi_core.progress.Monitor`); asked before every
        batch; when it returns True the loop stops, the best weights so
        far are restored and the status is ``"cancelled"``.
    device : torch.device or str, optional
        Default: CUDA when available, else CPU.

    Returns
    -------
    TrainResult
    """
    cfg = config or TrainLoopConfig()
    cbs = list(callbacks or [])
    dev = resolve_device(device)
    features = features.to(dev)
    model.to(dev)
    _check_features(features, train_pairs, model)
    if len(train_pairs) == 0 or len(val_pairs) == 0:
        raise DDIError("training and validation pairs must be non-empty")
    t_start = time.perf_counter()

    syn = (
        PairSMOTE(cfg.smote_k, random_state=cfg.smote_seed).fit_generate(train_pairs, features)
        if cfg.smote
        else SyntheticPairs.empty()
    )
    n_real, n_syn = len(train_pairs), len(syn)
    n_all = n_real + n_syn
    n_batches = math.ceil(n_all / cfg.batch_size)

    tr_d = torch.as_tensor(train_pairs.drug, device=dev)
    tr_s = torch.as_tensor(train_pairs.dis, device=dev)
    y_all = torch.as_tensor(np.concatenate([train_pairs.y, syn.y]).astype(np.float32), device=dev)
    sy = [torch.as_tensor(a, device=dev) for a in (syn.d1, syn.d2, syn.s1, syn.s2)]
    sy_lam = torch.as_tensor(np.asarray(syn.lam, np.float32), device=dev)

    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = nn.BCEWithLogitsLoss()
    gen = torch.Generator(device="cpu").manual_seed(cfg.shuffle_seed)

    if dev.type == "cuda":
        fork_devices = [dev.index if dev.index is not None else torch.cuda.current_device()]
    else:
        fork_devices = []

    def run_epoch(epoch: int) -> dict[str, float] | None:
        model.train()
        perm = torch.randperm(n_all, generator=gen).to(dev)
        loss_sum = torch.zeros((), dtype=torch.float64, device=dev)
        correct = torch.zeros((), dtype=torch.int64, device=dev)
        for b in range(n_batches):
            if should_stop is not None and should_stop():
                return None
            idx = perm[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            real = idx[idx < n_real]
            parts = [features.batch(tr_d[real], tr_s[real])]
            if n_syn:
                si = idx[idx >= n_real] - n_real
                parts.append(
                    features.batch_interp(sy[0][si], sy[1][si], sy[2][si], sy[3][si], sy_lam[si])
                )
                idx = torch.cat([real, si + n_real])
            x = torch.cat(parts) if len(parts) > 1 else parts[0]
            y = y_all[idx]
            logits = model(x)
            loss = loss_fn(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach().double() * len(y)
                correct += ((logits.detach() > 0).float() == y).sum()
            lv = float(loss.detach())
            for cb in cbs:
                cb.on_batch(epoch, b, n_batches, lv)
        return {"train_loss": float(loss_sum) / n_all, "train_acc": float(correct) / n_all}

    def validate() -> tuple[float, dict[str, float]]:
        val_loss, val_acc = _eval_pass(model, features, val_pairs, cfg.eval_batch_size)
        return val_loss, {"val_acc": val_acc}

    with torch.random.fork_rng(devices=fork_devices):
        torch.manual_seed(cfg.dropout_seed)
        try:
            res = fit(
                run_epoch,
                max_epochs=cfg.max_epochs,
                validate=validate,
                patience=cfg.patience,
                min_delta=cfg.min_delta,
                snapshot=lambda: {k: v.detach().clone() for k, v in model.state_dict().items()},
                restore=model.load_state_dict,
                callbacks=cbs,
            )
        except FloatingPointError as exc:
            raise DDIError(str(exc)) from exc
    if res.status == "cancelled":
        log.info("training cancelled in epoch %d", len(res.history))
    elif res.status == "early_stopped":
        log.info(
            "early stop after epoch %d (best %d, val loss %.4f)",
            len(res.history) - 1,
            res.best_epoch,
            res.best_val_loss,
        )
    history = [history_row(r) for r in res.history]
    status: Status = res.status
    best_epoch, best_loss = res.best_epoch, res.best_val_loss
    model.eval()
    return TrainResult(
        status=status,
        best_epoch=best_epoch,
        best_val_loss=best_loss,
        epochs_run=len(history),
        history=history,
        n_train=n_real,
        n_synthetic=n_syn,
        n_val=len(val_pairs),
        device=str(dev),
        seconds=time.perf_counter() - t_start,
        config=asdict(cfg),
    )
