"""Plotly figures of the Train and Evaluate pages (pure: data in, figure out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import plotly.graph_objects as go

#: Colours of the model and the baselines (the same on every chart).
COLOURS = {"model": "#d62728", "popularity": "#7f7f7f", "logistic": "#1f77b4", "knn": "#2ca02c",
           "ease": "#9467bd"}
#: Colours of compared runs, in order.
RUN_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
               "#17becf")
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
        title={"text": title, "font": {"size": 15}}, height=height, margin=_MARGIN,
        xaxis_title=x, yaxis_title=y, legend={"orientation": "h", "y": -0.22, "x": 0},
        showlegend=True, hovermode="closest",
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


def roc_figure(lines: Sequence[Curve], *, title: str = "ROC (test split)",
               height: int = 400) -> go.Figure:
    """ROC curves with the chance diagonal."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                             line={"color": "#bbbbbb", "dash": "dot", "width": 1},
                             hoverinfo="skip", showlegend=False))
    for c in lines:
        fig.add_trace(go.Scatter(x=list(c.x), y=list(c.y), mode="lines", name=c.name,
                                 line={"color": c.colour, "dash": c.dash, "width": 2},
                                 hovertemplate="FPR %{x:.3f}<br>TPR %{y:.3f}"))
    fig.update_xaxes(range=[0, 1], constrain="domain")
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title=title, x="false positive rate", y="true positive rate",
                   height=height)


def pr_figure(lines: Sequence[Curve], *, prevalence: float | None = None,
              title: str = "Precision–recall (test split)", height: int = 400) -> go.Figure:
    """Precision–recall curves; ``prevalence`` draws the no-skill line."""
    fig = go.Figure()
    if prevalence is not None:
        fig.add_trace(go.Scatter(x=[0, 1], y=[prevalence, prevalence], mode="lines",
                                 name="no skill", line={"color": "#bbbbbb", "dash": "dot",
                                                        "width": 1},
                                 hoverinfo="skip", showlegend=False))
    for c in lines:
        fig.add_trace(go.Scatter(x=list(c.x), y=list(c.y), mode="lines", name=c.name,
                                 line={"color": c.colour, "dash": c.dash, "width": 2},
                                 hovertemplate="recall %{x:.3f}<br>precision %{y:.3f}"))
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title=title, x="recall", y="precision", height=height)


def history_figure(history: Sequence[dict], kind: Literal["loss", "acc", "auc"], *,
                   title: str | None = None, height: int = 300,
                   max_epochs: int | None = None, x_key: str | None = None,
                   x_title: str = "epoch") -> go.Figure:
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
        fig.add_trace(go.Scatter(x=epochs, y=ys, mode="lines+markers", name=names[part],
                                 line={"color": colour, "width": 2},
                                 hovertemplate=f"{x_title} %{{x}}<br>{key} %{{y:.4f}}"))
    label = {"loss": "loss (binary cross-entropy)", "acc": "accuracy", "auc": "AUROC"}[kind]
    span = max(max_epochs or 0, len(epochs))
    if x_key is None:
        fig.update_xaxes(dtick=1 if span <= 12 else None,
                         range=[0.7, span + 0.3] if max_epochs else None)
    elif max_epochs:
        fig.update_xaxes(range=[0, max_epochs])
    default = {"loss": "Loss", "acc": "Accuracy", "auc": "AUROC"}[kind] + f" per {x_title}"
    return _layout(fig, title=title or default, x=x_title, y=label, height=height)


def confusion_figure(tn: int, fp: int, fn: int, tp: int, *, height: int = 320) -> go.Figure:
    """The 2 × 2 confusion matrix as an annotated heatmap (rows: truth)."""
    z = [[tn, fp], [fn, tp]]
    total = max(tn + fp + fn + tp, 1)
    text = [[f"{v:,}<br>({v / total:.1%})" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=["predicted no", "predicted yes"], y=["known no", "known yes"], text=text,
        texttemplate="%{text}", colorscale="Blues", showscale=False,
        hovertemplate="%{y}, %{x}: %{z:,}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height, margin=_MARGIN)
    return fig


__all__ = ["COLOURS", "Curve", "RUN_COLOURS", "confusion_figure", "history_figure", "pr_curves",
           "pr_figure", "roc_curves", "roc_figure"]
