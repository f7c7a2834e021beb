"""The STRING protein–protein interaction network (an R data file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ddi_core.data.tabular import INT_RE, PathLike, rda_require, read_rda_frame, resolve
from ddi_core.errors import DataFileError

__all__ = ["STRING_PPI", "STRING_SCORES", "load_string_ppi"]


STRING_PPI = "ppi/PPI.rda"

STRING_SCORES = [
    "neighborhood", "neighborhood_transferred", "fusion", "cooccurence", "homology",
    "coexpression", "coexpression_transferred", "experiments", "experiments_transferred",
    "database", "database_transferred", "combined_score",
]  # fmt: skip


def _rda_int_ids(p: Path, s: pd.Series, col: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s):
        vals = s.astype("float64")
        bad = (vals.isna() | (vals % 1 != 0)).to_numpy()
    else:
        bad = ~s.str.fullmatch(INT_RE).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFileError(p, f"row {i + 1}, column {col!r}: {s.iloc[i]!r} is not an integer id")
    return s.astype("int64")


def load_string_ppi(path: PathLike = None) -> pd.DataFrame:
    """STRING v12 human PPI (R data frame ``PPI``), Entrez genes.

    Returns
    -------
    pandas.DataFrame
        ``gene_a``, ``gene_b`` (int64 Entrez), the channel scores
        ``neighborhood`` … ``database_transferred`` and ``combined_score``
        (float64, 0-1000 scale as in STRING).
    """
    p = resolve(path, STRING_PPI)
    raw = read_rda_frame(p, "PPI")
    rda_require(p, raw, ["id_1", "id_2", *STRING_SCORES])
    out = {
        "gene_a": _rda_int_ids(p, raw["id_1"], "id_1"),
        "gene_b": _rda_int_ids(p, raw["id_2"], "id_2"),
    }
    for c in STRING_SCORES:
        vals = pd.to_numeric(raw[c], errors="coerce").astype("float64")
        if vals.isna().any():
            i = int(np.flatnonzero(vals.isna().to_numpy())[0])
            raise DataFileError(p, f"row {i + 1}, column {c!r}: {raw[c].iloc[i]!r} is not a number")
        out[c] = vals
    return pd.DataFrame(out)
