"""Ranking, explanations and pair files with a small real run (``trained_run``)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ddi_core.errors import DataFileError, UnknownEntityError
from ddi_core.rank import pair_file, session
from ddi_core.rank import queries as R
from ddi_core.validation import run_validation

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def rid(trained_run) -> str:
    session.load_scorer(trained_run.id)  # load once (the LRU keeps it for the module)
    return trained_run.id


@pytest.fixture(scope="module")
def ctd(real_home) -> pd.DataFrame:
    from ddi_core.data import loaders

    return loaders.load_ctd_chemical_disease()[["chemical_id", "disease_id"]].drop_duplicates()


def test_metformin_ranks_every_disease_with_known_pairs_marked(rid, ctd):
    res = R.rank_diseases("metformin", run_id=rid, terms="all")
    t = res.table
    rs = session.load_scorer(rid)
    n = len(rs.dis_ids)
    assert res.query_id == "D008687" and res.query_name == "Metformin"
    assert t["rank"].tolist() == list(range(1, n + 1))
    assert t["disease_id"].is_unique and len(t) == n == res.n_candidates
    assert t["percentile"].iloc[0] == 100.0 and t["percentile"].iloc[-1] == 0.0
    assert (np.diff(t["logit"].to_numpy()) <= 0).all()
    # known = metformin's CTD diseases that are in the run's disease table
    expect = set(ctd.loc[ctd["chemical_id"] == "D008687", "disease_id"]) & set(rs.dis_ids)
    assert set(t.loc[t["known"], "disease_id"]) == expect
    assert t["known"].sum() >= 1 and res.n_known == len(expect)
    assert not (t["in_training"] & ~t["known"]).any()  # training positives are CTD pairs
    t2d = t[t["disease_id"] == "D003924"].iloc[0]  # Diabetes Mellitus, Type 2
    assert t2d["known"] and "C19 Endocrine System Diseases" in t2d["mesh_branch"]
    hidden = R.rank_diseases("D008687", run_id=rid, hide_known=True, top=10).table
    assert len(hidden) == 10 and not hidden["known"].any()
    assert (hidden["indication"] == "").all() and (hidden["literature"] == "").all()
    assert hidden["rank"].tolist() == list(range(1, 11))
    # the clinical view (the default): the hidden classes leave before ranking, and the
    # order of the rest is the all-terms order
    clin = R.rank_diseases("metformin", run_id=rid)
    ct = clin.table
    assert clin.terms == "clinical" and clin.n_hidden == int(
        t["disease_class"].isin(["experimental model", "chemically induced"]).sum()
    )
    assert clin.n_hidden > 50 and len(ct) == n - clin.n_hidden
    assert ct["rank"].tolist() == list(range(1, len(ct) + 1))
    kept = t[~t["disease_class"].isin(["experimental model", "chemically induced"])]
    assert ct["disease_id"].tolist() == kept["disease_id"].tolist()
    assert t2d["indication"] == "DrugCentral; PTDB DM" and t2d["literature"] == "CTD"


def test_unknown_name_gives_suggestions(rid):
    with pytest.raises(UnknownEntityError) as ei:
        R.rank_diseases("asprin", run_id=rid)
    assert "Aspirin" in ei.value.suggestions


def test_unfeaturisable_drugs_are_explained_not_scored(rid):
    with pytest.raises(session.NotFeaturisableError) as ei:
        R.rank_diseases("warfarin", run_id=rid)
    assert ei.value.entity_id == "D014859"
    assert "VKORC1" in str(ei.value) and "none is a node of the hsn" in str(ei.value)
    with pytest.raises(session.NotFeaturisableError, match="no SMILES and no known signed targets"):
        R.rank_diseases("Plant Extracts", run_id=rid)
    with pytest.raises(session.NotFeaturisableError, match="no known signed targets"):
        R.rank_diseases("cisplatin", run_id=rid)


def test_rank_drugs_for_a_disease(rid, ctd):
    res = R.rank_drugs("Diabetes Mellitus, Type 2", run_id=rid, approved_only=False)
    t = res.table
    rs = session.load_scorer(rid)
    assert res.query_id == "D003924"
    assert t["rank"].tolist() == list(range(1, len(rs.drug_ids) + 1))
    expect = set(ctd.loc[ctd["disease_id"] == "D003924", "chemical_id"]) & set(rs.drug_ids)
    assert set(t.loc[t["known"], "drug_id"]) == expect and "D008687" in expect
    # by default (the clinical view) FDA-approved drugs only, ranked among themselves
    approved = R.rank_drugs("T2D", run_id=rid)
    assert approved.approved_only and approved.table["approved"].all()
    assert len(approved.table) + approved.n_hidden == len(t) and 300 < len(approved.table) < 1000
    assert approved.table["drug_id"].tolist() == t.loc[t["approved"], "drug_id"].tolist()
    tools = {"2-(4-morpholinyl)-8-phenyl-4H-1-benzopyran-4-one", "trichostatin A"}  # LY294002
    assert tools & set(t["drug_name"]) and not tools & set(approved.table["drug_name"])
    # the same pair scores the same whichever side is ranked
    by_drug = R.rank_diseases("metformin", run_id=rid).table.set_index("disease_id")
    row = t.set_index("drug_id").loc["D008687"]
    assert row["logit"] == pytest.approx(by_drug.loc["D003924", "logit"], abs=1e-5)


def test_score_pair_file_with_an_unfeaturisable_drug(rid, tmp_path):
    p = tmp_path / "pairs.csv"
    p.write_text(
        'drug,disease\nmetformin,"Diabetes Mellitus, Type 2"\n'
        "warfarin,D003924\nD001241,Myocardial Infarction\n"
    )
    df = pair_file.score_pair_file(p, run_id=rid)
    assert df["line"].tolist() == [2, 3, 4]
    assert df["chemical_id"].tolist() == ["D008687", "D014859", "D001241"]
    met, war, asp = (df.iloc[i] for i in range(3))
    assert np.isnan(war["score"]) and pd.isna(war["rank"]) and "Warfarin" in war["reason"]
    assert met["reason"] == "" and 0 < met["score"] < 1 and met["known"] and asp["known"]
    table = R.rank_diseases("metformin", run_id=rid).table.set_index("disease_id")
    assert met["rank"] == table.loc["D003924", "rank"]
    assert met["percentile"] == pytest.approx(table.loc["D003924", "percentile"])
    assert met["disease_class"] == "disease" and met["indication"] == "DrugCentral; PTDB DM"
    assert met["literature"] == "CTD" and asp["literature"] == "CTD" and not war["known"]
    every = pair_file.score_pair_file(p, run_id=rid, terms="all").iloc[0]
    all_terms = R.rank_diseases("metformin", run_id=rid, terms="all").table
    assert every["rank"] == all_terms.set_index("disease_id").loc["D003924", "rank"]
    bad = tmp_path / "bad.csv"
    bad.write_text("drug,disease\nnot a drug at all,D003924\n")
    with pytest.raises(DataFileError, match="line 2"):
        pair_file.score_pair_file(bad, run_id=rid)


def test_a_second_query_reuses_the_loaded_run(rid, monkeypatch):
    """The run is loaded once per process: a second query loads no model and rebuilds
    no table (time per query: bench/bench_rank_view.py)."""
    from ddi_core.rank import session

    R.rank_diseases("aspirin", run_id=rid)  # loads the run
    loads = []
    monkeypatch.setattr(session.RunScorer, "from_trained", lambda *a: loads.append(a))
    first = R.rank_diseases("aspirin", run_id=rid).table
    again = R.rank_diseases("aspirin", run_id=rid).table
    assert loads == []
    pd.testing.assert_frame_equal(first, again)


def test_explain_pair_on_aspirin_and_myocardial_infarction(rid):
    from ddi_core.data import entities, loaders
    from ddi_core.rank.explain import explain_pair

    e = explain_pair("aspirin", "myocardial infarction", run_id=rid, top=5)
    json.dumps(e)  # JSON-ready
    assert e["drug"]["id"] == "D001241" and e["disease"]["id"] == "D009203"
    assert e["known"] is True
    ptgs1 = [t for t in e["targets"] if t["symbol"] == "PTGS1"]
    assert ptgs1 and ptgs1[0]["sign"] == -1 and ptgs1[0]["in_network"]
    assert len(e["profile_genes"]) == 5 and len(e["driver_genes"]) == 5
    vals = [abs(g["value"]) for g in e["profile_genes"]]
    assert vals == sorted(vals, reverse=True)
    attrs = [abs(g["attribution"]) for g in e["driver_genes"]]
    assert attrs == sorted(attrs, reverse=True) and attrs[0] > 0
    # disease-gene flags agree with CTD's gene–disease table
    gd = loaders.load_ctd_gene_disease()
    syms = set(gd.loc[gd["disease_id"] == "D009203", "gene_symbol"])
    genes = entities.genes().set_index("entrez")["symbol"]
    for g in e["profile_genes"] + e["driver_genes"]:
        if g["disease_gene"]:
            assert genes.get(g["entrez"]) in syms or g["symbol"] in syms
    assert e["disease_genes"]["ctd_genes"] >= 50
    nb = e["neighbours"]
    assert nb and all(n["drug_id"] != "D001241" for n in nb)
    cos = [n["cosine"] for n in nb]
    assert cos == sorted(cos, reverse=True)
    r = R.rank_diseases("aspirin", run_id=rid).table.set_index("disease_id")
    assert e["rank"] == r.loc["D009203", "rank"]


def test_cli_rank_json_shape(rid, capsys):
    from ddi_core.cli.main import main

    assert main(["rank", "metformin", "--json", "--top", "5", "--run", rid]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["drug"] == {"id": "D008687", "name": "Metformin"}
    assert [r["rank"] for r in out["results"]] == [1, 2, 3, 4, 5]
    assert set(out["results"][0]) >= {
        "rank",
        "disease_id",
        "disease_name",
        "score",
        "percentile",
        "known",
    }
    assert main(["rank", "--disease", "D003924", "--json", "--top", "3", "--run", rid]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["disease"]["id"] == "D003924" and "drug_id" in out["results"][0]
    assert main(["rank", "warfarin", "--run", rid]) == 2
    assert "VKORC1" in capsys.readouterr().err


@pytest.mark.slow
def test_validate_run_reports_model_and_popularity(rid, trained_run):
    res = run_validation.validate_run(rid)
    v = res["pharmacotherapydb"]
    assert v["run"] == rid and v["mapped_pairs"] > 1000
    assert 0.0 <= v["dm_vs_not_auroc"] <= 1.0 and v["dm_pairs"] > 100 and v["not_pairs"] > 50
    assert v["excluded_unfeaturised"] > 0  # drugs without a profile are NaN, not zero vectors
    assert 0.0 <= v["dm_heldout_median_percentile"] <= 100.0 and v["dm_heldout_pairs"] > 50
    assert set(v["popularity"]) >= {"dm_vs_not_auroc", "dm_heldout_median_percentile"}
    assert trained_run.read_json(run_validation.VALIDATION_FILE) == json.loads(
        json.dumps(res, default=str)
    )


def test_cli_exports_carry_their_provenance_and_no_formula(rid, tmp_path, capsys):
    """``ddi evaluate --out`` and ``ddi rank --csv``: every row says which query, run and
    data version it answers, and a name typed as a formula is written inert."""
    from ddi_core.cli.main import main
    from ddi_core.data.sources import data_version
    from ddi_core.runs import registry as runs

    version = data_version(runs.load_run(rid).info["data_sha256"])
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("drug,disease\n=metformin,D003924\n@aspirin,Myocardial Infarction\n")
    out = tmp_path / "scored.csv"
    assert main(["evaluate", rid, "--pairs", str(pairs), "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert df["drug"].tolist() == ["'=metformin", "'@aspirin"]  # resolved, written inert
    assert df["chemical_id"].tolist() == ["D008687", "D001241"]
    assert (df["run_id"] == rid).all() and (df["data_version"] == version).all()
    assert (df["query"] == "pairs of pairs.csv").all()
    assert {"disease_class", "indication", "literature"} <= set(df.columns)

    csv = tmp_path / "rank.csv"
    assert main(["rank", "metformin", "--run", rid, "--csv", str(csv), "--top", "3"]) == 0
    ranked = pd.read_csv(csv)
    assert (ranked["query_id"] == "D008687").all() and (ranked["run_id"] == rid).all()
    assert (ranked["data_version"] == version).all() and (ranked["view"] == "clinical").all()
    assert len(ranked) == R.rank_diseases("metformin", run_id=rid).table.shape[0]
    capsys.readouterr()
