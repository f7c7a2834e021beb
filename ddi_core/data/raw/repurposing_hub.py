"""The Broad Drug Repurposing Hub's drug and sample tables."""

from __future__ import annotations

import pandas as pd

from ddi_core.data.tabular import PathLike, build_frame, read_delimited, resolve, snake_case

__all__ = [
    "REPURPOSING_DRUGS",
    "REPURPOSING_SAMPLES",
    "load_repurposing_drugs",
    "load_repurposing_samples",
]


REPURPOSING_DRUGS = "repurposing_hub/repurposing_drugs_20200324.txt"
REPURPOSING_SAMPLES = "repurposing_hub/repurposing_samples_20200324.txt"


def load_repurposing_drugs(path: PathLike = None) -> pd.DataFrame:
    """Broad Drug Repurposing Hub drugs (``!`` comment lines skipped).

    Columns: ``pert_iname``, ``clinical_phase``, ``moa``, ``target``,
    ``disease_area``, ``indication`` (the last four ``|``-separated, ``""`` when none).
    """
    t = read_delimited(resolve(path, REPURPOSING_DRUGS), sep="\t", comment="!")
    cols = ["pert_iname", "clinical_phase", "moa", "target", "disease_area", "indication"]
    return build_frame(t, {c: (c, "str") for c in cols})


def load_repurposing_samples(path: PathLike = None) -> pd.DataFrame:
    """Broad Drug Repurposing Hub samples, every column in snake_case.

    ``broad_id``, ``pert_iname``, ``qc_incompatible`` (int64 0/1), ``purity``
    (float, NaN when blank), ``vendor``, ``catalog_no``, ``vendor_name``,
    ``expected_mass`` (float; the source writes ``1,154.75`` for masses over
    1000), ``smiles``, ``inchikey``, ``pubchem_cid`` (Int64), ``deprecated_broad_id``.
    """
    t = read_delimited(resolve(path, REPURPOSING_SAMPLES), sep="\t", comment="!")
    typed = {"qc_incompatible": "int", "purity": "float?", "pubchem_cid": "Int64"}
    required = ["broad_id", "pert_iname", "qc_incompatible", "purity", "expected_mass",
                "smiles", "InChIKey", "pubchem_cid"]  # fmt: skip
    t.require(required)
    df = build_frame(t, {c: (snake_case(c), typed.get(c, "str")) for c in t.df.columns})
    df["expected_mass"] = t.floats("expected_mass", thousands=",")
    return df
