"""One training run end to end, for every model kind: the run skeleton.

:func:`run_training` starts a run of the registry, records its whole config, asks the
config's model kind (:func:`ddi_core.models.registry.model_kind`) for its pair data,
splits it, has the kind fit and save its model, evaluates the model and the kind's
baselines on the held-out split with the same metrics, writes ``metrics.json`` and
``curves.json`` and finishes the run. Progress and the one cancel check go through a
:class:`~ddi_core.progress.Monitor` on the run (its ``run.json`` progress and cancel
file), so the CLI, the dashboard's job and a test see the same numbers; a cancel is
honoured before every training batch or boosting round and between stages, and what
was saved before it (the model, the split) stays.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

from ddi_core.cache import atomic_savez
from ddi_core.config.run import RunConfig
from ddi_core.fitloop import FitCallback
from ddi_core.models.base import FitJob
from ddi_core.models.evaluate import evaluate_scorer, extra_metrics
from ddi_core.models.registry import model_kind
from ddi_core.pairs.prepare import split_for
from ddi_core.progress import Cancelled
from ddi_core.runs import registry as runs
from ddi_core.runs.inputs import keep_exclude_pairs
from ddi_core.runs.split_file import save_split
from ddi_core.training import jobs
from ddi_core.training.lifecycle import (
    evaluate_baselines,
    finishing,
    peak_rss_mib,
    record_config,
    run_monitor,
    start_run,
    write_metrics,
)


def run_training(
    cfg: RunConfig,
    *,
    run_id: str | None = None,
    device: str | None = None,
    echo: Callable[[str], None] | None = None,
    callbacks: Sequence[FitCallback] = (),
) -> runs.Run:
    """Train and evaluate ``cfg``; everything lands in a new run of the registry.

    Returns the run (status ``done`` or ``cancelled``). An exception marks the run
    ``failed`` with the error and is re-raised. ``callbacks`` are told of every epoch
    or boosting round (the CLI's bar); ``echo`` gets one line per stage.
    """
    kind = model_kind(cfg.model)
    run, seeds = start_run(cfg, run_id=run_id)
    say = echo or (lambda s: None)
    mon = run_monitor(run, say)
    say(f"run {run.id}")
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        return now

    with finishing(run, say):
        cfg = keep_exclude_pairs(run, cfg)
        record_config(run, cfg)
        mon.update(stage="preparing data")
        prepared = kind.prepare(cfg, mon)
        data = prepared.data
        mon.check("preparing data")
        split = split_for(cfg, data, seeds)
        t = lap("data_seconds", t0)
        summary = split.summary()
        run.update(pairs=data.counts, split_summary=summary, **prepared.record)
        say(
            f"pairs: {data.counts['positives']} positives over {len(data.drug_ids)} drugs; "
            f"split {summary['train']['pairs']}/{summary['val']['pairs']}/"
            f"{summary['test']['pairs']}"
        )

        job = FitJob(cfg, prepared, split, seeds, mon, callbacks, device)
        fitted = kind.fit(job)
        t = lap("train_seconds", t)
        kind.save(fitted, run.dir)
        save_split(run, split, fitted.train_used)
        run.update(split_summary={**summary, "train_used": len(fitted.train_used)}, **fitted.record)
        if fitted.cancelled:
            run.update(train=fitted.train)
            raise Cancelled("training")

        mon.update(stage="evaluating")
        say("evaluating on the test split and the baselines")
        scorer, n_dis = fitted.scorer, len(data.dis_ids)
        rk = {"rank_max_drugs": cfg.train.rank_eval_drugs, "rank_seed": seeds["baselines"]}
        ev = {
            "model": evaluate_scorer(
                scorer, train=split.train, val=split.val, test=split.test, n_dis=n_dis, **rk
            )
        }
        mon.check("evaluating the model")
        # the paper's protocol: early stopping and reporting on the same held-out set
        ev_paper = evaluate_scorer(
            scorer, train=split.train, val=split.val, test=split.val, n_dis=n_dis, ranking=False
        )
        atomic_savez(
            run.path("test_scores.npz"),
            y=split.test.y,
            score=scorer.score_pairs(split.test.drug, split.test.dis),
        )
        model_extra = extra_metrics(
            scorer, split, data, seed=seeds["baselines"], max_drugs=cfg.train.rank_eval_drugs
        )
        t = lap("evaluate_seconds", t)
        mon.check("evaluating the model")
        base_extra = evaluate_baselines(
            mon, kind.baselines(job, fitted), ev, split, data, seed=seeds["baselines"], rank=rk
        )
        model_extra.update(kind.report(job, fitted))
        lap("baseline_seconds", t)

        test = write_metrics(run, ev, ev_paper, model_extra, base_extra, fitted.history)
        timings.update(fitted.timings)
        timings.update(
            total_seconds=round(time.perf_counter() - t0, 1),
            device=fitted.device,
            epochs=fitted.epochs,
            peak_rss_mib=peak_rss_mib(),
        )
        run.update(train=fitted.train, headline=test, timings=timings)
        kind.check(fitted, test)
        run.finish("done")
        say(
            f"done: test AUROC {test['auroc']:.4f}  MRR {test['mrr']:.4f}  "
            f"median rank {test['median_rank']:.0f}  ({timings['total_seconds']:.0f} s)"
        )
        return run
    return run


def start_training_job(cfg: RunConfig) -> jobs.Job:
    """Start :func:`run_training` for ``cfg`` in a separate process (one per data home).

    Raises :class:`ddi_core.training.jobs.JobBusyError` naming the running job.
    """
    rid = runs.new_run_id(cfg.preset)
    argv = ["train", "--config-json", json.dumps(cfg.to_dict()), "--run-id", rid]
    label = f"{cfg.preset} training ({cfg.train.split} split, seed {cfg.seed})"
    return jobs.start(
        "train", argv, run_id=rid, log_path=runs.paths.runs_dir() / rid / "train.log", label=label
    )


__all__ = ["run_training", "start_training_job"]
