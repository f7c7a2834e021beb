"""Signed random walk with restart from a drug's signed targets.

The walker of the method (Zhang, "Leveraging Network Embeddings and Deep
Learning for Drug-Disease Interaction Prediction", section *Random Walk on
Biological Networks*) propagates a drug's effect over a signed directed
signaling network (:class:`ddi_core.graphs.signaling.SignedGraph`). The paper names the
ingredients (restart probability, decay, maximum length, sign kept on 'Pos'
edges and flipped otherwise) but not their order; the order below is ours.
Two implementations of the same semantics live here:

* :func:`~ddi_core.walk.monte_carlo.monte_carlo_walk` /
  :func:`~ddi_core.walk.monte_carlo.monte_carlo_profiles` (in
  :mod:`ddi_core.walk.monte_carlo`): the reference walker, which samples walks with
  an explicit :class:`numpy.random.Generator`;
* :func:`exact_walk`, :func:`gene_responses`, :func:`drug_profiles`: the exact
  expected values, computed by sparse matrix products (no sampling).

Semantics
---------
A walk from seed gene ``s`` with sign ``sigma`` (+1 activated, -1 inhibited by
the drug), with restart probability ``alpha``, decay ``d`` and at most ``L``
steps:

* **t = 0**: the walker stands on ``s`` with sign ``sigma``; ``s`` gains
  ``sigma`` (that is, ``sigma * d**0``: the start counts as a visit).
* **t = 1, 2, ..., L**, in this order:

  1. *dead end*: if the current node has no out-edges, the walk ends (this is
     checked first, so a walker on a dead end never restarts);
  2. *restart*: if ``t >= 2`` and step ``t - 1`` was not a restart, then with
     probability ``alpha`` the walker jumps back to ``s``, its sign is reset to
     ``sigma`` and ``s`` gains ``sigma * d**t``;
  3. *move*: otherwise it moves to one of the distinct out-neighbours of its
     node, chosen uniformly; its sign is multiplied by the edge's sign (+1
     keeps it, -1 flips it, 0 zeroes it until the next restart) and the new
     node gains ``sign * d**t``.

  Each step is exactly one of end / restart / move. A restart is a step of its
  own: ``t`` counts it and the magnitude keeps decaying across it. The first
  step is always a move, and the walker never restarts twice in a row.

The value of a walk is the vector of its gains (a node visited several times
gains several times). The **response** of gene ``s`` is the expected value of a
walk from ``s`` with ``sigma = +1``. The **profile** of a drug is the sum over
its seed targets of the mean value of ``n_walks`` walks from each target with
the target's sign; its expectation is ``sum_s sigma_s * response_s``, which is
what the exact functions compute. Method defaults: ``alpha = 0.3``,
``d = 0.95``, ``L = 15``, 15 walks per target.

Exact computation
-----------------
Let ``P = D^-1 A`` be the signed transition matrix (``SignedGraph.transition``),
``|P|`` its unsigned twin, and ``a`` the indicator of nodes with out-edges.
:func:`exact_walk` propagates, per seed, the walker state step by step: the
signed and the unsigned mass of walkers whose last step was a move (they may
restart), and the mass ``r_t`` that has just restarted (it sits on ``s`` with
sign ``sigma`` and must move next). For ``t >= 1``, with ``k_t = 1 - alpha`` if
``t >= 2`` else 1::

    r_t = (alpha if t >= 2 else 0) * (a . q_{t-1})
    x_t = P^T   (k_t x_{t-1} + r_{t-1} e_s)        (signed)
    q_t = |P|^T (k_t q_{t-1} + r_{t-1} e_s)        (unsigned)
    V  += d^t (x_t + r_t e_s)

:func:`gene_responses` computes the same numbers faster from a renewal
argument: a restart at step ``tau`` starts an independent copy of the walk
scaled by ``d^tau`` (after a restart the walker must move, as at ``t = 0``).
With ``A_j(s) = (|P|^j a)[s]`` (one sparse mat-vec per step for all seeds), the
first restart happens at step ``j >= 2`` with probability
``f_j = alpha (1 - alpha)^(j-2) A_{j-1}``; restarts happen at step ``tau`` with
probability ``g_tau`` (``g_0 = 1``, ``g_tau = sum_j f_j g_{tau-j}``), and::

    response_s = sum_{j=0..L} d^j (1 - alpha)^max(j-1, 0) G_{L-j} (P^T)^j e_s,
    G_m = sum_{tau=0..m} g_tau d^tau.

so only the signed propagation ``(P^T)^j E`` is a matrix product.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike

from ddi_core.graphs.signaling import SignedGraph

log = logging.getLogger(__name__)

ALPHA = 0.3
DECAY = 0.95
MAX_STEPS = 15
N_WALKS = 15
#: the longest walk computed (the run config's ``walk.max_steps`` allows the same)
MAX_STEPS_LIMIT = 1000

Seeds = Mapping[int, float] | tuple[ArrayLike, ArrayLike]
"""Seed targets: Entrez id -> sign, or a pair of arrays (Entrez ids, signs)."""

_ROW_BLOCK = 128  # drug rows updated together by drug_profiles


class ExactWalk(NamedTuple):
    """Exact expected walk values.

    Attributes
    ----------
    values : numpy.ndarray
        Expected value of every node after the last step, shape ``(n,)``.
    trace : numpy.ndarray
        ``trace[t]`` = expected values accumulated up to and including step
        ``t``, shape ``(L + 1, n)``; ``trace[-1]`` equals ``values``.
    """

    values: np.ndarray
    trace: np.ndarray


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _check_params(alpha: float, decay: float, max_steps: int) -> None:
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if not (0.0 < decay <= 1.0):  # a decay above 1 grows the signal without bound
        raise ValueError(f"decay must be in (0, 1], got {decay}")
    if int(max_steps) != max_steps or not 0 <= max_steps <= MAX_STEPS_LIMIT:
        raise ValueError(
            f"max_steps must be a whole number from 0 to {MAX_STEPS_LIMIT}, got {max_steps}"
        )


def _seed_arrays(graph: SignedGraph, seeds: Seeds) -> tuple[np.ndarray, np.ndarray]:
    """Node indices and float signs of the seeds (raises on unknown genes)."""
    if isinstance(seeds, Mapping):
        ids = np.fromiter((int(k) for k in seeds.keys()), np.int64, len(seeds))
        sgn = np.fromiter((float(v) for v in seeds.values()), np.float64, len(seeds))
    else:
        ids_in, sgn_in = seeds
        ids = np.atleast_1d(np.asarray(ids_in, dtype=np.int64))
        sgn = np.atleast_1d(np.asarray(sgn_in, dtype=np.float64))
        if ids.shape != sgn.shape:
            raise ValueError("seed ids and signs must have the same length")
    if not np.all(np.isfinite(sgn)):
        raise ValueError("seed signs must be finite")
    return graph.index_of(ids), sgn


def seed_matrix(
    graph: SignedGraph,
    table: pd.DataFrame,
    *,
    drug_col: str = "chemical_id",
    gene_col: str = "entrez",
    sign_col: str = "sign",
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Sparse drugs x nodes seed matrix from a signed drug-target table.

    Rows whose gene is not a node of ``graph`` are dropped (and counted in the
    log). A (drug, gene) pair listed twice keeps the sum of its signs, so
    conflicting annotations cancel.

    Returns
    -------
    matrix : scipy.sparse.csr_matrix
        ``(n_drugs, graph.n_nodes)``, float64 entries (normally +-1).
    drugs : numpy.ndarray
        Drug id of each row, sorted; drugs with no target in the network are
        absent (a row is empty when its duplicate signs cancel).
    """
    genes = pd.to_numeric(table[gene_col], errors="coerce")
    inside = genes.notna().to_numpy() & graph.contains(genes.fillna(-1).to_numpy(np.int64))
    t = table.loc[inside]
    log.info(
        "seed matrix: %d of %d drug-target rows have their gene in network %s",
        int(inside.sum()),
        len(table),
        graph.name or "(custom)",
    )
    drugs, rows = np.unique(t[drug_col].to_numpy(), return_inverse=True)
    cols = graph.index_of(genes[inside].to_numpy(np.int64))
    m = sp.csr_matrix(
        (t[sign_col].to_numpy(np.float64), (rows, cols)), shape=(drugs.shape[0], graph.n_nodes)
    )
    m.sum_duplicates()
    m.eliminate_zeros()
    return m, drugs


# ---------------------------------------------------------------------------
# Exact expected values
# ---------------------------------------------------------------------------


def exact_walk(
    graph: SignedGraph,
    seeds: Seeds,
    *,
    alpha: float = ALPHA,
    decay: float = DECAY,
    max_steps: int = MAX_STEPS,
) -> ExactWalk:
    """Exact expected profile of one seed set, with its per-step trace.

    Propagates the walker state (signed and unsigned mass of walkers that may
    restart, mass that has just restarted) step by step, one column per seed;
    see the module docstring. The cost is ``O(L * edges * n_seeds)``: meant for
    one drug. For many drugs use :func:`drug_profiles`.

    Returns
    -------
    ExactWalk
        ``values`` (shape ``(n,)``) and ``trace`` (shape ``(L + 1, n)``).
    """
    _check_params(alpha, decay, max_steps)
    idx, sgn = _seed_arrays(graph, seeds)
    n, k = graph.n_nodes, idx.shape[0]
    pt = graph.transition(signed=True).T.tocsr()
    pt_abs = graph.transition(signed=False).T.tocsr()
    alive = (graph.out_degree > 0).astype(np.float64)
    cols = np.arange(k)

    x = np.zeros((n, k))  # signed mass that may restart at the next step
    x[idx, cols] = 1.0
    q = x.copy()  # its unsigned twin
    r = np.zeros(k)  # mass that has just restarted (on its seed, sign +1)
    v = x.copy()  # accumulated values, one column per seed (sign +1)
    trace = [v @ sgn]
    for t in range(1, int(max_steps) + 1):
        keep = 1.0 - alpha if t >= 2 else 1.0
        r_next = alpha * (alive @ q) if t >= 2 else np.zeros(k)
        mx = keep * x
        mx[idx, cols] += r
        mq = keep * q
        mq[idx, cols] += r
        x = pt @ mx
        q = pt_abs @ mq
        r = r_next
        dt = decay**t
        v += dt * x
        v[idx, cols] += dt * r
        trace.append(v @ sgn)
    tr = np.stack(trace)
    return ExactWalk(values=tr[-1].copy(), trace=tr)


def _renewal_coefficients(
    graph: SignedGraph, idx: np.ndarray, alpha: float, decay: float, max_steps: int
) -> np.ndarray:
    """``coef[j, s]``: weight of ``(P^T)^j e_s`` in the response of seed ``s``."""
    L = int(max_steps)
    k = idx.shape[0]
    p_abs = graph.transition(signed=False)
    c = (graph.out_degree > 0).astype(np.float64)
    alive_at = np.empty((max(L, 1), k))  # A_j(s) = (|P|^j a)[s]
    for j in range(L):
        alive_at[j] = c[idx]
        c = p_abs @ c
    f = np.zeros((L + 1, k))  # first restart exactly at step j
    for j in range(2, L + 1):
        f[j] = alpha * (1.0 - alpha) ** (j - 2) * alive_at[j - 1]
    g = np.zeros((L + 1, k))  # a restart (or the start) at step tau
    g[0] = 1.0
    for tau in range(2, L + 1):
        g[tau] = np.sum(f[2 : tau + 1] * g[tau - 2 :: -1][: tau - 1], axis=0)
    dpow = decay ** np.arange(L + 1)
    G = np.cumsum(g * dpow[:, None], axis=0)
    keep = (1.0 - alpha) ** np.maximum(np.arange(L + 1) - 1, 0)
    return (dpow * keep)[:, None] * G[::-1]


def gene_responses(
    graph: SignedGraph,
    genes: ArrayLike,
    *,
    alpha: float = ALPHA,
    decay: float = DECAY,
    max_steps: int = MAX_STEPS,
    chunk_size: int = 64,
) -> np.ndarray:
    """Exact response of each gene: the expected walk value with sign +1.

    ``response_s = sum_j coef_j(s) (P^T)^j e_s`` (see the module docstring),
    evaluated by Horner's rule on a chunk of seeds at a time (sparse matrix
    times dense block). Dead ends never pass mass on, so all products but the
    last run on the nodes that have out-edges only.

    Parameters
    ----------
    genes : array of int
        Entrez ids (nodes of ``graph``).
    chunk_size : int
        Genes propagated together (working memory ~ ``3 * n * chunk_size``
        floats besides the result; 32-64 keeps a chunk in cache).

    Returns
    -------
    numpy.ndarray
        ``(len(genes), n)``; row ``i`` is the response of ``genes[i]``.
    """
    _check_params(alpha, decay, max_steps)
    idx = graph.index_of(genes)
    out = np.zeros((idx.shape[0], graph.n_nodes))
    for ch, block in _response_chunks(graph, idx, alpha, decay, int(max_steps), chunk_size):
        out[ch] = block.T
    return out


def _response_chunks(
    graph: SignedGraph,
    idx: np.ndarray,
    alpha: float,
    decay: float,
    max_steps: int,
    chunk_size: int,
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield ``(slice of idx, responses as an (n, b) block)`` chunk by chunk."""
    n, k = graph.n_nodes, idx.shape[0]
    if k == 0:
        return
    coef = _renewal_coefficients(graph, idx, alpha, decay, max_steps)
    live = np.flatnonzero(graph.out_degree > 0)
    pos = np.full(n, -1, np.int64)
    pos[live] = np.arange(live.size)
    pt = graph.transition(signed=True).T.tocsr()
    pt_live = pt[live][:, live].tocsr()  # live -> live steps
    pt_last = pt[:, live].tocsr()  # the last step reaches every node
    step = max(1, int(chunk_size))
    for lo in range(0, k, step):
        ch = slice(lo, lo + step)
        yield ch, _horner_chunk(pt_live, pt_last, coef[:, ch], idx[ch], pos[idx[ch]])


def _horner_chunk(
    pt_live: sp.csr_matrix,
    pt_last: sp.csr_matrix,
    coef: np.ndarray,
    seeds: np.ndarray,
    seeds_live: np.ndarray,
) -> np.ndarray:
    """``sum_j coef[j, c] (P^T)^j e_{seeds[c]}`` for one chunk, shape ``(n, b)``.

    Horner's rule: ``acc <- P^T acc + coef[j] e_s`` for ``j = L-1 .. 0``.
    ``pt_live`` is ``P^T`` restricted to live nodes (those with out-edges: the
    only ones whose mass moves on), ``pt_last`` its rows for every node, used
    for the final product; ``seeds_live`` are the seeds' positions among live
    nodes (-1 for a dead end, whose response is its t = 0 term alone).
    """
    L = coef.shape[0] - 1
    b = seeds.shape[0]
    cols = np.arange(b)
    m = seeds_live >= 0
    rows_m, cols_m = seeds_live[m], cols[m]
    full = np.zeros((pt_last.shape[0], b))
    if L >= 1:
        acc = np.zeros((pt_live.shape[0], b))
        acc[rows_m, cols_m] = coef[L, m]
        for j in range(L - 1, 0, -1):
            acc = pt_live @ acc
            acc[rows_m, cols_m] += coef[j, m]
        full = pt_last @ acc
    full[seeds, cols] += coef[0]
    return full


def drug_profiles(
    graph: SignedGraph,
    seeds: sp.spmatrix | sp.sparray,
    *,
    alpha: float = ALPHA,
    decay: float = DECAY,
    max_steps: int = MAX_STEPS,
    chunk_size: int = 64,
) -> np.ndarray:
    """Exact expected profiles of many drugs at once.

    ``profiles = seeds @ responses``: the responses of the genes that seed at
    least one drug (:func:`gene_responses`) are computed a chunk at a time and
    each chunk is added, with the seed signs, to the drugs it seeds (a sparse
    product), so the full response matrix is never held in memory.

    Parameters
    ----------
    seeds : sparse matrix
        ``(n_drugs, graph.n_nodes)``, entries = target signs (see
        :func:`seed_matrix`).

    Returns
    -------
    numpy.ndarray
        ``(n_drugs, n)`` expected profiles.
    """
    S = sp.csr_matrix(seeds, dtype=np.float64, copy=True)
    if S.shape[1] != graph.n_nodes:
        raise ValueError(f"seed matrix has {S.shape[1]} columns, graph has {graph.n_nodes} nodes")
    S.eliminate_zeros()
    used = np.unique(S.indices)
    log.debug("drug_profiles: %d drugs, %d distinct seed genes", S.shape[0], used.shape[0])
    _check_params(alpha, decay, max_steps)
    St = S[:, used].tocsc()  # column c: the drugs seeded by gene used[c], with signs
    out = np.zeros((S.shape[0], graph.n_nodes))
    for ch, block in _response_chunks(graph, used, alpha, decay, int(max_steps), chunk_size):
        part = St[:, ch].tocsr()
        rows = np.flatnonzero(np.diff(part.indptr))  # drugs seeded in this chunk
        resp = np.ascontiguousarray(block.T)
        for lo in range(0, rows.size, _ROW_BLOCK):  # bounded temporaries
            r = rows[lo : lo + _ROW_BLOCK]
            out[r] += part[r] @ resp
    return out
