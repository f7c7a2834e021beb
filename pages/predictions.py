"""Predictions: every disease ranked for a drug (or every drug for a disease) by a
finished run, with filters, a CSV download and an explanation of the chosen pair."""

from __future__ import annotations

import hashlib

import streamlit as st

from ddi_core.errors import DDIError, UnknownEntityError
from ddi_core.facts.names import resolve_disease, resolve_drug
from ddi_core.rank.queries import RankResult
from ddi_core.rank.session import NotFeaturisableError
from ddi_core.runs import registry as runs
from ui import predictions as pred
from ui import state
from ui.explanation import render_explanation
from ui.pickers import disease_picker, drug_picker
from ui.quick_train import quick_train_panel
from ui.routing import ensure_router
from ui.runs_table import DEFAULT_RUN_NOTE, default_run_id, picker_label
from ui.text import plain
from ui.walk_cache import drug_name

ensure_router()  # a deep link to a fresh server still gets the router

DEFAULT_DRUG = "D008687"  # metformin
DEFAULT_DISEASE = "D003924"  # diabetes mellitus, type 2
MODES = {
    "drug": "by drug: every disease for one drug",
    "disease": "by disease: every drug for one disease",
}
PAIRS = {"all": "all", "unknown": "hide known", "known": "known only"}
TOP_DEFAULT = 50
TABLE_PX = 420


def _picked_run() -> None:
    st.query_params[state.PRED_RUN_PARAM] = st.session_state[state.PRED_RUN]


def choose_run(done: dict) -> str:
    """The ranking run: ``?run=`` or the session's choice, else :func:`runs.default_run`
    (the finished run with the best validation MRR)."""
    wanted = st.query_params.get(state.PRED_RUN_PARAM)
    if wanted in done and wanted != st.session_state.get(state.PRED_RUN):
        st.session_state[state.PRED_RUN] = wanted
    default = default_run_id(done)
    if st.session_state.get(state.PRED_RUN) not in done:
        st.session_state[state.PRED_RUN] = default
    rid = st.selectbox(
        f"Model run ({len(done)} finished, newest first; {DEFAULT_RUN_NOTE})",
        list(done),
        key=state.PRED_RUN,
        on_change=_picked_run,
        format_func=lambda i: picker_label(done[i], default),
    )
    if wanted is not None:
        st.query_params[state.PRED_RUN_PARAM] = rid
    return rid


def choose_query(mode: str, run: runs.Run) -> str | None:
    """The drug or disease picker of ``mode`` over the run's candidates."""
    run_id = run.id
    if mode == "drug":
        options = pred.run_drugs(run_id)
        what = "with evidence" if runs.model_kind(run) == "evidence" else "with a walk profile"
        return drug_picker(
            options,
            select_key=state.PRED_DRUG,
            query_key=state.PRED_DRUG_QUERY,
            resolve=resolve_drug,
            name_of=drug_name,
            default_id=DEFAULT_DRUG,
            select_label=f"Drug ({len(options):,} {what} in this run)",
        )
    options = pred.run_diseases(run_id)
    return disease_picker(
        options,
        select_key=state.PRED_DISEASE,
        query_key=state.PRED_DISEASE_QUERY,
        resolve=resolve_disease,
        name_of=pred.disease_name,
        default_id=DEFAULT_DISEASE,
        select_label=f"Disease ({len(options):,} candidate diseases in this run)",
    )


def summary(res: RankResult) -> None:
    other = pred.OTHER[res.kind]
    st.subheader(f"{res.query_name} ({res.query_id})")
    t = res.table
    known_ranks = t.loc[t["known"], "rank"]
    c = st.columns(4)
    c[0].metric(f"candidate {other}s", f"{res.n_candidates:,}")
    c[1].metric("known CTD pairs", f"{res.n_known:,}")
    c[2].metric(
        "known in the top 50",
        f"{int((known_ranks <= 50).sum()):,}" if not res.hide_known else "hidden",
    )
    c[3].metric(
        "best rank of a known pair", f"{int(known_ranks.min()):,}" if len(known_ranks) else "–"
    )


def table_key(*parts: object) -> str:
    """A key per table content, so a new query or filter starts with no selected row."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:10]
    return f"{state.PRED_TABLE}.{digest}"


st.title("Predictions")
st.caption(
    "A finished run's model scores every candidate pair; ranks are by descending score, "
    "the percentile is 100 at the top. *Known in CTD*: a curated chemical–disease "
    "association; *in training*: a positive pair the model was fitted on. Select a row to "
    "see why the model scores it so."
)

try:
    done = pred.done_runs()
except DDIError as exc:
    st.error(f"The run registry cannot be read: {plain(exc)}")
    st.stop()
if not done:
    st.warning(
        "There is no finished model run in this data home yet, so there is nothing to rank with."
    )
    st.markdown("Train one first: the quick preset is enough to explore the predictions.")
    quick_train_panel(key=state.PRED_QUICK_TRAIN)
    st.stop()

left, right = st.columns([2, 3])
mode = left.radio("Rank", list(MODES), format_func=MODES.__getitem__, key=state.PRED_MODE)
with right:
    run_id = choose_run(done)
st.caption(pred.provenance_line(done[run_id].info))

try:
    query_id = choose_query(mode, done[run_id])
except DDIError as exc:
    st.error(f"Run `{run_id}` cannot be loaded: {plain(exc)}")
    st.stop()
if query_id is None:
    st.stop()

f_branch, f_pairs, f_top = st.columns([3.2, 2, 1])
pairs = f_pairs.segmented_control(
    "Pairs",
    list(PAIRS),
    format_func=PAIRS.__getitem__,
    key=state.PRED_PAIRS,
    default="all",
    required=True,
    help="*hide known*: CTD-known pairs are dropped before ranking, so ranks and percentiles "
    "are among the unknown candidates only. *known only*: where the known pairs rank "
    "among all candidates.",
)
hide_known = pairs == "unknown"
try:
    res = pred.ranking(run_id, mode, query_id, hide_known=hide_known)
except NotFeaturisableError as exc:
    st.warning(plain(f"{str(exc)[0].upper()}{str(exc)[1:]}."))
    st.stop()
except UnknownEntityError as exc:
    st.error(str(exc))
    st.stop()
except DDIError as exc:
    st.error(f"Ranking failed: {plain(exc)}")
    st.stop()

branches: list[str] = []
if mode == "drug":
    options = pred.branch_options(res.table)
    kept = [b for b in st.session_state.get(state.PRED_BRANCHES, []) if b in options]
    st.session_state[state.PRED_BRANCHES] = kept
    branches = f_branch.multiselect(
        "MeSH branches (none: all)", options, key=state.PRED_BRANCHES, placeholder="all branches"
    )
st.session_state.setdefault(state.PRED_TOP, TOP_DEFAULT)
top = f_top.number_input("Rows (top N)", 1, 10_000, step=10, key=state.PRED_TOP)

summary(res)
shown = pred.filter_table(res.table, branches=branches, known_only=pairs == "known", top=int(top))
other = pred.OTHER[mode]
st.caption(
    f"Showing {len(shown):,} {'known ' if pairs == 'known' else ''}{other}s"
    + (f" in {', '.join(branches)}" if branches else "")
    + f"; ranks are among all {res.n_candidates - (res.n_known if hide_known else 0):,} "
    + ("unknown " if hide_known else "")
    + f"candidate {other}s."
)
event = st.dataframe(
    pred.display_table(shown, mode),
    hide_index=True,
    width="stretch",
    height=TABLE_PX,
    on_select="rerun",
    selection_mode="single-row",
    selection_default={"selection": {"rows": [0]}},
    key=table_key(run_id, mode, query_id, pairs, tuple(branches), int(top)),
    column_config={
        "rank": st.column_config.NumberColumn(width=50),
        other: st.column_config.TextColumn(width=250),
        "MeSH id": st.column_config.TextColumn(width=95),
        "score": st.column_config.NumberColumn(format="%.4f", width=70, help="model probability"),
        "percentile": st.column_config.ProgressColumn(
            format="%.2f", min_value=0.0, max_value=100.0, width=120
        ),
        "known in CTD": st.column_config.TextColumn(
            width=100, alignment="center", help="a curated CTD chemical–disease association"
        ),
        "in training": st.column_config.TextColumn(
            width=90, alignment="center", help="a positive pair the model was fitted on"
        ),
        "MeSH branch": st.column_config.TextColumn(width="large"),
    },
)
st.download_button(
    "Download these rows (CSV)",
    pred.csv_bytes(shown),
    file_name=pred.csv_name(mode, res.query_name, run_id),
    mime="text/csv",
    icon="⬇️",
)

if shown.empty:
    st.info("No row matches the filters.")
    st.stop()
rows = list(event.selection.rows) if event is not None else []
row = shown.iloc[rows[0]] if rows and rows[0] < len(shown) else shown.iloc[0]
if not rows:
    st.caption("Explaining the top row; select a row in the table to explain another pair.")
drug_id, disease_id = pred.pair_of(mode, query_id, row)
try:
    ex = pred.explanation(run_id, drug_id, disease_id)
except DDIError as exc:
    st.warning(f"This pair cannot be explained: {plain(exc)}")
    st.stop()
st.divider()
render_explanation(ex)
