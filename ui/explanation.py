"""The explanation panel of the *Predictions* page (one drug–disease pair).

:func:`driver_figure` and the ``*_frame`` helpers are pure (data in, figure or
table out); :func:`render_explanation` lays them out from an
:func:`ddi_core.explain.explain_pair` result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

CHECK = "✓"
#: Bar colours: pushes towards an association / against it.
UP, DOWN = "#b2182b", "#2166ac"
PLOT_CONFIG = {"displayModeBar": False}
CTD_GENE_COLUMN = st.column_config.TextColumn(
    alignment="center", help="a CTD gene of the disease (curated gene–disease association)")


def driver_figure(driver_genes: Sequence[dict[str, Any]], *, height: int = 340) -> go.Figure:
    """Horizontal bars of the driver genes' attributions, largest |attribution| on top.

    A gene that is a CTD gene of the disease is starred and drawn with a dark
    outline.
    """
    genes = list(driver_genes)[::-1]  # plotly draws the first bar at the bottom
    labels = [f"★ {g['symbol'] or g['entrez']}" if g.get("disease_gene")
              else str(g["symbol"] or g["entrez"]) for g in genes]
    values = [float(g["attribution"]) for g in genes]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h",
        marker={"color": [UP if v > 0 else DOWN for v in values],
                "line": {"color": ["#111111" if g.get("disease_gene") else "rgba(0,0,0,0)"
                                   for g in genes], "width": 2}},
        customdata=[[g["entrez"], g.get("profile_value", 0.0),
                     "yes" if g.get("disease_gene") else "no"] for g in genes],
        hovertemplate=("%{y} (Entrez %{customdata[0]})<br>attribution %{x:+.4f}<br>"
                       "walk profile value %{customdata[1]:+.4g}<br>"
                       "CTD gene of the disease: %{customdata[2]}<extra></extra>"),
    ))
    fig.add_vline(x=0, line_width=1, line_color="#888888")
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={"text": "Driver genes (gradient × input of the logit)", "font": {"size": 15}},
        xaxis_title="← against an association · towards an association →",
        yaxis={"automargin": True}, showlegend=False,
    )
    return fig


def driver_frame(driver_genes: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame({
        "gene": [g["symbol"] for g in driver_genes],
        "Entrez": [int(g["entrez"]) for g in driver_genes],
        "attribution": [float(g["attribution"]) for g in driver_genes],
        "profile value": [float(g["profile_value"]) for g in driver_genes],
        "CTD gene": [CHECK if g["disease_gene"] else "" for g in driver_genes],
    })


def profile_frame(profile_genes: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame({
        "gene": [g["symbol"] for g in profile_genes],
        "value": [float(g["value"]) for g in profile_genes],
        "share": [float(g["share"]) for g in profile_genes],
        "CTD gene": [CHECK if g["disease_gene"] else "" for g in profile_genes],
    })


def targets_frame(targets: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame({
        "gene": [t["symbol"] for t in targets],
        "effect": [t["effect"] for t in targets],
        "source": [t["source"] for t in targets],
        "in network": [CHECK if t["in_network"] else "" for t in targets],
    })


def neighbours_frame(neighbours: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame({
        "drug": [n["drug_name"] or n["drug_id"] for n in neighbours],
        "MeSH id": [n["drug_id"] for n in neighbours],
        "cosine": [float(n["cosine"]) for n in neighbours],
        "trained on": [CHECK if n["in_training"] else "" for n in neighbours],
    })


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render_explanation(ex: dict[str, Any]) -> None:
    """The panel: headline numbers, driver genes, targets, profile genes, neighbours."""
    drug, disease = ex["drug"], ex["disease"]
    st.subheader(f"Why {drug['name']} → {disease['name']}?")
    c = st.columns(5)
    c[0].metric("score", f"{ex['score']:.4f}", help=f"model probability (logit {ex['logit']:+.3f})")
    c[1].metric("rank for the drug", f"{ex['rank']:,} / {ex['n_diseases']:,}",
                help="among every candidate disease of the drug")
    c[2].metric("percentile", f"{ex['percentile']:.1f}")
    c[3].metric("known in CTD", _yes(ex["known"]))
    c[4].metric("in training", _yes(ex["in_training"]),
                help="a positive pair the model was fitted on")
    dg = ex.get("disease_genes") or {}
    st.caption(
        f"{disease['name']} ({disease['id']}, {disease.get('mesh_branch') or 'no MeSH branch'}) "
        f"has {dg.get('ctd_genes', 0):,} CTD genes, {dg.get('in_network', 0):,} of them in the "
        f"signaling network; they carry {dg.get('profile_share', 0.0):.1%} of {drug['name']}'s "
        "walk profile."
    )

    left, right = st.columns([3, 2])
    with left:
        if ex["driver_genes"]:
            st.plotly_chart(driver_figure(ex["driver_genes"]), config=PLOT_CONFIG)
        else:
            st.info("No driver gene: the drug profile has no kept dimension.")
    with right:
        st.markdown("**Driver genes** (★ in the chart: a CTD gene of the disease)")
        st.dataframe(driver_frame(ex["driver_genes"]), hide_index=True, width="stretch",
                     height=300, column_config={
                         "attribution": st.column_config.NumberColumn(format="%+.4f"),
                         "profile value": st.column_config.NumberColumn(format="%+.3g"),
                         "CTD gene": CTD_GENE_COLUMN})
    st.caption(f"Driver genes: {ex['method']['driver_genes']}. The disease embedding adds "
               f"{ex['attribution']['disease_total']:+.4f} and the drug profile "
               f"{ex['attribution']['drug_total']:+.4f} to the logit.")

    t, p, n = st.columns(3)
    with t:
        st.markdown(f"**Signed targets** of {drug['name']} (the walk's seeds)")
        st.dataframe(targets_frame(ex["targets"]), hide_index=True, width="stretch", height=280)
    with p:
        st.markdown("**Top walk-profile genes** (largest |value|)")
        st.dataframe(profile_frame(ex["profile_genes"]), hide_index=True, width="stretch",
                     height=280, column_config={
                         "value": st.column_config.NumberColumn(format="%+.3g"),
                         "share": st.column_config.NumberColumn(format="percent"),
                         "CTD gene": CTD_GENE_COLUMN})
    with n:
        st.markdown(f"**Nearest training drugs** known for {disease['name']}")
        if ex["neighbours"]:
            st.dataframe(neighbours_frame(ex["neighbours"]), hide_index=True, width="stretch",
                         height=280, column_config={
                             "cosine": st.column_config.NumberColumn(format="%.3f")})
        else:
            st.info("No drug of the training split is a known positive of this disease.")
        st.caption(f"Neighbours: {ex['method']['neighbours']}.")


__all__ = ["driver_figure", "driver_frame", "neighbours_frame", "profile_frame",
           "render_explanation", "targets_frame"]
