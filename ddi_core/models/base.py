"""What a model kind is: the one way in for every model that scores drug–disease pairs.

The run skeleton (:mod:`ddi_core.training.runner`), ranking (:mod:`ddi_core.rank.session`),
explanation (:mod:`ddi_core.rank.explain`), the run record's loadability check
(:mod:`ddi_core.runs.inputs`) and the pages reach a model only through its kind, an entry
of :mod:`ddi_core.models.registry`, and the interfaces here. A kind provides:

``summary(cfg)`` / ``describe(cfg)``
    a run's kind-specific items for its one-line summary, and a sentence on how it trains;
``stages(cfg)``
    the upstream cached stages a run of ``cfg`` reads (names of
    :data:`ddi_core.training.stages.STAGES`), so they are built, then recorded, once;
``prepare(cfg, monitor)``
    the pair data of the drugs it ranks (:class:`Prepared`);
``fit(job)``
    training on a split (:class:`FitJob` → :class:`Fitted`): progress and the one cancel
    check go through ``job.monitor`` (:class:`ddi_core.progress.Monitor`);
``save(fitted, run_dir)`` / ``load(run_dir, cfg, data, split)``
    its files in a run's directory, and a finished run's model rebuilt from them
    (:class:`Trained`), refusing a changed or truncated file;
``baselines(job, fitted)``
    the reference scorers a run of this kind is measured against;
``report(job, fitted)``
    kind-specific test figures beside the common ones (may be empty);
``check(fitted, test)``
    refuse to call an unhealthy run done;
``explain(ctx, d, s, top)``
    the kind's part of one pair's explanation (:class:`ExplainContext` gives names,
    training pairs and memoised tables);
``unscorable(ctx, chemical_id)``
    why a drug outside the run's rows is not among those it can score, in words;
``stale(cfg, recorded)`` / ``forget()``
    why a finished run can no longer be loaded on this data home beyond the raw files
    (``None`` when it can; a phrase after "run <id>"; ``recorded``: the pair counts its
    ``prepare`` recorded), and
    dropping what it memoised of the current inputs.

A scorer (:class:`RankScorer`) gives logits of every disease for blocks of drugs, of
every drug for a disease, and of pairs; :class:`PairScorer` is the smaller face that
metrics and baselines need (probabilities).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from ddi_core.config.run import RunConfig
from ddi_core.fitloop import FitCallback
from ddi_core.pairs.labels import PairData
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.splits import Split
from ddi_core.progress import Monitor


@runtime_checkable
class PairScorer(Protocol):
    """Scores drug–disease pairs; higher means more likely associated."""

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        """Scores of pairs ``(drug_idx[i], dis_idx[i])``, shape (n,)."""
        ...

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        """Scores of every disease for each drug, shape (len(drug_idx), n_dis)."""
        ...


class RankScorer(PairScorer, Protocol):
    """A trained model's logits over the run's drug × disease table (rows of its
    :class:`~ddi_core.pairs.labels.PairData`)."""

    device: str

    def logits_block(self, drug_rows: np.ndarray) -> np.ndarray:
        """Logits of every disease for each drug row, shape (len(drug_rows), n_dis)."""
        ...

    def logits_for_drug(self, drug_row: int) -> np.ndarray: ...

    def logits_for_disease(self, dis_row: int) -> np.ndarray: ...

    def logits_pairs(self, drug_rows: np.ndarray, dis_rows: np.ndarray) -> np.ndarray: ...


@dataclass
class Prepared:
    """A kind's pair data for a config, what its ``fit`` and ``baselines`` need beside it
    (e.g. the evidence tables), by name, and further ``run.json`` fields (``record``)."""

    data: PairData
    extra: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class FitJob:
    """Everything a kind's ``fit`` may read: the config, its prepared data, the split,
    the run's sub-seeds (:func:`ddi_core.seeds.sub_seeds`), the progress-and-cancel
    channel, epoch callbacks (the CLI's bar) and the device asked for."""

    cfg: RunConfig
    prepared: Prepared
    split: Split
    seeds: dict[str, int]
    monitor: Monitor = field(default_factory=Monitor)
    callbacks: Sequence[FitCallback] = ()
    device: str | None = None

    @property
    def data(self) -> PairData:
        return self.prepared.data


@dataclass
class Fitted:
    """A kind's trained model, before it is saved.

    ``train_used``: the training pairs the learner saw (stored as ``split.npz``'s
    ``train_used``); ``history``: one row per epoch or round for ``curves.json``
    (``epoch``, ``train_loss``, ``val_loss``…); ``train``: the run's ``train`` record;
    ``epochs``: epochs or rounds kept; ``timings``: the kind's own timing fields;
    ``record``: further ``run.json`` fields; ``cancelled``: training stopped on a
    cancel (the run ends ``cancelled`` after the model is saved)."""

    scorer: Any
    train_used: Pairs
    history: list[dict[str, Any]]
    train: dict[str, Any]
    epochs: int
    device: str = "cpu"
    timings: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    state: Any = None


@dataclass
class Trained:
    """A finished run's model, loaded: what ranking and explanation need.

    ``data``: the run's pair data (its rows are the scorer's); ``train``: the training
    split; ``state``: the kind's own parts (the MLP's network and features, the evidence
    model's tables and record)."""

    kind: str
    config: RunConfig
    data: PairData
    scorer: Any
    train: Pairs
    state: Any = None


class ExplainContext(Protocol):
    """What a kind's ``explain`` may ask of a loaded run (:class:`ddi_core.rank.session.RunScorer`)."""

    run_id: str
    trained: Trained
    drug_ids: np.ndarray
    drug_names: np.ndarray
    dis_ids: np.ndarray
    dis_names: np.ndarray
    train_pos: sp.csr_matrix

    def memo(self, key: str, build: Callable[[], Any]) -> Any: ...

    def profiles(self) -> Any: ...


class ModelKind(Protocol):
    """A model kind (see the module docstring); one entry of the registry."""

    name: str
    #: a reader's name ("evidence model") and a sentence on what it is
    label: str
    description: str
    #: what its training progress counts ("epoch", "round") and how a chart's axis names it
    unit: str
    unit_label: str
    #: which drugs it ranks, after "the drugs …" ("with a walk profile")
    scorable: str
    #: the key of a history row's own x value (``None``: rows are numbered by position)
    history_x: str | None
    #: the files its ``save`` writes into a run directory
    files: tuple[str, ...]
    #: the settings a new-run form offers for it beside split, negatives and seed
    form_settings: tuple[str, ...]

    def summary(self, cfg: RunConfig) -> list[str]: ...

    def describe(self, cfg: RunConfig) -> str: ...

    def stages(self, cfg: RunConfig) -> tuple[str, ...]: ...

    def prepare(self, cfg: RunConfig, monitor: Monitor) -> Prepared: ...

    def fit(self, job: FitJob) -> Fitted: ...

    def save(self, fitted: Fitted, run_dir: Path) -> dict[str, Any]: ...

    def load(
        self, run_dir: Path, cfg: RunConfig, split: dict[str, Pairs], device: str | None
    ) -> Trained: ...

    def baselines(self, job: FitJob, fitted: Fitted) -> dict[str, PairScorer]: ...

    def report(self, job: FitJob, fitted: Fitted) -> dict[str, Any]: ...

    def check(self, fitted: Fitted, test: dict[str, Any]) -> None: ...

    def explain(self, ctx: ExplainContext, d: int, s: int, top: int) -> dict[str, Any]: ...

    def unscorable(self, ctx: ExplainContext, chemical_id: str) -> str: ...

    def stale(self, cfg: RunConfig, recorded: dict[str, Any]) -> str | None: ...

    def forget(self) -> None: ...


__all__ = [
    "ExplainContext",
    "FitJob",
    "Fitted",
    "ModelKind",
    "PairScorer",
    "Prepared",
    "RankScorer",
    "Trained",
]
