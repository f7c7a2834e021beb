"""The target stage's inputs (drug and gene embeddings, known targets) and their hashes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.data import entities, loaders
from ddi_core.data.genes import symbol_to_entrez
from ddi_core.embed.infograph import drug_embedding
from ddi_core.embed.node2vec_stages import ppi_embedding
from ddi_core.embed.store import Embedding
from ddi_core.graphs.signaling import load_signaling_network
from ddi_core.targets.config import TargetConfig

log = logging.getLogger(__name__)


def _sha_bytes(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def embedding_hash(emb: Embedding) -> str:
    """SHA-256 of an embedding's ids and vectors."""
    return _sha_bytes(np.asarray(emb.ids), np.asarray(emb.vectors, np.float32))


def frame_hash(df: pd.DataFrame | None, columns: Sequence[str]) -> str:
    """SHA-256 of ``columns`` of ``df`` (rows sorted), ``"none"`` for ``None``."""
    if df is None:
        return "none"
    t = df[list(columns)].astype(str).sort_values(list(columns)).to_csv(index=False)
    return hashlib.sha256(t.encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class TargetInputs:
    """Data the ``targets`` stage reads.

    Attributes
    ----------
    drug_embedding : Embedding
        InfoGraph vectors, ids = CTD chemical ids.
    gene_embedding : Embedding
        node2vec vectors, ids = Entrez (int64).
    dti : pandas.DataFrame
        Signed pairs: ``chemical_id``, ``entrez``, ``sign`` (±1), optional
        ``symbol`` and ``sources``.
    network_nodes : numpy.ndarray
        int64 Entrez ids of the signaling network, in node order (the seed
        matrix's columns).
    exclude_pairs : pandas.DataFrame or None
        ``(chemical_id, entrez)`` with any known interaction (never sampled as
        ``none``).
    drug_universe : numpy.ndarray or None
        Every drug the profiles account for (default: DTI drugs ∪ embedded drugs).
    gene_symbols : dict
        Entrez → symbol, for display.
    """

    drug_embedding: Embedding
    gene_embedding: Embedding
    dti: pd.DataFrame
    network_nodes: np.ndarray
    exclude_pairs: pd.DataFrame | None = None
    drug_universe: np.ndarray | None = None
    gene_symbols: dict[int, str] = field(default_factory=dict)

    @cached_property
    def hashes(self) -> dict[str, str]:
        """Input hashes for the cache key."""
        return {
            "drug_embedding": embedding_hash(self.drug_embedding),
            "gene_embedding": embedding_hash(self.gene_embedding),
            "dti": frame_hash(self.dti, ["chemical_id", "entrez", "sign"]),
            "network_nodes": _sha_bytes(np.asarray(self.network_nodes, np.int64)),
            "exclude_pairs": frame_hash(self.exclude_pairs, ["chemical_id", "entrez"]),
        }

    def universe(self) -> np.ndarray:
        if self.drug_universe is not None:
            return np.unique(np.asarray(self.drug_universe).astype(str))
        return np.unique(
            np.concatenate(
                [
                    self.dti["chemical_id"].astype(str).to_numpy(),
                    np.asarray(self.drug_embedding.ids).astype(str),
                ]
            )
        )

    def scored_genes(self) -> tuple[np.ndarray, np.ndarray]:
        """Network nodes with a gene vector: ``(entrez ids, embedding rows)``."""
        nodes = np.asarray(self.network_nodes, np.int64)
        idx = self.gene_embedding.index()
        rows = np.array([idx.get(int(g), -1) for g in nodes], np.int64)
        return nodes[rows >= 0], rows[rows >= 0]


def load_inputs(
    config: TargetConfig | None = None,
    *,
    drug_config: Any = None,
    gene_config: Any = None,
) -> TargetInputs:
    """The real inputs: entity tables, embeddings (cached stages) and network.

    Computes the drug and gene embeddings and the entity tables when they are
    not cached yet. ``drug_config`` (an ``InfoGraphConfig``) and ``gene_config``
    (a ``PPIEmbeddingConfig``) select other embeddings than the defaults (tests
    use reduced ones).
    """

    cfg = config or TargetConfig()
    dti = entities.signed_dti()
    genes = entities.genes()
    ev = entities.dti_evidence()[["chemical_id", "entrez"]]
    cg = loaders.load_ctd_chemical_gene()
    m = symbol_to_entrez(cg["gene_symbol"], genes)
    cg = cg.merge(m[["symbol", "entrez"]], left_on="gene_symbol", right_on="symbol", how="left")
    n_unmapped = int(cg["entrez"].isna().sum())
    cg = cg.dropna(subset=["entrez"]).astype({"entrez": np.int64})[["chemical_id", "entrez"]]
    log.info(
        "unsigned CTD chemical-gene pairs excluded from 'none': %d (%d unmapped symbols)",
        len(cg),
        n_unmapped,
    )
    exclude = pd.concat([ev, cg], ignore_index=True).drop_duplicates()
    graph = load_signaling_network(cfg.network, cfg.include_phy)  # type: ignore[arg-type]
    symbols = dict(
        zip(genes["entrez"].astype(np.int64).tolist(), genes["symbol"].astype(str), strict=True)
    )
    return TargetInputs(
        drug_embedding=drug_embedding(drug_config),
        gene_embedding=ppi_embedding(gene_config),
        dti=dti,
        network_nodes=np.asarray(graph.node_ids, np.int64),
        exclude_pairs=exclude,
        drug_universe=entities.drugs()["chemical_id"].astype(str).to_numpy(),
        gene_symbols=symbols,
    )


def _features(inputs: TargetInputs, table: pd.DataFrame) -> np.ndarray:
    d_idx = inputs.drug_embedding.index()
    g_idx = inputs.gene_embedding.index()
    dr = np.array([d_idx[c] for c in table["chemical_id"].astype(str)], np.int64)
    gr = np.array([g_idx[int(g)] for g in table["entrez"]], np.int64)
    return np.concatenate(
        [
            np.asarray(inputs.drug_embedding.vectors)[dr],
            np.asarray(inputs.gene_embedding.vectors)[gr],
        ],
        axis=1,
    ).astype(np.float32)
