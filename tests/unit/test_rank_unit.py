"""Ranking conventions, MeSH branches, exact split scoring, attribution, full matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from ddi_core.config.run import WalkConfig
from ddi_core.errors import DDIError
from ddi_core.models.mlp.explain import grad_times_input, pair_attribution
from ddi_core.models.mlp.net import build_model
from ddi_core.models.mlp.scoring import FactorisedScorer
from ddi_core.pairs.features import standardized_features
from ddi_core.pairs.pairs import Pairs
from ddi_core.rank import export, session, table
from ddi_core.rank import queries as R
from ddi_core.walk.reasons import drug_reason


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ---------------------------------------------------------------- conventions
def test_rank_positions_hand_example():
    # b and c tie at the top: ordinal ranks by input order, percentiles tie-averaged
    order, rank, pct = table.rank_positions(np.array([2.0, 5.0, 5.0, 1.0]))
    assert order.tolist() == [1, 2, 0, 3]
    assert rank.tolist() == [3, 1, 2, 4]
    # n = 4: realistic ranks a 3, b/c 1.5, d 4 → 100·(4 − r)/3
    assert pct == pytest.approx([100 / 3, 250 / 3, 250 / 3, 0.0])
    assert table.rank_positions(np.array([0.3]))[2].tolist() == [100.0]
    _, rank, pct = table.rank_positions(np.array([3.0, 2.0, 1.0]))
    assert rank.tolist() == [1, 2, 3] and pct.tolist() == [100.0, 50.0, 0.0]


def test_ranked_table_hides_known_before_ranking_and_cuts_to_top():
    logits = np.array([0.0, 3.0, 1.0, 2.0, -1.0], np.float32)
    ids = np.array(["a", "b", "c", "d", "e"], dtype=object)
    known = np.array([False, True, False, False, True])
    train = np.array([False, True, False, False, False])
    full = table.ranked_table(logits, {"id": ids}, known, train)
    assert full["id"].tolist() == ["b", "d", "c", "a", "e"]
    assert full["rank"].tolist() == [1, 2, 3, 4, 5]
    assert full["percentile"].tolist() == [100.0, 75.0, 50.0, 25.0, 0.0]
    assert full["score"].iloc[0] == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert full["known"].tolist() == [True, False, False, False, True]
    assert full["in_training"].tolist() == [True, False, False, False, False]
    hidden = table.ranked_table(logits, {"id": ids}, known, train, hide_known=True, top=2)
    assert hidden["id"].tolist() == ["d", "c"]  # among the 3 unknown candidates
    assert hidden["rank"].tolist() == [1, 2]
    assert hidden["percentile"].tolist() == [100.0, 50.0]
    assert not hidden["known"].any()


def test_mesh_branches_from_tree_numbers():
    names = {"C04": "Neoplasms", "C15": "Hemic and Lymphatic Diseases"}
    got = table.mesh_branches("C15.604.515.560|C04.557.337|C04.588.448", names)
    assert got == ["C04 Neoplasms", "C15 Hemic and Lymphatic Diseases"]
    assert table.mesh_branches("F03.600.300", names) == ["F03"]  # no label known: the code alone
    assert table.mesh_branches("", names) == []
    assert table.mesh_branches("C04", names) == ["C04 Neoplasms"]


# ---------------------------------------------------------------- exact split scoring
def _tiny(seed=0, n_drugs=9, dd=12, n_dis=7, de=5, hidden=(16, 8, 4)):
    rng = np.random.default_rng(seed)
    drug_X = rng.normal(size=(n_drugs, dd)).astype(np.float32)
    drug_X[:, 3] = 0.0  # a constant column the scaler drops
    dis_X = rng.normal(size=(n_dis, de)).astype(np.float32)
    tr = Pairs(rng.integers(0, n_drugs, 40), rng.integers(0, n_dis, 40), rng.integers(0, 2, 40))
    feats = standardized_features(drug_X, dis_X, tr, device="cpu")
    model = build_model(feats.dim, {"hidden": list(hidden), "dropout": 0.5}, seed=seed)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # larger weights and spread biases: a non-trivial, partly active net
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                m.weight.mul_(3.0)
                m.bias.uniform_(-0.5, 0.5, generator=g)
    return feats, model.eval()


@torch.no_grad()
def _plain(model, feats, d, s):
    return model(feats.batch(np.asarray(d), np.asarray(s))).numpy()


@pytest.mark.parametrize("batch_size", [3, 7, 1000])
def test_split_first_layer_equals_plain_forward(batch_size):
    feats, model = _tiny()
    sc = FactorisedScorer(model, feats, batch_size=batch_size)
    nd, ns = feats.n_drugs, feats.n_dis
    grid_d, grid_s = np.repeat(np.arange(nd), ns), np.tile(np.arange(ns), nd)
    full = _plain(model, feats, grid_d, grid_s).reshape(nd, ns)
    assert np.ptp(full) > 0.1  # the model is not constant
    np.testing.assert_allclose(sc.logits_block(np.arange(nd)), full, atol=1e-5)
    np.testing.assert_allclose(sc.logits_block(np.array([4, 1])), full[[4, 1]], atol=1e-5)
    np.testing.assert_allclose(sc.logits_for_drug(5), full[5], atol=1e-5)
    np.testing.assert_allclose(sc.logits_for_disease(2), full[:, 2], atol=1e-5)
    rng = np.random.default_rng(1)
    d, s = rng.integers(0, nd, 25), rng.integers(0, ns, 25)
    np.testing.assert_allclose(sc.logits_pairs(d, s), full[d, s], atol=1e-5)
    # cached A for every drug gives the same answers
    sc.all_drug_parts()
    np.testing.assert_allclose(sc.logits_for_drug(5), full[5], atol=1e-5)


def test_split_needs_a_leading_linear_layer():
    feats, _ = _tiny()
    with pytest.raises(DDIError, match="leading Linear"):
        FactorisedScorer(torch.nn.Identity(), feats)


# ---------------------------------------------------------------- attribution
def test_grad_times_input_finds_the_two_columns_that_decide_the_label():
    rng = np.random.default_rng(0)
    n_drugs, n_dis, dd, de = 60, 20, 10, 3
    drug_X = rng.normal(size=(n_drugs, dd)).astype(np.float32)
    dis_X = rng.normal(size=(n_dis, de)).astype(np.float32)
    d, s = np.repeat(np.arange(n_drugs), n_dis), np.tile(np.arange(n_dis), n_drugs)
    y = (drug_X[d, 2] - drug_X[d, 7] > 0).astype(np.float32)  # only columns 2 and 7 matter
    feats = standardized_features(drug_X, dis_X, Pairs(d, s, y), drop_constant=False, device="cpu")
    model = build_model(feats.dim, {"hidden": [32, 16], "dropout": 0.0}, seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, yt = feats.batch(d, s), torch.from_numpy(y)
    for _ in range(300):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), yt)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = float(((model(x) > 0).float() == yt).float().mean())
    assert acc > 0.95
    grads_before = [p.grad.clone() for p in model.parameters()]
    attr = grad_times_input(model, x).numpy()
    assert all(
        torch.equal(g, p.grad) for g, p in zip(grads_before, model.parameters(), strict=True)
    )  # parameters untouched
    mean_abs = np.abs(attr[:, :dd]).mean(axis=0)
    assert set(np.argsort(-mean_abs)[:2]) == {2, 7}
    # per pair: a column at its training mean (z ≈ 0) gets ≈ 0 by construction, so
    # where both deciding columns are away from the mean they are the top two
    z = x.numpy()
    away = (np.abs(z[:, 2]) > 1) & (np.abs(z[:, 7]) > 1)
    assert away.sum() >= 50
    top2 = np.argsort(-np.abs(attr[away, :dd]), axis=1)[:, :2]
    assert all(set(r) == {2, 7} for r in top2)
    top1 = np.argsort(-np.abs(attr[:, :dd]), axis=1)[:, 0]
    assert np.isin(top1, [2, 7]).mean() > 0.85
    # pair_attribution splits one pair's attribution at the drug/disease boundary
    da, sa = pair_attribution(model, feats, 5, 3)
    assert da.shape == (dd,) and sa.shape == (de,)
    np.testing.assert_allclose(np.concatenate([da, sa]), attr[5 * n_dis + 3], atol=1e-6)


def test_grad_times_input_is_exact_for_a_linear_model():
    lin = torch.nn.Linear(4, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1.0, -2.0, 0.0, 3.0]]))
        lin.bias.fill_(0.5)
    x = torch.tensor([[2.0, 1.0, 5.0, -1.0]])
    assert grad_times_input(lin, x).tolist() == [[2.0, -2.0, 0.0, -3.0]]


# ---------------------------------------------------------------- a synthetic run
def _run_scorer(feats, model):
    nd, ns = feats.n_drugs, feats.n_dis
    known = np.array([[0, 1], [0, 4], [3, 2], [8, 6]])
    train = np.array([[0, 1]])
    ids_d = np.array([f"D{i:03d}" for i in range(nd)], dtype=object)
    ids_s = np.array([f"S{i:03d}" for i in range(ns)], dtype=object)
    return session.RunScorer(
        run_id="synthetic",
        scorer=FactorisedScorer(model, feats, batch_size=10),
        drug_ids=ids_d,
        dis_ids=ids_s,
        drug_names=np.array([f"drug {i}" for i in range(nd)], dtype=object),
        dis_names=np.array([f"disease {i}" for i in range(ns)], dtype=object),
        dis_branches=np.array(["C04 Neoplasms"] * ns, dtype=object),
        known=session._by_row(known, nd, ns),
        train_pos=session._by_row(train, nd, ns),
        ctd_pairs=pd.DataFrame(
            {"chemical_id": ids_d[known[:, 0]], "disease_id": ids_s[known[:, 1]]}
        ),
    )


def test_rank_diseases_and_drugs_on_a_synthetic_run(monkeypatch):
    feats, model = _tiny()
    rs = _run_scorer(feats, model)
    monkeypatch.setattr(R, "load_scorer", lambda run_id=None, device=None: rs)
    from ddi_core.data import entities
    from ddi_core.facts import names

    monkeypatch.setattr(names, "resolve_drug", lambda q: q)
    monkeypatch.setattr(names, "resolve_disease", lambda q: q)
    # the 'not in the drug table' message names the drug from the entity table
    monkeypatch.setattr(
        entities, "drugs", lambda: pd.DataFrame({"chemical_id": ["D999"], "name": ["drug 999"]})
    )
    full = _plain(model, feats, np.zeros(feats.n_dis, int), np.arange(feats.n_dis))
    res = R.rank_diseases("D000")
    t = res.table
    assert t["rank"].tolist() == list(range(1, feats.n_dis + 1))
    assert t["disease_id"].tolist() == [f"S{i:03d}" for i in np.argsort(-full, kind="stable")]
    assert sorted(t.loc[t["known"], "disease_id"]) == ["S001", "S004"]
    assert t.loc[t["in_training"], "disease_id"].tolist() == ["S001"]
    assert res.n_known == 2 and res.query_name == "drug 0"
    j = res.to_json()
    assert j["drug"] == {"id": "D000", "name": "drug 0"}
    assert [r["rank"] for r in j["results"]] == list(range(1, feats.n_dis + 1))
    assert set(j["results"][0]) >= {
        "rank",
        "disease_id",
        "disease_name",
        "score",
        "percentile",
        "known",
    }
    hid = R.rank_diseases("D000", hide_known=True, top=3).table
    assert len(hid) == 3 and not hid["known"].any() and hid["rank"].tolist() == [1, 2, 3]
    by_dis = R.rank_drugs("S002").table
    assert len(by_dis) == feats.n_drugs
    assert by_dis.loc[by_dis["known"], "drug_id"].tolist() == ["D003"]
    with pytest.raises(session.NotFeaturisableError, match="not in the drug table"):
        R.rank_diseases("D999")


def test_full_matrix_parquet_is_complete_consistent_and_atomic(tmp_path):
    feats, model = _tiny()
    rs = _run_scorer(feats, model)
    nd, ns = feats.n_drugs, feats.n_dis
    seen = []
    out = export.write_full_matrix(
        rs,
        tmp_path / "full.parquet",
        chunk_drugs=4,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(4, nd), (8, nd), (9, nd)]
    assert [p.name for p in tmp_path.iterdir()] == ["full.parquet"]  # no temporary left
    df = pd.read_parquet(out)
    assert list(df.columns) == [
        "drug_id",
        "disease_id",
        "score",
        "rank_within_drug",
        "rank_within_disease",
        "known",
    ]
    assert len(df) == nd * ns
    M = _plain(model, feats, np.repeat(np.arange(nd), ns), np.tile(np.arange(ns), nd))
    np.testing.assert_allclose(df["score"].to_numpy(), 1 / (1 + np.exp(-M)), atol=1e-5)
    for _, g in df.groupby("drug_id"):
        assert sorted(g["rank_within_drug"]) == list(range(1, ns + 1))
        assert g.sort_values("rank_within_drug")["score"].is_monotonic_decreasing
    for _, g in df.groupby("disease_id"):
        assert sorted(g["rank_within_disease"]) == list(range(1, nd + 1))
    assert sorted(map(tuple, df.loc[df["known"], ["drug_id", "disease_id"]].to_numpy())) == [
        ("D000", "S001"),
        ("D000", "S004"),
        ("D003", "S002"),
        ("D008", "S006"),
    ]


# ---------------------------------------------------------------- reasons
def test_drug_reasons_say_exactly_why():
    dti = pd.DataFrame(
        {
            "chemical_id": ["X1", "X1", "X2"],
            "entrez": [10, 11, 20],
            "symbol": ["AAA", "BBB", "CCC"],
            "sign": [-1, 1, 1],
        }
    )
    drugs = pd.DataFrame(
        {"chemical_id": ["X0", "X1", "X2", "X3"], "smiles": [None, "CCO", None, "CCN"]}
    )
    walk = WalkConfig()
    kw = {"walk": walk, "network_genes": np.array([20, 30]), "signed_dti": dti, "drugs": drugs}
    assert "no SMILES and no known signed targets" in drug_reason("X0", **kw)
    msg = drug_reason("X1", **kw)
    assert "2 known signed target(s) (AAA, BBB)" in msg and "none is a node of the hsn" in msg
    assert "cancel out" in drug_reason("X2", **kw)
    assert "seed_source='known'" in drug_reason("X3", **kw)
    pred = drug_reason("X3", **{**kw, "walk": WalkConfig(seed_source="known+predicted")})
    assert "predicted none" in pred
    err = session.NotFeaturisableError("drug", "X0", "thing", "why")
    assert str(err) == "cannot score drug thing (X0): why" and isinstance(err, DDIError)


def test_disease_reasons():
    dis = pd.DataFrame(
        {
            "disease_id": ["A", "B", "C"],
            "is_ctd_disease": [False, True, True],
            "tree_numbers": ["C04", "", "C04.1"],
        }
    )
    assert "no CTD chemical–disease association" in table.disease_reason("A", dis)
    assert "no MeSH tree number" in table.disease_reason("B", dis)
    assert "no embedding" in table.disease_reason("C", dis)


def test_rank_cli_needs_exactly_one_query(capsys):
    from ddi_core.cli.main import main

    assert main(["rank"]) == 2
    assert "exactly one" in capsys.readouterr().err


def test_human_table_marks_where_each_known_pair_comes_from():
    from ddi_core.cli.rank import format_rank_table

    table = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "score": [0.9, 0.5, 0.1],
            "percentile": [100.0, 50.0, 0.0],
            "disease_name": ["Labelled one", "Literature one", "Novel one"],
            "disease_id": ["D1", "D2", "D3"],
            "mesh_branch": ["C04 Neoplasms", "", ""],
            "disease_class": ["disease", "sign or symptom", "disease"],
            "indication": ["DrugCentral; PTDB DM", "", ""],
            "literature": ["CTD", "CTD", ""],
            "non_indication": ["", "", "PTDB NOT"],
            "known": [True, True, False],
            "in_training": [True, False, False],
            "logit": [2.0, 0.0, -2.0],
        }
    )
    res = R.RankResult("drug", "X", "drug x", "r1", table, 80, 2, False, "clinical", 5, False, 1)
    text = format_rank_table(res)
    lines = text.splitlines()
    row = {n: next(line for line in lines if n in line) for n in table["disease_name"]}
    assert " IL.T " in row["Labelled one"]
    assert " .L.. " in row["Literature one"] and row["Literature one"].endswith(" sign")
    assert " ..N. " in row["Novel one"]
    assert "C04 Neoplasms" in row["Labelled one"]
    assert "5 experimental-model or chemically-induced terms hidden" in text
    assert "1 approved/labelled indications, 2 CTD pairs" in lines[0]


def test_the_clinical_view_and_the_marks_on_a_synthetic_run(monkeypatch):
    """Hidden classes leave before ranking, approved-only keeps approved drugs, and
    "hide known" drops indication marks as well as CTD pairs."""
    from ddi_core.data import entities
    from ddi_core.facts import names
    from ddi_core.facts.known import build_known_pairs

    feats, model = _tiny()
    rs = _run_scorer(feats, model)
    nd, ns = feats.n_drugs, feats.n_dis
    classes = np.array(["disease"] * ns, dtype=object)
    classes[[2, 5]] = ["experimental model", "chemically induced"]
    classes[3] = "sign or symptom"
    rs.dis_classes = classes
    rs.drug_approved = np.array([i % 2 == 0 for i in range(nd)])
    ctd = rs.ctd_pairs
    dc = pd.DataFrame({"chemical_id": ["D000"], "disease_id": ["S003"]})
    ptdb = pd.DataFrame({"chemical_id": ["D000"], "disease_id": ["S006"], "category": ["NOT"]})
    rs.known_marks = build_known_pairs(ctd, dc, ptdb)
    monkeypatch.setattr(R, "load_scorer", lambda run_id=None, device=None: rs)
    monkeypatch.setattr(names, "resolve_drug", lambda q: q)
    monkeypatch.setattr(names, "resolve_disease", lambda q: q)
    monkeypatch.setattr(entities, "drugs", lambda: pd.DataFrame(columns=["chemical_id", "name"]))

    full = _plain(model, feats, np.zeros(ns, int), np.arange(ns))
    every = R.rank_diseases("D000", terms="all")
    clin = R.rank_diseases("D000")  # the clinical view is the default
    assert clin.terms == "clinical" and clin.n_hidden == 2 and every.n_hidden == 0
    shown = [f"S{i:03d}" for i in np.argsort(-full, kind="stable") if i not in (2, 5)]
    assert clin.table["disease_id"].tolist() == shown
    assert clin.table["rank"].tolist() == list(range(1, ns - 1))  # ranked among the shown
    t = clin.table.set_index("disease_id")
    assert t.loc["S003", "disease_class"] == "sign or symptom"
    assert t.loc["S003", "indication"] == "DrugCentral" and t.loc["S001", "literature"] == "CTD"
    assert t.loc["S006", "non_indication"] == "PTDB NOT" and clin.n_indications == 1
    hid = R.rank_diseases("D000", hide_known=True).table
    assert not {"S001", "S004", "S003"} & set(hid["disease_id"])  # CTD and the indication
    assert "S006" in set(hid["disease_id"])  # a non-indication is not "known"
    with pytest.raises(DDIError, match="unknown view"):
        R.rank_diseases("D000", terms="preclinical")
    j = clin.to_json()
    assert j["terms"] == "clinical" and j["n_hidden"] == 2
    assert {"indication", "literature", "non_indication", "disease_class"} <= set(j["results"][0])

    approved = R.rank_drugs("S002")  # clinical: FDA-approved drugs only
    assert approved.approved_only and approved.n_hidden == nd // 2
    assert approved.table["approved"].all()
    assert approved.table["rank"].tolist() == list(range(1, len(approved.table) + 1))
    every_drug = R.rank_drugs("S002", approved_only=False)
    assert len(every_drug.table) == nd and every_drug.n_hidden == 0
    assert R.rank_drugs("S002", terms="all").n_hidden == 0


def test_rank_in_view():
    logits = np.array([0.1, 0.9, 0.5, 0.7])
    hidden = np.array([False, True, False, False])
    assert table.rank_in_view(logits, 2, hidden)[:3] == (2, 50.0, 3)
    r, _, n, among_all = table.rank_in_view(logits, 1, hidden)  # itself hidden: among all
    assert (r, n, among_all) == (1, 4, True)
    assert table.rank_in_view(logits, 2)[0] == 3


def test_rank_help_names_the_default_run_and_the_views(capsys):
    from ddi_core.cli.main import main

    with pytest.raises(SystemExit):
        main(["rank", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "newest finished run" not in out
    assert "the default run, the best validation MRR among the runs that can still load" in out
    assert "--terms {clinical,all}" in out and "--all-drugs" in out


def test_rank_csv_is_checked_before_the_work(tmp_path, capsys):
    from ddi_core.cli.main import main

    rc = main(["rank", "metformin", "--csv", str(tmp_path / "no" / "dir" / "x.csv")])
    assert rc != 0
    assert "does not exist" in capsys.readouterr().err
