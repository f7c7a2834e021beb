"""The ``evidence`` model kind: LightGBM over leak-safe network and collaborative evidence.

Pair data: the evidence tables (:func:`~ddi_core.models.evidence.tables.evidence_tables`)
and the population's pairs (:func:`~ddi_core.models.evidence.population.evidence_pair_data`).
Fit: EASE's ``λ`` by validation MRR, out-of-fold features of the bagged training pairs,
one booster per bag averaged (:mod:`ddi_core.models.evidence.fit`; on clinical labels the
learner drops training and validation positives of hidden classes). Files: ``model.txt``
(the booster, its SHA-256 kept) and ``evidence.json`` (feature names, ``λ``, the tables'
key, importances). Baselines: disease popularity, drug kNN on walk profiles, EASE at the
chosen ``λ``.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ddi_core.cache import atomic_write_bytes, atomic_write_json, read_json_file
from ddi_core.config.run import RunConfig
from ddi_core.data import entities
from ddi_core.errors import DDIError
from ddi_core.fitloop import EpochReport, FunctionCallback
from ddi_core.models.base import ExplainContext, FitJob, Fitted, PairScorer, Prepared, Trained
from ddi_core.models.baselines import DrugKNNBaseline, PopularityBaseline
from ddi_core.models.ease import EASEScorer
from ddi_core.models.evidence.explain import explain_evidence_pair
from ddi_core.models.evidence.fit import (
    clinical_labels,
    features_for_split,
    fit_evidence,
    profile_matrix,
)
from ddi_core.models.evidence.learner import Booster
from ddi_core.models.evidence.model import EVIDENCE_FILE, MODEL_FILE, EvidenceScorer, builder
from ddi_core.models.evidence.names import feature_names
from ddi_core.models.evidence.population import evidence_pair_data
from ddi_core.models.evidence.tables import (
    EvidenceTables,
    evidence_tables,
    tables_config,
    tables_key,
)
from ddi_core.pairs.pairs import Pairs
from ddi_core.progress import Monitor
from ddi_core.walk.reasons import drug_reason


@dataclass
class EvidenceState:
    """The evidence model's own parts of a loaded run: its tables and its record."""

    tables: EvidenceTables
    info: dict[str, Any]


@functools.lru_cache(maxsize=8)
def _tables_key_now(tables_cfg) -> str:
    return tables_key(tables_cfg)


class EvidenceKind:
    """The evidence model as a model kind (see the module docstring)."""

    name = "evidence"
    label = "evidence model"
    description = (
        "Gradient-boosted trees (LightGBM) over leak-safe evidence from the bundle's "
        "networks: signed-walk and target overlap with the disease's genes, STRING "
        "proximity, similar drugs known for the disease, EASE collaborative filtering."
    )
    unit = "round"
    unit_label = "boosting round"
    scorable = "with evidence"
    history_x: str | None = "epoch"  # the boosting round each row was recorded at
    #: the files its ``save`` writes into a run directory (a run without one cannot load)
    files = (MODEL_FILE, EVIDENCE_FILE)
    form_settings = ("evidence.population",)

    def summary(self, cfg: RunConfig) -> list[str]:
        return [f"≤{cfg.evidence.max_rounds:,} boosting rounds"]

    def describe(self, cfg: RunConfig) -> str:
        e, t = cfg.evidence, cfg.train
        ranked = (
            f"ranking metrics on {t.rank_eval_drugs} test drugs"
            if t.rank_eval_drugs
            else "ranking metrics on every test drug"
        )
        return (
            f"LightGBM over leak-safe network and collaborative evidence features "
            f"({', '.join(e.families)}; association features of training pairs out of "
            f"{e.oof_folds} folds); early stopping on the validation split (at most "
            f"{e.max_rounds:,} boosting rounds, patience {e.early_stopping_rounds}); "
            f"{e.train_neg_ratio:g} learner negatives per training positive; {ranked}; "
            "about 1–3 min on 2 cores once the evidence tables are cached."
        )

    def stages(self, cfg: RunConfig) -> tuple[str, ...]:
        return ("embed_diseases", "walk", "evidence_tables")

    def prepare(self, cfg: RunConfig, monitor: Monitor) -> Prepared:
        tables = evidence_tables(tables_config(cfg.evidence))
        data, drug_map = evidence_pair_data(cfg, tables)
        data.counts["tables"] = tables.meta.get("cache_key")
        return Prepared(
            data,
            {"tables": tables, "drug_map": drug_map},
            record={"population": cfg.evidence.population},
        )

    def fit(self, job: FitJob) -> Fitted:
        cfg, data, split, seeds, mon = job.cfg, job.data, job.split, job.seeds, job.monitor
        tables, drug_map = job.prepared.extra["tables"], job.prepared.extra["drug_map"]
        record: dict[str, Any] = {}
        # what the learner sees; the validation and test figures use the whole split, so a
        # run on clinical labels is measured as every other run is
        fit_split = split
        if cfg.evidence.labels == "clinical":
            fit_split, dropped = clinical_labels(split, data)
            record["clinical_labels"] = dropped
            mon.say(
                f"clinical labels: {dropped['train']} training, {dropped['val']} validation "
                "positives of experimental-model or chemically-induced terms dropped"
            )
        t0 = time.perf_counter()
        mon.update(stage="building features")
        fs = features_for_split(tables, cfg, data, drug_map, fit_split, seeds, mon)
        lam, lam_scores = fs.ease_lambda, fs.ease_scores
        mon.say(f"EASE lambda {lam} (validation MRR {lam_scores[str(lam)]:.4f})")
        t1 = time.perf_counter()
        mon.check("building features")

        names = feature_names(cfg.evidence)
        mon.update(stage="training", max_epochs=cfg.evidence.max_rounds)
        mon.say(
            f"LightGBM x {len(fs.bag_rows())} on {len(fs.bag_rows()[0])} training pairs x "
            f"{len(names)} features (early stopping on {len(fs.stop)} validation pairs)"
        )

        def on_round(rep: EpochReport) -> None:
            mon.update(
                stage="training",
                epoch=rep.epoch + 1,
                max_epochs=cfg.evidence.max_rounds,
                batch_loss=round(rep.train_loss, 5),
                elapsed_seconds=round(time.perf_counter() - t0, 1),
            )

        booster = fit_evidence(
            fs,
            cfg,
            seeds["torch_init"],
            callbacks=[FunctionCallback(on_round), *job.callbacks],
            monitor=mon,
        )
        t2 = time.perf_counter()
        history = [
            {
                "epoch": h["round"],
                "train_loss": h.get("train_binary_logloss"),
                "val_loss": h.get("val_binary_logloss"),
                "val_auc": h.get("val_auc"),
            }
            for h in booster.history
            if h.get("bag", 0) == 0
        ]
        info = {
            "feature_names": names,
            "ease_lambda": lam,
            "ease_validation_mrr": lam_scores,
            "best_iteration": booster.best_iteration,
            "bag_best_iterations": booster.member_iterations or [booster.best_iteration],
            "bag_train_pairs": [int(len(r)) for r in fs.bag_rows()],
            "importance_gain": booster.importance(),
            "train_pairs": int(len(fs.bag_rows()[0])),
            "train_pairs_all_bags": int(len(fs.train)),
            "train_pos": int((fs.train.y == 1).sum()),
            "early_stopping_pairs": int(len(fs.stop)),
            "oof_folds": cfg.evidence.oof_folds,
            "tables": tables.meta,
        }
        return Fitted(
            scorer=EvidenceScorer(fs.builder, booster, drug_map),
            train_used=fs.train,
            history=history,
            train={
                "best_epoch": booster.best_iteration,
                "rounds": len(history) * 10,
                "status": "done",
            },
            epochs=booster.best_iteration,
            timings={
                "feature_seconds": round(t1 - t0, 2),
                "learner_seconds": round(t2 - t1, 2),
            },
            record=record,
            cancelled=mon.stopped(),
            state=(booster, info, fs),
        )

    def save(self, fitted: Fitted, run_dir: Path) -> dict[str, Any]:
        booster, record, _ = fitted.state
        model_bytes = booster.to_string().encode()
        atomic_write_bytes(run_dir / MODEL_FILE, model_bytes)
        record["model_sha256"] = hashlib.sha256(model_bytes).hexdigest()
        atomic_write_json(run_dir / EVIDENCE_FILE, record)
        return {}

    def load(
        self, run_dir: Path, cfg: RunConfig, split: dict[str, Pairs], device: str | None
    ) -> Trained:
        """Rebuild a finished evidence run's scorer (tables, ``A``, booster); refuses a
        changed or truncated model file and tables built from other inputs."""
        try:
            record = read_json_file(run_dir / EVIDENCE_FILE)
        except ValueError as exc:
            raise DDIError(
                f"run {run_dir.name}: unreadable {run_dir / EVIDENCE_FILE} ({exc})"
            ) from exc
        if not isinstance(record, dict) or not record:
            raise DDIError(f"run {run_dir.name}: {EVIDENCE_FILE} is missing")
        path = run_dir / MODEL_FILE
        try:
            raw = path.read_bytes()
            want = record.get("model_sha256")
            if want and hashlib.sha256(raw).hexdigest() != want:
                raise ValueError(
                    "its SHA-256 differs from the one recorded at training (truncated or changed)"
                )
            booster = Booster.from_string(
                raw.decode("utf-8", errors="strict"), record["feature_names"]
            )
        except (OSError, ValueError, KeyError) as exc:
            raise DDIError(f"run {run_dir.name}: unreadable {path} ({exc})") from exc
        tables = evidence_tables(tables_config(cfg.evidence))
        want = (record.get("tables") or {}).get("cache_key")
        if want and want != tables.meta.get("cache_key"):  # the inputs changed in this process
            raise DDIError(
                f"run {run_dir.name} was trained on evidence tables {want}, but the data "
                f"home now builds {tables.meta.get('cache_key')} (its inputs changed); "
                "retrain the run"
            )
        data, drug_map = evidence_pair_data(cfg, tables)
        fb = builder(tables, cfg, drug_map, split["train"], float(record["ease_lambda"]))
        return Trained(
            kind=self.name,
            config=cfg,
            data=data,
            scorer=EvidenceScorer(fb, booster, drug_map),
            train=split["train"],
            state=EvidenceState(tables, record),
        )

    def baselines(self, job: FitJob, fitted: Fitted) -> dict[str, PairScorer]:
        n_dis = len(job.data.dis_ids)
        tables, drug_map = job.prepared.extra["tables"], job.prepared.extra["drug_map"]
        fs = fitted.state[2]
        return {
            "popularity": PopularityBaseline(n_dis).fit(job.split.train),
            "knn": DrugKNNBaseline(n_dis).fit(job.split.train, profile_matrix(tables, drug_map)),
            "ease": EASEScorer(fs.ease_lambda).fit(fs.A_pop),
        }

    def report(self, job: FitJob, fitted: Fitted) -> dict[str, Any]:
        return {}

    def check(self, fitted: Fitted, test: dict[str, Any]) -> None:
        if not np.isfinite(test.get("val_mrr") or np.nan):
            raise DDIError("the model has no finite validation score")

    def explain(self, ctx: ExplainContext, d: int, s: int, top: int) -> dict[str, Any]:
        return explain_evidence_pair(ctx, d, s, top)

    def unscorable(self, ctx: ExplainContext, chemical_id: str) -> str:
        if ctx.trained.config.evidence.population == "evidence":
            return (
                "it has no SMILES, no known signed target and no CTD chemical-gene "
                "interaction, so the evidence model has nothing to rank it with"
            )
        return drug_reason(  # the paper's population: the drugs with a walk profile
            chemical_id,
            walk=ctx.trained.config.walk,
            network_genes=ctx.profiles().gene_ids,
            signed_dti=entities.signed_dti(),
            drugs=entities.drugs(),
        )

    def stale(self, cfg: RunConfig, recorded: dict[str, Any]) -> str | None:
        """Why a finished run's evidence tables (their code version or inputs: the walk
        profiles, embeddings, raw files) differ from what the data home builds now; its
        features would come from other tables than the model learned from. ``recorded``:
        the run's pair counts as :meth:`prepare` recorded them (``tables``: the key). The
        current key is computed once per process (:meth:`forget`)."""
        want = recorded.get("tables") if isinstance(recorded, dict) else None
        if not want:
            return None
        have = _tables_key_now(tables_config(cfg.evidence))
        if want != have:
            return (
                f"was trained on evidence tables {want}, but the data home now builds "
                f"{have} (its inputs changed); retrain the run"
            )
        return None

    def forget(self) -> None:
        _tables_key_now.cache_clear()


KIND = EvidenceKind()

__all__ = ["KIND", "EvidenceKind", "EvidenceState"]
