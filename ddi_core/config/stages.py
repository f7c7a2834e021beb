"""The resolved configuration of every upstream stage a run reads.

A :class:`~ddi_core.config.run.RunConfig` holds what varies per run (walk,
train, model, evidence). The stages below it (entity tables, the gene, disease
and drug embeddings, the target classifier, the evidence tables) are cached
once per data home and shared by every run, so they run with fixed configs and
fixed seeds of their own: :func:`stage_configs` states them, resolved, and each
run records them: ``config.toml`` holds the whole run, the run's options and a
``[stages.*]`` table per upstream stage (:func:`run_record_toml`), and
``run.json`` repeats them under ``stages``. ``ddi train --config config.toml``
reruns a run from that file, and refuses when this code's stages differ from
the recorded ones (:func:`stage_differences`), since the numbers could not be
reproduced.

Their seeds are deliberately not derived from the run's root seed: each
distinct seed would rebuild the embeddings and the classifier (minutes each on
two cores) and change what "the same data" means between runs.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ddi_core.config.run import RunConfig, dumps_toml, loads_toml


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


def run_record_toml(cfg: RunConfig, stages: dict[str, Any] | None = None) -> str:
    """The whole run as TOML: ``cfg``'s options and ``[stages.<name>]`` tables
    (``stages`` defaults to :func:`stage_configs` of ``cfg``; a stage the run does not
    read is listed under ``_null``)."""
    return dumps_toml({**cfg.to_dict(), "stages": stage_configs(cfg) if stages is None else stages})


def read_run_record(text: str) -> tuple[RunConfig, dict[str, Any] | None]:
    """The run config of a :func:`run_record_toml` document and its stages record
    (None when the document has no ``[stages]``, e.g. a hand-written config)."""
    d = loads_toml(text)
    stages = d.pop("stages", None)
    return RunConfig.from_dict(d), stages


def stage_differences(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """``"embed_genes.node2vec.p: recorded 1, now 2"`` for every leaf that differs
    between two stages records (TOML lists and JSON tuples compare equal)."""
    out: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k, "(absent)"), b.get(k, "(absent)"), f"{path}.{k}" if path else k)
        elif _plain(a) != _plain(b):
            out.append(f"{path}: recorded {a!r}, now {b!r}")

    def _plain(x: Any) -> Any:
        return json.loads(json.dumps(x, default=str))

    walk(recorded, current, "")
    return out


__all__ = ["read_run_record", "run_record_toml", "stage_configs", "stage_differences"]
