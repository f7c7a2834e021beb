"""A small training run on the real bundle, end to end through the registry."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytestmark = pytest.mark.integration


def test_run_record_is_complete(trained_run):
    info = trained_run.info
    assert trained_run.status == "done"
    assert set(info["seeds"]) >= {"root", "split", "negatives", "smote", "torch_init"}
    assert len(info["data_sha256"]) == 25 and all(
        len(v) == 64 for v in info["data_sha256"].values()
    )
    assert info["code_version"]
    for f in ("model.pt", "scaler.npz", "metrics.json", "curves.json", "split.npz"):
        assert trained_run.path(f).is_file(), f


def test_pair_counts_are_facts_of_the_bundle(trained_run):
    c = trained_run.info["pairs"]
    assert c["ctd_pairs"] == 37_368
    assert c["disease_is_mesh"] == 37_360  # 8 rows carry OMIM ids
    assert c["positives"] == c["both"] <= c["drug_has_profile"]
    assert 15_000 < c["positives"] < 25_000
    s = trained_run.info["split_summary"]
    assert s["train"]["pos"] == s["train"]["neg"]  # 1:1 negatives
    assert s["train"]["pos"] + s["val"]["pos"] + s["test"]["pos"] == c["positives"]


def test_metrics_are_in_range_and_beat_chance(trained_run):
    m = trained_run.read_json("metrics.json")
    t = m["test"]
    for k in ("accuracy", "precision", "recall", "f1", "auroc", "aupr"):
        assert 0.0 <= t[k] <= 1.0, k
    assert t["auroc"] > 0.55  # tiny config (1,500 pairs, 2 epochs) still learns something
    assert t["median_rank"] >= 1 and 0 < t["mrr"] <= 1
    assert m["paper_protocol"]["optimistic"] is True
    assert set(m["baselines"]) == {"popularity", "logistic", "knn", "ease"}
    assert 0 < m["test"]["val_mrr"] <= 1 and 0 < m["test"]["auroc_degree_matched"] < 1
    curves = trained_run.read_json("curves.json")
    roc = curves["test"]["roc"]
    assert roc["fpr"][0] == 0.0 and roc["tpr"][-1] == 1.0
    assert len(curves["history"]) == trained_run.info["timings"]["epochs"]


def test_same_seed_same_split_and_features(trained_run):
    from ddi_core.config.run import RunConfig
    from ddi_core.pairs.prepare import prepare, split_for
    from ddi_core.runs.split_file import run_split

    cfg = RunConfig.from_dict(trained_run.info["config"])
    data = prepare(cfg)
    again = split_for(cfg, data, trained_run.info["seeds"])
    saved = run_split(trained_run)
    assert np.array_equal(again.test.drug, saved["test"].drug)
    assert np.array_equal(again.test.dis, saved["test"].dis)


def test_cli_runs_show_json(trained_run, capsys):
    from ddi_core.cli.main import main

    assert main(["runs", "show", trained_run.id, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == trained_run.id and out["status"] == "done"
    assert {"accuracy", "f1", "auroc", "aupr", "mrr", "hits_at_10", "median_rank"} <= set(
        out["metrics"]["test"]
    )
    assert main(["runs", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["id"] == trained_run.id and r["split"] == "random" for r in rows)


def test_cancel_during_evaluation_stops_before_the_baselines(trained_run, monkeypatch):
    """A cancel requested while the model is evaluated ends the run ``cancelled``
    before any baseline is evaluated; the trained model and split stay saved."""
    from ddi_core.config.run import preset
    from ddi_core.runs import registry as runs
    from ddi_core.training import lifecycle, runner
    from ddi_core.training.runner import run_training

    run_id = "test-cancel-in-evaluation"
    try:  # left over by an interrupted earlier session
        runs.delete_run(run_id)
    except runs.RunNotFoundError:
        pass
    real = runner.evaluate_scorer
    calls = []

    def evaluate_then_cancel(scorer, **kw):
        calls.append(type(scorer).__name__)
        out = real(scorer, **kw)
        runs.load_run(run_id).request_cancel()  # the user presses Cancel meanwhile
        return out

    # the skeleton evaluates the model, the baselines are evaluated by the lifecycle
    monkeypatch.setattr(runner, "evaluate_scorer", evaluate_then_cancel)
    monkeypatch.setattr(lifecycle, "evaluate_scorer", evaluate_then_cancel)
    cfg = preset("quick", max_train_pairs=600, max_epochs=1, rank_eval_drugs=5, seed=3)
    try:
        run = run_training(cfg, run_id=run_id)
        assert run.status == "cancelled"
        assert run.info["cancelled_during"] == "evaluating the model"
        assert calls == ["ModelScorer"]  # no second evaluation, no baseline
        assert run.path("model.pt").is_file() and run.path("split.npz").is_file()
        assert not run.path("metrics.json").exists()
        assert run.info.get("headline") is None
    finally:
        runs.delete_run(run_id)
