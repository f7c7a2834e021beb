"""Graphs that node2vec embeds: the STRING PPI and the MeSH disease network.

Both are undirected and stored as a symmetric CSR structure (:class:`Graph`) with
each node's neighbour list sorted, which the walk kernels in
:mod:`ddi_core.embed.node2vec` rely on (binary-search adjacency tests).

MeSH disease network
--------------------
Nodes are MeSH descriptors owning at least one tree number in the disease branches
(``C`` and ``F03`` mental disorders by default); a descriptor with several tree
numbers is one node. Each tree number ``X.yyy`` links its owner to the owner of
``X`` (its parent), so a descriptor filed under several parents gets an edge to
each. Optionally, disease pairs sharing CTD genes (Jaccard of their gene sets at or
above a threshold) are linked too, which also brings in CTD diseases that have no
tree number (supplementary concept records) but do have genes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ddi_core.data import loaders
from ddi_core.data.loaders import (
    load_ctd_chemical_disease,
    load_ctd_gene_disease,
    load_mesh_labels,
    load_string_ppi,
)

log = logging.getLogger(__name__)

PPI_SOURCE = loaders.STRING_PPI
MESH_SOURCE = loaders.MESH_LABELS
CTD_CHEM_DISEASE_SOURCE = loaders.CTD_CHEMICAL_DISEASE
CTD_GENE_DISEASE_SOURCE = loaders.CTD_GENE_DISEASE

EdgeWeight = Literal["none", "combined_score"]


@dataclass(frozen=True)
class Graph:
    """Undirected graph in symmetric CSR form.

    Attributes
    ----------
    ids : numpy.ndarray
        External identifier of each node (row ``i`` is ``ids[i]``).
    indptr : numpy.ndarray
        int64, shape ``(n + 1,)``.
    indices : numpy.ndarray
        int32 neighbour indices; each node's slice is sorted ascending, no self loops.
    weights : numpy.ndarray or None
        float64 edge weights aligned with ``indices`` (``None``: unweighted).
    """

    ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(self.indices.shape[0] // 2)

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbors(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def edges(self) -> np.ndarray:
        """Undirected edges as an ``(m, 2)`` int64 array with ``u < v``, sorted."""
        src = np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree())
        dst = self.indices.astype(np.int64)
        keep = src < dst
        return np.column_stack([src[keep], dst[keep]])

    def edge_weights(self) -> np.ndarray | None:
        """Weights of :meth:`edges`, in the same order."""
        if self.weights is None:
            return None
        src = np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree())
        return self.weights[src < self.indices]

    def has_edges(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Vectorised adjacency test for index pairs ``(u[k], v[k])``."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        key_edges = self._edge_keys
        keys = np.minimum(u, v) * self.n_nodes + np.maximum(u, v)
        pos = np.searchsorted(key_edges, keys)
        pos = np.minimum(pos, len(key_edges) - 1)
        return (len(key_edges) > 0) & (key_edges[pos] == keys)

    @cached_property
    def _edge_keys(self) -> np.ndarray:
        e = self.edges()
        return e[:, 0] * self.n_nodes + e[:, 1]  # sorted: edges() is row-major sorted

    def to_scipy(self) -> sp.csr_matrix:
        data = np.ones(len(self.indices)) if self.weights is None else self.weights
        n = self.n_nodes
        return sp.csr_matrix((data, self.indices, self.indptr), shape=(n, n))

    def subgraph_edges(self, keep_edges: np.ndarray) -> Graph:
        """Same nodes, only the undirected edges listed in ``keep_edges`` (``(m, 2)``)."""
        w = None
        if self.weights is not None:
            m = self.to_scipy()
            w = np.asarray(m[keep_edges[:, 0], keep_edges[:, 1]]).ravel()
        return from_edges(self.ids, keep_edges[:, 0], keep_edges[:, 1], w)


def from_edges(
    ids: Sequence[Any] | np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray | None = None,
) -> Graph:
    """Build a symmetric CSR :class:`Graph` from an undirected edge list.

    Self loops are dropped; duplicate edges (either orientation) collapse into one
    keeping the largest weight.

    Parameters
    ----------
    ids : sequence
        Node identifiers; ``src``/``dst`` index into it.
    src, dst : numpy.ndarray
        Integer node indices.
    weights : numpy.ndarray, optional
        Positive edge weights.
    """
    ids_arr = np.asarray(ids)
    n = len(ids_arr)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if src.shape != dst.shape:
        raise ValueError("src and dst differ in length")
    if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise ValueError("edge endpoint out of range")
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    if weights is not None and (not np.isfinite(w).all() or (w <= 0).any()):
        raise ValueError("edge weights must be finite and positive")
    keep = src != dst
    src, dst, w = src[keep], dst[keep], w[keep]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    # collapse duplicates, keeping the largest weight
    order = np.lexsort((-w, hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, w = lo[first], hi[first], w[first]
    m = sp.coo_matrix((np.r_[w, w], (np.r_[lo, hi], np.r_[hi, lo])), shape=(n, n)).tocsr()
    m.sort_indices()
    return Graph(
        ids=ids_arr,
        indptr=m.indptr.astype(np.int64),
        indices=m.indices.astype(np.int32),
        weights=None if weights is None else m.data.astype(np.float64),
    )


# ----------------------------------------------------------------------------- PPI


def ppi_graph(edge_weight: EdgeWeight = "none", table: pd.DataFrame | None = None) -> Graph:
    """The STRING PPI as an undirected graph over Entrez gene ids.

    Parameters
    ----------
    edge_weight : {"none", "combined_score"}
        ``"none"`` (default) walks the graph unweighted. The bundle's STRING slice
        is already confidence-filtered (combined score >= 700 plus each gene's top
        three partners in [400, 699]), so the remaining scores vary little (median
        834); the method paper embeds the PPI "with the same protocol as the MeSH
        network", which has no weights; and weighting did not help link
        prediction (AUROC 0.959 unweighted vs 0.957 weighted, 64-d, 4 walks x 40,
        window 5, 10% hidden edges, seed 0). ``"combined_score"`` uses
        score / 1000 as the first-order transition weight.
    table : pandas.DataFrame, optional
        A ``load_string_ppi()`` table (loaded when omitted).

    Returns
    -------
    Graph
        ``ids`` are int64 Entrez ids, sorted ascending.
    """
    if table is None:
        table = load_string_ppi()
    a = table["gene_a"].to_numpy(dtype=np.int64)
    b = table["gene_b"].to_numpy(dtype=np.int64)
    ids = np.unique(np.r_[a, b])
    w = None
    if edge_weight == "combined_score":
        w = table["combined_score"].to_numpy(dtype=np.float64) / 1000.0
    elif edge_weight != "none":
        raise ValueError(f"unknown edge_weight {edge_weight!r}")
    g = from_edges(ids, np.searchsorted(ids, a), np.searchsorted(ids, b), w)
    log.info("PPI graph: %d genes, %d edges (weight=%s)", g.n_nodes, g.n_edges, edge_weight)
    return g


# ---------------------------------------------------------------------------- MeSH


@dataclass(frozen=True)
class MeshNetworkConfig:
    """How the MeSH disease network is built.

    Attributes
    ----------
    branches : tuple of str
        Tree-number prefixes that define a disease (``C`` diseases, ``F03``
        mental disorders).
    gene_jaccard_threshold : float or None
        When set, also link diseases whose CTD gene sets (``load_ctd_gene_disease``)
        have Jaccard similarity >= this value; ``None`` (default) keeps the pure
        tree hierarchy.
    min_shared_genes : int
        Gene edges additionally need at least this many shared genes (guards
        against Jaccard 1.0 between two single-gene diseases).
    """

    branches: tuple[str, ...] = ("C", "F03")
    gene_jaccard_threshold: float | None = None
    min_shared_genes: int = 2


def _in_branches(tn: str, branches: Iterable[str]) -> bool:
    return any(tn == b or tn.startswith(b if len(b) == 1 else b + ".") for b in branches)


def mesh_tree_edges(
    mesh_ids: Sequence[str], tree_numbers: Sequence[str], branches: Sequence[str] = ("C", "F03")
) -> tuple[list[str], list[tuple[str, str]]]:
    """Descriptors in ``branches`` and their child-parent edges.

    Parameters
    ----------
    mesh_ids : sequence of str
        Descriptor ids.
    tree_numbers : sequence of str
        ``'|'``-separated tree numbers of each descriptor.
    branches : sequence of str
        A one-letter branch (``"C"``) matches every tree number starting with
        it; a longer one (``"F03"``) matches itself and its descendants.

    Returns
    -------
    nodes : list of str
        Sorted descriptor ids owning at least one tree number in ``branches``.
    edges : list of (child, parent)
        Unique pairs; the parent owns the tree number with the last ``.xxx``
        removed. Tree numbers whose parent nobody owns are counted in the log.
    """
    owner: dict[str, str] = {}
    for mid, tns in zip(mesh_ids, tree_numbers, strict=True):
        for tn in str(tns).split("|"):
            tn = tn.strip()
            if tn and _in_branches(tn, branches):
                owner[tn] = mid
    edges: set[tuple[str, str]] = set()
    orphans = 0
    for tn, mid in owner.items():
        if "." not in tn:
            continue
        parent = owner.get(tn.rsplit(".", 1)[0])
        if parent is None:
            orphans += 1
        elif parent != mid:
            edges.add((mid, parent))
    if orphans:
        log.warning("MeSH: %d disease tree numbers have no owned parent", orphans)
    return sorted(set(owner.values())), sorted(edges)


def gene_jaccard_edges(
    gene_disease: pd.DataFrame, threshold: float, min_shared: int = 2
) -> pd.DataFrame:
    """Disease pairs whose gene sets overlap.

    Parameters
    ----------
    gene_disease : pandas.DataFrame
        Columns ``gene_symbol``, ``disease_id``.
    threshold : float
        Minimum Jaccard similarity.
    min_shared : int
        Minimum number of shared genes.

    Returns
    -------
    pandas.DataFrame
        Columns ``disease_a``, ``disease_b`` (``a < b``), ``shared``, ``jaccard``.
    """
    gd = gene_disease[["gene_symbol", "disease_id"]].drop_duplicates()
    dis, di = np.unique(gd["disease_id"].to_numpy(dtype=str), return_inverse=True)
    _, gi = np.unique(gd["gene_symbol"].to_numpy(dtype=str), return_inverse=True)
    m = sp.csr_matrix((np.ones(len(gd)), (di, gi)))
    inter = (m @ m.T).tocoo()
    size = np.asarray(m.sum(axis=1)).ravel()
    keep = inter.row < inter.col
    r, c, s = inter.row[keep], inter.col[keep], inter.data[keep]
    jac = s / (size[r] + size[c] - s)
    ok = (jac >= threshold) & (s >= min_shared)
    return pd.DataFrame(
        {
            "disease_a": dis[r[ok]],
            "disease_b": dis[c[ok]],
            "shared": s[ok].astype(int),
            "jaccard": jac[ok],
        }
    )


@dataclass(frozen=True)
class MeshNetwork:
    """The disease graph plus what went into it.

    Attributes
    ----------
    graph : Graph
        ``ids`` are MeSH ids (``<U`` strings), sorted.
    tree_edges : numpy.ndarray
        ``(m, 2)`` node-index pairs ``(child, parent)`` of the hierarchy.
    report : dict
        Node/edge counts and CTD coverage (see :func:`mesh_network`).
    """

    graph: Graph
    tree_edges: np.ndarray
    report: dict[str, Any]


def mesh_network(config: MeshNetworkConfig | None = None) -> MeshNetwork:
    """Build the MeSH disease network and report its CTD coverage.

    CTD diseases (distinct ``disease_id`` of ``load_ctd_chemical_disease()``) that
    are not nodes get no vector from the embedding: they are listed in
    ``report["ctd_uncovered_ids"]`` and excluded. No fallback is applied because
    the uncovered ids are almost all supplementary concept records, which carry no
    tree numbers (so there are no tree ancestors to average).

    Returns
    -------
    MeshNetwork
        ``report`` holds ``nodes``, ``edges``, ``tree_edges``, ``gene_edges``,
        ``gene_only_nodes``, ``ctd_diseases``, ``ctd_diseases_covered``,
        ``ctd_uncovered_ids``.
    """

    cfg = config or MeshNetworkConfig()
    labels = load_mesh_labels()
    nodes, tree = mesh_tree_edges(
        labels["mesh_id"].astype(str).tolist(),
        labels["tree_numbers"].fillna("").astype(str).tolist(),
        cfg.branches,
    )
    pair_edges: list[tuple[str, str]] = list(tree)
    n_gene_edges = 0
    gene_only: set[str] = set()
    if cfg.gene_jaccard_threshold is not None:
        ge = gene_jaccard_edges(
            load_ctd_gene_disease(), cfg.gene_jaccard_threshold, cfg.min_shared_genes
        )
        n_gene_edges = len(ge)
        pair_edges += list(zip(ge["disease_a"], ge["disease_b"], strict=True))
        gene_only = set(ge["disease_a"]) | set(ge["disease_b"])
        gene_only -= set(nodes)
    ids = np.array(sorted(set(nodes) | gene_only), dtype=str)
    pos = {k: i for i, k in enumerate(ids)}
    src = np.array([pos[a] for a, _ in pair_edges], dtype=np.int64)
    dst = np.array([pos[b] for _, b in pair_edges], dtype=np.int64)
    g = from_edges(ids, src, dst)
    tree_idx = np.array([[pos[a], pos[b]] for a, b in tree], dtype=np.int64).reshape(-1, 2)

    ctd = set(load_ctd_chemical_disease()["disease_id"].astype(str))
    uncovered = sorted(ctd - set(pos))
    report = {
        "nodes": g.n_nodes,
        "edges": g.n_edges,
        "tree_edges": len(tree),
        "gene_edges": n_gene_edges,
        "gene_only_nodes": len(gene_only),
        "components": int(connected_components(g.to_scipy(), directed=False)[0]),
        "ctd_diseases": len(ctd),
        "ctd_diseases_covered": len(ctd) - len(uncovered),
        "ctd_uncovered": len(uncovered),
        "ctd_uncovered_ids": uncovered,
    }
    log.info(
        "MeSH network: %d nodes, %d edges (%d tree, %d gene); CTD diseases covered %d/%d",
        report["nodes"],
        report["edges"],
        report["tree_edges"],
        report["gene_edges"],
        report["ctd_diseases_covered"],
        report["ctd_diseases"],
    )
    return MeshNetwork(graph=g, tree_edges=tree_idx, report=report)
