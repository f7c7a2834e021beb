"""What the run skeleton does around every kind's fit (:mod:`ddi_core.training.runner`).

A run hashes the raw data before it exists, records its whole config, ends
``cancelled`` when asked to stop between stages or ``failed`` with the error, reports
the same headline numbers for every kind, and evaluates the baselines as the model was.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ddi_core.cache import atomic_write_bytes
from ddi_core.config.run import RunConfig
from ddi_core.data.fetch import actual_sha256
from ddi_core.models.evaluate import evaluate_scorer, extra_metrics
from ddi_core.progress import Cancelled, Monitor
from ddi_core.runs import registry as runs
from ddi_core.runs.figures import PAPER_REPORTED
from ddi_core.seeds import sub_seeds
from ddi_core.training.stages import run_record_toml, stage_configs


def start_run(cfg: RunConfig, *, run_id: str | None) -> tuple[runs.Run, dict[str, int]]:
    """A new ``running`` run of ``cfg`` (raw data re-hashed first: a mismatch stops the
    training before its run exists) and its sub-seeds."""
    seeds = sub_seeds(cfg.seed)
    run = runs.create_run(
        config=cfg.to_dict(),
        seeds=seeds,
        data_sha256=actual_sha256(),
        run_id=run_id,
        preset=cfg.preset,
        split=cfg.train.split,
        model=cfg.model,
    )
    return run, seeds


@contextmanager
def finishing(run: runs.Run, say: Callable[[str], None]) -> Iterator[None]:
    """The body of a training: a :class:`~ddi_core.progress.Cancelled` stage ends the run
    ``cancelled`` (and is swallowed: the caller returns the run); Ctrl-C ends it
    ``cancelled`` and any other exception ``failed`` with the error, both re-raised."""
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


def run_monitor(run: runs.Run, say: Callable[[str], None] | None = None) -> Monitor:
    """The run's progress-and-cancel channel: progress into ``run.json``, lines to
    ``say``, and the run's cancel file as the one cancel check."""
    return Monitor(on_update=run.set_progress, on_line=say, should_stop=run.cancel_requested)


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
    monitor: Monitor, scorers: dict, ev: dict, split, data, *, seed: int, rank: dict
) -> dict[str, dict]:
    """Evaluate each baseline of ``scorers`` on ``split`` as the model was (into ``ev``);
    returns each one's extra metrics. A cancel is honoured after each baseline."""
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
        monitor.check(f"evaluating the {name} baseline")
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


def record_config(run: runs.Run, cfg: RunConfig) -> None:
    """Write the whole run resolved into ``config.toml``: ``cfg`` and the configs of
    the upstream stages it reads (also ``run.json`` ``stages``)."""
    stages = stage_configs(cfg)
    atomic_write_bytes(run.path("config.toml"), run_record_toml(cfg, stages).encode())
    run.update(stages=stages)


__all__ = [
    "evaluate_baselines",
    "finishing",
    "headline",
    "peak_rss_mib",
    "record_config",
    "run_monitor",
    "start_run",
    "strip_curves",
    "write_metrics",
]
