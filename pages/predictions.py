"""Predictions: every disease ranked for a drug (or every drug for a disease) by a
finished run, with filters, a CSV download and an explanation of the chosen pair."""

from __future__ import annotations

import hashlib

import streamlit as st

from ddi_core.data.disease_classes import CLASS_MEANING
from ddi_core.errors import DDIError, UnknownEntityError
from ddi_core.facts.known import MARK_MEANING
from ddi_core.facts.names import lookup_disease, lookup_drug, resolve_disease, resolve_drug
from ddi_core.models.registry import model_kind
from ddi_core.rank.queries import RankResult
from ddi_core.rank.session import NotFeaturisableError
from ddi_core.runs import registry as runs
from ddi_core.runs.result import RunResult
from ui import predictions as pred
from ui import state
from ui.explanation import render_explanation
from ui.pickers import disease_picker, drug_picker, with_words
from ui.quick_train import quick_train_panel
from ui.routing import ensure_router
from ui.runs_table import (
    DEFAULT_RUN_NOTE,
    default_first,
    default_run_id,
    picker_labels,
    weaker_warning,
)
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
#: The views of each mode: what a drug's list hides, what a disease's list keeps.
VIEWS = {
    "drug": {"clinical": "clinical view", "all": "all terms"},
    "disease": {"approved": "FDA-approved drugs", "all": "all drugs"},
}
VIEW_HELP = {
    "drug": "*clinical view*: disease terms of class experimental model (“…, Experimental”, "
    "animal models) or chemically induced (drug-induced injury, poisoning) are hidden before "
    "ranking: CTD's therapeutic rows there record a protective role in a model, never an "
    "indication. Signs and pathological processes stay, marked in the class column. "
    "*all terms*: every candidate term.",
    "disease": "*FDA-approved drugs*: only drugs on DrugCentral's FDA-approved list are "
    "ranked; *all drugs* adds tool compounds, supplements and experimental chemicals.",
}
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
        f"Model run ({len(done)} finished, the default first, then newest first; {DEFAULT_RUN_NOTE})",
        default_first(done, default),
        key=state.PRED_RUN,
        on_change=_picked_run,
        format_func=picker_labels(done, default).get,
    )
    if wanted is not None:
        st.query_params[state.PRED_RUN_PARAM] = rid
    warning = weaker_warning(done[rid])
    if warning:
        st.warning(warning)
    return rid


def apply_link() -> None:
    """A shared link's ``?drug=`` or ``?disease=`` (a name, brand name or MeSH id), applied
    once on arrival: it goes into the text box, where it is resolved as if typed (an
    unknown or hostile value is shown as plain text with close names)."""
    for param, mode, key in (
        (state.PRED_DRUG_PARAM, "drug", state.PRED_DRUG_QUERY),
        (state.PRED_DISEASE_PARAM, "disease", state.PRED_DISEASE_QUERY),
    ):
        value = st.query_params.get(param)
        if value and (param, value) != st.session_state.get(state.PRED_LINK):
            st.session_state[state.PRED_LINK] = (param, value)
            st.session_state[state.PRED_MODE] = mode
            st.session_state[key] = str(value)[:200]
            return


def choose_query(mode: str, run: runs.Run) -> str | None:
    """The drug or disease picker of ``mode`` over the run's candidates."""
    run_id = run.id
    if mode == "drug":
        options = pred.run_drugs(run_id)
        what = model_kind(RunResult.of(run).kind).scorable
        return drug_picker(
            options,
            select_key=state.PRED_DRUG,
            query_key=state.PRED_DRUG_QUERY,
            resolve=resolve_drug,
            lookup=with_words(lookup_drug),
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
        lookup=with_words(lookup_disease),
        name_of=pred.disease_name,
        default_id=DEFAULT_DISEASE,
        select_label=f"Disease ({len(options):,} candidate diseases in this run)",
    )


def summary(res: RankResult) -> None:
    other = pred.OTHER[res.kind]
    st.subheader(f"{res.query_name} ({res.query_id})")
    t = res.table
    ind_ranks = t.loc[t["indication"].fillna("") != "", "rank"] if "indication" in t else t[:0]
    c = st.columns(4)
    c[0].metric(
        f"candidate {other}s",
        f"{res.n_candidates - res.n_hidden:,}",
        help=f"{res.n_hidden:,} more hidden by the view" if res.n_hidden else None,
    )
    c[1].metric(
        "approved / labelled indications",
        f"{res.n_indications:,}",
        help=MARK_MEANING["indication"],
    )
    c[2].metric("literature pairs (CTD)", f"{res.n_known:,}", help=MARK_MEANING["literature"])
    c[3].metric(
        "best rank of an indication",
        f"{int(ind_ranks.min()):,}" if len(ind_ranks) else "–",
        help="among the shown candidates" if not res.hide_known else "known pairs are hidden",
    )


def view_caption(res: RankResult) -> str:
    """What the view hid, in words."""
    if res.kind == "drug":
        if res.terms == "all":
            return "All terms are shown, experimental models and chemically induced ones too."
        return (
            f"Clinical view: {res.n_hidden:,} experimental-model or chemically-induced terms are "
            "hidden (choose “all terms” to show them); signs and pathological processes are "
            "marked in the class column."
        )
    if res.approved_only:
        return (
            f"FDA-approved drugs only: {res.n_hidden:,} tool compounds, supplements and other "
            "chemicals are hidden (choose “all drugs” to show them)."
        )
    return "All drugs are shown, tool compounds and supplements too."


def table_key(*parts: object) -> str:
    """A key per table content, so a new query or filter starts with no selected row."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:10]
    return f"{state.PRED_TABLE}.{digest}"


st.title("Predictions")
st.caption(
    "A finished run's model scores every candidate pair; ranks are by descending score, "
    "the percentile is 100 at the top. Each row says where a known pair comes from: an "
    "*approved indication* (DrugCentral's label, PharmacotherapyDB), the *literature* (CTD, "
    "may be preclinical) or a curated *non-indication* (PharmacotherapyDB); *in training*: "
    "a positive pair the model was fitted on. Select a row to see why the model scores it so."
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

apply_link()
left, right = st.columns([2, 3])
mode = left.radio("Rank", list(MODES), format_func=MODES.__getitem__, key=state.PRED_MODE)
with right:
    run_id = choose_run(done)
st.caption(pred.provenance_line(done[run_id]))

try:
    query_id = choose_query(mode, done[run_id])
except DDIError as exc:
    st.error(f"Run `{run_id}` cannot be loaded: {plain(exc)}")
    st.stop()
if query_id is None:
    st.stop()

f_view, f_pairs, f_top = st.columns([2, 2, 1])
views = VIEWS[mode]
view_key = f"{state.PRED_VIEW}.{mode}"
# Each control's last value is kept under its own key, and given to the widget as its
# default (not written into the widget's key): a widget's key is dropped when a rerun stops
# before drawing it (an unknown name), and a browser that interrupts the first run of a
# cold server sends no value for a widget whose value came from the session state alone.
kept_view = st.session_state.get(f"{view_key}.keep")
view = f_view.segmented_control(
    "Candidates" if mode == "drug" else "Drugs",
    list(views),
    format_func=views.__getitem__,
    key=view_key,
    default=kept_view if kept_view in views else next(iter(views)),
    required=True,
    help=VIEW_HELP[mode],
)
if view not in views:
    view = kept_view if kept_view in views else next(iter(views))
st.session_state[f"{view_key}.keep"] = view
kept_pairs = st.session_state.get(f"{state.PRED_PAIRS}.keep", "all")
pairs = f_pairs.segmented_control(
    "Pairs",
    list(PAIRS),
    format_func=PAIRS.__getitem__,
    key=state.PRED_PAIRS,
    default=kept_pairs,
    required=True,
    help="*hide known*: pairs known as an approved indication or from the literature are "
    "dropped before ranking, so ranks and percentiles are among the unknown candidates only. "
    "*known only*: where the known pairs rank among all candidates.",
)
if pairs not in PAIRS:
    pairs = kept_pairs
st.session_state[f"{state.PRED_PAIRS}.keep"] = pairs
top = f_top.number_input(
    "Rows (top N)",
    1,
    10_000,
    value=int(st.session_state.get(state.PRED_TOP_KEEP, TOP_DEFAULT)),
    step=10,
    key=state.PRED_TOP,
)
st.session_state[state.PRED_TOP_KEEP] = int(top)
hide_known = pairs == "unknown"
try:
    res = pred.ranking(run_id, mode, query_id, hide_known=hide_known, view=view)
except NotFeaturisableError as exc:
    st.warning(plain(f"{str(exc)[0].upper()}{str(exc)[1:]}."))
    st.stop()
except UnknownEntityError as exc:
    st.error(plain(exc))
    st.stop()
except DDIError as exc:
    st.error(f"Ranking failed: {plain(exc)}")
    st.stop()
st.query_params[state.PRED_DRUG_PARAM if mode == "drug" else state.PRED_DISEASE_PARAM] = query_id
st.query_params.pop(state.PRED_DISEASE_PARAM if mode == "drug" else state.PRED_DRUG_PARAM, None)
st.session_state[state.PRED_LINK] = (
    state.PRED_DRUG_PARAM if mode == "drug" else state.PRED_DISEASE_PARAM,
    query_id,
)

branches: list[str] = []
if mode == "drug":
    options = pred.branch_options(res.table)
    kept = [b for b in st.session_state.get(state.PRED_BRANCHES, []) if b in options]
    st.session_state[state.PRED_BRANCHES] = kept
    branches = st.multiselect(
        "MeSH branches (none: all)", options, key=state.PRED_BRANCHES, placeholder="all branches"
    )

summary(res)
shown = pred.filter_table(res.table, branches=branches, known_only=pairs == "known", top=int(top))
other = pred.OTHER[mode]
st.caption(
    f"Showing {len(shown):,} {'known ' if pairs == 'known' else ''}{other}s"
    + (f" in {', '.join(branches)}" if branches else "")
    + f"; ranks are among {res.n_candidates - res.n_hidden:,} candidate {other}s"
    + (" without the known pairs" if hide_known else "")
    + ". "
    + view_caption(res)
)
mark_config = {
    header: st.column_config.TextColumn(
        width=160 if mark == "indication" else 100, help=MARK_MEANING[mark]
    )
    for mark, header in pred.MARK_HEADERS.items()
}
event = st.dataframe(
    pred.display_table(shown, mode),
    hide_index=True,
    width="stretch",
    height=TABLE_PX,
    on_select="rerun",
    selection_mode="single-row",
    selection_default={"selection": {"rows": [0]}},
    key=table_key(run_id, mode, query_id, pairs, view, tuple(branches), int(top)),
    column_config={
        "rank": st.column_config.NumberColumn(width=50),
        other: st.column_config.TextColumn(width=230),
        "class": st.column_config.TextColumn(
            width=130,
            help="empty: a disease. "
            + " ".join(f"{k}: {v}." for k, v in CLASS_MEANING.items() if k != "disease"),
        ),
        "FDA-approved": st.column_config.TextColumn(
            width=90, alignment="center", help="on DrugCentral's FDA-approved list"
        ),
        "score": st.column_config.NumberColumn(format="%.4f", width=70, help="model probability"),
        "percentile": st.column_config.ProgressColumn(
            format="%.2f", min_value=0.0, max_value=100.0, width=110
        ),
        **mark_config,
        "in training": st.column_config.TextColumn(
            width=80, alignment="center", help="a positive pair the model was fitted on"
        ),
        "MeSH id": st.column_config.TextColumn(width=95),
        "MeSH branch": st.column_config.TextColumn(width="large"),
    },
)
st.download_button(
    "Download these rows (CSV)",
    pred.csv_bytes(res, shown),
    file_name=pred.csv_name(mode, res.query_name, run_id),
    mime="text/csv",
    icon="⬇️",
    help="every row carries the query, the run, the data version and the view",
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
    ex = pred.explanation(
        run_id, drug_id, disease_id, terms="all" if mode == "drug" and view == "all" else "clinical"
    )
except DDIError as exc:
    st.warning(f"This pair cannot be explained: {plain(exc)}")
    st.stop()
st.divider()
render_explanation(ex)
