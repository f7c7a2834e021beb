"""Run configuration: frozen dataclasses, presets, TOML round trip.

A run is fully described by :class:`RunConfig`; its canonical JSON is written
next to every output and hashed into cache keys. Presets:

``paper``
    Exactly the method's training: MLP D-4096-1024-256-64-1, Adam 1e-4, weight
    decay 1e-5, batch 256, early stopping with patience 10 on validation loss,
    at most 200 epochs, 1:1 negatives, SMOTE on the training split.
``quick``
    Same architecture and optimiser for demos and tests: every training pair,
    at most 4 epochs, patience 2, ranking metrics on 100 test drugs. (Until
    issue 10 it subsampled 8,000 training pairs for 6 epochs, which left it
    below disease popularity on test AUROC: 0.787 vs 0.813.)
``evidence``
    The evidence model (:mod:`ddi_core.evidence`) on the same split protocol,
    ranking metrics over every test drug.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ddi_core.config.checks import ConfigError, check_fields

Split = Literal["random", "drug", "disease"]
Network = Literal["hsn", "signor", "omnipath"]
SeedSource = Literal["known", "predicted", "known+predicted"]
TargetCalls = Literal["calibrated", "top_k", "raw"]
GeneUniverse = Literal["signaling", "ppi+signaling"]
#: a preset's name (one of :data:`PRESETS`)
Preset = str
#: a model kind's name (one of :data:`ddi_core.models.registry.KINDS`, which checks it)
ModelKind = str
Population = Literal["evidence", "paper"]
TrainLabels = Literal["all", "clinical"]


@dataclass(frozen=True)
class WalkConfig:
    """Signed random walk with restart (the drug profile).

    ``include_phy`` walks HSN v7's unsigned physical ('Phy') edges too, with
    sign ``phy_sign`` (-1: the paper's rule, every edge that is not 'Pos'
    flips the walker's sign). ``seed_source`` ``"known+predicted"`` seeds
    every drug with an InfoGraph vector from the drug-target classifier's
    calls (known targets win on conflict); ``target_calls`` says how calls
    are made: ``"calibrated"`` = the paper's thresholds on probabilities
    corrected to the deployment prior, ``"top_k"`` = the ``target_top_k``
    likeliest targets per drug (ranked by ``target_rank``: probability, or its
    lift over the gene's mean to the power ``target_lift_power``), ``"raw"`` =
    the thresholds on uncorrected
    probabilities (~300 calls per drug). The defaults (known seeds, signed
    edges) are the quick and evidence models'; the ``paper`` preset is the
    faithful one.
    """

    network: Network = "hsn"
    include_phy: bool = False
    alpha: float = 0.3
    decay: float = 0.95
    max_steps: int = 15
    seed_source: SeedSource = "known"
    gene_universe: GeneUniverse = "signaling"
    phy_sign: int = -1
    target_calls: TargetCalls = "calibrated"
    target_top_k: int = 10
    target_rank: Literal["probability", "lift"] = "probability"
    target_lift_power: float = 1.0

    def __post_init__(self) -> None:
        check_fields(self, "walk")


@dataclass(frozen=True)
class TrainConfig:
    """Pair classifier and its training protocol."""

    split: Split = "random"
    neg_ratio: float = 1.0
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    max_epochs: int = 200
    patience: int = 10
    batch_size: int = 256
    lr: float = 1e-4
    weight_decay: float = 1e-5
    dropout: float = 0.5
    hidden: tuple[int, ...] = (4096, 1024, 256, 64)
    smote: bool = True
    smote_k: int = 5
    max_train_pairs: int | None = None
    rank_eval_drugs: int | None = 300  #: test drugs ranked against every disease (seeded sample)
    exclude_pairs: str | None = None  #: path of a CSV of (drug, disease) pairs

    def __post_init__(self) -> None:
        check_fields(self, "train")


@dataclass(frozen=True)
class EvidenceConfig:
    """The ``evidence`` model: pair features from the bundle's graph + LightGBM.

    ``population``: ``"evidence"`` ranks every CTD chemical with any evidence (a
    signed target, CTD chemical-gene rows or a SMILES); ``"paper"`` uses exactly
    the MLP's drugs and pairs (so a run with the same seed has the same split).
    ``families`` and the similarity lists select features (the ablation);
    ``gene_disease`` switches every feature built on ``ctd/6_G_D.csv``.
    Association-derived features of training pairs come from ``oof_folds``
    folds (grouped like the split: by pair, drug or disease).
    ``train_neg_ratio`` negatives per training positive are drawn for the
    learner only (``same_drug_neg_fraction`` of them share a positive's drug,
    their disease drawn in proportion to (degree + 1)^``popular_neg_power``);
    validation and test pairs are the split's own.
    ``labels``: ``"all"`` learns from every CTD positive; ``"clinical"`` drops the
    training and validation positives whose disease is an experimental model or
    chemically induced (:mod:`ddi_core.data.disease_classes`) from what the learner sees
    (its features' associations, its training and early-stopping pairs: they are neither
    positives nor negatives then); the run's validation and test figures are measured on
    the whole split, as for every run.
    """

    population: Population = "evidence"
    labels: TrainLabels = "all"
    families: tuple[str, ...] = (
        "popularity",
        "drug_knn",
        "gene_cf",
        "disease_sim",
        "network",
        "ease",
    )
    drug_sims: tuple[str, ...] = ("profile", "targets", "chemgenes", "morgan", "infograph")
    dis_sims: tuple[str, ...] = ("mesh", "genes", "tree")
    knn_dis_sims: tuple[str, ...] = ("mesh",)
    gene_disease: bool = True
    knn_k: int = 20
    oof_folds: int = 5
    ease_lambdas: tuple[float, ...] = (3.0, 10.0, 30.0, 100.0, 300.0)
    #: the ``krr`` family's ridge weight (the family is off by default; see ``n_bags``): 10
    #: ranked best on validation, alone (unseen drugs MRR 0.083 at 10 against 0.081 at 3 and
    #: 0.077 at 100; random 0.108 at 10, 0.110 at 30)
    krr_lambda: float = 10.0
    train_neg_ratio: float = 5.0
    same_drug_neg_fraction: float = 0.5
    #: chosen on validation (scripts/evidence_ablation.py --tune, seed 0, all three splits):
    #: α = 0.25 with learning rate 0.05 and 15 leaves raised validation MRR on the random
    #: split 0.136 → 0.144 and degree-matched AUROC 0.786 → 0.803 (docs/RESULTS.md)
    popular_neg_power: float = 0.25
    #: boosters averaged, each fitted on the training positives with its own draw of extra
    #: negatives and its own seed (one model text: learner.average_boosters). Measured on
    #: validation (seed 0; docs/bench/evidence_tuning.json) and left at 1: mean validation MRR
    #: over the three splits 0.0998 with 1 bag, 0.1018 with 3 bags and ``krr``, but those
    #: 1,741 trees score the full matrix in 58.8 s (bar 30 s); at learning rate 0.1 they keep
    #: the bar (27.9 s) and the gain is gone (0.1002, within one booster's seed noise)
    n_bags: int = 1
    num_leaves: int = 15
    learning_rate: float = 0.05
    max_rounds: int = 1000
    early_stopping_rounds: int = 50
    min_child_samples: int = 50
    feature_fraction: float = 0.8
    reg_lambda: float = 1.0

    def __post_init__(self) -> None:
        check_fields(self, "evidence")


@dataclass(frozen=True)
class RunConfig:
    preset: Preset = "paper"
    seed: int = 0
    walk: WalkConfig = field(default_factory=WalkConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    model: ModelKind = "mlp"
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)

    def __post_init__(self) -> None:
        check_fields(self, "")
        if self.preset not in PRESETS:
            raise ConfigError(
                "preset", self.preset, "must be one of " + ", ".join(map(repr, PRESETS))
            )

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        def build(kind, data):
            names = {f.name for f in fields(kind)}
            unknown = set(data) - names
            if unknown:
                raise ValueError(f"unknown {kind.__name__} keys: {sorted(unknown)}")
            kw = dict(data)
            for f in fields(kind):
                if f.name in kw and isinstance(kw[f.name], list):
                    kw[f.name] = tuple(kw[f.name])
            return kind(**kw)

        d = dict(d)
        walk = build(WalkConfig, d.pop("walk", {}))
        train = build(TrainConfig, d.pop("train", {}))
        evidence = build(EvidenceConfig, d.pop("evidence", {}))
        unknown = set(d) - {"preset", "seed", "model"}
        if unknown:
            raise ValueError(f"unknown RunConfig keys: {sorted(unknown)}")
        return cls(**d, walk=walk, train=train, evidence=evidence)

    def to_toml(self) -> str:
        """The resolved config as TOML (``tomli_w``); :meth:`from_toml` reads it back.

        TOML has no null: keys whose value is None are listed in ``_null`` and omitted.
        """
        return dumps_toml(self.to_dict())

    @classmethod
    def from_toml(cls, text: str) -> RunConfig:
        """The config of a TOML document; a run's ``[stages]`` record (see
        :func:`ddi_core.training.stages.read_run_record`) is not an option and is ignored."""
        d = loads_toml(text)
        d.pop("stages", None)
        return cls.from_dict(d)


def dumps_toml(doc: dict[str, Any]) -> str:
    """``doc`` as TOML; None values at any depth are omitted and their dotted keys
    listed in ``_null`` (TOML has no null), so :func:`loads_toml` restores them."""
    import tomli_w

    nulls: list[str] = []

    def strip(d: dict[str, Any], prefix: str) -> dict[str, Any]:
        out = {}
        for k, v in d.items():
            if v is None:
                nulls.append(prefix + k)
            elif isinstance(v, dict):
                out[k] = strip(v, f"{prefix}{k}.")
            else:
                out[k] = v
        return out

    body = strip(doc, "")
    top = {k: v for k, v in body.items() if not isinstance(v, dict)}
    if nulls:
        top["_null"] = nulls
    return tomli_w.dumps({**top, **{k: v for k, v in body.items() if isinstance(v, dict)}})


def loads_toml(text: str) -> dict[str, Any]:
    """The document of :func:`dumps_toml` (None restored at every key in ``_null``)."""
    d = tomllib.loads(text)
    for key in d.pop("_null", []):
        *path, name = str(key).split(".")
        node = d
        for part in path:
            node = node.setdefault(part, {})
        node[name] = None
    return d


def _paper() -> RunConfig:
    # the paper's text: predicted-target seeds, every HSN edge. The prior-corrected
    # thresholds call no target for held-out drugs (median 0; docs/RESULTS.md), so the
    # calls are each drug's top k, ranked by P(target) / mean_g ** a (mean_g: the gene's
    # mean P(target) over drugs; a = 0 ranks by probability and gives every drug the same
    # hub genes, a = 1 is the lift). (a, k) = (0.8, 20) has the highest F1@k on the
    # classifier's validation drugs (0.0442) among the settings under which fewer than 5%
    # of the preset's drugs share a seed set, so a walk profile, with another (4.97%, 3.9
    # points of it drugs of one SMILES: salts, esters); the earlier (1, 5) gave 0.0357 and
    # 10.1%; a = 0.75, k = 3 has the best F1 (0.0598) at 26% sharing:
    # scripts/target_call_sweep.py, docs/bench/target_call_sweep.json
    return RunConfig(
        preset="paper",
        walk=WalkConfig(
            include_phy=True,
            seed_source="known+predicted",
            target_calls="top_k",
            target_top_k=20,
            target_rank="lift",
            target_lift_power=0.8,
        ),
    )


@dataclass(frozen=True)
class PresetSpec:
    """A named starting point for a run: what it is, in a sentence, and its config."""

    description: str
    build: Callable[[], RunConfig]


#: Every preset, in the order a reader meets them: the one place a preset is named.
PRESETS: dict[str, PresetSpec] = {
    "evidence": PresetSpec(
        "the evidence model: network and collaborative evidence with LightGBM (ranks the "
        "dashboard by default)",
        lambda: RunConfig(
            preset="evidence", model="evidence", train=TrainConfig(rank_eval_drugs=None)
        ),
    ),
    "quick": PresetSpec(
        "the paper's MLP, fewer epochs (demos and tests)",
        lambda: RunConfig(
            preset="quick", train=TrainConfig(max_epochs=4, patience=2, rank_eval_drugs=100)
        ),
    ),
    "paper": PresetSpec(
        "the paper's method: its MLP on predicted-target seeds and every HSN edge", _paper
    ),
    "paper-known": PresetSpec(
        "the paper's MLP on known seeds and signed edges only",
        lambda: RunConfig(preset="paper-known"),
    ),
    "popularity": PresetSpec(
        "a reference: diseases ranked by their training positives, the same for every drug",
        lambda: RunConfig(
            preset="popularity", model="popularity", train=TrainConfig(rank_eval_drugs=None)
        ),
    ),
}


def preset(name: Preset, **overrides: Any) -> RunConfig:
    """A preset (:data:`PRESETS`) with top-level (``seed``), walk-, train- or
    evidence-level overrides by field name (see also
    :func:`ddi_core.config.settings.with_settings` for ``section.key=value``)."""
    spec = PRESETS.get(name)
    if spec is None:
        raise ConfigError("preset", name, "must be one of " + ", ".join(map(repr, PRESETS)))
    cfg = spec.build()
    top = {k: overrides.pop(k) for k in list(overrides) if k in {"seed"}}
    walk_keys = {f.name for f in fields(WalkConfig)}
    walk = {k: overrides.pop(k) for k in list(overrides) if k in walk_keys}
    ev_keys = {f.name for f in fields(EvidenceConfig)}
    ev = {k: overrides.pop(k) for k in list(overrides) if k in ev_keys}
    train = {k: v for k, v in overrides.items() if v is not None}
    return replace(
        cfg,
        **top,
        walk=replace(cfg.walk, **walk),
        train=replace(cfg.train, **train),
        evidence=replace(cfg.evidence, **ev),
    )
