"""Data of the *Evaluate* page: metric tables, test-split scores, uploaded pairs.

Cached functions take the data home and the run id, so that a changed
``DDI_HOME`` or another run never serves stale numbers. Errors are
:class:`~ddi_core.errors.DDIError` with a message fit for ``st.error``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ddi_core.errors import DataFileError, DDIError
from ddi_core.runs.figures import threshold_row
from ui.data import home
from ui.runs_table import RunLike, as_result, info_population, model_name

#: Baselines in the order shown (a run has those it computed: an evidence run has no
#: logistic regression, runs made before EASE have no EASE).
BASELINES = ("popularity", "logistic", "knn", "ease")
#: Display names of the baselines.
BASELINE_NAMES = {"popularity": "popularity", "logistic": "logistic", "knn": "kNN", "ease": "EASE"}
#: Ranking columns, first: (key in metrics.json, column title). They are at the real
#: prevalence (every candidate disease of a test drug).
RANKING_COLUMNS = (
    ("mrr", "MRR"),
    ("mrr_filtered", "MRR filtered"),
    ("mrr_ceiling", "MRR ceiling"),
    ("hits_at_10", "Hits@10"),
    ("median_rank", "median rank"),
    ("aupr_realistic", "AUPR (all unknown)"),
)
#: The paper protocol's columns (test positives against sampled negatives), the threshold
#: metrics at the row's ``threshold``.
PAPER_COLUMNS = (
    ("auroc", "AUROC (1:1)"),
    ("aupr", "AUPR (1:1)"),
    ("threshold", "threshold"),
    ("accuracy", "accuracy"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "F1"),
)
METRIC_COLUMNS = RANKING_COLUMNS + PAPER_COLUMNS
PAPER_SOURCE = "Zhang 2025, Table 1 (reported, not this run)"
THRESHOLD_METRICS = ("threshold", "accuracy", "precision", "recall", "f1")


def metrics_frame(metrics: dict[str, Any], run_id: str) -> pd.DataFrame:
    """The metrics table of a run: the model and the baselines it computed on the
    test split (in :data:`BASELINES` order, then any other), the paper-protocol
    row (optimistic) and the paper's reported numbers.

    Columns: ``scorer``, ``protocol``, the :data:`RANKING_COLUMNS` titles, then the
    :data:`PAPER_COLUMNS` titles and ``source`` (the run id, or the paper). A test-split
    row's threshold metrics are at that scorer's own validation threshold (its best F1
    on the validation split; a run made before they were recorded shows the 0.5 ones
    with threshold 0.5); the paper rows use 0.5, as the paper did. Missing values are NaN.
    """
    pp = metrics.get("paper_protocol") or {}
    base = metrics.get("baselines") or {}
    detail = metrics.get("detail") or {}
    rows: list[tuple[str, str, dict, str]] = [
        ("model", "test split", metrics.get("test") or {}, run_id),
        *((name, "test split", base[name] or {}, run_id) for name in baseline_names(base)),
        ("model", "paper protocol (optimistic)", pp, run_id),
        ("paper", "paper protocol, as reported", pp.get("paper_reported") or {}, PAPER_SOURCE),
    ]
    out = []
    for scorer, protocol, vals, source in rows:
        vals = dict(vals)
        at_val = threshold_row(detail.get(scorer) or {}) if protocol == "test split" else {}
        if at_val.get("threshold") is not None:
            vals.update(at_val)
        else:
            vals["threshold"] = 0.5 if vals.get("f1") is not None else None
        row: dict[str, Any] = {"scorer": scorer, "protocol": protocol}
        for key, title in METRIC_COLUMNS:
            v = vals.get(key)
            row[title] = float(v) if isinstance(v, int | float) else np.nan
        row["source"] = source
        out.append(row)
    return pd.DataFrame(out)


def baseline_names(baselines: Mapping[str, Any]) -> list[str]:
    """The baselines a run computed, in :data:`BASELINES` order, then any other by name."""
    return [b for b in BASELINES if b in baselines] + sorted(
        b for b in baselines if b not in BASELINES
    )


# ------------------------------------------------------------ models on one split
#: Splits a run can be on, in the order offered.
SPLITS = ("random", "drug", "disease")
#: Metric columns of the models-on-one-split table: (key in metrics.json, column title).
SPLIT_METRICS = (
    ("mrr", "MRR"),
    ("mrr_filtered", "MRR filtered"),
    ("mrr_ceiling", "MRR ceiling"),
    ("hits_at_10", "Hits@10"),
    ("median_rank", "median rank"),
    ("val_mrr", "validation MRR"),
    ("auroc_degree_matched", "AUROC vs degree-matched"),
    ("auroc", "AUROC (1:1)"),
    ("aupr", "AUPR (1:1)"),
)
#: The other columns, in order.
SPLIT_ID_COLUMNS = ("scorer", "model", "population", "seed", "run")


def info_split(run: RunLike) -> str | None:
    """The split kind of a run ("random", "drug" or "disease")."""
    return as_result(run).split or None


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else np.nan


def _split_row(
    scorer: str, model: str, population: str, seed: Any, run_id: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scorer": scorer,
        "model": model,
        "population": population,
        "seed": seed,
        "run": run_id,
    }
    for key, title in SPLIT_METRICS:
        row[title] = _num(values.get(key))
    return row


def models_on_split(
    infos: Mapping[str, RunLike], metrics: Mapping[str, Mapping[str, Any]], split: str
) -> pd.DataFrame:
    """Every finished run on ``split`` and every baseline of each, on its test split.

    Parameters
    ----------
    infos : mapping
        ``run id -> run.json`` dict of finished runs, in the order wanted (newest first).
    metrics : mapping
        ``run id -> metrics.json`` dict; a run without one is left out.
    split : str
        "random", "drug" or "disease".

    Returns
    -------
    pandas.DataFrame
        One row per run (``scorer`` "MLP (run X)" / "evidence model (run X)"),
        then, run by run, one row per baseline it computed (``scorer``
        "popularity (baselines of run X)", ``model`` "baseline"). Columns
        :data:`SPLIT_ID_COLUMNS` then the :data:`SPLIT_METRICS` titles (NaN
        when a run did not record the number). ``population`` is the drugs the
        run ranks: "paper" (the MLP's) or "evidence".
    """
    on = [rid for rid, info in infos.items() if info_split(info) == split and metrics.get(rid)]
    rows, base_rows = [], []
    for rid in on:
        res, m = as_result(infos[rid]), metrics[rid]
        pop = info_population(res) or "paper"
        seed = res.seed
        name = model_name(res)
        rows.append(_split_row(f"{name} (run {rid})", name, pop, seed, rid, m.get("test") or {}))
        base = m.get("baselines") or {}
        for b in baseline_names(base):
            base_rows.append(
                _split_row(
                    f"{BASELINE_NAMES.get(b, b)} (baselines of run {rid})",
                    "baseline",
                    pop,
                    seed,
                    rid,
                    base[b] or {},
                )
            )
    frame = pd.DataFrame(
        rows + base_rows, columns=[*SPLIT_ID_COLUMNS, *(t for _, t in SPLIT_METRICS)]
    )
    frame["seed"] = pd.array(frame["seed"], dtype="Int64")
    return frame


def split_choice(infos: Mapping[str, RunLike], chosen: str, split: str) -> str | None:
    """Whose baselines the split's charts draw: ``chosen`` when it is on ``split``,
    else the first run on it (``None`` when none is)."""
    on = [rid for rid, info in infos.items() if info_split(info) == split]
    if chosen in on:
        return chosen
    return on[0] if on else None


def split_counts(infos: Mapping[str, RunLike]) -> dict[str, int]:
    """Finished runs per split (every split of :data:`SPLITS`, 0 when none)."""
    counts = dict.fromkeys(SPLITS, 0)
    for info in infos.values():
        s = info_split(info)
        if s is not None:
            counts[s] = counts.get(s, 0) + 1
    return counts


def order_by_validation(infos: Mapping[str, RunLike]) -> list[str]:
    """Run ids by descending validation MRR (runs without one last, in the given order)."""

    def key(item: tuple[int, str]) -> tuple[int, float, int]:
        i, rid = item
        v = _num(as_result(infos[rid]).val_mrr)
        return (1, 0.0, i) if np.isnan(v) else (0, -v, i)

    return [rid for _, rid in sorted(enumerate(infos), key=key)]


@st.cache_data(show_spinner=False, max_entries=64)
def _run_results(data_home: str, run_id: str, stamp: str) -> tuple[dict, dict]:
    from ddi_core.runs import registry as runs

    run = runs.load_run(run_id)
    try:
        return run.read_json("metrics.json") or {}, run.read_json("curves.json") or {}
    except (OSError, ValueError) as exc:
        raise DDIError(f"run {run_id}: unreadable results ({exc})") from exc


def run_results(run: Any) -> tuple[dict, dict]:
    """``(metrics, curves)`` of a finished run (cached per run and update stamp)."""
    res = as_result(run)
    stamp = str(res.provenance.get("updated") or res.finished)
    return _run_results(home(), run.id, stamp)


#: The largest uploaded pair file (``server.maxUploadSize`` in ``.streamlit/config.toml``).
MAX_UPLOAD_BYTES = 20 * 2**20

#: The Evaluate page's tabs (key → label), in order; the first is open by default.
TABS = {
    "split": "Models on one split",
    "run": "This run: metrics and curves",
    "history": "Training history",
    "confusion": "Confusion matrix",
    "compare": "Compare runs",
    "upload": "Score your own pairs",
}


#: Columns shown in percent by :func:`as_percent`.
PERCENT_COLUMNS = ("accuracy", "precision", "recall")


def as_percent(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`metrics_frame` with accuracy, precision and recall in percent
    (columns renamed ``accuracy %`` …), the way the paper reports them."""
    out = frame.copy()
    for col in PERCENT_COLUMNS:
        out[col] = out[col] * 100.0
    return out.rename(columns={c: f"{c} %" for c in PERCENT_COLUMNS})


@dataclass(frozen=True)
class Confusion:
    """Counts of ``score >= threshold`` against the known labels."""

    threshold: float
    tn: int
    fp: int
    fn: int
    tp: int
    rates: dict[
        str, float
    ]  #: accuracy, precision, recall, f1 (:func:`ddi_core.models.evaluate.threshold_metrics`)


def confusion(y: np.ndarray, scores: np.ndarray, threshold: float) -> Confusion:
    """The confusion matrix of ``scores >= threshold`` (positive = known pair)."""
    from ddi_core.models.evaluate import threshold_metrics

    truth = np.asarray(y).astype(bool)
    pred = np.asarray(scores) >= threshold
    return Confusion(
        threshold=float(threshold),
        tn=int((~truth & ~pred).sum()),
        fp=int((~truth & pred).sum()),
        fn=int((truth & ~pred).sum()),
        tp=int((truth & pred).sum()),
        rates=threshold_metrics(truth, scores, threshold),
    )


@st.cache_data(
    show_spinner="Scoring the test split with the run's model (once per run)…", max_entries=8
)
def _scores_on_test(data_home: str, run_id: str) -> tuple[np.ndarray, np.ndarray]:
    from ddi_core.rank.session import load_trained
    from ddi_core.runs import registry as runs
    from ddi_core.runs.split_file import run_split

    run = runs.load_run(run_id)
    if run.path("test_scores.npz").is_file():  # written by run_training since it exists
        z = run.load_npz("test_scores.npz")
        if "y" not in z or "score" not in z:
            raise runs.CorruptRunFileError(run.path("test_scores.npz"), "no y / score arrays")
        return np.asarray(z["y"], dtype=np.int8), np.asarray(z["score"], dtype=np.float64)
    run, tm = load_trained(run_id)
    try:
        test = run_split(run)["test"]
    except (OSError, KeyError, ValueError) as exc:
        raise DDIError(f"run {run_id}: no readable test split ({exc})") from exc
    scores = tm.scorer.score_pairs(test.drug, test.dis)
    return np.asarray(test.y, dtype=np.int8), np.asarray(scores, dtype=np.float64)


def scores_on_test(run_id: str) -> tuple[np.ndarray, np.ndarray]:
    """``(y, score)`` of the run's test pairs.

    Read from the run's ``test_scores.npz``; older runs without it are scored by
    loading the model (:func:`ddi_core.rank.session.load_trained`), once per run and
    data home.
    """
    return _scores_on_test(home(), run_id)


# ------------------------------------------------------------ uploaded pairs
@dataclass(frozen=True)
class UploadResult:
    """Pairs of an uploaded CSV: scored by the run (``scored``) or only resolved."""

    table: pd.DataFrame
    scored: bool


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pair_scorer() -> Callable[..., pd.DataFrame] | None:
    """:func:`ddi_core.rank.pair_file.score_pair_file`, or ``None`` while it is not available."""
    try:
        from ddi_core.rank.pair_file import score_pair_file
    except ImportError:
        return None
    return score_pair_file


def read_uploaded_pairs(
    data: bytes, name: str, run_id: str, *, scorer: Callable[..., pd.DataFrame] | None
) -> UploadResult:
    """Score (or, without ``scorer``, only parse and resolve) an uploaded pair CSV.

    Raises
    ------
    DataFileError
        A malformed CSV, naming the uploaded file (not a temporary path) and
        the line at fault.
    """
    from ddi_core.pairs.labels import read_pair_csv

    if len(data) > MAX_UPLOAD_BYTES:
        raise DataFileError(
            name,
            f"{len(data) / 2**20:,.1f} MB is over the upload limit of "
            f"{MAX_UPLOAD_BYTES / 2**20:,.0f} MB (score a bigger file "
            "with `ddi evaluate RUN --pairs FILE`)",
        )
    safe = _UNSAFE.sub("_", Path(name).name) or "pairs.csv"
    with tempfile.TemporaryDirectory(prefix="ddi-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        try:
            if scorer is None:
                return UploadResult(read_pair_csv(path), scored=False)
            return UploadResult(scorer(path, run_id=run_id), scored=True)
        except DataFileError as exc:
            if Path(exc.path) == path:
                raise DataFileError(name, exc.problem) from None
            raise


@st.cache_data(show_spinner="Scoring the uploaded pairs…", max_entries=16)
def _uploaded(
    data_home: str, run_id: str, data: bytes, name: str, with_scores: bool
) -> UploadResult:
    return read_uploaded_pairs(data, name, run_id, scorer=pair_scorer() if with_scores else None)


def uploaded_pairs(data: bytes, name: str, run_id: str) -> UploadResult:
    """:func:`read_uploaded_pairs` with the available scorer, cached per file and run."""
    return _uploaded(home(), run_id, data, name, pair_scorer() is not None)


__all__ = [
    "BASELINES",
    "BASELINE_NAMES",
    "Confusion",
    "METRIC_COLUMNS",
    "PAPER_SOURCE",
    "PERCENT_COLUMNS",
    "SPLITS",
    "SPLIT_ID_COLUMNS",
    "SPLIT_METRICS",
    "UploadResult",
    "as_percent",
    "baseline_names",
    "confusion",
    "info_split",
    "metrics_frame",
    "models_on_split",
    "order_by_validation",
    "pair_scorer",
    "read_uploaded_pairs",
    "run_results",
    "scores_on_test",
    "split_choice",
    "split_counts",
    "uploaded_pairs",
]
