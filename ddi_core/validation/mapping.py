"""PharmacotherapyDB drugs and diseases mapped onto CTD chemicals and MeSH diseases, each by a named route (cached stage)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.cache import cached
from ddi_core.data import entities, loaders
from ddi_core.data.joinlog import JoinLog
from ddi_core.data.sources import sources

#: Bump when the mapping logic changes so old cache entries are not reused.
VALIDATION_VERSION = "1"


STAGE = "pharmacotherapydb"


DRUG_ROUTES: tuple[str, ...] = (
    "drugcentral_mesh",
    "chebi_mesh",
    "chebi_pubchem",
    "drugcentral_chebi",
    "drugcentral_pubchem",
    "drugcentral_cas",
    "name",
)


DISEASE_ROUTES: tuple[str, ...] = ("mesh_mappings", "name")


CATEGORIES: tuple[str, ...] = ("DM", "SYM", "NOT")


MAPPED_COLUMNS = ["chemical_id", "disease_id", "category", "drug", "disease", "drugbank_id",
                  "doid_id", "drug_route", "disease_route", "chemical_name", "disease_label"]


#: Bundle files the mapping reads directly (the entity tables it reads are keyed
#: by the entities cache key).
_INPUTS: tuple[str, ...] = (
    loaders.PTDB_INDICATIONS,
    loaders.PTDB_DRUGS,
    loaders.PTDB_DISEASES,
    loaders.DRUGBANK_MAPPINGS,
    loaders.DC_IDENTIFIERS,
    loaders.MESH_MAPPINGS,
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


# --------------------------------------------------------------------------- #
# drugs
# --------------------------------------------------------------------------- #
def _drug_candidates(
    drugbank_ids: pd.Series,
    dc_identifiers: pd.DataFrame,
    drugbank_mappings: pd.DataFrame,
    chemical_xrefs: pd.DataFrame,
    joins: JoinLog,
) -> pd.DataFrame:
    """``drugbank_id, chemical_id, route`` over every id route."""
    dbs = set(drugbank_ids)
    n = len(dbs)
    ident = dc_identifiers[dc_identifiers["id_type"] == "DRUGBANK_ID"]
    db_dc = pd.DataFrame({"drugbank_id": ident["identifier"].astype(str).str.strip(),
                          "xref": ident["dc_id"].astype(str)})
    db_dc = db_dc[db_dc["drugbank_id"].isin(dbs)].drop_duplicates()
    k = db_dc["drugbank_id"].nunique()
    joins.record("ptdb.drugs.drugbank_to_drugcentral", matched=k, unmatched=n - k)

    ch = drugbank_mappings[(drugbank_mappings["namespace"] == "CHEBI")
                           & drugbank_mappings["drugbank_id"].isin(dbs)]
    chebi = "CHEBI:" + ch["xref_id"].astype(str).str.strip().str.removeprefix("CHEBI:")
    db_ch = pd.DataFrame({"drugbank_id": ch["drugbank_id"].values, "xref": chebi.values})
    db_ch = db_ch.drop_duplicates()
    k = db_ch["drugbank_id"].nunique()
    joins.record("ptdb.drugs.drugbank_to_chebi", matched=k, unmatched=n - k)

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
        joins.record(f"ptdb.drugs.{route}", matched=k, unmatched=n - k)
    return cand


def _unique_name_hits(
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
    ptdb_drugs: pd.DataFrame,
    *,
    dc_identifiers: pd.DataFrame,
    drugbank_mappings: pd.DataFrame,
    chemical_xrefs: pd.DataFrame,
    drug_names: pd.DataFrame,
    joins: JoinLog | None = None,
) -> pd.DataFrame:
    """Map PharmacotherapyDB drugs (DrugBank ids) to CTD chemical MeSH ids.

    Parameters
    ----------
    ptdb_drugs
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
        Receives ``ptdb.drugs.*`` counts (distinct DrugBank ids).

    Returns
    -------
    DataFrame
        ``drugbank_id``, ``chemical_id``, ``drug_route`` (best route of the
        chosen chemical, see :data:`DRUG_ROUTES`), ``drug_routes`` (all its
        routes, ``|``-separated in priority order), ``ambiguous`` (several
        chemicals kept for this drug). Unmapped drugs have no row.
    """
    joins = joins if joins is not None else JoinLog()
    drugs_ = ptdb_drugs[["drugbank_id", "drug"]].drop_duplicates("drugbank_id")
    n = len(drugs_)
    cand = _drug_candidates(drugs_["drugbank_id"], dc_identifiers, drugbank_mappings,
                            chemical_xrefs, joins)
    prio = {r: i for i, r in enumerate(DRUG_ROUTES)}

    names = drug_names.assign(key=drug_names["name"].map(name_key))
    drug_key = dict(zip(drugs_["drugbank_id"], drugs_["drug"].map(name_key), strict=True))
    named = set(zip(names["id"], names["key"], strict=True))

    chosen: pd.DataFrame
    if len(cand):
        g = cand.assign(p=cand["route"].map(prio))
        g = g.sort_values(["drugbank_id", "chemical_id", "p"])
        agg = g.groupby(["drugbank_id", "chemical_id"], sort=False).agg(
            n_routes=("route", "nunique"), best=("p", "min"),
            drug_routes=("route", "|".join),
        ).reset_index()
        agg["name_ok"] = [(c, drug_key[d]) in named
                          for d, c in zip(agg["drugbank_id"], agg["chemical_id"], strict=True)]
        # best = name agreement, then most routes, then best route; ties all kept
        agg = agg.sort_values(["drugbank_id", "name_ok", "n_routes", "best"],
                              ascending=[True, False, False, True])
        key = ["name_ok", "n_routes", "best"]
        top = agg.groupby("drugbank_id")[key].transform("first")
        chosen = agg[(agg[key] == top).all(axis=1)]
        chosen = chosen.assign(drug_route=chosen["drug_routes"].str.split("|").str[0])
    else:
        chosen = pd.DataFrame(columns=["drugbank_id", "chemical_id", "drug_routes", "drug_route"])
    multi = cand.groupby("drugbank_id")["chemical_id"].nunique()
    joins.record("ptdb.drugs.id_routes", matched=len(multi), unmatched=n - len(multi),
                 several_candidates=int((multi > 1).sum()))

    # name route: only drugs no id route reaches
    rest = drugs_[~drugs_["drugbank_id"].isin(cand["drugbank_id"])]
    q = pd.DataFrame({"qid": rest["drugbank_id"], "key": rest["drug"].map(name_key)})
    hits, amb = _unique_name_hits(q, names, [("ctd_name",), ("mesh_label", "mesh_synonym")])
    joins.record("ptdb.drugs.name", matched=hits["qid"].nunique(),
                 unmatched=len(rest) - hits["qid"].nunique(), ambiguous=amb)
    by_name = pd.DataFrame({"drugbank_id": hits["qid"], "chemical_id": hits["id"],
                            "drug_routes": "name", "drug_route": "name"})
    out = pd.concat([chosen, by_name], ignore_index=True)
    per = out.groupby("drugbank_id")["chemical_id"].transform("nunique")
    out["ambiguous"] = (per > 1).to_numpy()
    k = out["drugbank_id"].nunique()
    joins.record("ptdb.drugs.mapped", matched=k, unmatched=n - k,
                 ambiguous=int(out.loc[out["ambiguous"], "drugbank_id"].nunique()),
                 chemicals=out["chemical_id"].nunique())
    cols = ["drugbank_id", "chemical_id", "drug_route", "drug_routes", "ambiguous"]
    return out[cols].sort_values(["drugbank_id", "chemical_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------- #
# diseases
# --------------------------------------------------------------------------- #
def map_diseases(
    ptdb_diseases: pd.DataFrame,
    *,
    mesh_mappings: pd.DataFrame,
    diseases: pd.DataFrame,
    joins: JoinLog | None = None,
) -> pd.DataFrame:
    """Map PharmacotherapyDB diseases (DOID) to MeSH disease ids.

    Parameters
    ----------
    ptdb_diseases
        ``doid_id``, ``disease`` (name).
    mesh_mappings
        ``loaders.load_mesh_mappings()``; rows of namespace ``DOID`` are used.
    diseases
        ``entities.diseases()``; only ids with ``is_ctd_disease`` or
        ``in_disease_tree`` are targets.
    joins
        Receives ``ptdb.diseases.*`` counts (distinct DOIDs).

    Returns
    -------
    DataFrame
        ``doid_id``, ``disease_id``, ``disease_route`` ∈ :data:`DISEASE_ROUTES`,
        ``ambiguous`` (several MeSH ids kept for this DOID).
    """
    joins = joins if joins is not None else JoinLog()
    dis = ptdb_diseases[["doid_id", "disease"]].drop_duplicates("doid_id")
    n = len(dis)
    keep = diseases[diseases["is_ctd_disease"] | diseases["in_disease_tree"]]
    keep_ids = set(keep["disease_id"])
    md = mesh_mappings[mesh_mappings["namespace"] == "DOID"][["xref_id", "mesh_id"]]
    md = md.rename(columns={"xref_id": "doid_id", "mesh_id": "disease_id"}).drop_duplicates()
    m = dis[["doid_id"]].merge(md, on="doid_id")
    k = m["doid_id"].nunique()
    joins.record("ptdb.diseases.doid_to_mesh", matched=k, unmatched=n - k)
    m = m[m["disease_id"].isin(keep_ids)].assign(disease_route="mesh_mappings")
    k = m["doid_id"].nunique()
    joins.record("ptdb.diseases.mesh_mappings", matched=k, unmatched=n - k)

    rest = dis[~dis["doid_id"].isin(m["doid_id"])]
    labels = pd.DataFrame({"id": keep["disease_id"], "name": keep["label"], "kind": "label"})
    syn = keep.assign(name=keep["synonyms"].fillna("").str.split("|")).explode("name")
    syn = pd.DataFrame({"id": syn["disease_id"], "name": syn["name"], "kind": "synonym"})
    names = pd.concat([labels, syn], ignore_index=True)
    names = names[names["name"].fillna("").str.strip() != ""]
    names = names.assign(key=names["name"].map(name_key))
    q = pd.DataFrame({"qid": rest["doid_id"], "key": rest["disease"].map(name_key)})
    hits, amb = _unique_name_hits(q, names, [("label",), ("synonym",)])
    joins.record("ptdb.diseases.name", matched=hits["qid"].nunique(),
                 unmatched=len(rest) - hits["qid"].nunique(), ambiguous=amb)
    by_name = pd.DataFrame({"doid_id": hits["qid"], "disease_id": hits["id"],
                            "disease_route": "name"})
    out = pd.concat([m, by_name], ignore_index=True)
    out["ambiguous"] = (out.groupby("doid_id")["disease_id"].transform("nunique") > 1).to_numpy()
    k = out["doid_id"].nunique()
    ctd = set(diseases.loc[diseases["is_ctd_disease"], "disease_id"])
    joins.record("ptdb.diseases.mapped", matched=k, unmatched=n - k,
                 ambiguous=int(out.loc[out["ambiguous"], "doid_id"].nunique()),
                 ctd_diseases=out.loc[out["disease_id"].isin(ctd), "doid_id"].nunique())
    cols = ["doid_id", "disease_id", "disease_route", "ambiguous"]
    return out[cols].sort_values(["doid_id", "disease_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------- #
# indications
# --------------------------------------------------------------------------- #
def _by_category(df: pd.DataFrame) -> dict[str, int]:
    counts = {c: int((df["category"].astype(str) == c).sum()) for c in CATEGORIES}
    counts["all"] = int(len(df))
    return counts


def map_indications(
    indications: pd.DataFrame,
    drug_map: pd.DataFrame,
    disease_map: pd.DataFrame,
    *,
    chemical_names: dict[str, str] | None = None,
    disease_labels: dict[str, str] | None = None,
    joins: JoinLog | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Join indications with the drug and disease maps.

    Parameters
    ----------
    indications
        ``doid_id, drugbank_id, disease, drug, category``.
    drug_map, disease_map
        Outputs of :func:`map_drugs` and :func:`map_diseases`.
    chemical_names, disease_labels
        Optional id → name lookups for the ``chemical_name`` / ``disease_label`` columns.
    joins
        Receives ``ptdb.pairs.<category>`` (rows of the source file mapped / not).

    Returns
    -------
    mapped : DataFrame
        :data:`MAPPED_COLUMNS`, one row per distinct ``(chemical_id,
        disease_id, category)``. A pair listed under two categories (e.g. DM
        and NOT through two DrugBank ids of one chemical) keeps both rows.
    report : dict
        ``pairs_total`` / ``pairs_mapped`` (source rows by category and
        ``all``), ``pairs_distinct`` (distinct mapped chemical–disease pairs by
        category), ``pairs_conflicting`` (distinct pairs under more than one
        category).
    """
    joins = joins if joins is not None else JoinLog()
    ind = indications.assign(category=indications["category"].astype(str))
    ind = ind.assign(_row=np.arange(len(ind)))
    m = ind.merge(drug_map[["drugbank_id", "chemical_id", "drug_route"]], on="drugbank_id")
    m = m.merge(disease_map[["doid_id", "disease_id", "disease_route"]], on="doid_id")
    rows_mapped = ind[ind["_row"].isin(m["_row"])]
    total, mapped_n = _by_category(ind), _by_category(rows_mapped)
    for c in CATEGORIES:
        joins.record(f"ptdb.pairs.{c}", matched=mapped_n[c], unmatched=total[c] - mapped_n[c])
    m = m.sort_values(["chemical_id", "disease_id", "category", "drugbank_id", "doid_id"])
    m = m.drop_duplicates(["chemical_id", "disease_id", "category"])
    chemical_names = chemical_names or {}
    disease_labels = disease_labels or {}
    m["chemical_name"] = [str(chemical_names.get(i, "")) for i in m["chemical_id"]]
    m["disease_label"] = [str(disease_labels.get(i, "")) for i in m["disease_id"]]
    cats = m.groupby(["chemical_id", "disease_id"])["category"].nunique()
    m["category"] = m["category"].astype(pd.CategoricalDtype(list(CATEGORIES)))
    mapped = m[MAPPED_COLUMNS].reset_index(drop=True)
    report = {
        "pairs_total": total,
        "pairs_mapped": mapped_n,
        "pairs_distinct": _by_category(mapped),
        "pairs_conflicting": int((cats > 1).sum()),
    }
    return mapped, report


def _route_counts(df: pd.DataFrame, key: str, col: str, routes: tuple[str, ...]) -> dict[str, int]:
    first = df.drop_duplicates(key)
    return {r: int((first[col] == r).sum()) for r in routes}


def _compute_mapping(out: Path) -> None:
    joins = JoinLog()
    ind = loaders.load_pharmacotherapydb_indications()
    pdrugs = loaders.load_pharmacotherapydb_drugs()
    pdis = loaders.load_pharmacotherapydb_diseases()
    # the indications file is the authority on which drugs / diseases are evaluated
    pdrugs = pd.concat([pdrugs[["drugbank_id", "drug"]], ind[["drugbank_id", "drug"]]])
    pdis = pd.concat([pdis[["doid_id", "disease"]], ind[["doid_id", "disease"]]])
    dis_table = entities.diseases()
    drug_map = map_drugs(
        pdrugs,
        dc_identifiers=loaders.load_drugcentral_identifiers(),
        drugbank_mappings=loaders.load_drugbank_mappings(),
        chemical_xrefs=entities.chemical_xrefs(),
        drug_names=entities.table("drug_names"),
        joins=joins,
    )
    dis_map = map_diseases(pdis, mesh_mappings=loaders.load_mesh_mappings(),
                           diseases=dis_table, joins=joins)
    d = entities.drugs()
    label = dis_table["ctd_name"].where(dis_table["ctd_name"] != "", dis_table["label"])
    mapped, pair_rep = map_indications(
        ind, drug_map, dis_map,
        chemical_names=dict(zip(d["chemical_id"], d["name"], strict=True)),
        disease_labels=dict(zip(dis_table["disease_id"], label, strict=True)),
        joins=joins,
    )
    ctd = set(dis_table.loc[dis_table["is_ctd_disease"], "disease_id"])
    report = {
        "drugs_total": int(pdrugs["drugbank_id"].nunique()),
        "drugs_mapped": int(drug_map["drugbank_id"].nunique()),
        "drugs_ambiguous": int(drug_map.loc[drug_map["ambiguous"], "drugbank_id"].nunique()),
        "chemicals": int(drug_map["chemical_id"].nunique()),
        "diseases_total": int(pdis["doid_id"].nunique()),
        "diseases_mapped": int(dis_map["doid_id"].nunique()),
        "diseases_mapped_ctd": int(dis_map.loc[dis_map["disease_id"].isin(ctd), "doid_id"].nunique()),
        **pair_rep,
        "drug_routes": _route_counts(drug_map, "drugbank_id", "drug_route", DRUG_ROUTES),
        "disease_routes": _route_counts(dis_map, "doid_id", "disease_route", DISEASE_ROUTES),
        "joins": joins.joins,
    }
    mapped.to_parquet(out / "mapped.parquet", index=False)
    drug_map.to_parquet(out / "drug_map.parquet", index=False)
    dis_map.to_parquet(out / "disease_map.parquet", index=False)
    (out / "report.json").write_text(json.dumps(report, indent=1))


def map_pharmacotherapydb(*, force: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Mapped PharmacotherapyDB indications and the mapping report (cached).

    The cache key holds :data:`VALIDATION_VERSION`, the manifest SHA-256 of the
    files read directly and the key of the entity tables.

    Returns
    -------
    mapped : DataFrame
        :data:`MAPPED_COLUMNS` (see :func:`map_indications`).
    report : dict
        ``drugs_total``, ``drugs_mapped``, ``drugs_ambiguous``, ``chemicals``,
        ``diseases_total``, ``diseases_mapped``, ``diseases_mapped_ctd``,
        ``pairs_total`` / ``pairs_mapped`` / ``pairs_distinct`` (by category
        and ``all``), ``pairs_conflicting``, ``drug_routes`` /
        ``disease_routes`` (number of ids whose chosen best route is each
        route), ``joins`` (every step's matched / unmatched counts).
    """
    man = sources()
    inputs = {rel: man[rel].sha256 for rel in _INPUTS}
    inputs["entities"] = entities.build_entities().name
    entry = cached(STAGE, {"version": VALIDATION_VERSION}, inputs, _compute_mapping, force=force)
    mapped = pd.read_parquet(entry / "mapped.parquet")
    mapped["category"] = mapped["category"].astype(pd.CategoricalDtype(list(CATEGORIES)))
    return mapped, json.loads((entry / "report.json").read_text())
