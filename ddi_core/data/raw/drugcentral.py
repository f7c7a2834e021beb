"""DrugCentral: structures, FDA approvals, and the 2016 release's targets, identifiers and indications."""

from __future__ import annotations

import pandas as pd

from ddi_core.data.tabular import PathLike, build_frame, read_delimited, resolve

__all__ = [
    "DC_STRUCTURES",
    "DC_FDA_APPROVED",
    "DC_TARGETS",
    "DC_IDENTIFIERS",
    "DC_INDICATIONS",
    "load_drugcentral_structures",
    "load_drugcentral_fda_approved",
    "load_drugcentral_targets",
    "load_drugcentral_identifiers",
    "load_drugcentral_indications",
]


DC_STRUCTURES = "drugcentral/structures.smiles.tsv"
DC_FDA_APPROVED = "drugcentral/FDA_Approved.csv"
DC_TARGETS = "drugcentral2016/drug_target.tsv"
DC_IDENTIFIERS = "drugcentral2016/identifiers.tsv"
DC_INDICATIONS = "drugcentral2016/drug_indication.tsv"


def load_drugcentral_structures(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral structures: ``smiles``, ``inchi``, ``inchikey``, ``dc_id`` (int64), ``inn``, ``cas_rn``."""
    t = read_delimited(resolve(path, DC_STRUCTURES), sep="\t")
    return build_frame(
        t,
        {
            "SMILES": ("smiles", "str"),
            "InChI": ("inchi", "str"),
            "InChIKey": ("inchikey", "str"),
            "ID": ("dc_id", "int"),
            "INN": ("inn", "str"),
            "CAS_RN": ("cas_rn", "str"),
        },
    )


def load_drugcentral_fda_approved(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral FDA-approved list (headerless CSV): ``dc_id`` (int64), ``name``."""
    t = read_delimited(resolve(path, DC_FDA_APPROVED), sep=",", names=["dc_id", "name"])
    return pd.DataFrame({"dc_id": t.ints("dc_id"), "name": t.df["name"]})


def load_drugcentral_targets(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral 2016 drug-target pairs with ``action_type`` (INHIBITOR, AGONIST, …).

    Columns: ``dc_id`` (int64), ``chembl_id``, ``drug_name``, ``target_name``,
    ``target_family``, ``uniprot``, ``gene``, ``swissprot``, ``action_type``,
    ``source``, ``reference``.
    """
    t = read_delimited(resolve(path, DC_TARGETS), sep="\t")
    names = ["CHEMBL_ID", "DRUG_NAME", "TARGET_NAME", "TARGET_FAMILY", "UNIPROT", "GENE",
             "SWISSPROT", "ACTION_TYPE", "SOURCE", "REFERENCE"]  # fmt: skip
    return build_frame(t, {"DRUG_ID": ("dc_id", "int"), **{n: (n.lower(), "str") for n in names}})


def load_drugcentral_identifiers(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral 2016 cross-references: ``dc_id`` (int64), ``drug_name``, ``id_type``, ``identifier``.

    ``id_type`` is e.g. ``MESH_DESCRIPTOR_UI``, ``PUBCHEM_CID``, ``DRUGBANK_ID``,
    ``CHEBI``; the source's quotes around every text field are removed.
    """
    t = read_delimited(resolve(path, DC_IDENTIFIERS), sep="\t")
    return build_frame(
        t,
        {
            "DRUG_ID": ("dc_id", "int"),
            "DRUG_NAME": ("drug_name", "str"),
            "ID_TYPE": ("id_type", "str"),
            "IDENTIFIER": ("identifier", "str"),
        },
    )


def load_drugcentral_indications(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral 2016 indications: ``dc_id``, ``drug_name``, ``indication``, ``umls_cui``, ``snomedct_cui``, ``doid``."""
    t = read_delimited(resolve(path, DC_INDICATIONS), sep="\t")
    return build_frame(
        t,
        {
            "DRUG_ID": ("dc_id", "int"),
            "DRUG_NAME": ("drug_name", "str"),
            "INDICATION_FDB": ("indication", "str"),
            "UMLS_CUI": ("umls_cui", "str"),
            "SNOMEDCT_CUI": ("snomedct_cui", "str"),
            "DOID": ("doid", "str"),
        },
    )
