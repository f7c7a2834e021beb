"""The cached node2vec stages: gene vectors on the STRING PPI and disease vectors on the MeSH network."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ddi_core.cache import cached
from ddi_core.data.sources import sources
from ddi_core.embed.coherence import hierarchy_coherence
from ddi_core.embed.node2vec import Node2VecConfig, Progress, node2vec
from ddi_core.embed.store import Embedding, read_embedding, save_embedding
from ddi_core.graphs import networks
from ddi_core.graphs.networks import (
    CTD_CHEM_DISEASE_SOURCE,
    CTD_GENE_DISEASE_SOURCE,
    MESH_SOURCE,
    PPI_SOURCE,
    EdgeWeight,
    MeshNetworkConfig,
)

#: bump when the computation changes in a way that invalidates cached tables
_STAGE_VERSION = 1


@dataclass(frozen=True)
class PPIEmbeddingConfig:
    """Gene embedding: node2vec on the STRING PPI (see :func:`networks.ppi_graph`)."""

    node2vec: Node2VecConfig = field(default_factory=Node2VecConfig)
    edge_weight: EdgeWeight = "none"


@dataclass(frozen=True)
class MeshEmbeddingConfig:
    """Disease embedding: node2vec on the MeSH disease network."""

    node2vec: Node2VecConfig = field(default_factory=Node2VecConfig)
    network: MeshNetworkConfig = field(default_factory=MeshNetworkConfig)
    coherence_seed: int = 0


def _sha(rel: str) -> str:

    return sources()[rel].sha256


def _stage_config(cfg: Any) -> dict[str, Any]:
    return {"version": _STAGE_VERSION, **asdict(cfg)}


def _fit_meta(res: Any) -> dict[str, Any]:
    """Times and sizes of one node2vec fit (a ``Node2VecResult``), for the stage's meta."""
    return {
        "walk_seconds": res.walk_seconds,
        "train_seconds": res.train_seconds,
        "train_cpu_seconds": res.train_cpu_seconds,
        "seconds": round(res.walk_seconds + res.train_seconds, 3),
        "n_walks": res.n_walks,
        "n_tokens": res.n_tokens,
    }


def _load(entry: Path, t0: float) -> Embedding:
    emb = read_embedding(entry)
    emb.meta["cache_dir"] = str(entry)
    emb.meta["load_seconds"] = round(time.perf_counter() - t0, 3)
    return emb


def ppi_inputs(config: PPIEmbeddingConfig | None = None) -> dict[str, str]:
    """Input hashes of the PPI embedding stage."""
    return {PPI_SOURCE: _sha(PPI_SOURCE)}


def ppi_embedding(
    config: PPIEmbeddingConfig | None = None,
    progress: Progress | None = None,
    *,
    force: bool = False,
) -> Embedding:
    """Gene vectors from node2vec on the STRING PPI, cached as stage ``embed-ppi``.

    Parameters
    ----------
    config : PPIEmbeddingConfig, optional
        Defaults: 300-d, p = q = 1, 10 walks x 80, window 10, unweighted.
    progress : callable, optional
        ``progress(stage, done, total)``.
    force : bool
        Recompute even when cached.

    Returns
    -------
    Embedding
        ``ids``: int64 Entrez ids (sorted); ``vectors``: float32 ``(n, dim)``;
        ``meta``: ``n``, ``dim``, ``edges``, ``seconds``, ``walk_seconds``,
        ``train_seconds``, ``config``, ``cache_dir``, ``load_seconds``.
    """

    cfg = config or PPIEmbeddingConfig()
    t0 = time.perf_counter()

    def compute(tmp: Path) -> None:

        g = networks.ppi_graph(cfg.edge_weight)
        res = node2vec(g, cfg.node2vec, progress)
        save_embedding(
            tmp,
            g.ids,
            res.vectors,
            {
                "kind": "gene",
                "id_type": "entrez",
                "method": "node2vec",
                "nodes": g.n_nodes,
                "edges": g.n_edges,
                **_fit_meta(res),
                "config": _stage_config(cfg),
            },
        )

    entry = cached("embed-ppi", _stage_config(cfg), ppi_inputs(cfg), compute, force=force)
    return _load(entry, t0)


def mesh_inputs(config: MeshEmbeddingConfig | None = None) -> dict[str, str]:
    """Input hashes of the MeSH embedding stage."""
    cfg = config or MeshEmbeddingConfig()
    rels = [MESH_SOURCE, CTD_CHEM_DISEASE_SOURCE]
    if cfg.network.gene_jaccard_threshold is not None:
        rels.append(CTD_GENE_DISEASE_SOURCE)
    return {r: _sha(r) for r in rels}


def mesh_embedding(
    config: MeshEmbeddingConfig | None = None,
    progress: Progress | None = None,
    *,
    force: bool = False,
) -> Embedding:
    """Disease vectors from node2vec on the MeSH disease network (stage ``embed-mesh``).

    Only network nodes get a vector. CTD diseases outside the network are not
    given a fallback vector: they are counted in ``meta["network"]`` and listed in
    ``meta["network"]["ctd_uncovered_ids"]``; callers must exclude them.

    Returns
    -------
    Embedding
        ``ids``: MeSH ids (``<U`` strings, sorted); ``meta`` additionally holds
        ``network`` (counts, CTD coverage) and ``coherence`` (parent-child vs
        random-pair cosine, Mann-Whitney p; see
        :func:`ddi_core.embed.coherence.hierarchy_coherence`).
    """

    cfg = config or MeshEmbeddingConfig()
    t0 = time.perf_counter()

    def compute(tmp: Path) -> None:

        net = networks.mesh_network(cfg.network)
        res = node2vec(net.graph, cfg.node2vec, progress)
        coh = hierarchy_coherence(res.vectors, net.tree_edges, seed=cfg.coherence_seed)
        save_embedding(
            tmp,
            net.graph.ids,
            res.vectors,
            {
                "kind": "disease",
                "id_type": "mesh",
                "method": "node2vec",
                "nodes": net.graph.n_nodes,
                "edges": net.graph.n_edges,
                **_fit_meta(res),
                "network": net.report,
                "coherence": coh,
                "config": _stage_config(cfg),
            },
        )

    entry = cached("embed-mesh", _stage_config(cfg), mesh_inputs(cfg), compute, force=force)
    return _load(entry, t0)
