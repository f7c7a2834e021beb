"""One training run end to end: tables → split → SMOTE → MLP → metrics → registry.

:func:`prepare` builds (and caches) the drug and disease tables and the known
pairs; :func:`run_training` trains the pair classifier of a :class:`RunConfig`,
evaluates it beside the baselines on the held-out test split, and writes every
artefact into the run registry (:mod:`ddi_core.runs.registry`). Progress flows through
callbacks into ``run.json``, so the dashboard and the CLI see the same numbers.

Seeds: one root seed; named sub-seeds (``split``, ``negatives``, ``smote``,
``torch_init``, ``shuffle``, ``dropout``, ``baselines``) are derived from it by
hashing, so changing one stage's randomness never shifts another's.
"""

from __future__ import annotations

import hashlib
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
from ddi_core.pairs.labels import PairData, build_pair_data, read_pair_csv
from ddi_core.runs import jobs
from ddi_core.runs import registry as runs
from ddi_core.runs.inputs import check_exclude_pairs, keep_exclude_pairs

log = logging.getLogger(__name__)

SEED_NAMES = ("split", "negatives", "smote", "torch_init", "shuffle", "dropout", "baselines")

#: what the paper reports (Zhang 2025, Table 1) for its 1:1 random split
PAPER_REPORTED = {"accuracy": 0.9500, "precision": 0.9234, "recall": 0.9808, "f1": 0.9512}


def sub_seeds(root: int) -> dict[str, int]:
    """Named sub-seeds of a root seed (stable across versions)."""
    out = {"root": int(root)}
    for name in SEED_NAMES:
        h = hashlib.sha256(f"{int(root)}:{name}".encode()).digest()
        out[name] = int.from_bytes(h[:4], "little") & 0x7FFFFFFF
    return out


def prepare(cfg: RunConfig) -> PairData:
    """Drug profiles, disease embeddings and CTD positives for ``cfg`` (cached stages)."""
    from ddi_core.embed.node2vec_stages import mesh_embedding
    from ddi_core.walk.profiles import drug_profiles

    prof = drug_profiles(cfg.walk)
    mesh = mesh_embedding()
    exclude = read_pair_csv(cfg.train.exclude_pairs) if cfg.train.exclude_pairs else None
    data = build_pair_data(
        prof.drug_ids, prof.X, np.asarray(mesh.ids).astype(str), mesh.vectors.astype(np.float32),
        exclude=exclude,
    )
    data.counts["profiles"] = {k: v for k, v in prof.meta.items() if k != "config"}
    data.counts["disease_embedding"] = {"n": len(mesh), "dim": mesh.dim}
    return data


def data_sha256() -> dict[str, str]:
    """Every raw file re-hashed now (a mismatch stops the training before its run exists)."""
    from ddi_core.data.fetch import actual_sha256

    return actual_sha256()


class _RegistryProgress(FitCallback):
    """Train callback that mirrors progress into ``run.json`` (throttled)."""

    def __init__(self, run: runs.Run, n_epochs: int, every: float = 1.0,
                 echo: Callable[[str], None] | None = None):
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
            stage="training", epoch=epoch + 1, max_epochs=self.n_epochs, batch=batch + 1,
            n_batches=n_batches, batch_loss=round(float(loss), 5),
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
        self.run.set_progress(history=self.history, epoch=epoch + 1,
                              eta_seconds=round(float(metrics.get("eta_seconds", 0.0)), 1))
        # the run's log keeps every epoch; the terminal shows the bar (or this line with -v)
        log.info(f"epoch {epoch + 1}/{self.n_epochs}  train_loss {metrics['train_loss']:.4f}  "
                 f"val_loss {metrics['val_loss']:.4f}  train_acc {metrics['train_acc']:.3f}  "
                 f"val_acc {metrics['val_acc']:.3f}")


class _Cancelled(Exception):
    """A cancel was requested between two stages of a run (see :func:`run_training`)."""


def _stop_if_cancelled(run: runs.Run, stage: str) -> None:
    if run.cancel_requested():
        raise _Cancelled(stage)


class _CancelFlag:
    def __init__(self, run: runs.Run):
        self.run = run

    def is_set(self) -> bool:
        return self.run.cancel_requested()


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
        rec: dict[str, Any] = {"drugs": int(len(np.unique(t.drug[m]))), "pairs": int(m.sum()),
                               "positives": int((y == 1).sum())}
        if len(np.unique(y)) == 2:
            rec["auroc"] = float(roc_auc_score(y, score[m]))
        pos = m & (t.y == 1)
        if pos.any():
            rk = ranking_metrics(scorer, Pairs(t.drug[pos], t.dis[pos], t.y[pos]), filt, n_dis)
            rec.update(mrr=rk["mrr"], median_rank=rk["median_rank"], rank_drugs=rk.get("n_drugs"))
        out[name] = rec
    return out


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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
        "drug_keep": np.asarray(sc.drug_keep, bool), "dis_keep": np.asarray(sc.dis_keep, bool),
        "drug_mean": sc.drug_mean_, "drug_scale": sc.drug_scale_,
        "dis_mean": sc.dis_mean_, "dis_scale": sc.dis_scale_,
        "var": sc.var_, "n_samples_seen": np.asarray(sc.n_samples_seen_),
        "drug_counts": sc.drug_counts_, "dis_counts": sc.dis_counts_,
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


def _split_for(cfg: RunConfig, data: PairData, seeds: dict[str, int]):
    from ddi_core.pairs.splits import split_pairs

    t = cfg.train
    val, test = t.val_fraction, t.test_fraction
    ex = (data.excluded[:, 0], data.excluded[:, 1]) if len(data.excluded) else None
    return split_pairs(
        data.pos_drug, data.pos_dis, len(data.drug_ids), len(data.dis_ids),
        kind=t.split, fractions=(1.0 - val - test, val, test), neg_ratio=t.neg_ratio,
        seed=seeds["split"], neg_seed=seeds["negatives"], exclude=ex,
    )


def _strip_curves(m: dict) -> dict:
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
        "accuracy": at.get("accuracy"), "precision": at.get("precision"),
        "recall": at.get("recall"), "f1": at.get("f1"),
        "auroc": c.get("auroc"), "aupr": c.get("aupr"),
        "f1_at_val_threshold": (c.get("at_val_threshold") or {}).get("f1"),
        "val_threshold": (c.get("at_val_threshold") or {}).get("threshold"),
        "mrr": r.get("mrr"), "hits_at_1": r.get("hits@1"), "hits_at_10": r.get("hits@10"),
        "hits_at_50": r.get("hits@50"), "median_rank": r.get("median_rank"),
        "rank_drugs": r.get("n_drugs"),
        "aupr_realistic": r.get("aupr_all_unknown"), "prevalence": r.get("prevalence"),
    }


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
    from ddi_core.models.evaluate import (
        DrugKNNBaseline,
        LogisticBaseline,
        ModelScorer,
        PopularityBaseline,
        evaluate_scorer,
    )
    from ddi_core.models.mlp import build_model
    from ddi_core.models.train import TrainLoopConfig, train

    if cfg.model == "evidence":
        from ddi_core.models.evidence.pipeline import run_evidence_training

        return run_evidence_training(cfg, run_id=run_id, echo=echo, callbacks=callbacks)
    seeds = sub_seeds(cfg.seed)
    run = runs.create_run(
        config=cfg.to_dict(), seeds=seeds, data_sha256=data_sha256(), run_id=run_id,
        preset=cfg.preset, split=cfg.train.split, model="mlp",
    )
    say = echo or (lambda s: None)
    say(f"run {run.id}")
    t_start = time.perf_counter()
    try:
        cfg = keep_exclude_pairs(run, cfg)
        run.set_progress(stage="preparing data")
        data = prepare(cfg)
        _stop_if_cancelled(run, "preparing data")
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
        split = _split_for(cfg, data, seeds)
        train_pairs = _subsample(split.train, cfg.train.max_train_pairs, seeds["split"])
        summary = split.summary()
        summary["train_used"] = len(train_pairs)
        run.update(pairs=data.counts, split_summary=summary)
        say(f"pairs: {data.counts['positives']} positives; split {summary['train']['pairs']}/"
            f"{summary['val']['pairs']}/{summary['test']['pairs']} (train uses {len(train_pairs)})")

        dev = resolve_device(device)
        # columns constant over every row that can ever be scored: dropping them
        # leaves predictions unchanged (features.constant_mask)
        scaler = PairScaler(drug_keep=~constant_mask(data.drug_X),
                            dis_keep=~constant_mask(data.dis_X))
        scaler.fit(data.drug_X, data.dis_X, train_pairs.drug, train_pairs.dis)
        feats = PairFeatures(data.drug_X, data.dis_X, scaler=scaler, device=dev)
        hp = {"hidden": list(cfg.train.hidden), "dropout": cfg.train.dropout}
        model = build_model(feats.dim, hp, seed=seeds["torch_init"])
        loop = TrainLoopConfig.from_train_config(
            cfg.train, shuffle_seed=seeds["shuffle"], dropout_seed=seeds["dropout"],
            smote_seed=seeds["smote"],
        )
        prog = _RegistryProgress(run, loop.max_epochs)
        run.set_progress(stage="training", max_epochs=loop.max_epochs, feature_dim=feats.dim)
        say(f"training on {dev}: {feats.dim} features "
            f"({int(scaler.drug_keep.sum())} drug + {int(scaler.dis_keep.sum())} disease), "
            f"{model.n_params():,} parameters")
        res = train(model, train_pairs, split.val, feats, loop,
                    callbacks=[prog, *callbacks], cancel_event=_CancelFlag(run), device=dev)
        train_seconds = time.perf_counter() - t_start
        _save_torch(run.path("model.pt"), {"state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                                           "hparams": model.hparams})
        atomic_savez(run.path("scaler.npz"), **_scaler_arrays(scaler))
        atomic_savez(run.path("split.npz"),
                 **{f"{part}_{k}": getattr(getattr(split, part), k)
                    for part in ("train", "val", "test") for k in ("drug", "dis", "y")},
                 train_used_drug=train_pairs.drug, train_used_dis=train_pairs.dis,
                 train_used_y=train_pairs.y)
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
        ev = {"model": evaluate_scorer(scorer, train=train_pairs, val=split.val, test=split.test,
                                       n_dis=n_dis, **rk)}
        _stop_if_cancelled(run, "evaluating the model")
        # the paper's protocol: early stopping and reporting on the same held-out set
        ev_paper = evaluate_scorer(scorer, train=train_pairs, val=split.val, test=split.val,
                                   n_dis=n_dis, ranking=False)
        atomic_savez(run.path("test_scores.npz"), y=split.test.y,
                 score=scorer.score_pairs(split.test.drug, split.test.dis))
        _stop_if_cancelled(run, "evaluating the model")
        base_pairs = split.train  # baselines see the full training split
        pop = PopularityBaseline(n_dis).fit(base_pairs)
        lr = LogisticBaseline(max_train_pairs=50_000, random_state=seeds["baselines"]).fit(
            train_pairs, feats)
        _stop_if_cancelled(run, "fitting the baselines")
        knn = DrugKNNBaseline(n_dis).fit(base_pairs, data.drug_X)
        ease = _ease_baseline(cfg, split, n_dis)
        base_sc = {"popularity": pop, "logistic": lr, "knn": knn, "ease": ease}
        base_extra = {}
        from ddi_core.models.evidence.pipeline import _extra_metrics

        for name, sc in base_sc.items():
            ev[name] = evaluate_scorer(sc, train=base_pairs, val=split.val, test=split.test,
                                       n_dis=n_dis, **rk)
            base_extra[name] = _extra_metrics(sc, split, data, seeds, cfg)
            _stop_if_cancelled(run, f"evaluating the {name} baseline")
        model_extra = _extra_metrics(scorer, split, data, seeds, cfg)
        if cfg.walk.seed_source != "known":
            try:  # a reporting extra: never lose a finished training to it
                model_extra["by_seed_source"] = seed_source_strata(scorer, data, split, cfg,
                                                                   n_dis)
            except Exception as exc:  # noqa: BLE001
                log.warning("metrics by seed source failed: %s", exc)
                model_extra["by_seed_source"] = {"error": f"{type(exc).__name__}: {exc}"}
            _stop_if_cancelled(run, "evaluating by seed source")
        metrics = {
            "test": {**headline(ev["model"]), **model_extra},
            "paper_protocol": {
                **headline(ev_paper), "optimistic": True,
                "note": "early stopping and reporting on the same held-out (validation) set, "
                        "as in the paper; optimistic",
                "paper_reported": PAPER_REPORTED,
            },
            "detail": {k: _strip_curves(v) for k, v in ev.items()},
        }
        baselines = {k: {**headline(ev[k]), **base_extra[k]} for k in base_sc}
        curves = {
            "test": ev["model"]["classification"].get("curves"),
            "baselines": {k: ev[k]["classification"].get("curves") for k in baselines},
            "history": res.history,
        }
        run.write_json("metrics.json", {**metrics, "baselines": baselines})
        run.write_json("curves.json", curves)
        run.update(
            train={k: v for k, v in res.to_dict().items() if k != "history"},
            headline=metrics["test"],
            timings={"train_seconds": round(train_seconds, 1), "epochs": res.epochs_run,
                     "total_seconds": round(time.perf_counter() - t_start, 1),
                     "device": res.device, "peak_rss_mib": _peak_rss_mib()},
        )
        _check_healthy(res.epochs_run, res.best_val_loss, metrics["test"])
        run.finish("done")
        say(f"done: test AUROC {metrics['test']['auroc']:.4f}  F1 {metrics['test']['f1']:.4f}  "
            f"MRR {metrics['test']['mrr']:.4f}")
        return run
    except _Cancelled as stop:
        run.update(cancelled_during=str(stop))
        run.finish("cancelled")
        say(f"cancelled while {stop}")
        return run
    except BaseException as exc:
        msg = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, KeyboardInterrupt):
            run.finish("cancelled", error="interrupted")
        else:
            run.finish("failed", error=msg)
        raise


def _check_healthy(epochs: int, best_val_loss: float | None, test: dict) -> None:
    """A run is done only with at least one epoch, a finite validation loss and finite
    test scores; otherwise it fails with the reason (and never becomes the default)."""
    if epochs < 1:
        raise DDIError("no training epoch finished, so the model is untrained")
    if best_val_loss is None or not np.isfinite(best_val_loss):
        raise DDIError(f"the validation loss is not finite ({best_val_loss})")
    auroc = test.get("auroc")
    if auroc is None or not np.isfinite(auroc):
        raise DDIError(f"the test AUROC is not finite ({auroc}): the scores are NaN")


def _ease_baseline(cfg: RunConfig, split, n_dis: int):
    """EASE on the training positives, ``λ`` chosen by validation MRR."""
    from ddi_core.models.evidence.ease import EASEScorer, choose_lambda
    from ddi_core.models.evidence.features import association_matrix

    pos = split.train.y == 1
    n_drugs = int(max(split.train.drug.max(), split.val.drug.max(), split.test.drug.max())) + 1
    A = association_matrix(split.train.drug[pos], split.train.dis[pos], n_drugs, n_dis)
    vpos = split.val.y == 1
    lam, _ = choose_lambda(A, split.val.drug[vpos], split.val.dis[vpos], cfg.evidence.ease_lambdas)
    return EASEScorer(lam).fit(A)


def load_trained(run_id: str | None = None, device: str | None = "cpu") -> TrainedModel:
    """Rebuild a finished run's model and features (for ranking and evaluation)."""
    from ddi_core.models.mlp import build_model

    run = runs.load_run(run_id) if run_id else runs.default_run()
    if run is None:
        raise DDIError("no finished run yet: train one with `ddi train --preset evidence`")
    if run.status != "done":
        raise DDIError(f"run {run.id} is {run.status}, not done")
    if runs.model_kind(run) == "evidence":
        from ddi_core.models.evidence.pipeline import load_evidence

        return load_evidence(run)
    cfg = RunConfig.from_dict(run.info["config"])
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
        raise runs.CorruptRunFileError(run.path("model.pt"), f"not this run's model ({exc})") \
            from exc
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
    return jobs.start("train", argv, run_id=rid, log_path=runs.paths.runs_dir() / rid / "train.log",
                      label=label)


def run_split(run: runs.Run) -> dict[str, Pairs]:
    """The run's split (``split.npz``); :class:`runs.CorruptRunFileError` naming the file
    when it is truncated or lacks a part."""
    z = run.load_npz("split.npz")
    out = {}
    for part in ("train", "val", "test", "train_used"):
        try:
            out[part] = Pairs(z[f"{part}_drug"], z[f"{part}_dis"], z[f"{part}_y"])
        except KeyError as exc:
            raise runs.CorruptRunFileError(run.path("split.npz"), f"no {part} part ({exc})") \
                from exc
    return out


__all__ = ["prepare", "run_training", "load_trained", "sub_seeds", "headline", "PAPER_REPORTED",
           "run_split", "start_training_job"]
