"""Cached access to core results for the pages (the only place pages get data)."""

from __future__ import annotations

import streamlit as st


@st.cache_data(show_spinner="Computing the data coverage report…")
def coverage_report() -> dict:
    from ddi_core.data.report import coverage_report as _report

    return _report()


@st.cache_data
def licences() -> list[dict]:
    from ddi_core.data.report import licences as _lic

    return _lic()
