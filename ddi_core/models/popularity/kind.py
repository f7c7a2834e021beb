"""The ``popularity`` model kind: every drug gets the same ranking, diseases by how many
training positives they have.

It is the simplest honest reference a ranking can be held against, and it is registered
as a model so that it trains, ranks, explains and is evaluated through the same paths as
the MLP and the evidence model (:mod:`ddi_core.models.registry`). Logit of ``(d, s)``:
``log((n_s + 1) / (n̄ + 1))`` with ``n_s`` the training positives of disease ``s`` and
``n̄`` their mean over diseases (above-average diseases score above 0.5). Pair data: the
MLP's (:func:`ddi_core.pairs.prepare.prepare`). File: ``popularity.npz``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ddi_core.cache import atomic_savez, load_npz_file
from ddi_core.config.run import RunConfig
from ddi_core.errors import CorruptFileError, DDIError
from ddi_core.models.base import ExplainContext, FitJob, Fitted, PairScorer, Prepared, Trained
from ddi_core.models.ease import ease_baseline
from ddi_core.models.scores import sigmoid
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.prepare import prepare
from ddi_core.progress import Monitor

FILE = "popularity.npz"


class PopularityScorer:
    """Logits of a disease-popularity model over ``n_drugs`` × ``len(positives)``."""

    device = "cpu"

    def __init__(self, positives: np.ndarray, n_drugs: int) -> None:
        self.positives = np.asarray(positives, np.float64)
        self.n_drugs = int(n_drugs)
        self.n_dis = len(self.positives)
        mean = float(self.positives.mean()) if self.n_dis else 0.0
        self.logits = np.log((self.positives + 1.0) / (mean + 1.0)).astype(np.float32)

    def logits_block(self, drug_rows: np.ndarray) -> np.ndarray:
        return np.tile(self.logits, (len(np.asarray(drug_rows)), 1))

    def logits_for_drug(self, drug_row: int) -> np.ndarray:
        return self.logits.copy()

    def logits_for_disease(self, dis_row: int) -> np.ndarray:
        return np.full(self.n_drugs, self.logits[int(dis_row)], np.float32)

    def logits_pairs(self, drug_rows: np.ndarray, dis_rows: np.ndarray) -> np.ndarray:
        return self.logits[np.asarray(dis_rows, np.int64)]

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits_pairs(drug_idx, dis_idx))

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits_block(drug_idx))


class PopularityKind:
    """Disease popularity as a model kind (see the module docstring)."""

    name = "popularity"
    label = "popularity model"
    description = (
        "A reference: every drug gets the same list, diseases ranked by how many known "
        "drugs they have in the training split."
    )
    unit = "fit"
    unit_label = "fit"
    scorable = "with a walk profile"
    history_x: str | None = None
    #: the files its ``save`` writes into a run directory (a run without one cannot load)
    files = (FILE,)
    form_settings = ()

    def summary(self, cfg: RunConfig) -> list[str]:
        return []

    def describe(self, cfg: RunConfig) -> str:
        return (
            "Counts each disease's training positives and ranks diseases by them, the same "
            "list for every drug: the reference a model has to beat; seconds to train."
        )

    def stages(self, cfg: RunConfig) -> tuple[str, ...]:
        return ("embed_diseases", "walk")

    def prepare(self, cfg: RunConfig, monitor: Monitor) -> Prepared:
        return Prepared(prepare(cfg))

    def fit(self, job: FitJob) -> Fitted:
        tr = job.split.train
        pos = np.bincount(tr.dis[tr.y == 1], minlength=len(job.data.dis_ids))
        scorer = PopularityScorer(pos, len(job.data.drug_ids))
        job.monitor.say(f"popularity of {int((pos > 0).sum())} diseases with a training positive")
        return Fitted(
            scorer=scorer,
            train_used=tr,
            history=[],
            train={"status": "done", "diseases_with_positives": int((pos > 0).sum())},
            epochs=1,
        )

    def save(self, fitted: Fitted, run_dir: Path) -> dict[str, Any]:
        sc = fitted.scorer
        atomic_savez(run_dir / FILE, positives=sc.positives, n_drugs=np.asarray(sc.n_drugs))
        return {}

    def load(
        self, run_dir: Path, cfg: RunConfig, split: dict[str, Pairs], device: str | None
    ) -> Trained:
        data = prepare(cfg)
        z = load_npz_file(run_dir / FILE)
        try:
            pos, n_drugs = z["positives"], int(z["n_drugs"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptFileError(run_dir / FILE, f"not this run's model ({exc})") from exc
        if len(pos) != len(data.dis_ids) or n_drugs != len(data.drug_ids):
            raise CorruptFileError(
                run_dir / FILE,
                f"holds {len(pos)} diseases x {n_drugs} drugs, but the run's pair data has "
                f"{len(data.dis_ids)} x {len(data.drug_ids)}",
            )
        return Trained(
            kind=self.name,
            config=cfg,
            data=data,
            scorer=PopularityScorer(pos, n_drugs),
            train=split["train"],
        )

    def baselines(self, job: FitJob, fitted: Fitted) -> dict[str, PairScorer]:
        n_dis = len(job.data.dis_ids)
        return {"ease": ease_baseline(job.split, n_dis, job.cfg.evidence.ease_lambdas)}

    def report(self, job: FitJob, fitted: Fitted) -> dict[str, Any]:
        return {}

    def check(self, fitted: Fitted, test: dict[str, Any]) -> None:
        if not fitted.scorer.positives.any():
            raise DDIError("no disease has a training positive, so every score is the same")

    def explain(self, ctx: ExplainContext, d: int, s: int, top: int) -> dict[str, Any]:
        sc = ctx.trained.scorer
        order = np.argsort(-sc.positives, kind="stable")[:top]
        return {
            "popularity": {
                "training_positives": int(sc.positives[s]),
                "mean_training_positives": float(sc.positives.mean()),
                "most_popular": [
                    {
                        "disease_id": str(ctx.dis_ids[i]),
                        "disease_name": str(ctx.dis_names[i]),
                        "training_positives": int(sc.positives[i]),
                    }
                    for i in order
                ],
            },
            "method": {
                "popularity": "log((positives of the disease + 1) / (mean positives + 1)); "
                "the drug plays no part",
            },
        }

    def unscorable(self, ctx: ExplainContext, chemical_id: str) -> str:
        return "it is not among the drugs of the run's pair data (those with a walk profile)"

    def stale(self, cfg: RunConfig, recorded: dict[str, Any]) -> str | None:
        return None

    def forget(self) -> None:
        return None


KIND = PopularityKind()

__all__ = ["FILE", "KIND", "PopularityKind", "PopularityScorer"]
