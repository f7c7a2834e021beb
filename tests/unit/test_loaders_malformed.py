"""Loaders on small hand-written files: good ones parse to the right values,
malformed ones raise DataFileError naming the file (never a short table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ddi_core.data import loaders as L
from ddi_core.data.raw.string_ppi import STRING_SCORES
from ddi_core.data.sources import sources
from ddi_core.errors import DataFileError, MissingFileError

CTD_CD_GOOD = (
    "06-Paris-LA-66 protocol,C046983,Precursor Cell Lymphoblastic Leukemia-Lymphoma,MESH:D054198\n"
    '"10,11-dihydro-10-hydroxycarbamazepine",C039775,Epilepsy,MESH:D004827\n'
    'Nicotine,D009538,"TOBACCO ADDICTION, SUSCEPTIBILITY TO",OMIM:188890\n'
)

HSN_GOOD = "Jan 16 2016,,,,\r\n1909,EDNRA,4683,NBN,Pos\r\n7040,TGFB1,7040,TGFB1,Neg\r\n4773,NFATC2,8061,FOSL1,Phy"

GD_GOOD = "GeneSymbol,DiseaseID,InferenceScore\nA,MESH:D003872,1\nCEBPB,MESH:D056486,0.300096645\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, str):
        p.write_text(text, encoding="utf-8", newline="")
    else:
        p.write_bytes(text)
    return p


def raises_naming(path: Path, func, *fragments: str) -> DataFileError:
    """Call ``func(path)``; assert a DataFileError whose message names the file
    and contains every fragment."""
    with pytest.raises(DataFileError) as info:
        func(path)
    msg = str(info.value)
    assert path.name in msg
    for frag in fragments:
        assert frag in msg, msg
    return info.value


# ------------------------------------------------------------------ good files


def test_ctd_chemical_disease_good(tmp_path):
    df = L.load_ctd_chemical_disease(write(tmp_path, "cd.csv", CTD_CD_GOOD))
    assert list(df.columns) == ["chemical_name", "chemical_id", "disease_name", "disease_id"]
    assert len(df) == 3
    assert df.loc[1, "chemical_name"] == "10,11-dihydro-10-hydroxycarbamazepine"
    assert df["disease_id"].tolist() == ["D054198", "D004827", "OMIM:188890"]
    assert df.loc[2, "disease_name"] == "TOBACCO ADDICTION, SUSCEPTIBILITY TO"


def test_hsn_good_crlf_and_no_final_newline(tmp_path):
    df = L.load_hsn(write(tmp_path, "hsn.csv", HSN_GOOD))
    assert df["source_entrez"].dtype == np.int64
    assert df["sign"].dtype == np.int8
    assert df["sign"].tolist() == [1, -1, 0]
    assert df["type"].tolist() == ["Pos", "Neg", "Phy"]
    assert set(df["type"].cat.categories) == {"Pos", "Neg", "Phy"}
    assert df.loc[2, "target_symbol"] == "FOSL1"


def test_gene_disease_good(tmp_path):
    df = L.load_ctd_gene_disease(write(tmp_path, "gd.csv", GD_GOOD))
    assert df["disease_id"].tolist() == ["D003872", "D056486"]
    assert df["inference_score"].tolist() == [1.0, 0.300096645]


def test_identifiers_quotes_stripped(tmp_path):
    text = (
        "DRUG_ID\tDRUG_NAME\tID_TYPE\tIDENTIFIER\n"
        '5136\t"cediranib"\t"DRUGBANK_ID"\t"DB04849"\n'
        '5135\t"dornase alfa"\t"NDDF"\t"004413"\n'
    )
    df = L.load_drugcentral_identifiers(write(tmp_path, "ids.tsv", text))
    assert df["dc_id"].tolist() == [5136, 5135]
    assert df["identifier"].tolist() == ["DB04849", "004413"]  # leading zeros kept
    assert df["drug_name"].tolist() == ["cediranib", "dornase alfa"]


def test_repurposing_samples_comments_thousands_and_missing_cid(tmp_path):
    header = "broad_id\tpert_iname\tqc_incompatible\tpurity\tvendor\tcatalog_no\tvendor_name\texpected_mass\tsmiles\tInChIKey\tpubchem_cid\tdeprecated_broad_id"
    text = (
        '!Source\t"The Drug Repurposing Hub, Broad Institute"\t\t\t\t\t\t\t\t\t\t\r\n'
        "!File_date\t3/24/2020\t\t\t\t\t\t\t\t\t\t\r\n"
        f"{header}\r\n"
        "BRD-1\tx\t0\t98.9\tV\t1\tX\t1,154.75\tC\tKEY-A\t6005\t\r\n"
        "BRD-2\ty\t1\t\tV\t2\tY\t267.126\tCC\tKEY-B\t\tBRD-0"
    )
    df = L.load_repurposing_samples(write(tmp_path, "samples.txt", text))
    assert len(df) == 2
    assert "inchikey" in df.columns and "InChIKey" not in df.columns
    assert df["expected_mass"].tolist() == [1154.75, 267.126]
    assert str(df["pubchem_cid"].dtype) == "Int64"
    assert df["pubchem_cid"].iloc[0] == 6005 and pd.isna(df["pubchem_cid"].iloc[1])
    assert df["purity"].iloc[0] == 98.9 and np.isnan(df["purity"].iloc[1])
    assert df["qc_incompatible"].tolist() == [0, 1]


def test_hgnc_entrez_nullable(tmp_path):
    cols = ["HGNC ID", "Approved symbol", "Approved name", "Status", "Alias symbols",
            "NCBI Gene ID(supplied by NCBI)", "UniProt ID(supplied by UniProt)",
            "Previous symbols", "Ensembl gene ID", "Locus type"]  # fmt: skip
    rows = [
        ["HGNC:5", "A1BG", "alpha-1-B glycoprotein", "Approved", "", "1", "P04217", "", "ENSG1", "gene"],
        ["HGNC:9", "X", "withdrawn", "Entry Withdrawn", "A, B", "", "", "", "", "gene"],
    ]  # fmt: skip
    text = "\n".join("\t".join(r) for r in [cols, *rows]) + "\n"
    df = L.load_hgnc(write(tmp_path, "hgnc.tsv", text))
    assert str(df["entrez"].dtype) == "Int64"
    assert df["entrez"].iloc[0] == 1 and pd.isna(df["entrez"].iloc[1])
    assert df["aliases"].tolist() == ["", "A, B"]


# ------------------------------------------------------------------ malformed


def test_truncated_last_line(tmp_path):
    p = write(tmp_path, "cd.csv", CTD_CD_GOOD + "zotepine,C022172,Schizophrenia\n")
    raises_naming(p, L.load_ctd_chemical_disease, "line 4", "expected 4", "found 3")


def test_truncated_last_line_without_newline_tsv(tmp_path):
    text = "5\tD000001\n6\tD000002\n7"
    raises_naming(write(tmp_path, "pm.tsv", text), L.load_pubchem_mesh, "line 3", "found 1")


def test_extra_field(tmp_path):
    p = write(tmp_path, "cd.csv", CTD_CD_GOOD + "a,C1,b,MESH:D1,extra\n")
    raises_naming(p, L.load_ctd_chemical_disease, "line 4", "found 5")


def test_unterminated_quote_at_end(tmp_path):
    p = write(tmp_path, "cd.csv", CTD_CD_GOOD + '"zotepine,C022172,Schizophrenia,MESH:D012559\n')
    raises_naming(p, L.load_ctd_chemical_disease, "quote")


def test_unterminated_quote_in_last_field(tmp_path):
    p = write(tmp_path, "fda.csv", '2104,perflutren\n1834,"monobenzone\n')
    raises_naming(p, L.load_drugcentral_fda_approved, "line 2", "unterminated quote")


def test_unterminated_quote_mid_file(tmp_path):
    lines = CTD_CD_GOOD.splitlines()
    lines.insert(1, '"broken,C000001,Disease,MESH:D000001')
    p = write(tmp_path, "cd.csv", "\n".join(lines) + "\n")
    raises_naming(p, L.load_ctd_chemical_disease, "line 2", "unterminated quote")


def test_missing_column(tmp_path):
    text = "GeneSymbol,DiseaseID\nA,MESH:D003872\n"
    raises_naming(write(tmp_path, "gd.csv", text), L.load_ctd_gene_disease, "InferenceScore")


def test_wrong_delimiter_with_header(tmp_path):
    text = GD_GOOD.replace(",", "\t")
    err = raises_naming(write(tmp_path, "gd.csv", text), L.load_ctd_gene_disease, "missing column")
    assert "delimiter" in err.problem


def test_wrong_delimiter_headerless(tmp_path):
    text = CTD_CD_GOOD.splitlines()[0].replace(",", "\t") + "\n"
    raises_naming(write(tmp_path, "cd.csv", text), L.load_ctd_chemical_disease, "found 1")


def test_comma_file_given_to_tsv_loader(tmp_path):
    text = "1,D000001\n2,D000002\n"
    raises_naming(write(tmp_path, "pm.tsv", text), L.load_pubchem_mesh, "line 1")


def test_non_numeric_id(tmp_path):
    text = HSN_GOOD.replace("7040,TGFB1,7040", "7040,TGFB1,70x40")
    raises_naming(write(tmp_path, "hsn.csv", text), L.load_hsn, "line 3", "target_entrez", "70x40")


def test_non_numeric_id_with_header(tmp_path):
    text = "SMILES\tInChI\tInChIKey\tID\tINN\tCAS_RN\nC\tI\tK\tfive\tx\t1-1-1\n"
    raises_naming(write(tmp_path, "s.tsv", text), L.load_drugcentral_structures, "'ID'", "five")


def test_non_numeric_score(tmp_path):
    text = GD_GOOD + "B,MESH:D000001,high\n"
    raises_naming(write(tmp_path, "gd.csv", text), L.load_ctd_gene_disease, "line 4", "high")


def test_empty_numeric_where_required(tmp_path):
    text = "doid_id\tdrugbank_id\tdisease\tdrug\tcategory\tn_curators\tn_resources\nDOID:1\tDB1\td\tx\tDM\t\t1\n"
    raises_naming(
        write(tmp_path, "ind.tsv", text), L.load_pharmacotherapydb_indications, "n_curators"
    )


def test_unknown_category(tmp_path):
    text = HSN_GOOD.replace("Neg", "Inh")
    raises_naming(write(tmp_path, "hsn.csv", text), L.load_hsn, "'Inh'", "type")


def test_omnipath_sign_must_be_plus_minus_one(tmp_path):
    text = "source\tinteraction\ttarget\nA\t1\tB\nC\t0\tD\n"
    raises_naming(write(tmp_path, "op.tsv", text), L.load_omnipath, "line 3", "interaction")


def test_hsn_without_date_line(tmp_path):
    text = HSN_GOOD.split("\r\n", 1)[1]
    raises_naming(write(tmp_path, "hsn.csv", text), L.load_hsn, "release date")


def test_bad_identifier_shape(tmp_path):
    text = "ChemicalID,GeneSymbol\nC554291,CASP3\nMESH:C1,CASP8\n"
    raises_naming(write(tmp_path, "cg.csv", text), L.load_ctd_chemical_gene, "line 3", "MeSH")


@pytest.mark.parametrize(
    "loader",
    [
        L.load_ctd_chemical_disease,
        L.load_ctd_gene_disease,
        L.load_hsn,
        L.load_mesh_labels,
        L.load_repurposing_drugs,
        L.load_drugcentral_targets,
    ],
)
def test_empty_file(tmp_path, loader):
    raises_naming(write(tmp_path, "empty.txt", ""), loader, "empty")


def test_whitespace_only_file(tmp_path):
    raises_naming(write(tmp_path, "blank.tsv", "\n\n"), L.load_mesh_cas, "empty")


def test_header_without_rows(tmp_path):
    raises_naming(
        write(tmp_path, "gd.csv", GD_GOOD.splitlines()[0] + "\n"),
        L.load_ctd_gene_disease,
        "no data rows",
    )


def test_comments_only(tmp_path):
    text = '!Source\t"x"\t\t\t\t\n!URL\thttp://x\t\t\t\t\n'
    raises_naming(write(tmp_path, "drugs.txt", text), L.load_repurposing_drugs)


def test_invalid_utf8(tmp_path):
    p = write(tmp_path, "mc.tsv", b"C000009\t2776-93-4\nC000011\t\xff\xfe\n")
    raises_naming(p, L.load_mesh_cas, "UTF-8")


def test_missing_file_is_a_data_file_error(tmp_path):
    with pytest.raises(MissingFileError) as info:
        L.load_mesh_cas(tmp_path / "nope.tsv")
    assert isinstance(info.value, DataFileError)
    assert "nope.tsv" in str(info.value)


# ------------------------------------------------------------------ R data files


def _write_ppi(path: Path, frame: pd.DataFrame) -> Path:
    rdata = pytest.importorskip("rdata")
    rdata.write_rda(path, {"PPI": frame}, compression="bzip2")
    return path


def _ppi_frame(ids: list[str]) -> pd.DataFrame:
    cols = {"id_1": pd.Series(ids, dtype=object), "id_2": pd.Series(ids[::-1], dtype=object)}
    for c in STRING_SCORES:
        cols[c] = np.arange(len(ids), dtype=float) + 400.0
    return pd.DataFrame(cols)


def test_string_ppi_small_rda(tmp_path):
    p = _write_ppi(tmp_path / "PPI.rda", _ppi_frame(["1066", "1571", "9"]))
    df = L.load_string_ppi(p)
    assert df["gene_a"].tolist() == [1066, 1571, 9]
    assert df["gene_b"].tolist() == [9, 1571, 1066]
    assert df["gene_a"].dtype == np.int64
    assert df["combined_score"].tolist() == [400.0, 401.0, 402.0]


def test_string_ppi_non_numeric_gene(tmp_path):
    p = _write_ppi(tmp_path / "PPI.rda", _ppi_frame(["1066", "TP53", "9"]))
    raises_naming(p, L.load_string_ppi, "id_1", "TP53")


def test_string_ppi_missing_column(tmp_path):
    p = _write_ppi(tmp_path / "PPI.rda", _ppi_frame(["1", "2"]).drop(columns="combined_score"))
    raises_naming(p, L.load_string_ppi, "combined_score")


def test_rda_wrong_object_name(tmp_path):
    rdata = pytest.importorskip("rdata")
    p = tmp_path / "PKN.rda"
    rdata.write_rda(p, {"other": _ppi_frame(["1"])}, compression="bzip2")
    raises_naming(p, L.load_signor_pkn, "PKN_human_dir")


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_rda_truncated(tmp_path, keep):
    good = _write_ppi(tmp_path / "good.rda", _ppi_frame([str(i) for i in range(2000)]))
    raw = good.read_bytes()
    p = write(tmp_path, "PPI.rda", raw[: int(len(raw) * keep)])
    raises_naming(p, L.load_string_ppi)


def test_rda_garbage_and_empty(tmp_path):
    raises_naming(write(tmp_path, "PPI.rda", b"not R data at all\n"), L.load_string_ppi)
    raises_naming(write(tmp_path, "empty.rda", b""), L.load_string_ppi)


# ------------------------------------------------------------------ registry


def test_loaders_cover_every_data_file_of_the_manifest():
    data_files = {p for p in sources() if not p.endswith("LICENSE")}
    assert set(L.LOADERS) == data_files
    assert len(L.LOADERS) == 24
