"""A finished run loaded for scoring (model, tables, known pairs), cached per run id.

:func:`load_scorer` opens a run of the registry: it checks the run's inputs (raw files,
the kept exclude-pairs copy, its model kind's own inputs), has the run's model kind
rebuild the model from the run's directory (:meth:`ModelKind.load
<ddi_core.models.base.ModelKind>`) and wraps it with the names, classes and known pairs
a ranking shows (:class:`RunScorer`).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ddi_core.config.run import RunConfig
from ddi_core.data import entities, loaders
from ddi_core.data.disease_classes import disease_classes
from ddi_core.data.sources import data_version
from ddi_core.errors import DDIError
from ddi_core.facts.drugcentral import approved_drugs
from ddi_core.facts.known import KnownPairs, known_pairs
from ddi_core.models.base import RankScorer, Trained
from ddi_core.models.registry import model_kind
from ddi_core.rank.table import disease_reason, mesh_branches
from ddi_core.runs import inputs, result
from ddi_core.runs import registry as runs
from ddi_core.runs.result import RunResult
from ddi_core.runs.split_file import run_split
from ddi_core.walk.profiles import DrugProfiles, drug_profiles

log = logging.getLogger(__name__)


FULL_SCORES = "full_scores.parquet"


class NotFeaturisableError(DDIError):
    """A known drug or disease that the method cannot featurise (so cannot score).

    Attributes
    ----------
    kind : {"drug", "disease"}
    entity_id : str
    name : str
    reason : str
        Why, in words (e.g. no SMILES and no known targets; targets but none in
        the network).
    """

    def __init__(self, kind: str, entity_id: str, name: str, reason: str) -> None:
        self.kind = kind
        self.entity_id = entity_id
        self.name = name
        self.reason = reason
        super().__init__(f"cannot score {kind} {name} ({entity_id}): {reason}")


# --------------------------------------------------------------------------- #
# a loaded run
# --------------------------------------------------------------------------- #
def _by_row(pairs: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    m = sp.csr_matrix(
        (np.ones(len(pairs), dtype=bool), (pairs[:, 0], pairs[:, 1])), shape=(n_rows, n_cols)
    )
    m.sum_duplicates()
    return m


@dataclass
class RunScorer:
    """A finished run ready for interactive queries.

    Attributes
    ----------
    run_id : str
    scorer : RankScorer
        The model kind's scorer (:class:`~ddi_core.models.base.RankScorer`).
    drug_ids, dis_ids : ndarray of str
        Row ids of the drug and disease tables.
    drug_names, dis_names, dis_branches : ndarray of str
        Aligned display columns (``dis_branches``: ``"; "``-joined
        :func:`mesh_branches`).
    known : scipy.sparse CSR of bool, shape (n_drugs, n_dis)
        CTD associations between table rows.
    train_pos : scipy.sparse CSR of bool, shape (n_drugs, n_dis)
        Positives of the pairs the model was trained on.
    ctd_pairs : DataFrame
        Every CTD ``chemical_id, disease_id`` pair (also outside the tables).
    trained : Trained, optional
        The run's model as its kind loaded it (absent in unit tests).
    run : Run, optional
        The run of the registry (absent in unit tests).
    dis_classes : ndarray of str, optional
        Each disease's class (:mod:`ddi_core.data.disease_classes`); absent: every
        term is a ``"disease"``.
    drug_approved : ndarray of bool, optional
        Each drug on DrugCentral's FDA-approved list; absent: none is known to be.
    known_marks : KnownPairs, optional
        Where each known pair comes from (:mod:`ddi_core.facts.known`); absent: CTD's
        pairs are the only marks.
    """

    run_id: str
    scorer: RankScorer
    drug_ids: np.ndarray
    dis_ids: np.ndarray
    drug_names: np.ndarray
    dis_names: np.ndarray
    dis_branches: np.ndarray
    known: sp.csr_matrix
    train_pos: sp.csr_matrix
    ctd_pairs: pd.DataFrame
    trained: Trained | None = None
    run: runs.Run | None = None
    dis_classes: np.ndarray | None = None
    drug_approved: np.ndarray | None = None
    known_marks: KnownPairs | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self.drug_row = {d: i for i, d in enumerate(np.asarray(self.drug_ids).tolist())}
        self.dis_row = {d: i for i, d in enumerate(np.asarray(self.dis_ids).tolist())}
        self.known_T = self.known.T.tocsr()
        self.train_T = self.train_pos.T.tocsr()

    @classmethod
    def from_trained(cls, run: runs.Run, tm: Trained, train_used: Any) -> RunScorer:
        """Wrap a run's loaded model (``tm``, from its kind) with names, classes, known
        pairs and the positives it was trained on (``train_used``)."""
        data = tm.data
        drugs = entities.drugs().set_index("chemical_id")["name"]
        dis = entities.diseases().set_index("disease_id")
        dis_name = dis["ctd_name"].where(dis["ctd_name"].fillna("") != "", dis["label"])
        tn = dis["tree_numbers"].fillna("").str.split("|").explode()
        tops = tn[tn.str.fullmatch(r"[A-Z]\d\d")]  # top-level descriptors (C04 Neoplasms)
        top_names = dict(zip(tops.to_numpy(), dis.loc[tops.index, "label"], strict=True))
        drug_ids = np.asarray(data.drug_ids).astype(str)
        dis_ids = np.asarray(data.dis_ids).astype(str)
        trees = dis["tree_numbers"].reindex(dis_ids).fillna("")
        branches = np.array(["; ".join(mesh_branches(t, top_names)) for t in trees], dtype=object)
        ctd = loaders.load_ctd_chemical_disease()[["chemical_id", "disease_id"]].drop_duplicates()
        drow = {d: i for i, d in enumerate(drug_ids.tolist())}
        srow = {d: i for i, d in enumerate(dis_ids.tolist())}
        r = ctd["chemical_id"].map(drow)
        c = ctd["disease_id"].map(srow)
        ok = r.notna() & c.notna()
        known = np.stack([r[ok].to_numpy(np.int64), c[ok].to_numpy(np.int64)], axis=1)
        pos = train_used.y == 1
        train = np.stack([train_used.drug[pos], train_used.dis[pos]], axis=1)
        n_d, n_s = len(drug_ids), len(dis_ids)
        classes = disease_classes(dis.reset_index()).reindex(dis_ids).fillna("disease")
        approved = set(approved_drugs()["chemical_id"])
        return cls(
            run_id=run.id,
            scorer=tm.scorer,
            drug_ids=drug_ids,
            dis_ids=dis_ids,
            drug_names=drugs.reindex(drug_ids).fillna("").to_numpy(object),
            dis_names=dis_name.reindex(dis_ids).fillna("").to_numpy(object),
            dis_branches=branches,
            known=_by_row(known, n_d, n_s),
            train_pos=_by_row(train, n_d, n_s),
            ctd_pairs=ctd.reset_index(drop=True),
            trained=tm,
            run=run,
            dis_classes=classes.to_numpy(object),
            drug_approved=np.array([d in approved for d in drug_ids.tolist()], dtype=bool),
            known_marks=known_pairs(),
        )

    # -- lazily loaded extras --------------------------------------------------------
    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A per-run lazily built value (thread-safe)."""
        if key not in self._memo:
            with self._lock:
                if key not in self._memo:
                    self._memo[key] = build()
        return self._memo[key]

    def profiles(self) -> DrugProfiles:
        """The run's drug profiles (gene ids and seeds)."""
        if self.trained is None:
            raise DDIError("no trained run attached")
        return self.memo("profiles", lambda: drug_profiles(self.trained.config.walk))

    def disease_classes(self) -> np.ndarray:
        """The class of every candidate disease (``"disease"`` when not recorded)."""
        if self.dis_classes is None:
            return np.full(len(self.dis_ids), "disease", dtype=object)
        return self.dis_classes

    def data_version(self) -> str:
        """Digest of the raw files the run was trained on (``""`` without a run)."""
        if self.run is None:
            return ""
        return data_version(RunResult.of(self.run).data_sha256)

    def approved_mask(self) -> np.ndarray:
        """Which candidate drugs are FDA-approved (none when not recorded)."""
        if self.drug_approved is None:
            return np.zeros(len(self.drug_ids), bool)
        return self.drug_approved

    @property
    def kind(self) -> str:
        """The name of the run's model kind (:mod:`ddi_core.models.registry`)."""
        return self.trained.kind if self.trained is not None else "mlp"

    def ctd_pair_set(self) -> set[tuple[str, str]]:
        return self.memo(
            "ctd_set",
            lambda: set(
                zip(self.ctd_pairs["chemical_id"], self.ctd_pairs["disease_id"], strict=True)
            ),
        )

    # -- rows with reasons -------------------------------------------------------------
    def drug_index(self, chemical_id: str) -> int:
        """Row of a chemical in the drug table; :class:`NotFeaturisableError` when absent."""
        i = self.drug_row.get(chemical_id)
        if i is not None:
            return i
        drugs = entities.drugs()
        name = drugs.loc[drugs["chemical_id"] == chemical_id, "name"]
        name = str(name.iloc[0]) if len(name) else chemical_id
        if self.trained is None:
            raise NotFeaturisableError("drug", chemical_id, name, "not in the drug table")
        reason = model_kind(self.kind).unscorable(self, chemical_id)
        raise NotFeaturisableError("drug", chemical_id, name, reason)

    def disease_index(self, disease_id: str) -> int:
        """Row of a disease in the disease table; :class:`NotFeaturisableError` when absent."""
        i = self.dis_row.get(disease_id)
        if i is not None:
            return i
        dis = entities.diseases()
        row = dis[dis["disease_id"] == disease_id]
        name = disease_id
        if len(row):
            name = str(row["ctd_name"].iloc[0] or row["label"].iloc[0])
        raise NotFeaturisableError("disease", disease_id, name, disease_reason(disease_id, dis))

    def known_dis_mask(self, drug_row: int) -> np.ndarray:
        m = np.zeros(len(self.dis_ids), bool)
        m[self.known[drug_row].indices] = True
        return m

    def train_dis_mask(self, drug_row: int) -> np.ndarray:
        m = np.zeros(len(self.dis_ids), bool)
        m[self.train_pos[drug_row].indices] = True
        return m

    def known_drug_mask(self, dis_row: int) -> np.ndarray:
        m = np.zeros(len(self.drug_ids), bool)
        m[self.known_T[dis_row].indices] = True
        return m

    def train_drug_mask(self, dis_row: int) -> np.ndarray:
        m = np.zeros(len(self.drug_ids), bool)
        m[self.train_T[dis_row].indices] = True
        return m


def _resolve_run_id(run_id: str | None) -> str:
    if run_id and run_id not in ("latest", "default"):
        return run_id
    run = result.latest_done() if run_id == "latest" else inputs.loadable_default()
    if run is None:
        raise DDIError("no finished run yet: train one with `ddi train --preset quick`")
    return run.id


def open_run(run_id: str | None = None) -> runs.Run:
    """A finished run of the registry whose inputs are still those it was trained on
    (``None``: the default run)."""
    run = runs.load_run(run_id) if run_id else inputs.default_run()
    if run is None:
        raise DDIError("no finished run yet: train one with `ddi train --preset evidence`")
    if run.status != "done":
        raise DDIError(f"run {run.id} is {run.status}, not done")
    inputs.check_data_hashes(run)
    inputs.check_exclude_pairs(run)
    inputs.check_model_inputs(run)
    return run


def load_trained(run_id: str | None = None, device: str | None = "cpu") -> tuple[runs.Run, Trained]:
    """A finished run and its model, rebuilt by the run's model kind from its directory."""
    run = open_run(run_id)
    cfg = run_config(run)
    split = run_split(run)
    return run, model_kind(RunResult.of(run).kind).load(run.dir, cfg, split, device)


def run_config(run: runs.Run) -> RunConfig:
    """The run's :class:`~ddi_core.config.run.RunConfig`."""
    return RunResult.of(run).run_config()


@functools.lru_cache(maxsize=2)
def _cached_scorer(run_id: str, device: str | None) -> RunScorer:
    t0 = time.perf_counter()
    run, tm = load_trained(run_id, device=device)
    rs = RunScorer.from_trained(run, tm, run_split(run)["train_used"])
    log.info(
        "run %s loaded for ranking in %.1fs (%d drugs x %d diseases, %s)",
        run_id,
        time.perf_counter() - t0,
        len(rs.drug_ids),
        len(rs.dis_ids),
        rs.scorer.device,
    )
    return rs


def load_scorer(run_id: str | None = None, *, device: str | None = None) -> RunScorer:
    """The :class:`RunScorer` of a finished run, cached per run id (LRU of 2).

    Parameters
    ----------
    run_id : str, optional
        A run id; ``None`` or ``"latest"`` is the newest finished run (resolved
        on every call, then cached by its id).
    device : str, optional
        ``"cpu"`` or ``"cuda"``; default CUDA when available.
    """
    return _cached_scorer(_resolve_run_id(run_id), device)


def clear_scorer_cache() -> None:
    """Forget every loaded run (e.g. after deleting one) and the current inputs' keys."""
    _cached_scorer.cache_clear()
    inputs.forget_current_inputs()
