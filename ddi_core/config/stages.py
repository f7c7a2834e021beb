"""The resolved configuration of every upstream stage a run reads.

A :class:`~ddi_core.config.run.RunConfig` holds what varies per run (walk,
train, model, evidence). The stages below it (entity tables, the gene, disease
and drug embeddings, the target classifier, the evidence tables) are cached
once per data home and shared by every run, so they run with fixed configs and
fixed seeds of their own: :func:`stage_configs` states them, resolved, and each
run records them (``run.json`` ``stages``; ``config.toml`` beside it).

Their seeds are deliberately not derived from the run's root seed: each
distinct seed would rebuild the embeddings and the classifier (minutes each on
two cores) and change what "the same data" means between runs.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ddi_core.config.run import RunConfig


def _plain(cfg: Any) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(cfg), default=str))


def stage_configs(cfg: RunConfig) -> dict[str, dict[str, Any] | None]:
    """``{stage: resolved config}`` of the upstream stages a run of ``cfg`` reads
    (``targets`` is None when the walk seeds from known targets only)."""
    from ddi_core.data.entities import EntityConfig
    from ddi_core.embed.infograph import InfoGraphConfig
    from ddi_core.embed.node2vec_stages import MeshEmbeddingConfig, PPIEmbeddingConfig
    from ddi_core.walk.profiles import target_config

    out: dict[str, dict[str, Any] | None] = {
        "entities": _plain(EntityConfig()),
        "embed_genes": _plain(PPIEmbeddingConfig()),
        "embed_diseases": _plain(MeshEmbeddingConfig()),
        "embed_drugs": _plain(InfoGraphConfig()),
        "targets": _plain(target_config(cfg.walk)) if cfg.walk.seed_source != "known" else None,
    }
    if cfg.model == "evidence":
        from ddi_core.models.evidence.tables import tables_config

        out["evidence_tables"] = _plain(tables_config(cfg.evidence))
    return out


__all__ = ["stage_configs"]
