"""node2vec: biased second-order random walks + skip-gram with negative sampling.

Grover & Leskovec, *node2vec: Scalable Feature Learning for Networks*, KDD 2016
(https://arxiv.org/abs/1607.00653).

Walks
    A numba kernel over the CSR graph (:class:`~ddi_core.graphs.networks.Graph`),
    parallel over walks. The second-order bias uses rejection sampling (the
    scheme of KnightKing and PyG/torch-cluster): draw a neighbour ``x`` of the
    current node ``v`` from the first-order (weight-proportional) distribution,
    accept it with probability ``alpha(t, x) / max(1/p, 1, 1/q)`` where ``t`` is
    the previous node and ``alpha`` is ``1/p`` if ``x == t``, ``1`` if ``x`` is a
    neighbour of ``t`` (binary search in ``t``'s sorted list) and ``1/q``
    otherwise. That samples exactly the node2vec transition ``w_vx * alpha``
    without per-edge alias tables. ``p == q == 1`` takes a first-order fast path.
    Every walk has its own counter-based random stream (SplitMix64 seeded by
    ``(seed, walk number)``), so walks are identical for any thread count.
Training
    gensim ``Word2Vec(sg=1, hs=0, negative=5)`` on the walks, tokens being node
    indices. gensim is bit-reproducible only with one worker thread:
    ``deterministic=True`` (default) uses ``workers=1``; ``False`` uses
    ``workers`` threads, faster on more cores but not reproducible.
    Trade-off measured on the STRING PPI (13.8 M tokens, 300-d, window 10):
    one worker needs ~240 CPU s (~4 min on an idle core; 5.7 min wall on the
    shared, loaded 2-core dev box); two workers cut the wall time by up to half
    on idle cores, and keep the same CPU time.

Stage entry points :func:`ppi_embedding` and :func:`mesh_embedding` cache their
tables under the data home (:func:`ddi_core.cache.cached`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numba
import numpy as np

from ddi_core.graphs.networks import (
    Graph,
)

log = logging.getLogger(__name__)


#: ``progress(stage, done, total)``: ("walks", 0, 1), ("walks", 1, 1), then
#: ("train", walks_consumed, n_walks) about every 1 %, then ("done", 1, 1).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Node2VecConfig:
    """node2vec hyper-parameters (defaults: the paper's protocol, 300-d).

    Attributes
    ----------
    dim : int
        Embedding dimension.
    walk_length : int
        Nodes per walk (including the start).
    num_walks : int
        Walks started from every node.
    window : int
        Skip-gram context window.
    p, q : float
        Return and in-out parameters; small ``p`` favours immediate returns,
        small ``q`` favours moving outward (DFS-like).
    negative : int
        Negative samples per positive pair.
    epochs : int
        Passes over the walk corpus (1, as in the reference implementation).
    sample : float
        gensim's down-sampling threshold for frequent tokens (its default).
    seed : int
        Seeds the walks, the walk order and gensim.
    deterministic : bool
        ``True``: one gensim worker, bit-identical vectors for the same seed.
    workers : int
        gensim threads when ``deterministic`` is ``False``.
    """

    dim: int = 300
    walk_length: int = 80
    num_walks: int = 10
    window: int = 10
    p: float = 1.0
    q: float = 1.0
    negative: int = 5
    epochs: int = 1
    sample: float = 1e-3
    seed: int = 0
    deterministic: bool = True
    workers: int = 2

    def __post_init__(self) -> None:
        if self.p <= 0 or self.q <= 0:
            raise ValueError("p and q must be positive")
        if min(self.dim, self.walk_length, self.num_walks, self.window, self.epochs) < 1:
            raise ValueError("dim, walk_length, num_walks, window and epochs must be >= 1")


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


_M1 = np.uint64(0xBF58476D1CE4E5B9)


_M2 = np.uint64(0x94D049BB133111EB)


_S30 = np.uint64(30)


_S27 = np.uint64(27)


_S31 = np.uint64(31)


_S11 = np.uint64(11)


_INV53 = 1.0 / 9007199254740992.0


@numba.njit(inline="always")
def _next(state: np.uint64) -> tuple[np.uint64, float]:
    """SplitMix64 step: new state and a uniform double in [0, 1)."""
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return state, (z >> _S11) * _INV53


@numba.njit(inline="always")
def _pick(indptr, indices, cumw, weighted, v, u):
    s = indptr[v]
    e = indptr[v + 1]
    if not weighted:
        k = s + np.int64(u * (e - s))
        if k >= e:
            k = e - 1
        return indices[k]
    target = u * cumw[e - 1]
    lo = s
    hi = e - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if cumw[mid] > target:
            hi = mid
        else:
            lo = mid + 1
    return indices[lo]


@numba.njit(inline="always")
def _adjacent(indptr, indices, a, b):
    lo = indptr[a]
    hi = indptr[a + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        x = indices[mid]
        if x == b:
            return True
        if x < b:
            lo = mid + 1
        else:
            hi = mid
    return False


@numba.njit(parallel=True, cache=True)
def _walk_kernel(indptr, indices, cumw, weighted, starts, walk_length, inv_p, inv_q, seed):
    n_w = starts.shape[0]
    out = np.full((n_w, walk_length), -1, dtype=np.int32)
    first_order = inv_p == 1.0 and inv_q == 1.0
    max_a = max(inv_p, 1.0, inv_q)
    min_a = min(inv_p, 1.0, inv_q)
    seed_state = np.uint64(seed) * _M1
    for w in numba.prange(n_w):
        state, _ = _next(seed_state ^ (np.uint64(w) * _GOLDEN))
        v = starts[w]
        out[w, 0] = v
        if indptr[v + 1] == indptr[v]:
            continue
        prev = -1
        for t in range(1, walk_length):
            if first_order or prev < 0:
                state, u = _next(state)
                x = _pick(indptr, indices, cumw, weighted, v, u)
            else:
                while True:
                    state, u = _next(state)
                    x = _pick(indptr, indices, cumw, weighted, v, u)
                    state, r = _next(state)
                    r = r * max_a
                    if r < min_a:
                        break
                    if x == prev:
                        a = inv_p
                    elif _adjacent(indptr, indices, prev, x):
                        a = 1.0
                    else:
                        a = inv_q
                    if r < a:
                        break
            out[w, t] = x
            prev = v
            v = x
    return out


def _local_cumsum(graph: Graph) -> np.ndarray:
    """Per-node cumulative edge weights (each node's slice restarts at its first weight)."""
    if graph.weights is None:
        return np.zeros(1, dtype=np.float64)
    cs = np.cumsum(graph.weights, dtype=np.float64)
    base = np.r_[0.0, cs][graph.indptr[:-1]]
    return cs - np.repeat(base, graph.degree())


def walk_starts(n_nodes: int, num_walks: int, seed: int) -> np.ndarray:
    """Start node of every walk: ``num_walks`` rounds, each a seeded permutation of all nodes."""
    rng = np.random.default_rng([seed, 0x57A27])
    return np.concatenate([rng.permutation(n_nodes) for _ in range(num_walks)]).astype(np.int32)


def random_walks(
    graph: Graph,
    *,
    num_walks: int = 10,
    walk_length: int = 80,
    p: float = 1.0,
    q: float = 1.0,
    seed: int = 0,
    starts: np.ndarray | None = None,
) -> np.ndarray:
    """node2vec walks over ``graph`` (numba, parallel over walks).

    Parameters
    ----------
    graph : Graph
        Undirected CSR graph with sorted neighbour lists; weights, when present,
        make the first-order step weight-proportional.
    num_walks, walk_length : int
        Walks per node and nodes per walk.
    p, q : float
        Return and in-out parameters.
    seed : int
        The same seed and graph give the same walks, whatever the thread count.
    starts : numpy.ndarray, optional
        Explicit start nodes (overrides ``num_walks`` rounds of all nodes).

    Returns
    -------
    numpy.ndarray
        int32, shape ``(n_walks, walk_length)``; a walk from an isolated node is
        padded with ``-1`` after its start.
    """
    if p <= 0 or q <= 0:
        raise ValueError("p and q must be positive")
    if starts is None:
        starts = walk_starts(graph.n_nodes, num_walks, seed)
    starts = np.ascontiguousarray(starts, dtype=np.int32)
    return _walk_kernel(
        graph.indptr,
        graph.indices,
        _local_cumsum(graph),
        graph.weights is not None,
        starts,
        int(walk_length),
        1.0 / p,
        1.0 / q,
        int(seed) & 0xFFFFFFFFFFFFFFFF,
    )


def reference_walks(
    graph: Graph,
    *,
    num_walks: int = 10,
    walk_length: int = 80,
    p: float = 1.0,
    q: float = 1.0,
    seed: int = 0,
    starts: np.ndarray | None = None,
) -> list[list[int]]:
    """Straightforward per-step Python walker (the benchmark baseline and a test oracle).

    At each step it computes the unnormalised node2vec weights of every neighbour
    of the current node and draws one with :func:`random.choices`; with
    ``p == q == 1`` (and no weights) it draws uniformly, mirroring the fast path.
    Same distribution as :func:`random_walks`, different random stream.
    """
    rng = random.Random(seed)
    adj = [graph.neighbors(i).tolist() for i in range(graph.n_nodes)]
    nset = [set(a) for a in adj]
    wts = (
        [
            graph.weights[graph.indptr[i] : graph.indptr[i + 1]].tolist()
            for i in range(graph.n_nodes)
        ]
        if graph.weights is not None
        else None
    )
    first_order = p == 1.0 and q == 1.0
    if starts is None:
        starts = walk_starts(graph.n_nodes, num_walks, seed)
    walks = []
    for s in np.asarray(starts).tolist():
        walk = [s]
        while len(walk) < walk_length:
            cur = walk[-1]
            nbrs = adj[cur]
            if not nbrs:
                break
            base = wts[cur] if wts is not None else None
            if len(walk) == 1 or first_order:
                walk.append(rng.choices(nbrs, base)[0] if base else rng.choice(nbrs))
                continue
            prev = walk[-2]
            probs = []
            for k, x in enumerate(nbrs):
                a = 1.0 / p if x == prev else (1.0 if x in nset[prev] else 1.0 / q)
                probs.append(a * (base[k] if base else 1.0))
            walk.append(rng.choices(nbrs, probs)[0])
        walks.append(walk)
    return walks


class _Corpus:
    """Re-iterable view of the walk matrix as token lists (no full copy in memory).

    gensim consumes the corpus in order, so the rows handed out measure training
    progress; ``progress("train", rows, total)`` is called about every 1 %.
    """

    def __init__(self, walks: np.ndarray, tokens: np.ndarray, progress: Progress | None = None):
        self.walks = walks
        self.tokens = tokens
        self.progress = progress

    def __iter__(self) -> Iterator[list[str]]:
        tok = self.tokens
        n = self.walks.shape[0]
        step = max(1, n // 100)
        for i, row in enumerate(self.walks):
            if self.progress is not None and i % step == 0:
                self.progress("train", i, n)
            if row[-1] < 0:
                row = row[row >= 0]
            yield tok[row].tolist()


def train_skipgram(
    walks: np.ndarray,
    n_nodes: int,
    config: Node2VecConfig | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Skip-gram with negative sampling (gensim) on a walk matrix.

    Parameters
    ----------
    walks : numpy.ndarray
        int32 node indices, ``-1`` padded (see :func:`random_walks`).
    n_nodes : int
        Number of nodes; every node must occur in ``walks``.
    config : Node2VecConfig, optional
    progress : callable, optional
        ``progress("train", walks_consumed, n_walks)``, about every 1 %.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(n_nodes, dim)``; row ``i`` is node ``i``.
    """
    from gensim.models import Word2Vec

    cfg = config or Node2VecConfig()
    counts = np.bincount(walks[walks >= 0].ravel(), minlength=n_nodes)
    if (counts == 0).any():
        raise ValueError(f"{int((counts == 0).sum())} nodes never occur in the walks")
    tokens = np.array([str(i) for i in range(n_nodes)], dtype=object)
    model = Word2Vec(
        vector_size=cfg.dim,
        window=cfg.window,
        min_count=1,
        sg=1,
        hs=0,
        negative=cfg.negative,
        sample=cfg.sample,
        workers=1 if cfg.deterministic else max(1, cfg.workers),
        seed=cfg.seed,
        epochs=cfg.epochs,
    )
    model.build_vocab_from_freq({tokens[i]: int(c) for i, c in enumerate(counts)})
    model.train(
        _Corpus(walks, tokens, progress),
        total_examples=int(walks.shape[0]),
        total_words=int(counts.sum()),
        epochs=cfg.epochs,
    )
    idx = np.array([model.wv.key_to_index[t] for t in tokens], dtype=np.int64)
    return np.ascontiguousarray(model.wv.vectors[idx], dtype=np.float32)


@dataclass(frozen=True)
class Node2VecResult:
    """Vectors of every node (row ``i`` = node ``i``) and timings in seconds.

    ``train_cpu_seconds`` is process CPU time (all threads) during training: with
    one gensim worker it approximates the wall time on an idle core.
    """

    vectors: np.ndarray
    walk_seconds: float
    train_seconds: float
    train_cpu_seconds: float
    n_walks: int
    n_tokens: int


def node2vec(
    graph: Graph, config: Node2VecConfig | None = None, progress: Progress | None = None
) -> Node2VecResult:
    """Embed every node of ``graph``: :func:`random_walks` then :func:`train_skipgram`."""
    cfg = config or Node2VecConfig()
    if progress:
        progress("walks", 0, 1)
    t0 = time.perf_counter()
    walks = random_walks(
        graph,
        num_walks=cfg.num_walks,
        walk_length=cfg.walk_length,
        p=cfg.p,
        q=cfg.q,
        seed=cfg.seed,
    )
    t1 = time.perf_counter()
    c1 = time.process_time()
    log.info("node2vec: %d walks x %d in %.1f s", walks.shape[0], walks.shape[1], t1 - t0)
    if progress:
        progress("walks", 1, 1)
    vectors = train_skipgram(walks, graph.n_nodes, cfg, progress)
    t2 = time.perf_counter()
    cpu = time.process_time() - c1
    log.info("node2vec: skip-gram (%d-d) in %.1f s (%.1f CPU s)", cfg.dim, t2 - t1, cpu)
    if progress:
        progress("done", 1, 1)
    return Node2VecResult(
        vectors=vectors,
        walk_seconds=round(t1 - t0, 3),
        train_seconds=round(t2 - t1, 3),
        train_cpu_seconds=round(cpu, 3),
        n_walks=int(walks.shape[0]),
        n_tokens=int((walks >= 0).sum()),
    )
