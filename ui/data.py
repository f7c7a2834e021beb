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

    return _lic()


@st.cache_data(show_spinner="Counting the drugs with a walk profile…")
def _profile_counts(data_home: str) -> dict:
    from ddi_core.profiles import drug_profiles

    meta = drug_profiles().meta  # the default walk (HSN v7), cached on disk
    return {k: v for k, v in meta.items() if isinstance(v, int | float)}


def profile_counts() -> dict:
    """Counts of the default walk profiles: ``drugs_with_seed_in_network`` (drugs with
    a profile), ``drugs_with_seeds``, ``network_nodes``, …"""
    return _profile_counts(home())


@st.cache_data(show_spinner="Counting what each model covers (once per data home)…")
def _model_coverage(data_home: str) -> dict:
    from ddi_core.evidence.coverage import model_coverage as _coverage

    return _coverage()


def model_coverage() -> dict:
    """:func:`ddi_core.evidence.coverage.model_coverage`: drugs, diseases and known pairs of
    CTD, the MLP and the evidence model (cached per data home)."""
    return _model_coverage(home())
