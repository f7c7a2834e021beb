"""The evidence model on the real bundle: registry record, leak-freedom, ranking,
explanations, coverage and bad input."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

pytestmark = pytest.mark.integration


def test_run_record_and_metrics(evidence_run):
    info = evidence_run.info
    assert evidence_run.status == "done"
    assert info["model"] == "evidence" and info["population"] == "evidence"
    for f in (
        "model.txt",
        "evidence.json",
        "metrics.json",
        "curves.json",
        "split.npz",
        "test_scores.npz",
    ):
        assert evidence_run.path(f).is_file(), f
    m = evidence_run.read_json("metrics.json")
    t = m["test"]
    for k in ("auroc", "aupr", "mrr", "val_mrr", "auroc_degree_matched"):
        assert 0.0 < t[k] <= 1.0, k
    assert set(m["baselines"]) == {"popularity", "knn", "ease"}
    # even the small test configuration ranks well above popularity
    assert t["auroc"] > m["baselines"]["popularity"]["auroc"] + 0.05
    assert t["mrr"] > m["baselines"]["popularity"]["mrr"]
    # popularity cannot separate degree-matched negatives (0.5 by construction)
    assert abs(m["baselines"]["popularity"]["auroc_degree_matched"] - 0.5) < 0.03
    ev = evidence_run.read_json("evidence.json")
    assert ev["ease_lambda"] in [
        float(x) for x in json.loads(json.dumps(info["config"]["evidence"]["ease_lambdas"]))
    ]
    assert len(ev["feature_names"]) == len(ev["importance_gain"])
    c = info["pairs"]
    assert c["population_drugs"] == 3_876  # every CTD chemical with any evidence
    assert c["positives"] > 30_000  # vs 18,681 for the MLP


def _paper_cfgs():
    from ddi_core.config.run import preset

    return preset("paper-known", seed=0), preset("evidence", seed=0, population="paper")


def test_paper_population_has_the_mlps_pairs_and_split(real_home):
    from ddi_core.models.evidence.population import evidence_pair_data
    from ddi_core.models.evidence.tables import TablesConfig, evidence_tables
    from ddi_core.pairs.prepare import prepare, split_for
    from ddi_core.seeds import sub_seeds

    paper, ev = _paper_cfgs()
    mlp = prepare(paper)
    data, drug_map = evidence_pair_data(ev, evidence_tables(TablesConfig(infograph=False)))
    assert len(data.drug_ids) == 1_714 and data.counts["positives"] == 18_681
    a = split_for(paper, mlp, sub_seeds(0))
    b = split_for(ev, data, sub_seeds(0))
    for part in ("train", "val", "test"):
        for k in ("drug", "dis", "y"):
            assert np.array_equal(getattr(getattr(a, part), k), getattr(getattr(b, part), k))


def test_a_test_label_moves_no_feature(real_home):
    """Flip test labels: every training, early-stopping and test feature stays bit-identical,
    and no validation or test positive is in the association matrix."""
    from ddi_core.config.run import preset
    from ddi_core.models.evidence.fit import features_for_split
    from ddi_core.models.evidence.population import evidence_pair_data
    from ddi_core.models.evidence.tables import evidence_tables, tables_config
    from ddi_core.pairs.pairs import Pairs
    from ddi_core.pairs.prepare import split_for
    from ddi_core.seeds import sub_seeds

    cfg = preset(
        "evidence",
        seed=0,
        population="paper",
        drug_sims=("targets", "morgan"),
        oof_folds=3,
        train_neg_ratio=2.0,
        n_bags=2,
        families=(*preset("evidence").evidence.families, "krr"),
    )
    t = evidence_tables(tables_config(cfg.evidence))
    data, drug_map = evidence_pair_data(cfg, t)
    seeds = sub_seeds(0)
    split = split_for(cfg, data, seeds)
    fs = features_for_split(t, cfg, data, drug_map, split, seeds)

    # two bags: the training positives in both, each with its own draw of negatives,
    # every pair of the union once, and its features computed once for both
    from ddi_core.models.evidence.population import augment
    from ddi_core.pairs.splits import pair_keys

    n_dis = len(data.dis_ids)
    keys = pair_keys(fs.train.drug, fs.train.dis, n_dis)
    assert len(np.unique(keys)) == len(keys)
    b0, b1 = fs.bag_rows()
    for rows, seed in ((b0, seeds["negatives"] + 1), (b1, seeds["negatives"] + 1001)):
        own, _ = augment(split, data, cfg, seed)
        assert np.array_equal(keys[rows], pair_keys(own.drug, own.dis, n_dis))
        assert np.array_equal(fs.train.y[rows], own.y)
    pos0, pos1 = set(keys[b0][fs.train.y[b0] == 1]), set(keys[b1][fs.train.y[b1] == 1])
    assert (
        pos0 == pos1 == set(pair_keys(split.train.drug, split.train.dis, n_dis)[split.train.y == 1])
    )
    own_neg = set(pair_keys(split.train.drug, split.train.dis, n_dis)[split.train.y == 0])
    neg0 = set(keys[b0][fs.train.y[b0] == 0]) - own_neg
    neg1 = set(keys[b1][fs.train.y[b1] == 0]) - own_neg
    assert len(neg0 & neg1) < 0.2 * len(neg0)  # the extra negatives are drawn afresh
    X_test = fs.builder.pairs(drug_map[split.test.drug], split.test.dis)

    A = fs.builder.A
    for part in (split.val, split.test):
        pos = part.y == 1
        assert A[drug_map[part.drug[pos]], part.dis[pos]].sum() == 0

    y = split.test.y.copy()
    flip = np.flatnonzero(y == 1)[:500]
    y[flip] = 0.0
    y[np.flatnonzero(split.test.y == 0)[:500]] = 1.0
    flipped = replace(split, test=Pairs(split.test.drug, split.test.dis, y))
    fs2 = features_for_split(t, cfg, data, drug_map, flipped, seeds)
    X_test2 = fs2.builder.pairs(drug_map[split.test.drug], split.test.dis)
    assert np.array_equal(fs.X_train, fs2.X_train, equal_nan=True)
    assert np.array_equal(fs.X_stop, fs2.X_stop, equal_nan=True)
    assert np.array_equal(X_test, X_test2, equal_nan=True)
    assert fs.ease_lambda == fs2.ease_lambda


def test_rank_explain_and_coverage(evidence_run):
    from ddi_core.models.evidence.coverage import model_coverage
    from ddi_core.rank.explain import explain_pair
    from ddi_core.rank.queries import rank_diseases

    res = rank_diseases("metformin", run_id=evidence_run.id, terms="all")
    assert res.n_candidates == 2_373 and len(res.table) == 2_373
    assert res.table["known"].sum() == res.n_known > 0
    clin = rank_diseases("metformin", run_id=evidence_run.id)
    assert len(clin.table) == 2_373 - clin.n_hidden and clin.table["known"].sum() == clin.n_known
    # warfarin: no walk profile (VKORC1 is not in HSN), but a SMILES and CTD genes
    w = rank_diseases("warfarin", run_id=evidence_run.id, top=5)
    assert len(w.table) == 5
    e = explain_pair("metformin", "diabetes mellitus, type 2", run_id=evidence_run.id)
    assert e["model"] == "evidence"
    assert e["marks"]["indication"]["sources"] == ["DrugCentral", "PTDB DM"]
    assert e["view"]["class"] == "disease" and not e["view"]["hidden_by_view"]
    assert e["n_diseases"] == len(clin.table)
    rank = clin.table.set_index("disease_id").loc["D003924", "rank"]
    assert e["rank"] == rank
    # a term the clinical view hides is ranked among every term, and says so
    x = explain_pair("metformin", "Diabetes Mellitus, Experimental", run_id=evidence_run.id)
    assert x["view"]["hidden_by_view"] and x["ranked_among_all"] and x["n_diseases"] == 2_373
    assert x["view"]["class"] == "experimental model"
    total = sum(c["contribution"] for c in e["all_contributions"]) + e["bias"]
    assert total == pytest.approx(e["logit"], abs=1e-3)
    assert all(isinstance(c["text"], str) and c["text"] for c in e["contributions"])
    assert e["paths"] and all(len(p["edges"]) == len(p["nodes"]) - 1 for p in e["paths"])
    cov = model_coverage()
    assert cov["mlp"]["drugs"] == 1_714 and cov["mlp"]["pairs"] == 18_681
    assert cov["evidence"]["drugs"] == 3_876
    assert cov["evidence"]["pairs"] > cov["mlp"]["pairs"]


def test_bad_input_is_refused_like_the_mlp(evidence_run, tmp_path):
    from ddi_core.errors import DataFileError, DDIError, UnknownEntityError
    from ddi_core.rank.pair_file import score_pair_file
    from ddi_core.rank.queries import rank_diseases
    from ddi_core.rank.session import NotFeaturisableError, clear_scorer_cache

    with pytest.raises(UnknownEntityError):
        rank_diseases("metforminnn", run_id=evidence_run.id)
    with pytest.raises(NotFeaturisableError, match="no SMILES, no known signed target"):
        rank_diseases("C000025", run_id=evidence_run.id)  # ethosuximide, quinacrine combination
    bad = tmp_path / "pairs.csv"
    bad.write_text("drug,disease\nmetformin,notadisease\n")
    with pytest.raises(DataFileError, match="line 2"):
        score_pair_file(bad, run_id=evidence_run.id)
    model = evidence_run.path("model.txt")
    saved = model.read_bytes()
    try:
        model.write_bytes(saved[: len(saved) // 3])
        clear_scorer_cache()
        with pytest.raises(DDIError, match="model.txt"):
            rank_diseases("metformin", run_id=evidence_run.id)
    finally:
        model.write_bytes(saved)
        clear_scorer_cache()
    ev = evidence_run.path("evidence.json")
    saved = ev.read_bytes()
    try:
        ev.write_bytes(saved[:100])
        with pytest.raises(DDIError, match="evidence.json"):
            rank_diseases("metformin", run_id=evidence_run.id)
    finally:
        ev.write_bytes(saved)
        clear_scorer_cache()


def test_a_cancelled_evidence_run_is_recorded_like_the_mlp(real_home):
    from ddi_core import paths
    from ddi_core.config.run import preset
    from ddi_core.runs import registry as runs
    from ddi_core.training.runner import run_training

    rid = runs.new_run_id("evidence")
    d = paths.runs_dir() / rid
    d.mkdir(parents=True)
    (d / "cancel").touch()  # requested before the first stage ends
    run = run_training(preset("evidence", drug_sims=("targets",)), run_id=rid)
    try:
        assert run.status == "cancelled"
        assert run.info["cancelled_during"] == "preparing data"
        assert runs.load_run(rid).status == "cancelled"
        assert not (d / "cancel").exists()
    finally:
        runs.delete_run(rid)
