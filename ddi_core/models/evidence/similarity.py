"""Drug–drug and disease–disease similarities from the static evidence tables.

Drug similarities (each over the drugs that have the evidence; a drug without
it has no neighbours under that similarity, and its features are NaN):

``profile``    cosine of signed-walk profiles
``targets``    Jaccard of known signed target sets (DrugCentral, SIGNOR, Hub)
``chemgenes``  Jaccard of CTD chemical–gene sets
``morgan``     Tanimoto of Morgan fingerprints (RDKit, radius 2, 2,048 bits)
``infograph``  cosine of InfoGraph vectors
``moa``        Jaccard of Repurposing Hub mechanism-of-action terms

Disease similarities (every candidate disease):

``mesh``   cosine of MeSH node2vec vectors
``genes``  Jaccard of CTD gene sets (``ctd/6_G_D.csv``)
``tree``   MeSH tree similarity (:func:`~ddi_core.models.evidence.matrices.tree_similarity`)

Diagonals are zero: a drug is never its own neighbour and a disease never
supports itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ddi_core.errors import DDIError
from ddi_core.models.evidence.matrices import cosine, jaccard, tanimoto, tree_similarity
from ddi_core.models.evidence.tables import EvidenceTables

DRUG_SIMS = ("profile", "targets", "chemgenes", "morgan", "infograph", "moa")
DIS_SIMS = ("mesh", "genes", "tree")
#: similarities built on ``ctd/6_G_D.csv``
GENE_DISEASE_SIMS = ("genes",)


@dataclass
class DrugSimilarity:
    """One drug similarity over the drugs that have its evidence.

    Attributes
    ----------
    rows : ndarray of int64
        Drug rows (of the tables) covered, sorted.
    M : ndarray float32 (len(rows), len(rows))
        Similarities, zero diagonal.
    pos : ndarray of int64 (n_drugs,)
        Position of each drug in ``rows``, -1 when not covered.
    """

    name: str
    rows: np.ndarray
    M: np.ndarray
    pos: np.ndarray


def _drug_sim(name: str, rows: np.ndarray, M: np.ndarray, n_drugs: int) -> DrugSimilarity:
    order = np.argsort(rows, kind="stable")
    rows, M = np.asarray(rows, np.int64)[order], np.asarray(M, np.float32)[np.ix_(order, order)]
    np.fill_diagonal(M, 0.0)
    pos = np.full(n_drugs, -1, np.int64)
    pos[rows] = np.arange(len(rows))
    return DrugSimilarity(name, rows, M, pos)


def drug_similarity(t: EvidenceTables, name: str) -> DrugSimilarity:
    """The drug similarity ``name`` (see the module docstring)."""
    n = t.n_drugs
    if name == "profile":
        return _drug_sim(name, t.profile_row, cosine(t.profile), n)
    if name in ("targets", "chemgenes", "moa"):
        m = {"targets": t.targets, "chemgenes": t.chemgenes, "moa": t.moa}[name]
        rows = np.flatnonzero(m.getnnz(axis=1) > 0)
        return _drug_sim(name, rows, jaccard(m[rows]), n)
    if name == "morgan":
        return _drug_sim(name, t.struct_row, tanimoto(t.fp), n)
    if name == "infograph":
        return _drug_sim(name, t.infograph_row, cosine(t.infograph), n)
    raise DDIError(f"unknown drug similarity {name!r}; choose from {', '.join(DRUG_SIMS)}")


def disease_similarity(t: EvidenceTables, name: str) -> np.ndarray:
    """The disease similarity ``name``, float32 (n_dis, n_dis), zero diagonal."""
    if name == "mesh":
        M = cosine(t.mesh)
    elif name == "genes":
        M = jaccard(t.dis_genes)
    elif name == "tree":
        M = tree_similarity(t.tree_numbers)
    else:
        raise DDIError(f"unknown disease similarity {name!r}; choose from {', '.join(DIS_SIMS)}")
    M = np.asarray(M, np.float32)
    np.fill_diagonal(M, 0.0)
    return M


__all__ = [
    "DRUG_SIMS",
    "DIS_SIMS",
    "GENE_DISEASE_SIMS",
    "DrugSimilarity",
    "drug_similarity",
    "disease_similarity",
]
