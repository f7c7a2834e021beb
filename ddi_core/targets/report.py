"""The target stage's report: metrics, baselines, calibration (`ddi targets report`)."""

from __future__ import annotations

from typing import Any

from ddi_core.targets.calls import call_evaluation
from ddi_core.targets.config import TargetConfig
from ddi_core.targets.decision import CLASSES
from ddi_core.targets.grid import grid_info
from ddi_core.targets.inputs import TargetInputs, load_inputs
from ddi_core.targets.stage import TargetStage, fit_targets


def target_report(
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    stage: TargetStage | None = None,
    calibration: bool = True,
) -> dict[str, Any]:
    """The ``ddi targets report --json`` object (fits the model if needed).

    ``calibration`` adds :func:`ddi_core.targets.calls.call_evaluation`: the
    priors, precision@k / recall@k on held-out drugs against every scored
    gene, calls per drug under raw and prior-corrected thresholds, and the
    reliability bins.

    ``macro_f1``, ``per_class`` and ``confusion`` are the decision rule's on the
    drug-disjoint test split (rows = true class, columns = predicted, both in
    :data:`~ddi_core.targets.decision.CLASSES` order); ``argmax`` holds the same for
    argmax. Each baseline's ``macro_f1`` uses the same rule,
    ``macro_f1_argmax`` argmax. ``grid`` is the full-matrix scoring's counts and
    timing when it has been computed, else ``None``.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    st = stage if stage is not None else fit_targets(cfg, inp)
    rep = st.report
    ev = st.evaluation()
    m = ev["model"]
    keys = ("macro_f1", "per_class", "confusion", "accuracy")
    out = {
        "classes": list(CLASSES),
        "macro_f1": m["rule"]["macro_f1"],
        "per_class": m["rule"]["per_class"],
        "confusion": m["rule"]["confusion"],
        "accuracy": m["rule"]["accuracy"],
        "argmax": {k: m["argmax"][k] for k in keys},
        "baselines": {
            name: {
                "macro_f1": ev[name]["rule"]["macro_f1"],
                "macro_f1_argmax": ev[name]["argmax"]["macro_f1"],
                "rule": {k: ev[name]["rule"][k] for k in keys},
                "argmax": {k: ev[name]["argmax"][k] for k in keys},
            }
            for name in ("majority", "logistic")
        },
        "n_train": rep["n_train"],
        "n_val": rep["n_val"],
        "n_test": rep["n_test"],
        "split": rep["split"],
        "labels": rep["labels"],
        "thresholds": {
            "inhibition": cfg.inhibition_threshold,
            "activation": cfg.activation_threshold,
        },
        "training": {k: v for k, v in rep["training"].items() if k != "history"},
        "grid": grid_info(cfg, inp),
    }
    out["baselines"]["logistic"]["C"] = rep.get("baselines", {}).get("logistic_C")
    if calibration:
        out["calibration"] = call_evaluation(cfg, inp, st)
    return out
