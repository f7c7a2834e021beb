"""The Evaluate page's sections over several runs: every finished run on one split beside
the baselines (:func:`split_section`), and runs overlaid (:func:`compare_section`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ddi_core.errors import DDIError
from ddi_core.runs import registry as runs
from ddi_core.runs.result import RunResult
from ui import state
from ui.charts import COLOURS, RUN_COLOURS, Curve, pr_curves, pr_figure, roc_curves, roc_figure
from ui.evaluation import (
    BASELINE_NAMES,
    SPLITS,
    baseline_names,
    info_split,
    models_on_split,
    order_by_validation,
    run_results,
    split_choice,
    split_counts,
)
from ui.runs_table import config_summary, run_label
from ui.text import plain

PLOT_CONFIG = {"displaylogo": False}
FOUR = st.column_config.NumberColumn(format="%.4f")
MRR_HELP = {
    "MRR filtered": "MRR with the drug's other test positives left out of its candidates "
    "(the fully filtered protocol); MRR counts them against a positive ranked below them",
    "MRR ceiling": "the best MRR any scorer can reach on this test split: each drug's test "
    "positives on its top places (low when drugs have many test positives, as in the "
    "by-drug split)",
}
MRR_CONFIG = {c: st.column_config.NumberColumn(format="%.4f", help=h) for c, h in MRR_HELP.items()}
SPLIT_NAMES = {"random": "random pairs", "drug": "by drug", "disease": "by disease"}
SPLIT_CONFIG = {
    **{c: FOUR for c in ("MRR", "Hits@10", "validation MRR")},
    **{
        c: st.column_config.NumberColumn(
            format="%.4f", help="paper protocol: test positives against sampled negatives"
        )
        for c in ("AUROC (1:1)", "AUPR (1:1)")
    },
    **MRR_CONFIG,
    "median rank": st.column_config.NumberColumn(format="%.1f"),
    "AUROC vs degree-matched": st.column_config.NumberColumn(
        format="%.4f",
        help="test positives against negatives drawn to match their drugs' and "
        "diseases' degrees (popularity alone scores about 0.5 here)",
    ),
    "validation MRR": st.column_config.NumberColumn(
        format="%.4f", help="MRR on the validation split: what the default run is chosen by"
    ),
    "seed": st.column_config.NumberColumn(format="%d"),
    "scorer": st.column_config.TextColumn(width="medium"),
}


def _f(v: Any, fmt: str = ".4f") -> str:
    return "–" if v is None else format(v, fmt)


def unavailable(run_id: str) -> str:
    """Why ``run_id`` cannot be evaluated (deleted, failed, cancelled, running)."""
    try:
        run = runs.load_run(run_id)
    except runs.InvalidRunIdError:
        return f"The link names no run: {plain(run_id, 80)} is not a run id."
    except runs.RunNotFoundError:
        return f"Run `{run_id}` no longer exists (it was deleted)."
    except DDIError as exc:
        return f"Run `{run_id}` cannot be read: {plain(exc)}"
    err = RunResult.of(run).error
    why = f": {plain(err)}" if err else ""
    return f"Run `{run_id}` is {run.status}, not done{why}."


def _split_label(split: str, counts: dict[str, int]) -> str:
    n = counts.get(split, 0)
    return f"{SPLIT_NAMES.get(split, split)} ({n} run{'s' if n != 1 else ''})"


def split_section(done: dict[str, runs.Run], run: runs.Run) -> None:
    """Every finished run on one split beside the baselines: one table, one ROC, one PR chart."""
    st.header("Models on one split")
    results = {i: RunResult.of(r) for i, r in done.items()}
    infos = {rid: results[rid] for rid in order_by_validation(results)}
    counts = split_counts(infos)
    own = info_split(run) or SPLITS[0]
    if st.session_state.get(state.EVAL_SPLIT_FOR) != run.id:  # a new run: its own split first
        st.session_state[state.EVAL_SPLIT] = own
        st.session_state[state.EVAL_SPLIT_FOR] = run.id
    options = list(dict.fromkeys([*SPLITS, own]))
    split = st.radio(
        "Split",
        options,
        key=state.EVAL_SPLIT,
        horizontal=True,
        format_func=lambda s: _split_label(s, counts),
        help="Runs on the same split kind; their test pairs are the same only when "
        "they share the seed and the drug population.",
    )
    results, notes = {}, []
    for rid, info in infos.items():
        if info_split(info) != split:
            continue
        try:
            results[rid] = run_results(done[rid])
        except DDIError as exc:
            notes.append(str(exc))
    for note in notes:
        st.warning(note)
    metrics = {rid: m for rid, (m, _) in results.items()}
    table = models_on_split(infos, metrics, split)
    if table.empty:
        st.info(
            f"No finished run on the {SPLIT_NAMES.get(split, split)} split yet: train one on "
            "the Train page."
        )
        return
    st.dataframe(table, hide_index=True, width="stretch", column_config=SPLIT_CONFIG)
    base_of = split_choice({rid: infos[rid] for rid in results}, run.id, split)
    roc, pr = [], []
    for k, (rid, (m, curves)) in enumerate(results.items()):
        if not curves.get("test"):
            continue
        t = m.get("test") or {}
        colour = RUN_COLOURS[k % len(RUN_COLOURS)]
        name = f"{rid}{' (chosen)' if rid == run.id else ''}"
        roc.append(
            Curve(
                f"{name} (AUROC {_f(t.get('auroc'), '.3f')})",
                *roc_curves(curves["test"]),
                colour=colour,
            )
        )
        pr.append(
            Curve(
                f"{name} (AUPR {_f(t.get('aupr'), '.3f')})",
                *pr_curves(curves["test"]),
                colour=colour,
            )
        )
    if base_of is not None:
        m, curves = results[base_of]
        stored = curves.get("baselines") or {}
        values = m.get("baselines") or {}
        for b in baseline_names(stored):
            if not stored.get(b):
                continue
            v = values.get(b) or {}
            label = BASELINE_NAMES.get(b, b)
            roc.append(
                Curve(
                    f"{label} (AUROC {_f(v.get('auroc'), '.3f')})",
                    *roc_curves(stored[b]),
                    colour=COLOURS.get(b),
                    dash="dash",
                )
            )
            pr.append(
                Curve(
                    f"{label} (AUPR {_f(v.get('aupr'), '.3f')})",
                    *pr_curves(stored[b]),
                    colour=COLOURS.get(b),
                    dash="dash",
                )
            )
    if roc:
        left, right = st.columns(2)
        where = SPLIT_NAMES.get(split, split)
        left.plotly_chart(
            roc_figure(roc, title=f"ROC, {where} split (each run's test pairs)"), config=PLOT_CONFIG
        )
        right.plotly_chart(
            pr_figure(pr, title=f"Precision–recall, {where} split"), config=PLOT_CONFIG
        )
    st.caption(
        f"{len(results)} finished run(s) on the {SPLIT_NAMES.get(split, split)} split, best "
        "validation MRR first, each on its own test pairs (the same pairs only for runs with the "
        "same seed and population; an evidence run on the *paper* population shares the MLP's "
        "split). Solid lines: the runs' models"
        + (f"; dashed: the baselines of run `{base_of}`." if base_of else ".")
        + " Baselines: popularity (how often a disease is a known indication), kNN (nearest "
        "drugs by profile), EASE (collaborative filtering over the known pairs), logistic "
        "regression on the MLP's features (MLP runs only)."
    )


def compare_section(done: dict[str, runs.Run], run_id: str) -> None:
    st.header("Compare runs")
    kept = [i for i in st.session_state.get(state.EVAL_COMPARE, []) if i in done]
    if state.EVAL_COMPARE not in st.session_state:
        kept = [run_id, *[i for i in done if i != run_id][:1]]
    st.session_state[state.EVAL_COMPARE] = kept
    chosen = st.multiselect(
        "Runs overlaid (model curves on each run's own test split)",
        list(done),
        key=state.EVAL_COMPARE,
        format_func=lambda i: run_label(done[i]),
        max_selections=8,
    )
    if not chosen:
        st.caption("Pick one or more runs.")
        return
    roc, pr, notes = [], [], []
    for k, rid in enumerate(chosen):
        run = done[rid]
        try:
            curves = run.read_json("curves.json") or {}
            metrics = run.read_json("metrics.json") or {}
        except (OSError, ValueError) as exc:
            notes.append(f"`{rid}`: unreadable results ({plain(exc)})")
            continue
        if not curves.get("test"):
            notes.append(f"`{rid}`: {unavailable(rid) if not run.dir.exists() else 'no curves'}")
            continue
        t = metrics.get("test") or {}
        colour = RUN_COLOURS[k % len(RUN_COLOURS)]
        roc.append(
            Curve(
                f"{rid} (AUROC {_f(t.get('auroc'), '.3f')})",
                *roc_curves(curves["test"]),
                colour=colour,
            )
        )
        pr.append(
            Curve(
                f"{rid} (AUPR {_f(t.get('aupr'), '.3f')})",
                *pr_curves(curves["test"]),
                colour=colour,
            )
        )
    for note in notes:
        st.warning(note)
    if roc:
        left, right = st.columns(2)
        left.plotly_chart(roc_figure(roc, title="ROC (each run's test split)"), config=PLOT_CONFIG)
        right.plotly_chart(
            pr_figure(pr, title="Precision–recall (each run's test split)"), config=PLOT_CONFIG
        )
        st.caption("  \n".join(f"`{rid}`: {config_summary(done[rid])}" for rid in chosen))
