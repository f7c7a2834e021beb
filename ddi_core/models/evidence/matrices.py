"""Pure matrix building blocks of the evidence tables and similarities (unit-tested
on tiny inputs): set membership matrices, multi-source shortest-path hops, MeSH
tree similarity, and Jaccard, cosine and Tanimoto similarity matrices.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["membership", "multi_source_hops", "tree_similarity", "jaccard", "cosine", "tanimoto"]


def membership(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, values: np.ndarray | None = None
) -> sp.csr_matrix:
    """A CSR matrix with ``values`` (default 1) at ``(rows, cols)``; duplicates keep the last."""
    v = np.ones(len(rows), np.float32) if values is None else np.asarray(values, np.float32)
    m = sp.coo_matrix(
        (v, (np.asarray(rows, np.int64), np.asarray(cols, np.int64))), shape=(n_rows, n_cols)
    ).tocsr()
    m.sum_duplicates()
    if values is None:
        m.data[:] = 1.0
    return m


def multi_source_hops(
    adj: sp.csr_matrix, sources: sp.csr_matrix, max_hops: int, columns: np.ndarray | None = None
) -> np.ndarray:
    """Hops from the nearest of each row's source nodes, breadth first, all rows at once.

    Parameters
    ----------
    adj : CSR (n, n)
        Undirected adjacency (symmetric, no weights needed).
    sources : CSR (m, n)
        Row ``i`` marks the source nodes of query ``i``.
    max_hops : int
        Nodes farther than this get ``max_hops + 1``; rows without a source get 255.
    columns : ndarray of int, optional
        Only return these node columns.

    Returns
    -------
    ndarray uint8 (m, n) or (m, len(columns))
    """
    n = adj.shape[0]
    m = sources.shape[0]
    out = np.full((m, n), max_hops + 1, np.uint8)
    frontier = (sources > 0).astype(np.float32).toarray()
    visited = frontier > 0
    out[visited] = 0
    adjT = sp.csr_matrix(adj, dtype=np.float32)
    for hop in range(1, max_hops + 1):
        nxt = np.asarray((adjT @ frontier.T).T) > 0  # (m, n)
        nxt &= ~visited
        if not nxt.any():
            break
        out[nxt] = hop
        visited |= nxt
        frontier = nxt.astype(np.float32)
    out[np.asarray(sources.sum(axis=1)).ravel() == 0] = 255
    return out if columns is None else out[:, np.asarray(columns, np.int64)]


def tree_similarity(tree_numbers: list[list[str]]) -> np.ndarray:
    """MeSH tree similarity of every pair of diseases.

    ``sim(a, b) = max over tree-number pairs of 2·depth(lca) / (depth(a) + depth(b))``
    where depth counts dot-separated levels (``C04.557`` has depth 2) and the
    lowest common ancestor is the longest shared level prefix. The diagonal is
    1; diseases in different top-level trees get 0.
    """
    n = len(tree_numbers)
    sim = np.zeros((n, n), np.float32)
    # every (disease, tree number) with its depth, and every prefix of it
    owners: dict[str, list[tuple[int, int]]] = {}
    for i, tns in enumerate(tree_numbers):
        for tn in tns:
            parts = tn.split(".")
            depth = len(parts)
            for k in range(1, depth + 1):
                owners.setdefault(".".join(parts[:k]), []).append((i, depth))
    for prefix, members in owners.items():
        if len(members) < 2:
            continue
        k = prefix.count(".") + 1
        idx = np.array([m[0] for m in members], np.int64)
        dep = np.array([m[1] for m in members], np.float32)
        val = 2.0 * k / (dep[:, None] + dep[None, :])
        cur = sim[np.ix_(idx, idx)]
        sim[np.ix_(idx, idx)] = np.maximum(cur, val)
    np.fill_diagonal(sim, 1.0)
    return sim


def jaccard(M: sp.csr_matrix) -> np.ndarray:
    """Jaccard similarity of the rows of a binary matrix (dense; 0 for empty rows)."""
    B = (M > 0).astype(np.float32)
    inter = np.asarray((B @ B.T).todense(), np.float32)
    size = np.asarray(B.sum(axis=1), np.float32).ravel()
    union = size[:, None] + size[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def cosine(X: np.ndarray) -> np.ndarray:
    """Cosine similarity of the rows of ``X`` (0 for all-zero rows)."""
    X = np.asarray(X, np.float32)
    nrm = np.linalg.norm(X, axis=1)
    Xn = np.divide(X, nrm[:, None], out=np.zeros_like(X), where=nrm[:, None] > 0)
    return Xn @ Xn.T


def tanimoto(F: np.ndarray) -> np.ndarray:
    """Tanimoto similarity of the rows of a boolean fingerprint matrix."""
    B = np.asarray(F, np.float32)
    inter = B @ B.T
    size = B.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
