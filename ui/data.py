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
