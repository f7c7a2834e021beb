"""CTD (Comparative Toxicogenomics Database): chemical–disease, chemical–gene and gene–disease files."""

from __future__ import annotations

import pandas as pd

from ddi_core.data.tabular import MESH_ID, PathLike, build_frame, read_delimited, resolve

__all__ = [
    "CTD_CHEMICAL_DISEASE",
    "CTD_CHEMICAL_GENE",
    "CTD_GENE_DISEASE",
    "load_ctd_chemical_disease",
    "load_ctd_chemical_gene",
    "load_ctd_gene_disease",
]


CTD_CHEMICAL_DISEASE = "ctd/Chemical_Disease_name.csv"
CTD_CHEMICAL_GENE = "ctd/6_C_G.csv"
CTD_GENE_DISEASE = "ctd/6_G_D.csv"


def load_ctd_chemical_disease(path: PathLike = None) -> pd.DataFrame:
    """CTD curated chemical-disease pairs (headerless CSV).

    Returns
    -------
    pandas.DataFrame
        ``chemical_name``, ``chemical_id`` (MeSH ``C…``/``D…``), ``disease_name``,
        ``disease_id`` (MeSH ``D…``/``C…`` with the ``MESH:`` prefix stripped; the
        few OMIM diseases keep their ``OMIM:`` prefix).
    """
    t = read_delimited(
        resolve(path, CTD_CHEMICAL_DISEASE),
        sep=",",
        names=["chemical_name", "chemical_id", "disease_name", "disease_id"],
    )
    t.pattern("chemical_id", MESH_ID, "a MeSH chemical id (C…/D…)")
    t.pattern("disease_id", rf"MESH:{MESH_ID}|OMIM:[0-9]+", "a MESH:/OMIM: disease id")
    df = t.df
    df["disease_id"] = df["disease_id"].str.removeprefix("MESH:")
    return df


def load_ctd_chemical_gene(path: PathLike = None) -> pd.DataFrame:
    """CTD chemical-gene interactions (unsigned): ``chemical_id``, ``gene_symbol``."""
    t = read_delimited(resolve(path, CTD_CHEMICAL_GENE), sep=",")
    df = build_frame(
        t, {"ChemicalID": ("chemical_id", "str"), "GeneSymbol": ("gene_symbol", "str")}
    )
    t.pattern("ChemicalID", MESH_ID, "a MeSH chemical id (C…/D…)")
    t.pattern("GeneSymbol", r".+", "a gene symbol")
    return df


def load_ctd_gene_disease(path: PathLike = None) -> pd.DataFrame:
    """CTD gene-disease associations: ``gene_symbol``, ``disease_id``, ``inference_score``."""
    t = read_delimited(resolve(path, CTD_GENE_DISEASE), sep=",")
    df = build_frame(
        t,
        {
            "GeneSymbol": ("gene_symbol", "str"),
            "DiseaseID": ("disease_id", "str"),
            "InferenceScore": ("inference_score", "float"),
        },
    )
    t.pattern("DiseaseID", rf"MESH:{MESH_ID}", "a MESH: disease id")
    df["disease_id"] = df["disease_id"].str.removeprefix("MESH:")
    return df
