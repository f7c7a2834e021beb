"""Edge hiding, negative sampling and the hierarchy-coherence statistic."""

from __future__ import annotations

import numpy as np
import pytest

from ddi_core.embed.coherence import hierarchy_coherence
from ddi_core.embed.evaluate_embeddings import link_prediction, sample_non_edges, split_edges
from ddi_core.embed.node2vec import Node2VecConfig
from ddi_core.graphs.networks import from_edges


def _random_graph(n=200, m=800, seed=0):
    rng = np.random.default_rng(seed)
    return from_edges(np.arange(n), rng.integers(0, n, m), rng.integers(0, n, m))


def test_split_edges_hides_fraction_without_isolating():
    g = _random_graph()
    train, hidden = split_edges(g, 0.1, seed=3)
    assert len(hidden) == round(0.1 * g.n_edges)
    assert train.n_edges == g.n_edges - len(hidden)
    assert not train.has_edges(hidden[:, 0], hidden[:, 1]).any()
    assert g.has_edges(hidden[:, 0], hidden[:, 1]).all()
    # nobody who had an edge loses all of them
    assert ((g.degree() > 0) <= (train.degree() > 0)).all()
    again, hidden2 = split_edges(g, 0.1, seed=3)
    np.testing.assert_array_equal(hidden, hidden2)


def test_split_edges_leaves_leaves_alone():
    # a star: every edge touches a degree-1 leaf, nothing can be hidden
    g = from_edges(np.arange(6), [0] * 5, [1, 2, 3, 4, 5])
    train, hidden = split_edges(g, 0.4, seed=0)
    assert len(hidden) == 0 and train.n_edges == 5


def test_sample_non_edges_are_distinct_non_edges():
    g = _random_graph()
    neg = sample_non_edges(g, 3000, np.random.default_rng(0))
    assert neg.shape == (3000, 2)
    assert (neg[:, 0] < neg[:, 1]).all()
    assert not g.has_edges(neg[:, 0], neg[:, 1]).any()
    assert len(np.unique(neg[:, 0] * g.n_nodes + neg[:, 1])) == 3000


def test_sample_non_edges_refuses_impossible_request():
    g = from_edges(np.arange(3), [0, 1, 0], [1, 2, 2])  # triangle: no non-edge
    with pytest.raises(ValueError):
        sample_non_edges(g, 1, np.random.default_rng(0))


def test_hierarchy_coherence_separates_linked_pairs():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(100, 8))
    vec = np.vstack([base, base + 0.05 * rng.normal(size=base.shape)])
    pairs = np.column_stack([np.arange(100), np.arange(100, 200)])
    out = hierarchy_coherence(vec, pairs, seed=1)
    assert out["parent_child_cos"] > 0.99
    assert abs(out["random_cos"]) < 0.15
    assert out["mannwhitney_p"] < 1e-20
    assert out["auc"] > 0.95
    assert out["n_pairs"] == out["n_random"] == 100


def test_hierarchy_coherence_null_is_not_significant():
    rng = np.random.default_rng(1)
    vec = rng.normal(size=(300, 8))
    pairs = rng.integers(0, 300, size=(200, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    out = hierarchy_coherence(vec, pairs, seed=2)
    assert out["mannwhitney_p"] > 0.001


def test_link_prediction_on_planted_communities():
    # 4 dense communities with sparse links between them: hidden edges are
    # predictable, the AUROC must be well above chance
    rng = np.random.default_rng(0)
    n, k = 160, 4
    comm = np.repeat(np.arange(k), n // k)
    src, dst = rng.integers(0, n, 4000), rng.integers(0, n, 4000)
    keep = (comm[src] == comm[dst]) | (rng.random(4000) < 0.03)
    g = from_edges(np.arange(n), src[keep], dst[keep])
    cfg = Node2VecConfig(dim=16, num_walks=20, walk_length=20, window=3, sample=0.0)
    out = link_prediction(g, cfg)
    assert out["auroc"] > 0.75  # 0.86 measured; chance is 0.5
    assert out["n_hidden"] == round(0.1 * g.n_edges)
