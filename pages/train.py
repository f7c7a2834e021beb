"""Train: start a run in a separate process, follow its progress, browse the runs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ddi_core.config.run import PRESETS as ALL_PRESETS
from ddi_core.config.run import RunConfig
from ddi_core.config.run import preset as make_preset
from ddi_core.errors import DDIError
from ddi_core.models.registry import model_kind
from ddi_core.runs import registry as runs
from ddi_core.runs.result import RunResult
from ddi_core.training import jobs
from ddi_core.training.jobs import JobBusyError
from ui import state
from ui.charts import history_figure
from ui.routing import ensure_router
from ui.runs_table import (
    config_summary,
    format_seconds,
    progress_fraction,
    provenance,
    run_label,
    runs_frame,
    weaker_warning,
)
from ui.text import plain

ensure_router()  # a deep link to a fresh server still gets the router

#: the presets a new run starts from, the quick one first (config.run.PRESETS names them)
PRESETS = tuple(sorted(ALL_PRESETS, key=lambda k: k != "quick"))
#: Drug populations of an evidence run.
POPULATIONS = {
    "evidence": "evidence: every CTD chemical with any evidence",
    "paper": "paper: the MLP's drugs and pairs",
}
SPLITS = {
    "random": "random pairs",
    "drug": "by drug (unseen drugs)",
    "disease": "by disease (unseen diseases)",
}
#: Seconds between refreshes of the job panel while a job runs / while none does.
POLL_BUSY_S = 2.0
POLL_IDLE_S = 10.0
EVALUATE_PAGE = "pages/evaluate.py"


def describe_preset(name: str) -> str:
    """How a run of preset ``name`` trains, in a sentence (its model kind says)."""
    cfg = make_preset(name)
    return model_kind(cfg.model).describe(cfg)


def _reset_epochs() -> None:
    st.session_state[state.TRAIN_MAX_EPOCHS] = make_preset(
        st.session_state[state.TRAIN_PRESET]
    ).train.max_epochs


def new_run_form() -> RunConfig:
    """The widgets of a new run; returns the resolved configuration.

    The evidence preset has no epochs (LightGBM stops early on the validation
    split) but a drug population instead.
    """
    st.session_state.setdefault(state.TRAIN_PRESET, PRESETS[0])
    st.session_state.setdefault(state.TRAIN_SPLIT, "random")
    st.session_state.setdefault(state.TRAIN_NEG_RATIO, 1.0)
    st.session_state.setdefault(state.TRAIN_SEED, 0)
    st.session_state.setdefault(state.TRAIN_POPULATION, "evidence")
    if state.TRAIN_MAX_EPOCHS not in st.session_state:
        _reset_epochs()
    c1, c2, c3, c4, c5 = st.columns([1.6, 1.5, 1, 1, 1.3])
    name = c1.radio(
        "Preset", PRESETS, key=state.TRAIN_PRESET, horizontal=True, on_change=_reset_epochs
    )
    split = c2.selectbox(
        "Split",
        list(SPLITS),
        format_func=SPLITS.__getitem__,
        key=state.TRAIN_SPLIT,
        help="Random pairs, or whole drugs / diseases held out of training.",
    )
    neg = c3.number_input(
        "Negatives per positive", 0.5, 10.0, step=0.5, format="%.1f", key=state.TRAIN_NEG_RATIO
    )
    seed = c4.number_input(
        "Seed",
        0,
        2**31 - 1,
        step=1,
        key=state.TRAIN_SEED,
        help="Root seed; the split, negatives, SMOTE and torch seeds derive from it.",
    )
    st.caption(f"**{name}**: {describe_preset(name)}")
    offered = model_kind(make_preset(name).model).form_settings
    if "evidence.population" in offered:
        population = c5.radio(
            "Drug population",
            list(POPULATIONS),
            key=state.TRAIN_POPULATION,
            help="\n".join(f"- {v}" for v in POPULATIONS.values()),
        )
        return make_preset(
            name,
            split=split,
            neg_ratio=float(neg),  # type: ignore[arg-type]
            seed=int(seed),
            population=population,
        )
    if "train.max_epochs" not in offered:
        return make_preset(name, split=split, neg_ratio=float(neg), seed=int(seed))
    epochs = c5.number_input("Max epochs", 1, 1000, step=1, key=state.TRAIN_MAX_EPOCHS)
    return make_preset(
        name,
        split=split,
        neg_ratio=float(neg),
        seed=int(seed),  # type: ignore[arg-type]
        max_epochs=int(epochs),
    )


def start(cfg: RunConfig) -> None:
    """Start a training job; a busy data home is refused with the running job's name."""
    from ddi_core.training.runner import start_training_job  # torch: only when starting

    try:
        job = start_training_job(cfg)
    except JobBusyError as exc:
        st.error(f"Not started: {plain(exc)}. Cancel it or wait until it ends.")
        return
    except DDIError as exc:
        st.error(f"Could not start the training job: {plain(exc)}")
        return
    summary = config_summary({"config": cfg.to_dict(), "model": cfg.model})
    st.success(f"Started run `{job.run_id}` (process {job.pid}): {summary}.")


def _cancel(run_id: str) -> None:
    try:
        runs.load_run(run_id).request_cancel()
    except DDIError:
        pass  # the run vanished or ended: the panel says so on its next refresh


def _progress_text(p: dict[str, Any], *, unit: str = "epoch") -> str:
    parts = [str(p.get("stage") or "starting")]
    if p.get("fold") and p.get("folds"):
        parts.append(f"fold {p['fold']}/{p['folds']}")
    if p.get("epoch") and p.get("max_epochs"):
        parts.append(f"{unit} {p['epoch']}/{p['max_epochs']}")
    if p.get("batch") and p.get("n_batches"):
        parts.append(f"batch {p['batch']}/{p['n_batches']}")
    if p.get("elapsed_seconds") is not None:
        parts.append(f"{format_seconds(p['elapsed_seconds'])} elapsed")
    return " · ".join(parts)


def busy_panel(job: dict[str, Any]) -> None:
    rid = str(job.get("run_id", "?"))
    st.markdown(
        f"**{job.get('label') or job.get('kind', 'job')}**: run `{rid}`, process "
        f"{job.get('pid', '?')}, started {job.get('started', '?')}"
    )
    try:
        run = runs.load_run(rid)
    except runs.RunNotFoundError:
        st.info("Starting: the job process is loading its libraries and data…")
        return
    except DDIError as exc:
        st.warning(f"The job's run record cannot be read: {plain(exc)}")
        return
    res = RunResult.of(run)
    p = res.progress
    unit = model_kind(res.kind).unit_label
    st.caption(config_summary(res))
    st.progress(progress_fraction(p), text=_progress_text(p, unit=unit))
    c1, c2, c3, c4 = st.columns(4)
    loss = p.get("batch_loss")
    c1.metric(
        unit.capitalize(),
        f"{p.get('epoch') or 0} / {p.get('max_epochs') or '?'}",
        help="training stops early when the validation loss stops improving",
    )
    if p.get("folds"):  # features built out of fold (the evidence model)
        c2.metric("Feature fold", f"{p.get('fold') or 0} / {p.get('folds') or '?'}")
    else:
        c2.metric("Batch", f"{p.get('batch') or 0} / {p.get('n_batches') or '?'}")
    c3.metric("Training loss", "–" if loss is None else f"{loss:.4f}")
    c4.metric("ETA", format_seconds(p.get("eta_seconds")) if p.get("stage") == "training" else "–")
    history = p.get("history") or []
    if history:
        st.plotly_chart(
            history_figure(
                history,
                "loss",
                title="Loss per epoch (this run)",
                height=260,
                max_epochs=p.get("max_epochs"),
            ),
            config={"displayModeBar": False},
        )
    else:
        st.caption("Losses per epoch appear here after the first epoch.")
    stage = p.get("stage")
    if run.cancel_requested():
        st.warning(
            "Cancel requested: the run stops at its next training batch or, while it is "
            "preparing data or evaluating, at the end of the current stage."
        )
    else:
        if stage == "evaluating":
            st.caption("Evaluating on the test split and the baselines.")
        st.button(
            "Cancel this run",
            on_click=_cancel,
            args=(rid,),
            type="secondary",
            help="The run stops before its next training batch (or after the current "
            "evaluation stage) and ends 'cancelled'; the model trained so far is kept.",
        )
    with st.expander("Log"):
        st.code(run.log_tail(30) or "(no output yet)", language=None)


def idle_panel(newest: runs.Run | None) -> None:
    st.info("No job is running in this data home.")
    if newest is None:
        return
    res = RunResult.of(newest)
    msg = f"Newest run: `{res.id}` ({res.created}) ended **{res.status}**"
    if res.done:
        if res.figure("auroc") is not None:
            msg += f" with test AUROC {res.figure('auroc'):.4f}"
    elif res.error:
        msg += f": {plain(res.error)}"
    st.caption(msg + ".")


def job_panel(defined_busy: bool) -> None:
    """Live progress of the data home's job (read from the run registry)."""
    job = jobs.current()
    if (job is not None) != defined_busy:
        st.rerun()  # a job started or ended: refresh the whole page (runs table, poll rate)
    if job is None:
        listed = runs.list_runs()
        idle_panel(listed[0] if listed else None)
    else:
        busy_panel(job)


def runs_section(all_runs: list[runs.Run]) -> None:
    if not all_runs:
        st.info("No runs yet: start one above, or run `ddi train --preset quick`.")
        return
    table = runs_frame(all_runs)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "run": st.column_config.TextColumn(width="medium"),
            "neg:pos": st.column_config.NumberColumn(format="%.1f"),
            "AUROC": st.column_config.NumberColumn(format="%.4f", help="test split"),
            "F1": st.column_config.NumberColumn(format="%.4f", help="test split, threshold 0.5"),
            "MRR": st.column_config.NumberColumn(
                format="%.4f", help="test drugs ranked against every disease"
            ),
            "val MRR": st.column_config.NumberColumn(
                format="%.4f", help="validation MRR: the default run is the one with the best"
            ),
            "epochs": st.column_config.NumberColumn(
                help="epochs run (MLP) or the best boosting round (evidence model)"
            ),
            "error": st.column_config.TextColumn(width="large"),
        },
    )
    by_id = {r.id: r for r in all_runs}
    if st.session_state.get(state.TRAIN_DETAIL_RUN) not in by_id:
        st.session_state[state.TRAIN_DETAIL_RUN] = all_runs[0].id
    rid = st.selectbox(
        "Run details",
        list(by_id),
        key=state.TRAIN_DETAIL_RUN,
        format_func=lambda i: run_label(by_id[i]),
    )
    run_details(by_id[rid])


def run_details(run: runs.Run) -> None:
    res = RunResult.of(run)
    error = plain(res.error or "no error recorded")
    weak = weaker_warning(run) if run.status == "done" else ""
    if weak:
        st.warning(weak)
    if run.status == "failed":
        st.error(f"Run `{run.id}` failed: {error}")
    elif run.status == runs.UNREADABLE:
        st.error(
            f"Run `{run.id}` is unreadable and cannot be used: {error}. Delete it, or "
            "restore its files."
        )
    elif run.status == "cancelled":
        during = res.provenance.get("cancelled_during")
        st.warning(
            f"Run `{run.id}` was cancelled"
            f"{' while ' + plain(during) if during else ''}"
            f"{': ' + error if res.error else ''}."
        )
    left, right, _ = st.columns([1, 1, 3])
    if run.status == "done":
        left.page_link(
            EVALUATE_PAGE,
            label="Evaluate this run",
            icon="📈",
            query_params={state.EVAL_RUN_PARAM: run.id},
        )
    if run.status != "running":
        with right.popover("Delete run…"):
            st.caption(
                f"Removes `{run.id}` and its model from the registry; this cannot be "
                "undone. Type the run id to confirm."
            )
            typed = st.text_input(
                "Run id",
                key=f"{state.TRAIN_DELETE_CONFIRM}.{run.id}",
                placeholder=run.id,
                label_visibility="collapsed",
            )
            if st.button(
                f"Delete {run.id} permanently",
                type="primary",
                disabled=typed.strip() != run.id,
                key=f"{state.TRAIN_DELETE_CONFIRM}.button.{run.id}",
            ):
                try:
                    runs.delete_run(run.id)
                except DDIError as exc:
                    st.error(plain(exc))
                else:
                    st.rerun()
    with st.expander("Provenance: config, seeds, code version, data hashes (JSON)"):
        st.json(provenance(res), expanded=2)
    with st.expander("Log (last 40 lines)"):
        st.code(run.log_tail(40) or "(no log)", language=None)


st.title("Train")
st.caption(
    "Training runs in a separate process, one job at a time per data home; progress is "
    "read from the run registry, so it survives a reload and shows in every browser."
)

st.header("New run")
cfg = new_run_form()
with st.expander("Resolved configuration (JSON)"):
    st.json(cfg.to_dict(), expanded=2)
if st.button("Start training", type="primary"):
    start(cfg)

st.header("Current job")
busy = jobs.current() is not None
st.fragment(job_panel, run_every=POLL_BUSY_S if busy else POLL_IDLE_S)(busy)

st.header("Runs")
try:
    listed = runs.list_runs()
except DDIError as exc:
    st.error(f"The run registry cannot be read: {plain(exc)}")
    st.stop()
runs_section(listed)
