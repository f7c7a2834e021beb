"""Target calls for every drug x every network gene (cached grid of the fitted classifier)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.cache import atomic_write_json, cached, entry_dir, stage_key
from ddi_core.seeds import sub_seed
from ddi_core.targets.calls import class_priors
from ddi_core.targets.config import STAGE, TargetConfig
from ddi_core.targets.decision import ACTIVATION, CLASS_SIGN, INHIBITION, NONE
from ddi_core.targets.inputs import TargetInputs, load_inputs
from ddi_core.targets.scorer import FactorisedTargetScorer
from ddi_core.targets.stage import ProgressCallback, TargetStage, fit_targets


def _grid_key(cfg: TargetConfig) -> dict[str, Any]:
    return {"part": "grid", **cfg.key()}


def predicted_targets(
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    stage: TargetStage | None = None,
    device: str | None = None,
    on_progress: ProgressCallback | None = None,
    force: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Decide every embedded drug × every network gene with a vector (cached).

    Returns
    -------
    predicted : pandas.DataFrame
        The non-``none`` calls: chemical_id, entrez, sign (±1), p_inhibition,
        p_none, p_activation (float32 probabilities).
    info : dict
        Pair counts per class, seconds, precision, device, network coverage.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)

    def compute(out: Path) -> None:
        st = stage if stage is not None else fit_targets(cfg, inp, device=device)
        genes, rows = inp.scored_genes()
        scorer = FactorisedTargetScorer.from_classifier(st.classifier, device=device)
        priors = None
        if cfg.prior_correction:
            priors = class_priors(st, inp)
            scorer.with_prior_shift(np.asarray(priors["logit_shift"]))
        if cfg.call_rule not in ("threshold", "top_k"):
            raise ValueError(f"call_rule must be 'threshold' or 'top_k', got {cfg.call_rule!r}")
        gene_weight = None
        if cfg.call_rule == "top_k" and cfg.rank_by == "lift":
            if not (np.isfinite(cfg.lift_power) and cfg.lift_power >= 0):
                raise ValueError(f"lift_power must be a finite number >= 0, got {cfg.lift_power!r}")
            gmean = _gene_mean_target(scorer, inp, rows, sub_seed(cfg.seed, "lift"))
            gene_weight = gmean**cfg.lift_power
        grid = scorer.grid(
            np.asarray(inp.drug_embedding.vectors),
            np.asarray(inp.gene_embedding.vectors)[rows],
            inhibition_threshold=cfg.inhibition_threshold,
            activation_threshold=cfg.activation_threshold,
            precision=cfg.precision,
            top_k=cfg.top_k if cfg.call_rule == "top_k" else None,
            gene_weight=gene_weight,
            on_progress=on_progress,
        )
        pred = pd.DataFrame(
            {
                "chemical_id": np.asarray(inp.drug_embedding.ids).astype(str)[grid.drug_idx],
                "entrez": genes[grid.gene_idx],
                "sign": CLASS_SIGN[grid.cls],
                "p_inhibition": grid.proba[:, INHIBITION],
                "p_none": grid.proba[:, NONE],
                "p_activation": grid.proba[:, ACTIVATION],
            }
        )
        pred.to_parquet(out / "predicted.parquet", index=False)
        per_drug = np.bincount(grid.drug_idx, minlength=len(inp.drug_embedding.ids))
        info = {
            **grid.counts,
            "priors": priors,
            "calls_per_drug_median": float(np.median(per_drug)) if len(per_drug) else 0.0,
            "drugs_with_a_call": int((per_drug > 0).sum()),
            "model_entry": st.path.name,
            "network_nodes": int(len(inp.network_nodes)),
            "network_nodes_without_vector": int(len(inp.network_nodes) - len(genes)),
        }
        atomic_write_json(out / "grid.json", info)

    path = cached(STAGE, _grid_key(cfg), inp.hashes, compute, force=force)
    return pd.read_parquet(path / "predicted.parquet"), json.loads((path / "grid.json").read_text())


def _gene_mean_target(
    scorer, inp: TargetInputs, rows: np.ndarray, seed: int, n_drugs: int = 300
) -> np.ndarray:
    """Each scored gene's mean P(target) = 1 - p_none over a seeded sample of drugs.

    The lift ``P(d, g) / mean_g`` removes the classifier's gene prior (without
    it the top-k calls of every drug are the same few hub genes).
    """
    vecs = np.asarray(inp.drug_embedding.vectors)
    pick = np.random.default_rng(seed).choice(len(vecs), min(n_drugs, len(vecs)), replace=False)
    dp = scorer.project_drugs(vecs[np.sort(pick)])
    gp = scorer.project_genes(np.asarray(inp.gene_embedding.vectors)[rows])
    n_g = len(rows)
    total = np.zeros(n_g, np.float64)
    for i in range(dp.shape[0]):
        p = scorer.proba_pairs(dp, gp, np.full(n_g, i, np.int64), np.arange(n_g))
        total += 1.0 - p[:, NONE]
    return np.maximum(total / dp.shape[0], 1e-12)


def grid_info(config: TargetConfig, inputs: TargetInputs) -> dict[str, Any] | None:
    """The grid's counts and timing when it is cached, else ``None`` (computes nothing)."""

    p = entry_dir(STAGE, stage_key(STAGE, _grid_key(config), inputs.hashes)) / "grid.json"
    return json.loads(p.read_text()) if p.is_file() else None
