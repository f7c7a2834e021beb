"""How many of the names people use resolve to the right drug (``ddi data report``)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from ddi_core.data import loaders
from ddi_core.errors import UnknownEntityError
from ddi_core.facts.names import resolver
from ddi_core.facts.pharmacotherapydb import drug_map, map_pharmacotherapydb

BRAND_CHECK = "brand_names_check.tsv"
_PRIMARY_TIERS = {"id", "ctd_name", "mesh_label", "mesh_synonym", "salt_stripped"}


def _outcome(lookup: Callable[[str], tuple[str, str]], q: str) -> tuple[str, str]:
    try:
        return lookup(q)
    except UnknownEntityError as exc:
        return ("", "ambiguous" if exc.ambiguous else "unknown")


def name_coverage() -> dict[str, object]:
    """How many names people use resolve to the right drug.

    ``ptdb``: every PharmacotherapyDB drug name (as the file spells it), resolved and
    compared with the chemical(s) its DrugBank id maps to through the bundle's
    cross-references (:func:`ddi_core.facts.pharmacotherapydb.map_pharmacotherapydb`);
    ``brands``: the fifty brand names of ``facts/brand_names_check.tsv``, each compared
    with the chemical its generic name finds among CTD's and MeSH's own names. Counts:
    ``right``, ``wrong`` (another chemical), ``ambiguous``, ``unknown``, ``no_reference``
    (the right chemical is not known: the drug is not among CTD's chemicals) and the
    names not right (``misses``).
    """
    drug = resolver("drug")
    _, rep = map_pharmacotherapydb()
    dmap = drug_map()
    want: dict[str, set[str]] = {}
    for db, chem in zip(dmap["drugbank_id"], dmap["chemical_id"], strict=True):
        want.setdefault(str(db), set()).add(str(chem))
    ptdb_drugs = loaders.load_pharmacotherapydb_drugs()[["drugbank_id", "drug"]].drop_duplicates()

    def tally(rows: list[tuple[str, set[str]]]) -> dict[str, object]:
        counts = {
            "names": len(rows),
            "right": 0,
            "wrong": 0,
            "ambiguous": 0,
            "unknown": 0,
            "no_reference": 0,
        }
        tiers: dict[str, int] = {}
        misses = []
        for name, right in rows:
            got, tier = _outcome(drug.lookup, name)
            if not right:
                counts["no_reference"] += 1
                continue
            if got in right:
                counts["right"] += 1
                tiers[tier] = tiers.get(tier, 0) + 1
            else:
                key = tier if not got else "wrong"
                counts[key] += 1
                misses.append(f"{name} ({key})")
        return {**counts, "by_tier": tiers, "misses": misses}

    ptdb = tally(
        [(str(n), want.get(str(db), set())) for db, n in ptdb_drugs.itertuples(index=False)]
    )
    text = resources.files("ddi_core.facts").joinpath(BRAND_CHECK).read_text()
    rows = [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    brand_rows = []
    for brand, generic in rows[1:]:
        got, tier = _outcome(drug.lookup, generic.strip())
        brand_rows.append((brand.strip(), {got} if got and tier in _PRIMARY_TIERS else set()))
    return {"ptdb": ptdb, "brands": tally(brand_rows), "ptdb_mapping": rep.get("drugs_mapped")}


__all__ = ["BRAND_CHECK", "name_coverage"]
