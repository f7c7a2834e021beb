"""Drugs named by DrugBank id (PharmacotherapyDB's, the brand-name dictionary's) mapped onto
CTD chemicals, each by a named route, tried in order (:data:`DRUG_ROUTES`): DrugCentral's MeSH, ChEBI and
PubChem cross-references, CAS numbers, then an exact name key (:func:`name_key`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ddi_core.data.joinlog import JoinLog

DRUG_ROUTES: tuple[str, ...] = (
    "drugcentral_mesh",
    "chebi_mesh",
    "chebi_pubchem",
    "drugcentral_chebi",
    "drugcentral_pubchem",
    "drugcentral_cas",
    "name",
)


# chemical_xrefs route -> our route name (drugcentral xrefs reached through dc_id;
# chebi xrefs reached through DrugBank's ChEBI id)
_DC_ROUTES = {
    "drugcentral_mesh": "drugcentral_mesh",
    "drugcentral_chebi": "drugcentral_chebi",
    "drugcentral_pubchem": "drugcentral_pubchem",
    "drugcentral_cas": "drugcentral_cas",
}


_CHEBI_ROUTES = {"mesh_mappings": "chebi_mesh", "chebi_to_pubchem": "chebi_pubchem"}


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def name_key(name: str) -> str:
    """Comparison key of a name: case-folded, every non-alphanumeric character removed.

    No salt or word stripping, so ``"Calcium Acetate"`` never meets ``"Acetate"``.

    >>> name_key("Gamma-Hydroxybutyric  Acid") == name_key("gamma hydroxybutyric acid")
    True
    """
    return _NON_ALNUM.sub("", str(name).casefold())


def _drug_candidates(
    drugbank_ids: pd.Series,
    dc_identifiers: pd.DataFrame,
    drugbank_mappings: pd.DataFrame,
    chemical_xrefs: pd.DataFrame,
    joins: JoinLog,
    prefix: str,
) -> pd.DataFrame:
    """``drugbank_id, chemical_id, route`` over every id route."""
    dbs = set(drugbank_ids)
    n = len(dbs)
    ident = dc_identifiers[dc_identifiers["id_type"] == "DRUGBANK_ID"]
    db_dc = pd.DataFrame(
        {
            "drugbank_id": ident["identifier"].astype(str).str.strip(),
            "xref": ident["dc_id"].astype(str),
        }
    )
    db_dc = db_dc[db_dc["drugbank_id"].isin(dbs)].drop_duplicates()
    k = db_dc["drugbank_id"].nunique()
    joins.record(f"{prefix}.drugbank_to_drugcentral", matched=k, unmatched=n - k)

    ch = drugbank_mappings[
        (drugbank_mappings["namespace"] == "CHEBI") & drugbank_mappings["drugbank_id"].isin(dbs)
    ]
    chebi = "CHEBI:" + ch["xref_id"].astype(str).str.strip().str.removeprefix("CHEBI:")
    db_ch = pd.DataFrame({"drugbank_id": ch["drugbank_id"].values, "xref": chebi.values})
    db_ch = db_ch.drop_duplicates()
    k = db_ch["drugbank_id"].nunique()
    joins.record(f"{prefix}.drugbank_to_chebi", matched=k, unmatched=n - k)

    x = chemical_xrefs[["chemical_id", "namespace", "xref", "route"]].astype(str)
    parts = []
    xd = x[(x["namespace"] == "drugcentral") & x["route"].isin(_DC_ROUTES)]
    parts.append(db_dc.merge(xd, on="xref").assign(route=lambda d: d["route"].map(_DC_ROUTES)))
    xc = x[(x["namespace"] == "chebi") & x["route"].isin(_CHEBI_ROUTES)]
    parts.append(db_ch.merge(xc, on="xref").assign(route=lambda d: d["route"].map(_CHEBI_ROUTES)))
    cand = pd.concat(parts, ignore_index=True)[["drugbank_id", "chemical_id", "route"]]
    cand = cand.drop_duplicates().reset_index(drop=True)
    for route in DRUG_ROUTES[:-1]:
        k = cand.loc[cand["route"] == route, "drugbank_id"].nunique()
        joins.record(f"{prefix}.{route}", matched=k, unmatched=n - k)
    return cand


def unique_name_hits(
    queries: pd.DataFrame, names: pd.DataFrame, tiers: Iterable[tuple[str, ...]]
) -> tuple[pd.DataFrame, int]:
    """Map ``queries`` (``key``, ``qid``) to ``names`` (``key``, ``id``, ``kind``) tier by tier.

    A query takes the ids of the first tier where its key matches; it is kept
    only when that tier gives exactly one id. Returns ``(qid, id)`` and the
    number of ambiguous queries.
    """
    out: list[pd.DataFrame] = []
    done: set[str] = set()
    ambiguous = 0
    for kinds in tiers:
        q = queries[~queries["qid"].isin(done)]
        hit = q.merge(names[names["kind"].isin(kinds)], on="key")[["qid", "id"]]
        hit = hit.drop_duplicates()
        per = hit.groupby("qid")["id"].nunique()
        ambiguous += int((per > 1).sum())
        done |= set(per.index)
        out.append(hit[hit["qid"].isin(per.index[per == 1])])
    res = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["qid", "id"])
    return res, ambiguous


def map_drugs(
    drugs: pd.DataFrame,
    *,
    dc_identifiers: pd.DataFrame,
    drugbank_mappings: pd.DataFrame,
    chemical_xrefs: pd.DataFrame,
    drug_names: pd.DataFrame,
    joins: JoinLog | None = None,
    prefix: str = "ptdb.drugs",
) -> pd.DataFrame:
    """Map drugs named by DrugBank id (PharmacotherapyDB's by default) to CTD chemical MeSH ids.

    Parameters
    ----------
    drugs
        ``drugbank_id``, ``drug`` (name), e.g. ``loaders.load_pharmacotherapydb_drugs()``.
    dc_identifiers
        ``loaders.load_drugcentral_identifiers()``.
    drugbank_mappings
        ``loaders.load_drugbank_mappings()``.
    chemical_xrefs
        ``entities.chemical_xrefs()``: ``chemical_id, namespace, xref, route`` of CTD chemicals.
    drug_names
        ``entities.table("drug_names")``: ``id, name, kind`` ∈ {ctd_name, mesh_label, mesh_synonym}.
    joins
        Receives ``<prefix>.*`` counts (distinct DrugBank ids).
    prefix
        Name of the join counts (``"ptdb.drugs"`` for PharmacotherapyDB).

    Returns
    -------
    DataFrame
        ``drugbank_id``, ``chemical_id``, ``drug_route`` (best route of the
        chosen chemical, see :data:`DRUG_ROUTES`), ``drug_routes`` (all its
        routes, ``|``-separated in priority order), ``ambiguous`` (several
        chemicals kept for this drug). Unmapped drugs have no row.
    """
    joins = joins if joins is not None else JoinLog()
    drugs_ = drugs[["drugbank_id", "drug"]].drop_duplicates("drugbank_id")
    n = len(drugs_)
    cand = _drug_candidates(
        drugs_["drugbank_id"], dc_identifiers, drugbank_mappings, chemical_xrefs, joins, prefix
    )
    prio = {r: i for i, r in enumerate(DRUG_ROUTES)}

    names = drug_names.assign(key=drug_names["name"].map(name_key))
    drug_key = dict(zip(drugs_["drugbank_id"], drugs_["drug"].map(name_key), strict=True))
    named = set(zip(names["id"], names["key"], strict=True))

    chosen: pd.DataFrame
    if len(cand):
        g = cand.assign(p=cand["route"].map(prio))
        g = g.sort_values(["drugbank_id", "chemical_id", "p"])
        agg = (
            g.groupby(["drugbank_id", "chemical_id"], sort=False)
            .agg(
                n_routes=("route", "nunique"),
                best=("p", "min"),
                drug_routes=("route", "|".join),
            )
            .reset_index()
        )
        agg["name_ok"] = [
            (c, drug_key[d]) in named
            for d, c in zip(agg["drugbank_id"], agg["chemical_id"], strict=True)
        ]
        # best = name agreement, then most routes, then best route; ties all kept
        agg = agg.sort_values(
            ["drugbank_id", "name_ok", "n_routes", "best"], ascending=[True, False, False, True]
        )
        key = ["name_ok", "n_routes", "best"]
        top = agg.groupby("drugbank_id")[key].transform("first")
        chosen = agg[(agg[key] == top).all(axis=1)]
        chosen = chosen.assign(drug_route=chosen["drug_routes"].str.split("|").str[0])
    else:
        chosen = pd.DataFrame(columns=["drugbank_id", "chemical_id", "drug_routes", "drug_route"])
    multi = cand.groupby("drugbank_id")["chemical_id"].nunique()
    joins.record(
        f"{prefix}.id_routes",
        matched=len(multi),
        unmatched=n - len(multi),
        several_candidates=int((multi > 1).sum()),
    )

    # name route: only drugs no id route reaches
    rest = drugs_[~drugs_["drugbank_id"].isin(cand["drugbank_id"])]
    q = pd.DataFrame({"qid": rest["drugbank_id"], "key": rest["drug"].map(name_key)})
    hits, amb = unique_name_hits(q, names, [("ctd_name",), ("mesh_label", "mesh_synonym")])
    joins.record(
        f"{prefix}.name",
        matched=hits["qid"].nunique(),
        unmatched=len(rest) - hits["qid"].nunique(),
        ambiguous=amb,
    )
    by_name = pd.DataFrame(
        {
            "drugbank_id": hits["qid"],
            "chemical_id": hits["id"],
            "drug_routes": "name",
            "drug_route": "name",
        }
    )
    out = pd.concat([chosen, by_name], ignore_index=True)
    per = out.groupby("drugbank_id")["chemical_id"].transform("nunique")
    out["ambiguous"] = (per > 1).to_numpy()
    k = out["drugbank_id"].nunique()
    joins.record(
        f"{prefix}.mapped",
        matched=k,
        unmatched=n - k,
        ambiguous=int(out.loc[out["ambiguous"], "drugbank_id"].nunique()),
        chemicals=out["chemical_id"].nunique(),
    )
    cols = ["drugbank_id", "chemical_id", "drug_route", "drug_routes", "ambiguous"]
    return out[cols].sort_values(["drugbank_id", "chemical_id"]).reset_index(drop=True)


__all__ = ["DRUG_ROUTES", "name_key", "unique_name_hits", "map_drugs"]
