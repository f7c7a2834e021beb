"""Run-registry views shared by the Train and Evaluate pages.

Pure functions from :class:`ddi_core.runs.registry.Run` records to tables and short
strings (no streamlit calls, so they are unit-testable and cheap). Nothing
here is cached: ``run.json`` files are small and change while a job runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ddi_core.runs.figures import run_metrics, weaker_note
from ddi_core.runs.inputs import default_run, stale_reason
from ddi_core.runs.registry import Run

#: Columns of the runs table, in order.
RUN_COLUMNS = (
    "run",
    "status",
    "model",
    "preset",
    "split",
    "neg:pos",
    "seed",
    "created",
    "AUROC",
    "F1",
    "MRR",
    "val MRR",
    "epochs",
    "error",
)
#: How each model kind is named in tables and summaries.
MODEL_NAMES = {"mlp": "MLP", "evidence": "evidence model"}


def info_kind(info: dict[str, Any]) -> str:
    """``"mlp"`` or ``"evidence"`` of a ``run.json`` dict (as :func:`ddi_core.runs.registry.model_kind`)."""
    return str(info.get("model") or (info.get("config") or {}).get("model") or "mlp")


def info_population(info: dict[str, Any]) -> str | None:
    """The drug population of an evidence run ("evidence" or "paper"); ``None`` for an MLP."""
    if info_kind(info) != "evidence":
        return None
    cfg_ev = (info.get("config") or {}).get("evidence") or {}
    return str(info.get("population") or cfg_ev.get("population") or "evidence")


def model_name(info: dict[str, Any]) -> str:
    """ "MLP" or "evidence model" (the kind's own name when unknown)."""
    kind = info_kind(info)
    return MODEL_NAMES.get(kind, kind)


#: What each model kind is, in one sentence a pharmacologist reads.
MODEL_DESCRIPTIONS = {
    "evidence": "Gradient-boosted trees (LightGBM) over leak-safe evidence from the bundle's "
    "graph: which diseases the most similar drugs (by targets, structure, walk profile) are "
    "known for, target-level collaborative evidence, the disease's similarity to the drug's "
    "known diseases, network proximity and collaborative filtering. Explanations are the "
    "trees' own per-prediction contributions.",
    "mlp": "The paper's method: a multilayer perceptron over the drug's signed-random-walk "
    "profile on the human signaling network and the disease's node2vec embedding.",
}


def model_description(info: dict[str, Any]) -> str:
    """One sentence on what the run's model kind is."""
    return MODEL_DESCRIPTIONS.get(info_kind(info), "")


def config_summary(info: dict[str, Any]) -> str:
    """One line that says how a run was trained, e.g.
    ``MLP · quick · random split · 1:1 negatives · seed 0 · ≤2 epochs · 1,500 training pairs``
    or ``evidence model · paper population · random split · seed 0 · ≤2,000 boosting rounds``."""
    cfg = info.get("config") or {}
    t = cfg.get("train") or {}
    evidence = info_kind(info) == "evidence"
    parts = [model_name(info)]
    if evidence:
        parts.append(f"{info_population(info)} population")
    preset = str(cfg.get("preset") or info.get("preset") or "?")
    if not (evidence and preset == "evidence"):  # "evidence model · evidence" says it twice
        parts.append(preset)
    parts.append(f"{t.get('split') or info.get('split') or '?'} split")
    if t.get("neg_ratio") is not None:
        parts.append(f"1:{t['neg_ratio']:g} negatives")
    if cfg.get("seed") is not None:
        parts.append(f"seed {cfg['seed']}")
    ev = cfg.get("evidence") or {}
    if evidence and ev.get("max_rounds") is not None:
        parts.append(f"≤{ev['max_rounds']:,} boosting rounds")
    elif not evidence and t.get("max_epochs") is not None:
        parts.append(f"≤{t['max_epochs']} epochs")
    if t.get("max_train_pairs"):
        parts.append(f"{t['max_train_pairs']:,} training pairs")
    walk = cfg.get("walk") or {}
    if walk.get("network") and walk["network"] != "hsn":
        parts.append(f"{walk['network']} network")
    return " · ".join(parts)


def run_label(run: Run) -> str:
    """``<id> · <config summary>`` (select boxes, legends)."""
    return f"{run.id} · {config_summary(run.info)}"


#: What a picker adds to a run that can no longer rank (its inputs changed since training).
STALE_NOTE = " · cannot rank: its inputs changed since training (retrain it)"


def picker_label(run: Run, default_id: str | None) -> str:
    """A run picker's label: :func:`run_label`, ``(default)`` on the preselected run,
    a warning on a run that ranks worse than a baseline (:func:`weaker_warning`), and
    :data:`STALE_NOTE` on a run whose data or evidence tables changed since training
    (:func:`ddi_core.runs.inputs.stale_reason`; its metrics and curves still show)."""
    label = run_label(run) + (" (default)" if run.id == default_id else "")
    if weaker_note(run_metrics(run)):
        label += " · ⚠ worse than a baseline on MRR"
    return label + (STALE_NOTE if stale_reason(run) else "")


def default_first(done: Mapping[str, Run], default_id: str | None) -> list[str]:
    """A run picker's options: the default run first, then the others newest first (a
    select box that loses its state, e.g. on a cold server, falls back to the first
    option: then to the default, never to whichever run is newest)."""
    ids = list(done)
    return [default_id, *(i for i in ids if i != default_id)] if default_id in done else ids


def picker_labels(done: Mapping[str, Run], default_id: str | None) -> dict[str, str]:
    """:func:`picker_label` of every run, computed once per render (a label must not change
    between the render and a later read of the widget, e.g. when a run is deleted)."""
    return {i: picker_label(r, default_id) for i, r in done.items()}


def weaker_warning(run: Run) -> str:
    """The warning shown beside a picked run that ranks worse than a baseline (``""``
    when it beats them all)."""
    note = weaker_note(run_metrics(run))
    if not note:
        return ""
    return (
        f"Run {run.id} ranks {note}: its list is less useful than the baseline's. The "
        "default run (best validation MRR) is usually the better choice."
    )


#: What the run pickers say about their preselection.
DEFAULT_RUN_NOTE = "default: best validation MRR"


def default_run_id(done: Mapping[str, Run]) -> str:
    """The run a page preselects among ``done`` (finished runs, newest first):
    :func:`ddi_core.runs.inputs.default_run` (the best validation MRR among the runs that
    can still be loaded), else the newest."""
    best = default_run()
    if best is not None and best.id in done:
        return best.id
    return next(iter(done))


def runs_frame(runs: list[Run]) -> pd.DataFrame:
    """The runs table: one row per run (in the given order), its model kind,
    headline metrics (test AUROC, F1 at the validation-chosen threshold, MRR; validation
    MRR) for finished runs,
    the error of failed ones. ``epochs`` is the best boosting round of an
    evidence run."""
    rows = []
    for r in runs:
        info = r.info
        t = (info.get("config") or {}).get("train") or {}
        head = info.get("headline") or {}
        rows.append(
            {
                "run": r.id,
                "status": r.status,
                "model": model_name(info),
                "preset": info.get("preset"),
                "split": info.get("split") or t.get("split"),
                "neg:pos": t.get("neg_ratio"),
                "seed": (info.get("config") or {}).get("seed"),
                "created": info.get("created") or None,
                "AUROC": head.get("auroc"),
                "F1": head.get("f1_at_val_threshold", head.get("f1")),
                "MRR": head.get("mrr"),
                "val MRR": head.get("val_mrr"),
                "epochs": (info.get("timings") or {}).get("epochs"),
                "error": info.get("error") or "",
            }
        )
    frame = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    for col in ("AUROC", "F1", "MRR", "val MRR", "neg:pos"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def provenance(info: dict[str, Any]) -> dict[str, Any]:
    """What a run was made from: config, seeds, code version, data hashes, host, times."""
    keys = (
        "id",
        "status",
        "created",
        "finished",
        "code_version",
        "host",
        "pid",
        "config",
        "seeds",
        "data_sha256",
        "timings",
        "error",
    )
    return {k: info.get(k) for k in keys if info.get(k) is not None}


def format_seconds(seconds: float | None) -> str:
    """``"1 h 02 min"``, ``"3 min 05 s"``, ``"42 s"``; ``"–"`` when unknown."""
    if seconds is None:
        return "–"
    s = max(0, int(round(float(seconds))))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h} h {m:02d} min"
    if m:
        return f"{m} min {sec:02d} s"
    return f"{sec} s"


def progress_fraction(progress: dict[str, Any]) -> float:
    """Share of the training done (0–1): epochs and batches over ``max_epochs``."""
    max_epochs = progress.get("max_epochs") or 0
    epoch = progress.get("epoch") or 0
    if max_epochs <= 0 or epoch <= 0:
        return 0.0
    n_batches = progress.get("n_batches") or 0
    batch = progress.get("batch") or 0
    within = batch / n_batches if n_batches else 0.0
    return float(min(1.0, max(0.0, (epoch - 1 + within) / max_epochs)))


__all__ = [
    "DEFAULT_RUN_NOTE",
    "MODEL_NAMES",
    "RUN_COLUMNS",
    "config_summary",
    "default_first",
    "default_run_id",
    "format_seconds",
    "info_kind",
    "info_population",
    "model_description",
    "model_name",
    "picker_label",
    "picker_labels",
    "progress_fraction",
    "provenance",
    "run_label",
    "runs_frame",
    "weaker_warning",
]
