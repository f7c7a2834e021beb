"""Cached access to core results for the pages (the only place pages get data).

Cached functions take the data home as an argument so that a changed
``DDI_HOME`` (tests, several homes on one server) never serves stale results.
"""

from __future__ import annotations

import streamlit as st

from ddi_core import paths


def home() -> str:
    return str(paths.data_home())


@st.cache_data(show_spinner="Computing the data coverage report…")
def _coverage_report(data_home: str) -> dict:
    from ddi_core.data.report import coverage_report

    return coverage_report()


def coverage_report() -> dict:
    return _coverage_report(home())


@st.cache_data
def licences() -> list[dict]:
    from ddi_core.data.report import licences as _lic
    from ddi_core.facts.aliases import name_sources

    return [*_lic(), *name_sources()]


@st.cache_data(show_spinner="Counting the drugs with a walk profile…")
def _profile_counts(data_home: str) -> dict:
    from ddi_core.walk.profiles import drug_profiles

    meta = drug_profiles().meta  # the default walk (HSN v7), cached on disk
    return {k: v for k, v in meta.items() if isinstance(v, int | float)}


def profile_counts() -> dict:
    """Counts of the default walk profiles: ``drugs_with_seed_in_network`` (drugs with
    a profile), ``drugs_with_seeds``, ``network_nodes``, …"""
    return _profile_counts(home())


@st.cache_data(show_spinner="Counting what each model covers (once per data home)…")
def _model_coverage(data_home: str) -> dict:
    from ddi_core.models.evidence.coverage import model_coverage as _coverage

    return _coverage()


def model_coverage() -> dict:
    """:func:`ddi_core.models.evidence.coverage.model_coverage`: drugs, diseases and known pairs of
    CTD, the MLP and the evidence model (cached per data home)."""
    return _model_coverage(home())


def _calls_entries() -> tuple[tuple[str, int], ...]:
    """``(entry name, meta.json mtime)`` of every ``targets`` cache entry holding a
    ``calls.json`` (a cheap fingerprint: a new or rewritten entry changes it)."""
    found = []
    for meta_path in (paths.cache_dir() / "targets").glob("*/meta.json"):
        if meta_path.parent.name.startswith("."):  # an entry still being written
            continue
        try:
            if (meta_path.parent / "calls.json").is_file():
                found.append((meta_path.parent.name, meta_path.stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(found))


@st.cache_data(show_spinner=False)
def _target_calibration(data_home: str, entries: tuple[tuple[str, int], ...]) -> dict | None:
    import json

    root = paths.cache_dir() / "targets"
    best: tuple[tuple[str, int], str, dict] | None = None
    for name, mtime in entries:
        try:
            meta = json.loads((root / name / "meta.json").read_text())
        except (OSError, ValueError):
            continue
        config = meta.get("config") if isinstance(meta, dict) else None
        if not isinstance(config, dict) or config.get("part") != "calls":
            continue
        rank = (str(meta.get("created") or ""), mtime)
        if best is None or rank > best[0]:
            best = (rank, name, meta)
    if best is None:
        return None
    _, name, meta = best
    try:
        calls = json.loads((root / name / "calls.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(calls, dict):
        return None
    return {**calls, "created": meta.get("created"), "entry": name, "config": meta["config"]}


def target_calibration() -> dict | None:
    """The newest cached calibration of the drug–target classifier, or ``None``.

    The parsed ``calls.json`` of the newest ``targets`` cache entry whose config part is
    ``"calls"`` (written by :func:`ddi_core.targets.calls.call_evaluation`, never computed
    here), plus ``created`` and ``entry`` (the cache entry's name) from its ``meta.json``
    and the entry's ``config``. Cached per data home and set of cache entries.
    """
    return _target_calibration(home(), _calls_entries())
