"""The one fit loop: epochs, early stopping on a validation loss, best state restored.

Every trainer of the project runs its epochs through :func:`fit`: the pair MLP
(:mod:`ddi_core.models.mlp.train`), the drug–target classifier
(:mod:`ddi_core.targets.model`) and InfoGraph (:mod:`ddi_core.embed.infograph`,
no validation: a fixed number of epochs). LightGBM keeps its own boosting loop
but reports its rounds through the same callback protocol.

One callback protocol, :class:`FitCallback`: ``on_epoch(report)`` after every
epoch with an :class:`EpochReport`, and ``on_batch(epoch, batch, n_batches,
loss)`` after each optimiser step where a trainer has batches. The CLI's tqdm
bar (:class:`TqdmCallback`), the Train page's progress bar and the registry's
progress record all consume it.

The loop itself draws no random numbers, so moving a trainer onto it leaves
its results bit for bit as they were.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FitStatus = Literal["completed", "early_stopped", "cancelled"]


@dataclass(frozen=True)
class EpochReport:
    """What a trainer says after one epoch.

    ``epoch`` counts from 0 and ``max_epochs`` is the budget; ``best_epoch`` is
    -1 until a validation loss has been seen; ``val_loss`` is None for a
    trainer without validation. ``eta_seconds`` is an upper bound (every
    remaining epoch at the mean epoch time). ``extra`` holds the trainer's own
    figures (accuracies, AUC).
    """

    epoch: int
    max_epochs: int
    train_loss: float
    val_loss: float | None
    best_epoch: int
    best_val_loss: float
    seconds: float
    eta_seconds: float
    extra: dict[str, float] = field(default_factory=dict)
    stage: str = "training"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FitCallback:
    """Progress hooks of every trainer; override what you need (both are no-ops)."""

    def on_batch(self, epoch: int, batch: int, n_batches: int, loss: float) -> None:
        """After each optimiser step (``epoch`` and ``batch`` count from 0)."""

    def on_epoch(self, report: EpochReport) -> None:
        """After each epoch."""


class FunctionCallback(FitCallback):
    """A :class:`FitCallback` around a plain ``fn(report)``."""

    def __init__(self, fn: Callable[[EpochReport], None]) -> None:
        self.fn = fn

    def on_epoch(self, report: EpochReport) -> None:
        self.fn(report)


class TqdmCallback(FitCallback):
    """One tqdm bar on stderr per fit: epochs done, ETA, the latest losses.

    Opened at the first epoch (a cached stage shows none); ``disable=None``
    hides it when stderr is not a terminal.
    """

    def __init__(self, desc: str = "training", unit: str = "epoch") -> None:
        self.desc, self.unit = desc, unit
        self.bar: Any = None

    def on_epoch(self, report: EpochReport) -> None:
        import sys

        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(
                total=report.max_epochs,
                desc=self.desc,
                unit=self.unit,
                file=sys.stderr,
                leave=False,
                disable=None,
            )
        post = {"loss": f"{report.train_loss:.4f}"}
        if report.val_loss is not None:
            post["val"] = f"{report.val_loss:.4f}"
        self.bar.set_postfix(post, refresh=False)
        self.bar.update(report.epoch + 1 - self.bar.n)  # rounds may be reported every 10

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@dataclass
class FitResult:
    """Outcome of :func:`fit`: status, the best epoch (-1: none), every report."""

    status: FitStatus
    best_epoch: int
    best_val_loss: float
    history: list[EpochReport]
    seconds: float


def fit(
    run_epoch: Callable[[int], dict[str, float] | None],
    *,
    max_epochs: int,
    validate: Callable[[], tuple[float, dict[str, float]]] | None = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    snapshot: Callable[[], Any] | None = None,
    restore: Callable[[Any], None] | None = None,
    callbacks: Sequence[FitCallback] = (),
    should_stop: Callable[[], bool] | None = None,
    check_finite: bool = True,
) -> FitResult:
    """Run up to ``max_epochs`` epochs with early stopping; restore the best state.

    Parameters
    ----------
    run_epoch : callable
        ``run_epoch(epoch)`` trains one epoch and returns ``{"train_loss": ...,
        **extra}``, or None when it was cancelled part-way (then the loop ends
        ``"cancelled"`` without validating).
    validate : callable, optional
        ``() -> (val_loss, extra)`` after each epoch. None: no validation, no
        early stopping, nothing restored.
    patience : int, optional
        Stop after this many epochs without an improvement larger than
        ``min_delta`` (None: never).
    snapshot, restore : callable, optional
        Copy the trained state when the validation loss improves; put the best
        copy back at the end.
    should_stop : callable, optional
        Checked before every epoch (a cancel).
    check_finite : bool
        A NaN or infinite validation loss raises ``FloatingPointError``.
    """
    t_start = time.perf_counter()
    best_loss, best_epoch, wait = math.inf, -1, 0
    best_state: Any = None
    history: list[EpochReport] = []
    status: FitStatus = "completed"
    times: list[float] = []
    for epoch in range(max_epochs):
        if should_stop is not None and should_stop():
            status = "cancelled"
            break
        t0 = time.perf_counter()
        out = run_epoch(epoch)
        if out is None:
            status = "cancelled"
            break
        out = dict(out)
        train_loss = float(out.pop("train_loss"))
        val_loss: float | None = None
        if validate is not None:
            val_loss, more = validate()
            val_loss = float(val_loss)
            if check_finite and not math.isfinite(val_loss):
                raise FloatingPointError(f"validation loss is {val_loss} in epoch {epoch}")
            out.update(more)
            if val_loss < best_loss - min_delta:
                best_loss, best_epoch, wait = val_loss, epoch, 0
                if snapshot is not None:
                    best_state = snapshot()
            else:
                wait += 1
        times.append(time.perf_counter() - t0)
        rep = EpochReport(
            epoch=epoch,
            max_epochs=max_epochs,
            train_loss=train_loss,
            val_loss=val_loss,
            best_epoch=best_epoch,
            best_val_loss=best_loss,
            seconds=times[-1],
            eta_seconds=float(sum(times) / len(times)) * (max_epochs - epoch - 1),
            extra=out,
        )
        history.append(rep)
        for cb in callbacks:
            cb.on_epoch(rep)
        if validate is not None and patience is not None and wait >= patience:
            status = "early_stopped"
            break
    if best_state is not None and restore is not None:
        restore(best_state)
    return FitResult(status, best_epoch, best_loss, history, time.perf_counter() - t_start)
