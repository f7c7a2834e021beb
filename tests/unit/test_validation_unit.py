"""PharmacotherapyDB mapping rules and validation metrics on tiny hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ddi_core.data.joinlog import JoinLog
from ddi_core.facts.drugbank import map_drugs, name_key
from ddi_core.facts.pharmacotherapydb import map_diseases, map_indications
from ddi_core.validation.ptdb import (
    popularity_from_pairs,
    rank_percentile,
    ranker_from_scores,
    validate,
)

# --------------------------------------------------------------------------- #
# rank percentile
# --------------------------------------------------------------------------- #
S4 = pd.Series({"a": 0.9, "b": 0.5, "c": 0.3, "d": 0.1})


@pytest.mark.parametrize(
    ("target", "expected"), [("a", 100.0), ("b", 200 / 3), ("c", 100 / 3), ("d", 0.0)]
)
def test_percentile_of_four_diseases(target, expected):
    assert rank_percentile(S4, target) == pytest.approx(expected)


def test_percentile_ties_take_the_middle_and_nan_is_not_a_candidate():
    assert rank_percentile(pd.Series({"a": 1.0, "b": 1.0, "c": 1.0}), "b") == pytest.approx(50.0)
    # a and b tied first of three: rank 1.5 -> 100 * (3 - 1.5) / 2 = 75
    assert rank_percentile(pd.Series({"a": 1.0, "b": 1.0, "c": 0.0}), "a") == pytest.approx(75.0)
    s = pd.Series({"a": 0.2, "x": np.nan, "b": 0.1})
    assert rank_percentile(s, "a") == 100.0
    assert rank_percentile(pd.Series({"a": 0.3}), "a") == 100.0
    with pytest.raises(KeyError):
        rank_percentile(s, "x")


def test_ranker_from_scores_scores_every_candidate_once():
    calls = []

    def fn(c, d):
        calls.append((c.copy(), d.copy()))
        return np.array([float(x[1:]) for x in d])

    r = ranker_from_scores(fn, ["d3", "d1", "d2", "d1"])("c9")
    assert list(r.index) == ["d1", "d2", "d3"]
    assert r.tolist() == [1.0, 2.0, 3.0]
    assert list(calls[0][0]) == ["c9"] * 3


def test_popularity_counts_distinct_chemicals():
    p = pd.DataFrame(
        {"chemical_id": ["c1", "c1", "c2", "c3"], "disease_id": ["d1", "d1", "d1", "d2"]}
    )
    assert popularity_from_pairs(p).to_dict() == {"d1": 2.0, "d2": 1.0}


# --------------------------------------------------------------------------- #
# validate
# --------------------------------------------------------------------------- #
IND = pd.DataFrame(
    {
        "chemical_id": ["c1", "c2", "c1", "c2", "c2", "c3"],
        "disease_id": ["d1", "d3", "d3", "d4", "d2", "d1"],
        "category": ["DM", "DM", "NOT", "NOT", "SYM", "DM"],
    }
)
CTD = pd.DataFrame(
    {"chemical_id": ["c1", "c2", "c3", "c4"], "disease_id": ["d2", "d2", "d1", "d4"]}
)


def table_fn(table: dict[tuple[str, str], float], default: float = 0.0):
    def fn(c: np.ndarray, d: np.ndarray) -> np.ndarray:
        return np.array([table.get((a, b), default) for a, b in zip(c, d, strict=True)])

    return fn


def test_perfect_and_reversed_scorers_give_auroc_one_and_zero():
    good = {
        ("c1", "d1"): 0.9,
        ("c2", "d3"): 0.8,
        ("c3", "d1"): 0.7,
        ("c1", "d3"): 0.2,
        ("c2", "d4"): 0.1,
    }
    r = validate(table_fn(good), ctd_pairs=CTD, indications=IND)["pharmacotherapydb"]
    assert r["dm_vs_not_auroc"] == 1.0
    assert (r["dm_pairs"], r["not_pairs"], r["excluded_unfeaturised"]) == (3, 2, 0)
    bad = {k: -v for k, v in good.items()}
    assert (
        validate(table_fn(bad), ctd_pairs=CTD, indications=IND)["pharmacotherapydb"][
            "dm_vs_not_auroc"
        ]
        == 0.0
    )


def test_nan_pairs_are_excluded_and_counted():
    t = {
        ("c1", "d1"): 0.9,
        ("c2", "d3"): np.nan,
        ("c3", "d1"): 0.1,
        ("c1", "d3"): 0.5,
        ("c2", "d4"): np.nan,
    }
    r = validate(table_fn(t), ctd_pairs=CTD, indications=IND)["pharmacotherapydb"]
    assert r["excluded_unfeaturised"] == 2
    assert (r["dm_pairs"], r["not_pairs"]) == (2, 1)
    # DM 0.9 > NOT 0.5 > DM 0.1: one of two DM pairs above the NOT pair
    assert r["dm_vs_not_auroc"] == 0.5


def test_heldout_percentiles_by_hand():
    # held out: (c1, d1) and (c2, d3); (c3, d1) is a CTD pair, so not held out.
    # c1 ranks d1 0.9, d2 0.95 (its CTD pair), d3 0.1, d4 0.5.
    #   filtered: candidates d1, d3, d4 -> d1 first -> 100; raw: 2nd of 4 -> 66.67
    # c2 ranks d1 0.4, d2 0.3 (CTD pair), d3 0.2, d4 0.1.
    #   filtered: d1, d3, d4 -> d3 2nd of 3 -> 50; raw: 3rd of 4 -> 33.33
    t = {
        ("c1", "d1"): 0.9,
        ("c1", "d2"): 0.95,
        ("c1", "d3"): 0.1,
        ("c1", "d4"): 0.5,
        ("c2", "d1"): 0.4,
        ("c2", "d2"): 0.3,
        ("c2", "d3"): 0.2,
        ("c2", "d4"): 0.1,
    }
    fn = table_fn(t)
    r = validate(fn, ctd_pairs=CTD, indications=IND)["pharmacotherapydb"]
    assert (r["dm_heldout_total"], r["dm_heldout_pairs"], r["excluded_heldout"]) == (2, 2, 0)
    assert r["dm_heldout_median_percentile"] == pytest.approx(75.0)
    assert r["dm_heldout_mean_percentile"] == pytest.approx(75.0)
    assert r["ranking"] == "filtered"
    raw = validate(fn, ctd_pairs=CTD, indications=IND, filter_known=False)["pharmacotherapydb"]
    assert raw["dm_heldout_mean_percentile"] == pytest.approx((200 / 3 + 100 / 3) / 2)
    # popularity from CTD: d1 1, d2 2, d3 0, d4 1.
    #   c1 filtered {d1:1, d3:0, d4:1}: d1 tied first with d4 -> 75
    #   c2 filtered {d1:1, d3:0, d4:1}: d3 last -> 0
    pop = r["popularity"]
    assert pop["dm_heldout_median_percentile"] == pytest.approx(37.5)
    assert pop["dm_heldout_mean_percentile"] == pytest.approx(37.5)
    # DM pairs' diseases d1, d3, d1 (pop 1, 0, 1) vs NOT d3, d4 (pop 0, 1):
    # DM d1 beats d3 and ties d4 (1.5, twice), DM d3 ties d3 (0.5): 3.5 / 6
    assert pop["dm_vs_not_auroc"] == pytest.approx(3.5 / 6)


def test_train_pairs_are_not_held_out_and_drive_popularity():
    t = {("c1", "d1"): 1.0, ("c2", "d3"): 1.0}
    train = pd.DataFrame({"chemical_id": ["c2", "c5", "c6"], "disease_id": ["d3", "d3", "d3"]})
    r = validate(
        table_fn(t),
        ctd_pairs=CTD,
        train_pairs=train,
        indications=IND,
        candidates=["d1", "d2", "d3", "d4"],
    )["pharmacotherapydb"]
    assert r["dm_heldout_total"] == 1  # only (c1, d1)
    # popularity from train: d3 = 3, others 0; c1 filtered {d1, d3, d4}: d1 tied with d4 below d3
    assert r["popularity"]["dm_heldout_median_percentile"] == pytest.approx(25.0)


def test_unrankable_heldout_pairs_are_excluded():
    def fn(c, d):  # cannot featurise disease d3
        return np.where(d == "d3", np.nan, 1.0)

    r = validate(
        fn,
        ctd_pairs=CTD,
        indications=IND,
        rank_fn=lambda chem: pd.Series({"d1": 0.5, "d3": np.nan}),
    )["pharmacotherapydb"]
    assert (r["dm_heldout_total"], r["dm_heldout_pairs"], r["excluded_heldout"]) == (2, 1, 1)
    assert r["dm_heldout_median_percentile"] == 100.0


def test_conflicting_dm_and_not_pair_is_left_out_of_auroc():
    ind = pd.concat(
        [IND, pd.DataFrame({"chemical_id": ["c1"], "disease_id": ["d1"], "category": ["NOT"]})],
        ignore_index=True,
    )
    r = validate(table_fn({}), ctd_pairs=CTD, indications=ind)["pharmacotherapydb"]
    assert r["conflicting_pairs"] == 1
    assert (r["dm_pairs"], r["not_pairs"]) == (2, 2)


def test_score_fn_of_wrong_length_is_an_error():
    from ddi_core.errors import DDIError

    with pytest.raises(DDIError, match="shape"):
        validate(lambda c, d: np.zeros(1), ctd_pairs=CTD, indications=IND)


# --------------------------------------------------------------------------- #
# mapping rules
# --------------------------------------------------------------------------- #
def test_name_key_ignores_case_and_punctuation_only():
    assert name_key("Gamma-Hydroxybutyric Acid") == name_key("gamma hydroxybutyric acid")
    assert name_key("Calcium Acetate") != name_key("Acetate")


DC = pd.DataFrame(
    {
        "dc_id": [1, 2, 2, 3],
        "drug_name": ["x", "x", "x", "x"],
        "id_type": ["DRUGBANK_ID"] * 4,
        "identifier": ["DB1", "DB2", "DB3", "DB4"],
    }
)
DBM = pd.DataFrame(
    {
        "drugbank_id": ["DB1", "DB5", "DB6"],
        "namespace": ["CHEBI", "CHEBI", "CHEMBL"],
        "xref_id": ["100", "500", "CHEMBL1"],
        "source": ["chebi"] * 3,
    }
)
XREFS = pd.DataFrame(
    {
        "chemical_id": ["C1", "C1", "C2", "C3", "C4", "C5"],
        "namespace": ["drugcentral", "chebi", "drugcentral", "drugcentral", "drugcentral", "chebi"],
        "xref": ["1", "CHEBI:100", "2", "2", "3", "CHEBI:500"],
        "route": [
            "drugcentral_mesh",
            "mesh_mappings",
            "drugcentral_mesh",
            "drugcentral_pubchem",
            "drugcentral_mesh",
            "chebi_to_pubchem",
        ],
    }
)
NAMES = pd.DataFrame(
    {
        "id": ["C1", "C2", "C3", "C4", "C5", "C7", "C8", "C9", "C9"],
        "name": [
            "alpha",
            "beta acetate",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "Zeta",
            "zeta",
            "eta",
        ],
        "kind": ["ctd_name"] * 8 + ["mesh_synonym"],
    }
)
PDRUGS = pd.DataFrame(
    {
        "drugbank_id": ["DB1", "DB2", "DB3", "DB4", "DB5", "DB6", "DB7", "DB8", "DB9"],
        "drug": ["Alpha", "Beta", "Beta", "Other", "Delta", "Epsilon", "zeta", "Eta", "Theta"],
    }
)


def test_map_drugs_routes_tiebreaks_and_name_fallback():
    joins = JoinLog()
    out = map_drugs(
        PDRUGS,
        dc_identifiers=DC,
        drugbank_mappings=DBM,
        chemical_xrefs=XREFS,
        drug_names=NAMES,
        joins=joins,
    ).set_index("drugbank_id")
    # DB1: two routes to C1, best first
    assert out.loc["DB1", "chemical_id"] == "C1"
    assert out.loc["DB1", "drug_routes"] == "drugcentral_mesh|chebi_mesh"
    # DB2 (dc 2 -> C2 "beta acetate", C3 "beta"): the name decides, not the route order
    assert out.loc["DB2", "chemical_id"] == "C3"
    assert out.loc["DB2", "drug_route"] == "drugcentral_pubchem"
    assert out.loc["DB4", "chemical_id"] == "C4"  # no name agreement needed
    assert out.loc["DB5", "drug_route"] == "chebi_pubchem"
    # DB6 reaches nothing by id: its name does (CTD name tier)
    assert (out.loc["DB6", "chemical_id"], out.loc["DB6", "drug_route"]) == ("C7", "name")
    # DB7 "zeta" is the CTD name of two chemicals: ambiguous, unmapped
    assert "DB7" not in out.index
    assert out.loc["DB8", "chemical_id"] == "C9"  # synonym tier
    assert "DB9" not in out.index
    assert not out["ambiguous"].any()
    assert joins.joins["ptdb.drugs.drugbank_to_drugcentral"] == {"matched": 4, "unmatched": 5}
    assert joins.joins["ptdb.drugs.name"] == {"matched": 2, "unmatched": 2, "ambiguous": 1}
    assert joins.joins["ptdb.drugs.mapped"]["matched"] == 7


def test_map_drugs_keeps_exact_ties_and_flags_them():
    xrefs = pd.DataFrame(
        {
            "chemical_id": ["C1", "C2"],
            "namespace": ["drugcentral"] * 2,
            "xref": ["1", "1"],
            "route": ["drugcentral_mesh"] * 2,
        }
    )
    out = map_drugs(
        PDRUGS.iloc[:1],
        dc_identifiers=DC,
        drugbank_mappings=DBM.iloc[:0],
        chemical_xrefs=xrefs,
        drug_names=NAMES.iloc[:0],
    )
    assert out["chemical_id"].tolist() == ["C1", "C2"]
    assert out["ambiguous"].all()


DIS = pd.DataFrame(
    {
        "disease_id": ["D1", "D2", "D3", "D4", "D5"],
        "label": [
            "Diabetes Mellitus, Type 2",
            "Kidney Calculi",
            "Nephrolithiasis",
            "Aspirin",
            "Gout",
        ],
        "synonyms": ["", "Kidney Stones", "", "", "Gouty Arthritis"],
        "in_disease_tree": [True, True, True, False, True],
        "is_ctd_disease": [True, False, False, False, False],
    }
)
MM = pd.DataFrame(
    {
        "db1": ["MESH"] * 3,
        "mesh_id": ["D1", "D4", "D5"],
        "mesh_label": ["", "", ""],
        "namespace": ["DOID", "DOID", "HP"],
        "xref_id": ["DOID:9352", "DOID:1", "DOID:2"],
        "xref_label": ["", "", ""],
    }
)
PDIS = pd.DataFrame(
    {
        "doid_id": ["DOID:9352", "DOID:1", "DOID:585", "DOID:3", "DOID:2"],
        "disease": ["type 2 diabetes", "aspirin", "kidney stones", "x", "gout"],
    }
)


def test_map_diseases_mesh_mappings_then_name_within_the_disease_table():
    joins = JoinLog()
    out = map_diseases(PDIS, mesh_mappings=MM, diseases=DIS, joins=joins).set_index("doid_id")
    assert out.loc["DOID:9352", "disease_id"] == "D1"
    assert out.loc["DOID:9352", "disease_route"] == "mesh_mappings"
    # D4 is not a disease (not CTD, not in the disease tree); "aspirin" names no disease either
    assert "DOID:1" not in out.index
    assert (out.loc["DOID:585", "disease_id"], out.loc["DOID:585", "disease_route"]) == (
        "D2",
        "name",
    )
    # an HP row is not a DOID mapping; the name still finds Gout
    assert (out.loc["DOID:2", "disease_id"], out.loc["DOID:2", "disease_route"]) == ("D5", "name")
    assert "DOID:3" not in out.index
    assert joins.joins["ptdb.diseases.doid_to_mesh"] == {"matched": 2, "unmatched": 3}
    assert joins.joins["ptdb.diseases.mesh_mappings"] == {"matched": 1, "unmatched": 4}
    assert joins.joins["ptdb.diseases.mapped"]["matched"] == 3
    assert joins.joins["ptdb.diseases.mapped"]["ctd_diseases"] == 1


def test_map_indications_counts_by_category():
    ind = pd.DataFrame(
        {
            "doid_id": ["DOID:1", "DOID:1", "DOID:2", "DOID:9"],
            "drugbank_id": ["DB1", "DB2", "DB1", "DB1"],
            "disease": ["a", "a", "b", "z"],
            "drug": ["x", "y", "x", "x"],
            "category": ["DM", "NOT", "SYM", "DM"],
        }
    )
    dmap = pd.DataFrame(
        {
            "drugbank_id": ["DB1", "DB2"],
            "chemical_id": ["C1", "C1"],
            "drug_route": ["drugcentral_mesh", "name"],
        }
    )
    smap = pd.DataFrame(
        {
            "doid_id": ["DOID:1", "DOID:2"],
            "disease_id": ["D1", "D2"],
            "disease_route": ["mesh_mappings", "name"],
        }
    )
    mapped, rep = map_indications(ind, dmap, smap, chemical_names={"C1": "Cee"})
    assert rep["pairs_total"] == {"DM": 2, "SYM": 1, "NOT": 1, "all": 4}
    assert rep["pairs_mapped"] == {"DM": 1, "SYM": 1, "NOT": 1, "all": 3}
    assert rep["pairs_conflicting"] == 1  # (C1, D1) is DM through DB1 and NOT through DB2
    row = mapped[mapped["category"] == "NOT"].iloc[0]
    assert (row["chemical_id"], row["disease_id"], row["drug_route"]) == ("C1", "D1", "name")
    assert row["chemical_name"] == "Cee"
