"""Run-registry views shared by the Train and Evaluate pages.

Pure functions from :class:`ddi_core.runs.registry.Run` records to tables and short
strings (no streamlit calls, so they are unit-testable and cheap). Nothing
here is cached: ``run.json`` files are small and change while a job runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ddi_core.config.run import RunConfig
from ddi_core.errors import DDIError
from ddi_core.models.registry import label, model_kind
from ddi_core.runs.figures import run_metrics, weaker_note
from ddi_core.runs.inputs import default_run, stale_reason
from ddi_core.runs.registry import Run
from ddi_core.runs.result import RunResult
from ddi_core.training.stages import stages_for

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
RunLike = Run | RunResult | Mapping[str, Any]


def as_result(run: RunLike) -> RunResult:
    """A :class:`RunResult` of a run, a result, or a ``run.json``-shaped mapping (a config
    not yet run, a hand-made record)."""
    if isinstance(run, RunResult):
        return run
    if isinstance(run, Run):
        return RunResult.of(run)
    return RunResult.of(Run(Path(str(run.get("id") or "unsaved")), dict(run)))


def _config(res: RunResult) -> RunConfig | None:
    try:
        return res.run_config()
    except DDIError:
        return None


def _kind(res: RunResult):
    try:
        return model_kind(res.kind)
    except DDIError:
        return None


def stages_read(run: RunLike) -> set[str]:
    """The upstream stages a run read (:func:`ddi_core.training.stages.stages_for`)."""
    cfg = _config(as_result(run))
    try:
        return {s.name for s in stages_for(cfg)} if cfg is not None else set()
    except DDIError:  # a kind this code does not know
        return set()


def info_population(run: RunLike) -> str | None:
    """The drug population of a run whose model kind has one (the evidence model's
    ``evidence.population``); ``None`` for a kind without."""
    res = as_result(run)
    kind = _kind(res)
    if kind is None or "evidence.population" not in kind.form_settings:
        return None
    cfg = _config(res)
    return res.population or (cfg.evidence.population if cfg is not None else None)


def model_name(run: RunLike) -> str:
    """The run's model kind as a reader names it ("MLP", "evidence model")."""
    return label(as_result(run).kind)


def model_description(run: RunLike) -> str:
    """One sentence on what the run's model kind is."""
    kind = _kind(as_result(run))
    return kind.description if kind is not None else ""


def config_summary(run: RunLike) -> str:
    """One line that says how a run was trained, e.g.
    ``MLP · quick · random split · 1:1 negatives · seed 0 · ≤2 epochs · 1,500 training pairs``
    or ``evidence model · paper population · random split · seed 0 · ≤2,000 boosting rounds``."""
    res = as_result(run)
    kind, cfg = _kind(res), _config(res)
    t = res.config.get("train") if isinstance(res.config.get("train"), dict) else {}
    parts = [model_name(res)]
    population = info_population(res)
    if population:
        parts.append(f"{population} population")
    if res.preset != res.kind:  # "evidence model · evidence" says it twice
        parts.append(res.preset or "?")
    parts.append(f"{res.split or '?'} split")
    if t.get("neg_ratio") is not None:
        parts.append(f"1:{t['neg_ratio']:g} negatives")
    if res.seed is not None:
        parts.append(f"seed {res.seed}")
    if kind is not None and cfg is not None:
        parts += kind.summary(cfg)
        if cfg.walk.network != "hsn":
            parts.append(f"{cfg.walk.network} network")
    return " · ".join(parts)


def run_label(run: Run | RunResult) -> str:
    """``<id> · <config summary>`` (select boxes, legends)."""
    return f"{run.id} · {config_summary(run)}"


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


def runs_frame(runs: list[Run] | list[RunResult]) -> pd.DataFrame:
    """The runs table: one row per run (in the given order), its model kind,
    headline metrics (test AUROC, F1 at the validation-chosen threshold, MRR; validation
    MRR) for finished runs,
    the error of failed ones. ``epochs`` is the best boosting round of an
    evidence run."""
    rows = []
    for r in map(as_result, runs):
        t = r.config.get("train") if isinstance(r.config.get("train"), dict) else {}
        f1 = r.figure("f1_at_val_threshold")
        rows.append(
            {
                "run": r.id,
                "status": r.status,
                "model": model_name(r),
                "preset": r.preset or None,
                "split": r.split or None,
                "neg:pos": t.get("neg_ratio"),
                "seed": r.seed,
                "created": r.created or None,
                "AUROC": r.figure("auroc"),
                "F1": f1 if f1 is not None else r.figure("f1"),
                "MRR": r.figure("mrr"),
                "val MRR": r.val_mrr,
                "epochs": r.timings.get("epochs"),
                "error": r.error,
            }
        )
    frame = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    for col in ("AUROC", "F1", "MRR", "val MRR", "neg:pos"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def provenance(run: Run | RunResult) -> dict[str, Any]:
    """What a run was made from: config, seeds, code version, data hashes, host, times."""
    res = as_result(run)
    out = {
        "id": res.id,
        "status": res.status,
        "kind": res.kind,
        "created": res.created,
        "finished": res.finished,
        "config": res.config,
        **{k: res.provenance.get(k) for k in ("code_version", "host", "seeds", "data_sha256")},
        "timings": res.timings,
        "error": res.error,
    }
    return {k: v for k, v in out.items() if v not in (None, "", {})}


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
    "as_result",
    "RUN_COLUMNS",
    "config_summary",
    "default_first",
    "default_run_id",
    "format_seconds",
    "info_population",
    "model_description",
    "model_name",
    "picker_label",
    "picker_labels",
    "progress_fraction",
    "provenance",
    "run_label",
    "runs_frame",
    "stages_read",
    "weaker_warning",
]
