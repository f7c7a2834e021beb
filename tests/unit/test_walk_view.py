"""Walk view helpers: seeds, ranking, the displayed subnetwork, colours, the player HTML."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from ddi_core.errors import UnknownEntityError
from ddi_core.graphs.signaling import signed_graph_from_edges
from ddi_core.walk.algorithm import exact_walk
from ddi_core.walk.view import (
    drug_walk,
    drugs_in_network,
    rank_nodes,
    seeds_of,
    target_table,
    walk_subnetwork,
)
from ui import walk_graph as wg
from ui.pickers import resolve_query

A, B, C, D, E, F, G = 10, 20, 30, 40, 50, 60, 70  # G is not in the network
PARAMS = {"alpha": 0.0, "decay": 0.5, "max_steps": 3}


@pytest.fixture
def g():
    # A -> B -| C -> A (a cycle that flips the sign once), D -> E (E a dead end), F -> A
    edges = [(A, B, 1), (B, C, -1), (C, A, 1), (D, E, 1), (F, A, 1)]
    return signed_graph_from_edges(
        pd.DataFrame(edges, columns=["source", "target", "sign"]),
        symbols={A: "GA", B: "GB", C: "GC", D: "GD", E: "GE", F: "GF"},
    )


@pytest.fixture
def targets():
    return pd.DataFrame(
        {
            "chemical_id": "X",
            "entrez": [D, G, A],
            "symbol": ["GD", "GG", "GA"],
            "sign": [1, 1, -1],
            "sources": ["signor", "drugcentral", "drugcentral"],
        }
    )


def test_target_table_sorts_and_marks_the_network(g, targets):
    t = target_table(g, targets)
    assert t["gene"].tolist() == [A, D, G]
    assert t["effect"].tolist() == ["inhibition", "activation", "activation"]
    assert t["in_network"].tolist() == [True, True, False]
    ids, signs = seeds_of(t)
    assert ids.tolist() == [A, D] and signs.tolist() == [-1.0, 1.0]


def test_drug_walk_hand_computed_and_ranked(g, targets):
    w = drug_walk(g, target_table(g, targets), **PARAMS)
    # A: -1 at t=0, B -0.5 (t=1), C +0.25 (t=2, flipped), A +0.125 (t=3); D +1, E +0.5
    np.testing.assert_allclose(w.values, [-0.875, -0.5, 0.25, 1.0, 0.5, 0.0])
    # |value| descending, the B/E tie (0.5) broken by Entrez id, F (zero) left out
    assert g.node_ids[rank_nodes(g, w.values)].tolist() == [D, A, B, E, C]
    assert g.node_ids[rank_nodes(g, w.values, 2)].tolist() == [D, A]


def test_drug_walk_without_targets_in_the_network_is_zero(g):
    t = target_table(
        g, pd.DataFrame({"entrez": [G], "symbol": ["GG"], "sign": [1], "sources": ["s"]})
    )
    w = drug_walk(g, t, **PARAMS)
    assert w.trace.shape == (4, g.n_nodes) and not w.trace.any()


def test_subnetwork_respects_the_cap_and_keeps_targets(g, targets):
    t = target_table(g, targets)
    w = drug_walk(g, t, **PARAMS)
    sub = walk_subnetwork(g, w, seeds_of(t), cap=3)
    assert sub.node_ids.tolist() == [D, A, B]  # 2 targets + the best non-target
    assert sub.is_target.tolist() == [True, True, False]
    assert sub.target_sign.tolist() == [1, -1, 0]
    assert sub.edges.tolist() == [[1, 2, 1]]  # A -> B only; B -| C leaves the view
    assert sub.n_reached == 5
    # fewer places than targets: every target, nothing else
    assert walk_subnetwork(g, w, seeds_of(t), cap=1).node_ids.tolist() == [D, A]
    with pytest.raises(ValueError):
        walk_subnetwork(g, w, seeds_of(t), cap=0)


def test_subnetwork_edges_and_trace_match_the_graph(g, targets):
    t = target_table(g, targets)
    w = drug_walk(g, t, **PARAMS)
    sub = walk_subnetwork(g, w, seeds_of(t), cap=10)
    assert sub.node_ids.tolist() == [D, A, B, E, C]  # F is never reached
    ids = sub.node_ids
    got = {(int(ids[s]), int(ids[d]), int(sg)) for s, d, sg in sub.edges}
    assert got == {(D, E, 1), (A, B, 1), (B, C, -1), (C, A, 1)}
    direct = exact_walk(g, {A: -1, D: 1}, **PARAMS)
    np.testing.assert_allclose(sub.trace, direct.trace[:, g.index_of(ids)])
    np.testing.assert_allclose(sub.trace[0], [1, -1, 0, 0, 0])  # only the seeds at t = 0


def test_drugs_in_network_lists_only_drugs_with_a_target_inside(g):
    dti = pd.DataFrame({"chemical_id": ["X", "X", "Y", "Z"], "entrez": [A, G, G, B]})
    drugs = pd.DataFrame({"chemical_id": ["X", "Y", "Z"], "name": ["zeta", "yot", "Alpha"]})
    out = drugs_in_network(g, dti, drugs)
    assert out["chemical_id"].tolist() == ["Z", "X"]  # by name, case-folded; Y has none inside
    assert out["label"].tolist() == ["Alpha (Z)", "zeta (X)"]
    assert out["n_targets"].tolist() == [1, 2] and out["n_in_network"].tolist() == [1, 1]


def test_colours_follow_sign_and_magnitude():
    vals = np.array([1.0, -1.0, 0.0, 1e-3, -(10**-1.5), 1e-6])
    cols = wg.node_colours(vals, 1.0)
    assert cols[:4] + cols[5:] == [wg.POS[1], wg.NEG[1], wg.ZERO, wg.POS[0], wg.POS[0]]
    np.testing.assert_allclose(wg.intensity(vals, 1.0), [1, 1, 0, 0, 0.5, 0])
    mid = cols[4]  # half way along the blue scale, 1.5 decades below the top
    assert mid not in wg.NEG and int(mid[5:7], 16) > int(mid[1:3], 16)
    sizes = wg.node_sizes(vals, 1.0)
    assert sizes[0] == wg.SIZE_RANGE[1] and sizes[2] == wg.SIZE_RANGE[0]
    assert wg.node_colours(np.array([0.5]), 0.0) == [wg.POS[0]]  # no scale: weakest colour


def _walk_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="walk-data">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_html_embeds_the_trace_and_no_cdn(g, targets):
    t = target_table(g, targets)
    sub = walk_subnetwork(g, drug_walk(g, t, **PARAMS), seeds_of(t), cap=10)
    html = wg.walk_html(sub, initial_step=9)
    data = _walk_data(html)
    assert data["ids"] == sub.node_ids.tolist() and data["initial"] == 3  # clipped to L
    np.testing.assert_allclose(data["values"], sub.trace, rtol=1e-6)
    assert data["color"][0][0] == wg.POS[1] and data["color"][0][2] == wg.ZERO  # D +1, B not yet
    assert 'data-nodes="5"' in html and 'data-edges="4"' in html
    assert html.count('"shape": "diamond"') == 2  # the two targets
    assert "vis.Network" in html and "nodes.update" in html and 'id="walk-play"' in html
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=\"https?://", html)


def test_layout_is_deterministic_and_finite(g, targets):
    t = target_table(g, targets)
    sub = walk_subnetwork(g, drug_walk(g, t, **PARAMS), seeds_of(t), cap=10)
    xy = wg.layout(sub)
    assert xy.shape == (5, 2) and np.isfinite(xy).all()
    np.testing.assert_array_equal(xy, wg.layout(sub))
    with pytest.raises(ValueError):
        wg.walk_html(sub, initial_step=0, positions=xy[:2])


def test_resolve_query_takes_a_trailing_id():
    seen = []

    def resolve(text: str) -> str:
        seen.append(text)
        if text == "nope":
            raise UnknownEntityError("drug", text, ["Nope"])
        return "D1"

    assert resolve_query("Metformin (D008687)", resolve) == "D1" and seen == ["D008687"]
    assert resolve_query("glucophage", resolve) == "D1" and seen[-1] == "glucophage"
    with pytest.raises(UnknownEntityError):
        resolve_query("nope", resolve)
