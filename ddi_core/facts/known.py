"""Where each "known" drug–disease pair comes from: three marks, each with its sources.

=====================  ==========================================================  ==========
mark                   what it says, and its sources                                 shown as
=====================  ==========================================================  ==========
``indication``         an approved or labelled indication: DrugCentral's label      DrugCentral,
                       indications (:mod:`ddi_core.facts.drugcentral`) and           PTDB DM,
                       PharmacotherapyDB's disease-modifying (DM) and symptomatic    PTDB SYM
                       (SYM) indications (:mod:`ddi_core.facts.pharmacotherapydb`)
``literature``         a therapeutic or protective role in the literature: a CTD    CTD
                       curated chemical–disease row with therapeutic direct
                       evidence. It may be preclinical (an animal or cell model):
                       the disease's class (:mod:`ddi_core.data.disease_classes`)
                       says when it can only be
``non_indication``     a curated non-indication: PharmacotherapyDB's NOT rows       PTDB NOT
                       (experts judged the drug does not treat the disease)
=====================  ==========================================================  ==========

A pair may carry several marks (metformin – type 2 diabetes: DrugCentral, PTDB DM and
CTD), and even conflicting ones (a NOT beside a CTD row: CTD's row may be preclinical).
The model is trained on CTD's rows only (the ``literature`` mark): the other marks are
never features and never labels, so they are an independent view of a ranking.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.data import entities, loaders
from ddi_core.facts.drugcentral import indications
from ddi_core.facts.pharmacotherapydb import map_pharmacotherapydb

MARKS: tuple[str, ...] = ("indication", "literature", "non_indication")
#: How each mark reads in a table header.
MARK_LABELS: dict[str, str] = {
    "indication": "approved / labelled indication",
    "literature": "literature (therapeutic role)",
    "non_indication": "curated non-indication",
}
#: One sentence per mark, for tooltips and the explanation panel.
MARK_MEANING: dict[str, str] = {
    "indication": "an approved or labelled indication: on the drug's label in DrugCentral, "
    "or a disease-modifying (DM) or symptomatic (SYM) indication in PharmacotherapyDB",
    "literature": "a therapeutic or protective role reported in the literature and curated "
    "by CTD; it may come from an animal or cell model, not from patients",
    "non_indication": "a curated non-indication: PharmacotherapyDB's experts judged that the "
    "drug does not treat the disease (NOT)",
}
#: Short source names, as shown in a mark's cell.
SOURCES: dict[str, str] = {
    "drugcentral": "DrugCentral",
    "ptdb_dm": "PTDB DM",
    "ptdb_sym": "PTDB SYM",
    "ctd": "CTD",
    "ptdb_not": "PTDB NOT",
}
SOURCE_MARK: dict[str, str] = {
    "drugcentral": "indication",
    "ptdb_dm": "indication",
    "ptdb_sym": "indication",
    "ctd": "literature",
    "ptdb_not": "non_indication",
}
SOURCE_CITATION: dict[str, str] = {
    "drugcentral": "DrugCentral 2016 drug_indication.tsv (CC BY 4.0)",
    "ptdb_dm": "PharmacotherapyDB v1.0 (CC0), disease-modifying",
    "ptdb_sym": "PharmacotherapyDB v1.0 (CC0), symptomatic",
    "ctd": "CTD curated chemical–disease, therapeutic direct evidence (CTD terms of use)",
    "ptdb_not": "PharmacotherapyDB v1.0 (CC0), non-indication",
}


@dataclass(frozen=True)
class KnownPairs:
    """Every marked (chemical, disease) pair and its sources.

    Attributes
    ----------
    table : DataFrame
        ``chemical_id``, ``disease_id``, ``source`` (a key of :data:`SOURCES`), ``mark``;
        one row per distinct (pair, source).
    """

    table: pd.DataFrame
    _by_drug: dict[str, dict[str, dict[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _by_disease: dict[str, dict[str, dict[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _pos_cache: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        t = self.table
        for key, other, into in (
            ("chemical_id", "disease_id", self._by_drug),
            ("disease_id", "chemical_id", self._by_disease),
        ):
            cells: dict[str, dict[str, dict[str, list[str]]]] = {}
            for k, o, mark, src in zip(t[key], t[other], t["mark"], t["source"], strict=True):
                cells.setdefault(k, {}).setdefault(o, {}).setdefault(mark, []).append(src)
            into.update(
                {
                    k: {
                        o: {
                            m: "; ".join(SOURCES[x] for x in SOURCES if x in srcs)
                            for m, srcs in ms.items()
                        }
                        for o, ms in per.items()
                    }
                    for k, per in cells.items()
                }
            )

    def _positions(self, ids: Any) -> dict[str, int]:
        """Row of each id in ``ids`` (the last few arrays are kept: a run's table is asked
        for again and again)."""
        for arr, pos in self._pos_cache:
            if arr is ids:
                return pos
        pos = {str(v): i for i, v in enumerate(np.asarray(ids, dtype=object).tolist())}
        self._pos_cache.insert(0, (ids, pos))
        del self._pos_cache[4:]
        return pos

    def _cells(self, cells: dict[str, dict[str, str]] | None, ids: Iterable[str]) -> pd.DataFrame:
        if not isinstance(ids, np.ndarray | list | tuple | pd.Index | pd.Series):
            ids = list(ids)
        n = len(ids)
        out = {m: np.full(n, "", dtype=object) for m in MARKS}
        if cells and n:
            pos = self._positions(ids)
            for other, marks in cells.items():
                i = pos.get(other)
                if i is not None:
                    for m, text in marks.items():
                        out[m][i] = text
        return pd.DataFrame(out)

    def for_drug(self, chemical_id: str, disease_ids: Iterable[str]) -> pd.DataFrame:
        """The marks of ``chemical_id`` with each of ``disease_ids`` (aligned rows).

        Returns
        -------
        DataFrame
            One column per :data:`MARKS` entry: the mark's sources joined by ``"; "``
            (``"DrugCentral; PTDB DM"``), ``""`` when the pair lacks the mark.
        """
        return self._cells(self._by_drug.get(chemical_id), disease_ids)

    def for_disease(self, disease_id: str, chemical_ids: Iterable[str]) -> pd.DataFrame:
        """The marks of each of ``chemical_ids`` with ``disease_id`` (aligned rows)."""
        return self._cells(self._by_disease.get(disease_id), chemical_ids)

    def pair(self, chemical_id: str, disease_id: str) -> dict[str, list[str]]:
        """``{mark: [source name, …]}`` of one pair (every mark present, maybe empty)."""
        cells = (self._by_drug.get(chemical_id) or {}).get(disease_id) or {}
        return {m: cells[m].split("; ") if m in cells else [] for m in MARKS}

    def pairs_with(self, mark: str) -> pd.DataFrame:
        """Distinct ``chemical_id, disease_id`` carrying ``mark``."""
        t = self.table[self.table["mark"] == mark]
        return t[["chemical_id", "disease_id"]].drop_duplicates().reset_index(drop=True)


def build_known_pairs(
    ctd: pd.DataFrame, drugcentral: pd.DataFrame, ptdb: pd.DataFrame
) -> KnownPairs:
    """Combine the three sources.

    Parameters
    ----------
    ctd
        ``chemical_id, disease_id`` (CTD's curated therapeutic rows).
    drugcentral
        ``chemical_id, disease_id`` (:func:`ddi_core.facts.drugcentral.indications`).
    ptdb
        ``chemical_id, disease_id, category`` ∈ {DM, SYM, NOT}
        (:func:`ddi_core.facts.pharmacotherapydb.map_pharmacotherapydb`).
    """
    cat = ptdb["category"].astype(str).str.lower()
    parts = [
        ctd[["chemical_id", "disease_id"]].assign(source="ctd"),
        drugcentral[["chemical_id", "disease_id"]].assign(source="drugcentral"),
        ptdb[["chemical_id", "disease_id"]].assign(source="ptdb_" + cat.to_numpy()),
    ]
    t = pd.concat(parts, ignore_index=True).astype(str).drop_duplicates()
    t = t[t["source"].isin(SOURCES)]
    t["mark"] = t["source"].map(SOURCE_MARK)
    return KnownPairs(t.sort_values(["chemical_id", "disease_id", "source"], ignore_index=True))


@functools.lru_cache(maxsize=2)
def _known_pairs(entities_key: str) -> KnownPairs:
    ctd = loaders.load_ctd_chemical_disease()[["chemical_id", "disease_id"]]
    ptdb, _ = map_pharmacotherapydb()
    return build_known_pairs(ctd, indications(), ptdb)


def known_pairs() -> KnownPairs:
    """The marked pairs of the current data home (built once per entity build)."""
    return _known_pairs(str(entities.build_entities()))


__all__ = [
    "KnownPairs",
    "MARKS",
    "MARK_LABELS",
    "MARK_MEANING",
    "SOURCES",
    "SOURCE_CITATION",
    "SOURCE_MARK",
    "build_known_pairs",
    "known_pairs",
]
