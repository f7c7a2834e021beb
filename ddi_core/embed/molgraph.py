"""Molecular graphs from SMILES (RDKit) and a plain-torch batch collate.

A molecule becomes a graph whose nodes are its heavy atoms (hydrogens, deuterium
included, stay implicit and are counted in an atom feature) and whose edges are its bonds, each
bond stored as two directed edges.

Multi-fragment SMILES (salts, hydrates, mixtures such as ``CCN.Cl``) keep only
their *largest fragment*: the one with the most heavy atoms, ties broken by the
number of carbon atoms and then by the canonical SMILES (so the choice is
deterministic). The chosen fragment's canonical SMILES is returned as
:attr:`MolGraph.smiles`.

Atom features (one-hot blocks concatenated, :data:`ATOM_DIM` = 58 columns)

======================  =======================================================
block                   values
======================  =======================================================
element (31)            H Li B C N O F Na Mg Al Si P S Cl K Ca Fe Cu Zn As Se Br
                        Ag Sb I Pt Au Hg Bi Gd, other
degree (7)              0 1 2 3 4 5, 6 or more (heavy-atom neighbours)
formal charge (5)       <= -2, -1, 0, +1, >= +2
hybridisation (6)       SP SP2 SP3 SP3D SP3D2, other/unspecified
aromatic (1)            0/1
total hydrogens (5)     0 1 2 3, 4 or more
in ring (1)             0/1
chiral centre (2)       tagged clockwise, tagged counter-clockwise
======================  =======================================================

Bond features (:data:`BOND_DIM` = 6): single, double, triple, aromatic
(one-hot; any other type sets none of the four), conjugated, in ring.

Failures (missing, empty, syntax errors, sanitisation errors such as a
hypervalent atom, no heavy atoms) are reported with a reason: :func:`featurise`
raises :class:`~ddi_core.errors.SmilesError` whose ``where`` holds the reason;
:func:`featurise_many` collects ``(id, smiles, reason)`` tuples instead.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from rdkit import Chem, rdBase

from ddi_core.errors import SmilesError

log = logging.getLogger(__name__)

#: Bumped whenever the features below change (part of every cache key).
FEATURISER_VERSION = 1

ELEMENTS: tuple[str, ...] = (
    "H", "Li", "B", "C", "N", "O", "F", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "K",
    "Ca", "Fe", "Cu", "Zn", "As", "Se", "Br", "Ag", "Sb", "I", "Pt", "Au", "Hg", "Bi", "Gd",
)  # fmt: skip
_ELEMENT_INDEX = {s: i for i, s in enumerate(ELEMENTS)}
_HYBRID = (
    Chem.rdchem.HybridizationType.SP,
    Chem.rdchem.HybridizationType.SP2,
    Chem.rdchem.HybridizationType.SP3,
    Chem.rdchem.HybridizationType.SP3D,
    Chem.rdchem.HybridizationType.SP3D2,
)
_BOND_TYPES = (
    Chem.rdchem.BondType.SINGLE,
    Chem.rdchem.BondType.DOUBLE,
    Chem.rdchem.BondType.TRIPLE,
    Chem.rdchem.BondType.AROMATIC,
)

# column offsets of each atom-feature block
_OFF_ELEMENT = 0
_OFF_DEGREE = _OFF_ELEMENT + len(ELEMENTS) + 1
_OFF_CHARGE = _OFF_DEGREE + 7
_OFF_HYBRID = _OFF_CHARGE + 5
_OFF_AROMATIC = _OFF_HYBRID + len(_HYBRID) + 1
_OFF_NUM_H = _OFF_AROMATIC + 1
_OFF_RING = _OFF_NUM_H + 5
_OFF_CHIRAL = _OFF_RING + 1
ATOM_DIM: int = _OFF_CHIRAL + 2
BOND_DIM: int = len(_BOND_TYPES) + 2

#: Named column offsets, for tests and for reading a feature matrix by eye.
ATOM_BLOCKS: dict[str, int] = {
    "element": _OFF_ELEMENT,
    "degree": _OFF_DEGREE,
    "charge": _OFF_CHARGE,
    "hybridisation": _OFF_HYBRID,
    "aromatic": _OFF_AROMATIC,
    "num_hs": _OFF_NUM_H,
    "in_ring": _OFF_RING,
    "chiral": _OFF_CHIRAL,
}


@dataclass(frozen=True)
class MolGraph:
    """One featurised molecule.

    Attributes
    ----------
    x : numpy.ndarray
        float32 ``[n_atoms, ATOM_DIM]`` atom features.
    edge_index : numpy.ndarray
        int64 ``[2, 2 * n_bonds]``; column ``k`` is a directed edge
        ``edge_index[0, k] -> edge_index[1, k]``; each bond appears in both directions.
    edge_attr : numpy.ndarray
        float32 ``[2 * n_bonds, BOND_DIM]`` bond features per directed edge.
    smiles : str
        Canonical SMILES of the featurised (largest) fragment.
    n_fragments : int
        Number of fragments in the input SMILES.
    """

    x: np.ndarray
    edge_index: np.ndarray
    edge_attr: np.ndarray
    smiles: str
    n_fragments: int = 1

    @property
    def num_nodes(self) -> int:
        return int(self.x.shape[0])

    @property
    def num_edges(self) -> int:
        return int(self.edge_index.shape[1])


@dataclass
class FeaturisedSet:
    """Graphs for the parsable inputs, failures for the rest.

    Attributes
    ----------
    ids : list of str
        Identifiers of the parsable inputs, in input order.
    graphs : list of MolGraph
        One graph per entry of ``ids``.
    failures : list of tuple
        ``(id, smiles, reason)`` for every input that could not be featurised.
    """

    ids: list[str] = field(default_factory=list)
    graphs: list[MolGraph] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class GraphBatch:
    """Disjoint union of molecular graphs, as torch tensors.

    Attributes
    ----------
    x : torch.Tensor
        float32 ``[N, ATOM_DIM]`` node features of all graphs stacked.
    edge_index : torch.Tensor
        int64 ``[2, E]`` directed edges, node indices offset into ``x``.
    edge_attr : torch.Tensor
        float32 ``[E, BOND_DIM]``.
    batch : torch.Tensor
        int64 ``[N]``: graph index (0 .. num_graphs-1) of every node.
    num_graphs : int
        Number of graphs in the batch.
    """

    x: torch.Tensor
    edge_index: torch.Tensor
    edge_attr: torch.Tensor
    batch: torch.Tensor
    num_graphs: int

    def to(self, device: torch.device | str) -> GraphBatch:
        """Copy of the batch on ``device``."""
        return GraphBatch(
            self.x.to(device),
            self.edge_index.to(device),
            self.edge_attr.to(device),
            self.batch.to(device),
            self.num_graphs,
        )


def _atom_features(atom: Chem.Atom) -> np.ndarray:
    f = np.zeros(ATOM_DIM, dtype=np.float32)
    f[_OFF_ELEMENT + _ELEMENT_INDEX.get(atom.GetSymbol(), len(ELEMENTS))] = 1.0
    f[_OFF_DEGREE + min(atom.GetDegree(), 6)] = 1.0
    f[_OFF_CHARGE + min(max(atom.GetFormalCharge(), -2), 2) + 2] = 1.0
    hyb = atom.GetHybridization()
    f[_OFF_HYBRID + (_HYBRID.index(hyb) if hyb in _HYBRID else len(_HYBRID))] = 1.0
    f[_OFF_AROMATIC] = float(atom.GetIsAromatic())
    f[_OFF_NUM_H + min(atom.GetTotalNumHs(), 4)] = 1.0
    f[_OFF_RING] = float(atom.IsInRing())
    tag = atom.GetChiralTag()
    if tag == Chem.rdchem.ChiralType.CHI_TETRAHEDRAL_CW:
        f[_OFF_CHIRAL] = 1.0
    elif tag == Chem.rdchem.ChiralType.CHI_TETRAHEDRAL_CCW:
        f[_OFF_CHIRAL + 1] = 1.0
    return f


def _bond_features(bond: Chem.Bond) -> np.ndarray:
    f = np.zeros(BOND_DIM, dtype=np.float32)
    bt = bond.GetBondType()
    if bt in _BOND_TYPES:
        f[_BOND_TYPES.index(bt)] = 1.0
    f[len(_BOND_TYPES)] = float(bond.GetIsConjugated())
    f[len(_BOND_TYPES) + 1] = float(bond.IsInRing())
    return f


def _is_missing(smiles: object) -> bool:
    """``None``, NaN or ``pandas.NA``."""
    if smiles is None or smiles is pd.NA:
        return True
    return isinstance(smiles, float) and math.isnan(smiles)


def parse_smiles(smiles: object) -> tuple[Chem.Mol, int]:
    """Parse and sanitise ``smiles``; keep its largest fragment.

    Returns
    -------
    (mol, n_fragments)
        The sanitised largest fragment and the number of fragments of the input.

    Raises
    ------
    SmilesError
        With ``where`` set to the reason: ``"missing SMILES"``, ``"empty SMILES"``,
        ``"SMILES syntax error"``, ``"sanitisation failed: <RDKit message>"`` or
        ``"no heavy atoms"``.
    """
    if _is_missing(smiles):
        raise SmilesError("", "missing SMILES")
    if not isinstance(smiles, str):
        raise SmilesError(str(smiles), f"not a string ({type(smiles).__name__})")
    text = smiles.strip()
    if not text:
        raise SmilesError(smiles, "empty SMILES")
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(text, sanitize=False)
        if mol is None:
            raise SmilesError(smiles, "SMILES syntax error")
        try:
            Chem.SanitizeMol(mol)
        except Exception as exc:  # RDKit raises several sanitisation exception types
            raise SmilesError(smiles, f"sanitisation failed: {exc}") from None
        params = Chem.RemoveHsParameters()
        params.removeIsotopes = True  # deuterium counts as hydrogen
        mol = Chem.RemoveHs(mol, params, sanitize=True)
        frags = Chem.GetMolFrags(mol, asMols=True, sanitizeFrags=False)
    if mol.GetNumHeavyAtoms() == 0:
        raise SmilesError(smiles, "no heavy atoms")

    def key(m: Chem.Mol) -> tuple[int, int, str]:
        n_c = sum(1 for a in m.GetAtoms() if a.GetAtomicNum() == 6)
        return (m.GetNumHeavyAtoms(), n_c, Chem.MolToSmiles(m))

    best = frags[0] if len(frags) == 1 else max(frags, key=key)
    return best, len(frags)


def mol_to_graph(mol: Chem.Mol, n_fragments: int = 1) -> MolGraph:
    """Featurise an RDKit molecule (already sanitised) into a :class:`MolGraph`."""
    x = np.stack([_atom_features(a) for a in mol.GetAtoms()]).astype(np.float32)
    src: list[int] = []
    dst: list[int] = []
    attrs: list[np.ndarray] = []
    for b in mol.GetBonds():
        i, j = b.GetBeginAtomIdx(), b.GetEndAtomIdx()
        bf = _bond_features(b)
        src += [i, j]
        dst += [j, i]
        attrs += [bf, bf]
    edge_index = np.array([src, dst], dtype=np.int64).reshape(2, -1)
    edge_attr = np.stack(attrs).astype(np.float32) if attrs else np.zeros((0, BOND_DIM), np.float32)
    return MolGraph(x, edge_index, edge_attr, Chem.MolToSmiles(mol), n_fragments)


def featurise(smiles: str) -> MolGraph:
    """Featurise one SMILES string (largest fragment).

    Raises
    ------
    SmilesError
        When the SMILES is missing, empty or unparsable; ``exc.where`` is the reason.
    """
    mol, n_frag = parse_smiles(smiles)
    return mol_to_graph(mol, n_frag)


def featurise_many(ids: Sequence[str], smiles: Sequence[object]) -> FeaturisedSet:
    """Featurise many molecules; failures are collected, never raised.

    Parameters
    ----------
    ids, smiles
        Parallel sequences of identifiers and SMILES strings (missing values allowed).

    Returns
    -------
    FeaturisedSet
    """
    if len(ids) != len(smiles):
        raise ValueError(f"ids ({len(ids)}) and smiles ({len(smiles)}) differ in length")
    out = FeaturisedSet()
    n_multi = 0
    for i, s in zip(ids, smiles, strict=True):
        try:
            g = featurise(s)  # type: ignore[arg-type]
        except SmilesError as exc:
            out.failures.append((str(i), "" if _is_missing(s) else str(s), exc.where))
            continue
        n_multi += g.n_fragments > 1
        out.ids.append(str(i))
        out.graphs.append(g)
    log.info(
        "featurised %d of %d molecules (%d failures, %d multi-fragment kept largest)",
        len(out.graphs), len(ids), len(out.failures), n_multi,
    )  # fmt: skip
    return out


def collate(graphs: Iterable[MolGraph]) -> GraphBatch:
    """Stack graphs into one disjoint-union :class:`GraphBatch` (plain torch)."""
    graphs = list(graphs)
    if not graphs:
        raise ValueError("cannot collate an empty list of graphs")
    sizes = np.array([g.num_nodes for g in graphs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    x = np.concatenate([g.x for g in graphs])
    ei = np.concatenate([g.edge_index + o for g, o in zip(graphs, offsets, strict=True)], axis=1)
    ea = np.concatenate([g.edge_attr for g in graphs])
    batch = np.repeat(np.arange(len(graphs), dtype=np.int64), sizes)
    return GraphBatch(
        torch.from_numpy(x),
        torch.from_numpy(ei),
        torch.from_numpy(ea),
        torch.from_numpy(batch),
        len(graphs),
    )
