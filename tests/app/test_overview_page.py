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
    # every bundle file, and the sources of the names the lookup adds (the brand-name
    # dictionary package with its licence, the curated abbreviations)
    assert set(sources()) < set(lic["path"])
    extra = lic[~lic["path"].isin(list(sources()))]
    assert len(extra) == 2 and (extra["group"] == "names").all()
    assert extra["path"].str.startswith("drug-named-entity-recognition 2.0.9").any()
    assert extra["licence"].str.contains("MIT").all()
    assert lic["licence"].str.len().gt(0).all()


def test_overview_names_the_model_that_ranks(evidence_run):
    from ddi_core.runs.figures import headline_figures, read_validation, run_metrics
    from ddi_core.runs.inputs import default_run

    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    assert any(h.value == "The model that ranks" for h in at.header)
    run = default_run()
    assert any(run.id in m.value for m in at.markdown)
    assert (
        any("Gradient-boosted trees (LightGBM)" in c.value for c in at.caption)
        or run.info.get("model") != "evidence"
    )
    tiles = {m.label: m.value for m in at.metric}
    for f in headline_figures(run_metrics(run), read_validation(run)):
        assert tiles[f.label] == f.text()
    assert "deep learning" not in " ".join(c.value for c in at.caption)


def test_overview_explains_a_missing_bundle(tmp_home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("ddi data fetch" in i.value for i in at.info)
    assert any("not ready" in e.value for e in at.error)
