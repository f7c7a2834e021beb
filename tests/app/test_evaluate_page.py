"""The Evaluate page: curves, metrics beside the baselines and the paper, the confusion
matrix, run selection (query parameter, deleted / failed runs) and uploaded pairs."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ddi_core.errors import DataFileError
from tests.conftest import REPO
from ui import state
from ui.evaluation import TABS, as_percent, confusion, metrics_frame, read_uploaded_pairs

APP = str(REPO / "app.py")
PAGE = "pages/evaluate.py"
pytestmark = pytest.mark.integration


def _open(query: dict | None = None, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    if query:
        at.query_params.update(query)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return _tab(at, tab) if tab else at


def _tab(at: AppTest, tab: str) -> AppTest:
    """Open the page's tab ``tab`` (a key of :data:`TABS`), as a click on it does."""
    at.session_state[state.EVAL_TAB] = TABS[tab]
    at.run()
    assert not at.exception, at.exception
    return at


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _title(chart: dict) -> str:
    return chart["layout"].get("title", {}).get("text", "")


def _metrics_table(at: AppTest):
    # the run's own metrics table (the models-on-one-split table above it has no protocol)
    return next(df.value for df in at.dataframe if "protocol" in df.value.columns)


def test_curves_and_metrics_of_the_trained_run(trained_run):
    metrics = trained_run.read_json("metrics.json")
    curves = trained_run.read_json("curves.json")
    at = _open({state.EVAL_RUN_PARAM: trained_run.id}, tab="run")
    assert at.selectbox(key=state.EVAL_RUN).value == trained_run.id

    # the metrics table: the model's AUROC is metrics.json's, beside the baselines and the paper
    shown = _metrics_table(at)
    # ranking first, at the real prevalence; the paper protocol's 1:1 columns after
    cols = shown.columns.tolist()
    assert cols.index("MRR") < cols.index("AUPR (all unknown)") < cols.index("AUROC (1:1)")
    table = shown.set_index(["scorer", "protocol"])
    model = table.loc[("model", "test split")]
    assert model["AUROC (1:1)"] == metrics["test"]["auroc"]
    assert model["MRR"] == metrics["test"]["mrr"]
    # one F1, at the validation split's best-F1 threshold (each baseline at its own)
    at_val = metrics["detail"]["model"]["classification"]["at_val_threshold"]
    assert model["threshold"] == at_val["threshold"] == metrics["test"]["val_threshold"]
    assert model["F1"] == at_val["f1"] == metrics["test"]["f1_at_val_threshold"]
    for name in ("popularity", "logistic", "knn"):
        row = table.loc[(name, "test split")]
        assert row["AUROC (1:1)"] == metrics["baselines"][name]["auroc"]
        own = metrics["detail"][name]["classification"]["at_val_threshold"]
        assert row["threshold"] == own["threshold"] and row["F1"] == own["f1"]
    optimistic = [p for s, p in table.index if s == "model" and "optimistic" in p]
    assert len(optimistic) == 1
    assert table.loc[("model", optimistic[0]), "accuracy %"] == pytest.approx(
        100 * metrics["paper_protocol"]["accuracy"], rel=1e-12
    )
    assert model["accuracy %"] == pytest.approx(100 * at_val["accuracy"], rel=1e-12)
    paper = table.loc[("paper", "paper protocol, as reported")]
    reported = (paper["accuracy %"], paper["precision %"], paper["recall %"], paper["F1"])
    assert reported == pytest.approx((95.00, 92.34, 98.08, 0.9512), abs=1e-9)
    assert set(_metrics_table(at)["source"][:5]) == {trained_run.id}
    tiles = [m.label for m in at.metric]
    # the first tiles are ranking and validation figures; the 1:1 ones are named as such
    assert tiles[:6] == [
        "MRR",
        "Hits@10",
        "median rank",
        "AUPR (all unknown)",
        "DM vs NOT AUROC",
        "held-out DM pct.",
    ]
    values = {m.label: m.value for m in at.metric}
    assert values["MRR"] == f"{metrics['test']['mrr']:.4f}"
    assert values["AUROC (1:1)"] == f"{metrics['test']['auroc']:.4f}"
    assert values["F1"] == f"{at_val['f1']:.4f}"
    # the quick test run ranks worse than EASE: a warning says so where it is picked
    if metrics["baselines"]["ease"]["mrr"] > metrics["test"]["mrr"]:
        assert any("worse than" in w.value and "on test MRR" in w.value for w in at.warning)
        assert any("worse than a baseline" in o for o in at.selectbox(key=state.EVAL_RUN).options)

    # the ROC chart: model and baselines, the model's points from curves.json
    roc = next(c for c in _charts(at) if _title(c) == "ROC (test split)")
    traces = {t["name"].split(" ")[0]: t for t in roc["data"] if t.get("showlegend") is not False}
    assert set(traces) == {"model", *metrics["baselines"]}
    assert {"popularity", "logistic", "knn"} <= set(traces)
    assert traces["model"]["x"] == curves["test"]["roc"]["fpr"]
    assert traces["model"]["y"] == curves["test"]["roc"]["tpr"]
    assert f"{metrics['test']['auroc']:.3f}" in traces["model"]["name"]
    assert "Precision–recall (test split)" in {_title(c) for c in _charts(at)}
    # every number says where it came from
    assert any(trained_run.id in c.value and "seed 0" in c.value for c in at.caption)

    # the history tab: loss and accuracy per epoch (only the open tab is drawn)
    assert "Loss per epoch" not in {_title(c) for c in _charts(at)}
    titles = {_title(c) for c in _charts(_tab(at, "history"))}
    assert {"Loss per epoch", "Accuracy per epoch"} <= titles
    assert "ROC (test split)" not in titles


def test_confusion_matrix_follows_the_threshold(trained_run):
    metrics = trained_run.read_json("metrics.json")
    n_test = trained_run.info["split_summary"]["test"]["pairs"]
    at = _open({state.EVAL_RUN_PARAM: trained_run.id}, tab="confusion")
    values = {m.label: m.value for m in at.metric}
    # the slider starts at the validation threshold, where the recomputed test scores
    # reproduce the F1 the headline states
    thr = metrics["test"]["val_threshold"]
    assert at.select_slider(key=state.EVAL_THRESHOLD).value == thr
    assert (
        values["Accuracy"]
        == f"{metrics['detail']['model']['classification']['at_val_threshold']['accuracy']:.2%}"
    )
    assert values["F1"] == f"{metrics['test']['f1_at_val_threshold']:.4f}"
    at.select_slider(key=state.EVAL_THRESHOLD).set_value(0.5).run()
    values = {m.label: m.value for m in at.metric}
    assert values["Accuracy"] == f"{metrics['test']['accuracy']:.2%}"
    assert values["F1"] == f"{metrics['test']['f1']:.4f}"
    heat = next(c for c in _charts(at) if c["data"][0]["type"] == "heatmap")
    z = np.array(heat["data"][0]["z"])
    assert z.sum() == n_test and z[1].sum() == trained_run.info["split_summary"]["test"]["pos"]

    at.select_slider(key=state.EVAL_THRESHOLD).set_value(0.9).run()
    assert not at.exception
    heat9 = next(c for c in _charts(at) if c["data"][0]["type"] == "heatmap")
    z9 = np.array(heat9["data"][0]["z"])
    assert z9.sum() == n_test
    assert z9[:, 1].sum() < z[:, 1].sum()  # fewer pairs predicted at a higher threshold


def test_malformed_upload_names_the_line(trained_run):
    at = _open({state.EVAL_RUN_PARAM: trained_run.id}, tab="upload")
    at.file_uploader(key=state.EVAL_UPLOAD).set_value(
        ("mine.csv", b"drug,disease\nD008687,D003924\nmetformin,\n", "text/csv")
    ).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("mine.csv: line 3: empty drug or disease" in e for e in errors), errors


def test_valid_upload_is_scored_by_the_chosen_run(trained_run):
    pytest.importorskip("ddi_core.rank.queries")
    at = _open({state.EVAL_RUN_PARAM: trained_run.id}, tab="upload")
    at.file_uploader(key=state.EVAL_UPLOAD).set_value(
        ("two.csv", b"drug,disease\nmetformin,D003924\nD008687,D003924\n", "text/csv")
    ).run()
    assert not at.exception and not at.error
    table = next(df.value for df in at.dataframe if "score" in df.value.columns)
    assert table["chemical_id"].tolist() == ["D008687", "D008687"]
    assert table["line"].tolist() == [2, 3]
    # the same pair by name and by id: one score, a probability, a CTD-known pair
    assert table["score"].iloc[0] == table["score"].iloc[1]
    assert 0.0 < table["score"].iloc[0] < 1.0
    assert table["known"].all() and (table["rank"] >= 1).all()
    assert any("two.csv" in c.value and trained_run.id in c.value for c in at.caption)


def test_upload_helper(real_home):
    good = read_uploaded_pairs(
        b"drug,disease\nmetformin,D003924\n", "ok.csv", "latest", scorer=None
    )
    assert not good.scored
    assert good.table[["chemical_id", "disease_id"]].values.tolist() == [["D008687", "D003924"]]
    with pytest.raises(DataFileError) as err:
        read_uploaded_pairs(
            b"drug,disease\nD008687,D003924\nnot-a-drug-xyz,D003924\n",
            "bad pairs.csv",
            "latest",
            scorer=None,
        )
    assert err.value.path == "bad pairs.csv"
    assert err.value.problem.startswith("line 3: unknown drug")
    with pytest.raises(DataFileError, match="only.csv: expected two columns"):
        read_uploaded_pairs(b"drug\nD008687\n", "only.csv", "latest", scorer=None)


def _copy_run(src, home, rid: str) -> None:
    """A done run's records (no model files) under another id in ``home``."""
    dst = home / "runs" / rid
    dst.mkdir(parents=True)
    for name in ("run.json", "metrics.json", "curves.json"):
        shutil.copy(src.path(name), dst / name)


def test_deleted_run_while_open_and_failed_link(trained_run, tmp_home):
    from ddi_core.config.run import preset
    from ddi_core.runs import registry as runs

    _copy_run(trained_run, tmp_home, "quick-a")
    _copy_run(trained_run, tmp_home, "quick-b")
    failed = runs.create_run(
        config=preset("quick").to_dict(), seeds={}, data_sha256={}, preset="quick", split="random"
    )
    failed.finish("failed", error="RuntimeError: out of memory")

    at = _open({state.EVAL_RUN_PARAM: "quick-b"}, tab="confusion")
    assert at.selectbox(key=state.EVAL_RUN).value == "quick-b"
    # no model files and no bundle here: the confusion matrix explains, nothing raises
    assert any("test scores of run `quick-b` are not available" in e.value for e in at.error)

    runs.delete_run("quick-b")
    at.run()
    assert not at.exception
    assert any("`quick-b` no longer exists (it was deleted)" in w.value for w in at.warning)
    assert at.selectbox(key=state.EVAL_RUN).value == "quick-a"
    assert at.query_params[state.EVAL_RUN_PARAM] == "quick-a"

    at2 = _open({state.EVAL_RUN_PARAM: failed.id})
    assert any(
        f"`{failed.id}` is failed, not done: RuntimeError: out of memory" in w.value
        for w in at2.warning
    )
    assert at2.selectbox(key=state.EVAL_RUN).value == "quick-a"


def test_no_finished_run(tmp_home):
    at = _open()
    assert any("No finished run yet" in i.value for i in at.info)


def test_metrics_frame_and_confusion_units():
    metrics = {
        "test": {"accuracy": 0.6, "auroc": 0.7, "mrr": 0.1},
        "baselines": {"popularity": {"auroc": 0.8}},
        "paper_protocol": {"accuracy": 0.65, "paper_reported": {"accuracy": 0.95, "f1": 0.9512}},
    }
    f = metrics_frame(metrics, "r1")
    # only the baselines the run computed
    assert f["scorer"].tolist() == ["model", "popularity", "model", "paper"]
    assert f.loc[0, "AUROC (1:1)"] == 0.7 and f.loc[1, "AUROC (1:1)"] == 0.8
    assert np.isnan(f.loc[1, "F1"]) and f.loc[0, "MRR"] == 0.1
    assert f.loc[3, "F1"] == 0.9512 and f.loc[3, "source"].startswith("Zhang 2025")
    assert f.loc[2, "source"] == "r1"
    shown = as_percent(f)
    assert shown.loc[3, "accuracy %"] == pytest.approx(95.0) and shown.loc[0, "AUROC (1:1)"] == 0.7
    # an evidence run (no logistic) and a new MLP run (all four), in a fixed order
    five = {"ease": {"auroc": 0.9}, "knn": {}, "popularity": {}, "logistic": {}, "other": {}}
    assert metrics_frame({"baselines": five}, "r2")["scorer"].tolist()[1:6] == [
        "popularity",
        "logistic",
        "knn",
        "ease",
        "other",
    ]
    assert "accuracy" not in shown.columns

    y = np.array([1, 1, 0, 0, 1])
    s = np.array([0.9, 0.4, 0.6, 0.1, 0.5])
    cm = confusion(y, s, 0.5)
    assert (cm.tn, cm.fp, cm.fn, cm.tp) == (1, 1, 1, 2)
    assert cm.rates["precision"] == pytest.approx(2 / 3) and cm.rates["accuracy"] == 0.6


def test_a_link_to_a_path_or_markdown_is_refused_as_plain_text(trained_run, tmp_home, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(trained_run.path("run.json"), outside / "run.json")
    _copy_run(trained_run, tmp_home, "quick-a")
    for wanted in (str(outside), "../../elsewhere", "[click](https://evil.example)"):
        at = _open({state.EVAL_RUN_PARAM: wanted})
        warnings = [w.value for w in at.warning]
        assert any("The link names no run" in w for w in warnings), warnings
        # no link: its brackets are escaped and the URL cannot auto-link
        assert not any("https://" in w for w in warnings), warnings
        if wanted.startswith("["):
            assert any("\\[click\\]" in w for w in warnings), warnings
        assert at.selectbox(key=state.EVAL_RUN).value == "quick-a"
