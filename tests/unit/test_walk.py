"""Signed walker: hand-computed answers on tiny graphs, MC vs exact, invariances."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ddi_core.errors import UnknownEntityError
from ddi_core.graphs.signaling import SignedGraph, load_signaling_network, signed_graph_from_edges
from ddi_core.walk import algorithm as walk
from ddi_core.walk import monte_carlo as walk_mc

A, B, C, D = 10, 20, 30, 40  # Entrez-like ids; node indices 0..3 in sorted order


def graph(edges: list[tuple[int, int, int]]) -> SignedGraph:
    return signed_graph_from_edges(pd.DataFrame(edges, columns=["source", "target", "sign"]))


def exact(g: SignedGraph, seeds, **kw) -> np.ndarray:
    return walk.exact_walk(g, seeds, **kw).values


def responses(g: SignedGraph, genes, **kw) -> np.ndarray:
    return walk.gene_responses(g, genes, **kw)


def mc(g: SignedGraph, seeds, seed: int = 0, **kw) -> np.ndarray:
    return walk_mc.monte_carlo_walk(g, seeds, rng=np.random.default_rng(seed), **kw)


def random_graph(rng: np.random.Generator, n: int = 25, m: int = 70) -> SignedGraph:
    """Cycles, self-loops, dead ends, duplicates and a few sign-0 edges."""
    df = pd.DataFrame(
        {
            "source": rng.integers(0, n, m) * 7 + 3,
            "target": rng.integers(0, n, m) * 7 + 3,
            "sign": rng.choice([-1, 0, 1], m, p=[0.35, 0.1, 0.55]),
        }
    )
    return signed_graph_from_edges(df)


# --------------------------------------------------------------- SignedGraph


def test_graph_csr_and_duplicate_rules():
    df = pd.DataFrame(
        {
            "source": [A, A, A, B, B, C, C],
            "target": [B, B, C, C, C, A, D],
            "sign": [1, 1, -1, 1, -1, 0, -1],
        }
    )
    before = df.copy()
    g = signed_graph_from_edges(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert g.node_ids.tolist() == [A, B, C, D]
    assert g.indptr.tolist() == [0, 2, 3, 5, 5]
    assert g.indices.tolist() == [1, 2, 2, 0, 3]
    # A->B listed twice with +1: one +1 edge; B->C +1 and -1: conflict -> 0
    assert g.signs.tolist() == [1, -1, 0, 0, -1]
    assert g.meta["duplicate_rows_merged"] == 2 and g.meta["conflicting_pairs"] == 1
    assert g.out_degree.tolist() == [2, 1, 2, 0]
    t = g.transition().toarray()
    assert t[0].tolist() == [0, 0.5, -0.5, 0] and t[3].tolist() == [0, 0, 0, 0]


def test_signed_row_beats_unsigned_duplicate():
    g = graph([(A, B, 0), (A, B, -1)])
    assert g.signs.tolist() == [-1]


def test_graph_is_read_only_and_lookups():
    g = graph([(A, B, 1), (B, C, -1)])
    with pytest.raises(ValueError):
        g.signs[0] = -1
    assert g.index_of([C, A]).tolist() == [2, 0]
    assert g.contains([A, 99]).tolist() == [True, False]
    with pytest.raises(UnknownEntityError):
        g.index_of([99])


def test_graph_rejects_bad_signs():
    with pytest.raises(ValueError, match="signs"):
        graph([(A, B, 2)])


def test_load_hsn_drops_phy_by_default(monkeypatch):
    from ddi_core.data import loaders

    hsn = pd.DataFrame(
        {
            "source_entrez": [A, B, B, C],
            "source_symbol": ["a", "b", "b", "c"],
            "target_entrez": [B, C, D, A],
            "target_symbol": ["b", "c", "d", "a"],
            "type": pd.Categorical(["Pos", "Neg", "Phy", "Phy"]),
            "sign": np.array([1, -1, 0, 0], np.int8),
        }
    )
    monkeypatch.setattr(loaders, "load_hsn", lambda: hsn)
    g = load_signaling_network("hsn")
    assert g.node_ids.tolist() == [A, B, C]
    assert g.signs.tolist() == [1, -1] and g.meta["phy_rows_dropped"] == 2
    assert g.symbol_of(1) == "b"
    g2 = load_signaling_network("hsn", include_phy=True, phy_sign=-1)
    assert g2.node_ids.tolist() == [A, B, C, D]
    assert g2.to_frame().sign.tolist() == [1, -1, -1, -1]  # A>B, B>C, B>D, C>A
    bad = hsn.assign(sign=np.array([1, 1, 0, 0], np.int8))  # Neg with +1
    monkeypatch.setattr(loaders, "load_hsn", lambda: bad)
    with pytest.raises(ValueError, match="disagrees"):
        load_signaling_network("hsn")


# ------------------------------------------------------- hand-computed walks

ALL = ("exact", "responses", "mc")


def values(kind: str, g: SignedGraph, seed_id: int, **kw) -> np.ndarray:
    if kind == "exact":
        return exact(g, {seed_id: 1}, **kw)
    if kind == "responses":
        return responses(g, [seed_id], **kw)[0]
    return mc(g, {seed_id: 1}, n_walks=5, **kw)  # deterministic graphs below


@pytest.mark.parametrize("kind", ALL)
def test_chain_without_restart(kind):
    g = graph([(A, B, 1), (B, C, 1)])
    d = 0.9
    v = values(kind, g, A, alpha=0.0, decay=d, max_steps=15)
    np.testing.assert_allclose(v, [1.0, d, d * d], rtol=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_inhibition_flips_and_propagates_sign(kind):
    g = graph([(A, B, -1), (B, C, 1)])
    v = values(kind, g, A, alpha=0.0, decay=0.5, max_steps=5)
    np.testing.assert_allclose(v, [1.0, -0.5, -0.25], rtol=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_dead_end_stops_the_walk_before_any_restart(kind):
    # B has no out-edges: the walk ends there, even with alpha > 0
    g = graph([(A, B, 1)])
    v = values(kind, g, A, alpha=0.5, decay=0.5, max_steps=10)
    np.testing.assert_allclose(v, [1.0, 0.5], rtol=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_seed_that_is_a_dead_end_only_gets_its_start(kind):
    g = graph([(A, B, 1)])
    v = values(kind, g, B, alpha=0.3, decay=0.5, max_steps=10)
    np.testing.assert_allclose(v, [0.0, 1.0], rtol=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_restart_suppressed_at_step_one_and_after_a_restart(kind):
    # alpha = 1: t=1 move A->B (no restart at step 1); t=2 restart (A gains d^2);
    # t=3 must move (just restarted) A->B; t=4 restart ... C is never reached.
    g = graph([(A, B, 1), (B, C, -1)])
    d = 0.5
    v = values(kind, g, A, alpha=1.0, decay=d, max_steps=4)
    np.testing.assert_allclose(v, [1 + d**2 + d**4, d + d**3, 0.0], rtol=1e-12)


@pytest.mark.parametrize("kind", ("exact", "responses"))
def test_partial_restart_by_hand(kind):
    # A -> B -| C (C dead end), alpha = 0.3, d = 0.5, L = 4, enumerated by hand:
    # t2: restart (0.3) A +d^2, else move C -d^2 (0.7), walk ends at C;
    # t3: restarted walkers move A->B +d^3; t4: they restart (0.3) A +d^4 or move to C -d^4.
    g = graph([(A, B, 1), (B, C, -1)])
    a, d = 0.3, 0.5
    v = values(kind, g, A, alpha=a, decay=d, max_steps=4)
    expect = [1 + a * d**2 + a * a * d**4, d + a * d**3, -(1 - a) * d**2 - a * (1 - a) * d**4]
    np.testing.assert_allclose(v, expect, rtol=1e-12)
    np.testing.assert_allclose(v, [1.080625, 0.5375, -0.188125], rtol=1e-12)


@pytest.mark.parametrize("kind", ("exact", "responses"))
def test_uniform_choice_over_distinct_neighbours_and_sign_zero(kind):
    # A -> B (+), A -> C (-), A -> D (sign 0); D -> A keeps going with no signal
    g = graph([(A, B, 1), (A, B, 1), (A, C, -1), (A, D, 0), (D, A, 1)])
    d = 0.5
    v = values(kind, g, A, alpha=0.0, decay=d, max_steps=2)
    # t1: B +d/3, C -d/3, D 0; t2: from D back to A with sign 0 -> A gains 0
    np.testing.assert_allclose(v, [1.0, d / 3, -d / 3, 0.0], rtol=1e-12)


def test_zero_steps_and_seed_signs():
    g = graph([(A, B, 1)])
    np.testing.assert_allclose(exact(g, {A: -1}, max_steps=0), [-1.0, 0.0])
    np.testing.assert_allclose(responses(g, [A, B], max_steps=0), np.eye(2))
    np.testing.assert_allclose(mc(g, {A: -1}, max_steps=0, n_walks=3), [-1.0, 0.0])


def test_trace_steps():
    g = graph([(A, B, 1), (B, C, -1)])
    d = 0.5
    res = walk.exact_walk(g, {A: -1}, alpha=0.0, decay=d, max_steps=3)
    assert res.trace.shape == (4, 3)
    np.testing.assert_allclose(
        res.trace, [[-1, 0, 0], [-1, -d, 0], [-1, -d, d * d], [-1, -d, d * d]]
    )
    np.testing.assert_array_equal(res.trace[-1], res.values)


def test_trace_last_step_matches_the_renewal_computation():
    g = random_graph(np.random.default_rng(5))
    ids = g.node_ids[[0, 3, 7]]
    res = walk.exact_walk(g, (ids, [1, -1, 1]))
    r = responses(g, ids)
    np.testing.assert_allclose(res.trace[-1], r[0] - r[1] + r[2], atol=1e-12)
    assert not np.allclose(res.trace[-2], res.trace[-1])  # the last step added something


# ------------------------------------------------------- exact vs sampling


@pytest.mark.parametrize(
    "alpha,decay,steps",
    [(0.3, 0.95, 15), (0.0, 0.9, 6), (1.0, 0.8, 7), (0.5, 1.0, 1), (0.7, 0.6, 2)],
)
def test_two_exact_algorithms_agree(alpha, decay, steps):
    g = random_graph(np.random.default_rng(1))
    kw = dict(alpha=alpha, decay=decay, max_steps=steps)
    r = responses(g, g.node_ids, chunk_size=7, **kw)
    for i in (0, 4, 11, 19):
        np.testing.assert_allclose(r[i], exact(g, {int(g.node_ids[i]): 1}, **kw), atol=1e-12)


def test_monte_carlo_converges_to_exact():
    g = random_graph(np.random.default_rng(2))
    seeds = {int(g.node_ids[1]): 1, int(g.node_ids[6]): -1}
    ex = exact(g, seeds)
    m, se = walk_mc.monte_carlo_walk(
        g, seeds, n_walks=20_000, rng=np.random.default_rng(3), return_se=True
    )
    hit = se > 0
    assert hit.sum() >= 5
    z = np.abs(m - ex)[hit] / se[hit]
    assert z.max() < 4.5, z.max()
    np.testing.assert_allclose(m[~hit], ex[~hit], atol=1e-12)
    # and 15 walks (the method's setting) are visibly noisy on the same graph
    m15 = walk_mc.monte_carlo_walk(g, seeds, n_walks=15, rng=np.random.default_rng(3))
    assert np.abs(m15 - ex).max() > 0.05


def test_monte_carlo_backends_and_rng():
    g = random_graph(np.random.default_rng(4))
    seeds = {int(g.node_ids[2]): 1, int(g.node_ids[9]): -1}
    a = mc(g, seeds, seed=7, n_walks=200)
    np.testing.assert_array_equal(a, mc(g, seeds, seed=7, n_walks=200))
    assert not np.array_equal(a, mc(g, seeds, seed=8, n_walks=200))
    numba_vals = mc(g, seeds, seed=7, n_walks=200, backend="numba")
    np.testing.assert_allclose(numba_vals, a, rtol=1e-12, atol=1e-15)


def test_monte_carlo_profiles_rows_match_single_walks():
    g = random_graph(np.random.default_rng(6))
    S = sp.csr_matrix(np.array([[1, 0, -1] + [0] * (g.n_nodes - 3), [0] * (g.n_nodes - 1) + [1]]))
    out = walk_mc.monte_carlo_profiles(g, S, n_walks=50, rng=np.random.default_rng(1))
    rng = np.random.default_rng(1)
    first = walk_mc.monte_carlo_walk(g, (g.node_ids[[0, 2]], [1, -1]), n_walks=50, rng=rng)
    second = walk_mc.monte_carlo_walk(g, {int(g.node_ids[-1]): 1}, n_walks=50, rng=rng)
    np.testing.assert_allclose(out, [first, second], rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------- invariances


def test_node_order_does_not_matter():
    rng = np.random.default_rng(8)
    g = random_graph(rng)
    df = g.to_frame()
    new_id = dict(zip(g.node_ids.tolist(), rng.permutation(g.n_nodes) * 11 + 5, strict=True))
    h = signed_graph_from_edges(
        df.assign(source=df.source.map(new_id), target=df.target.map(new_id))
    )
    assert not np.array_equal(h.index_of([new_id[i] for i in g.node_ids]), np.arange(g.n_nodes))
    seeds = g.node_ids[[0, 5]]
    r_g = responses(g, seeds)
    r_h = responses(h, [new_id[i] for i in seeds])
    back = h.index_of([new_id[i] for i in g.node_ids])  # h's index of each g node
    np.testing.assert_allclose(r_h[:, back], r_g, atol=1e-12)
    e_h = exact(h, {new_id[int(seeds[0])]: -1})
    np.testing.assert_allclose(e_h[back], -r_g[0], atol=1e-12)


def test_profiles_are_linear_in_the_seeds():
    g = random_graph(np.random.default_rng(9))
    i, j = 3, 8
    r = responses(g, g.node_ids[[i, j]])
    two = exact(g, {int(g.node_ids[i]): 1, int(g.node_ids[j]): -1})
    np.testing.assert_allclose(two, r[0] - r[1], atol=1e-12)
    S = sp.lil_matrix((3, g.n_nodes))
    S[0, i], S[0, j] = 1, -1
    S[1, j] = 1
    profiles = walk.drug_profiles(g, S, chunk_size=1)
    np.testing.assert_allclose(profiles, [r[0] - r[1], r[1], np.zeros(g.n_nodes)], atol=1e-12)


def test_seed_matrix_from_a_dti_table():
    g = graph([(A, B, 1), (B, C, -1)])
    dti = pd.DataFrame(
        {
            "chemical_id": ["D2", "D1", "D1", "D1", "D3"],
            "entrez": [B, A, 999, C, 999],
            "sign": [-1, 1, 1, -1, 1],
        }
    )
    S, drugs = walk.seed_matrix(g, dti)
    assert drugs.tolist() == ["D1", "D2"]  # D3 has no target in the network
    np.testing.assert_array_equal(S.toarray(), [[1, 0, -1], [0, -1, 0]])


def test_invalid_parameters():
    g = graph([(A, B, 1)])
    with pytest.raises(ValueError):
        exact(g, {A: 1}, alpha=1.5)
    with pytest.raises(ValueError):
        responses(g, [A], max_steps=-1)
    with pytest.raises(UnknownEntityError):
        exact(g, {999: 1})
    with pytest.raises(TypeError):
        walk_mc.monte_carlo_walk(g, {A: 1}, rng=0)  # type: ignore[arg-type]


# ------------------------------------------------------------------ ddi walk


def test_walk_report_shape_and_ranking():
    import json

    from ddi_core.cli.walk import format_report, walk_report

    g = signed_graph_from_edges(
        pd.DataFrame({"source": [A, B], "target": [B, C], "sign": [1, -1]}),
        symbols={A: "GA", B: "GB", C: "GC"},
        name="toy",
    )
    targets = pd.DataFrame(
        {
            "entrez": [A, 999],
            "symbol": ["GA", "NOPE"],
            "sign": [-1, 1],
            "sources": ["drugcentral", "signor"],
        }
    )
    rep = walk_report(
        g,
        drug_id="D1",
        drug_name="drug one",
        targets=targets,
        alpha=0.0,
        decay=0.5,
        steps=3,
        top=2,
        trace=True,
    )
    json.dumps(rep)  # JSON-ready
    assert rep["drug"] == {"id": "D1", "name": "drug one"}
    assert [t["in_network"] for t in rep["targets"]] == [True, False]
    # seed A inhibited: A -1, B -0.5, C +0.25 (B -| C flips back); top 2 by |value|
    assert rep["top_genes"] == [
        {"gene": A, "symbol": "GA", "value": -1.0},
        {"gene": B, "symbol": "GB", "value": -0.5},
    ]
    assert rep["nonzero"] == 3 and rep["steps"] == 3
    assert rep["trace"] == [[-1.0, 0.0], [-1.0, -0.5], [-1.0, -0.5], [-1.0, -0.5]]
    assert "GB" in format_report(rep)


def test_walk_report_without_targets_in_network():
    from ddi_core.cli.walk import walk_report

    g = graph([(A, B, 1)])
    targets = pd.DataFrame({"entrez": [999], "symbol": ["X"], "sign": [1], "sources": ["s"]})
    rep = walk_report(
        g, drug_id="D", drug_name="d", targets=targets, alpha=0.3, decay=0.9, steps=2, trace=True
    )
    assert rep["top_genes"] == [] and rep["nonzero"] == 0 and rep["trace"] == [[], [], []]


def test_cli_registers_walk():
    from ddi_core.cli.main import build_parser

    args = build_parser().parse_args(["walk", "aspirin", "--steps", "3", "--top", "5"])
    assert (args.steps, args.top, args.alpha, args.decay, args.network, args.preset) == (
        3,
        5,
        0.3,
        0.95,
        None,
        "paper",
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["walk", "aspirin", "--alpha", "1.5"])


def test_walk_settings_are_bounded_everywhere():
    """A decay above 1 grows the signal without bound and a walk of 10^8 steps never ends:
    the algorithm, the CLI and the page's link refuse them with the limit named."""
    from ddi_core.cli.main import build_parser
    from ddi_core.walk.algorithm import MAX_STEPS_LIMIT, _check_params
    from ui.walk_focus import parse_entrez

    for alpha, decay, steps, says in [
        (0.3, 2.0, 15, "decay must be in (0, 1]"),
        (0.3, float("inf"), 15, "decay must be in (0, 1]"),
        (0.3, float("nan"), 15, "decay must be in (0, 1]"),
        (0.3, 0.95, MAX_STEPS_LIMIT + 1, f"from 0 to {MAX_STEPS_LIMIT}"),
        (float("nan"), 0.95, 15, "alpha must be in [0, 1]"),
    ]:
        with pytest.raises(ValueError, match=re.escape(says)):
            _check_params(alpha, decay, steps)
    _check_params(0.3, 1.0, MAX_STEPS_LIMIT)  # the limits themselves are allowed
    parser = build_parser()
    for argv in (
        ["--decay", "2"],
        ["--decay", "inf"],
        ["--steps", "100000000"],
        ["--alpha", "nan"],
    ):
        with pytest.raises(SystemExit):
            parser.parse_args(["walk", "aspirin", *argv])
    assert parser.parse_args(["walk", "aspirin", "--steps", "1000"]).steps == 1000
    assert parse_entrez("99999999999999999999999") is None and parse_entrez("-5") is None
    assert parse_entrez(" 4728 ") == 4728 and parse_entrez("4e3") is None
