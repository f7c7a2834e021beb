"""The ``mlp`` model kind: the paper's pair classifier over walk profiles ⊕ disease vectors.

Pair data: :func:`ddi_core.pairs.prepare.prepare` (drug walk profiles, the MeSH
embedding, CTD positives). Fit: a scaler on the training pairs' drugs and diseases
(constant columns dropped), the MLP (:mod:`ddi_core.models.mlp.net`) trained by
:func:`ddi_core.models.mlp.train.train` with SMOTE and early stopping. Files:
``model.pt`` (weights and hyper-parameters), ``scaler.npz``. Baselines: disease
popularity, a logistic regression on the same features, drug kNN on walk profiles,
EASE.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ddi_core.cache import atomic_savez, atomic_write_bytes, load_npz_file, load_torch_file
from ddi_core.config.run import RunConfig
from ddi_core.data import entities
from ddi_core.device import resolve_device
from ddi_core.errors import CorruptFileError, DDIError
from ddi_core.fitloop import EpochReport, FitCallback
from ddi_core.models.base import ExplainContext, FitJob, Fitted, PairScorer, Prepared, Trained
from ddi_core.models.baselines import DrugKNNBaseline, LogisticBaseline, PopularityBaseline
from ddi_core.models.ease import ease_baseline
from ddi_core.models.evaluate import ranking_metrics
from ddi_core.models.mlp.explain import explain_mlp_pair
from ddi_core.models.mlp.net import build_model
from ddi_core.models.mlp.scoring import FactorisedScorer, ModelScorer
from ddi_core.models.mlp.train import TrainLoopConfig, history_row, train
from ddi_core.pairs.features import PairFeatures, PairScaler, constant_mask
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.prepare import prepare
from ddi_core.pairs.splits import Split
from ddi_core.progress import Monitor
from ddi_core.walk.profiles import drug_profiles
from ddi_core.walk.reasons import drug_reason

log = logging.getLogger(__name__)

MODEL_FILE = "model.pt"
SCALER_FILE = "scaler.npz"


@dataclass
class MLPState:
    """The MLP's own parts of a loaded run: the network and its pair features."""

    model: torch.nn.Module
    features: PairFeatures


class _Progress(FitCallback):
    """Training progress into the run's monitor (throttled to one update a second)."""

    def __init__(self, monitor: Monitor, n_epochs: int, every: float = 1.0):
        self.monitor, self.n_epochs, self.every = monitor, n_epochs, every
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
        self.monitor.update(
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
        metrics = {k: v for k, v in history_row(report).items() if k != "epoch"}
        epoch = report.epoch
        self.history.append({"epoch": epoch + 1, **{k: float(v) for k, v in metrics.items()}})
        self.monitor.update(
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


def _subsample(p: Pairs, n: int | None, seed: int) -> Pairs:
    if n is None or len(p) <= n:
        return p
    rng = np.random.default_rng(seed)
    return p.subset(np.sort(rng.choice(len(p), size=n, replace=False)))


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


def seed_source_strata(scorer, data, split: Split, cfg: RunConfig, n_dis: int) -> dict[str, Any]:
    """Test AUROC and MRR of drugs with a known seed in the network vs predicted seeds only.

    Ranking metrics rank every disease for every test drug of the stratum (no sample).
    """
    from sklearn.metrics import roc_auc_score

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


class MLPKind:
    """The paper's MLP as a model kind (see the module docstring)."""

    name = "mlp"
    label = "MLP"
    description = (
        "The paper's method: a multilayer perceptron over the drug's signed-random-walk "
        "profile and the disease's MeSH-network embedding."
    )
    unit = "epoch"
    unit_label = "epoch"
    scorable = "with a walk profile"
    history_x: str | None = None  # rows numbered by position
    #: the files its ``save`` writes into a run directory (a run without one cannot load)
    files = (MODEL_FILE, SCALER_FILE)
    form_settings = ("train.max_epochs",)

    def summary(self, cfg: RunConfig) -> list[str]:
        t = cfg.train
        out = [f"≤{t.max_epochs} epochs"]
        if t.max_train_pairs:
            out.append(f"{t.max_train_pairs:,} training pairs")
        return out

    def describe(self, cfg: RunConfig) -> str:
        t, w = cfg.train, cfg.walk
        pairs = (
            f"at most {t.max_train_pairs:,} training pairs"
            if t.max_train_pairs
            else "every training pair"
        )
        ranked = (
            f"ranking metrics on {t.rank_eval_drugs} test drugs"
            if t.rank_eval_drugs
            else "ranking metrics on every test drug"
        )
        seeds = (
            "known and calibrated predicted targets"
            if w.seed_source == "known+predicted"
            else f"{w.seed_source} targets"
        )
        edges = (
            "every HSN edge (non-'Pos' flips the sign)" if w.include_phy else "signed edges only"
        )
        arch = "-".join(str(h) for h in t.hidden)
        return (
            f"Walk from {seeds} over {edges}; "
            f"MLP D-{arch}-1, Adam {t.lr:g}, batch {t.batch_size}"
            f"{', SMOTE' if t.smote else ''}; at most {t.max_epochs} epochs (early stopping, "
            f"patience {t.patience}); {pairs}; {ranked}."
        )

    def stages(self, cfg: RunConfig) -> tuple[str, ...]:
        return ("embed_diseases", "walk")

    def prepare(self, cfg: RunConfig, monitor: Monitor) -> Prepared:
        return Prepared(prepare(cfg))

    def fit(self, job: FitJob) -> Fitted:
        cfg, data, split, seeds, mon = job.cfg, job.data, job.split, job.seeds, job.monitor
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
        train_pairs = _subsample(split.train, cfg.train.max_train_pairs, seeds["split"])
        mon.say(f"the MLP trains on {len(train_pairs)} of {len(split.train)} training pairs")
        dev = resolve_device(job.device)
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
        mon.update(stage="training", max_epochs=loop.max_epochs, feature_dim=feats.dim)
        mon.say(
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
            callbacks=[_Progress(mon, loop.max_epochs), *job.callbacks],
            should_stop=mon.stopped,
            device=dev,
        )
        rec = res.to_dict()
        return Fitted(
            scorer=ModelScorer(model, feats),
            train_used=train_pairs,
            history=res.history,
            train={k: v for k, v in rec.items() if k != "history"},
            epochs=res.epochs_run,
            device=res.device,
            cancelled=res.status == "cancelled",
            state=(model, scaler, res.best_val_loss),
        )

    def save(self, fitted: Fitted, run_dir: Path) -> dict[str, Any]:
        model, scaler, _ = fitted.state
        buf = io.BytesIO()
        torch.save(
            {
                "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                "hparams": model.hparams,
            },
            buf,
        )
        atomic_write_bytes(run_dir / MODEL_FILE, buf.getvalue())
        atomic_savez(run_dir / SCALER_FILE, **_scaler_arrays(scaler))
        return {}

    def load(
        self, run_dir: Path, cfg: RunConfig, split: dict[str, Pairs], device: str | None
    ) -> Trained:
        data = prepare(cfg)
        ck = load_torch_file(run_dir / MODEL_FILE)
        try:
            scaler = _scaler_from(load_npz_file(run_dir / SCALER_FILE))
        except KeyError as exc:
            raise CorruptFileError(run_dir / SCALER_FILE, f"no array {exc}") from exc
        feats = PairFeatures(data.drug_X, data.dis_X, scaler=scaler, device=device)
        try:
            hp = dict(ck["hparams"])
            model = build_model(int(hp.pop("in_dim")), hp)
            model.load_state_dict(ck["state_dict"])
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise CorruptFileError(run_dir / MODEL_FILE, f"not this run's model ({exc})") from exc
        model.eval()
        scorer = FactorisedScorer(model, feats)
        scorer.disease_part()  # the per-disease half once, at load
        return Trained(
            kind=self.name,
            config=cfg,
            data=data,
            scorer=scorer,
            train=split["train"],
            state=MLPState(model, feats),
        )

    def baselines(self, job: FitJob, fitted: Fitted) -> dict[str, PairScorer]:
        split, data, seeds = job.split, job.data, job.seeds
        n_dis = len(data.dis_ids)
        feats = fitted.scorer.features
        base = split.train  # baselines see the full training split
        pop = PopularityBaseline(n_dis).fit(base)
        lr = LogisticBaseline(max_train_pairs=50_000, random_state=seeds["baselines"]).fit(
            fitted.train_used, feats
        )
        job.monitor.check("fitting the baselines")
        knn = DrugKNNBaseline(n_dis).fit(base, data.drug_X)
        ease = ease_baseline(split, n_dis, job.cfg.evidence.ease_lambdas)
        return {"popularity": pop, "logistic": lr, "knn": knn, "ease": ease}

    def report(self, job: FitJob, fitted: Fitted) -> dict[str, Any]:
        if job.cfg.walk.seed_source == "known":
            return {}
        try:  # a reporting extra: never lose a finished training to it
            n_dis = len(job.data.dis_ids)
            strata = seed_source_strata(fitted.scorer, job.data, job.split, job.cfg, n_dis)
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics by seed source failed: %s", exc)
            strata = {"error": f"{type(exc).__name__}: {exc}"}
        return {"by_seed_source": strata}

    def check(self, fitted: Fitted, test: dict[str, Any]) -> None:
        """A run is done only with at least one epoch, a finite validation loss and finite
        test scores; otherwise it fails with the reason (and never becomes the default)."""
        best_val_loss = fitted.state[2]
        if fitted.epochs < 1:
            raise DDIError("no training epoch finished, so the model is untrained")
        if best_val_loss is None or not np.isfinite(best_val_loss):
            raise DDIError(f"the validation loss is not finite ({best_val_loss})")
        auroc = test.get("auroc")
        if auroc is None or not np.isfinite(auroc):
            raise DDIError(f"the test AUROC is not finite ({auroc}): the scores are NaN")

    def explain(self, ctx: ExplainContext, d: int, s: int, top: int) -> dict[str, Any]:
        return explain_mlp_pair(ctx, d, s, top)

    def unscorable(self, ctx: ExplainContext, chemical_id: str) -> str:
        return drug_reason(
            chemical_id,
            walk=ctx.trained.config.walk,
            network_genes=ctx.profiles().gene_ids,
            signed_dti=entities.signed_dti(),
            drugs=entities.drugs(),
        )

    def stale(self, cfg: RunConfig, recorded: dict[str, Any]) -> str | None:
        return None  # its inputs are the raw files, checked for every run

    def forget(self) -> None:
        return None


KIND = MLPKind()

__all__ = ["KIND", "MLPKind", "MLPState", "MODEL_FILE", "SCALER_FILE", "seed_source_strata"]
