"""One evidence-model run: population → split → out-of-fold features → LightGBM → registry.

The run shares the MLP's registry layout, split function, seeds, metrics,
curves and baselines (:mod:`ddi_core.runs.lifecycle`, :mod:`ddi_core.pairs.prepare`,
:mod:`ddi_core.seeds`, :mod:`ddi_core.models.baselines`), so the two kinds compare on
the same footing. With ``evidence.population = "paper"`` the pairs and the
split are exactly the MLP's for the same seed.

Protocol (no positive feeds its own features, nothing held out enters ``A``):

1. The split (train / validation / test, with its negatives) as for the MLP.
2. ``A`` = the training positives. EASE's ``λ`` is chosen by validation MRR.
3. The learner's training pairs: the training split plus extra negatives
   (``train_neg_ratio``, part of them on a positive's drug), drawn afresh for
   each of ``n_bags`` boosters; the features of the union come out of fold
   (:func:`~ddi_core.models.evidence.oof.oof_features`) once, and the boosters
   are averaged into one model (:func:`fit_evidence`).
4. The early-stopping pairs: the validation split plus extra validation
   negatives drawn the same way; features from ``A``.
5. Test pairs: features from ``A``; metrics, ranking over every test drug,
   degree-matched negatives, baselines (popularity, drug kNN, EASE).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ddi_core.cache import atomic_savez
from ddi_core.config.run import RunConfig
from ddi_core.data import entities
from ddi_core.data.disease_classes import HIDDEN_IN_CLINICAL, disease_classes
from ddi_core.errors import DDIError
from ddi_core.fitloop import EpochReport, FitCallback, FunctionCallback
from ddi_core.models.evidence.ease import association_matrix
from ddi_core.models.evidence.features import FeatureBuilder, Similarities
from ddi_core.models.evidence.learner import Booster, average_boosters, fit_booster
from ddi_core.models.evidence.model import (
    EVIDENCE_FILE,
    MODEL_FILE,
    EvidenceScorer,
    builder,
)
from ddi_core.models.evidence.names import feature_names
from ddi_core.models.evidence.oof import fold_assignment, oof_features
from ddi_core.models.evidence.population import augment, evidence_pair_data
from ddi_core.models.evidence.tables import EvidenceTables, evidence_tables, tables_config
from ddi_core.pairs.features import Pairs
from ddi_core.pairs.labels import PairData
from ddi_core.pairs.prepare import split_for
from ddi_core.pairs.splits import Split, pair_keys
from ddi_core.runs import registry as runs
from ddi_core.runs.lifecycle import (
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

__all__ = [
    "clinical_labels",
    "features_for_split",
    "fit_evidence",
    "SplitFeatures",
    "run_evidence_training",
]


@dataclass
class SplitFeatures:
    """Everything the learner sees for one split (see the module docstring)."""

    ease_lambda: float
    ease_scores: dict[str, float]
    A_pop: sp.csr_matrix
    #: the union of every bag's training pairs, and their features
    train: Pairs
    stop: Pairs
    X_train: np.ndarray
    X_stop: np.ndarray
    builder: FeatureBuilder
    #: rows of ``train`` each bag's booster learns from
    bags: list[np.ndarray] | None = None

    def bag_rows(self) -> list[np.ndarray]:
        return self.bags if self.bags is not None else [np.arange(len(self.train))]


def _bagged_pairs(
    split, data: PairData, cfg: RunConfig, seed: int
) -> tuple[Pairs, Pairs, list[np.ndarray]]:
    """Every bag's training pairs as one union (bag 0's first, in order), its rows per
    bag, and bag 0's early-stopping pairs (shared by every bag)."""
    n_dis = len(data.dis_ids)
    train_p, stop_p = augment(split, data, cfg, seed)
    rows = [np.arange(len(train_p))]
    keys = pair_keys(train_p.drug, train_p.dis, n_dis)
    for b in range(1, cfg.evidence.n_bags):
        tb, _ = augment(split, data, cfg, seed + 1000 * b)
        kb = pair_keys(tb.drug, tb.dis, n_dis)
        order = np.argsort(keys, kind="stable")
        at = np.searchsorted(keys[order], kb)
        at = np.minimum(at, len(keys) - 1)
        known = keys[order][at] == kb
        new = ~known
        idx = np.empty(len(kb), np.int64)
        idx[known] = order[at[known]]
        idx[new] = len(keys) + np.arange(int(new.sum()))
        train_p = Pairs.concat(train_p, Pairs(tb.drug[new], tb.dis[new], tb.y[new]))
        keys = np.concatenate([keys, kb[new]])
        rows.append(idx)
    return train_p, stop_p, rows


def features_for_split(
    tables: EvidenceTables,
    cfg: RunConfig,
    data: PairData,
    drug_map: np.ndarray,
    split,
    seeds: dict[str, int],
    progress: Callable[[int, int], None] | None = None,
) -> SplitFeatures:
    """EASE's ``λ`` (validation MRR), the learner's pairs and their leak-safe features.

    Only training positives enter ``A``; training pairs get out-of-fold
    features; test pairs and labels are never read.
    """
    from ddi_core.models.evidence.ease import choose_lambda
    from ddi_core.models.evidence.features import _Static

    n_dis = len(data.dis_ids)
    pos = split.train.y == 1
    A_pop = association_matrix(
        split.train.drug[pos], split.train.dis[pos], len(data.drug_ids), n_dis
    )
    vpos = split.val.y == 1
    lam, lam_scores = choose_lambda(
        A_pop, split.val.drug[vpos], split.val.dis[vpos], cfg.evidence.ease_lambdas
    )
    train_p, stop_p, bags = _bagged_pairs(split, data, cfg, seeds["negatives"] + 1)
    sims = Similarities.build(tables, cfg.evidence)
    static = _Static(tables) if "network" in cfg.evidence.families else None
    folds = fold_assignment(
        train_p.drug,
        train_p.dis,
        train_p.y,
        cfg.train.split,
        cfg.evidence.oof_folds,
        seeds["split"] + 7,
    )
    X_tr = oof_features(
        tables,
        sims,
        cfg.evidence,
        drug_map[train_p.drug],
        train_p.dis,
        train_p.y,
        folds,
        ease_lambda=lam,
        static=static,
        progress=progress,
    )
    fb = builder(tables, cfg, drug_map, split.train, lam, sims, static)
    X_va = fb.pairs(drug_map[stop_p.drug], stop_p.dis)
    return SplitFeatures(lam, lam_scores, A_pop, train_p, stop_p, X_tr, X_va, fb, bags)


def fit_evidence(
    fs: SplitFeatures,
    cfg: RunConfig,
    seed: int,
    *,
    callbacks: Sequence[FitCallback] = (),
    should_stop: Callable[[], bool] | None = None,
    on_bag: Callable[[int, int], None] | None = None,
) -> Booster:
    """One booster per bag (seed ``seed + b``, early stopping on the shared validation
    pairs), averaged into one model; a single bag is the plain booster."""
    names = feature_names(cfg.evidence)
    members = []
    rows = fs.bag_rows()
    for b, idx in enumerate(rows):
        if on_bag:
            on_bag(b, len(rows))
        members.append(
            fit_booster(
                fs.X_train[idx],
                fs.train.y[idx],
                fs.X_stop,
                fs.stop.y,
                names,
                cfg.evidence,
                seed=seed + b,
                callbacks=callbacks,
                should_stop=should_stop,
            )
        )
        if should_stop is not None and should_stop():
            break
    return average_boosters(members)


# --------------------------------------------------------------------------- #
# training
# --------------------------------------------------------------------------- #
def run_evidence_training(
    cfg: RunConfig,
    *,
    run_id: str | None = None,
    echo: Callable[[str], None] | None = None,
    callbacks: Sequence[FitCallback] = (),
) -> runs.Run:
    """Train and evaluate an evidence model; everything lands in a new run.

    Returns the run (``done`` or ``cancelled``); an exception marks it
    ``failed`` and is re-raised. A cancel is honoured between stages and
    between boosting rounds.
    """
    from ddi_core.models.baselines import DrugKNNBaseline, PopularityBaseline
    from ddi_core.models.evaluate import evaluate_scorer, extra_metrics
    from ddi_core.models.evidence.ease import EASEScorer

    run, seeds = start_run(cfg, run_id=run_id, model="evidence")
    say = echo or (lambda s: None)
    say(f"run {run.id}")
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        return now

    with finishing(run, say):
        from ddi_core.runs.inputs import keep_exclude_pairs

        cfg = keep_exclude_pairs(run, cfg)
        record_config(run, cfg)
        run.set_progress(stage="preparing data")
        tables = evidence_tables(tables_config(cfg.evidence))
        data, drug_map = evidence_pair_data(cfg, tables)
        split = split_for(cfg, data, seeds)
        # what the learner sees; the validation and test figures use the whole split, so a
        # run on clinical labels is measured as every other run is
        fit_split = split
        if cfg.evidence.labels == "clinical":
            fit_split, dropped = clinical_labels(split, data)
            run.update(clinical_labels=dropped)
            say(
                f"clinical labels: {dropped['train']} training, {dropped['val']} validation "
                "positives of experimental-model or chemically-induced terms dropped"
            )
        t = lap("data_seconds", t0)
        stop_if_cancelled(run, "preparing data")
        n_dis = len(data.dis_ids)
        summary = split.summary()
        run.update(
            pairs={**data.counts, "tables": tables.meta.get("cache_key")},
            split_summary=summary,
            population=cfg.evidence.population,
        )
        say(
            f"pairs: {data.counts['positives']} positives over {len(data.drug_ids)} drugs; split "
            f"{summary['train']['pairs']}/{summary['val']['pairs']}/{summary['test']['pairs']}"
        )

        run.set_progress(stage="building features")
        fs = features_for_split(
            tables,
            cfg,
            data,
            drug_map,
            fit_split,
            seeds,
            progress=lambda f, k: run.set_progress(stage="building features", fold=f, folds=k),
        )
        lam, lam_scores, fb = fs.ease_lambda, fs.ease_scores, fs.builder
        train_p, stop_p = fs.train, fs.stop
        A_pop = fs.A_pop
        say(f"EASE lambda {lam} (validation MRR {lam_scores[str(lam)]:.4f})")
        t = lap("feature_seconds", t)
        stop_if_cancelled(run, "building features")

        names = feature_names(cfg.evidence)
        run.set_progress(stage="training", max_epochs=cfg.evidence.max_rounds)
        say(
            f"LightGBM x {len(fs.bag_rows())} on {len(fs.bag_rows()[0])} training pairs x "
            f"{len(names)} features (early stopping on {len(stop_p)} validation pairs)"
        )

        def on_round(rep: EpochReport) -> None:
            run.set_progress(
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
            callbacks=[FunctionCallback(on_round), *callbacks],
            should_stop=run.cancel_requested,
            on_bag=lambda b, n: run.set_progress(stage="training", bag=b + 1, bags=n),
        )
        t = lap("learner_seconds", t)
        from ddi_core.cache import atomic_write_bytes

        model_bytes = booster.to_string().encode()
        atomic_write_bytes(run.path(MODEL_FILE), model_bytes)
        save_split(run, split, train_p)
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
        ev_info = {
            "feature_names": names,
            "ease_lambda": lam,
            "ease_validation_mrr": lam_scores,
            "best_iteration": booster.best_iteration,
            "bag_best_iterations": booster.member_iterations or [booster.best_iteration],
            "bag_train_pairs": [int(len(r)) for r in fs.bag_rows()],
            "importance_gain": booster.importance(),
            "train_pairs": int(len(fs.bag_rows()[0])),
            "train_pairs_all_bags": int(len(train_p)),
            "train_pos": int((train_p.y == 1).sum()),
            "early_stopping_pairs": int(len(stop_p)),
            "oof_folds": cfg.evidence.oof_folds,
            "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
            "tables": tables.meta,
        }
        run.write_json(EVIDENCE_FILE, ev_info)
        stop_if_cancelled(run, "training")

        run.set_progress(stage="evaluating")
        say("evaluating on the test split and the baselines")
        scorer = EvidenceScorer(fb, booster, drug_map)
        rk = {"rank_max_drugs": cfg.train.rank_eval_drugs, "rank_seed": seeds["baselines"]}
        ev = {
            "model": evaluate_scorer(
                scorer, train=split.train, val=split.val, test=split.test, n_dis=n_dis, **rk
            )
        }
        t = lap("evaluate_seconds", t)
        stop_if_cancelled(run, "evaluating the model")
        ev_paper = evaluate_scorer(
            scorer, train=split.train, val=split.val, test=split.val, n_dis=n_dis, ranking=False
        )
        atomic_savez(
            run.path("test_scores.npz"),
            y=split.test.y,
            score=scorer.score_pairs(split.test.drug, split.test.dis),
        )
        extra = extra_metrics(
            scorer, split, data, seed=seeds["baselines"], max_drugs=cfg.train.rank_eval_drugs
        )
        base_x = _profile_matrix(tables, drug_map)
        baselines_sc = {
            "popularity": PopularityBaseline(n_dis).fit(split.train),
            "knn": DrugKNNBaseline(n_dis).fit(split.train, base_x),
            "ease": EASEScorer(lam).fit(A_pop),
        }
        base_extra = evaluate_baselines(
            run, baselines_sc, ev, split, data, seed=seeds["baselines"], rank=rk
        )
        t = lap("baseline_seconds", t)

        test = write_metrics(run, ev, ev_paper, extra, base_extra, history)
        timings.update(
            total_seconds=round(time.perf_counter() - t0, 1),
            device="cpu",
            epochs=booster.best_iteration,
            peak_rss_mib=peak_rss_mib(),
            train_seconds=round(timings["feature_seconds"] + timings["learner_seconds"], 1),
        )
        run.update(
            train={
                "best_epoch": booster.best_iteration,
                "rounds": len(history) * 10,
                "status": "done",
            },
            headline=test,
            timings=timings,
        )
        if not np.isfinite(test.get("val_mrr") or np.nan):
            raise DDIError("the model has no finite validation score")
        run.finish("done")
        say(
            f"done: test AUROC {test['auroc']:.4f}  MRR {test['mrr']:.4f}  "
            f"median rank {test['median_rank']:.0f}  ({timings['total_seconds']:.0f} s)"
        )
        return run
    return run


def clinical_labels(split: Split, data: PairData) -> tuple[Split, dict[str, int]]:
    """``split`` without the training and validation positives whose disease class is
    hidden in the clinical view (the test split unchanged), and how many were dropped."""
    cls = disease_classes(entities.diseases())
    hidden = np.isin(
        cls.reindex(np.asarray(data.dis_ids).astype(str)).fillna("disease").to_numpy(object),
        sorted(HIDDEN_IN_CLINICAL),
    )
    dropped = {}
    parts = {}
    for name in ("train", "val"):
        p = getattr(split, name)
        drop = (p.y == 1) & hidden[p.dis]
        parts[name] = Pairs(p.drug[~drop], p.dis[~drop], p.y[~drop])
        dropped[name] = int(drop.sum())
    return dataclasses.replace(split, **parts), dropped


def _profile_matrix(tables: EvidenceTables, drug_map: np.ndarray) -> np.ndarray:
    """Walk profiles of the run's drugs (zero rows without one): the kNN baseline's input."""
    X = np.zeros((len(drug_map), tables.profile.shape[1]), np.float32)
    pos = np.full(tables.n_drugs, -1, np.int64)
    pos[tables.profile_row] = np.arange(len(tables.profile_row))
    p = pos[drug_map]
    X[p >= 0] = tables.profile[p[p >= 0]]
    return X
