"""Molecular graph featuriser: shapes and values on hand-checked molecules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from ddi_core.embed.molgraph import (
    ATOM_BLOCKS,
    ATOM_DIM,
    BOND_DIM,
    ELEMENTS,
    collate,
    featurise,
    featurise_many,
)
from ddi_core.errors import SmilesError


def _block(x: np.ndarray, name: str, width: int) -> np.ndarray:
    start = ATOM_BLOCKS[name]
    return x[:, start : start + width]


def _argmax_block(x: np.ndarray, name: str, width: int) -> list[int]:
    return _block(x, name, width).argmax(1).tolist()


def test_dims_add_up():
    assert ATOM_DIM == len(ELEMENTS) + 1 + 7 + 5 + 6 + 1 + 5 + 1 + 2 == 58
    assert BOND_DIM == 6


def test_ethanol():
    g = featurise("CCO")
    assert g.x.shape == (3, ATOM_DIM) and g.x.dtype == np.float32
    assert g.edge_index.shape == (2, 4) and g.edge_index.dtype == np.int64
    assert g.edge_attr.shape == (4, BOND_DIM)
    # every bond in both directions: C0-C1 and C1-O2
    pairs = {tuple(p) for p in g.edge_index.T.tolist()}
    assert pairs == {(0, 1), (1, 0), (1, 2), (2, 1)}
    elements = [ELEMENTS[i] for i in _argmax_block(g.x, "element", len(ELEMENTS) + 1)]
    assert elements == ["C", "C", "O"]
    assert _argmax_block(g.x, "degree", 7) == [1, 2, 1]
    assert _argmax_block(g.x, "num_hs", 5) == [3, 2, 1]
    assert _argmax_block(g.x, "charge", 5) == [2, 2, 2]  # index 2 = neutral
    assert _argmax_block(g.x, "hybridisation", 6) == [2, 2, 2]  # SP3
    assert g.x[:, ATOM_BLOCKS["aromatic"]].sum() == 0
    assert g.x[:, ATOM_BLOCKS["in_ring"]].sum() == 0
    # five one-hot blocks (element, degree, charge, hybridisation, Hs); no flags set
    assert g.x.sum(1).tolist() == [5.0, 5.0, 5.0]
    # all single, not conjugated, not in ring
    assert g.edge_attr.tolist() == [[1, 0, 0, 0, 0, 0]] * 4


def test_benzene_aromatic_ring():
    g = featurise("c1ccccc1")
    assert g.x.shape == (6, ATOM_DIM)
    assert g.edge_index.shape == (2, 12)
    assert (g.x[:, ATOM_BLOCKS["aromatic"]] == 1).all()
    assert (g.x[:, ATOM_BLOCKS["in_ring"]] == 1).all()
    assert _argmax_block(g.x, "hybridisation", 6) == [1] * 6  # SP2
    assert g.edge_attr.tolist() == [[0, 0, 0, 1, 1, 1]] * 12  # aromatic, conjugated, ring


def test_charge_triple_bond_and_chirality():
    g = featurise("C[N+](C)(C)C")
    assert _argmax_block(g.x, "charge", 5)[1] == 3  # +1
    g = featurise("CC#N")
    assert g.edge_attr[:, 2].sum() == 2  # one triple bond, two directions
    g = featurise("C[C@H](N)C(=O)O")
    assert _block(g.x, "chiral", 2).sum() == 1


def test_same_molecule_different_smiles_same_multiset_of_rows():
    a, b = featurise("OCC"), featurise("C(O)C")
    assert a.smiles == b.smiles == "CCO"
    assert sorted(map(tuple, a.x.tolist())) == sorted(map(tuple, b.x.tolist()))


def test_salt_keeps_largest_fragment():
    g = featurise("CCN.Cl")
    assert g.n_fragments == 2 and g.smiles == "CCN" and g.x.shape[0] == 3
    g = featurise("[Na+].OC(=O)c1ccccc1C(=O)[O-]")
    assert g.n_fragments == 2 and g.x.shape[0] == 12


def test_deuterium_counts_as_hydrogen():
    g = featurise("[2H]C([2H])([2H])O")
    assert g.x.shape[0] == 2 and g.smiles == "CO"
    assert _argmax_block(g.x, "num_hs", 5) == [3, 1]


def test_single_atom_has_no_edges():
    g = featurise("O")
    assert g.x.shape == (1, ATOM_DIM)
    assert g.edge_index.shape == (2, 0) and g.edge_attr.shape == (0, BOND_DIM)


@pytest.mark.parametrize(
    "smiles, reason",
    [
        ("", "empty SMILES"),
        ("   ", "empty SMILES"),
        ("C1CC", "SMILES syntax error"),
        ("N(C)(C)(C)(C)C", "sanitisation failed: Explicit valence"),
        ("[H][H]", "no heavy atoms"),
    ],
)
def test_unparsable_raises_with_reason(smiles, reason):
    with pytest.raises(SmilesError) as err:
        featurise(smiles)
    assert err.value.where.startswith(reason)


def test_featurise_many_collects_failures():
    ids = ["a", "b", "c", "d", "e", "f"]
    smiles = ["CCO", "C1CC", "", None, pd.NA, "c1ccccc1"]
    fs = featurise_many(ids, smiles)
    assert fs.ids == ["a", "f"]
    assert [g.x.shape[0] for g in fs.graphs] == [3, 6]
    assert [(i, s) for i, s, _ in fs.failures] == [
        ("b", "C1CC"),
        ("c", ""),
        ("d", ""),
        ("e", ""),
    ]
    assert [r for _, _, r in fs.failures] == [
        "SMILES syntax error",
        "empty SMILES",
        "missing SMILES",
        "missing SMILES",
    ]


def test_featurise_many_length_mismatch():
    with pytest.raises(ValueError):
        featurise_many(["a"], ["C", "CC"])


def test_collate_offsets_and_batch_vector():
    graphs = [featurise("CCO"), featurise("O"), featurise("c1ccccc1")]
    b = collate(graphs)
    assert b.num_graphs == 3
    assert b.x.shape == (10, ATOM_DIM) and b.x.dtype == torch.float32
    assert b.batch.tolist() == [0, 0, 0, 1] + [2] * 6
    assert b.edge_index.shape == (2, 16) and b.edge_attr.shape == (16, BOND_DIM)
    # ethanol edges unchanged, benzene edges offset by 4 (3 + 1 atoms before it)
    assert b.edge_index[:, :4].tolist() == graphs[0].edge_index.tolist()
    assert b.edge_index[:, 4:].min().item() == 4 and b.edge_index.max().item() == 9
    # no edge crosses graphs
    assert (b.batch[b.edge_index[0]] == b.batch[b.edge_index[1]]).all()
    with pytest.raises(ValueError):
        collate([])
