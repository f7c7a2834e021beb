"""Scoring and ranking with a finished run: every disease for a drug, every drug for a disease.

Scoring
    Logits come from :class:`ddi_core.models.scoring.FactorisedScorer` (the pair MLP
    with its first layer split into a drug part and a disease part).

Ranks and percentiles
    Candidates are ordered by descending logit (ties by table order); ``rank``
    is the ordinal position ``1..n``. ``percentile`` is ``100 · (n − r) / (n −
    1)`` with ``r`` the tie-averaged ("realistic") rank among the same ``n``
    candidates: 100 = top, 0 = bottom, the convention of
    :func:`ddi_core.validation.ptdb.rank_percentile`. ``score`` is the model
    probability ``sigmoid(logit)``; ordering uses the logit (no saturation ties).
    With ``hide_known`` the known (CTD) pairs are removed *before* ranking, so
    ``rank`` and ``percentile`` are among the unknown candidates only (the
    filtered protocol).

Known and training pairs
    ``known``: the pair is a CTD chemical–disease association (the whole CTD
    table, including pairs a run excluded from training). ``in_training``: the
    pair was a positive of the run's training pairs (``train_used``: the pairs
    the model was fitted on).

Featurisability
    A drug is scored only when it has a walk profile (at least one signed target
    in the run's signaling network); a disease only when it is a CTD disease with
    a MeSH-network embedding. Anything else raises :class:`NotFeaturisableError`
    with the precise reason; nothing is ever scored from a zero vector.

The loaded run (model, tables, caches) is kept per run id by a small
``functools.lru_cache`` (:func:`load_scorer`), so after the first load a
one-drug query answers in well under a second on two CPU cores.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ddi_core.errors import DDIError
from ddi_core.models.scoring import FactorisedScorer, sigmoid

if TYPE_CHECKING:
    from ddi_core.config.run import WalkConfig
    from ddi_core.pipeline import TrainedModel
    from ddi_core.walk.profiles import DrugProfiles

log = logging.getLogger(__name__)

__all__ = [
    "NotFeaturisableError",
    "RunScorer",
    "RankResult",
    "load_scorer",
    "clear_scorer_cache",
    "mesh_branches",
    "rank_positions",
    "ranked_table",
    "drug_reason",
    "disease_reason",
    "rank_diseases",
    "rank_drugs",
    "score_pair_file",
    "score_full_matrix",
    "validate_run",
]

FULL_SCORES = "full_scores.parquet"
VALIDATION_FILE = "validation.json"


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
# ranks, percentiles, MeSH branches
# --------------------------------------------------------------------------- #
def rank_positions(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order, ordinal ranks and percentiles of candidates by descending score.

    Parameters
    ----------
    logits : ndarray, shape (n,)
        Higher = better. NaN is not allowed.

    Returns
    -------
    order : ndarray of int64
        Candidate positions, best first (ties keep input order).
    rank : ndarray of int64
        Ordinal rank ``1..n`` of each candidate (input order).
    percentile : ndarray of float64
        ``100 · (n − r) / (n − 1)`` with ``r = 1 + #higher + #tied_others / 2``
        (100 = top; ``n = 1`` gives 100).
    """
    v = np.asarray(logits, dtype=np.float64)
    n = len(v)
    order = np.argsort(-v, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    if n <= 1:
        return order, rank, np.full(n, 100.0)
    srt = np.sort(v)
    right = np.searchsorted(srt, v, side="right")
    left = np.searchsorted(srt, v, side="left")
    realistic = 1.0 + (n - right) + (right - left - 1) / 2.0
    return order, rank, 100.0 * (n - realistic) / (n - 1)


def mesh_branches(tree_numbers: str, names: Mapping[str, str] | None = None) -> list[str]:
    """Top-level MeSH trees of a descriptor, e.g. ``['C04 Neoplasms']``.

    Parameters
    ----------
    tree_numbers : str
        ``|``-separated tree numbers (``"C04.557.337|C15.604"``); empty for none.
    names : mapping, optional
        Top-level code → descriptor label (``"C04" → "Neoplasms"``); a code
        without a label is returned alone.

    Returns
    -------
    list of str
        Sorted, distinct ``"<code> <label>"`` (the code is the tree number's
        first dot-separated part).
    """
    names = names or {}
    codes = sorted({t.strip().split(".")[0] for t in str(tree_numbers or "").split("|") if t.strip()})
    return [f"{c} {names[c]}" if names.get(c) else c for c in codes]



def ranked_table(
    logits: np.ndarray,
    columns: Mapping[str, np.ndarray],
    known: np.ndarray,
    in_training: np.ndarray,
    *,
    hide_known: bool = False,
    top: int | None = None,
) -> pd.DataFrame:
    """A ranked candidate table (see the module docstring for the conventions).

    Parameters
    ----------
    logits : ndarray, shape (n,)
    columns : mapping of str to ndarray
        Descriptive columns aligned with ``logits`` (name, id, branch, …).
    known, in_training : ndarray of bool, shape (n,)
    hide_known : bool
        Drop known pairs before ranking.
    top : int, optional
        Keep the best ``top`` rows.

    Returns
    -------
    DataFrame
        ``rank``, ``score``, ``percentile``, the given columns, ``known``,
        ``in_training``, ``logit``; best first.
    """
    logits = np.asarray(logits, dtype=np.float32)
    keep = ~np.asarray(known, bool) if hide_known else np.ones(len(logits), bool)
    idx = np.flatnonzero(keep)
    order, rank, pct = rank_positions(logits[idx])
    sel = idx[order]
    if top is not None:
        sel, order = sel[: max(int(top), 0)], order[: max(int(top), 0)]
    df = pd.DataFrame({
        "rank": rank[order],
        "score": sigmoid(logits[sel]),
        "percentile": pct[order],
        **{k: np.asarray(v)[sel] for k, v in columns.items()},
        "known": np.asarray(known, bool)[sel],
        "in_training": np.asarray(in_training, bool)[sel],
        "logit": logits[sel],
    })
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- #
# why an entity cannot be featurised
# --------------------------------------------------------------------------- #
def drug_reason(
    chemical_id: str,
    *,
    walk: WalkConfig,
    network_genes: np.ndarray,
    signed_dti: pd.DataFrame,
    drugs: pd.DataFrame,
) -> str:
    """Why a CTD chemical has no walk profile under ``walk`` (in words).

    Parameters
    ----------
    chemical_id : str
    walk : WalkConfig
        The run's walk configuration (network and seed source).
    network_genes : ndarray of int
        Entrez ids of the signaling network's nodes.
    signed_dti : DataFrame
        ``entities.signed_dti()``.
    drugs : DataFrame
        ``entities.drugs()`` (``chemical_id``, ``smiles``).
    """
    net = walk.network
    rows = signed_dti[signed_dti["chemical_id"] == chemical_id]
    smi = drugs.loc[drugs["chemical_id"] == chemical_id, "smiles"]
    has_smiles = bool(len(smi) and pd.notna(smi.iloc[0]) and str(smi.iloc[0]).strip())
    uses_pred = "predicted" in walk.seed_source
    sources = "DrugCentral, SIGNOR, Repurposing Hub"
    if rows.empty:
        if not has_smiles:
            return (f"it has no SMILES and no known signed targets ({sources}), "
                    "so the signed walk has no seed and there is no drug profile")
        if uses_pred:
            return (f"it has no known signed targets ({sources}) and the target classifier "
                    f"predicted none in the {net} network from its SMILES, so there is no "
                    "drug profile")
        return (f"it has no known signed targets ({sources}); this run seeds walks with known "
                f"targets only (seed_source={walk.seed_source!r}), so its SMILES is not used "
                "and there is no drug profile")
    in_net = rows["entrez"].isin(np.asarray(network_genes, np.int64))
    syms = rows["symbol"].astype(str).tolist()
    shown = ", ".join(syms[:8]) + (", …" if len(syms) > 8 else "")
    if not in_net.any():
        return (f"it has {len(rows)} known signed target(s) ({shown}) but none is a node of "
                f"the {net} signaling network, so the signed walk has no seed")
    return (f"its {int(in_net.sum())} signed target(s) in the {net} network cancel out "
            "(conflicting signs), so the walk profile is empty")


def disease_reason(disease_id: str, diseases: pd.DataFrame) -> str:
    """Why a MeSH disease is not among a run's candidate diseases (in words)."""
    row = diseases[diseases["disease_id"] == disease_id]
    if row.empty or not bool(row["is_ctd_disease"].iloc[0]):
        return ("it has no CTD chemical–disease association, and the candidate diseases are "
                "the CTD diseases with a MeSH-network embedding")
    if not str(row["tree_numbers"].iloc[0]).strip():
        return ("it has no MeSH tree number (a supplementary concept), so it is not a node of "
                "the MeSH disease network and has no embedding")
    return "it has no embedding in the MeSH disease network used by this run"


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
    scorer : FactorisedScorer
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
    trained : TrainedModel, optional
        The loaded run (absent in unit tests).
    """

    run_id: str
    scorer: FactorisedScorer
    drug_ids: np.ndarray
    dis_ids: np.ndarray
    drug_names: np.ndarray
    dis_names: np.ndarray
    dis_branches: np.ndarray
    known: sp.csr_matrix
    train_pos: sp.csr_matrix
    ctd_pairs: pd.DataFrame
    trained: TrainedModel | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self.drug_row = {d: i for i, d in enumerate(np.asarray(self.drug_ids).tolist())}
        self.dis_row = {d: i for i, d in enumerate(np.asarray(self.dis_ids).tolist())}
        self.known_T = self.known.T.tocsr()
        self.train_T = self.train_pos.T.tocsr()

    @classmethod
    def from_trained(cls, tm: TrainedModel) -> RunScorer:
        """Build from a :func:`ddi_core.pipeline.load_trained` result."""
        from ddi_core.data import entities, loaders
        from ddi_core.pipeline import run_split

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
        tu = run_split(tm.run)["train_used"]
        pos = tu.y == 1
        train = np.stack([tu.drug[pos], tu.dis[pos]], axis=1)
        n_d, n_s = len(drug_ids), len(dis_ids)
        scorer = tm.scorer if getattr(tm, "kind", "mlp") == "evidence" else \
            FactorisedScorer(tm.model, tm.features)
        return cls(
            run_id=tm.run.id,
            scorer=scorer,
            drug_ids=drug_ids,
            dis_ids=dis_ids,
            drug_names=drugs.reindex(drug_ids).fillna("").to_numpy(object),
            dis_names=dis_name.reindex(dis_ids).fillna("").to_numpy(object),
            dis_branches=branches,
            known=_by_row(known, n_d, n_s),
            train_pos=_by_row(train, n_d, n_s),
            ctd_pairs=ctd.reset_index(drop=True),
            trained=tm,
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
        from ddi_core.walk.profiles import drug_profiles

        if self.trained is None:
            raise DDIError("no trained run attached")
        return self.memo("profiles", lambda: drug_profiles(self.trained.config.walk))

    @property
    def kind(self) -> str:
        """``"mlp"`` or ``"evidence"``."""
        return getattr(self.trained, "kind", "mlp") if self.trained is not None else "mlp"

    def ctd_pair_set(self) -> set[tuple[str, str]]:
        return self.memo("ctd_set", lambda: set(zip(self.ctd_pairs["chemical_id"],
                                                    self.ctd_pairs["disease_id"], strict=True)))

    # -- rows with reasons -------------------------------------------------------------
    def drug_index(self, chemical_id: str) -> int:
        """Row of a chemical in the drug table; :class:`NotFeaturisableError` when absent."""
        i = self.drug_row.get(chemical_id)
        if i is not None:
            return i
        from ddi_core.data import entities

        drugs = entities.drugs()
        name = drugs.loc[drugs["chemical_id"] == chemical_id, "name"]
        name = str(name.iloc[0]) if len(name) else chemical_id
        if self.trained is None:
            raise NotFeaturisableError("drug", chemical_id, name, "not in the drug table")
        if self.kind == "evidence" and self.trained.config.evidence.population == "evidence":
            raise NotFeaturisableError("drug", chemical_id, name, (
                "it has no SMILES, no known signed target and no CTD chemical-gene "
                "interaction, so the evidence model has nothing to rank it with"))
        reason = drug_reason(
            chemical_id, walk=self.trained.config.walk, network_genes=self.profiles().gene_ids,
            signed_dti=entities.signed_dti(), drugs=drugs,
        )
        raise NotFeaturisableError("drug", chemical_id, name, reason)

    def disease_index(self, disease_id: str) -> int:
        """Row of a disease in the disease table; :class:`NotFeaturisableError` when absent."""
        i = self.dis_row.get(disease_id)
        if i is not None:
            return i
        from ddi_core.data import entities

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
    from ddi_core.runs import registry as runs

    if run_id and run_id not in ("latest", "default"):
        return run_id
    run = runs.latest_done() if run_id == "latest" else runs.default_run()
    if run is None:
        raise DDIError("no finished run yet: train one with `ddi train --preset quick`")
    return run.id


@functools.lru_cache(maxsize=2)
def _cached_scorer(run_id: str, device: str | None) -> RunScorer:
    from ddi_core.pipeline import load_trained

    t0 = time.perf_counter()
    tm = load_trained(run_id, device=device)
    rs = RunScorer.from_trained(tm)
    if hasattr(rs.scorer, "disease_part"):
        rs.scorer.disease_part()  # the MLP's per-disease half once, at load
    log.info("run %s loaded for ranking in %.1fs (%d drugs x %d diseases, %s)", run_id,
             time.perf_counter() - t0, len(rs.drug_ids), len(rs.dis_ids), rs.scorer.device)
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
    """Forget every loaded run (e.g. after deleting one)."""
    _cached_scorer.cache_clear()


# --------------------------------------------------------------------------- #
# ranking
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class RankResult:
    """A ranked candidate list for one drug or one disease.

    Attributes
    ----------
    kind : {"drug", "disease"}
        The kind of the *query* entity.
    query_id, query_name : str
    run_id : str
    table : DataFrame
        Best first; see :func:`ranked_table` (``disease_name``, ``disease_id``,
        ``mesh_branch`` for a drug query; ``drug_name``, ``drug_id`` for a
        disease query).
    n_candidates : int
        Candidates before hiding known pairs and cutting to ``top``.
    n_known : int
        Known (CTD) pairs among the candidates.
    hide_known : bool
    """

    kind: Literal["drug", "disease"]
    query_id: str
    query_name: str
    run_id: str
    table: pd.DataFrame
    n_candidates: int
    n_known: int
    hide_known: bool

    def to_json(self) -> dict[str, Any]:
        """``{drug|disease: {id, name}, run, results: [...]}`` (JSON-ready)."""
        other = "disease" if self.kind == "drug" else "drug"
        cols = ["rank", f"{other}_id", f"{other}_name", "score", "percentile", "known",
                "in_training"] + (["mesh_branch"] if other == "disease" else [])
        rows = []
        for rec in self.table[cols].to_dict(orient="records"):
            rec["rank"] = int(rec["rank"])
            rec["score"] = float(rec["score"])
            rec["percentile"] = float(rec["percentile"])
            rec["known"] = bool(rec["known"])
            rec["in_training"] = bool(rec["in_training"])
            rows.append(rec)
        return {
            self.kind: {"id": self.query_id, "name": self.query_name},
            "run": self.run_id,
            "n_candidates": int(self.n_candidates),
            "n_known": int(self.n_known),
            "hide_known": bool(self.hide_known),
            "results": rows,
        }


def rank_diseases(
    drug_query: str,
    *,
    run_id: str | None = None,
    hide_known: bool = False,
    top: int | None = None,
    device: str | None = None,
) -> RankResult:
    """Every candidate disease for one drug, best first.

    Parameters
    ----------
    drug_query : str
        Name, synonym or MeSH id of a CTD chemical.
    run_id : str, optional
        Default the newest finished run.
    hide_known : bool
        Drop CTD-known pairs before ranking (filtered ranks).
    top : int, optional
        Keep the best ``top`` rows.
    device : str, optional

    Returns
    -------
    RankResult
        ``table``: rank, score, percentile, disease_name, disease_id,
        mesh_branch, known, in_training, logit.

    Raises
    ------
    UnknownEntityError
        Unknown name (with close matches).
    NotFeaturisableError
        A known chemical without a walk profile (the reason says why).
    """
    from ddi_core.data import entities

    cid = entities.resolve_drug(drug_query)  # before loading: a typo answers at once
    rs = load_scorer(run_id, device=device)
    d = rs.drug_index(cid)
    logits = rs.scorer.logits_for_drug(d)
    known = rs.known_dis_mask(d)
    table = ranked_table(
        logits,
        {"disease_name": rs.dis_names, "disease_id": rs.dis_ids, "mesh_branch": rs.dis_branches},
        known, rs.train_dis_mask(d), hide_known=hide_known, top=top,
    )
    return RankResult("drug", cid, str(rs.drug_names[d]), rs.run_id, table,
                      n_candidates=len(logits), n_known=int(known.sum()), hide_known=hide_known)


def rank_drugs(
    disease_query: str,
    *,
    run_id: str | None = None,
    hide_known: bool = False,
    top: int | None = None,
    device: str | None = None,
) -> RankResult:
    """Every featurised drug for one disease, best first.

    The same conventions as :func:`rank_diseases`; ``table`` has ``drug_name``
    and ``drug_id``. Raises :class:`NotFeaturisableError` for a disease that is
    not a candidate of the run (not a CTD disease or no MeSH embedding).
    """
    from ddi_core.data import entities

    did = entities.resolve_disease(disease_query)
    rs = load_scorer(run_id, device=device)
    s = rs.disease_index(did)
    logits = rs.scorer.logits_for_disease(s)
    known = rs.known_drug_mask(s)
    table = ranked_table(
        logits, {"drug_name": rs.drug_names, "drug_id": rs.drug_ids},
        known, rs.train_drug_mask(s), hide_known=hide_known, top=top,
    )
    return RankResult("disease", did, str(rs.dis_names[s]), rs.run_id, table,
                      n_candidates=len(logits), n_known=int(known.sum()), hide_known=hide_known)


# --------------------------------------------------------------------------- #
# a file of pairs
# --------------------------------------------------------------------------- #
PAIR_FILE_COLUMNS = ["line", "drug", "disease", "chemical_id", "disease_id", "score", "rank",
                     "percentile", "known", "in_training", "reason"]


#: ``ranks="auto"`` ranks pairs against every disease only up to this many distinct drugs
#: (each costs a full row of the model: ~5,000 diseases).
RANK_AUTO_MAX_DRUGS = 300
#: Pairs scored per model call (and per progress report).
PAIR_BATCH = 20_000


def score_pair_file(path: str | Path, run_id: str | None = None, *,
                    device: str | None = None, ranks: str = "auto",
                    progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Score a user CSV of (drug, disease) pairs with a run.

    Names are resolved once per distinct value, pairs are scored in batches of
    :data:`PAIR_BATCH` (``progress(done, total)`` after each), and the known /
    in-training flags are looked up in one vectorised step, so 100,000 pairs take
    seconds (``bench/bench_pair_scoring.py``).

    Parameters
    ----------
    path : str or Path
        CSV read by :func:`ddi_core.pairs.labels.read_pair_csv` (names or MeSH ids;
        an unresolvable name is a :class:`~ddi_core.errors.DataFileError`
        naming the line).
    run_id : str, optional
    ranks : {"auto", "all", "none"}
        Rank each pair's disease among every candidate disease of its drug:
        ``"all"`` always, ``"none"`` never, ``"auto"`` when the file has at most
        :data:`RANK_AUTO_MAX_DRUGS` distinct drugs (a rank needs a full row of
        the model per drug).
    progress : callable, optional

    Returns
    -------
    DataFrame
        ``line, drug, disease, chemical_id, disease_id, score, rank,
        percentile, known, in_training, reason``: ``rank`` is the disease's rank
        among every candidate disease for that drug (unfiltered; ``percentile``
        likewise; NA when ranks were not computed, and ``reason`` says so). A
        pair whose drug or disease cannot be featurised gets ``score`` NaN,
        ``rank`` NA and the reason; ``known`` is still the CTD fact.
    """
    from ddi_core.pairs.labels import read_pair_csv

    if ranks not in ("auto", "all", "none"):
        raise DDIError(f"ranks must be auto, all or none, not {ranks!r}")
    pairs = read_pair_csv(path)
    rs = load_scorer(run_id, device=device)
    n = len(pairs)
    chem = pairs["chemical_id"].to_numpy(dtype=object)
    dis = pairs["disease_id"].to_numpy(dtype=object)
    reason = np.array([""] * n, dtype=object)
    rows_d = np.full(n, -1, np.int64)
    rows_s = np.full(n, -1, np.int64)
    for values, rows, index in ((chem, rows_d, rs.drug_index), (dis, rows_s, rs.disease_index)):
        uniq, inv = np.unique(values.astype(str), return_inverse=True)
        got = np.full(len(uniq), -1, np.int64)
        why = np.array([""] * len(uniq), dtype=object)
        for k, v in enumerate(uniq):
            try:
                got[k] = index(str(v))
            except NotFeaturisableError as exc:
                why[k] = str(exc)
        rows[:] = got[inv]
        bad = (got[inv] < 0) & (reason == "")
        reason[bad] = why[inv][bad]
    ctd = rs.ctd_pair_set()
    known = np.fromiter(((c, d) in ctd for c, d in zip(chem, dis, strict=True)), bool, n)
    ok = np.flatnonzero((rows_d >= 0) & (rows_s >= 0))
    score = np.full(n, np.nan)
    rank = np.full(n, -1, np.int64)
    pct = np.full(n, np.nan)
    in_train = np.zeros(n, bool)
    if len(ok):
        in_train[ok] = np.asarray(rs.train_pos[rows_d[ok], rows_s[ok]]).ravel().astype(bool)
    drugs_ok = np.unique(rows_d[ok])
    do_rank = ranks == "all" or (ranks == "auto" and len(drugs_ok) <= RANK_AUTO_MAX_DRUGS)
    done = 0
    if do_rank:
        by_drug = ok[np.argsort(rows_d[ok], kind="stable")]
        starts = np.searchsorted(rows_d[by_drug], drugs_ok)
        ends = np.searchsorted(rows_d[by_drug], drugs_ok, side="right")
        chunk = 32
        for lo in range(0, len(drugs_ok), chunk):
            block = drugs_ok[lo:lo + chunk]
            L = rs.scorer.logits_block(block)
            for j in range(len(block)):
                idx = by_drug[starts[lo + j]:ends[lo + j]]
                _, r, p = rank_positions(L[j])
                s_rows = rows_s[idx]
                score[idx] = sigmoid(L[j][s_rows])
                rank[idx] = r[s_rows]
                pct[idx] = p[s_rows]
                done += len(idx)
            if progress:
                progress(done, len(ok))
    else:
        # batches of consecutive drugs: a model that builds features per drug block (the
        # evidence model) then builds each drug's block once, not once per batch
        by_drug = ok[np.argsort(rows_d[ok], kind="stable")]
        for lo in range(0, len(by_drug), PAIR_BATCH):
            idx = by_drug[lo:lo + PAIR_BATCH]
            score[idx] = sigmoid(np.asarray(rs.scorer.logits_pairs(rows_d[idx], rows_s[idx]),
                                            dtype=np.float64))
            done += len(idx)
            if progress:
                progress(done, len(ok))
        if len(ok):
            note = ("rank not computed: " + (f"{len(drugs_ok):,} distinct drugs (over "
                    f"{RANK_AUTO_MAX_DRUGS}; use ranks='all' / --ranks all)"
                    if ranks == "auto" else "ranks='none'"))
            reason[ok] = note
    out = pairs.assign(score=score, rank=pd.array(np.where(rank > 0, rank, 0), dtype="Int64"),
                       percentile=pct, known=known, in_training=in_train, reason=reason)
    out.loc[rank <= 0, "rank"] = pd.NA
    log.info("scored %d/%d pairs of %s with run %s (ranks %s)", len(ok), n, path, rs.run_id,
             "computed" if do_rank else "skipped")
    return out[PAIR_FILE_COLUMNS]


# --------------------------------------------------------------------------- #
# the full matrix
# --------------------------------------------------------------------------- #
def _ordinal_ranks(M: np.ndarray, axis: int) -> np.ndarray:
    order = np.argsort(-M, axis=axis, kind="stable")
    ranks = np.empty(M.shape, dtype=np.int32)
    r = np.arange(1, M.shape[axis] + 1, dtype=np.int32)
    np.put_along_axis(ranks, order, r[:, None] if axis == 0 else r[None, :], axis=axis)
    return ranks


def write_full_matrix(
    rs: RunScorer,
    out_path: Path,
    *,
    chunk_drugs: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Score every drug × disease of ``rs`` and write the Parquet atomically.

    Memory: the logits matrix (``4 · n_drugs · n_dis`` bytes) and its rank
    arrays are kept (the within-disease ranks need every drug); pair
    activations are streamed in batches of ``rs.scorer.batch_size``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    n_d, n_s = len(rs.drug_ids), len(rs.dis_ids)
    t0 = time.perf_counter()
    M = np.empty((n_d, n_s), dtype=np.float32)
    for lo in range(0, n_d, chunk_drugs):
        rows = np.arange(lo, min(lo + chunk_drugs, n_d))
        M[rows] = rs.scorer.logits_block(rows)
        if progress:
            progress(int(rows[-1]) + 1, n_d)
    score_seconds = time.perf_counter() - t0
    r_drug = _ordinal_ranks(M, axis=1)
    r_dis = _ordinal_ranks(M, axis=0)
    known = rs.known.toarray()
    meta = {"run_id": rs.run_id, "n_drugs": str(n_d), "n_diseases": str(n_s),
            "score_seconds": f"{score_seconds:.1f}",
            "ranks": "ordinal by descending logit; ties by table order"}
    schema = pa.schema([
        ("drug_id", pa.string()), ("disease_id", pa.string()), ("score", pa.float32()),
        ("rank_within_drug", pa.int32()), ("rank_within_disease", pa.int32()),
        ("known", pa.bool_()),
    ], metadata={f"ddi.{k}": v for k, v in meta.items()})
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
    os.close(fd)
    dis_ids = pa.array(np.asarray(rs.dis_ids).astype(str).tolist(), pa.string())
    try:
        with pq.ParquetWriter(tmp, schema) as w:
            for lo in range(0, n_d, chunk_drugs):
                hi = min(lo + chunk_drugs, n_d)
                k = hi - lo
                drug_col = np.repeat(np.asarray(rs.drug_ids[lo:hi]).astype(str), n_s)
                w.write_table(pa.Table.from_arrays([
                    pa.array(drug_col.tolist(), pa.string()),
                    pa.concat_arrays([dis_ids] * k),
                    pa.array(sigmoid(M[lo:hi]).astype(np.float32).ravel()),
                    pa.array(r_drug[lo:hi].ravel()),
                    pa.array(r_dis[lo:hi].ravel()),
                    pa.array(known[lo:hi].ravel()),
                ], schema=schema))
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("full matrix %d x %d written to %s (scoring %.1fs, total %.1fs)", n_d, n_s,
             out_path, score_seconds, time.perf_counter() - t0)
    return out_path


def score_full_matrix(
    run_id: str | None = None,
    out_path: str | Path | None = None,
    *,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Every featurised drug × every candidate disease of a run, as Parquet.

    Columns ``drug_id, disease_id, score, rank_within_drug,
    rank_within_disease, known`` (ranks ordinal, 1 = best, by descending
    logit, ties by table order). Written atomically (temporary file + rename)
    to ``out_path``, default ``<run dir>/full_scores.parquet``.

    Parameters
    ----------
    run_id : str, optional
    out_path : str or Path, optional
    device : str, optional
    progress : callable, optional
        ``progress(drugs_done, n_drugs)`` after each chunk of drugs.

    Returns
    -------
    Path
    """
    rs = load_scorer(run_id, device=device)
    if out_path is None:
        if rs.trained is None:
            raise DDIError("out_path is required without a run directory")
        out_path = rs.trained.run.path(FULL_SCORES)
    return write_full_matrix(rs, Path(out_path), progress=progress)


# --------------------------------------------------------------------------- #
# external validation
# --------------------------------------------------------------------------- #
def validate_run(run_id: str | None = None, *, save: bool = True,
                 device: str | None = None) -> dict[str, Any]:
    """PharmacotherapyDB validation of a run (:func:`ddi_core.validation.ptdb.validate`).

    The score of a pair is the model's logit (NaN when its drug or disease is
    not in the run's tables); a drug's candidates are the run's disease table.
    Known pairs are all CTD pairs; the training pairs are the positives the
    model was fitted on (``train_used``); the popularity baseline counts each
    disease's positives in the run's full training split (the pipeline's
    baseline convention).

    Parameters
    ----------
    run_id : str, optional
    save : bool
        Also write the result to ``<run dir>/validation.json`` (atomic).

    Returns
    -------
    dict
        ``{"pharmacotherapydb": {mapped_pairs, dm_vs_not_auroc,
        dm_heldout_median_percentile, popularity: {...}, ..., run}}``.
    """
    from ddi_core.pipeline import run_split
    from ddi_core.validation.ptdb import validate

    rs = load_scorer(run_id, device=device)
    if rs.trained is None:
        raise DDIError("validate_run needs a loaded run")
    sc = rs.scorer

    def score_fn(chem: np.ndarray, dis: np.ndarray) -> np.ndarray:
        d = np.array([rs.drug_row.get(str(c), -1) for c in chem], np.int64)
        s = np.array([rs.dis_row.get(str(x), -1) for x in dis], np.int64)
        out = np.full(len(d), np.nan)
        ok = (d >= 0) & (s >= 0)
        if ok.any():
            out[ok] = sc.logits_pairs(d[ok], s[ok])
        return out

    def rank_fn(chem: str) -> pd.Series:
        d = rs.drug_row.get(str(chem))
        if d is None:
            return pd.Series(dtype=np.float64)
        return pd.Series(sc.logits_for_drug(d).astype(np.float64), index=rs.dis_ids)

    rows = rs.train_pos.nonzero()
    train_pairs = pd.DataFrame({"chemical_id": rs.drug_ids[rows[0]],
                                "disease_id": rs.dis_ids[rows[1]]})
    full = run_split(rs.trained.run)["train"]
    deg = np.bincount(full.dis[full.y == 1], minlength=len(rs.dis_ids)).astype(np.float64)
    popularity = pd.Series(deg, index=rs.dis_ids)
    res = validate(score_fn, ctd_pairs=rs.ctd_pairs, train_pairs=train_pairs,
                   popularity=popularity, rank_fn=rank_fn)
    res["pharmacotherapydb"]["run"] = rs.run_id
    res["pharmacotherapydb"]["score"] = ("logit of the run's evidence model (LightGBM)"
                                         if rs.kind == "evidence" else "logit of the run's pair MLP")
    if save:
        rs.trained.run.write_json(VALIDATION_FILE, res)
    return res
