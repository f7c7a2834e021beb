"""CSR graph construction and the MeSH tree / CTD gene-overlap edge builders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ddi_core.graphs.networks import from_edges, gene_jaccard_edges, mesh_tree_edges


def test_from_edges_symmetric_sorted_dedup():
    g = from_edges(
        ["a", "b", "c", "d"], [2, 0, 1, 0, 3], [0, 2, 0, 0, 3], [1.0, 5.0, 2.0, 9.0, 4.0]
    )
    # (2,0) and (0,2) collapse keeping weight 5; self loops (0,0), (3,3) dropped
    assert g.n_nodes == 4 and g.n_edges == 2
    assert g.neighbors(0).tolist() == [1, 2]
    assert g.neighbors(2).tolist() == [0]
    assert g.neighbors(3).tolist() == []
    assert g.edges().tolist() == [[0, 1], [0, 2]]
    assert g.edge_weights().tolist() == [2.0, 5.0]
    m = g.to_scipy()
    assert (m != m.T).nnz == 0


def test_has_edges_vectorised():
    g = from_edges(np.arange(5), [0, 1, 2], [1, 2, 3])
    assert g.has_edges([1, 0, 3, 0, 4], [0, 2, 2, 4, 4]).tolist() == [
        True,
        False,
        True,
        False,
        False,
    ]


def test_from_edges_rejects_bad_input():
    with pytest.raises(ValueError, match="out of range"):
        from_edges([0, 1], [0], [2])
    with pytest.raises(ValueError, match="positive"):
        from_edges([0, 1], [0], [1], [0.0])


def test_subgraph_edges_keeps_nodes_and_weights():
    g = from_edges(np.arange(4), [0, 1, 2], [1, 2, 3], [1.0, 2.0, 3.0])
    h = g.subgraph_edges(np.array([[1, 2], [2, 3]]))
    assert h.n_nodes == 4 and h.n_edges == 2
    assert h.edge_weights().tolist() == [2.0, 3.0]


def test_mesh_tree_edges_hand_example():
    ids = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]
    trees = [
        "C01",  # D1 root of C01
        "C01.100|C04.200",  # D2: two tree numbers -> one node, parents D1 and D5
        "C01.100.300",  # D3 child of D2
        "F01.100",  # D4 behaviour: not a disease branch
        "C04",  # D5
        "F03|F03.050",  # D6 mental disorders (root and its child under itself)
        "",  # D7 no tree numbers
    ]
    nodes, edges = mesh_tree_edges(ids, trees)
    assert nodes == ["D1", "D2", "D3", "D5", "D6"]
    assert edges == [("D2", "D1"), ("D2", "D5"), ("D3", "D2")]


def test_mesh_tree_edges_branch_prefix_is_exact():
    nodes, _ = mesh_tree_edges(["A", "B"], ["F03.1", "F030.2"], branches=("F03",))
    assert nodes == ["A"]


def test_gene_jaccard_edges_hand_computed():
    gd = pd.DataFrame(
        {
            "gene_symbol": ["g1", "g2", "g3", "g1", "g2", "g4", "g1", "g1"],
            "disease_id": ["A", "A", "A", "B", "B", "B", "C", "C"],
        }
    )
    # A={g1,g2,g3}, B={g1,g2,g4}: shared 2, J=2/4; A,C shared 1 (J=1/3); B,C 1/3
    out = gene_jaccard_edges(gd, threshold=0.3, min_shared=2)
    assert out[["disease_a", "disease_b", "shared"]].values.tolist() == [["A", "B", 2]]
    assert out["jaccard"].iloc[0] == pytest.approx(0.5)
    out1 = gene_jaccard_edges(gd, threshold=0.3, min_shared=1)
    assert len(out1) == 3
    assert gene_jaccard_edges(gd, threshold=0.6, min_shared=1).empty
