"""What every trainer shares around a run of the registry.

Both model kinds (the paper MLP in :mod:`ddi_core.pipeline`, the evidence model
in :mod:`ddi_core.models.evidence.pipeline`) hash the raw data before a run
exists, stop between stages when a cancel was requested, refuse to call an
unhealthy run done, report the same headline numbers, and store the split in the
same ``split.npz``.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ddi_core.errors import DDIError
from ddi_core.pairs.features import Pairs
from ddi_core.runs import registry as runs

#: what the paper reports (Zhang 2025, Table 1) for its 1:1 random split
PAPER_REPORTED = {"accuracy": 0.9500, "precision": 0.9234, "recall": 0.9808, "f1": 0.9512}

SPLIT_PARTS = ("train", "val", "test", "train_used")


def data_sha256() -> dict[str, str]:
    """Every raw file re-hashed now (a mismatch stops the training before its run exists)."""
    from ddi_core.data.fetch import actual_sha256

    return actual_sha256()


class Cancelled(Exception):
    """A cancel was requested between two stages of a run; the message names the stage."""


def stop_if_cancelled(run: runs.Run, stage: str) -> None:
    """Raise :class:`Cancelled` when ``run`` was asked to stop (checked between stages)."""
    if run.cancel_requested():
        raise Cancelled(stage)


class CancelFlag:
    """``run``'s cancel request as an event (``is_set``), for loops that poll one."""

    def __init__(self, run: runs.Run):
        self.run = run

    def is_set(self) -> bool:
        return self.run.cancel_requested()


def start_run(cfg, *, run_id: str | None, model: str) -> tuple[runs.Run, dict[str, int]]:
    """A new ``running`` run of ``cfg`` (raw data re-hashed first) and its sub-seeds."""
    from ddi_core.seeds import sub_seeds

    seeds = sub_seeds(cfg.seed)
    run = runs.create_run(
        config=cfg.to_dict(),
        seeds=seeds,
        data_sha256=data_sha256(),
        run_id=run_id,
        preset=cfg.preset,
        split=cfg.train.split,
        model=model,
    )
    return run, seeds


@contextmanager
def finishing(run: runs.Run, say: Callable[[str], None]) -> Iterator[None]:
    """The body of a training: a :class:`Cancelled` stage ends the run ``cancelled``
    (and is swallowed: the caller returns the run); Ctrl-C ends it ``cancelled``
    and any other exception ``failed`` with the error, both re-raised."""
    try:
        yield
    except Cancelled as stop:
        run.update(cancelled_during=str(stop))
        run.finish("cancelled")
        say(f"cancelled while {stop}")
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            run.finish("cancelled", error="interrupted")
        else:
            run.finish("failed", error=f"{type(exc).__name__}: {exc}")
        raise


def check_healthy(epochs: int, best_val_loss: float | None, test: dict) -> None:
    """A run is done only with at least one epoch, a finite validation loss and finite
    test scores; otherwise it fails with the reason (and never becomes the default)."""
    if epochs < 1:
        raise DDIError("no training epoch finished, so the model is untrained")
    if best_val_loss is None or not np.isfinite(best_val_loss):
        raise DDIError(f"the validation loss is not finite ({best_val_loss})")
    auroc = test.get("auroc")
    if auroc is None or not np.isfinite(auroc):
        raise DDIError(f"the test AUROC is not finite ({auroc}): the scores are NaN")


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def strip_curves(m: dict) -> dict:
    """Metrics without curve arrays (for run.json / tables)."""
    c = dict(m.get("classification", {}))
    c.pop("curves", None)
    return {"classification": c, "ranking": m.get("ranking")}


def headline(metrics: dict) -> dict[str, Any]:
    """Flat headline numbers of an ``evaluate_scorer`` result."""
    c = metrics.get("classification", {})
    r = metrics.get("ranking") or {}
    at = c.get("at_0.5", {})
    return {
        "accuracy": at.get("accuracy"),
        "precision": at.get("precision"),
        "recall": at.get("recall"),
        "f1": at.get("f1"),
        "auroc": c.get("auroc"),
        "aupr": c.get("aupr"),
        "f1_at_val_threshold": (c.get("at_val_threshold") or {}).get("f1"),
        "val_threshold": (c.get("at_val_threshold") or {}).get("threshold"),
        "mrr": r.get("mrr"),
        "mrr_filtered": r.get("mrr_filtered"),
        "mrr_ceiling": r.get("mrr_ceiling"),
        "hits_at_1": r.get("hits@1"),
        "hits_at_10": r.get("hits@10"),
        "hits_at_50": r.get("hits@50"),
        "median_rank": r.get("median_rank"),
        "rank_drugs": r.get("n_drugs"),
        "aupr_realistic": r.get("aupr_all_unknown"),
        "prevalence": r.get("prevalence"),
    }


def evaluate_baselines(
    run: runs.Run, scorers: dict, ev: dict, split, data, *, seed: int, rank: dict
) -> dict[str, dict]:
    """Evaluate each baseline of ``scorers`` on ``split`` as the model was (into ``ev``);
    returns each one's extra metrics. A cancel is honoured after each baseline."""
    from ddi_core.models.evaluate import evaluate_scorer, extra_metrics

    extra = {}
    for name, sc in scorers.items():
        ev[name] = evaluate_scorer(
            sc,
            train=split.train,
            val=split.val,
            test=split.test,
            n_dis=len(data.dis_ids),
            **rank,
        )
        extra[name] = extra_metrics(
            sc, split, data, seed=seed, max_drugs=rank.get("rank_max_drugs")
        )
        stop_if_cancelled(run, f"evaluating the {name} baseline")
    return extra


def write_metrics(
    run: runs.Run,
    ev: dict,
    ev_paper: dict,
    model_extra: dict,
    base_extra: dict,
    history: list,
) -> dict[str, Any]:
    """``metrics.json`` (the model's test headline with its extras, the paper's
    optimistic protocol, every scorer's detail, the baselines) and ``curves.json``
    (ROC/PR of the model and each baseline, the training history). Returns the
    model's test headline."""
    metrics = {
        "test": {**headline(ev["model"]), **model_extra},
        "paper_protocol": {
            **headline(ev_paper),
            "optimistic": True,
            "note": "early stopping and reporting on the same held-out (validation) set, "
            "as in the paper; optimistic",
            "paper_reported": PAPER_REPORTED,
        },
        "detail": {k: strip_curves(v) for k, v in ev.items()},
    }
    baselines = {k: {**headline(ev[k]), **base_extra[k]} for k in base_extra}
    run.write_json("metrics.json", {**metrics, "baselines": baselines})
    run.write_json(
        "curves.json",
        {
            "test": ev["model"]["classification"].get("curves"),
            "baselines": {k: ev[k]["classification"].get("curves") for k in baselines},
            "history": history,
        },
    )
    return metrics["test"]


def save_split(run: runs.Run, split, train_used: Pairs) -> None:
    """``split.npz``: the train/val/test pairs and the training pairs actually used."""
    from ddi_core.cache import atomic_savez

    arrays = {
        f"{part}_{k}": getattr(getattr(split, part), k)
        for part in ("train", "val", "test")
        for k in ("drug", "dis", "y")
    }
    arrays.update({f"train_used_{k}": getattr(train_used, k) for k in ("drug", "dis", "y")})
    atomic_savez(run.path("split.npz"), **arrays)


def record_config(run: runs.Run, cfg) -> None:
    """Write the whole run resolved into ``config.toml``: ``cfg`` and the configs of
    the upstream stages it reads (also ``run.json`` ``stages``)."""
    from ddi_core.cache import atomic_write_bytes
    from ddi_core.config.stages import run_record_toml, stage_configs

    stages = stage_configs(cfg)
    atomic_write_bytes(run.path("config.toml"), run_record_toml(cfg, stages).encode())
    run.update(stages=stages)


def run_split(run: runs.Run) -> dict[str, Pairs]:
    """The run's split (``split.npz``); :class:`runs.CorruptRunFileError` naming the file
    when it is truncated or lacks a part."""
    z = run.load_npz("split.npz")
    out = {}
    for part in SPLIT_PARTS:
        try:
            out[part] = Pairs(z[f"{part}_drug"], z[f"{part}_dis"], z[f"{part}_y"])
        except KeyError as exc:
            raise runs.CorruptRunFileError(
                run.path("split.npz"), f"no {part} part ({exc})"
            ) from exc
    return out


__all__ = [
    "PAPER_REPORTED",
    "data_sha256",
    "Cancelled",
    "stop_if_cancelled",
    "CancelFlag",
    "start_run",
    "finishing",
    "check_healthy",
    "peak_rss_mib",
    "strip_curves",
    "headline",
    "evaluate_baselines",
    "write_metrics",
    "save_split",
    "record_config",
    "run_split",
]
