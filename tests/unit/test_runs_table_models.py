"""Runs-table views of the two model kinds (MLP and evidence), from hand-made run records."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddi_core.runs.registry import Run
from ui.runs_table import RUN_COLUMNS, config_summary, info_population, model_name, runs_frame

MLP_INFO = {
    "id": "quick-1",
    "status": "done",
    "preset": "quick",
    "split": "random",
    "config": {
        "preset": "quick",
        "seed": 0,
        "model": "mlp",
        "train": {"split": "random", "neg_ratio": 1.0, "max_epochs": 2},
    },
    "headline": {"auroc": 0.81, "f1": 0.7, "mrr": 0.2, "val_mrr": 0.19},
    "timings": {"epochs": 2},
}
EVIDENCE_INFO = {
    "id": "evidence-1",
    "status": "done",
    "preset": "evidence",
    "split": "drug",
    "model": "evidence",
    "population": "paper",
    "config": {
        "preset": "evidence",
        "seed": 3,
        "model": "evidence",
        "train": {"split": "drug", "neg_ratio": 1.0},
        "evidence": {"population": "paper", "max_rounds": 150},
    },
    "headline": {"auroc": 0.9, "f1": 0.8, "mrr": 0.4, "val_mrr": 0.35},
    "timings": {"epochs": 87},
}
OLD_INFO = {  # a run.json from before the evidence model: no "model" anywhere
    "id": "paper-0",
    "status": "failed",
    "preset": "paper",
    "split": "disease",
    "config": {"preset": "paper", "seed": 1, "train": {"split": "disease", "max_epochs": 200}},
    "error": "RuntimeError: out of memory",
}


def _run(info: dict) -> Run:
    return Run(dir=Path("/nonexistent") / info["id"], info=info)


def test_config_summary_names_the_model_kind_and_population():
    assert config_summary(MLP_INFO) == (
        "MLP · quick · random split · 1:1 negatives · seed 0 · ≤2 epochs"
    )
    assert config_summary(EVIDENCE_INFO) == (
        "evidence model · paper population · drug split · 1:1 negatives · seed 3 · "
        "≤150 boosting rounds"
    )
    assert config_summary(OLD_INFO).startswith("MLP · paper · disease split")
    # the population falls back to the config, then to the evidence default
    no_pop = {**EVIDENCE_INFO, "population": None}
    assert info_population(no_pop) == "paper"
    bare = {"model": "evidence", "config": {"model": "evidence"}}
    assert info_population(bare) == "evidence" and info_population(MLP_INFO) is None
    assert config_summary(bare).startswith("evidence model · evidence population · ? · ? split")
    assert model_name(OLD_INFO) == "MLP" and model_name(EVIDENCE_INFO) == "evidence model"


def test_runs_frame_has_model_and_validation_mrr_columns():
    frame = runs_frame([_run(MLP_INFO), _run(EVIDENCE_INFO), _run(OLD_INFO)])
    assert list(frame.columns) == list(RUN_COLUMNS)
    assert frame["model"].tolist() == ["MLP", "evidence model", "MLP"]
    assert frame["val MRR"].iloc[:2].tolist() == pytest.approx([0.19, 0.35])
    assert frame["val MRR"].isna().iloc[2]
    assert frame["epochs"].iloc[1] == 87
    assert frame["error"].tolist() == ["", "", "RuntimeError: out of memory"]


def test_picker_marks_the_default_and_a_run_that_can_no_longer_rank(tmp_home, monkeypatch):
    from ddi_core.config.run import preset
    from ddi_core.models.evidence import kind as evidence_kind
    from ddi_core.runs import registry as runs
    from ui.runs_table import STALE_NOTE, default_run_id, picker_label

    monkeypatch.setattr(evidence_kind, "_tables_key_now", lambda cfg: "now0000000000000")
    made = {}
    for rid, tables, val in (
        ("ev-old", "then000000000000", 0.2),
        ("ev-new", "now0000000000000", 0.1),
    ):
        r = runs.create_run(
            config=preset("evidence").to_dict(),
            seeds={},
            data_sha256={},
            run_id=rid,
            model="evidence",
        )
        r.update(headline={"val_mrr": val}, pairs={"tables": tables})
        r.finish("done")
        for name in ("model.txt", "evidence.json", "split.npz"):  # what it loads from
            r.path(name).write_bytes(b"")
        made[rid] = runs.load_run(rid)
    done = {"ev-new": made["ev-new"], "ev-old": made["ev-old"]}
    assert default_run_id(done) == "ev-new"  # the better validation MRR cannot be loaded
    old, new = picker_label(made["ev-old"], "ev-new"), picker_label(made["ev-new"], "ev-new")
    assert old.endswith(STALE_NOTE) and "(default)" not in old
    assert new.endswith("(default)") and STALE_NOTE not in new
