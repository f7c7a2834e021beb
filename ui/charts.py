"""Plotly figures of the Train and Evaluate pages (pure: data in, figure out)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import plotly.graph_objects as go

#: Colours of the model and the baselines (the same on every chart).
COLOURS = {
    "model": "#d62728",
    "popularity": "#7f7f7f",
    "logistic": "#1f77b4",
    "knn": "#2ca02c",
    "ease": "#9467bd",
}
#: Colours of compared runs, in order.
RUN_COLOURS = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


@dataclass(frozen=True)
class Curve:
    """One line of a ROC or PR chart."""

    name: str
    x: Sequence[float]
    y: Sequence[float]
    colour: str | None = None
    dash: str | None = None


def _layout(fig: go.Figure, *, title: str, x: str, y: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        height=height,
        margin=_MARGIN,
        xaxis_title=x,
        yaxis_title=y,
        legend={"orientation": "h", "y": -0.22, "x": 0},
        showlegend=True,
        hovermode="closest",
    )
    return fig


def roc_curves(curves: dict | None) -> tuple[list[float], list[float]]:
    """``(fpr, tpr)`` of a stored ``curves.json`` entry (empty lists when absent)."""
    roc = (curves or {}).get("roc") or {}
    return list(roc.get("fpr") or []), list(roc.get("tpr") or [])


def pr_curves(curves: dict | None) -> tuple[list[float], list[float]]:
    """``(recall, precision)`` of a stored ``curves.json`` entry."""
    pr = (curves or {}).get("pr") or {}
    return list(pr.get("recall") or []), list(pr.get("precision") or [])


def roc_figure(
    lines: Sequence[Curve], *, title: str = "ROC (test split)", height: int = 400
) -> go.Figure:
    """ROC curves with the chance diagonal."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="chance",
            line={"color": "#bbbbbb", "dash": "dot", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for c in lines:
        fig.add_trace(
            go.Scatter(
                x=list(c.x),
                y=list(c.y),
                mode="lines",
                name=c.name,
                line={"color": c.colour, "dash": c.dash, "width": 2},
                hovertemplate="FPR %{x:.3f}<br>TPR %{y:.3f}",
            )
        )
    fig.update_xaxes(range=[0, 1], constrain="domain")
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title=title, x="false positive rate", y="true positive rate", height=height)


def pr_figure(
    lines: Sequence[Curve],
    *,
    prevalence: float | None = None,
    title: str = "Precision–recall (test split)",
    height: int = 400,
) -> go.Figure:
    """Precision–recall curves; ``prevalence`` draws the no-skill line."""
    fig = go.Figure()
    if prevalence is not None:
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[prevalence, prevalence],
                mode="lines",
                name="no skill",
                line={"color": "#bbbbbb", "dash": "dot", "width": 1},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for c in lines:
        fig.add_trace(
            go.Scatter(
                x=list(c.x),
                y=list(c.y),
                mode="lines",
                name=c.name,
                line={"color": c.colour, "dash": c.dash, "width": 2},
                hovertemplate="recall %{x:.3f}<br>precision %{y:.3f}",
            )
        )
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title=title, x="recall", y="precision", height=height)


def history_figure(
    history: Sequence[dict],
    kind: Literal["loss", "acc", "auc"],
    *,
    title: str | None = None,
    height: int = 300,
    max_epochs: int | None = None,
    x_key: str | None = None,
    x_title: str = "epoch",
) -> go.Figure:
    """Training and validation loss (or accuracy, or AUROC) per epoch.

    Epochs are numbered 1… by position (the stored histories number them from
    0 or 1 depending on where they were written), unless ``x_key`` names the
    row's own x value (an evidence run's boosting round, ``"epoch"``).
    ``max_epochs`` fixes the x axis to the whole planned run (live progress).
    A part (training / validation) with no value at all is not drawn.
    """
    fig = go.Figure()
    if x_key is None:
        epochs = list(range(1, len(history) + 1))
    else:
        epochs = [h.get(x_key) for h in history]
    names = {"train": "training", "val": "validation"}
    for part, colour in (("train", "#1f77b4"), ("val", "#ff7f0e")):
        key = f"{part}_{kind}"
        ys = [h.get(key) for h in history]
        if history and all(y is None for y in ys):
            continue
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=ys,
                mode="lines+markers",
                name=names[part],
                line={"color": colour, "width": 2},
                hovertemplate=f"{x_title} %{{x}}<br>{key} %{{y:.4f}}",
            )
        )
    label = {"loss": "loss (binary cross-entropy)", "acc": "accuracy", "auc": "AUROC"}[kind]
    span = max(max_epochs or 0, len(epochs))
    if x_key is None:
        fig.update_xaxes(
            dtick=1 if span <= 12 else None, range=[0.7, span + 0.3] if max_epochs else None
        )
    elif max_epochs:
        fig.update_xaxes(range=[0, max_epochs])
    default = {"loss": "Loss", "acc": "Accuracy", "auc": "AUROC"}[kind] + f" per {x_title}"
    return _layout(fig, title=title or default, x=x_title, y=label, height=height)


def confusion_figure(tn: int, fp: int, fn: int, tp: int, *, height: int = 320) -> go.Figure:
    """The 2 × 2 confusion matrix as an annotated heatmap (rows: truth)."""
    z = [[tn, fp], [fn, tp]]
    total = max(tn + fp + fn + tp, 1)
    text = [[f"{v:,}<br>({v / total:.1%})" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=["predicted no", "predicted yes"],
            y=["known no", "known yes"],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            hovertemplate="%{y}, %{x}: %{z:,}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height, margin=_MARGIN)
    return fig


#: the reliability chart's two sets of probabilities: key in a ``calls.json`` part, name, colour
RELIABILITY_SERIES = (
    ("reliability_raw", "raw (training prior)", "#7f7f7f"),
    ("reliability_calibrated", "prior-corrected (deployment prior)", "#d62728"),
)


def reliability_chart(
    part: Mapping,
    *,
    height: int = 420,
    title: str = "Reliability of P(target) (held-out drugs × scored genes)",
) -> go.Figure:
    """Mean predicted vs observed share of known targets per probability bin, log–log.

    ``part`` is one part (``"val"`` or ``"test"``) of the classifier's ``calls.json``:
    one trace for the raw probabilities and one for the prior-corrected ones, marker
    area growing with the bin's pair count (in the hover), and the diagonal y = x.
    Bins with no known target (observed 0) or a zero mean prediction have no place on a
    log axis and are left out; the trace's legend name says how many.
    """
    fig = go.Figure()
    drawn: list[float] = []
    traces = []
    for key, name, colour in RELIABILITY_SERIES:
        bins = [b for b in (part.get(key) or []) if isinstance(b, Mapping)]
        shown = [
            b for b in bins if (b.get("observed") or 0) > 0 and (b.get("mean_predicted") or 0) > 0
        ]
        dropped = len(bins) - len(shown)
        if dropped:
            name = f"{name}; {dropped} bin{'s' * (dropped != 1)} with no known target not shown"
        xs = [float(b["mean_predicted"]) for b in shown]
        ys = [float(b["observed"]) for b in shown]
        ns = [int(b.get("n") or 0) for b in shown]
        drawn += xs + ys
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 1.5},
                marker={
                    "color": colour,
                    "size": [min(6 + 3 * math.log10(max(n, 1)), 30) for n in ns],
                    "line": {"color": "white", "width": 1},
                },
                customdata=[[b.get("lo"), b.get("hi"), n] for b, n in zip(shown, ns, strict=True)],
                hovertemplate=(
                    "P(target) in [%{customdata[0]:.1g}, %{customdata[1]:.1g}]<br>"
                    "mean predicted %{x:.2e}<br>observed %{y:.2e}<br>"
                    "%{customdata[2]:,} drug–gene pairs<extra>" + name.split(";")[0] + "</extra>"
                ),
            )
        )
    low = min([1e-6, *drawn])
    lower = math.floor(math.log10(low)) - 0.1
    fig.add_trace(
        go.Scatter(
            x=[10**lower, 1.0],
            y=[10**lower, 1.0],
            mode="lines",
            name="perfect calibration (y = x)",
            line={"color": "#bbbbbb", "dash": "dot", "width": 1},
            hoverinfo="skip",
        )
    )
    for t in traces:
        fig.add_trace(t)
    fig.update_xaxes(type="log", range=[lower, 0.05], exponentformat="power")
    fig.update_yaxes(type="log", range=[lower, 0.05], exponentformat="power")
    return _layout(
        fig,
        title=title,
        x="predicted P(target)",
        y="observed share of known targets",
        height=height,
    )


__all__ = [
    "COLOURS",
    "Curve",
    "RELIABILITY_SERIES",
    "RUN_COLOURS",
    "confusion_figure",
    "history_figure",
    "pr_curves",
    "pr_figure",
    "reliability_chart",
    "roc_curves",
    "roc_figure",
]
