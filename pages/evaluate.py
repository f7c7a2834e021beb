"""Evaluate: a finished run's curves, metrics beside the baselines, confusion
matrix, run comparison and scoring of uploaded pairs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ddi_core.errors import DDIError
from ddi_core.models.registry import model_kind
from ddi_core.runs import registry as runs
from ddi_core.runs.figures import (
    Figure,
    headline_figures,
    paper_protocol_figures,
    read_validation,
)
from ddi_core.runs.result import RunResult
from ui import state
from ui.charts import (
    COLOURS,
    Curve,
    confusion_figure,
    history_figure,
    pr_curves,
    pr_figure,
    roc_curves,
    roc_figure,
)
from ui.evaluate_runs import MRR_CONFIG, PLOT_CONFIG, compare_section, split_section, unavailable
from ui.evaluation import (
    BASELINE_NAMES,
    PAPER_SOURCE,
    TABS,
    as_percent,
    baseline_names,
    confusion,
    metrics_frame,
    scores_on_test,
    uploaded_pairs,
)
from ui.routing import ensure_router
from ui.runs_table import (
    DEFAULT_RUN_NOTE,
    config_summary,
    default_first,
    default_run_id,
    picker_labels,
    weaker_warning,
)
from ui.text import plain

ensure_router()  # a deep link to a fresh server still gets the router

TRAIN_PAGE = "pages/train.py"
PERCENT = st.column_config.NumberColumn(format="%.2f")
FOUR = st.column_config.NumberColumn(format="%.4f")
METRIC_CONFIG = {
    "accuracy %": PERCENT,
    "precision %": PERCENT,
    "recall %": PERCENT,
    "F1": FOUR,
    "AUROC (1:1)": st.column_config.NumberColumn(
        format="%.4f", help="test positives against the split's sampled negatives"
    ),
    "AUPR (1:1)": st.column_config.NumberColumn(
        format="%.4f", help="test positives against the split's sampled negatives"
    ),
    "threshold": st.column_config.NumberColumn(
        format="%.3f",
        help="the threshold of this row's accuracy, precision, recall and F1: the scorer's "
        "own best-F1 threshold on the validation split (0.5 for the paper rows)",
    ),
    "MRR": FOUR,
    **MRR_CONFIG,
    "Hits@10": FOUR,
    "AUPR (all unknown)": FOUR,
    "median rank": st.column_config.NumberColumn(format="%.1f"),
    "protocol": st.column_config.TextColumn(
        help="test split: trained with early stopping on the validation split, reported on the "
        "held-out test split. paper protocol: early stopping and reporting on the same "
        "validation split, as the paper did (optimistic)."
    ),
}


def _picked_run() -> None:
    """Keep ``?run=`` on the picked run, so that the next rerun does not go back to it."""
    st.query_params[state.EVAL_RUN_PARAM] = st.session_state[state.EVAL_RUN]


def choose_run(done: dict[str, runs.Run]) -> str:
    """The evaluated run: ``?run=`` or the session's choice, else :func:`runs.default_run`
    (the finished run with the best validation MRR)."""
    wanted = st.query_params.get(state.EVAL_RUN_PARAM)
    current = st.session_state.get(state.EVAL_RUN)
    lost = None
    if wanted and wanted != current:
        if wanted in done:
            st.session_state[state.EVAL_RUN] = wanted
        else:
            lost = wanted
    elif current is not None and current not in done:
        lost = current
    default = default_run_id(done)
    if st.session_state.get(state.EVAL_RUN) not in done:
        st.session_state[state.EVAL_RUN] = default
    if lost:
        st.warning(f"{unavailable(lost)} Showing a finished run instead.")
    rid = st.selectbox(
        f"Run ({len(done)} finished, the default first, then newest first; {DEFAULT_RUN_NOTE})",
        default_first(done, default),
        key=state.EVAL_RUN,
        on_change=_picked_run,
        format_func=picker_labels(done, default).get,
    )
    st.query_params[state.EVAL_RUN_PARAM] = rid
    return rid


def load(run_id: str) -> tuple[runs.Run, dict, dict]:
    """The run, its metrics and curves; :class:`DDIError` when it cannot be evaluated."""
    res = RunResult.of(runs.load_run(run_id))
    if not res.done:
        raise DDIError(unavailable(run_id))
    run = res.run
    try:
        metrics = res.metrics()
        curves = res.curves()
    except (OSError, ValueError) as exc:
        raise DDIError(f"run {run_id}: unreadable results ({plain(exc)})") from exc
    if not metrics:
        raise DDIError(
            f"run {run_id} has no metrics.json (its directory was changed or is being deleted)"
        )
    return run, metrics, curves


def _f(v: Any, fmt: str = ".4f") -> str:
    return "–" if v is None else format(v, fmt)


def _tiles(figures: list[Figure]) -> None:
    cols = st.columns(len(figures))
    for col, f in zip(cols, figures, strict=True):
        col.metric(f.label, f.text(), help=f.help)


def headline(run: runs.Run, metrics: dict) -> None:
    """The ranking and validation figures first; the 1:1 figures apart, named as such."""
    weak = weaker_warning(run)
    if weak:
        st.warning(weak)
    _tiles(headline_figures(metrics, read_validation(run)))
    st.caption(
        "Ranking at the real prevalence (every candidate disease of each test drug) and "
        "independent validation on PharmacotherapyDB."
    )
    with st.container(border=True):
        st.markdown("**Paper protocol**: test positives against sampled negatives (1:1)")
        _tiles(paper_protocol_figures(metrics))


def metrics_section(run: runs.Run, metrics: dict, source: str) -> None:
    st.header("Metrics")
    st.dataframe(
        as_percent(metrics_frame(metrics, run.id)),
        hide_index=True,
        width="stretch",
        column_config=METRIC_CONFIG,
    )
    test = RunResult.of(run).split_summary.get("test") or {}
    t = metrics.get("test") or {}
    pairs = (
        f"{test['pairs']:,} test pairs ({test.get('pos', 0):,} known, "
        f"{test.get('neg', 0):,} sampled negatives)"
        if test.get("pairs")
        else "test pairs"
    )
    st.caption(
        f"{source}. The model and its baselines (test split rows): ranking first, at the real "
        f"prevalence: MRR, Hits@10 and median rank rank every disease for "
        f"{t.get('rank_drugs') or '?'} test drugs, and 'AUPR (all unknown)' treats every "
        f"unknown pair as negative (prevalence {_f(t.get('prevalence'), '.2%')}). Then the paper "
        f"protocol on {pairs}: each row's accuracy, precision, recall and F1 at its own "
        f"threshold (the scorer's best-F1 threshold on the validation split). The paper-"
        f"protocol row stops early and reports on the same validation set, as the paper did "
        f"(optimistic, threshold 0.5); the last row is {PAPER_SOURCE}."
    )


def _prevalence(run: runs.Run) -> float | None:
    test = RunResult.of(run).split_summary.get("test") or {}
    return test["pos"] / test["pairs"] if test.get("pairs") else None


def curves_section(run: runs.Run, metrics: dict, curves: dict, source: str) -> None:
    st.header("ROC and precision–recall")
    base = curves.get("baselines") or {}
    stored = {"model": curves.get("test"), **{b: base[b] for b in baseline_names(base)}}
    values = {"model": metrics.get("test") or {}, **(metrics.get("baselines") or {})}
    roc, pr = [], []
    for name, c in stored.items():
        if not c:
            continue
        v = values.get(name) or {}
        roc.append(
            Curve(
                f"{name} (AUROC {_f(v.get('auroc'), '.3f')})",
                *roc_curves(c),
                colour=COLOURS.get(name),
                dash=None if name == "model" else "dash",
            )
        )
        pr.append(
            Curve(
                f"{name} (AUPR {_f(v.get('aupr'), '.3f')})",
                *pr_curves(c),
                colour=COLOURS.get(name),
                dash=None if name == "model" else "dash",
            )
        )
    if not roc:
        st.warning(f"Run `{run.id}` stored no curves.")
        return
    left, right = st.columns(2)
    left.plotly_chart(roc_figure(roc), config=PLOT_CONFIG)
    right.plotly_chart(pr_figure(pr, prevalence=_prevalence(run)), config=PLOT_CONFIG)
    names = ", ".join(
        BASELINE_NAMES.get(b, b) for b in baseline_names(curves.get("baselines") or {})
    )
    st.caption(
        f"{source}. Baselines ({names or 'none'}): popularity (how often a disease is a "
        "known indication), logistic regression on the MLP's features, kNN (nearest "
        "drugs by profile), EASE (collaborative filtering over the known pairs)."
    )


def history_section(run: runs.Run, curves: dict, source: str) -> None:
    st.header("Training history")
    res = RunResult.of(run)
    history = curves.get("history") or res.progress.get("history") or []
    if not history:
        st.info(f"Run `{run.id}` stored no per-epoch history.")
        return
    left, right = st.columns(2)
    tr = res.train
    kind = model_kind(res.kind)
    unit, x = kind.unit_label, kind.history_x
    # the second chart: validation AUC where the run recorded it, else accuracy
    second = "auc" if any("val_auc" in h for h in history) else "acc"
    left.plotly_chart(history_figure(history, "loss", x_key=x, x_title=unit), config=PLOT_CONFIG)
    right.plotly_chart(history_figure(history, second, x_key=x, x_title=unit), config=PLOT_CONFIG)
    extra = ""
    if tr.get("epochs_run"):
        extra = (
            f"; {tr['epochs_run']} epochs run ({tr.get('status', '?')}), best validation "
            f"loss {_f(tr.get('best_val_loss'))} kept from epoch {tr.get('best_epoch', 0) + 1}"
        )
    elif tr.get("best_epoch") is not None:
        extra = f"; stopped early on the validation loss, best {unit} {tr['best_epoch']}"
    st.caption(f"{source}{extra}.")


def threshold_options(val_threshold: float | None) -> list[float]:
    """The confusion slider's stops: 0.00 to 1.00 by 0.01, and the validation-chosen
    threshold itself (so the figure the headline states is one stop of the slider)."""
    stops = {round(i / 100, 2) for i in range(101)}
    if val_threshold is not None and 0.0 <= val_threshold <= 1.0:
        stops.add(float(val_threshold))
    return sorted(stops)


def confusion_section(run_id: str, val_threshold: float | None, source: str) -> None:
    """The confusion matrix at the slider's threshold (a fragment: the slider reruns only it)."""
    options = threshold_options(val_threshold)
    if st.session_state.get(state.EVAL_THRESHOLD) not in options:
        st.session_state[state.EVAL_THRESHOLD] = (
            float(val_threshold) if val_threshold in options else 0.5
        )
    thr = st.select_slider(
        "Threshold (score ≥ threshold predicts an interaction)",
        options,
        key=state.EVAL_THRESHOLD,
        format_func=lambda v: (
            f"{v:.3f} (validation)"
            if val_threshold is not None and v == val_threshold
            else f"{v:.2f}"
        ),
        help=None
        if val_threshold is None
        else f"Starts at the validation split's best-F1 threshold, {val_threshold:.3f}: the "
        "threshold of the F1 in the headline.",
    )
    try:
        y, scores = scores_on_test(run_id)
    except DDIError as exc:
        st.error(f"The test scores of run `{run_id}` are not available: {plain(exc)}")
        return
    cm = confusion(y, scores, thr)
    left, right = st.columns([3, 2])
    left.plotly_chart(confusion_figure(cm.tn, cm.fp, cm.fn, cm.tp), config=PLOT_CONFIG)
    with right:
        a, b = st.columns(2)
        a.metric("Accuracy", f"{cm.rates['accuracy']:.2%}")
        b.metric("F1", f"{cm.rates['f1']:.4f}")
        a.metric("Precision", f"{cm.rates['precision']:.2%}")
        b.metric("Recall", f"{cm.rates['recall']:.2%}")
    vt = (
        "" if val_threshold is None else f"; the validation-chosen threshold is {val_threshold:.3f}"
    )
    st.caption(
        f"{source}. {len(y):,} test pairs (positives against sampled negatives: the paper "
        f"protocol) scored by the run's model at threshold {thr:.3f}{vt}."
    )


def upload_section(run_id: str, source: str) -> None:
    st.header("Score your own pairs")
    up = st.file_uploader(
        "CSV of (drug, disease) pairs: a `drug,disease` header, MeSH ids or names",
        type=["csv", "txt"],
        key=state.EVAL_UPLOAD,
    )
    if up is None:
        return
    try:
        res = uploaded_pairs(up.getvalue(), up.name, run_id)
    except DDIError as exc:
        st.error(f"Cannot score the uploaded file: {plain(exc)}")
        return
    if not res.scored:
        st.info(
            "Scoring with a run is not available yet (the ranking module is not installed); "
            "the pairs below were read and resolved."
        )
    st.dataframe(res.table, hide_index=True, width="stretch")
    st.caption(
        f"{len(res.table):,} pairs from {up.name}" + (f"; scored by {source}" if res.scored else "")
    )


st.title("Evaluate")
try:
    listed = runs.list_runs()
except DDIError as exc:
    st.error(f"The run registry cannot be read: {plain(exc)}")
    st.stop()
done_runs = {r.id: r for r in listed if r.status == "done"}
if not done_runs:
    st.info("No finished run yet: train one on the Train page (or `ddi train --preset quick`).")
    st.page_link(TRAIN_PAGE, label="Train a model", icon="🏋️")
    st.stop()

# widgets of closed tabs are not drawn; keep their values across tab switches
for _key in (state.EVAL_SPLIT, state.EVAL_COMPARE, state.EVAL_THRESHOLD):
    if _key in st.session_state:
        st.session_state[_key] = st.session_state[_key]
chosen_id = choose_run(done_runs)
try:
    the_run, run_metrics, run_curves = load(chosen_id)
except DDIError as exc:
    st.error(str(exc))
    st.stop()
the_result = RunResult.of(the_run)
run_source = f"Run `{the_run.id}` ({config_summary(the_result)})"
st.caption(
    f"{run_source} · created {the_result.created or '?'} · code {the_result.code_version or '?'}"
)

headline(the_run, run_metrics)
# One tab at a time: only the open tab is computed and sent to the browser (nine charts at
# once kept a warm visit near 2 s on two cores; a tab switch reruns the page).
tabs = dict(
    zip(TABS, st.tabs(list(TABS.values()), key=state.EVAL_TAB, on_change="rerun"), strict=True)
)
if tabs["split"].open:
    with tabs["split"]:
        split_section(done_runs, the_run)
if tabs["run"].open:
    with tabs["run"]:
        metrics_section(the_run, run_metrics, run_source)
        curves_section(the_run, run_metrics, run_curves, run_source)
if tabs["history"].open:
    with tabs["history"]:
        history_section(the_run, run_curves, run_source)
if tabs["confusion"].open:
    with tabs["confusion"]:
        st.header("Confusion matrix")
        st.fragment(confusion_section)(
            the_run.id, (run_metrics.get("test") or {}).get("val_threshold"), run_source
        )
if tabs["compare"].open:
    with tabs["compare"]:
        compare_section(done_runs, the_run.id)
if tabs["upload"].open:
    with tabs["upload"]:
        upload_section(the_run.id, run_source)
