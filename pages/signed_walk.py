"""Signed walk: how a drug's effect spreads from its signed targets over a signaling network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ddi_core.data.entities import resolve_drug
from ddi_core.errors import DDIError
from ddi_core.walk import ALPHA, DECAY, MAX_STEPS
from ui import state, walk_cache
from ui.pickers import drug_picker
from ui.routing import ensure_router
from ui.walk_focus import gene_focus, parse_entrez

ensure_router()  # a deep link to a fresh server still gets the router

NETWORKS = {"hsn": "HSN v7 (the method's)", "signor": "SIGNOR + PhosphoSitePlus",
            "omnipath": "OmniPath signed"}
DEFAULT_DRUG = "D008687"  # metformin
CANVAS_PX = 560

st.title("Signed walk")
st.caption(
    "From each signed target the walker starts with the drug's sign (+1 activates, −1 inhibits), "
    "steps to a uniformly chosen out-neighbour, multiplying its sign by the edge's sign, restarts "
    "at its target with probability α and adds sign × decayᵗ to every gene it visits; a gene's "
    "value is the exact expectation, summed over the targets, accumulated up to step t."
)

with st.sidebar:
    st.header("Walk parameters")
    network = st.selectbox("Signaling network", list(NETWORKS), format_func=NETWORKS.__getitem__,
                           key=state.WALK_NETWORK)
    alpha = st.slider("Restart probability α", 0.0, 1.0, ALPHA, 0.05, key=state.WALK_ALPHA)
    decay = st.slider("Decay per step", 0.05, 1.0, DECAY, 0.01, key=state.WALK_DECAY)
    steps = st.slider("Walk length L", 1, 30, MAX_STEPS, key=state.WALK_STEPS)
    cap = st.slider("Most nodes drawn", 20, 500, 300, 10, key=state.WALK_CAP,
                    help="Top genes by |value|; the drug's targets are always drawn.")


def apply_link(options: pd.DataFrame) -> None:
    """A link's ``?drug=&gene=`` (from an evidence path), applied once on arrival: the
    drug preselected (typed in the text box when it has no signed target in this
    network, so the page says why), the gene focused."""
    drug = st.query_params.get(state.WALK_DRUG_PARAM)
    gene = st.query_params.get(state.WALK_GENE_PARAM)
    link = (drug, gene)
    if not drug or link == st.session_state.get(state.WALK_LINK):
        return
    st.session_state[state.WALK_LINK] = link
    st.session_state[state.WALK_FOCUS] = parse_entrez(gene)
    if drug in set(options["chemical_id"]):
        st.session_state[state.WALK_DRUG] = drug
        st.session_state[state.WALK_QUERY] = ""
    else:
        st.session_state[state.WALK_QUERY] = drug


def leave_link(drug_id: str) -> None:
    """The picker moved away from the linked drug: drop the link and its focus."""
    linked = st.query_params.get(state.WALK_DRUG_PARAM)
    if linked and linked != drug_id:
        for key in (state.WALK_DRUG_PARAM, state.WALK_GENE_PARAM):
            st.query_params.pop(key, None)
        st.session_state[state.WALK_LINK] = None
        st.session_state[state.WALK_FOCUS] = None


def _clear_focus() -> None:
    st.session_state[state.WALK_FOCUS] = None
    st.query_params.pop(state.WALK_GENE_PARAM, None)
    st.session_state[state.WALK_LINK] = (st.query_params.get(state.WALK_DRUG_PARAM), None)


def focus_panel(info: dict, name: str, steps: int) -> None:
    """What the walk did at the focused gene."""
    with st.container(border=True):
        head, button = st.columns([5, 1])
        head.markdown(f"**Focused gene: {info['symbol']}** (Entrez {info['entrez']}), from an "
                      f"evidence path of {name}")
        button.button("Clear the focus", on_click=_clear_focus, key=f"{state.WALK_FOCUS}.clear")
        if not info["in_network"]:
            st.info(f"{info['symbol']} is not a node of the {NETWORKS[network]} network, so the "
                    "walk cannot reach it; another network may contain it.")
            return
        if not info["reached"]:
            st.info(f"The walk from {name}'s targets does not reach {info['symbol']} within "
                    f"L = {steps} steps (its value is 0), so it is not drawn.")
            return
        c = st.columns(4)
        c[0].metric("walk value", f"{info['value']:+.4g}", help=f"at t = {steps}")
        c[1].metric("rank by |value|", f"{info['rank']:,} / {info['n_reached']:,}",
                    help="among the genes the walk reaches")
        c[2].metric("drawn", "yes" if info["drawn"] else "no")
        c[3].metric("drug target", {1: "activated", -1: "inhibited"}.get(info["target"], "no"))
        st.caption(f"{info['symbol']} is drawn in the network below (labelled and selected)"
                   if info["drawn"] else f"{info['symbol']} is not drawn.")


try:
    options = walk_cache.drug_options(network)
except DDIError as exc:
    st.error(f"The data bundle is not ready: {exc}")
    st.info("Run `./run.sh` (or `ddi data fetch`) to fetch and verify the bundle.")
    st.stop()

apply_link(options)
drug_id = drug_picker(
    options, select_key=state.WALK_DRUG, query_key=state.WALK_QUERY, resolve=resolve_drug,
    name_of=walk_cache.drug_name, default_id=DEFAULT_DRUG,
    select_label=f"Drug ({len(options):,} with a signed target in the network)",
)
if drug_id is None:
    st.stop()
leave_link(drug_id)
focus = st.session_state.get(state.WALK_FOCUS)

name = walk_cache.drug_name(drug_id)
targets = walk_cache.targets(network, drug_id)
target_view = pd.DataFrame({
    "gene": targets["gene"], "symbol": targets["symbol"], "sign": targets["effect"],
    "source": targets["source"], "in network": targets["in_network"],
})
n_in = int(targets["in_network"].sum())

st.subheader(f"{name} ({drug_id})")
if n_in == 0:
    if targets.empty:
        st.warning(f"{name} has no signed target in the data, so there is nothing to walk from.")
    else:
        st.warning(f"None of {name}'s {len(targets)} signed targets is a node of the "
                   f"{NETWORKS[network]} network, so there is nothing to walk from. "
                   "Another network may contain them.")
        st.dataframe(target_view, hide_index=True, width="stretch")
    st.stop()

sub, _ = walk_cache.view(network, drug_id, alpha=alpha, decay=decay, steps=steps, cap=cap,
                         focus=focus)
if focus is not None:
    walked = walk_cache.walk(network, drug_id, alpha=alpha, decay=decay, steps=steps)
    focus_panel(gene_focus(walk_cache.graph(network), walked, sub, focus,
                           symbol=walk_cache.gene_symbol(focus)), name, steps)

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("signed targets", len(targets))
c2.metric("targets in the network", n_in)
c3.metric("genes reached", f"{sub.n_reached:,}")
c4.metric("nodes drawn", sub.n_nodes)
c5.metric("edges drawn", f"{sub.edges.shape[0]:,}")

if st.session_state.get(state.WALK_STEP, steps) > steps:  # L was lowered
    st.session_state[state.WALK_STEP] = steps
st.session_state.setdefault(state.WALK_STEP, steps)
step = st.slider("Step t shown first (the player below animates t = 0 … L)", 0, steps,
                 key=state.WALK_STEP)
st.iframe(walk_cache.html(network, drug_id, alpha=alpha, decay=decay, steps=steps, cap=cap,
                          step=step, height_px=CANVAS_PX, focus=focus), height=CANVAS_PX + 80)

left, right = st.columns([3, 2])
with left:
    st.markdown(f"**Top genes** by |value| at t = {steps} (drawn above)")
    top = pd.DataFrame({
        "symbol": sub.symbols,
        "gene": sub.node_ids,
        "target": ["activated" if s > 0 else "inhibited" if s < 0 else "" for s in sub.target_sign],
        "value": sub.values,
        f"value at t = {step}": sub.trace[step],
    })
    st.dataframe(top, hide_index=True, width="stretch", height=420,
                 column_config={"value": st.column_config.NumberColumn(format="%+.4g"),
                                f"value at t = {step}": st.column_config.NumberColumn(
                                    format="%+.4g")})
with right:
    st.markdown(f"**Signed targets** of {name} ({n_in} of {len(targets)} in the network)")
    st.dataframe(target_view, hide_index=True, width="stretch", height=420)
