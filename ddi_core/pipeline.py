"""One training run end to end: tables → split → SMOTE → MLP → metrics → registry.

:func:`run_training` trains the pair classifier of a :class:`RunConfig` on the
pair data of :func:`ddi_core.pairs.prepare.prepare`, evaluates it beside the
baselines on the held-out test split, and writes every artefact into the run
registry (:mod:`ddi_core.runs.registry`); an evidence config goes to
:func:`ddi_core.models.evidence.pipeline.run_evidence_training`. Progress flows
through callbacks into ``run.json``, so the dashboard and the CLI see the same
numbers. Seeds: :mod:`ddi_core.seeds`; what both model kinds share around a run:
:mod:`ddi_core.runs.lifecycle`.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ddi_core.cache import atomic_savez
from ddi_core.config.run import RunConfig
from ddi_core.errors import DDIError
from ddi_core.fitloop import EpochReport, FitCallback
from ddi_core.pairs.features import PairFeatures, Pairs, PairScaler, constant_mask
from ddi_core.pairs.labels import PairData
from ddi_core.pairs.prepare import prepare, split_for
from ddi_core.runs import jobs
from ddi_core.runs import registry as runs
from ddi_core.runs.inputs import (
    check_data_hashes,
    check_exclude_pairs,
    default_run,
    keep_exclude_pairs,
)
from ddi_core.runs.lifecycle import (
    CancelFlag,
    check_healthy,
    evaluate_baselines,
    finishing,
    peak_rss_mib,
    record_config,
    save_split,
    start_run,
    stop_if_cancelled,
    write_metrics,
)

log = logging.getLogger(__name__)


class _RegistryProgress(FitCallback):
    """Train callback that mirrors progress into ``run.json`` (throttled)."""

    def __init__(
        self,
        run: runs.Run,
        n_epochs: int,
        every: float = 1.0,
        echo: Callable[[str], None] | None = None,
    ):
        self.run, self.n_epochs, self.every, self.echo = run, n_epochs, every, echo
        self._last = 0.0
        self.t0 = time.perf_counter()
        self.history: list[dict] = []

    def on_batch(self, epoch: int, batch: int, n_batches: int, loss: float) -> None:
        now = time.perf_counter()
        if now - self._last < self.every and batch + 1 < n_batches:
            return
        self._last = now
        done = epoch + (batch + 1) / max(n_batches, 1)
        elapsed = now - self.t0
        per_epoch = elapsed / max(done, 1e-9)
        self.run.set_progress(
            stage="training",
            epoch=epoch + 1,
            max_epochs=self.n_epochs,
            batch=batch + 1,
            n_batches=n_batches,
            batch_loss=round(float(loss), 5),
            elapsed_seconds=round(elapsed, 1),
            eta_seconds=round(per_epoch * (self.n_epochs - done), 1),
            epoch_seconds=round(per_epoch, 2),
        )

    def on_epoch(self, report: EpochReport) -> None:
        from ddi_core.models.train import history_row

        metrics = {k: v for k, v in history_row(report).items() if k != "epoch"}
        epoch = report.epoch
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in metrics.items()}}
        self.history.append(row)
        self.run.set_progress(
            history=self.history,
            epoch=epoch + 1,
            eta_seconds=round(float(metrics.get("eta_seconds", 0.0)), 1),
        )
        # the run's log keeps every epoch; the terminal shows the bar (or this line with -v)
        log.info(
            f"epoch {epoch + 1}/{self.n_epochs}  train_loss {metrics['train_loss']:.4f}  "
            f"val_loss {metrics['val_loss']:.4f}  train_acc {metrics['train_acc']:.3f}  "
            f"val_acc {metrics['val_acc']:.3f}"
        )


@dataclass
class TrainedModel:
    """What ranking needs from a finished run."""

    run: runs.Run
    model: torch.nn.Module
    features: PairFeatures
    data: PairData
    config: RunConfig


def seed_source_strata(scorer, data, split, cfg: RunConfig, n_dis: int) -> dict[str, Any]:
    """Test AUROC and MRR of drugs with a known seed in the network vs predicted seeds only.

    Ranking metrics rank every disease for every test drug of the stratum (no sample).
    """
    from sklearn.metrics import roc_auc_score

    from ddi_core.models.evaluate import ranking_metrics
    from ddi_core.pairs.features import Pairs
    from ddi_core.walk.profiles import drug_profiles

    seeds = drug_profiles(cfg.walk).seeds
    known = set(seeds.loc[seeds["source"] == "known", "chemical_id"].astype(str))
    has_known = np.array([d in known for d in np.asarray(data.drug_ids).astype(str)])
    t = split.test
    score = scorer.score_pairs(t.drug, t.dis)
    filt = Pairs.concat(split.train, split.val)
    out: dict[str, Any] = {}
    for name, mask_drug in (("known", has_known), ("predicted_only", ~has_known)):
        m = mask_drug[t.drug]
        y = t.y[m]
        rec: dict[str, Any] = {
            "drugs": int(len(np.unique(t.drug[m]))),
            "pairs": int(m.sum()),
            "positives": int((y == 1).sum()),
        }
        if len(np.unique(y)) == 2:
            rec["auroc"] = float(roc_auc_score(y, score[m]))
        pos = m & (t.y == 1)
        if pos.any():
            rk = ranking_metrics(scorer, Pairs(t.drug[pos], t.dis[pos], t.y[pos]), filt, n_dis)
            rec.update(mrr=rk["mrr"], median_rank=rk["median_rank"], rank_drugs=rk.get("n_drugs"))
        out[name] = rec
    return out


def _subsample(p: Pairs, n: int | None, seed: int) -> Pairs:
    if n is None or len(p) <= n:
        return p
    rng = np.random.default_rng(seed)
    return p.subset(np.sort(rng.choice(len(p), size=n, replace=False)))


def _save_torch(path, obj) -> None:
    from ddi_core.cache import atomic_write_bytes

    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())


def _scaler_arrays(sc: PairScaler) -> dict[str, np.ndarray]:
    return {
        "drug_keep": np.asarray(sc.drug_keep, bool),
        "dis_keep": np.asarray(sc.dis_keep, bool),
        "drug_mean": sc.drug_mean_,
        "drug_scale": sc.drug_scale_,
        "dis_mean": sc.dis_mean_,
        "dis_scale": sc.dis_scale_,
        "var": sc.var_,
        "n_samples_seen": np.asarray(sc.n_samples_seen_),
        "drug_counts": sc.drug_counts_,
        "dis_counts": sc.dis_counts_,
    }


def _scaler_from(arrs) -> PairScaler:
    sc = PairScaler(drug_keep=arrs["drug_keep"], dis_keep=arrs["dis_keep"])
    sc.drug_mean_, sc.drug_scale_ = arrs["drug_mean"], arrs["drug_scale"]
    sc.dis_mean_, sc.dis_scale_ = arrs["dis_mean"], arrs["dis_scale"]
    sc.mean_ = np.concatenate([sc.drug_mean_, sc.dis_mean_])
    sc.scale_ = np.concatenate([sc.drug_scale_, sc.dis_scale_])
    sc.var_ = arrs["var"]
    sc.n_samples_seen_ = int(arrs["n_samples_seen"])
    sc.drug_counts_, sc.dis_counts_ = arrs["drug_counts"], arrs["dis_counts"]
    return sc


def run_training(
    cfg: RunConfig,
    *,
    run_id: str | None = None,
    device: str | None = None,
    echo: Callable[[str], None] | None = None,
    callbacks: Sequence[FitCallback] = (),
) -> runs.Run:
    """Train and evaluate ``cfg``; everything lands in a new run of the registry.

    Returns the run (status ``done`` or ``cancelled``). An exception marks the
    run ``failed`` with the error and is re-raised.

    A cancel (``Run.request_cancel``) is honoured before every training batch
    and between the stages around training (data preparation, each
    evaluation, each baseline), so it takes effect within one stage: seconds
    on the quick preset, under about 15 s on the paper preset on two cores.
    Whatever was saved before the cancel (the model, the split) stays.

    ``callbacks`` (:class:`~ddi_core.fitloop.FitCallback`) are told of every
    epoch (boosting rounds for the evidence model): the CLI's tqdm bar.
    ``echo`` gets one line per stage.
    """
    from ddi_core.device import resolve_device
    from ddi_core.models.baselines import DrugKNNBaseline, LogisticBaseline, PopularityBaseline
    from ddi_core.models.evaluate import ModelScorer, evaluate_scorer, extra_metrics
    from ddi_core.models.evidence.ease import ease_baseline
    from ddi_core.models.mlp import build_model
    from ddi_core.models.train import TrainLoopConfig, train

    if cfg.model == "evidence":
        from ddi_core.models.evidence.pipeline import run_evidence_training

        return run_evidence_training(cfg, run_id=run_id, echo=echo, callbacks=callbacks)
    run, seeds = start_run(cfg, run_id=run_id, model="mlp")
    say = echo or (lambda s: None)
    say(f"run {run.id}")
    t_start = time.perf_counter()
    with finishing(run, say):
        cfg = keep_exclude_pairs(run, cfg)
        record_config(run, cfg)
        run.set_progress(stage="preparing data")
        data = prepare(cfg)
        stop_if_cancelled(run, "preparing data")
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
        split = split_for(cfg, data, seeds)
        train_pairs = _subsample(split.train, cfg.train.max_train_pairs, seeds["split"])
        summary = split.summary()
        summary["train_used"] = len(train_pairs)
        run.update(pairs=data.counts, split_summary=summary)
        say(
            f"pairs: {data.counts['positives']} positives; split {summary['train']['pairs']}/"
            f"{summary['val']['pairs']}/{summary['test']['pairs']} (train uses {len(train_pairs)})"
        )

        dev = resolve_device(device)
        # columns constant over every row that can ever be scored: dropping them
        # leaves predictions unchanged (features.constant_mask)
        scaler = PairScaler(
            drug_keep=~constant_mask(data.drug_X), dis_keep=~constant_mask(data.dis_X)
        )
        scaler.fit(data.drug_X, data.dis_X, train_pairs.drug, train_pairs.dis)
        feats = PairFeatures(data.drug_X, data.dis_X, scaler=scaler, device=dev)
        hp = {"hidden": list(cfg.train.hidden), "dropout": cfg.train.dropout}
        model = build_model(feats.dim, hp, seed=seeds["torch_init"])
        loop = TrainLoopConfig.from_train_config(
            cfg.train,
            shuffle_seed=seeds["shuffle"],
            dropout_seed=seeds["dropout"],
            smote_seed=seeds["smote"],
        )
        prog = _RegistryProgress(run, loop.max_epochs)
        run.set_progress(stage="training", max_epochs=loop.max_epochs, feature_dim=feats.dim)
        say(
            f"training on {dev}: {feats.dim} features "
            f"({int(scaler.drug_keep.sum())} drug + {int(scaler.dis_keep.sum())} disease), "
            f"{model.n_params():,} parameters"
        )
        res = train(
            model,
            train_pairs,
            split.val,
            feats,
            loop,
            callbacks=[prog, *callbacks],
            cancel_event=CancelFlag(run),
            device=dev,
        )
        train_seconds = time.perf_counter() - t_start
        _save_torch(
            run.path("model.pt"),
            {
                "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                "hparams": model.hparams,
            },
        )
        atomic_savez(run.path("scaler.npz"), **_scaler_arrays(scaler))
        save_split(run, split, train_pairs)
        if res.status == "cancelled":
            run.update(train=res.to_dict(), cancelled_during="training")
            run.finish("cancelled")
            say("cancelled")
            return run

        run.set_progress(stage="evaluating")
        say("evaluating on the test split and the baselines")
        n_dis = len(data.dis_ids)
        scorer = ModelScorer(model, feats)
        rk = {"rank_max_drugs": cfg.train.rank_eval_drugs, "rank_seed": seeds["baselines"]}
        ev = {
            "model": evaluate_scorer(
                scorer, train=train_pairs, val=split.val, test=split.test, n_dis=n_dis, **rk
            )
        }
        stop_if_cancelled(run, "evaluating the model")
        # the paper's protocol: early stopping and reporting on the same held-out set
        ev_paper = evaluate_scorer(
            scorer, train=train_pairs, val=split.val, test=split.val, n_dis=n_dis, ranking=False
        )
        atomic_savez(
            run.path("test_scores.npz"),
            y=split.test.y,
            score=scorer.score_pairs(split.test.drug, split.test.dis),
        )
        stop_if_cancelled(run, "evaluating the model")
        base_pairs = split.train  # baselines see the full training split
        pop = PopularityBaseline(n_dis).fit(base_pairs)
        lr = LogisticBaseline(max_train_pairs=50_000, random_state=seeds["baselines"]).fit(
            train_pairs, feats
        )
        stop_if_cancelled(run, "fitting the baselines")
        knn = DrugKNNBaseline(n_dis).fit(base_pairs, data.drug_X)
        ease = ease_baseline(split, n_dis, cfg.evidence.ease_lambdas)
        base_sc = {"popularity": pop, "logistic": lr, "knn": knn, "ease": ease}
        base_extra = evaluate_baselines(
            run, base_sc, ev, split, data, seed=seeds["baselines"], rank=rk
        )
        model_extra = extra_metrics(
            scorer, split, data, seed=seeds["baselines"], max_drugs=cfg.train.rank_eval_drugs
        )
        if cfg.walk.seed_source != "known":
            try:  # a reporting extra: never lose a finished training to it
                model_extra["by_seed_source"] = seed_source_strata(scorer, data, split, cfg, n_dis)
            except Exception as exc:  # noqa: BLE001
                log.warning("metrics by seed source failed: %s", exc)
                model_extra["by_seed_source"] = {"error": f"{type(exc).__name__}: {exc}"}
            stop_if_cancelled(run, "evaluating by seed source")
        test = write_metrics(run, ev, ev_paper, model_extra, base_extra, res.history)
        run.update(
            train={k: v for k, v in res.to_dict().items() if k != "history"},
            headline=test,
            timings={
                "train_seconds": round(train_seconds, 1),
                "epochs": res.epochs_run,
                "total_seconds": round(time.perf_counter() - t_start, 1),
                "device": res.device,
                "peak_rss_mib": peak_rss_mib(),
            },
        )
        check_healthy(res.epochs_run, res.best_val_loss, test)
        run.finish("done")
        say(f"done: test AUROC {test['auroc']:.4f}  F1 {test['f1']:.4f}  MRR {test['mrr']:.4f}")
        return run
    return run


def load_trained(run_id: str | None = None, device: str | None = "cpu") -> TrainedModel:
    """Rebuild a finished run's model and features (for ranking and evaluation)."""
    from ddi_core.models.mlp import build_model

    run = runs.load_run(run_id) if run_id else default_run()
    if run is None:
        raise DDIError("no finished run yet: train one with `ddi train --preset evidence`")
    if run.status != "done":
        raise DDIError(f"run {run.id} is {run.status}, not done")
    if runs.model_kind(run) == "evidence":
        from ddi_core.models.evidence.model import load_evidence

        return load_evidence(run)
    cfg = RunConfig.from_dict(run.info["config"])
    check_data_hashes(run)
    check_exclude_pairs(run)
    data = prepare(cfg)
    ck = run.load_torch("model.pt")
    try:
        scaler = _scaler_from(run.load_npz("scaler.npz"))
    except KeyError as exc:
        raise runs.CorruptRunFileError(run.path("scaler.npz"), f"no array {exc}") from exc
    feats = PairFeatures(data.drug_X, data.dis_X, scaler=scaler, device=device)
    try:
        hp = dict(ck["hparams"])
        model = build_model(int(hp.pop("in_dim")), hp)
        model.load_state_dict(ck["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise runs.CorruptRunFileError(
            run.path("model.pt"), f"not this run's model ({exc})"
        ) from exc
    model.eval()
    return TrainedModel(run=run, model=model, features=feats, data=data, config=cfg)


def start_training_job(cfg: RunConfig) -> jobs.Job:
    """Start :func:`run_training` for ``cfg`` in a separate process (one per data home).

    Raises :class:`ddi_core.runs.jobs.JobBusyError` naming the running job.
    """
    import json

    rid = runs.new_run_id(cfg.preset)
    argv = ["train", "--config-json", json.dumps(cfg.to_dict()), "--run-id", rid]
    label = f"{cfg.preset} training ({cfg.train.split} split, seed {cfg.seed})"
    return jobs.start(
        "train", argv, run_id=rid, log_path=runs.paths.runs_dir() / rid / "train.log", label=label
    )


__all__ = [
    "TrainedModel",
    "run_training",
    "load_trained",
    "start_training_job",
    "seed_source_strata",
]
