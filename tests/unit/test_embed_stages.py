"""Stage caching of ppi_embedding / mesh_embedding (tiny graphs patched in)."""

from __future__ import annotations

import numpy as np
import pytest

from ddi_core.embed import node2vec_stages
from ddi_core.embed.node2vec import Node2VecConfig
from ddi_core.embed.node2vec_stages import (
    MeshEmbeddingConfig,
    PPIEmbeddingConfig,
    mesh_embedding,
    ppi_embedding,
)
from ddi_core.graphs import networks
from ddi_core.graphs.networks import MeshNetwork, from_edges

TINY = Node2VecConfig(dim=8, num_walks=5, walk_length=10, window=2, sample=0.0)


@pytest.fixture
def tiny_ppi(tmp_home, monkeypatch):
    calls = []

    def fake_graph(edge_weight="none", table=None):
        calls.append(edge_weight)
        ids = np.array([10, 20, 30, 40, 50], dtype=np.int64)
        return from_edges(ids, [0, 1, 2, 3, 4], [1, 2, 3, 4, 0])

    inputs = {"ppi/PPI.rda": "a" * 64}
    monkeypatch.setattr(networks, "ppi_graph", fake_graph)
    monkeypatch.setattr(node2vec_stages, "ppi_inputs", lambda cfg=None: dict(inputs))
    return calls, inputs


def test_ppi_embedding_cached_then_recomputed_on_change(tiny_ppi):
    calls, inputs = tiny_ppi
    cfg = PPIEmbeddingConfig(node2vec=TINY)
    first = ppi_embedding(cfg)
    assert calls == ["none"]
    assert first.ids.tolist() == [10, 20, 30, 40, 50]
    assert first.vectors.shape == (5, 8) and first.vectors.dtype == np.float32
    assert first.meta["nodes"] == 5 and first.meta["edges"] == 5
    assert first.meta["walk_seconds"] >= 0 and first.meta["train_seconds"] > 0

    again = ppi_embedding(cfg)
    assert calls == ["none"]  # not recomputed
    np.testing.assert_array_equal(first.vectors, again.vectors)
    assert again.meta["cache_dir"] == first.meta["cache_dir"]

    ppi_embedding(PPIEmbeddingConfig(node2vec=TINY, edge_weight="combined_score"))
    assert calls == ["none", "combined_score"]  # config change
    inputs["ppi/PPI.rda"] = "b" * 64
    ppi_embedding(cfg)
    assert calls == ["none", "combined_score", "none"]  # input change
    ppi_embedding(cfg, force=True)
    assert len(calls) == 4


def test_progress_callback_reports_stages(tiny_ppi):
    seen = []
    ppi_embedding(PPIEmbeddingConfig(node2vec=TINY), lambda s, d, t: seen.append((s, d, t)))
    # 5 nodes x 5 walks = 25 walks: train progress at every walk (step = max(1, 25 // 100))
    assert seen[:2] == [("walks", 0, 1), ("walks", 1, 1)]
    assert seen[2:-1] == [("train", i, 25) for i in range(25)]
    assert seen[-1] == ("done", 1, 1)


def test_mesh_embedding_excludes_uncovered_and_reports(tmp_home, monkeypatch):
    ids = np.array(["D1", "D2", "D3", "D4"])
    g = from_edges(ids, [1, 2, 3], [0, 0, 1])
    report = {
        "nodes": 4,
        "edges": 3,
        "ctd_diseases": 5,
        "ctd_diseases_covered": 3,
        "ctd_uncovered": 2,
        "ctd_uncovered_ids": ["C1", "OMIM:1"],
    }
    net = MeshNetwork(graph=g, tree_edges=np.array([[1, 0], [2, 0], [3, 1]]), report=report)
    monkeypatch.setattr(networks, "mesh_network", lambda cfg=None: net)
    monkeypatch.setattr(node2vec_stages, "mesh_inputs", lambda cfg=None: {"x": "1"})
    emb = mesh_embedding(MeshEmbeddingConfig(node2vec=TINY))
    assert emb.ids.tolist() == ["D1", "D2", "D3", "D4"]
    assert emb.meta["network"]["ctd_uncovered_ids"] == ["C1", "OMIM:1"]
    vec, found = emb.lookup(["D2", "C1"])
    assert found.tolist() == [True, False] and vec.shape == (1, 8)
    assert set(emb.meta["coherence"]) >= {"parent_child_cos", "random_cos", "mannwhitney_p"}
