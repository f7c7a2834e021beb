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
