"""node2vec embeddings on the real bundle (reduced configs where noted)."""

from __future__ import annotations

import numpy as np
import pytest

from ddi_core.embed.node2vec import Node2VecConfig
from ddi_core.embed.node2vec_stages import MeshEmbeddingConfig

pytestmark = pytest.mark.integration

# reduced protocol: link prediction on the PPI measured 0.93 AUROC with it (0.96 at 64-d,
# 4 walks); the full 300-d protocol is reported by `ddi embed ppi --json`
REDUCED = Node2VecConfig(dim=32, num_walks=2, walk_length=40, window=5)


@pytest.fixture(scope="module")
def ppi(real_home):
    from ddi_core.graphs.networks import ppi_graph

    return ppi_graph()


@pytest.fixture(scope="module")
def mesh(real_home):
    from ddi_core.graphs.networks import mesh_network

    return mesh_network()


def test_ppi_graph_matches_string_slice(ppi):
    assert ppi.n_nodes == 17_288
    assert ppi.n_edges == 174_962  # the file has no duplicate or reversed pairs
    assert ppi.ids.dtype == np.int64 and (np.diff(ppi.ids) > 0).all()
    assert ppi.degree().min() >= 1


def test_mesh_network_counts_and_ctd_coverage(mesh):
    from ddi_core.data.loaders import load_mesh_labels

    r = mesh.report
    assert (r["nodes"], r["edges"], r["tree_edges"]) == (5_155, 8_013, 8_014)
    assert r["components"] == 1
    assert (r["ctd_diseases"], r["ctd_diseases_covered"], r["ctd_uncovered"]) == (2_482, 2_373, 109)
    # every uncovered CTD disease really has no disease tree number (no silent misses)
    labels = load_mesh_labels().set_index("mesh_id")["tree_numbers"]
    for d in r["ctd_uncovered_ids"]:
        tns = str(labels.get(d, "") or "").split("|")
        assert not any(t.startswith(("C", "F03")) for t in tns if t), d
    assert not set(r["ctd_uncovered_ids"]) & set(mesh.graph.ids.tolist())
    # the known MeSH cycle: Strabismus and Ocular Motility Disorders are each other's parent
    ids = mesh.graph.ids.tolist()
    pairs = {(ids[a], ids[b]) for a, b in mesh.tree_edges}
    assert {("D013285", "D015835"), ("D015835", "D013285")} <= pairs


def test_mesh_gene_overlap_edges_add_coverage(real_home, mesh):
    from ddi_core.graphs.networks import MeshNetworkConfig, mesh_network

    net = mesh_network(MeshNetworkConfig(gene_jaccard_threshold=0.2))
    r = net.report
    assert r["gene_edges"] > 0
    assert r["edges"] > mesh.report["edges"]
    assert r["ctd_diseases_covered"] == mesh.report["ctd_diseases_covered"] + r["gene_only_nodes"]


@pytest.mark.slow
def test_ppi_link_prediction_reduced_config(ppi):
    from ddi_core.embed.evaluate_embeddings import link_prediction

    out = link_prediction(ppi, REDUCED, holdout=0.1, seed=0)
    assert out["n_hidden"] == 17_496
    assert out["auroc"] >= 0.80


@pytest.mark.slow
def test_mesh_embedding_coherent_and_cached(real_home, monkeypatch):
    from ddi_core.embed import node2vec_stages
    from ddi_core.embed.node2vec_stages import mesh_embedding

    cfg = MeshEmbeddingConfig(node2vec=REDUCED)
    emb = mesh_embedding(cfg)
    assert len(emb) == 5_155 and emb.dim == 32
    coh = emb.meta["coherence"]
    assert coh["parent_child_cos"] > coh["random_cos"] + 0.2
    assert coh["mannwhitney_p"] < 1e-50 and coh["auc"] > 0.9
    trained = []
    monkeypatch.setattr(node2vec_stages, "node2vec", lambda *a, **k: trained.append(a))
    again = mesh_embedding(cfg)
    assert trained == []  # a cache hit: node2vec did not run again
    np.testing.assert_array_equal(emb.vectors, again.vectors)
    # every covered CTD disease has a vector, none of the uncovered does
    _, found = again.lookup(again.meta["network"]["ctd_uncovered_ids"])
    assert not found.any()
