"""Signed signaling networks: the Human Signaling Network v7, SIGNOR's PKN and OmniPath."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ddi_core.data.tabular import PathLike, rda_require, read_delimited, read_rda_frame, resolve
from ddi_core.errors import DataFileError

__all__ = ["HSN", "SIGNOR_PKN", "OMNIPATH", "load_hsn", "load_signor_pkn", "load_omnipath"]


HSN = "signaling/HuamnSignalingNet_v7.csv"
SIGNOR_PKN = "signaling/PKN_human_dir.rda"
OMNIPATH = "signaling/omnipath_carnival.tsv"

_HSN_SIGN = {"Pos": 1, "Neg": -1, "Phy": 0}
_DATE_LINE = r"[A-Z][a-z]{2} +[0-9]{1,2} +[0-9]{4}"


def load_hsn(path: PathLike = None) -> pd.DataFrame:
    """Human Signaling Network v7 (headerless CSV whose first line is a date).

    Returns
    -------
    pandas.DataFrame
        ``source_entrez`` / ``target_entrez`` (int64), ``source_symbol`` /
        ``target_symbol``, ``type`` (categorical ``Pos``/``Neg``/``Phy``) and
        ``sign`` (int8: +1 Pos, -1 Neg, 0 Phy, i.e. physical and unsigned).
    """
    p = resolve(path, HSN)
    t = read_delimited(
        p,
        sep=",",
        names=["source_entrez", "source_symbol", "target_entrez", "target_symbol", "type"],
        skip_lines=1,
    )
    with open(p, "rb") as fh:
        first = fh.readline().decode("utf-8", errors="replace").split(",", 1)[0].strip()
    if not re.fullmatch(_DATE_LINE, first):
        raise DataFileError(
            p, f"line 1 should be the release date (e.g. 'Jan 16 2016'), found {first!r}"
        )
    df = pd.DataFrame(
        {
            "source_entrez": t.ints("source_entrez"),
            "source_symbol": t.df["source_symbol"],
            "target_entrez": t.ints("target_entrez"),
            "target_symbol": t.df["target_symbol"],
            "type": t.choice("type", list(_HSN_SIGN)),
        }
    )
    df["sign"] = df["type"].map(_HSN_SIGN).astype("int8")
    return df


_SIGNOR_COLUMNS = [
    "ENTITYA", "ENTITYB", "INTERACTION", "IDA", "IDB", "MECHANISM", "RESIDUE", "SEQUENCE",
    "TYPEA", "DATABASEA", "TYPEB", "DATABASEB", "PHOSPHO_KEY_GN_SEQ", "SOURCE", "DIRECT",
]  # fmt: skip


def _signs(p: Path, s: pd.Series, col: str) -> pd.Series:
    """±1 as int8 from strings or numbers; anything else is an error."""
    num = pd.to_numeric(s, errors="coerce")
    bad = ~num.isin([1, -1]).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFileError(p, f"row {i + 1}, column {col!r}: {s.iloc[i]!r} is not 1 or -1")
    return num.astype("int8")


def load_signor_pkn(path: PathLike = None) -> pd.DataFrame:
    """SIGNOR + PhosphoSitePlus directed signed network (R data frame ``PKN_human_dir``).

    Returns
    -------
    pandas.DataFrame
        The 15 source columns lowercased (``entitya``, ``entityb``,
        ``interaction``, ``ida``, ``idb``, ``mechanism``, ``residue``,
        ``sequence``, ``typea``, ``databasea``, ``typeb``, ``databaseb``,
        ``phospho_key_gn_seq``, ``source``: str with R's NA as missing;
        ``direct``: nullable boolean) plus ``sign`` (int8 ±1 from ``interaction``).
    """
    p = resolve(path, SIGNOR_PKN)
    raw = read_rda_frame(p, "PKN_human_dir")
    rda_require(p, raw, _SIGNOR_COLUMNS)
    df = raw[_SIGNOR_COLUMNS].copy()
    df.columns = [c.lower() for c in _SIGNOR_COLUMNS]
    for c in df.columns:
        if c != "direct":
            df[c] = df[c].astype("str")
    df["direct"] = df["direct"].astype("boolean")
    df["sign"] = _signs(p, df["interaction"], "INTERACTION")
    return df


def load_omnipath(path: PathLike = None) -> pd.DataFrame:
    """OmniPath signed directed consensus network: ``source``, ``sign`` (int8 ±1), ``target``."""
    p = resolve(path, OMNIPATH)
    t = read_delimited(p, sep="\t")
    t.require(["source", "interaction", "target"])
    t.choice("interaction", ["1", "-1"])
    return pd.DataFrame(
        {
            "source": t.df["source"],
            "sign": t.df["interaction"].astype("int8"),
            "target": t.df["target"],
        }
    )
