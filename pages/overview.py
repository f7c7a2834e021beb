"""Overview: what data the dashboard stands on, with coverage and licences."""

import pandas as pd
import streamlit as st

from ddi_core.errors import DDIError
from ddi_core.runs import registry as runs
from ddi_core.runs.figures import headline_figures, read_validation, run_metrics
from ddi_core.runs.inputs import default_run
from ddi_core.runs.result import RunResult
from ui import data, state
from ui.calibration_view import calibration_details, calibration_summary
from ui.overview import coverage_frame, funnel_counts, funnel_figure, runs_summary
from ui.quick_train import quick_train_panel
from ui.routing import ensure_router
from ui.runs_table import (
    config_summary,
    model_description,
    model_name,
    stages_read,
    weaker_warning,
)
from ui.text import plain

ensure_router()  # a deep link to a fresh server still gets the router

PREDICTIONS_PAGE = "pages/predictions.py"
SIGNED_WALK_PAGE = "pages/signed_walk.py"

st.title("DDI Explorer")
st.caption(
    "Drug–disease interaction prediction from network biology and machine learning: signed "
    "random walks over the human signaling network, node2vec and InfoGraph embeddings, and a "
    "gradient-boosted model over network and collaborative evidence that ranks by default."
)

try:
    rep = data.coverage_report()
except DDIError as exc:
    st.error(f"The data bundle is not ready: {plain(exc)}")
    st.info("Run `./run.sh` (or `ddi data fetch`) to fetch and verify the bundle.")
    st.stop()

try:
    all_runs = runs.list_runs()
except DDIError as exc:
    st.warning(f"The run registry cannot be read: {plain(exc)}")
    all_runs = []
if not any(r.status == "done" for r in all_runs):
    with st.container(border=True):
        st.subheader("What to do first")
        st.markdown(
            "1. **The data are ready** (fetched and verified; coverage below).\n"
            "2. **Train a model**: there is no finished run yet, and the predictions need one. "
            "The quick preset runs in the background while you explore.\n"
            "3. **Meanwhile**, the *Signed walk* page shows how a drug's effect spreads over the "
            "signaling network: it needs no model. When the run is done, *Predictions* ranks "
            "every disease for a drug and explains each pair."
        )
        quick_train_panel(key=state.OVERVIEW_QUICK_TRAIN)
        st.page_link(SIGNED_WALK_PAGE, label="Explore a signed walk", icon="🧭")

default = default_run()
if default is not None:
    st.header("The model that ranks")
    metrics = run_metrics(default)
    st.markdown(plain(f"{model_name(default)}, run {default.id}"))
    st.caption(model_description(default))
    cols = st.columns(6)
    for col, f in zip(cols, headline_figures(metrics, read_validation(default)), strict=True):
        col.metric(f.label, f.text(), help=f.help)
    weak = weaker_warning(default)
    if weak:
        st.warning(weak)
    st.caption(
        "Ranking figures on the run's held-out test split, at the real prevalence, and "
        "independent validation on PharmacotherapyDB; the paper protocol's 1:1 figures and "
        "the curves are on the Evaluate page. " + plain(config_summary(default)) + "."
    )
    st.page_link(PREDICTIONS_PAGE, label="Rank diseases for a drug with it", icon="🎯")

st.header("Data coverage")

scalars = {k: v for k, v in rep.items() if isinstance(v, int | float)}
cols = st.columns(4)
headline = [
    ("CTD drug–disease pairs", "ctd_pairs"),
    ("CTD chemicals", "ctd_chemicals"),
    ("chemicals with SMILES", "chemicals_with_smiles"),
    ("chemicals with signed targets", "chemicals_with_signed_targets"),
]
for col, (label, key) in zip(cols, headline, strict=True):
    col.metric(label, f"{rep.get(key, 0):,}")
try:
    profiled = data.profile_counts()
except DDIError as exc:
    st.warning(f"The walk profiles cannot be counted: {plain(exc)}")
    profiled = {}
left, right = st.columns([1, 1])
with left:
    st.plotly_chart(
        funnel_figure(funnel_counts(rep, profiled), height=380), config={"displayModeBar": False}
    )
    st.caption(
        "A drug needs a walk profile (a signed target in the HSN v7 network) to be "
        "scored. The stages are not strictly nested: a signed target needs no SMILES."
    )
with right:
    st.dataframe(
        pd.DataFrame({"measure": list(scalars), "value": list(scalars.values())}),
        hide_index=True,
        width="stretch",
        height=420,
    )
nested = {k: v for k, v in rep.items() if isinstance(v, dict)}
for name, table in nested.items():
    # lazy: a collapsed expander draws nothing (eight JSON trees cost the page ~0.2 s)
    box = st.expander(
        name.replace("_", " "), key=f"{state.OVERVIEW_DETAIL}.{name}", on_change="rerun"
    )
    if box.open:
        with box:
            st.json(table)

st.header("Coverage by model")


def _count_coverage() -> None:
    st.session_state[state.OVERVIEW_COVERAGE] = True


# whether a finished run has built the evidence tables (a kind that reads them)
evidence_done = any(
    res.done and "evidence_tables" in stages_read(res) for res in map(RunResult.of, all_runs)
)
if not (evidence_done or st.session_state.get(state.OVERVIEW_COVERAGE)):
    # without an evidence run the evidence tables may not be built yet: that takes minutes,
    # so the landing page does not start it on its own
    st.caption(
        "Drugs, diseases and known pairs each model covers. Counting them builds the "
        "evidence model's tables when no evidence run has (a few minutes, once per data "
        "home)."
    )
    st.button(
        "Count the coverage by model",
        key=f"{state.OVERVIEW_COVERAGE}.button",
        on_click=_count_coverage,
    )
else:
    try:
        by_model = coverage_frame(data.model_coverage())
    except DDIError as exc:
        st.warning(f"The coverage by model cannot be computed: {plain(exc)}")
    else:
        st.dataframe(
            by_model,
            hide_index=True,
            width="stretch",
            column_config={
                "drugs": st.column_config.NumberColumn(format="localized"),
                "diseases": st.column_config.NumberColumn(format="localized"),
                "known pairs": st.column_config.NumberColumn(
                    format="localized",
                    help="CTD chemical–disease pairs among the model's drugs "
                    "and diseases (what it can be trained and tested on)",
                ),
                "drugs with a known pair": st.column_config.NumberColumn(format="localized"),
                "share of CTD pairs": st.column_config.NumberColumn(format="percent"),
                "needs": st.column_config.TextColumn(width="large"),
            },
        )
        st.caption(
            "Which drugs each model can rank: the MLP needs a walk profile, so it covers "
            "the paper's drugs; the evidence model ranks every CTD chemical with any "
            "evidence (a signed target, CTD chemical–gene rows or a SMILES). An evidence "
            "run on the *paper* population uses exactly the MLP's drugs and pairs."
        )

st.subheader("Drug–target classifier: calibration")
calibration = data.target_calibration()
if calibration is None:
    st.caption(
        "The calibration of the drug–target classifier (which genes a drug without a "
        "known target is predicted to hit) appears after the paper preset's classifier "
        "is trained: `ddi targets report` or `ddi train --preset paper`."
    )
else:
    st.caption(calibration_summary(calibration))
    # lazy: drawn only when opened (the chart and two tables cost a warm visit ~0.2 s)
    details = st.expander(
        "Reliability, call rules and class priors",
        key=state.OVERVIEW_CALIBRATION,
        on_change="rerun",
    )
    if details.open:
        with details:
            calibration_details(calibration)

st.header("Model runs")
if all_runs:
    st.dataframe(
        runs_summary(all_runs),
        hide_index=True,
        width="stretch",
        column_config={
            "MRR": st.column_config.NumberColumn(
                format="%.4f", help="test MRR: each test positive among every candidate disease"
            ),
            "val MRR": st.column_config.NumberColumn(
                format="%.4f", help="validation MRR (picks the default run)"
            ),
            "AUROC (1:1)": st.column_config.NumberColumn(
                format="%.4f", help="paper protocol: test positives against sampled negatives"
            ),
        },
    )
    st.caption("Details, progress and logs on the Train page; curves and metrics on Evaluate.")
    if any(r.status == "done" for r in all_runs):
        st.page_link(
            PREDICTIONS_PAGE,
            label="Rank diseases for a drug with the default run (best validation MRR)",
            icon="🎯",
        )
else:
    st.info("No run yet: train one (see *What to do first* above).")

st.header("Sources and licences")
st.dataframe(pd.DataFrame(data.licences()), hide_index=True, width="stretch")
