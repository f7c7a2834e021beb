"""Evidence that the node2vec embeddings carry their networks' structure.

* PPI link prediction (:func:`link_prediction`): hide a fraction of edges, embed
  the rest, fit a logistic regression on Hadamard products of endpoint vectors
  (training edges vs random non-edges) and score hidden edges vs other random
  non-edges by AUROC (the protocol of the node2vec paper).
* MeSH hierarchy coherence (:func:`hierarchy_coherence`): cosine similarity of
  parent-child pairs vs uniformly random disease pairs, with a one-sided
  Mann-Whitney U test.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ddi_core.cache import atomic_write_json, cached
from ddi_core.embed.node2vec import Node2VecConfig, Progress, node2vec
from ddi_core.embed.node2vec_stages import PPIEmbeddingConfig, ppi_inputs
from ddi_core.graphs.networks import Graph, ppi_graph

log = logging.getLogger(__name__)


def split_edges(graph: Graph, holdout: float = 0.1, seed: int = 0) -> tuple[Graph, np.ndarray]:
    """Hide ``holdout`` of the edges without isolating any node.

    Edges are visited in a seeded random order and hidden while both endpoints
    keep at least one remaining edge.

    Returns
    -------
    train_graph : Graph
        Same nodes, remaining edges.
    hidden : numpy.ndarray
        ``(h, 2)`` hidden edges (node indices).
    """
    if not 0 < holdout < 1:
        raise ValueError("holdout must be in (0, 1)")
    edges = graph.edges()
    target = int(round(holdout * len(edges)))
    deg = graph.degree().astype(np.int64).copy()
    rng = np.random.default_rng([seed, 0x5B1])
    hide = np.zeros(len(edges), dtype=bool)
    n = 0
    for k in rng.permutation(len(edges)).tolist():
        if n >= target:
            break
        u, v = edges[k]
        if deg[u] > 1 and deg[v] > 1:
            hide[k] = True
            deg[u] -= 1
            deg[v] -= 1
            n += 1
    if n < target:
        log.warning("split_edges: hid %d of %d requested edges", n, target)
    return graph.subgraph_edges(edges[~hide]), edges[hide]


def sample_non_edges(graph: Graph, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct uniformly random node pairs ``(u < v)`` that are not edges."""
    nn = graph.n_nodes
    if nn * (nn - 1) // 2 - graph.n_edges < n:
        raise ValueError("graph has fewer non-edges than requested")
    got = np.empty((0, 2), dtype=np.int64)
    while len(got) < n:
        m = 2 * (n - len(got)) + 16
        u = rng.integers(0, nn, m)
        v = rng.integers(0, nn, m)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        ok = (lo != hi) & ~graph.has_edges(lo, hi)
        cand = np.vstack([got, np.column_stack([lo[ok], hi[ok]])])
        _, first = np.unique(cand[:, 0] * nn + cand[:, 1], return_index=True)
        got = cand[np.sort(first)]
    return got[:n]


def link_prediction(
    graph: Graph,
    config: Node2VecConfig | None = None,
    *,
    holdout: float = 0.1,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """AUROC of hidden-edge recovery from node2vec vectors.

    Parameters
    ----------
    graph : Graph
        The full graph.
    config : Node2VecConfig, optional
        Embedding configuration (run on the graph minus hidden edges).
    holdout : float
        Fraction of edges hidden.
    seed : int
        Seeds the split and the negative pairs.

    Returns
    -------
    dict
        ``auroc``, ``n_hidden``, ``n_train_pos``, ``walk_seconds``,
        ``train_seconds``, ``holdout``, ``seed``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    train_graph, hidden = split_edges(graph, holdout, seed)
    res = node2vec(train_graph, config, progress)
    x = res.vectors.astype(np.float64)
    rng = np.random.default_rng([seed, 0x9E6])
    h = len(hidden)
    neg = sample_non_edges(graph, 2 * h, rng)
    tr_edges = train_graph.edges()
    train_pos = tr_edges[rng.choice(len(tr_edges), size=min(h, len(tr_edges)), replace=False)]

    def feats(pairs: np.ndarray) -> np.ndarray:
        return x[pairs[:, 0]] * x[pairs[:, 1]]

    x_tr = np.vstack([feats(train_pos), feats(neg[:h])])
    y_tr = np.r_[np.ones(len(train_pos)), np.zeros(h)]
    x_te = np.vstack([feats(hidden), feats(neg[h:])])
    y_te = np.r_[np.ones(h), np.zeros(h)]
    clf = LogisticRegression(max_iter=2000).fit(x_tr, y_tr)
    auroc = float(roc_auc_score(y_te, clf.predict_proba(x_te)[:, 1]))
    log.info("link prediction: AUROC %.4f on %d hidden edges", auroc, h)
    return {
        "auroc": round(auroc, 4),
        "n_hidden": int(h),
        "n_train_pos": int(len(train_pos)),
        "walk_seconds": res.walk_seconds,
        "train_seconds": res.train_seconds,
        "train_cpu_seconds": res.train_cpu_seconds,
        "holdout": holdout,
        "seed": seed,
    }


def ppi_link_prediction(
    config: PPIEmbeddingConfig | None = None,
    progress: Progress | None = None,
    *,
    holdout: float = 0.1,
    seed: int = 0,
    force: bool = False,
) -> dict[str, Any]:
    """:func:`link_prediction` on the STRING PPI, cached as stage ``embed-ppi-linkpred``.

    Costs one extra embedding of the PPI (with the held-out edges removed) the
    first time; later calls read ``linkpred.json``.
    """

    cfg = config or PPIEmbeddingConfig()
    stage_cfg = {"embedding": asdict(cfg), "holdout": holdout, "seed": seed, "version": 1}

    def compute(tmp: Path) -> None:

        t0 = time.perf_counter()
        out = link_prediction(
            ppi_graph(cfg.edge_weight),
            cfg.node2vec,
            holdout=holdout,
            seed=seed,
            progress=progress,
        )
        out["seconds"] = round(time.perf_counter() - t0, 3)
        atomic_write_json(tmp / "linkpred.json", out)

    entry = cached("embed-ppi-linkpred", stage_cfg, ppi_inputs(cfg), compute, force=force)
    return json.loads((entry / "linkpred.json").read_text())
