"""The Signed walk page on the real bundle: targets, walk values, player HTML, errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from ui import state, walk_cache

APP = str(REPO / "app.py")
PAGE = "pages/signed_walk.py"
METFORMIN = "D008687"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hsn(real_home):
    from ddi_core.graphs.signaling import load_signaling_network

    return load_signaling_network("hsn")


@pytest.fixture(scope="module")
def metformin_targets(real_home):
    from ddi_core.data import entities

    dti = entities.signed_dti()
    return dti[dti["chemical_id"] == METFORMIN]


def _open(real_home) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _walk_data(at: AppTest) -> tuple[str, dict]:
    (iframe,) = at.get("iframe")
    html = iframe.proto.srcdoc
    m = re.search(r'<script type="application/json" id="walk-data">(.*?)</script>', html, re.S)
    assert m is not None
    return html, json.loads(m.group(1))


def _direct(hsn, targets, **kw):
    from ddi_core.walk.algorithm import exact_walk

    inside = hsn.contains(targets["entrez"].to_numpy())
    seeds = (targets["entrez"].to_numpy()[inside], targets["sign"].to_numpy(float)[inside])
    return exact_walk(hsn, seeds, **kw)


def test_metformin_targets_walk_and_player(real_home, hsn, metformin_targets):
    at = _open(real_home)
    assert at.selectbox(key=state.WALK_DRUG).value == METFORMIN
    assert any("Metformin (D008687)" in h.value for h in at.subheader)

    # the targets table: metformin's real signed targets (complex I subunits), signs, membership
    tt = _frame(at, "in network")
    want = metformin_targets.sort_values("entrez")
    assert tt["gene"].tolist() == want["entrez"].tolist()
    assert "NDUFS1" in set(tt["symbol"]) and set(tt["sign"]) == {"inhibition"}
    assert (want["sign"] == -1).all()
    assert tt["in network"].tolist() == hsn.contains(want["entrez"].to_numpy()).tolist()
    assert tt["in network"].sum() == 8

    # the top genes: the first value is the exact walk's largest |value|
    direct = _direct(hsn, metformin_targets)
    top = _frame(at, "value")
    best = int(np.argmax(np.abs(direct.values)))
    assert top["gene"].iloc[0] == hsn.node_ids[best]
    assert top["value"].iloc[0] == pytest.approx(direct.values[best], rel=1e-12)
    assert len(top) == walk_cache.DEFAULT_CAP
    assert set(tt.loc[tt["in network"], "gene"]) <= set(top["gene"])

    # the player: node count and the per-step trace of the drawn nodes
    html, data = _walk_data(at)
    cap = walk_cache.DEFAULT_CAP
    assert f'data-nodes="{cap}"' in html and len(data["ids"]) == cap
    assert data["steps"] == 15 and data["initial"] == 15
    ids = np.array(data["ids"])
    np.testing.assert_allclose(
        data["values"], direct.trace[:, hsn.index_of(ids)], rtol=1e-5, atol=1e-12
    )
    assert "https://cdn" not in html

    # the step slider sets the first frame and the "value at t" column
    at.slider(key=state.WALK_STEP).set_value(3).run()
    assert not at.exception
    _, data3 = _walk_data(at)
    assert data3["initial"] == 3
    top3 = _frame(at, "value at t = 3")
    np.testing.assert_allclose(
        top3["value at t = 3"], direct.trace[3, hsn.index_of(top3["gene"].to_numpy())]
    )


def test_changing_alpha_recomputes(real_home, hsn, metformin_targets):
    at = _open(real_home)
    before = _frame(at, "value")["value"].iloc[0]
    at.slider(key=state.WALK_ALPHA).set_value(0.6).run()
    assert not at.exception
    after = _frame(at, "value")["value"].iloc[0]
    direct = _direct(hsn, metformin_targets, alpha=0.6)
    assert after != pytest.approx(before, rel=1e-3)
    assert after == pytest.approx(direct.values[np.argmax(np.abs(direct.values))], rel=1e-12)


def test_unknown_name_suggests_and_never_raises(real_home):
    at = _open(real_home)
    at.text_input(key=state.WALK_QUERY).set_value("metforminn").run()
    assert not at.exception
    assert any("metforminn" in e.value for e in at.error)
    labels = [b.label for b in at.button]
    assert "Metformin" in labels and not at.get("iframe")
    next(b for b in at.button if b.label == "Metformin").click().run()
    assert not at.exception and not at.error
    assert any("Metformin (D008687)" in h.value for h in at.subheader)


def test_synonym_and_id_resolve(real_home):
    at = _open(real_home)
    at.text_input(key=state.WALK_QUERY).set_value("mesh:d008687").run()
    assert not at.exception and any("Metformin (D008687)" in h.value for h in at.subheader)


def test_drug_without_targets_in_the_network_explains(real_home, hsn):
    from ddi_core.data import entities

    dti = entities.signed_dti()
    inside = dti.assign(i=hsn.contains(dti["entrez"].to_numpy())).groupby("chemical_id")["i"].any()
    outside = sorted(inside[~inside].index)[0]
    at = _open(real_home)
    at.text_input(key=state.WALK_QUERY).set_value(outside).run()
    assert not at.exception
    assert any("nothing to walk from" in w.value for w in at.warning)
    assert not at.get("iframe")
    n = int((dti["chemical_id"] == outside).sum())
    assert len(_frame(at, "in network")) == n


def test_missing_bundle_is_explained(tmp_home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("not ready" in e.value for e in at.error)
