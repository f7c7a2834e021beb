"""The upstream stages a run reads: declared once, built before a training, recorded in it.

A :class:`~ddi_core.config.run.RunConfig` holds what varies per run (walk, train, model,
evidence). The stages below it (entity tables, the gene, disease and drug embeddings,
the target classifier and its calls, the walk profiles, the evidence tables) are cached
once per data home and shared by every run, so they run with fixed configs and fixed
seeds of their own. :data:`STAGES` declares each once: its name, the line a first run
prints, its resolved config, how it is built, what it needs and how a run records it.
:func:`stages_for` is what a run of a config reads (the model kind's own stages,
:meth:`ModelKind.stages <ddi_core.models.base.ModelKind>`, and everything they need);
:func:`build_stages` builds them in order (``ddi prepare``, ``ddi train``, the
dashboard's jobs), one line and one bar each, so a first run shows where its minutes
go; :func:`stage_configs` is the record: ``config.toml`` holds the whole run, the run's
options and a ``[stages.*]`` table per upstream stage (:func:`run_record_toml`), and
``run.json`` repeats them under ``stages``. ``ddi train --config config.toml`` reruns a
run from that file, and refuses when this code's stages differ from the recorded ones
(:func:`stage_differences`), since the numbers could not be reproduced.

Their seeds are deliberately not derived from the run's root seed: each distinct seed
would rebuild the embeddings and the classifier (minutes each on two cores) and change
what "the same data" means between runs.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ddi_core.config.run import RunConfig, dumps_toml, loads_toml
from ddi_core.data.entities import EntityConfig
from ddi_core.embed import infograph, node2vec_stages
from ddi_core.embed.infograph import InfoGraphConfig
from ddi_core.embed.node2vec_stages import MeshEmbeddingConfig, PPIEmbeddingConfig
from ddi_core.fitloop import TqdmCallback
from ddi_core.models.evidence import tables as evidence_tables
from ddi_core.models.registry import model_kind
from ddi_core.targets import grid, stage
from ddi_core.walk import profiles

#: how a run records a stage's config: always; as null when the run does not read it;
#: only when it reads it; never (its options are the run's own, e.g. the walk's)
Record = Literal["always", "or_null", "when_read", "never"]


def _plain(cfg: Any) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(cfg), default=str))


def _predicted(cfg: RunConfig) -> bool:
    return cfg.walk.seed_source != "known"


def _n2v_bar(desc: str) -> Callable[[str, int, int], None]:
    """A node2vec ``progress(stage, done, total)`` that drives one tqdm bar (training
    share done, ETA); a cached embedding calls nothing and shows nothing."""
    from tqdm import tqdm  # optional: a bar only where a stage is built

    state: dict = {}

    def progress(step: str, done: int, total: int) -> None:
        if step == "train":
            bar = state.get("bar")
            if bar is None:
                bar = state["bar"] = tqdm(
                    total=total, desc=desc, unit="walk", file=sys.stderr, leave=False, disable=None
                )
            bar.update(done - bar.n)
        elif step == "done" and state.get("bar") is not None:
            state.pop("bar").close()

    return progress


def _build_calls(cfg: RunConfig, bar: TqdmCallback) -> None:
    from tqdm import tqdm  # optional: a bar only where a stage is built

    scoring = None

    def on_progress(done: int, total: int) -> None:
        nonlocal scoring
        if scoring is None:
            scoring = tqdm(
                total=total, desc="  scoring", unit="drug", file=sys.stderr, leave=False,
                disable=None,
            )  # fmt: skip
        scoring.update(done - scoring.n)

    try:
        grid.predicted_targets(profiles.target_config(cfg.walk), on_progress=on_progress)
    finally:
        if scoring is not None:
            scoring.close()


@dataclass(frozen=True)
class Stage:
    """One upstream stage: ``config(cfg)`` its resolved config (None: the run's own
    options), ``build(cfg, bar)`` builds or loads it, ``needs(cfg)`` the stages it reads."""

    name: str
    label: str
    config: Callable[[RunConfig], Any]
    build: Callable[[RunConfig, TqdmCallback], Any] | None
    needs: Callable[[RunConfig], tuple[str, ...]]
    record: Record


def _none(cfg: RunConfig) -> tuple[str, ...]:
    return ()


#: every upstream stage, in the order they are built
STAGES: tuple[Stage, ...] = (
    Stage("entities", "entity tables", lambda c: EntityConfig(), None, _none, "always"),
    Stage(
        "embed_diseases",
        "disease embedding (node2vec on MeSH)",
        lambda c: MeshEmbeddingConfig(),
        lambda c, bar: node2vec_stages.mesh_embedding(None, _n2v_bar("node2vec")),
        _none,
        "always",
    ),
    Stage(
        "embed_genes",
        "gene embedding (node2vec on STRING)",
        lambda c: PPIEmbeddingConfig(),
        lambda c, bar: node2vec_stages.ppi_embedding(None, _n2v_bar("node2vec")),
        _none,
        "always",
    ),
    Stage(
        "embed_drugs",
        "drug embedding (InfoGraph)",
        lambda c: InfoGraphConfig(),
        lambda c, bar: infograph.drug_embedding(None, [bar]),
        _none,
        "always",
    ),
    Stage(
        "targets",
        "drug-target classifier",
        lambda c: profiles.target_config(c.walk),
        lambda c, bar: stage.fit_targets(profiles.target_config(c.walk), callbacks=[bar]),
        lambda c: ("embed_genes", "embed_drugs"),
        "or_null",
    ),
    Stage(
        "target_calls",
        "target calls (every drug x every network gene)",
        lambda c: None,
        _build_calls,
        lambda c: ("targets",),
        "never",
    ),
    Stage(
        "walk",
        "signed walk profiles",
        lambda c: None,
        lambda c, bar: profiles.drug_profiles(c.walk),
        lambda c: ("target_calls",) if _predicted(c) else (),
        "never",
    ),
    Stage(
        "evidence_tables",
        "evidence tables",
        lambda c: evidence_tables.tables_config(c.evidence),
        lambda c, bar: evidence_tables.evidence_tables(evidence_tables.tables_config(c.evidence)),
        lambda c: (
            ("walk", "embed_diseases")
            + (("embed_drugs",) if evidence_tables.tables_config(c.evidence).infograph else ())
        ),
        "when_read",
    ),
)
BY_NAME = {s.name: s for s in STAGES}


def stages_for(cfg: RunConfig) -> tuple[Stage, ...]:
    """The stages a run of ``cfg`` reads, in build order: its model kind's and every
    stage they need."""
    todo = list(model_kind(cfg.model).stages(cfg))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(BY_NAME[name].needs(cfg))
    return tuple(s for s in STAGES if s.name in seen)


def stage_configs(cfg: RunConfig) -> dict[str, dict[str, Any] | None]:
    """``{stage: resolved config}`` of the upstream stages a run of ``cfg`` records
    (``targets`` is None when the walk seeds from known targets only)."""
    read = {s.name for s in stages_for(cfg)}
    out: dict[str, dict[str, Any] | None] = {}
    for s in STAGES:
        if s.record == "always" or (s.record == "when_read" and s.name in read):
            out[s.name] = _plain(s.config(cfg))
        elif s.record == "or_null":
            out[s.name] = _plain(s.config(cfg)) if s.name in read else None
    return out


def build_stages(cfg: RunConfig) -> None:
    """Build the cached stages a run of ``cfg`` reads, one line each with its time (a bar
    where the stage reports progress), so a first run shows where its minutes go; a
    cached stage loads in under a second and says nothing."""
    steps = [s for s in stages_for(cfg) if s.build is not None]
    for i, s in enumerate(steps, 1):
        label = f"[{i}/{len(steps)}] {s.label}"
        bar = TqdmCallback(label)
        t0 = time.perf_counter()
        try:
            s.build(cfg, bar)
        finally:
            bar.close()
        took = time.perf_counter() - t0
        if took > 1.0:
            print(f"{label}: {took:.0f} s", file=sys.stderr, flush=True)


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


__all__ = [
    "STAGES",
    "Stage",
    "build_stages",
    "read_run_record",
    "run_record_toml",
    "stage_configs",
    "stage_differences",
    "stages_for",
]
