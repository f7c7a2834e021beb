"""Data of the *Predictions* page: cached rankings and explanations, table views.

Cached functions take the data home and the run id as their first arguments
(see :mod:`ui.data`), so another ``DDI_HOME`` or another run never serves a
stale ranking. The model itself is loaded once per run by
:func:`ddi_core.rank.session.load_scorer` (an LRU in the core); what is cached here are
the small results: option lists, ranked tables, explanations.

The pure helpers (filters, display frames, provenance line) make no streamlit
call, so they are cheap and unit-testable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import pandas as pd
import streamlit as st

from ddi_core.data.sources import data_version as data_digest
from ddi_core.rank.csv_out import ranking_csv
from ddi_core.rank.queries import RankResult
from ddi_core.runs import registry as runs
from ui.data import home
from ui.runs_table import RunLike, as_result

Kind = Literal["drug", "disease"]

#: What a ranking of each query kind lists.
OTHER: dict[str, str] = {"drug": "disease", "disease": "drug"}
CHECK = "✓"


# ---------------------------------------------------------------- runs
def done_runs() -> dict[str, runs.Run]:
    """Finished runs, newest first (not cached: ``run.json`` files are small and change)."""
    return {r.id: r for r in runs.list_runs() if r.status == "done"}


def provenance_line(run: RunLike) -> str:
    """``run … · preset quick · random split · seed 0 · code … · data sha256 …`` of a run."""
    res = as_result(run)
    files = res.data_sha256
    parts = [
        f"run `{res.id}`",
        f"preset {res.preset or '?'}",
        f"{res.split or '?'} split",
        f"seed {res.seed if res.seed is not None else '?'}",
        f"code {res.code_version or '?'}",
        f"data sha256 {data_digest(files) or '?'} ({len(files)} files)",
    ]
    return " · ".join(parts)


# ---------------------------------------------------------------- cached core calls
@st.cache_data(show_spinner="Loading the run's model…", max_entries=4)
def _run_drugs(data_home: str, run_id: str) -> pd.DataFrame:
    from ddi_core.rank.session import load_scorer

    rs = load_scorer(run_id)
    frame = pd.DataFrame(
        {"chemical_id": rs.drug_ids.astype(str), "name": pd.Series(rs.drug_names, dtype=str)}
    )
    frame["name"] = frame["name"].where(frame["name"] != "", frame["chemical_id"])
    frame["label"] = frame["name"] + " (" + frame["chemical_id"] + ")"
    return frame.sort_values("name", key=lambda s: s.str.casefold(), ignore_index=True)


def run_drugs(run_id: str) -> pd.DataFrame:
    """The run's featurised drugs: ``chemical_id``, ``name``, ``label`` (by name)."""
    return _run_drugs(home(), run_id)


@st.cache_data(show_spinner="Loading the run's model…", max_entries=4)
def _run_diseases(data_home: str, run_id: str) -> pd.DataFrame:
    from ddi_core.rank.session import load_scorer

    rs = load_scorer(run_id)
    frame = pd.DataFrame(
        {"disease_id": rs.dis_ids.astype(str), "name": pd.Series(rs.dis_names, dtype=str)}
    )
    frame["name"] = frame["name"].where(frame["name"] != "", frame["disease_id"])
    frame["label"] = frame["name"] + " (" + frame["disease_id"] + ")"
    return frame.sort_values("name", key=lambda s: s.str.casefold(), ignore_index=True)


def run_diseases(run_id: str) -> pd.DataFrame:
    """The run's candidate diseases: ``disease_id``, ``name``, ``label`` (by name)."""
    return _run_diseases(home(), run_id)


@st.cache_data(show_spinner=False)
def _disease_names(data_home: str) -> dict[str, str]:
    from ddi_core.data import entities

    d = entities.diseases()
    label = d["ctd_name"].where(d["ctd_name"].fillna("") != "", d["label"]).fillna("")
    return dict(zip(d["disease_id"].astype(str), label.astype(str), strict=True))


def disease_name(disease_id: str) -> str:
    """CTD (else MeSH) name of a disease; its id when it has none."""
    return _disease_names(home()).get(disease_id) or disease_id


@st.cache_data(show_spinner="Ranking…", max_entries=64)
def _ranking(
    data_home: str, run_id: str, kind: Kind, query_id: str, hide_known: bool, view: str
) -> RankResult:
    from ddi_core.rank.queries import rank_diseases, rank_drugs

    if kind == "drug":
        return rank_diseases(query_id, run_id=run_id, hide_known=hide_known, terms=view)
    return rank_drugs(
        query_id,
        run_id=run_id,
        hide_known=hide_known,
        terms="clinical" if view == "approved" else "all",
        approved_only=view == "approved",
    )


def ranking(
    run_id: str, kind: Kind, query_id: str, *, hide_known: bool, view: str = "clinical"
) -> RankResult:
    """Every candidate for a drug (``kind="drug"``) or a disease, best first (cached).

    ``view``: for a drug, ``"clinical"`` (experimental-model and chemically-induced terms
    hidden) or ``"all"``; for a disease, ``"approved"`` (FDA-approved drugs only) or
    ``"all"``. Raises whatever the core raises: ``UnknownEntityError``,
    ``NotFeaturisableError``, ``DDIError``.
    """
    return _ranking(home(), run_id, kind, query_id, hide_known, view)


@st.cache_data(show_spinner="Explaining the pair…", max_entries=64)
def _explanation(
    data_home: str, run_id: str, drug_id: str, disease_id: str, top: int, terms: str
) -> dict[str, Any]:
    from ddi_core.rank.explain import explain_pair

    return explain_pair(drug_id, disease_id, run_id=run_id, top=top, terms=terms)


def explanation(
    run_id: str, drug_id: str, disease_id: str, *, top: int = 10, terms: str = "clinical"
) -> dict[str, Any]:
    """:func:`ddi_core.rank.explain.explain_pair` of one pair (cached)."""
    return _explanation(home(), run_id, drug_id, disease_id, top, terms)


# ---------------------------------------------------------------- table views (pure)
def branch_options(table: pd.DataFrame) -> list[str]:
    """Distinct MeSH top-level branches of a disease table (``"C04 Neoplasms"``), sorted."""
    if "mesh_branch" not in table:
        return []
    found = {b for cell in table["mesh_branch"].fillna("") for b in split_branches(cell)}
    return sorted(found)


def split_branches(cell: str) -> list[str]:
    """The branches of one ``"; "``-joined ``mesh_branch`` cell."""
    return [b.strip() for b in str(cell or "").split(";") if b.strip()]


def is_known(table: pd.DataFrame) -> pd.Series:
    """Rows known as an approved or labelled indication or from the literature."""
    out = table["known"].astype(bool)
    for col in ("indication", "literature"):
        if col in table:
            out = out | (table[col].fillna("").astype(str) != "")
    return out


def filter_table(
    table: pd.DataFrame,
    *,
    branches: Iterable[str] = (),
    known_only: bool = False,
    top: int | None = None,
) -> pd.DataFrame:
    """Rows in any of ``branches`` (all rows when empty), only the known pairs (an
    indication or literature mark) when ``known_only``, then the best ``top``.

    Ranks are kept as they were (among the view's candidates), so a filtered table
    may start at rank 5.
    """
    wanted = set(branches)
    out = table
    if wanted and "mesh_branch" in out:
        hit = out["mesh_branch"].map(lambda c: bool(wanted.intersection(split_branches(c))))
        out = out[hit.astype(bool)]
    if known_only:
        out = out[is_known(out)]
    if top is not None:
        out = out.head(max(int(top), 0))
    return out.reset_index(drop=True)


#: How a disease class reads in the table (a plain disease shows nothing).
CLASS_CELL = {
    "disease": "",
    "sign or symptom": "sign or symptom",
    "pathological process": "pathological process",
    "substance-related disorder": "substance-related",
    "chemically induced": "chemically induced",
    "experimental model": "experimental model",
}
#: Display names of the mark columns.
MARK_HEADERS = {
    "indication": "indication",
    "literature": "literature",
    "non_indication": "non-indication",
}


def display_table(table: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """The ranked table as shown: names first, the class and the three marks with their
    sources, the MeSH id and branch last."""
    other = OTHER[kind]
    cols: dict[str, Any] = {
        "rank": table["rank"].astype(int),
        other: table[f"{other}_name"].astype(str),
    }
    if other == "disease" and "disease_class" in table:
        cols["class"] = [CLASS_CELL.get(str(c), str(c)) for c in table["disease_class"]]
    if other == "drug" and "approved" in table:
        cols["FDA-approved"] = [CHECK if a else "" for a in table["approved"]]
    cols["score"] = table["score"].astype(float)
    cols["percentile"] = table["percentile"].astype(float)
    for mark, header in MARK_HEADERS.items():
        if mark in table:
            cols[header] = table[mark].fillna("").astype(str)
    cols["in training"] = [CHECK if k else "" for k in table["in_training"]]
    cols["MeSH id"] = table[f"{other}_id"].astype(str)
    if other == "disease":
        cols["MeSH branch"] = table["mesh_branch"].astype(str)
    return pd.DataFrame(cols)


def csv_bytes(res: RankResult, table: pd.DataFrame) -> bytes:
    """The shown rows as CSV: the query, run, data version and view on every row, raw
    columns (booleans, full-precision scores), no cell a spreadsheet would run."""
    return ranking_csv(res, table)


def csv_name(kind: Kind, query_name: str, run_id: str) -> str:
    """``metformin_diseases_<run>.csv``: file-system safe."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", query_name).strip("_").lower() or "query"
    return f"{slug}_{OTHER[kind]}s_{run_id}.csv"


def pair_of(kind: Kind, query_id: str, row: Mapping[str, Any]) -> tuple[str, str]:
    """``(drug_id, disease_id)`` of a ranked row."""
    if kind == "drug":
        return query_id, str(row["disease_id"])
    return str(row["drug_id"]), query_id


__all__ = [
    "CHECK",
    "Kind",
    "OTHER",
    "branch_options",
    "csv_bytes",
    "csv_name",
    "data_digest",
    "disease_name",
    "display_table",
    "done_runs",
    "explanation",
    "filter_table",
    "is_known",
    "pair_of",
    "provenance_line",
    "ranking",
    "run_diseases",
    "run_drugs",
    "split_branches",
]
