"""Entity-building rules on tiny hand-made tables (no data bundle needed)."""

from __future__ import annotations

import pandas as pd
import pytest

from ddi_core.data.diseases import build_diseases
from ddi_core.data.drugs import ROUTES, normalise_name, resolve_smiles
from ddi_core.data.dti import action_sign, action_table, moa_action, resolve_signs
from ddi_core.data.genes import build_genes, symbol_to_entrez, uniprot_to_entrez
from ddi_core.data.joinlog import JoinLog
from ddi_core.data.smiles import standardise, standardise_with_key
from ddi_core.errors import SmilesError

# ---------------------------------------------------------------- action types


def test_action_table_maps_the_documented_types():
    t = action_table()
    dc = dict(
        zip(
            t.loc[t["source"] == "drugcentral", "action_type"],
            t.loc[t["source"] == "drugcentral", "effect"],
            strict=True,
        )
    )
    for a in [
        "INHIBITOR",
        "ANTAGONIST",
        "BLOCKER",
        "NEGATIVE ALLOSTERIC MODULATOR",
        "INVERSE AGONIST",
        "ALLOSTERIC ANTAGONIST",
    ]:
        assert dc[a] == "inhibition", a
    for a in [
        "AGONIST",
        "OPENER",
        "ACTIVATOR",
        "POSITIVE ALLOSTERIC MODULATOR",
        "PARTIAL AGONIST",
        "POSITIVE MODULATOR",
    ]:
        assert dc[a] == "activation", a
    for a in ["MODULATOR", "ANTIBODY BINDING", "SUBSTRATE", "RELEASING AGENT", "OTHER"]:
        assert dc[a] == "unsigned", a
    assert not t.duplicated(["source", "action_type"]).any()


def test_action_sign_is_case_insensitive_and_reports_unknown():
    acts = pd.Series(["INHIBITOR", "agonist", " Inverse Agonist ", "MODULATOR", "TELEPORTER", None])
    sign, unknown = action_sign("drugcentral", acts)
    assert sign.tolist() == [-1, 1, -1, 0, 0, 0]
    assert unknown == {"TELEPORTER", ""}
    sign, _ = action_sign("signor", pd.Series(["DOWN-REGULATES", "UP-REGULATES"]))
    assert sign.tolist() == [-1, 1]


@pytest.mark.parametrize(
    ("moa", "expected"),
    [
        ("glutamate receptor negative allosteric modulator", "NEGATIVE ALLOSTERIC MODULATOR"),
        ("selective serotonin reuptake inhibitor (SSRI)", "INHIBITOR"),
        ("dopamine receptor partial agonist", "PARTIAL AGONIST"),
        ("histamine receptor inverse agonist", "INVERSE AGONIST"),
        ("dopamine receptor agonist", "AGONIST"),
        ("GABA receptor modulator", ""),
        ("antioxidant", ""),
    ],
)
def test_moa_action_takes_the_longest_final_phrase(moa, expected):
    t = action_table()
    phrases = t.loc[t["source"] == "repurposing_hub", "action_type"].tolist()
    assert moa_action(moa, phrases) == expected


# ---------------------------------------------------------------- sign rule


def _ev(rows):
    return pd.DataFrame(rows, columns=["chemical_id", "entrez", "source", "sign"])


def test_resolve_signs_majority_of_sources_and_ties_dropped():
    ev = _ev(
        [
            ("A", 1, "drugcentral", -1),
            ("A", 1, "drugcentral", -1),
            ("A", 1, "signor", 1),  # tie
            ("B", 2, "drugcentral", -1),
            ("B", 2, "signor", -1),
            ("B", 2, "hub", 1),  # 2 vs 1
            ("C", 3, "drugcentral", 1),
            ("C", 3, "drugcentral", -1),
            ("C", 3, "signor", 1),
            ("D", 4, "drugcentral", 0),  # unsigned only
            ("E", 5, "drugcentral", -1),
            ("E", 5, "drugcentral", -1),
            ("E", 5, "drugcentral", 1),
            ("F", 6, "signor", 1),
        ]
    )
    dti, counts = resolve_signs(ev)
    got = {(r.chemical_id, r.entrez): r for r in dti.itertuples()}
    assert set(got) == {("B", 2), ("C", 3), ("E", 5), ("F", 6)}
    b = got[("B", 2)]
    assert (b.sign, b.sources, b.n_evidence, b.n_against) == (-1, "drugcentral|signor", 2, 1)
    c = got[("C", 3)]  # drugcentral abstains (1 vs 1), signor decides
    assert (c.sign, c.sources, c.n_evidence, c.n_against) == (1, "signor", 2, 1)
    e = got[("E", 5)]  # majority inside one source
    assert (e.sign, e.sources, e.n_evidence, e.n_against) == (-1, "drugcentral", 2, 1)
    assert got[("F", 6)].sign == 1
    assert counts == {
        "pairs_with_signed_evidence": 5,
        "pairs_with_disagreement": 4,  # A, B, C, E
        "within_source_ties": 1,  # C/drugcentral
        "resolved_by_majority": 3,  # B, C, E
        "dropped_ties": 1,  # A
        "unsigned_rows": 1,
    }
    assert str(dti["sign"].dtype) == "int8"


def test_resolve_signs_unsigned_only_gives_empty_table():
    dti, counts = resolve_signs(_ev([("A", 1, "drugcentral", 0)]))
    assert dti.empty and counts["unsigned_rows"] == 1 and counts["dropped_ties"] == 0


# ---------------------------------------------------------------- SMILES


def test_standardise_strips_salts_and_neutralises():
    assert standardise("CC(=O)[O-].[Na+]") == "CC(=O)O"
    assert standardise("Cl.CCN") == "CCN"
    # a CXSMILES extension RDKit does not know is ignored, not an error
    assert standardise("CCO |THB:0:1:2|") == "CCO"
    with pytest.raises(SmilesError, match="valence"):
        standardise("CN(C)(C)(C)C")


def test_standardise_with_key_identifies_inchi_tautomers():
    a = standardise_with_key("O=c1cccc[nH]1")
    b = standardise_with_key("Oc1ccccn1")
    assert a[0] != b[0] and a[1] == b[1] == "UBQKCCHYAOITMY-UHFFFAOYSA-N"
    assert standardise_with_key("C1CC") == (None, None, "SMILES syntax error")


def _cand(rows):
    return pd.DataFrame(rows, columns=["chemical_id", "route", "smiles_raw"])


def test_resolve_smiles_records_failures_and_never_crashes():
    cand = _cand(
        [
            ("X", "drugcentral_mesh", "C1CC"),  # syntax error
            ("X", "hub_name", "CCO"),
            ("Y", "drugcentral_mesh", "CN(C)(C)(C)C"),  # valence error, no other candidate
            ("Z", "drugcentral_mesh", "OCC"),
            ("Z", "hub_pubchem", "[Na+].CCO"),  # same parent
            ("Z", "hub_name", ""),  # empty: absence, not a failure
        ]
    )
    chosen, failures = resolve_smiles(cand)
    ch = chosen.set_index("chemical_id")
    assert set(ch.index) == {"X", "Z"}
    assert ch.loc["X", "smiles"] == "CCO" and ch.loc["X", "smiles_route"] == "hub_name"
    assert not ch.loc["X", "smiles_conflict"]  # the unparsable candidate does not vote
    assert ch.loc["Z", "smiles_routes"] == "drugcentral_mesh|hub_pubchem"
    assert ch.loc["Z", "n_smiles_candidates"] == 1
    f = failures.set_index("chemical_id")
    assert list(failures.columns) == ["chemical_id", "route", "smiles", "reason"]
    assert set(f.index) == {"X", "Y"}
    assert f.loc["X", "reason"] == "SMILES syntax error" and f.loc["X", "smiles"] == "C1CC"
    assert "valence" in f.loc["Y", "reason"]


def test_resolve_smiles_votes_by_routes_then_priority():
    phenol, toluene = "Oc1ccccc1", "Cc1ccccc1"
    cand = _cand(
        [
            ("W", "drugcentral_mesh", phenol),
            ("W", "hub_name", toluene),
            ("W", "hub_pubchem", toluene),  # toluene: 2 routes beat 1
            ("V", "hub_name", toluene),
            ("V", "drugcentral_mesh", phenol),  # tie -> priority
            ("T", "drugcentral_mesh", "O=c1cccc[nH]1"),
            ("T", "hub_name", "Oc1ccccn1"),  # tautomers
        ]
    )
    chosen, failures = resolve_smiles(cand)
    ch = chosen.set_index("chemical_id")
    assert failures.empty
    assert ch.loc["W", "smiles"] == toluene and ch.loc["W", "smiles_route"] == "hub_pubchem"
    assert ch.loc["W", "smiles_conflict"] and ch.loc["W", "n_smiles_candidates"] == 2
    assert ch.loc["V", "smiles"] == phenol and ch.loc["V", "smiles_conflict"]
    assert ch.loc["T", "smiles"] == "O=c1cccc[nH]1" and not ch.loc["T", "smiles_conflict"]
    assert ch.loc["T", "inchikey"] == "UBQKCCHYAOITMY-UHFFFAOYSA-N"
    assert ROUTES.index("hub_pubchem") < ROUTES.index("hub_name")


@pytest.mark.parametrize(
    ("name", "norm"),
    [
        ("Apomorphine Hydrochloride", "apomorphine"),
        ("(R)-(-)-apomorphine", "rapomorphine"),
        ("valproic-acid", "valproicacid"),
        ("Valproic Acid", "valproicacid"),
        ("Sodium Chloride", "sodiumchloride"),
        ("Medroxyprogesterone Acetate", "medroxyprogesteroneacetate"),
        ("Imatinib Mesylate", "imatinib"),
    ],
)
def test_normalise_name(name, norm):
    assert normalise_name(name) == norm


# ---------------------------------------------------------------- genes


@pytest.fixture
def tiny_genes() -> pd.DataFrame:
    hgnc = pd.DataFrame(
        {
            "hgnc_id": ["HGNC:1", "HGNC:2", "HGNC:3", "HGNC:4"],
            "symbol": ["AAA1", "BBB2", "CCC3", "DDD4"],
            "name": ["a", "b", "c", "withdrawn"],
            "status": ["Approved", "Approved", "Approved", "Symbol Withdrawn"],
            "aliases": ["SHARED, ONLYA", "SHARED", "", ""],
            "entrez": pd.array([11, 22, 33, None], dtype="Int64"),
            "uniprot": ["P00001", "P00002, P00009", "P00009", ""],
            "prev_symbols": ["OLDA", "", "AAA1X", ""],
            "ensembl": ["", "", "", ""],
            "locus_type": ["gene with protein product"] * 4,
        }
    )
    return build_genes(hgnc)


def test_build_genes_keeps_entrez_rows(tiny_genes):
    assert tiny_genes["entrez"].tolist() == [11, 22, 33]
    assert tiny_genes.loc[1, "uniprot"] == "P00002|P00009"
    assert tiny_genes.loc[0, "aliases"] == "SHARED|ONLYA"


def test_symbol_to_entrez_tiers_and_counts(tiny_genes):
    j = JoinLog()
    out = symbol_to_entrez(
        ["AAA1", "olda", "ONLYA", "SHARED", "NOPE", "AAA1", None], tiny_genes, joins=j, name="t"
    ).set_index("symbol")
    assert out.loc["AAA1", "entrez"] == 11 and out.loc["AAA1", "how"] == "approved"
    assert out.loc["olda", "entrez"] == 11 and out.loc["olda", "how"] == "previous"
    assert out.loc["ONLYA", "how"] == "alias"
    assert pd.isna(out.loc["SHARED", "entrez"]) and out.loc["SHARED", "how"] == "ambiguous"
    assert out.loc["NOPE", "how"] == "unmatched"
    assert j.joins["genes.symbol.t"] == {
        "matched": 3,
        "unmatched": 2,
        "via_approved": 1,
        "via_previous": 1,
        "via_alias": 1,
        "ambiguous": 1,
    }


def test_uniprot_to_entrez_strips_isoforms_and_flags_ambiguity(tiny_genes):
    j = JoinLog()
    out = uniprot_to_entrez(
        ["P00001-2", "P00002", "P00009", "Q99999"], tiny_genes, joins=j, name="t"
    ).set_index("uniprot")
    assert out.loc["P00001-2", "entrez"] == 11
    assert out.loc["P00002", "entrez"] == 22
    assert out.loc["P00009", "how"] == "ambiguous"
    assert j.joins["genes.uniprot.t"] == {"matched": 2, "unmatched": 2, "ambiguous": 1}


# ---------------------------------------------------------------- diseases


def test_build_diseases_tree_flags_and_ctd_extras():
    mesh = pd.DataFrame(
        {
            "mesh_id": ["D1", "D2", "D3", "D4"],
            "label": ["Neo", "Mental", "Behaviour", "Drug"],
            "synonyms": ["", "", "", ""],
            "tree_numbers": ["C04.588|D02.1", "F03.100", "F01.145", "D02.455"],
        }
    )
    ctd = pd.DataFrame(
        {
            "chemical_name": ["x", "x"],
            "chemical_id": ["C1", "C1"],
            "disease_name": ["Neo (CTD)", "Rare thing"],
            "disease_id": ["D1", "C999"],
        }
    )
    j = JoinLog()
    d = build_diseases(mesh, ctd, joins=j).set_index("disease_id")
    assert d.loc["D1", "branches"] == "C|D" and d.loc["D1", "in_disease_tree"]
    assert d.loc["D2", "in_disease_tree"] and not d.loc["D3", "in_disease_tree"]
    assert not d.loc["D4", "in_disease_tree"]
    assert d.loc["C999", "label"] == "Rare thing" and d.loc["C999", "is_ctd_disease"]
    assert d.loc["D1", "ctd_name"] == "Neo (CTD)" and not d.loc["D2", "is_ctd_disease"]
    assert j.joins["diseases.ctd_in_mesh"] == {"matched": 1, "unmatched": 1}
