"""The Overview page renders the real coverage report and every licence."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

APP = str(REPO / "app.py")
pytestmark = pytest.mark.integration


def test_overview_shows_coverage_and_licences(real_home):
    from ddi_core.data.report import coverage_report
    from ddi_core.data.sources import sources

    rep = coverage_report()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["CTD drug–disease pairs"] == f"{rep['ctd_pairs']:,}"
    assert metrics["chemicals with SMILES"] == f"{rep['chemicals_with_smiles']:,}"
    frames = [df.value for df in at.dataframe]
    lic = next(f for f in frames if "licence" in f.columns)
    assert set(lic["path"]) == set(sources())
    assert lic["licence"].str.len().gt(0).all()


def test_overview_explains_a_missing_bundle(tmp_home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("ddi data fetch" in i.value for i in at.info)
    assert any("not ready" in e.value for e in at.error)
