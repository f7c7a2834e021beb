"""Scoring a user's CSV of drug-disease pairs in batches, with ranks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ddi_core.errors import DDIError
from ddi_core.facts.known import MARKS, SOURCES
from ddi_core.models.scores import sigmoid
from ddi_core.pairs.labels import read_pair_csv
from ddi_core.rank.queries import Terms, hidden_terms
from ddi_core.rank.session import NotFeaturisableError, RunScorer, load_scorer
from ddi_core.rank.table import rank_positions

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- #
# a file of pairs
# --------------------------------------------------------------------------- #
PAIR_FILE_COLUMNS = [
    "line",
    "drug",
    "disease",
    "chemical_id",
    "disease_id",
    "score",
    "rank",
    "percentile",
    "disease_class",
    "indication",
    "literature",
    "non_indication",
    "known",
    "in_training",
    "reason",
]


#: ``ranks="auto"`` ranks pairs against every disease only up to this many distinct drugs
#: (each costs a full row of the model: ~5,000 diseases).
RANK_AUTO_MAX_DRUGS = 300


#: Pairs scored per model call (and per progress report).
PAIR_BATCH = 20_000


def score_pair_file(
    path: str | Path,
    run_id: str | None = None,
    *,
    device: str | None = None,
    ranks: str = "auto",
    progress: Callable[[int, int], None] | None = None,
    terms: Terms = "clinical",
) -> pd.DataFrame:
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
    terms : {"clinical", "all"}
        The view ranks are taken in (:func:`ddi_core.rank.queries.rank_diseases`): in the
        clinical view a pair is ranked among the drug's clinical candidates, unless its own
        disease is of a hidden class (then among every candidate).

    Returns
    -------
    DataFrame
        ``line, drug, disease, chemical_id, disease_id, score, rank,
        percentile, disease_class, indication, literature, non_indication, known,
        in_training, reason``: ``rank`` is the disease's rank among the view's
        candidate diseases for that drug (unfiltered; ``percentile`` likewise; NA when
        ranks were not computed, and ``reason`` says so); the marks are where the pair is
        known from (:mod:`ddi_core.facts.known`). A
        pair whose drug or disease cannot be featurised gets ``score`` NaN,
        ``rank`` NA and the reason; ``known`` is still the CTD fact.
    """

    if ranks not in ("auto", "all", "none"):
        raise DDIError(f"ranks must be auto, all or none, not {ranks!r}")
    if terms not in ("clinical", "all"):
        raise DDIError(f"unknown view {terms!r}: clinical or all")
    pairs = read_pair_csv(path)
    rs = load_scorer(run_id, device=device)
    classes = np.asarray(rs.disease_classes(), dtype=object)
    hidden = hidden_terms(classes, terms)
    shown = np.flatnonzero(~hidden)
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
            block = drugs_ok[lo : lo + chunk]
            L = rs.scorer.logits_block(block)
            for j in range(len(block)):
                idx = by_drug[starts[lo + j] : ends[lo + j]]
                _, r, p = rank_positions(L[j])
                if len(shown) < len(L[j]):  # in the view, unless the disease itself is hidden
                    _, rv, pv = rank_positions(L[j][shown])
                    r, p = r.copy(), p.copy()
                    r[shown], p[shown] = rv, pv
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
            idx = by_drug[lo : lo + PAIR_BATCH]
            score[idx] = sigmoid(
                np.asarray(rs.scorer.logits_pairs(rows_d[idx], rows_s[idx]), dtype=np.float64)
            )
            done += len(idx)
            if progress:
                progress(done, len(ok))
        if len(ok):
            note = "rank not computed: " + (
                f"{len(drugs_ok):,} distinct drugs (over "
                f"{RANK_AUTO_MAX_DRUGS}; use ranks='all' / --ranks all)"
                if ranks == "auto"
                else "ranks='none'"
            )
            reason[ok] = note
    cls = np.full(n, "", dtype=object)
    has_dis = rows_s >= 0
    cls[has_dis] = classes[rows_s[has_dis]]
    marks = _pair_marks(rs, chem, dis)
    out = pairs.assign(
        score=score,
        rank=pd.array(np.where(rank > 0, rank, 0), dtype="Int64"),
        percentile=pct,
        disease_class=cls,
        **{m: marks[m].to_numpy() for m in MARKS},
        known=known,
        in_training=in_train,
        reason=reason,
    )
    out.loc[rank <= 0, "rank"] = pd.NA
    log.info(
        "scored %d/%d pairs of %s with run %s (ranks %s)",
        len(ok),
        n,
        path,
        rs.run_id,
        "computed" if do_rank else "skipped",
    )
    return out[PAIR_FILE_COLUMNS]


def _pair_marks(rs: RunScorer, chem: np.ndarray, dis: np.ndarray) -> pd.DataFrame:
    """The marks of each (chemical, disease) pair, aligned, one column per mark."""
    out = pd.DataFrame({m: np.full(len(chem), "", dtype=object) for m in MARKS})
    if rs.known_marks is None or not len(chem):
        return out
    t = rs.known_marks.table
    order = {s: i for i, s in enumerate(SOURCES)}
    t = t.assign(o=t["source"].map(order)).sort_values("o")
    cells = (
        t.assign(name=t["source"].map(SOURCES))
        .groupby(["chemical_id", "disease_id", "mark"], sort=False)["name"]
        .agg("; ".join)
        .unstack("mark")
    )
    q = pd.MultiIndex.from_arrays([chem.astype(str), dis.astype(str)])
    got = cells.reindex(q)
    for m in MARKS:
        if m in got:
            out[m] = got[m].fillna("").to_numpy(dtype=object)
    return out
