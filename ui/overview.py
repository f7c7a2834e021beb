"""Pure views of the *Overview* page: the coverage funnel and the runs summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from ddi_core.runs import Run

#: The funnel's stages: label and key in the coverage report (or profile counts).
FUNNEL = (
    ("CTD chemicals", "ctd_chemicals"),
    ("with a SMILES", "chemicals_with_smiles"),
    ("with signed targets", "chemicals_with_signed_targets"),
    ("with a walk profile", "drugs_with_seed_in_network"),
)


def funnel_counts(report: Mapping[str, object], profiles: Mapping[str, object]) -> list[int]:
    """The funnel's numbers, in :data:`FUNNEL` order (0 when a count is missing)."""
    merged = {**report, **profiles}
    return [int(merged.get(key) or 0) for _, key in FUNNEL]  # type: ignore[call-overload]


def funnel_figure(counts: Sequence[int], *, height: int = 300) -> go.Figure:
    """A funnel of the drug coverage with the share of CTD chemicals at each stage."""
    fig = go.Figure(go.Funnel(
        y=[label for label, _ in FUNNEL], x=list(counts),
        textinfo="value+percent initial", texttemplate="%{value:,} (%{percentInitial:.1%})",
        textfont={"size": 14},
        marker={"color": ["#9ecae1", "#6baed6", "#3182bd", "#08519c"]},
        connector={"line": {"color": "#c8c8d0", "width": 1}},
        hovertemplate="%{y}: %{x:,}<br>%{percentInitial:.1%} of the CTD chemicals<extra></extra>",
    ))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 36, "b": 10},
                      title={"text": "Drug coverage", "font": {"size": 15}},
                      yaxis={"tickfont": {"size": 14}})
    return fig


def runs_summary(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per run: id, status (with an icon), preset, split, test AUROC."""
    rows = []
    for r in runs:
        info = r.info
        head = info.get("headline") or {}
        train = (info.get("config") or {}).get("train") or {}
        rows.append({
            "run": r.id,
            "status": r.status,
            "preset": info.get("preset") or "",
            "split": info.get("split") or train.get("split") or "",
            "AUROC": head.get("auroc"),
        })
    frame = pd.DataFrame(rows, columns=["run", "status", "preset", "split", "AUROC"])
    frame["AUROC"] = pd.to_numeric(frame["AUROC"], errors="coerce")
    return frame


__all__ = ["FUNNEL", "funnel_counts", "funnel_figure", "runs_summary"]
