"""PharmacotherapyDB (Himmelstein et al.): expert-curated indications used for validation."""

from __future__ import annotations

import pandas as pd

from ddi_core.data.tabular import PathLike, build_frame, read_delimited, resolve

__all__ = [
    "PTDB_INDICATIONS",
    "PTDB_DRUGS",
    "PTDB_DISEASES",
    "load_pharmacotherapydb_indications",
    "load_pharmacotherapydb_drugs",
    "load_pharmacotherapydb_diseases",
]


PTDB_INDICATIONS = "validation/pharmacotherapydb/indications.tsv"
PTDB_DRUGS = "validation/pharmacotherapydb/drugs.tsv"
PTDB_DISEASES = "validation/pharmacotherapydb/diseases.tsv"

_PTDB_COUNTS = {
    "DM": ("dm", "int"),
    "SYM": ("sym", "int"),
    "NOT": ("not", "int"),
    "total": ("total", "int"),
}


def load_pharmacotherapydb_indications(path: PathLike = None) -> pd.DataFrame:
    """PharmacotherapyDB v1.0 indications.

    Columns: ``doid_id``, ``drugbank_id``, ``disease``, ``drug``, ``category``
    (categorical ``DM`` disease-modifying / ``SYM`` symptomatic / ``NOT``
    non-indication), ``n_curators``, ``n_resources`` (int64).
    """
    t = read_delimited(resolve(path, PTDB_INDICATIONS), sep="\t")
    df = build_frame(
        t,
        {
            "doid_id": ("doid_id", "str"),
            "drugbank_id": ("drugbank_id", "str"),
            "disease": ("disease", "str"),
            "drug": ("drug", "str"),
            "category": ("category", "str"),
            "n_curators": ("n_curators", "int"),
            "n_resources": ("n_resources", "int"),
        },
    )
    df["category"] = t.choice("category", ["DM", "SYM", "NOT"])
    return df


def load_pharmacotherapydb_drugs(path: PathLike = None) -> pd.DataFrame:
    """PharmacotherapyDB drugs: ``drugbank_id``, ``drug``, ``dm``, ``sym``, ``not``, ``total`` (int64 counts)."""
    t = read_delimited(resolve(path, PTDB_DRUGS), sep="\t")
    return build_frame(
        t, {"drugbank_id": ("drugbank_id", "str"), "drug": ("drug", "str"), **_PTDB_COUNTS}
    )


def load_pharmacotherapydb_diseases(path: PathLike = None) -> pd.DataFrame:
    """PharmacotherapyDB diseases: ``doid_id``, ``disease``, ``dm``, ``sym``, ``not``, ``total`` (int64 counts)."""
    t = read_delimited(resolve(path, PTDB_DISEASES), sep="\t")
    return build_frame(
        t, {"doid_id": ("doid_id", "str"), "disease": ("disease", "str"), **_PTDB_COUNTS}
    )
