"""The dashboard with an MLP and an evidence run side by side (real bundle): the default
run, the evidence explanation with its links to the Signed walk page, a focused gene
there, the models on one split on Evaluate, the coverage by model on Overview and the
evidence preset on Train."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ddi_core.runs import result
from tests.conftest import REPO
from ui import state, walk_cache
from ui.evaluation import TABS
from ui.runs_table import DEFAULT_RUN_NOTE

APP = str(REPO / "app.py")
PREDICTIONS = "pages/predictions.py"
SIGNED_WALK = "pages/signed_walk.py"
EVALUATE = "pages/evaluate.py"
TRAIN = "pages/train.py"
METFORMIN = "D008687"
pytestmark = pytest.mark.integration


def _open(page: str, query: dict | None = None, timeout: int = 300) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    assert not at.exception, at.exception
    if query:
        at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def hsn(real_home):
    from ddi_core.graphs.signaling import load_signaling_network

    return load_signaling_network("hsn")


@pytest.fixture(scope="module")
def metformin_walk(hsn):
    """Metformin's exact walk on HSN with the page's default parameters, and its targets."""
    from ddi_core.data import entities
    from ddi_core.walk.algorithm import ALPHA, DECAY, MAX_STEPS, exact_walk

    dti = entities.signed_dti()
    t = dti[dti["chemical_id"] == METFORMIN]
    inside = hsn.contains(t["entrez"].to_numpy())
    seeds = (t["entrez"].to_numpy()[inside], t["sign"].to_numpy(float)[inside])
    walk = exact_walk(hsn, seeds, alpha=ALPHA, decay=DECAY, max_steps=MAX_STEPS)
    return walk, t[inside]


def test_both_model_kinds_are_registered(trained_run, evidence_run):

    assert result.RunResult.of(trained_run).kind == "mlp"
    assert result.RunResult.of(evidence_run).kind == "evidence"
    assert evidence_run.info["population"] == "evidence"


def test_predictions_default_run_and_evidence_explanation(trained_run, evidence_run):
    from ddi_core.rank.explain import explain_pair
    from ddi_core.rank.queries import rank_diseases

    at = _open(PREDICTIONS)
    box = at.selectbox(key=state.PRED_RUN)
    assert box.value == result.default_result().id  # the best validation MRR, not the newest
    assert DEFAULT_RUN_NOTE in box.label

    if box.value != evidence_run.id:
        box.set_value(evidence_run.id).run()
        assert not at.exception, at.exception
    assert at.selectbox(key=state.PRED_RUN).value == evidence_run.id
    assert at.selectbox(key=state.PRED_DRUG).value == METFORMIN
    assert any(h.value == "Metformin (D008687)" for h in at.subheader)

    # the ranked table: the evidence model's ranking of every disease for metformin
    table = _frame(at, "percentile")
    core = rank_diseases(METFORMIN, run_id=evidence_run.id, top=50).table
    assert table["rank"].tolist() == list(range(1, 51))
    assert table["MeSH id"].tolist() == core["disease_id"].tolist()

    # the evidence explanation of the top row
    top = core.iloc[0]
    ex = explain_pair(METFORMIN, top["disease_id"], run_id=evidence_run.id)
    assert ex["model"] == "evidence"
    assert any(h.value == f"Why Metformin → {top['disease_name']}?" for h in at.subheader)
    assert not any("attribution" in df.value.columns for df in at.dataframe)  # not the MLP's
    contrib = _frame(at, "contribution")
    assert {"text", "value", "family", "uses CTD gene–disease"} <= set(contrib.columns)
    assert contrib["text"].tolist() == [c["text"] for c in ex["contributions"]]
    assert contrib["text"].str.len().gt(0).all()
    bars = next(c for c in _charts(at) if "TreeSHAP" in c["layout"]["title"]["text"])
    assert bars["data"][0]["orientation"] == "h"
    assert any("bias" in c.value and "logit" in c.value for c in at.caption)
    assert _metrics(at)["rank for the drug"].startswith(f"{int(top['rank']):,} /")

    # at least one evidence path; its genes link to the signed walk of metformin
    assert ex["paths"], "the sample pair has no evidence path"
    links = [p.proto for p in at.get("page_link") if "signed walk" in p.proto.label]
    assert links
    genes = {str(n["entrez"]) for p in ex["paths"] for n in p["nodes"] if n["kind"] == "gene"}
    for link in links:
        q = parse_qs(link.query_string)
        assert q["drug"] == [METFORMIN] and q["gene"][0] in genes
    first = " → ".join(n["name"] or n["id"] for n in ex["paths"][0]["nodes"])
    assert any(first in m.value for m in at.markdown)


def test_signed_walk_link_preselects_the_drug_and_focuses_a_target(real_home, hsn, metformin_walk):
    walk, targets = metformin_walk
    gene = int(sorted(targets["entrez"])[0])
    symbol = hsn.symbol_of(int(hsn.index_of([gene])[0]))
    at = _open(SIGNED_WALK, {"drug": METFORMIN, "gene": str(gene)})
    assert at.selectbox(key=state.WALK_DRUG).value == METFORMIN
    assert any("Metformin (D008687)" in h.value for h in at.subheader)
    assert any(f"Focused gene: {symbol}" in m.value and str(gene) in m.value for m in at.markdown)
    m = _metrics(at)
    value = float(walk.values[hsn.index_of([gene])[0]])
    assert m["walk value"] == f"{value:+.4g}"
    assert m["drawn"] == "yes" and m["drug target"] == "inhibited"
    # the player labels and selects it
    (iframe,) = at.get("iframe")
    data = json.loads(
        re.search(r'id="walk-data">(.*?)</script>', iframe.proto.srcdoc, re.S).group(1)
    )
    assert data["focus"] == gene and gene in data["ids"]


def test_signed_walk_draws_a_focused_gene_beyond_the_cap(real_home, hsn, metformin_walk):
    from ddi_core.walk.view import rank_nodes

    walk, targets = metformin_walk
    order = rank_nodes(hsn, walk.values)
    ids = hsn.node_ids[order]
    far = [int(g) for g in ids[400:] if g not in set(targets["entrez"])]
    assert far, "metformin's walk reaches too few genes for this test"
    gene = far[0]
    at = _open(SIGNED_WALK, {"drug": METFORMIN, "gene": str(gene)})
    m = _metrics(at)
    cap = walk_cache.DEFAULT_CAP
    assert m["drawn"] == "yes" and m["nodes drawn"] == str(cap + 1)  # the cap's, and it
    assert m["drug target"] == "no"
    rank = int(np.flatnonzero(order == hsn.index_of([gene])[0])[0]) + 1
    assert m["rank by |value|"] == f"{rank:,} / {int(np.count_nonzero(walk.values)):,}"
    assert gene in set(_frame(at, "value")["gene"])

    # a gene the walk does not reach: said, not drawn
    unreached = int(hsn.node_ids[np.flatnonzero(walk.values == 0)[0]])
    at2 = _open(SIGNED_WALK, {"drug": METFORMIN, "gene": str(unreached)})
    assert any("does not reach" in i.value for i in at2.info)
    assert _metrics(at2)["nodes drawn"] == str(cap)

    # choosing another drug drops the link and its focus
    label = next(o for o in at.selectbox(key=state.WALK_DRUG).options if "Metformin" not in o)
    other = re.search(r"\(([CD]\d+)\)$", label).group(1)
    at.selectbox(key=state.WALK_DRUG).set_value(other).run()
    assert not at.exception, at.exception
    assert not any("Focused gene" in md.value for md in at.markdown)
    assert "drug" not in at.query_params and "gene" not in at.query_params


def test_evaluate_models_on_one_split(trained_run, evidence_run):
    from ddi_core.runs import registry as runs

    assert trained_run.info["split"] == evidence_run.info["split"] == "random"
    at = _open(EVALUATE)
    box = at.selectbox(key=state.EVAL_RUN)
    assert box.value == result.default_result().id and DEFAULT_RUN_NOTE in box.label

    at = _open(EVALUATE, {state.EVAL_RUN_PARAM: evidence_run.id})
    assert at.selectbox(key=state.EVAL_RUN).value == evidence_run.id
    assert at.radio(key=state.EVAL_SPLIT).value == "random"
    # the section is the first tab, open by default; the other tabs are not drawn
    assert at.session_state[state.EVAL_TAB] == TABS["split"]
    headers = [h.value for h in at.header]
    assert "Models on one split" in headers and "Metrics" not in headers

    table = _frame(at, "AUROC vs degree-matched").set_index("scorer")
    ev_row = table.loc[f"evidence model (run {evidence_run.id})"]
    mlp_row = table.loc[f"MLP (run {trained_run.id})"]
    ev_metrics = evidence_run.read_json("metrics.json")
    mlp_metrics = trained_run.read_json("metrics.json")
    assert ev_row["AUROC (1:1)"] == pytest.approx(ev_metrics["test"]["auroc"])
    assert ev_row["validation MRR"] == pytest.approx(ev_metrics["test"]["val_mrr"])
    assert ev_row["AUROC vs degree-matched"] == pytest.approx(
        ev_metrics["test"]["auroc_degree_matched"]
    )
    # the MRR beside the best any scorer reaches on the split, and fully filtered
    assert ev_row["MRR ceiling"] == pytest.approx(ev_metrics["test"]["mrr_ceiling"])
    assert ev_row["MRR"] <= ev_row["MRR filtered"] <= 1.0 and ev_row["MRR"] <= ev_row["MRR ceiling"]
    assert ev_row["population"] == "evidence" and mlp_row["population"] == "paper"
    assert mlp_row["MRR"] == pytest.approx(mlp_metrics["test"]["mrr"])
    ease = table.loc[f"EASE (baselines of run {evidence_run.id})"]
    assert ease["AUROC (1:1)"] == pytest.approx(ev_metrics["baselines"]["ease"]["auroc"])
    assert f"logistic (baselines of run {trained_run.id})" in table.index
    assert f"logistic (baselines of run {evidence_run.id})" not in table.index

    roc = next(c for c in _charts(at) if c["layout"]["title"]["text"].startswith("ROC, random"))
    names = [t["name"] for t in roc["data"] if t.get("showlegend") is not False]
    assert any(n.startswith(evidence_run.id) for n in names)
    assert any(n.startswith(trained_run.id) for n in names)
    assert any(n.startswith("EASE") for n in names)
    assert any(
        c["layout"]["title"]["text"].startswith("Precision–recall, random") for c in _charts(at)
    )
    # the evidence run's history (its tab) is per boosting round
    at.session_state[state.EVAL_TAB] = TABS["history"]
    at.run()
    assert any(c["layout"]["title"]["text"] == "Loss per boosting round" for c in _charts(at))
    at.session_state[state.EVAL_TAB] = TABS["split"]
    at.run()

    # another split: the runs on it only
    at.radio(key=state.EVAL_SPLIT).set_value("disease").run()
    assert not at.exception, at.exception
    on_disease = {
        r.id for r in runs.list_runs() if r.status == "done" and r.info.get("split") == "disease"
    }
    if on_disease:
        assert set(_frame(at, "AUROC vs degree-matched")["run"]) == on_disease
    else:
        assert any("No finished run on the by disease split" in i.value for i in at.info)

    # picking another run in the select box keeps it (and ?run= follows)
    at.selectbox(key=state.EVAL_RUN).set_value(trained_run.id).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=state.EVAL_RUN).value == trained_run.id
    assert at.query_params[state.EVAL_RUN_PARAM] == trained_run.id


def _coverage_table(at: AppTest):
    return next((df.value for df in at.dataframe if "needs" in df.value.columns), None)


MLP_KNOWN = "MLP, known seeds and signed edges (quick, paper-known)"


def test_overview_coverage_by_model(evidence_run, monkeypatch):
    from ddi_core.runs import registry as runs
    from ddi_core.training import jobs

    at = AppTest.from_file(APP, default_timeout=600).run()
    assert not at.exception, at.exception
    assert any(h.value == "Coverage by model" for h in at.header)
    cov = _coverage_table(at).set_index("model")
    assert cov.loc[MLP_KNOWN, "drugs"] == 1714
    assert cov.loc["evidence model", "drugs"] > 1714
    assert (
        cov.loc["CTD (all curated pairs)", "known pairs"]
        >= cov.loc["evidence model", "known pairs"]
    )
    assert "walk profile" in cov.loc[MLP_KNOWN, "needs"]

    # without an evidence run the landing page does not build the evidence tables by itself
    monkeypatch.setattr(runs, "list_runs", lambda: [])
    monkeypatch.setattr(jobs, "current", lambda: None)
    at = AppTest.from_file(APP, default_timeout=600).run()
    assert not at.exception, at.exception
    assert _coverage_table(at) is None
    next(b for b in at.button if b.label == "Count the coverage by model").click().run()
    assert not at.exception, at.exception
    assert _coverage_table(at).set_index("model").loc[MLP_KNOWN, "drugs"] == 1714


def test_train_form_offers_the_evidence_preset(real_home):
    at = _open(TRAIN, timeout=120)
    radio = at.radio(key=state.TRAIN_PRESET)
    assert list(radio.options) == ["quick", "evidence", "paper", "paper-known", "popularity"]
    radio.set_value("evidence").run()
    assert not at.exception, at.exception
    assert not any(n.key == state.TRAIN_MAX_EPOCHS for n in at.number_input)  # no epochs
    assert any(
        "LightGBM" in c.value and "early stopping on the validation" in c.value for c in at.caption
    )
    at.radio(key=state.TRAIN_POPULATION).set_value("paper").run()
    assert not at.exception, at.exception
    cfg = next(
        json.loads(j.proto.body)
        for j in at.json
        if json.loads(j.proto.body).get("preset") == "evidence"
    )
    assert cfg["model"] == "evidence" and cfg["evidence"]["population"] == "paper"

    at.radio(key=state.TRAIN_PRESET).set_value("quick").run()  # an MLP preset: epochs again
    assert not at.exception, at.exception
    from ddi_core.config.run import preset

    assert at.number_input(key=state.TRAIN_MAX_EPOCHS).value == preset("quick").train.max_epochs
