"""Entity tables and the coverage report on the real bundle.

The numbers asserted here were measured on the bundle of ``MANIFEST.tsv`` (see
the report of ``ddi data report``); ranges leave room for small rule changes,
exact values are facts of the raw files.
"""

from __future__ import annotations

import pandas as pd
import pytest
from rdkit import Chem

from ddi_core.data import entities as E
from ddi_core.data import loaders
from ddi_core.data.drugs import ROUTES
from ddi_core.data.genes import symbol_to_entrez, uniprot_to_entrez
from ddi_core.data.report import coverage_report, format_report, licences
from ddi_core.data.sources import sources
from ddi_core.errors import UnknownEntityError

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(real_home):
    E.build_entities()
    return real_home


@pytest.fixture(scope="module")
def rep(built):
    return coverage_report()


def test_every_drug_is_a_ctd_chemical(built):
    d = E.drugs()
    ctd = loaders.load_ctd_chemical_disease()
    assert d["chemical_id"].is_unique
    assert set(d["chemical_id"]) == set(ctd["chemical_id"])
    assert len(d) == 6847
    names = dict(zip(ctd["chemical_id"], ctd["chemical_name"], strict=False))
    assert (d["name"] == d["chemical_id"].map(names)).all()


def test_smiles_are_rdkit_canonical(built):
    d = E.drugs()
    smi = d["smiles"].dropna()
    assert 2600 <= len(smi) <= 3000  # measured 2,817
    for s in smi:
        mol = Chem.MolFromSmiles(s)
        assert mol is not None, s
        assert Chem.MolToSmiles(mol) == s
        assert "." not in s  # largest fragment only
    has = d["smiles"].notna()
    assert (d.loc[has, "n_smiles_candidates"] >= 1).all()
    assert (d.loc[~has, "n_smiles_candidates"] == 0).all()
    assert (d["smiles_conflict"] == (d["n_smiles_candidates"] > 1)).all()
    routes = d.loc[has, "smiles_routes"].str.split("|")
    assert routes.map(lambda r: set(r) <= set(ROUTES)).all()
    assert (routes.str[0] == d.loc[has, "smiles_route"]).all()
    assert d.loc[has, "inchikey"].str.fullmatch(r"[A-Z]{14}-[A-Z]{10}-[A-Z]").all()


def test_known_drug_structures(built):
    d = E.drugs().set_index("chemical_id")
    assert d.loc["D001241", "name"] == "Aspirin"
    assert d.loc["D001241", "smiles"] == "CC(=O)Oc1ccccc1C(=O)O"
    assert d.loc["D001241", "inchikey"] == "BSYNRYMUTXBXSQ-UHFFFAOYSA-N"
    assert d.loc["D001241", "pubchem_cid"] == 2244
    # imatinib mesylate: the mesylate counter-ion is stripped
    assert d.loc["D000068877", "inchikey"] == "KTUFNOKKBVMGRW-UHFFFAOYSA-N"


def test_failures_table_matches_candidates(built):
    f = E.smiles_failures()
    assert list(f.columns) == ["chemical_id", "route", "smiles", "reason"]
    cand = E.table("smiles_candidates")
    assert set(f["chemical_id"]) <= set(cand["chemical_id"])
    assert (f["reason"] != "").all()


def test_signed_dti_known_pairs(built):
    dti = E.signed_dti()
    ev = E.dti_evidence()

    def pair(cid, sym):
        r = dti[(dti["chemical_id"] == cid) & (dti["symbol"] == sym)]
        return r.iloc[0] if len(r) else None

    # DrugCentral INHIBITOR: imatinib -> ABL1
    r = pair("D000068877", "ABL1")
    assert r["sign"] == -1 and "drugcentral" in r["sources"].split("|")
    assert (
        (ev["chemical_id"] == "D000068877")
        & (ev["entrez"] == 25)
        & (ev["source"] == "drugcentral")
        & (ev["action_type"] == "INHIBITOR")
    ).any()
    # DrugCentral AGONIST: morphine -> OPRM1
    assert pair("D009020", "OPRM1")["sign"] == 1
    # aspirin inhibits both cyclooxygenases, all three sources agree
    for sym in ("PTGS1", "PTGS2"):
        r = pair("D001241", sym)
        assert r["sign"] == -1 and r["sources"] == "drugcentral|repurposing_hub|signor"
    # DrugCentral MODULATOR is unsigned: tamoxifen -> ESR1 has no signed pair
    assert pair("D013629", "ESR1") is None
    assert (
        (ev["chemical_id"] == "D013629") & (ev["action_type"] == "MODULATOR") & (ev["sign"] == 0)
    ).any()


def test_signed_dti_table_is_consistent(built):
    dti = E.signed_dti()
    assert list(dti.columns) == [
        "chemical_id",
        "entrez",
        "symbol",
        "sign",
        "sources",
        "n_evidence",
        "n_against",
    ]
    assert not dti.duplicated(["chemical_id", "entrez"]).any()
    assert set(dti["sign"]) == {-1, 1}
    assert set(dti["chemical_id"]) <= set(E.drugs()["chemical_id"])
    assert set(dti["entrez"]) <= set(E.genes()["entrez"])
    assert (dti["n_evidence"] > dti["n_against"]).all()
    assert 1500 <= dti["chemical_id"].nunique() <= 2200  # measured 1,903


def test_genes_and_maps(built):
    g = E.genes()
    assert g["entrez"].is_unique and len(g) > 40000
    assert g.set_index("symbol").loc["TP53", "entrez"] == 7157
    m = symbol_to_entrez(["TP53", "EGFR"], g).set_index("symbol")["entrez"]
    assert m.to_dict() == {"TP53": 7157, "EGFR": 1956}
    u = uniprot_to_entrez(["P04637", "P00533-2"], g).set_index("uniprot")["entrez"]
    assert u.to_dict() == {"P04637": 7157, "P00533-2": 1956}


def test_diseases(built):
    d = E.diseases().set_index("disease_id")
    assert d.loc["D001943", "label"] == "Breast Neoplasms"
    assert d.loc["D001943", "in_disease_tree"] and d.loc["D001943", "branches"] == "C"
    assert d.loc["D001523", "in_disease_tree"]  # Mental Disorders, F03
    assert not d.loc["D004791", "in_disease_tree"]  # Enzyme Inhibitors, D27
    ctd = loaders.load_ctd_chemical_disease()
    assert set(ctd["disease_id"]) == set(d.index[d["is_ctd_disease"]])


def test_resolve_names(built):
    from ddi_core.facts import names as N

    assert N.resolve_drug("aspirin") == "D001241"
    assert N.resolve_drug("MESH:D001241") == "D001241"
    assert N.resolve_drug("Acetylsalicylic Acid") == "D001241"  # MeSH synonym
    assert N.resolve_drug("imatinib") == "D000068877"  # salt-stripped CTD name
    with pytest.raises(UnknownEntityError) as exc:
        N.resolve_drug("aspirn")
    assert exc.value.kind == "drug" and "Aspirin" in exc.value.suggestions
    assert N.resolve_disease("breast neoplasm") == "D001943"
    # "alzheimer" is "Alzheimer Disease" without its last word (the compact tier)
    assert N.lookup_disease("alzheimer") == ("D000544", "compact")
    with pytest.raises(UnknownEntityError) as exc:
        N.resolve_disease("alzhiemer disease")
    assert "Alzheimer Disease" in exc.value.suggestions
    with pytest.raises(UnknownEntityError):
        N.resolve_disease("Aspirin")  # a drug is not a disease


def test_report_keys_and_consistency(rep):
    for k in [
        "ctd_pairs",
        "ctd_chemicals",
        "ctd_diseases",
        "chemicals_with_smiles",
        "chemicals_with_signed_targets",
        "chemicals_with_smiles_or_targets",
        "diseases_in_mesh_tree",
        "signed_dti_pairs",
        "hsn_signed_edges",
        "hsn_genes",
        "ppi_edges",
        "ppi_genes",
        "hsn_genes_in_ppi",
        "smiles_parse_failures",
        "smiles_routes",
        "dti_sources",
        "gene_mapping",
        "dti_sign_conflicts",
    ]:
        assert k in rep, k
    assert (rep["ctd_pairs"], rep["ctd_chemicals"], rep["ctd_diseases"]) == (37368, 6847, 2482)
    s, t = rep["chemicals_with_smiles"], rep["chemicals_with_signed_targets"]
    assert max(s, t) <= rep["chemicals_with_smiles_or_targets"] <= s + t
    assert (
        rep["chemicals_with_smiles_or_targets"] == s + t - rep["chemicals_with_smiles_and_targets"]
    )
    assert sum(rep["smiles_chosen_route"].values()) == s
    assert all(rep["smiles_routes"][r] >= rep["smiles_chosen_route"][r] for r in ROUTES)
    assert rep["hsn_signed_edges"] == 33398 + 7960 and rep["hsn_genes"] == 6010
    assert (rep["ppi_edges"], rep["ppi_genes"]) == (174962, 17288)
    assert 5000 <= rep["hsn_genes_in_ppi"] <= rep["hsn_genes"]
    assert rep["diseases_in_mesh_tree"] <= rep["ctd_diseases"]
    assert rep["signed_dti_pairs"] == rep["signed_dti_inhibition"] + rep["signed_dti_activation"]
    assert rep["smiles_parse_failures"] == len(E.smiles_failures())
    assert rep["signed_dti_pairs"] == len(E.signed_dti())
    for name, j in rep["gene_mapping"].items():
        assert j["matched"] + j["unmatched"] > 0, name
    c = rep["dti_sign_conflicts"]
    assert c["pairs_with_signed_evidence"] - c["dropped_ties"] == rep["signed_dti_pairs"]
    assert c["resolved_by_majority"] + c["dropped_ties"] <= c["pairs_with_disagreement"]
    text = format_report(rep)
    assert f"{rep['chemicals_with_smiles']:,d}" in text and "drugcentral_mesh" in text


def test_second_call_reads_the_cache(rep, monkeypatch):
    built = []
    monkeypatch.setattr(E, "_compute", lambda *a: built.append(a))
    monkeypatch.setattr(loaders, "load_ctd_chemical_disease", lambda *a, **k: built.append(a))
    tables = [E.drugs(), E.genes(), E.diseases(), E.signed_dti(), E.smiles_failures()]
    again = coverage_report()
    assert built == []  # neither the entity tables nor the report were computed again
    assert again == rep
    assert all(isinstance(t, pd.DataFrame) for t in tables)


def test_licences_cover_the_manifest(built):
    lic = licences()
    assert [x["path"] for x in lic] == list(sources())
    assert all(x["licence"] and x["citation"] for x in lic)
    hub = next(x for x in lic if x["path"].startswith("repurposing_hub/"))
    assert "non-commercial" in hub["licence"]
