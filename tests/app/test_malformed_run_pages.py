"""One malformed run record breaks no page (issue 13): with ``runs/<bad>/run.json``
holding ``[]`` beside the trained run, every page renders, the default run is the
healthy one, and the Train page names the bad run's reason."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from ddi_core.runs import result
from tests.conftest import REPO

APP = str(REPO / "app.py")
PAGES = (
    "pages/overview.py",
    "pages/predictions.py",
    "pages/signed_walk.py",
    "pages/train.py",
    "pages/evaluate.py",
)
pytestmark = pytest.mark.integration


@pytest.fixture
def bad_run(real_home, trained_run):
    d = real_home / "runs" / "zz-malformed-run"
    d.mkdir()
    (d / "run.json").write_text("[]")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_beside_a_malformed_run(bad_run, trained_run, page):
    from ddi_core.runs import registry as runs

    assert result.default_result().id != bad_run.name
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    if page != PAGES[0]:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    if page == "pages/train.py":
        table = next(df.value for df in at.dataframe if "status" in df.value.columns)
        row = table[table["run"] == bad_run.name]
        assert row["status"].tolist() == [runs.UNREADABLE]


@pytest.fixture
def stringly_run(real_home, trained_run):
    """A copy of the trained run whose record and metrics hold text where numbers belong."""
    import json

    d = real_home / "runs" / "zz-stringly-run"
    shutil.copytree(trained_run.dir, d)
    info = json.loads((d / "run.json").read_text())
    info["headline"] = {**info.get("headline", {}), "val_mrr": "0.99", "auroc": "high"}
    (d / "run.json").write_text(json.dumps(info))
    m = json.loads((d / "metrics.json").read_text())
    m["test"]["mrr"] = "0.5"
    (d / "metrics.json").write_text(json.dumps(m))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_a_run_whose_figures_are_text_is_unreadable_not_the_default(stringly_run, trained_run):
    from ddi_core.errors import CorruptFileError
    from ddi_core.runs import registry as runs

    res = result.result(stringly_run.name)
    assert res.status == runs.UNREADABLE and not res.healthy
    assert any("'val_mrr' is str '0.99', not a number" in p for p in res.problems)
    assert result.default_result().id != stringly_run.name  # its "0.99" never wins
    with pytest.raises(CorruptFileError, match=r"metrics\.json.*test\.mrr is str '0\.5'"):
        res.metrics()
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "status" in df.value.columns)
    row = table[table["run"] == stringly_run.name]
    assert row["status"].tolist() == [runs.UNREADABLE] and "not a number" in row["error"].iloc[0]
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception, at.exception
