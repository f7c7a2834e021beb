"""The Signed walk page's variants: every HSN edge vs signed ones, known vs predicted seeds.

Predicted seeds are never computed here: the page reads them from cached walk
profiles (:func:`ddi_core.walk.profiles.cached_profiles`), which these tests replace
by "none cached" or by a small hand-made table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ddi_core.config.run import preset
from tests.conftest import REPO
from ui import state, walk_cache

APP = str(REPO / "app.py")
PAGE = "pages/signed_walk.py"
ASPIRIN = "D001241"
METFORMIN = "D008687"
WARFARIN = "D014859"  # one known target, VKORC1, which is not an HSN node
VKORC1 = 79001
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hsn(real_home):
    from ddi_core.graphs.signaling import load_signaling_network

    return load_signaling_network("hsn")


@pytest.fixture(scope="module")
def hsn_all(real_home):
    from ddi_core.graphs.signaling import load_signaling_network

    return load_signaling_network("hsn", include_phy=True, phy_sign=-1)


@pytest.fixture
def profiles(monkeypatch):
    """Replace the cached profiles: ``set(fn)`` with ``fn(cfg) -> DrugProfiles | None``."""
    import ddi_core.walk.profiles as prof

    def set_(fn):
        monkeypatch.setattr(prof, "cached_profiles", fn)
        walk_cache._predicted.clear()

    set_(lambda cfg: None)
    yield set_
    walk_cache._predicted.clear()


def _open(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _reached(graph, targets: pd.DataFrame) -> int:
    from ddi_core.walk.algorithm import exact_walk

    inside = graph.contains(targets["entrez"].to_numpy())
    seeds = (targets["entrez"].to_numpy()[inside], targets["sign"].to_numpy(float)[inside])
    return int(np.count_nonzero(exact_walk(graph, seeds).values))


def _known(drug_id: str) -> pd.DataFrame:
    from ddi_core.data import entities

    dti = entities.signed_dti()
    return dti[dti["chemical_id"] == drug_id]


def test_every_hsn_edge_changes_the_walk(real_home, hsn, hsn_all, profiles):
    at = _open()
    at.text_input(key=state.WALK_QUERY).set_value(ASPIRIN).run()
    assert not at.exception
    assert at.radio(key=walk_cache.WALK_EDGES).value == "signed"  # today's default
    signed = _metric(at, "genes reached")
    aspirin = _known(ASPIRIN)
    assert signed == _reached(hsn, aspirin)
    line = next(m.value for m in at.markdown if m.value.startswith("**With every HSN edge"))
    assert f"{_reached(hsn_all, aspirin):,} genes reached (this walk: {signed:,})" in line
    assert "cosine between the two profiles" in line

    at.radio(key=walk_cache.WALK_EDGES).set_value("all").run()
    assert not at.exception
    every = _metric(at, "genes reached")
    assert every == _reached(hsn_all, aspirin) and every != signed
    line = next(m.value for m in at.markdown if m.value.startswith("**With signed edges only"))
    assert f"{signed:,} genes reached (this walk: {every:,})" in line
    # the targets table says where each seed comes from
    tt = _frame(at, "in network")
    assert set(tt["seed"]) == {"known"}
    assert tt["in network"].tolist() == hsn_all.contains(tt["gene"].to_numpy()).tolist()


def test_edges_option_only_for_hsn(real_home, profiles):
    at = _open()
    assert at.radio(key=walk_cache.WALK_EDGES)
    at.selectbox(key=state.WALK_NETWORK).set_value("signor").run()
    assert not at.exception
    assert not [r for r in at.radio if r.key == walk_cache.WALK_EDGES]
    assert not [m for m in at.markdown if m.value.startswith("**With every HSN edge")]


def test_predicted_seeds_not_cached_are_explained(real_home, hsn, profiles):
    at = _open()
    before = _metric(at, "genes reached")
    at.radio(key=walk_cache.WALK_SEEDS).set_value("known+predicted").run()
    assert not at.exception
    (info,) = [i.value for i in at.info if "not computed yet" in i.value]
    assert "ddi train --preset paper" in info and "ddi targets profiles" in info
    # it falls back to the known targets: the same walk as before
    assert at.selectbox(key=state.WALK_DRUG).value == METFORMIN
    assert _metric(at, "genes reached") == before == _reached(hsn, _known(METFORMIN))
    assert set(_frame(at, "in network")["seed"]) == {"known"}


def test_cached_predicted_seeds_are_walked(real_home, hsn, profiles):
    from ddi_core.walk.profiles import DrugProfiles

    hub = int(hsn.node_ids[np.argmax(hsn.out_degree)])
    seeds = pd.DataFrame(
        {
            "chemical_id": [WARFARIN, METFORMIN],
            "entrez": [hub, hub],
            "sign": [-1, 1],
            "source": ["predicted", "predicted"],
            "probability": [0.81234, 0.5],
        }
    )
    fake = DrugProfiles(
        drug_ids=np.array([METFORMIN, WARFARIN]),
        gene_ids=hsn.node_ids,
        X=np.zeros((2, hsn.n_nodes), np.float32),
        seeds=seeds,
        meta={"cache_key": "test-walk-variants"},
    )
    asked = []

    def cached(cfg):
        asked.append(cfg)
        return fake if cfg.network == "hsn" and not cfg.include_phy else None

    profiles(cached)
    at = _open(drug=WARFARIN)  # a link: typed in the text box, as it has no seed in the network
    assert any("nothing to walk from" in w.value for w in at.warning)
    assert not any(f"({WARFARIN})" in o for o in at.selectbox(key=state.WALK_DRUG).options)

    at.radio(key=walk_cache.WALK_SEEDS).set_value("known+predicted").run()
    assert not at.exception and not [i for i in at.info if "not computed yet" in i.value]
    assert not at.warning
    assert {c.seed_source for c in asked} == {"known+predicted"}
    paper = preset("paper").walk  # the paper preset's target calls
    assert all(
        c.phy_sign == -1
        and (c.target_calls, c.target_top_k) == (paper.target_calls, paper.target_top_k)
        for c in asked
    )
    picker = at.selectbox(key=state.WALK_DRUG)
    assert "known or predicted target" in picker.label
    assert any(f"({WARFARIN})" in o for o in picker.options)  # offered with predicted seeds

    tt = _frame(at, "in network").set_index("gene")
    assert tt.loc[VKORC1, "seed"] == "known" and not tt.loc[VKORC1, "in network"]
    assert tt.loc[hub, "seed"] == "predicted (p = 0.812)" and tt.loc[hub, "in network"]
    assert tt.loc[hub, "sign"] == "inhibition"
    want = _reached(hsn, pd.DataFrame({"entrez": [hub], "sign": [-1]}))
    assert _metric(at, "genes reached") == want > 0
    line = next(m.value for m in at.markdown if m.value.startswith("**With known targets only"))
    assert f"0 genes reached (this walk: {want:,}) from 0 seeds" in line
    assert "n/a" in line

    # back to known seeds: warfarin again has nothing to walk from
    at.radio(key=walk_cache.WALK_SEEDS).set_value("known").run()
    assert not at.exception
    assert any("nothing to walk from" in w.value for w in at.warning)
