"""Signed walk: how a drug's effect spreads from its signed targets over a signaling network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ddi_core.errors import DDIError
from ddi_core.facts.names import resolve_drug
from ddi_core.walk.algorithm import ALPHA, DECAY, MAX_STEPS
from ui import state, walk_cache
from ui.pickers import drug_picker
from ui.routing import ensure_router
from ui.text import plain
from ui.walk_focus import gene_focus, parse_entrez

ensure_router()  # a deep link to a fresh server still gets the router

NETWORKS = {
    "hsn": "HSN v7 (the method's)",
    "signor": "SIGNOR + PhosphoSitePlus",
    "omnipath": "OmniPath signed",
}
DEFAULT_DRUG = "D008687"  # metformin
CANVAS_PX = 560
#: The other variant, in the comparison lines.
OTHER_EDGES = {"signed": "signed edges only", "all": "every HSN edge"}
OTHER_SEEDS = {"known": "known targets only", "known+predicted": "known + predicted targets"}

st.title("Signed walk")
st.caption(
    "From each signed target the walker starts with the drug's sign (+1 activates, −1 inhibits), "
    "steps to a uniformly chosen out-neighbour, multiplying its sign by the edge's sign, restarts "
    "at its target with probability α and adds sign × decayᵗ to every gene it visits; a gene's "
    "value is the exact expectation, summed over the targets, accumulated up to step t."
)

with st.sidebar:
    st.header("Walk parameters")
    network = st.selectbox(
        "Signaling network",
        list(NETWORKS),
        format_func=NETWORKS.__getitem__,
        key=state.WALK_NETWORK,
    )
    alpha = st.slider("Restart probability α", 0.0, 1.0, ALPHA, 0.05, key=state.WALK_ALPHA)
    decay = st.slider("Decay per step", 0.05, 1.0, DECAY, 0.01, key=state.WALK_DECAY)
    steps = st.slider("Walk length L", 1, 30, MAX_STEPS, key=state.WALK_STEPS)
    cap = st.slider(
        "Most nodes drawn",
        20,
        500,
        walk_cache.DEFAULT_CAP,
        10,
        key=state.WALK_CAP,
        help="Top genes by |value|; the drug's targets are always drawn. More "
        "nodes take longer to draw (about 1 s for 300 on a laptop core).",
    )
    st.header("Walk variant")
    if walk_cache.phy_allowed(network):
        edges = st.radio(
            "Edges",
            list(walk_cache.EDGES),
            format_func=walk_cache.EDGES.__getitem__,
            key=walk_cache.WALK_EDGES,
            help="HSN v7 has unsigned physical ('Phy') edges besides the signed "
            "ones; the paper walks them too, every edge that is not 'Pos' "
            "flipping the walker's sign.",
        )
    else:
        edges = "signed"
        st.caption(f"Edges: signed only ({NETWORKS[network]} has no unsigned edges).")
    seeds = st.radio(
        "Seeds",
        list(walk_cache.SEEDS),
        format_func=walk_cache.SEEDS.__getitem__,
        key=walk_cache.WALK_SEEDS,
        help="Known: the drug's signed targets (DrugCentral, CTD). Predicted: the "
        "drug-target classifier's calls (the paper preset's), read from the cached walk "
        "profiles (never computed here); known targets win on conflict.",
    )
include_phy = edges == "all"


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


def focus_panel(focus: dict, name: str, steps: int) -> None:
    """What the walk did at the focused gene."""
    with st.container(border=True):
        head, button = st.columns([5, 1])
        head.markdown(
            f"**Focused gene: {focus['symbol']}** (Entrez {focus['entrez']}), from an "
            f"evidence path of {name}"
        )
        button.button("Clear the focus", on_click=_clear_focus, key=f"{state.WALK_FOCUS}.clear")
        if not focus["in_network"]:
            st.info(
                f"{focus['symbol']} is not a node of the {NETWORKS[network]} network, so the "
                "walk cannot reach it; another network may contain it."
            )
            return
        if not focus["reached"]:
            st.info(
                f"The walk from {name}'s targets does not reach {focus['symbol']} within "
                f"L = {steps} steps (its value is 0), so it is not drawn."
            )
            return
        c = st.columns(4)
        c[0].metric("walk value", f"{focus['value']:+.4g}", help=f"at t = {steps}")
        c[1].metric(
            "rank by |value|",
            f"{focus['rank']:,} / {focus['n_reached']:,}",
            help="among the genes the walk reaches",
        )
        c[2].metric("drawn", "yes" if focus["drawn"] else "no")
        c[3].metric("drug target", {1: "activated", -1: "inhibited"}.get(focus["target"], "no"))
        st.caption(
            f"{focus['symbol']} is drawn in the network below (labelled and selected)"
            if focus["drawn"]
            else f"{focus['symbol']} is not drawn."
        )


def predicted_missing() -> None:
    """Predicted seeds were asked for but never computed: say how, walk the known ones."""
    where = f"network {network}, {OTHER_EDGES[edges]}"
    other = ("all" if edges == "signed" else "signed") if walk_cache.phy_allowed(network) else None
    hint = ""
    if other and walk_cache.seed_key(network, other == "all", seeds) is not None:
        hint = f" They are cached with *{OTHER_EDGES[other]}*: switch the edges to see them."
    st.info(
        f"Predicted targets are not computed yet for this walk ({where}), so it uses the "
        "known targets. The page only reads them from cached walk profiles: training the "
        "`paper` preset (`ddi train --preset paper`) computes the drug-target classifier "
        "(`ddi targets profiles` runs that step alone), its calls and the profiles of HSN "
        "v7 with every edge." + hint
    )


def comparison_line(what: str, c: walk_cache.WalkComparison) -> str:
    """One line: genes reached and the top 5 under another variant against this one."""
    cos = "n/a (a walk reaches nothing)" if c.cosine is None else f"{c.cosine:.3f}"
    there = ", ".join(c.top_other) or "none"
    return (
        f"**{what}:** {c.n_reached_other:,} genes reached (this walk: {c.n_reached:,}) "
        f"from {c.n_seeds_other} seeds in the network; top 5 there: {there} (here: "
        f"{', '.join(c.top) or 'none'}); cosine between the two profiles {cos}."
    )


try:
    seed_key = walk_cache.seed_key(network, include_phy, seeds)
    if seed_key is None:
        predicted_missing()
        seed_key = walk_cache.KNOWN
    options = walk_cache.drug_options(network, include_phy, seed_key)
except DDIError as exc:
    st.error(f"The data bundle is not ready: {plain(exc)}")
    st.info("Run `./run.sh` (or `ddi data fetch`) to fetch and verify the bundle.")
    st.stop()
variant = {"include_phy": include_phy, "seeds": seed_key}
predicted = seed_key != walk_cache.KNOWN

apply_link(options)
drug_id = drug_picker(
    options,
    select_key=state.WALK_DRUG,
    query_key=state.WALK_QUERY,
    resolve=resolve_drug,
    name_of=walk_cache.drug_name,
    default_id=DEFAULT_DRUG,
    select_label=(
        f"Drug ({len(options):,} with a known or predicted target in the network)"
        if predicted
        else f"Drug ({len(options):,} with a signed target in the network)"
    ),
)
if drug_id is None:
    st.stop()
leave_link(drug_id)
focus = st.session_state.get(state.WALK_FOCUS)

name = walk_cache.drug_name(drug_id)
targets = walk_cache.targets(network, drug_id, **variant)
target_view = pd.DataFrame(
    {
        "gene": targets["gene"],
        "symbol": targets["symbol"],
        "sign": targets["effect"],
        "seed": [
            f"predicted (p = {p:.3f})" if s == "predicted" else s
            for s, p in zip(targets["seed_source"], targets["probability"], strict=True)
        ],
        "source": targets["source"],
        "in network": targets["in_network"],
    }
)
noun = "known or predicted targets" if predicted else "signed targets"
n_in = int(targets["in_network"].sum())

st.subheader(f"{name} ({drug_id})")
if n_in == 0:
    if targets.empty:
        st.warning(
            f"{name} has no {'known or predicted' if predicted else 'signed'} target in "
            "the data, so there is nothing to walk from."
        )
    else:
        st.warning(
            f"None of {name}'s {len(targets)} {noun} is a node of the "
            f"{NETWORKS[network]} network, so there is nothing to walk from. "
            "Another network may contain them."
        )
        st.dataframe(target_view, hide_index=True, width="stretch")
    st.stop()

sub, _ = walk_cache.view(
    network, drug_id, alpha=alpha, decay=decay, steps=steps, cap=cap, focus=focus, **variant
)
if focus is not None:
    walked = walk_cache.walk(network, drug_id, alpha=alpha, decay=decay, steps=steps, **variant)
    focus_panel(
        gene_focus(
            walk_cache.graph(network, include_phy),
            walked,
            sub,
            focus,
            symbol=walk_cache.gene_symbol(focus),
        ),
        name,
        steps,
    )

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(noun, len(targets))
c2.metric("targets in the network", n_in)
c3.metric("genes reached", f"{sub.n_reached:,}")
c4.metric("nodes drawn", sub.n_nodes)
c5.metric("edges drawn", f"{sub.edges.shape[0]:,}")

walk_kw = {"alpha": alpha, "decay": decay, "steps": steps, **variant}
if walk_cache.phy_allowed(network):
    other = "signed" if include_phy else "all"
    st.markdown(
        comparison_line(
            f"With {OTHER_EDGES[other]} (the same seeds)",
            walk_cache.compare_edges(network, drug_id, **walk_kw),
        )
    )
other_seeds = (
    walk_cache.KNOWN
    if predicted
    else walk_cache.seed_key(network, include_phy, walk_cache.PREDICTED)
)
if other_seeds is not None:
    st.markdown(
        comparison_line(
            f"With {OTHER_SEEDS[walk_cache.KNOWN if predicted else walk_cache.PREDICTED]} "
            "(the same edges)",
            walk_cache.compare_seeds(network, drug_id, other_seeds=other_seeds, **walk_kw),
        )
    )

if st.session_state.get(state.WALK_STEP, steps) > steps:  # L was lowered
    st.session_state[state.WALK_STEP] = steps
st.session_state.setdefault(state.WALK_STEP, steps)
step = st.slider(
    "Step t shown first (the player below animates t = 0 … L)", 0, steps, key=state.WALK_STEP
)
st.iframe(
    walk_cache.html(
        network,
        drug_id,
        alpha=alpha,
        decay=decay,
        steps=steps,
        cap=cap,
        step=step,
        height_px=CANVAS_PX,
        focus=focus,
        **variant,
    ),
    height=CANVAS_PX + 80,
)

left, right = st.columns([3, 2])
with left:
    st.markdown(f"**Top genes** by |value| at t = {steps} (drawn above)")
    top = pd.DataFrame(
        {
            "symbol": sub.symbols,
            "gene": sub.node_ids,
            "target": [
                "activated" if s > 0 else "inhibited" if s < 0 else "" for s in sub.target_sign
            ],
            "value": sub.values,
            f"value at t = {step}": sub.trace[step],
        }
    )
    st.dataframe(
        top,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "value": st.column_config.NumberColumn(format="%+.4g"),
            f"value at t = {step}": st.column_config.NumberColumn(format="%+.4g"),
        },
    )
with right:
    st.markdown(f"**{noun.capitalize()}** of {name} ({n_in} of {len(targets)} in the network)")
    st.dataframe(target_view, hide_index=True, width="stretch", height=420)
