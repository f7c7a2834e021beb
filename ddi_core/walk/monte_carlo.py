"""The reference walker: signed random walks with restart, sampled.

The semantics (start, dead end, restart, move, signs, decay) are those of
:mod:`ddi_core.walk.algorithm`, whose exact expected values are what the method uses;
this module samples walks with an explicit :class:`numpy.random.Generator` (a plain
Python loop; the same source can be compiled by numba, same random stream, same
numbers), so the exact computation can be checked against it
(``tests/unit/test_walk.py``) and timed beside it (``bench/bench_walk.py``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Literal, overload

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from ddi_core.graphs.signaling import SignedGraph
from ddi_core.walk.algorithm import (
    ALPHA,
    DECAY,
    MAX_STEPS,
    N_WALKS,
    Seeds,
    _check_params,
    _seed_arrays,
)

log = logging.getLogger(__name__)

Backend = Literal["python", "numba"]

_MAX_UNIFORMS = 1 << 22  # random numbers drawn per kernel call (32 MiB)


# ---------------------------------------------------------------------------
# Monte Carlo reference walker
# ---------------------------------------------------------------------------


def _mc_kernel(
    indptr,
    indices,
    signs,
    starts,
    signs0,
    block_walks,
    last,
    n_walks,
    alpha,
    decay,
    max_steps,
    u,
    mean_out,
    var_out,
    seen,
    emitted,
    n_emitted,
    total,
    total_sq,
    buf,
    visited,
    touched,
):  # pragma: no cover - via both backends
    """Sample walks for a list of tasks; plain Python, also compiled by numba.

    Task ``i`` runs ``block_walks[i]`` walks from node ``starts[i]`` with sign
    ``signs0[i]``; walk ``w`` of the call uses ``u[2*L*w : 2*L*(w+1)]`` (at step
    ``t``: ``u[.. + 2t - 2]`` for the restart draw, ``u[.. + 2t - 1]`` for the
    neighbour). Per-walk values go to ``total``/``total_sq`` (sum and sum of
    squares over walks); when ``last[i]`` the seed's ``n_walks`` walks are
    complete and its mean and squared standard error are added to
    ``mean_out``/``var_out``; nodes written there for the first time are
    appended to ``emitted`` (``seen`` marks them). Returns the new number of
    emitted nodes. Work buffers must be zero on entry and are left zero.
    """
    w_global = 0
    n_touched = 0
    for i in range(len(starts)):
        start = starts[i]
        sign0 = signs0[i]
        for _w in range(block_walks[i]):
            base = w_global * max_steps * 2
            w_global += 1
            node = start
            sign = sign0
            scale = 1.0
            restarted = False
            buf[node] += sign  # t = 0: the start counts as a visit
            visited[0] = node
            n_vis = 1
            for t in range(1, max_steps + 1):
                lo = indptr[node]
                deg = indptr[node + 1] - lo
                if deg == 0:  # 1. dead end: the walk ends
                    break
                scale *= decay
                if t >= 2 and not restarted and u[base + 2 * t - 2] < alpha:
                    node = start  # 2. restart: back to the seed, sign reset
                    sign = sign0
                    restarted = True
                else:  # 3. move to a uniform out-neighbour
                    k = int(u[base + 2 * t - 1] * deg)
                    if k >= deg:
                        k = deg - 1
                    sign = sign * signs[lo + k]
                    node = indices[lo + k]
                    restarted = False
                buf[node] += sign * scale
                visited[n_vis] = node
                n_vis += 1
            for j in range(n_vis):  # fold this walk's values into the sums
                v = visited[j]
                x = buf[v]
                if x != 0.0:
                    if total_sq[v] == 0.0:  # first non-zero value of v for this seed
                        touched[n_touched] = v
                        n_touched += 1
                    total[v] += x
                    total_sq[v] += x * x
                    buf[v] = 0.0
        if last[i]:  # the seed is done: mean and variance of its mean
            for j in range(n_touched):
                v = touched[j]
                m = total[v] / n_walks
                mean_out[v] += m
                if n_walks > 1:
                    var = (total_sq[v] - n_walks * m * m) / (n_walks - 1)
                    if var > 0.0:
                        var_out[v] += var / n_walks
                total[v] = 0.0
                total_sq[v] = 0.0
                if not seen[v]:
                    seen[v] = True
                    emitted[n_emitted] = v
                    n_emitted += 1
            n_touched = 0
    return n_emitted


@functools.cache
def _numba_kernel() -> Callable:
    try:
        import numba
    except ImportError as exc:  # pragma: no cover - numba is a dependency
        raise ImportError("backend='numba' needs numba installed") from exc
    return numba.njit(cache=False, nogil=True)(_mc_kernel)


class _MonteCarlo:
    """Runs the kernel on one graph with one backend (Python lists or arrays).

    The dense per-node buffers are allocated once and left zero after each
    :meth:`run`, so a run costs time in proportion to the walks, not to ``n``.
    """

    def __init__(
        self,
        graph: SignedGraph,
        *,
        alpha: float,
        decay: float,
        max_steps: int,
        n_walks: int,
        rng: np.random.Generator,
        backend: Backend,
    ):
        _check_params(alpha, decay, max_steps)
        if n_walks < 1:
            raise ValueError(f"n_walks must be >= 1, got {n_walks}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a numpy.random.Generator")
        self.n = graph.n_nodes
        self.alpha, self.decay = float(alpha), float(decay)
        self.L, self.n_walks = int(max_steps), int(n_walks)
        self.rng = rng
        self.backend = backend
        # walks per kernel call, bounded so the uniforms stay below _MAX_UNIFORMS
        self.block = max(1, _MAX_UNIFORMS // max(1, 2 * self.L))
        n, L = self.n, self.L
        if backend == "python":
            self.kernel: Callable = _mc_kernel
            self.g = (graph.indptr.tolist(), graph.indices.tolist(), graph.signs.tolist())
            self.bufs = ([0.0] * n, [0.0] * n, [False] * n, [0] * n)
            self.work = ([0.0] * n, [0.0] * n, [0.0] * n, [0] * (L + 1), [0] * n)
        elif backend == "numba":
            self.kernel = _numba_kernel()
            self.g = (graph.indptr, graph.indices, graph.signs)
            self.bufs = (np.zeros(n), np.zeros(n), np.zeros(n, np.bool_), np.zeros(n, np.int64))
            self.work = (
                np.zeros(n),
                np.zeros(n),
                np.zeros(n),
                np.zeros(L + 1, np.int64),
                np.zeros(n, np.int64),
            )
        else:
            raise ValueError(f"unknown backend {backend!r} (python, numba)")

    def run(self, idx: np.ndarray, sgn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Walk from one seed set: ``(nodes, mean, squared standard error)``."""
        starts, signs0, walks, last = [], [], [], []
        for s, g in zip(idx.tolist(), sgn.tolist(), strict=True):
            left = self.n_walks
            while left > 0:
                b = min(left, self.block)
                starts.append(s)
                signs0.append(g)
                walks.append(b)
                left -= b
                last.append(left == 0)
        mean, var, seen, emitted = self.bufs
        n_emitted = 0
        i = 0
        while i < len(starts):  # group tasks so that each call draws <= block walks
            j, w = i, 0
            while j < len(starts) and (j == i or w + walks[j] <= self.block):
                w += walks[j]
                j += 1
            u = self.rng.random(2 * self.L * w)
            args = (starts[i:j], signs0[i:j], walks[i:j], last[i:j])
            if self.backend == "python":
                u = u.tolist()
            else:
                args = (
                    np.asarray(args[0], np.int64),
                    np.asarray(args[1], np.float64),
                    np.asarray(args[2], np.int64),
                    np.asarray(args[3], np.bool_),
                )
            n_emitted = self.kernel(
                *self.g,
                *args,
                self.n_walks,
                self.alpha,
                self.decay,
                self.L,
                u,
                mean,
                var,
                seen,
                emitted,
                n_emitted,
                *self.work,
            )
            i = j
        nodes = np.asarray(emitted[:n_emitted], np.int64)
        if self.backend == "python":
            m = np.array([mean[v] for v in nodes.tolist()], np.float64)
            s2 = np.array([var[v] for v in nodes.tolist()], np.float64)
            for v in nodes.tolist():
                mean[v] = var[v] = 0.0
                seen[v] = False
        else:
            m, s2 = mean[nodes].copy(), var[nodes].copy()
            mean[nodes] = var[nodes] = 0.0
            seen[nodes] = False
        return nodes, m, s2


@overload
def monte_carlo_walk(
    graph: SignedGraph,
    seeds: Seeds,
    *,
    alpha: float = ...,
    decay: float = ...,
    max_steps: int = ...,
    n_walks: int = ...,
    rng: np.random.Generator,
    return_se: Literal[False] = ...,
    backend: Backend = ...,
) -> np.ndarray: ...
@overload
def monte_carlo_walk(
    graph: SignedGraph,
    seeds: Seeds,
    *,
    alpha: float = ...,
    decay: float = ...,
    max_steps: int = ...,
    n_walks: int = ...,
    rng: np.random.Generator,
    return_se: Literal[True],
    backend: Backend = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
def monte_carlo_walk(
    graph: SignedGraph,
    seeds: Seeds,
    *,
    alpha: float = ALPHA,
    decay: float = DECAY,
    max_steps: int = MAX_STEPS,
    n_walks: int = N_WALKS,
    rng: np.random.Generator,
    return_se: bool = False,
    backend: Backend = "python",
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Profile of one seed set by sampling walks (the reference walker).

    Parameters
    ----------
    graph : SignedGraph
    seeds : mapping or (ids, signs)
        Seed Entrez ids and their signs (+1 / -1).
    alpha, decay, max_steps : float, float, int
        Restart probability, decay per step, maximum number of steps ``L``.
    n_walks : int
        Walks per seed.
    rng : numpy.random.Generator
        Source of randomness (2 uniforms per step are drawn for every walk,
        used or not, so results depend only on the generator's state).
    return_se : bool
        Also return the standard error of each node's value.
    backend : {"python", "numba"}
        Same code and random stream, so the same numbers; numba compiles it.

    Returns
    -------
    values : numpy.ndarray
        ``sum_s`` mean over ``n_walks`` walks from ``s`` of the walk values,
        shape ``(n,)`` indexed like ``graph.node_ids``.
    se : numpy.ndarray
        Standard errors (only with ``return_se``), ``sqrt(sum_s var_s / n_walks)``.
    """
    idx, sgn = _seed_arrays(graph, seeds)
    mc = _MonteCarlo(
        graph,
        alpha=alpha,
        decay=decay,
        max_steps=max_steps,
        n_walks=n_walks,
        rng=rng,
        backend=backend,
    )
    nodes, m, s2 = mc.run(idx, sgn)
    mean = np.zeros(graph.n_nodes)
    mean[nodes] = m
    if return_se:
        se = np.zeros(graph.n_nodes)
        se[nodes] = np.sqrt(s2)
        return mean, se
    return mean


def monte_carlo_profiles(
    graph: SignedGraph,
    seeds: sp.spmatrix | sp.sparray,
    *,
    alpha: float = ALPHA,
    decay: float = DECAY,
    max_steps: int = MAX_STEPS,
    n_walks: int = N_WALKS,
    rng: np.random.Generator,
    backend: Backend = "python",
    rows: ArrayLike | None = None,
) -> np.ndarray:
    """Monte Carlo profiles of many drugs (each drug walks from its own seeds).

    Parameters
    ----------
    seeds : sparse matrix
        ``(n_drugs, graph.n_nodes)``, entry = sign of the target (see
        :func:`seed_matrix`).
    rows : array of int, optional
        Only these drugs (rows), in this order.
    Other parameters as in :func:`monte_carlo_walk`.

    Returns
    -------
    numpy.ndarray
        ``(len(rows) or n_drugs, n)`` profiles.
    """
    S = sp.csr_matrix(seeds)
    if S.shape[1] != graph.n_nodes:
        raise ValueError(f"seed matrix has {S.shape[1]} columns, graph has {graph.n_nodes} nodes")
    which = np.arange(S.shape[0]) if rows is None else np.asarray(rows, np.int64)
    mc = _MonteCarlo(
        graph,
        alpha=alpha,
        decay=decay,
        max_steps=max_steps,
        n_walks=n_walks,
        rng=rng,
        backend=backend,
    )
    out = np.zeros((which.shape[0], graph.n_nodes))
    for r, d in enumerate(which.tolist()):
        lo, hi = S.indptr[d], S.indptr[d + 1]
        nodes, m, _ = mc.run(S.indices[lo:hi].astype(np.int64), S.data[lo:hi].astype(np.float64))
        out[r, nodes] = m
    return out
