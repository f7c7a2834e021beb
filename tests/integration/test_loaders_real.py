"""Every loader on the real bundle: counts and values that are facts of the files.

Each number here was measured on the pinned files (and cross-checked with an
independent parser: awk or pandas' C reader) before being written down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ddi_core.data import loaders as L

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def load(real_home):
    """``load(loader)``: the loader's table on the real bundle, read once per module."""
    cache: dict = {}

    def get(loader):
        if loader not in cache:
            cache[loader] = loader()
        return cache[loader]

    return get


def test_ctd_chemical_disease(load):
    df = load(L.load_ctd_chemical_disease)
    assert list(df.columns) == ["chemical_name", "chemical_id", "disease_name", "disease_id"]
    assert len(df) == 37_368
    assert df["chemical_id"].nunique() == 6_847
    assert df["disease_id"].nunique() == 2_482
    assert not df.duplicated(["chemical_id", "disease_id"]).any()
    # the MESH: prefix is stripped; 8 rows (3 diseases) are OMIM and keep theirs
    assert df["disease_id"].str.fullmatch(r"[CD]\d+").sum() == 37_360
    omim = df[df["disease_id"].str.startswith("OMIM:")]
    assert len(omim) == 8 and omim["disease_id"].nunique() == 3
    row = df.iloc[1]  # a quoted name with commas in the source
    assert row["chemical_name"] == "10,11-dihydro-10-hydroxycarbamazepine"
    assert (row["chemical_id"], row["disease_id"]) == ("C039775", "D004827")


def test_ctd_chemical_gene(load):
    df = load(L.load_ctd_chemical_gene)
    assert list(df.columns) == ["chemical_id", "gene_symbol"]
    assert len(df) == 30_626
    assert df["chemical_id"].nunique() == 2_476
    assert df["gene_symbol"].nunique() == 9_967


def test_ctd_gene_disease(load):
    df = load(L.load_ctd_gene_disease)
    assert list(df.columns) == ["gene_symbol", "disease_id", "inference_score"]
    assert len(df) == 27_543
    assert df["gene_symbol"].nunique() == 7_450
    assert df["disease_id"].nunique() == 1_546
    assert df["disease_id"].str.fullmatch(r"[CD]\d+").all()
    assert df["inference_score"].dtype == np.float64
    assert df["inference_score"].min() == pytest.approx(0.300096645)
    assert df["inference_score"].max() == 1.0
    assert (df["inference_score"] == 1.0).sum() == 27_044


def test_hsn(load):
    df = load(L.load_hsn)
    # 62,938 lines: the date line, then 62,937 edges (no final newline, CRLF)
    assert len(df) == 62_937
    assert df["type"].value_counts().to_dict() == {"Pos": 33_398, "Phy": 21_579, "Neg": 7_960}
    assert df["sign"].dtype == np.int8
    assert df.groupby("type", observed=True)["sign"].unique().map(list).to_dict() == {
        "Pos": [1],
        "Neg": [-1],
        "Phy": [0],
    }
    assert df["source_entrez"].dtype == np.int64 and df["target_entrez"].dtype == np.int64
    assert len(set(df["source_entrez"]) | set(df["target_entrez"])) == 6_306
    signed = df[df["sign"] != 0]
    assert len(set(signed["source_entrez"]) | set(signed["target_entrez"])) == 6_010
    assert df.iloc[0][["source_entrez", "source_symbol", "target_symbol", "type"]].tolist() == [
        1909,
        "EDNRA",
        "NBN",
        "Pos",
    ]
    assert df.iloc[-1][["source_symbol", "target_entrez", "type"]].tolist() == [
        "NFATC2",
        8061,
        "Phy",
    ]


def test_signor_pkn(load):
    df = load(L.load_signor_pkn)
    assert len(df) == 37_673
    assert list(df.columns[:6]) == ["entitya", "entityb", "interaction", "ida", "idb", "mechanism"]
    assert list(df.columns[-3:]) == ["source", "direct", "sign"]
    assert df.shape[1] == 16
    assert df["sign"].value_counts().to_dict() == {1: 24_791, -1: 12_882}
    assert (df["sign"] == df["interaction"].astype(int)).all()
    assert df["direct"].isna().sum() == 1_636
    assert (df["typea"] == "chemical").sum() == 2_124
    assert df["residue"].isna().sum() == 21_729
    first = df.iloc[0]
    assert (first["entitya"], first["ida"], first["idb"]) == (
        "____PILOCARPINE",
        "CHEBI:8207",
        "P11229",
    )


def test_omnipath(load):
    df = load(L.load_omnipath)
    assert list(df.columns) == ["source", "sign", "target"]
    assert len(df) == 19_807
    assert df["sign"].dtype == np.int8
    assert df["sign"].value_counts().to_dict() == {1: 14_350, -1: 5_457}
    assert len(set(df["source"]) | set(df["target"])) == 6_124


def test_string_ppi(load):
    df = load(L.load_string_ppi)
    assert len(df) == 174_962
    assert list(df.columns[:2]) == ["gene_a", "gene_b"] and df.columns[-1] == "combined_score"
    assert df.shape[1] == 14
    assert df["gene_a"].dtype == np.int64 and df["gene_b"].dtype == np.int64
    assert len(set(df["gene_a"]) | set(df["gene_b"])) == 17_288
    assert df["combined_score"].between(400, 999).all()
    assert (df["combined_score"] >= 700).sum() == 131_520
    assert not (df["gene_a"] == df["gene_b"]).any()
    assert not df.duplicated(["gene_a", "gene_b"]).any()
    assert df.iloc[0][["gene_a", "gene_b", "database", "combined_score"]].tolist() == [
        1066,
        1571,
        900.0,
        905.0,
    ]


def test_drugcentral(load):
    st = load(L.load_drugcentral_structures)
    assert list(st.columns) == ["smiles", "inchi", "inchikey", "dc_id", "inn", "cas_rn"]
    assert len(st) == 4_099 and st["dc_id"].is_unique
    assert st.set_index("inn").loc["capmatinib", ["dc_id", "cas_rn"]].tolist() == [
        5392,
        "1029712-80-8",
    ]

    fda = load(L.load_drugcentral_fda_approved)
    assert len(fda) == 2_331 and fda["dc_id"].is_unique  # README says ~2,330
    assert fda.set_index("dc_id").loc[4206, "name"] == "potassium phosphate, dibasic"

    tg = load(L.load_drugcentral_targets)
    assert len(tg) == 2_373 and tg["dc_id"].nunique() == 1_577
    assert tg["action_type"].value_counts().head(3).to_dict() == {
        "INHIBITOR": 956,
        "AGONIST": 488,
        "ANTAGONIST": 414,
    }

    ids = load(L.load_drugcentral_identifiers)
    assert len(ids) == 61_547 and ids["dc_id"].nunique() == 4_449
    counts = ids["id_type"].value_counts()
    assert counts["MESH_DESCRIPTOR_UI"] == 1_575
    assert counts["MESH_SUPPLEMENTAL_RECORD_UI"] == 2_479
    assert counts["PUBCHEM_CID"] == 4_268
    assert not ids["identifier"].str.contains('"').any()
    assert ids.iloc[0].tolist() == [5136, "cediranib", "DRUGBANK_ID", "DB04849"]

    ind = load(L.load_drugcentral_indications)
    assert len(ind) == 12_175 and ind["dc_id"].nunique() == 2_180
    assert (ind["doid"] != "").sum() == 4_002


def test_repurposing_hub(load):
    drugs = load(L.load_repurposing_drugs)
    assert len(drugs) == 6_798 and drugs["pert_iname"].is_unique
    assert (drugs["clinical_phase"] == "Launched").sum() == 2_427
    assert not drugs["pert_iname"].str.startswith("!").any()

    s = load(L.load_repurposing_samples)
    assert list(s.columns) == [
        "broad_id", "pert_iname", "qc_incompatible", "purity", "vendor", "catalog_no",
        "vendor_name", "expected_mass", "smiles", "inchikey", "pubchem_cid", "deprecated_broad_id",
    ]  # fmt: skip
    assert len(s) == 13_553 and s["broad_id"].is_unique
    assert str(s["pubchem_cid"].dtype) == "Int64"
    assert s["pubchem_cid"].isna().sum() == 625
    assert s["pert_iname"].nunique() == 6_798
    assert s["pert_iname"].isin(drugs["pert_iname"]).all()
    assert s["expected_mass"].max() == pytest.approx(4184.027)
    assert s["qc_incompatible"].sum() == 296


def test_mesh_tables(load):
    lab = load(L.load_mesh_labels)
    assert len(lab) == 30_764 and lab["mesh_id"].is_unique
    assert list(lab.columns[:4]) == ["mesh_id", "label", "synonyms", "tree_numbers"]
    assert (lab["synonyms"] == "").sum() == 4_257
    assert lab["tree_numbers"].str.contains(r"(?:^|\|)C").sum() == 5_032
    assert lab.iloc[0][["mesh_id", "label"]].tolist() == ["D000001", "Calcimycin"]

    mm = load(L.load_mesh_mappings)
    assert len(mm) == 28_737 and (mm["db1"] == "MESH").all()
    assert mm["namespace"].value_counts().head(2).to_dict() == {"UP": 11_348, "CHEBI": 6_287}

    pm = load(L.load_pubchem_mesh)
    assert len(pm) == 74_801 and pm["pubchem_cid"].dtype == np.int64
    assert pm["pubchem_cid"].is_unique and pm["mesh_id"].is_unique

    assert len(load(L.load_mesh_cas)) == 41_451


def test_chebi_hgnc_drugbank(load):
    cp = load(L.load_chebi_pubchem)
    assert len(cp) == 144_074 and cp["pubchem_cid"].dtype == np.int64
    assert (cp["ik_match"] == "Y").sum() == 1_511
    assert cp.iloc[0].tolist() == ["7", 443156, ""]

    h = load(L.load_hgnc)
    assert len(h) == 49_013 and h["hgnc_id"].is_unique
    assert h["status"].value_counts().to_dict() == {
        "Approved": 43_837,
        "Symbol Withdrawn": 3_381,
        "Entry Withdrawn": 1_795,
    }
    assert str(h["entrez"].dtype) == "Int64" and h["entrez"].notna().sum() == 43_765
    tp53 = h.set_index("symbol").loc["TP53"]
    assert (tp53["hgnc_id"], tp53["entrez"], tp53["uniprot"]) == ("HGNC:11998", 7157, "P04637")

    db = load(L.load_drugbank_mappings)
    assert len(db) == 29_144 and db["drugbank_id"].nunique() == 13_623
    assert db["namespace"].value_counts().to_dict() == {
        "NAME": 13_563,
        "CHEBI": 7_930,
        "CHEMBL": 7_651,
    }


def test_pharmacotherapydb(load):
    ind = load(L.load_pharmacotherapydb_indications)
    assert len(ind) == 1_388
    assert ind["category"].value_counts().to_dict() == {"DM": 755, "SYM": 390, "NOT": 243}
    assert ind["drugbank_id"].nunique() == 601 and ind["doid_id"].nunique() == 97
    drugs = load(L.load_pharmacotherapydb_drugs)
    diseases = load(L.load_pharmacotherapydb_diseases)
    assert len(drugs) == 601 and len(diseases) == 97
    for table in (drugs, diseases):  # per-entity counts add up to the indication table
        assert table[["dm", "sym", "not", "total"]].sum().tolist() == [755, 390, 243, 1_388]


def test_every_loader_default_path(load):
    """All 24 loaders read the data home when given no path; no NaN in int columns."""
    for rel, loader in L.LOADERS.items():
        df = load(loader)
        assert isinstance(df, pd.DataFrame) and len(df) > 0, rel
        assert df.columns.is_unique, rel
        assert isinstance(df.index, pd.RangeIndex) and df.index[0] == 0, rel


@pytest.mark.parametrize(("rel", "name"), [(L.STRING_PPI, "PPI"), (L.SIGNOR_PKN, "PKN_human_dir")])
def test_rda_parse_is_cached_by_content(real_home, rel, name, monkeypatch):
    """rdata parses each .rda once per data home; later loads read the Parquet copy."""
    from ddi_core import paths
    from ddi_core.data.fetch import raw_path, sha256_file
    from ddi_core.data.tabular import read_rda_frame

    read_rda_frame(raw_path(rel), name)
    cached = paths.cache_dir() / "rda" / f"{sha256_file(raw_path(rel))}-{name}.parquet"
    assert cached.is_file()
    import rdata

    parsed = []
    monkeypatch.setattr(rdata, "read_rda", lambda *a, **k: parsed.append(a))
    df = read_rda_frame(raw_path(rel), name)
    assert parsed == []  # read from the Parquet copy, not parsed again
    assert len(df) == {"PPI": 174_962, "PKN_human_dir": 37_673}[name]
