"""Coverage of the facts layer: where each "known" pair comes from, how the sources were
mapped onto CTD chemicals and MeSH diseases, and how many of the names people use resolve
(``ddi data report``, the Overview page, ``docs/RESULTS.md``)."""

from __future__ import annotations

from typing import Any

from ddi_core.data import entities
from ddi_core.data.disease_classes import CLASSES, disease_classes
from ddi_core.facts import drugcentral
from ddi_core.facts.known import MARKS, SOURCES, known_pairs
from ddi_core.facts.name_coverage import name_coverage
from ddi_core.facts.pharmacotherapydb import map_pharmacotherapydb


def facts_report(*, names: bool = True) -> dict[str, Any]:
    """``marks`` (pairs per mark and per source, and per disease class), ``drugcentral``
    (the indication and FDA-list mappings, :func:`ddi_core.facts.drugcentral.report`),
    ``pharmacotherapydb`` (its mapping report) and ``names``
    (:func:`ddi_core.facts.name_coverage.name_coverage`, unless ``names=False``)."""
    kp = known_pairs()
    t = kp.table
    cls = disease_classes(entities.diseases())
    t = t.assign(cls=t["disease_id"].map(cls).fillna("disease"))
    marks = {}
    for m in MARKS:
        tm = t[t["mark"] == m]
        pairs = tm.drop_duplicates(["chemical_id", "disease_id"])
        marks[m] = {
            "pairs": len(pairs),
            "chemicals": int(pairs["chemical_id"].nunique()),
            "diseases": int(pairs["disease_id"].nunique()),
            "by_source": {
                SOURCES[s]: int((tm["source"] == s).sum())
                for s in SOURCES
                if (tm["source"] == s).any()
            },
            "by_class": {c: int((pairs["cls"] == c).sum()) for c in CLASSES},
        }
    dc = drugcentral.report()
    dc.pop("joins", None)
    _, ptdb = map_pharmacotherapydb()
    out: dict[str, Any] = {
        "marks": marks,
        "drugcentral": dc,
        "pharmacotherapydb": {k: v for k, v in ptdb.items() if k != "joins"},
    }
    if names:
        out["names"] = name_coverage()
    return out


def format_facts_report(rep: dict[str, Any]) -> str:
    """Readable text of :func:`facts_report`."""
    lines = ["Known pairs and where they come from (ddi_core.facts.known)"]
    for m, v in rep["marks"].items():
        src = ", ".join(f"{k} {n:,}" for k, n in v["by_source"].items())
        lines.append(
            f"  {m:15s} {v['pairs']:>7,d} pairs, {v['chemicals']:,} drugs, "
            f"{v['diseases']:,} diseases  ({src})"
        )
        by = ", ".join(f"{c} {n:,}" for c, n in v["by_class"].items() if n)
        lines.append(f"  {'':15s} by disease class: {by}")
    ind = rep["drugcentral"]["indications"]
    un = ind["unmapped"]
    lines += [
        "",
        "DrugCentral label indications -> CTD chemical x MeSH disease",
        f"  rows {ind['rows']:,}: mapped {ind['rows_mapped']:,}; unmapped because the drug is "
        f"not a CTD chemical {un['drug']:,}, the disease reaches no MeSH term {un['disease']:,}, "
        f"both {un['both']:,}",
        f"  disease routes (rows): {', '.join(f'{k} {v:,}' for k, v in ind['disease_routes'].items())}"
        f"; rows with only a SNOMED id left unmapped (no SNOMED -> MeSH map in the bundle) "
        f"{ind['snomed_only']:,}",
        f"  distinct pairs {ind['pairs']:,} over {ind['chemicals']:,} drugs and "
        f"{ind['diseases']:,} diseases; DrugCentral drugs mapped "
        f"{ind['drugcentral_ids']['mapped']:,} / {ind['drugcentral_ids']['total']:,}",
    ]
    fda = rep["drugcentral"]["fda_approved"]
    lines.append(
        f"  FDA-approved list: {fda['drugcentral_ids_mapped']:,} / {fda['drugcentral_ids']:,} "
        f"DrugCentral drugs reach {fda['chemicals']:,} CTD chemicals "
        f"({', '.join(f'{k} {v:,}' for k, v in fda['routes'].items())})"
    )
    p = rep["pharmacotherapydb"]
    lines += [
        "",
        "PharmacotherapyDB -> CTD chemical x MeSH disease",
        f"  drugs {p['drugs_mapped']:,} / {p['drugs_total']:,}; diseases "
        f"{p['diseases_mapped']:,} / {p['diseases_total']:,}; indication rows mapped "
        + ", ".join(
            f"{c} {p['pairs_mapped'][c]:,}/{p['pairs_total'][c]:,}" for c in ("DM", "SYM", "NOT")
        ),
    ]
    n = rep.get("names")
    if n:
        lines += ["", "Names people use (ddi_core.facts.names)"]
        for key, what in (("ptdb", "PharmacotherapyDB drug names"), ("brands", "brand names")):
            v = n[key]
            ref = v["names"] - v["no_reference"]
            lines.append(
                f"  {what:30s} {v['right']:>4,d} / {ref:,} resolve to the right drug "
                f"(wrong {v['wrong']}, ambiguous {v['ambiguous']}, unknown {v['unknown']}; "
                f"{v['no_reference']} not among CTD's chemicals)"
            )
            if v["misses"]:
                lines.append(f"  {'':30s} misses: {', '.join(v['misses'][:12])}")
    return "\n".join(lines)


__all__ = ["facts_report", "format_facts_report"]
