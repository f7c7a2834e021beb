"""Labelled drug–disease pairs over the two feature tables.

Positives are CTD curated associations whose drug has a walk profile and whose
disease has an embedding; every filter's survivors are counted. The drug table
(profiles) and the disease table (MeSH node2vec) are kept separate and pairs
are index pairs into them (see :mod:`ddi_core.pairs.features`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.data.loaders import load_ctd_chemical_disease
from ddi_core.errors import DataFileError, UnknownEntityError
from ddi_core.facts import names

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairData:
    """Tables and known pairs for training and scoring.

    Attributes
    ----------
    drug_ids, dis_ids : ndarray of str
        Row identifiers of ``drug_X`` and ``dis_X``.
    drug_X, dis_X : ndarray of float32
    pos_drug, pos_dis : ndarray of int64
        Positive pairs as row indices (after exclusions).
    excluded : ndarray of int64, shape (m, 2)
        (drug row, disease row) pairs removed from positives and never sampled
        as negatives.
    counts : dict
        Survivors of every filter.
    """

    drug_ids: np.ndarray
    dis_ids: np.ndarray
    drug_X: np.ndarray
    dis_X: np.ndarray
    pos_drug: np.ndarray
    pos_dis: np.ndarray
    excluded: np.ndarray
    counts: dict[str, Any] = field(default_factory=dict)

    def drug_row(self) -> dict[str, int]:
        return {d: i for i, d in enumerate(self.drug_ids.tolist())}

    def dis_row(self) -> dict[str, int]:
        return {d: i for i, d in enumerate(self.dis_ids.tolist())}


#: Header names of the drug and disease columns (case-insensitive).
DRUG_HEADERS = ("drug", "chemical_id")
DISEASE_HEADERS = ("disease", "disease_id")
#: The largest pair file read (bytes); bigger files are refused with this limit named.
MAX_PAIR_FILE_BYTES = 200 * 1024 * 1024


def read_pair_csv(path: str | Path, *, max_bytes: int = MAX_PAIR_FILE_BYTES) -> pd.DataFrame:
    """Read a user CSV of (drug, disease) pairs, by MeSH id or name.

    Accepted headers: ``drug,disease`` (also ``chemical_id``/``disease_id``), in
    any column order; without a header the first two columns are used, and a
    first line that is neither a header nor a resolvable pair is reported as an
    unrecognised header. Blank lines are skipped and line numbers are the file's
    own (quoted fields spanning lines included). Each distinct drug and disease
    is resolved once (:func:`ddi_core.facts.names.resolve_drug` /
    ``resolve_disease``), so a 100,000-row file resolves in about a second.

    Returns
    -------
    DataFrame with ``line``, ``drug``, ``disease`` (as given), ``chemical_id``,
    ``disease_id``.

    Raises
    ------
    DataFileError
        Unreadable, not UTF-8, over ``max_bytes``, fewer than two columns, an
        unrecognised header, an empty cell, or a drug/disease that cannot be
        resolved (the message names the line and the value, with close matches,
        or the candidates of an ambiguous name).
    """
    import csv
    import io

    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DataFileError(path, "is a directory, not a CSV file")
        if size > max_bytes:
            raise DataFileError(
                path,
                f"{size / 2**20:,.1f} MiB is over the "
                f"{max_bytes / 2**20:,.0f} MiB limit of a pair file",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except OSError as exc:
        raise DataFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8 text (byte {exc.start})") from None
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    try:
        start = 1
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataFileError(path, f"line {reader.line_num}: not a readable CSV ({exc})") from None
    if not rows:
        raise DataFileError(path, "no pairs in the file")
    resolve_drug, resolve_disease = names.name_resolvers()
    first_line, first = rows[0]
    lower = [c.lower() for c in first]
    dcol = next((lower.index(h) for h in DRUG_HEADERS if h in lower), None)
    scol = next((lower.index(h) for h in DISEASE_HEADERS if h in lower), None)
    if dcol is not None and scol is not None:
        rows = rows[1:]
    else:
        if len(first) < 2:
            raise DataFileError(path, "expected two columns: drug, disease")
        dcol, scol = 0, 1
        try:  # no header: the first line must be a pair
            resolve_drug(first[0])
            resolve_disease(first[1])
        except UnknownEntityError:
            raise DataFileError(
                path,
                f"line {first_line}: unrecognised header "
                f"{','.join(first)!r}; the header is drug,disease (or "
                "chemical_id,disease_id), or leave it out",
            ) from None
    if not rows:
        raise DataFileError(path, "no pairs in the file")
    need = max(dcol, scol) + 1
    drugs: dict[str, str] = {}
    diseases: dict[str, str] = {}
    out = []
    for line, cells in rows:
        if len(cells) < need:
            raise DataFileError(path, f"line {line}: expected two columns: drug, disease")
        d, s = cells[dcol], cells[scol]
        if not d or not s:
            raise DataFileError(path, f"line {line}: empty drug or disease")
        try:
            cid = drugs.get(d) or drugs.setdefault(d, resolve_drug(d))
            did = diseases.get(s) or diseases.setdefault(s, resolve_disease(s))
        except UnknownEntityError as exc:
            raise DataFileError(path, f"line {line}: {exc}") from exc
        out.append((line, d, s, cid, did))
    return pd.DataFrame(out, columns=["line", "drug", "disease", "chemical_id", "disease_id"])


def build_pair_data(
    drug_ids: np.ndarray,
    drug_X: np.ndarray,
    dis_ids: np.ndarray,
    dis_X: np.ndarray,
    *,
    exclude: pd.DataFrame | None = None,
) -> PairData:
    """Positives from CTD over the given tables, with counts at every filter."""

    ctd = load_ctd_chemical_disease()[["chemical_id", "disease_id"]].drop_duplicates()
    counts: dict[str, Any] = {"ctd_pairs": int(len(ctd))}
    mesh = ctd[~ctd["disease_id"].str.startswith("OMIM:")]
    counts["disease_is_mesh"] = int(len(mesh))
    # the disease table: CTD diseases that have an embedding (the candidates of
    # every ranking); embedded MeSH diseases never seen in CTD are left out
    dis_ids = np.asarray(dis_ids).astype(str)
    ctd_dis = np.isin(dis_ids, mesh["disease_id"].unique())
    counts["embedded_diseases"] = int(len(dis_ids))
    counts["ctd_diseases_embedded"] = int(ctd_dis.sum())
    dis_ids, dis_X = dis_ids[ctd_dis], dis_X[ctd_dis]
    drow = {d: i for i, d in enumerate(np.asarray(drug_ids).tolist())}
    srow = {d: i for i, d in enumerate(np.asarray(dis_ids).tolist())}
    has_drug = mesh["chemical_id"].map(drow)
    has_dis = mesh["disease_id"].map(srow)
    counts["drug_has_profile"] = int(has_drug.notna().sum())
    counts["disease_has_embedding"] = int(has_dis.notna().sum())
    both = has_drug.notna() & has_dis.notna()
    counts["both"] = int(both.sum())
    pd_ = has_drug[both].to_numpy(np.int64)
    ps_ = has_dis[both].to_numpy(np.int64)
    excluded = np.zeros((0, 2), np.int64)
    if exclude is not None and len(exclude):
        ed = exclude["chemical_id"].map(drow)
        es = exclude["disease_id"].map(srow)
        ok = ed.notna() & es.notna()
        excluded = np.stack([ed[ok].to_numpy(np.int64), es[ok].to_numpy(np.int64)], axis=1)
        counts["exclude_rows"] = int(len(exclude))
        counts["exclude_in_tables"] = int(ok.sum())
        n_dis = len(dis_ids)
        ex_keys = np.unique(excluded[:, 0] * n_dis + excluded[:, 1])
        keep = ~np.isin(pd_ * n_dis + ps_, ex_keys)
        counts["excluded_positives"] = int((~keep).sum())
        pd_, ps_ = pd_[keep], ps_[keep]
    counts["positives"] = int(len(pd_))
    counts["positive_drugs"] = int(len(np.unique(pd_)))
    counts["positive_diseases"] = int(len(np.unique(ps_)))
    log.info("pairs: %s", counts)
    return PairData(
        drug_ids=np.asarray(drug_ids),
        dis_ids=np.asarray(dis_ids),
        drug_X=drug_X,
        dis_X=dis_X,
        pos_drug=pd_,
        pos_dis=ps_,
        excluded=excluded,
        counts=counts,
    )
