"""User files a run depends on, kept inside the run.

``--exclude-pairs`` names a CSV of (drug, disease) pairs kept out of training.
The run stores a copy (``exclude_pairs.csv``) with its SHA-256 and its config
points at the copy, so the run does not depend on the working directory
(``cd / && ddi rank …``) and an edit of the original file cannot silently
change it; a changed copy is refused when the run is loaded.

The raw bundle files a run was trained on are recorded as their SHA-256
(``data_sha256``); :func:`check_data_hashes` refuses to load a run whose files
differ from the data home's (every raw file is verified against the manifest
when read, so the manifest's hashes are the data home's), naming each file.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

from ddi_core.cache import atomic_write_bytes
from ddi_core.config.run import RunConfig
from ddi_core.data.fetch import bundle_sha256
from ddi_core.errors import DataFileError, DDIError
from ddi_core.models.registry import kind_names, model_kind
from ddi_core.runs import registry as runs
from ddi_core.runs.result import RunResult, default_result
from ddi_core.runs.split_file import SPLIT_FILE

log = logging.getLogger(__name__)

EXCLUDE_FILE = "exclude_pairs.csv"


def keep_exclude_pairs(run: runs.Run, cfg: RunConfig) -> RunConfig:
    """Copy ``cfg``'s exclude-pairs file into ``run`` and return the config that reads
    the copy (``cfg`` itself when there is none); the run records source and hash."""
    src = cfg.train.exclude_pairs
    if not src:
        return cfg
    p = Path(src)
    if p.resolve() == run.path(EXCLUDE_FILE).resolve():
        return cfg  # already the run's own copy
    try:
        raw = p.read_bytes()
    except IsADirectoryError as exc:
        raise DataFileError(src, "is a directory, not a CSV file") from exc
    except OSError as exc:
        raise DataFileError(src, f"cannot be read ({exc.strerror or exc})") from exc
    dst = run.path(EXCLUDE_FILE)
    atomic_write_bytes(dst, raw)
    kept = replace(cfg, train=replace(cfg.train, exclude_pairs=str(dst.resolve())))
    run.update(
        config=kept.to_dict(),
        exclude_pairs={
            "source": str(p.resolve()),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "bytes": len(raw),
        },
    )
    return kept


def check_exclude_pairs(run: runs.Run) -> None:
    """Refuse a run whose kept exclude-pairs copy changed since training."""
    rec = RunResult.of(run).provenance.get("exclude_pairs")
    if not isinstance(rec, dict) or not rec.get("sha256"):
        return
    p = run.path(EXCLUDE_FILE)
    try:
        got = hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError as exc:
        raise DataFileError(p, f"the run's copy of --exclude-pairs is unreadable ({exc})") from exc
    if got != rec["sha256"]:
        raise DataFileError(
            p,
            f"changed since training (SHA-256 {got[:12]}…, recorded "
            f"{rec['sha256'][:12]}…); retrain the run",
        )


def check_model_inputs(run: runs.Run) -> None:
    """Refuse a finished run whose model files or split are gone, or whose model kind says
    its inputs beyond the raw files changed since training (the evidence model's tables:
    :meth:`ModelKind.stale <ddi_core.models.base.ModelKind>`)."""
    res = RunResult.of(run)
    kind = model_kind(res.kind)
    if res.done:  # a finished run loads from its model files and its split
        missing = [f for f in (*kind.files, SPLIT_FILE) if not run.path(f).is_file()]
        if missing:
            raise DDIError(
                f"run {run.id} lacks {', '.join(missing)} in {run.dir} (deleted or moved): it "
                "cannot rank; retrain it or delete it"
            )
    why = kind.stale(res.run_config(), res.pairs)
    if why:
        raise DDIError(f"run {run.id} {why}")


def stale_reason(run: runs.Run) -> str | None:
    """Why ``run`` can no longer be loaded on this data home, or ``None`` when it can:
    a raw file, its kept exclude-pairs copy, or what its model kind reads beyond them (an
    evidence run's tables) changed since training. Loads no model (for choosing a
    default run)."""
    try:
        check_data_hashes(run)
        check_exclude_pairs(run)
        check_model_inputs(run)
    except DDIError as exc:
        return str(exc)
    except (KeyError, TypeError, ValueError) as exc:  # a config this code cannot read
        return f"run {run.id}: its config cannot be read by this version ({exc})"
    return None


def can_load(run: runs.Run) -> bool:
    """Whether ``run``'s inputs are still those it was trained on (:func:`stale_reason`)."""
    why = stale_reason(run)
    if why is not None:
        log.info("passing over run %s: %s", run.id, why)
    return why is None


def loadable_default(all_results: list[RunResult] | None = None) -> RunResult | None:
    """The registry's default run (the best validation MRR) among the runs that can still
    be loaded here: a run whose raw files or evidence tables changed since training is
    passed over, so the dashboard ranks with the best run it can load rather than
    showing an error. ``None`` when no run qualifies."""
    return default_result(usable=lambda r: can_load(r.run), all_results=all_results)


def default_run() -> runs.Run | None:
    """The run of :func:`loadable_default` (``None`` when no run qualifies)."""
    best = loadable_default()
    return None if best is None else best.run


def forget_current_inputs() -> None:
    """Drop what every model kind memoised of the current inputs (after they change)."""
    for name in kind_names():
        model_kind(name).forget()


def check_data_hashes(run: runs.Run) -> None:
    """Raise :class:`~ddi_core.errors.DDIError` naming every raw file whose SHA-256
    differs from the one recorded when ``run`` was trained (a run without a record
    is not checked: nothing to compare)."""
    recorded = RunResult.of(run).data_sha256
    if not isinstance(recorded, dict) or not recorded:
        return
    now = bundle_sha256()
    changed = []
    for rel, want in sorted(recorded.items()):
        have = now.get(rel)
        if have is None:
            changed.append(f"{rel} (no longer in the bundle)")
        elif have != want:
            changed.append(f"{rel} (trained on {str(want)[:12]}…, now {have[:12]}…)")
    if changed:
        raise DDIError(
            f"run {run.id} was trained on other data: {len(changed)} raw file(s) changed since: "
            f"{'; '.join(changed)}. Retrain it on the current bundle (`ddi train`)"
        )


__all__ = [
    "loadable_default",
    "EXCLUDE_FILE",
    "can_load",
    "check_data_hashes",
    "check_model_inputs",
    "check_exclude_pairs",
    "default_run",
    "forget_current_inputs",
    "keep_exclude_pairs",
    "stale_reason",
]
