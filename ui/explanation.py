"""The explanation panel of the *Predictions* page (one drug–disease pair).

:func:`driver_figure`, :func:`contribution_figure`, :func:`path_rows` and the
``*_frame`` helpers are pure (data in, figure or table out);
:func:`render_explanation` lays them out from an
:func:`ddi_core.rank.explain.explain_pair` result: the MLP's panel (driver genes of
the walk profile) or, for an evidence run, the evidence panel (TreeSHAP contributions in plain words and the evidence paths,
each gene linking to the *Signed walk* page).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.text import plain

CHECK = "✓"
#: Bar colours: pushes towards an association / against it.
UP, DOWN = "#b2182b", "#2166ac"
PLOT_CONFIG = {"displayModeBar": False}
CTD_GENE_COLUMN = st.column_config.TextColumn(
    alignment="center", help="a CTD gene of the disease (curated gene–disease association)"
)
#: The page an evidence path's gene opens (with ``?drug=<chemical id>&gene=<Entrez>``).
SIGNED_WALK_PAGE = "pages/signed_walk.py"
#: Characters per line of a contribution's label in the bar chart.
LABEL_WIDTH = 58


def driver_figure(driver_genes: Sequence[dict[str, Any]], *, height: int = 340) -> go.Figure:
    """Horizontal bars of the driver genes' attributions, largest |attribution| on top.

    A gene that is a CTD gene of the disease is starred and drawn with a dark
    outline.
    """
    genes = list(driver_genes)[::-1]  # plotly draws the first bar at the bottom
    labels = [
        f"★ {g['symbol'] or g['entrez']}"
        if g.get("disease_gene")
        else str(g["symbol"] or g["entrez"])
        for g in genes
    ]
    values = [float(g["attribution"]) for g in genes]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={
                "color": [UP if v > 0 else DOWN for v in values],
                "line": {
                    "color": [
                        "#111111" if g.get("disease_gene") else "rgba(0,0,0,0)" for g in genes
                    ],
                    "width": 2,
                },
            },
            customdata=[
                [g["entrez"], g.get("profile_value", 0.0), "yes" if g.get("disease_gene") else "no"]
                for g in genes
            ],
            hovertemplate=(
                "%{y} (Entrez %{customdata[0]})<br>attribution %{x:+.4f}<br>"
                "walk profile value %{customdata[1]:+.4g}<br>"
                "CTD gene of the disease: %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.add_vline(x=0, line_width=1, line_color="#888888")
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={"text": "Driver genes (gradient × input of the logit)", "font": {"size": 15}},
        xaxis_title="← against an association · towards an association →",
        yaxis={"automargin": True},
        showlegend=False,
    )
    return fig


def driver_frame(driver_genes: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gene": [g["symbol"] for g in driver_genes],
            "Entrez": [int(g["entrez"]) for g in driver_genes],
            "attribution": [float(g["attribution"]) for g in driver_genes],
            "profile value": [float(g["profile_value"]) for g in driver_genes],
            "CTD gene": [CHECK if g["disease_gene"] else "" for g in driver_genes],
        }
    )


def profile_frame(profile_genes: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gene": [g["symbol"] for g in profile_genes],
            "value": [float(g["value"]) for g in profile_genes],
            "share": [float(g["share"]) for g in profile_genes],
            "CTD gene": [CHECK if g["disease_gene"] else "" for g in profile_genes],
        }
    )


def targets_frame(targets: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gene": [t["symbol"] for t in targets],
            "effect": [t["effect"] for t in targets],
            "source": [t["source"] for t in targets],
            "seed": [
                (
                    f"predicted (p = {t['probability']:.3f})"
                    if t.get("probability") is not None
                    else str(t.get("seed_source", "known"))
                )
                for t in targets
            ],
            "in network": [CHECK if t["in_network"] else "" for t in targets],
        }
    )


def neighbours_frame(neighbours: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "drug": [n["drug_name"] or n["drug_id"] for n in neighbours],
            "MeSH id": [n["drug_id"] for n in neighbours],
            "cosine": [float(n["cosine"]) for n in neighbours],
            "trained on": [CHECK if n["in_training"] else "" for n in neighbours],
        }
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# ------------------------------------------------------------ evidence model
def contributions_frame(contributions: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The evidence model's top contributions as a table, in the given order.

    Columns ``text`` (the plain-words sentence), ``value`` (the feature's
    value, NaN when it has none), ``contribution`` (log-odds), ``family`` and
    ``uses CTD gene–disease`` (✓ when the feature is built on CTD's curated
    gene–disease associations).
    """
    return pd.DataFrame(
        {
            "text": [str(c.get("text") or c.get("feature") or "") for c in contributions],
            "value": pd.to_numeric(
                pd.Series([c.get("value") for c in contributions], dtype=object), errors="coerce"
            ).astype(float),
            "contribution": [float(c["contribution"]) for c in contributions],
            "family": [str(c.get("family") or "") for c in contributions],
            "uses CTD gene–disease": [
                CHECK if c.get("gene_disease") else "" for c in contributions
            ],
        },
        columns=["text", "value", "contribution", "family", "uses CTD gene–disease"],
    )


def _wrap(text: str, width: int = LABEL_WIDTH) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def contribution_figure(
    contributions: Sequence[dict[str, Any]], *, height: int | None = None
) -> go.Figure:
    """Horizontal bars of the contributions (log-odds), largest |contribution| on top,
    each labelled by its plain-words ``text``: red pushes towards an association,
    blue against it (the colours of :func:`driver_figure`)."""
    rows = sorted(contributions, key=lambda c: -abs(float(c["contribution"])))[::-1]
    labels = [_wrap(str(c.get("text") or c.get("feature") or "")) for c in rows]
    values = [float(c["contribution"]) for c in rows]
    lines = sum(label.count("<br>") + 1 for label in labels)
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={
                "color": [UP if v > 0 else DOWN for v in values],
                "line": {
                    "color": [
                        "#111111" if c.get("gene_disease") else "rgba(0,0,0,0)" for c in rows
                    ],
                    "width": 2,
                },
            },
            customdata=[
                [
                    c.get("feature", ""),
                    c.get("family", ""),
                    "yes" if c.get("gene_disease") else "no",
                ]
                for c in rows
            ],
            hovertemplate=(
                "%{customdata[0]} (%{customdata[1]})<br>contribution %{x:+.3f} "
                "log-odds<br>uses CTD gene–disease: %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.add_vline(x=0, line_width=1, line_color="#888888")
    fig.update_layout(
        height=height or max(260, 70 + 17 * lines + 10 * len(rows)),
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={
            "text": "What the evidence model weighed (TreeSHAP, log-odds)",
            "font": {"size": 15},
        },
        xaxis_title="← against an association · towards an association →",
        yaxis={"automargin": True, "tickfont": {"size": 12}},
        showlegend=False,
    )
    return fig


def _node_label(node: dict[str, Any]) -> str:
    return str(node.get("name") or node.get("id") or "?")


def path_rows(paths: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The evidence paths as display rows.

    Each row: ``path`` ("Metformin → NDUFS8 → GPD2 → Diabetes…"), ``steps``
    (the same chain with each edge's source: "Metformin —inhibits
    (drugcentral)→ NDUFS8 —…"), ``kind``, ``strength``, ``drug`` (the
    chemical id of the path's drug node, or ``None``) and ``genes``: one
    ``{"symbol", "entrez"}`` per gene node with an Entrez id, in path order.
    """
    out = []
    for p in paths:
        nodes = list(p.get("nodes") or [])
        edges = list(p.get("edges") or [])
        labels = [_node_label(n) for n in nodes]
        steps = labels[0] if labels else ""
        for i, label in enumerate(labels[1:]):
            source = edges[i] if i < len(edges) else ""
            steps += f" —{source}→ {label}" if source else f" → {label}"
        drug = next((str(n["id"]) for n in nodes if n.get("kind") == "drug" and n.get("id")), None)
        genes = []
        for n in nodes:
            if n.get("kind") != "gene":
                continue
            entrez = n.get("entrez", n.get("id"))
            try:
                entrez = int(entrez)
            except (TypeError, ValueError):
                continue
            genes.append({"symbol": _node_label(n), "entrez": entrez})
        strength = p.get("strength")
        out.append(
            {
                "path": " → ".join(labels),
                "steps": steps,
                "kind": str(p.get("kind") or ""),
                "strength": float(strength) if isinstance(strength, int | float) else None,
                "drug": drug,
                "genes": genes,
            }
        )
    return out


def facts_text(ex: dict[str, Any]) -> list[str]:
    """The pair's facts in words: the disease's class and where the pair is known from
    (each mark with its sources and what it means), or that it is not a known pair."""
    view = ex.get("view") or {}
    cls = str(view.get("class") or (ex.get("disease") or {}).get("class") or "disease")
    lines = []
    if cls != "disease":
        lines.append(f"This term is a {cls}: {view.get('class_meaning', '')}.")
    if view.get("hidden_by_view"):
        lines.append(
            "The clinical view hides this class, so its rank is among every term "
            "(choose “all terms” to see it in the list)."
        )
    marks = ex.get("marks") or {}
    known = [m for m in marks.values() if m.get("sources")]
    for m in known:
        lines.append(f"{m['label'].capitalize()} ({', '.join(m['sources'])}): {m['meaning']}.")
    if not known:
        lines.append(
            "Not a known pair: no approved or labelled indication, no literature record and "
            "no curated non-indication. A high rank here is a prediction."
        )
    return lines


def _headline(ex: dict[str, Any]) -> None:
    c = st.columns(5)
    c[0].metric("score", f"{ex['score']:.4f}", help=f"model probability (logit {ex['logit']:+.3f})")
    view = ex.get("view") or {}
    among = (
        "among every candidate disease of the drug"
        if view.get("terms", "all") == "all" or ex.get("ranked_among_all")
        else "among the drug's candidate diseases in the clinical view"
    )
    c[1].metric("rank for the drug", f"{ex['rank']:,} / {ex['n_diseases']:,}", help=among)
    c[2].metric("percentile", f"{ex['percentile']:.1f}", help=among)
    marks = ex.get("marks") or {}
    short = {"indication": "indication", "literature": "literature", "non_indication": "not ind."}
    known = [short.get(k, k) for k, m in marks.items() if m.get("sources")]
    c[3].metric(
        "known as",
        " + ".join(known) if known else "not known",
        help="where the pair is known from: an approved or labelled indication, the "
        "literature (CTD), a curated non-indication (details below)",
    )
    c[4].metric(
        "in training", _yes(ex["in_training"]), help="a positive pair the model was fitted on"
    )
    for line in facts_text(ex):
        st.caption(plain(line))


def _family_caption(ex: dict[str, Any]) -> str:
    fams = sorted((ex.get("family_contributions") or {}).items(), key=lambda kv: -abs(kv[1]))
    sums = ", ".join(f"{name} {value:+.3f}" for name, value in fams) or "none"
    n_all = len(ex.get("all_contributions") or ex.get("contributions") or [])
    return (
        f"Log-odds by feature family (all {n_all} features): {sums}; with the bias "
        f"{float(ex.get('bias') or 0.0):+.3f} they sum to the logit {ex['logit']:+.3f}. "
        f"Contributions: {(ex.get('method') or {}).get('contributions', 'TreeSHAP')}."
    )


def render_evidence_explanation(ex: dict[str, Any]) -> None:
    """The evidence model's panel: headline, contributions (chart, table, family sums)
    and the evidence paths with links to the *Signed walk* page."""
    drug, disease = ex["drug"], ex["disease"]
    st.subheader(f"Why {drug['name']} → {disease['name']}?")
    _headline(ex)
    dg = ex.get("disease_genes") or {}
    st.caption(
        f"{disease['name']} ({disease['id']}, "
        f"{disease.get('mesh_branch') or 'no MeSH branch'}) has "
        f"{dg.get('ctd_genes', 0):,} CTD genes. Scored by the evidence model (LightGBM "
        "over network and collaborative evidence features)."
    )
    contributions = list(ex.get("contributions") or [])
    if contributions:
        st.plotly_chart(contribution_figure(contributions), config=PLOT_CONFIG)
        st.dataframe(
            contributions_frame(contributions),
            hide_index=True,
            width="stretch",
            column_config={
                "text": st.column_config.TextColumn(width="large"),
                "value": st.column_config.NumberColumn(format="%.4g"),
                "contribution": st.column_config.NumberColumn(
                    format="%+.3f", help="log-odds added to the logit"
                ),
                "uses CTD gene–disease": st.column_config.TextColumn(
                    alignment="center",
                    help="the feature is built on CTD's curated gene–disease associations",
                ),
            },
        )
    else:
        st.info("The model reported no feature contribution for this pair.")
    st.caption(_family_caption(ex))

    st.markdown(f"**Evidence paths** from {drug['name']} to {disease['name']}")
    rows = path_rows(ex.get("paths") or [])
    if not rows:
        st.info(
            "No concrete path (target, chemical–gene, STRING or similar-drug chain) links "
            "this drug to the disease; the score rests on the features above."
        )
    for i, row in enumerate(rows, 1):
        strength = "" if row["strength"] is None else f", strength {row['strength']:.2g}"
        with st.container(border=True):
            st.markdown(f"**{i}. {row['path']}**  \n{row['kind']}{strength}: {row['steps']}")
            if row["genes"]:
                cols = st.columns(min(len(row["genes"]), 6))
                for k, gene in enumerate(row["genes"]):
                    cols[k % len(cols)].page_link(
                        SIGNED_WALK_PAGE,
                        label=f"{gene['symbol']} in the signed walk",
                        icon="🧭",
                        query_params={"drug": str(drug["id"]), "gene": str(gene["entrez"])},
                        help=f"Open the signed walk of {drug['name']} with "
                        f"{gene['symbol']} (Entrez {gene['entrez']}) focused",
                    )
    if rows:
        st.caption(f"Paths: {(ex.get('method') or {}).get('paths', '')}.")


def render_explanation(ex: dict[str, Any]) -> None:
    """The panel of an :func:`~ddi_core.rank.explain.explain_pair` result, by the run's
    model kind (:data:`RENDERERS`; a kind without a panel of its own: the numbers every
    explanation has, and its own part as JSON)."""
    RENDERERS.get(str(ex.get("model")), render_other_explanation)(ex)


def render_other_explanation(ex: dict[str, Any]) -> None:
    """A kind without a panel of its own: the shared numbers, its part as JSON."""
    drug, disease = ex["drug"], ex["disease"]
    st.subheader(f"Why {drug['name']} → {disease['name']}?")
    _headline(ex)
    shared = {"run", "model", "drug", "disease", "score", "logit", "rank", "percentile"}
    st.json({k: v for k, v in ex.items() if k not in shared}, expanded=1)


def render_mlp_explanation(ex: dict[str, Any]) -> None:
    """The MLP's panel: headline numbers, driver genes, targets, profile genes,
    neighbours."""
    drug, disease = ex["drug"], ex["disease"]
    st.subheader(f"Why {drug['name']} → {disease['name']}?")
    _headline(ex)
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
        st.dataframe(
            driver_frame(ex["driver_genes"]),
            hide_index=True,
            width="stretch",
            height=300,
            column_config={
                "attribution": st.column_config.NumberColumn(format="%+.4f"),
                "profile value": st.column_config.NumberColumn(format="%+.3g"),
                "CTD gene": CTD_GENE_COLUMN,
            },
        )
    st.caption(
        f"Driver genes: {ex['method']['driver_genes']}. The disease embedding adds "
        f"{ex['attribution']['disease_total']:+.4f} and the drug profile "
        f"{ex['attribution']['drug_total']:+.4f} to the logit."
    )

    t, p, n = st.columns(3)
    with t:
        st.markdown(f"**Signed targets** of {drug['name']} (the walk's seeds)")
        st.dataframe(targets_frame(ex["targets"]), hide_index=True, width="stretch", height=280)
    with p:
        st.markdown("**Top walk-profile genes** (largest |value|)")
        st.dataframe(
            profile_frame(ex["profile_genes"]),
            hide_index=True,
            width="stretch",
            height=280,
            column_config={
                "value": st.column_config.NumberColumn(format="%+.3g"),
                "share": st.column_config.NumberColumn(format="percent"),
                "CTD gene": CTD_GENE_COLUMN,
            },
        )
    with n:
        st.markdown(f"**Nearest training drugs** known for {disease['name']}")
        if ex["neighbours"]:
            st.dataframe(
                neighbours_frame(ex["neighbours"]),
                hide_index=True,
                width="stretch",
                height=280,
                column_config={"cosine": st.column_config.NumberColumn(format="%.3f")},
            )
        else:
            st.info("No drug of the training split is a known positive of this disease.")
        st.caption(f"Neighbours: {ex['method']['neighbours']}.")


__all__ = [
    "contribution_figure",
    "contributions_frame",
    "driver_figure",
    "driver_frame",
    "neighbours_frame",
    "path_rows",
    "profile_frame",
    "render_evidence_explanation",
    "render_explanation",
    "targets_frame",
]


#: the explanation panel of each model kind
RENDERERS = {"mlp": render_mlp_explanation, "evidence": render_evidence_explanation}
