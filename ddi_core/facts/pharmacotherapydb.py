"""PharmacotherapyDB drugs and diseases mapped onto CTD chemicals and MeSH diseases, each by a named route (cached stage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.cache import cached
from ddi_core.data import entities, loaders
from ddi_core.data.joinlog import JoinLog
from ddi_core.data.sources import sources
from ddi_core.facts.drugbank import DRUG_ROUTES, map_drugs, name_key, unique_name_hits

#: Bump when the mapping logic changes so old cache entries are not reused.
VALIDATION_VERSION = "1"


STAGE = "pharmacotherapydb"


DISEASE_ROUTES: tuple[str, ...] = ("mesh_mappings", "name")


CATEGORIES: tuple[str, ...] = ("DM", "SYM", "NOT")


MAPPED_COLUMNS = [
    "chemical_id",
    "disease_id",
    "category",
    "drug",
    "disease",
    "drugbank_id",
    "doid_id",
    "drug_route",
    "disease_route",
    "chemical_name",
    "disease_label",
]


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
    hits, amb = unique_name_hits(q, names, [("label",), ("synonym",)])
    joins.record(
        "ptdb.diseases.name",
        matched=hits["qid"].nunique(),
        unmatched=len(rest) - hits["qid"].nunique(),
        ambiguous=amb,
    )
    by_name = pd.DataFrame(
        {"doid_id": hits["qid"], "disease_id": hits["id"], "disease_route": "name"}
    )
    out = pd.concat([m, by_name], ignore_index=True)
    out["ambiguous"] = (out.groupby("doid_id")["disease_id"].transform("nunique") > 1).to_numpy()
    k = out["doid_id"].nunique()
    ctd = set(diseases.loc[diseases["is_ctd_disease"], "disease_id"])
    joins.record(
        "ptdb.diseases.mapped",
        matched=k,
        unmatched=n - k,
        ambiguous=int(out.loc[out["ambiguous"], "doid_id"].nunique()),
        ctd_diseases=out.loc[out["disease_id"].isin(ctd), "doid_id"].nunique(),
    )
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
    dis_map = map_diseases(
        pdis, mesh_mappings=loaders.load_mesh_mappings(), diseases=dis_table, joins=joins
    )
    d = entities.drugs()
    label = dis_table["ctd_name"].where(dis_table["ctd_name"] != "", dis_table["label"])
    mapped, pair_rep = map_indications(
        ind,
        drug_map,
        dis_map,
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
        "diseases_mapped_ctd": int(
            dis_map.loc[dis_map["disease_id"].isin(ctd), "doid_id"].nunique()
        ),
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
    entry = _entry(force)
    mapped = pd.read_parquet(entry / "mapped.parquet")
    mapped["category"] = mapped["category"].astype(pd.CategoricalDtype(list(CATEGORIES)))
    return mapped, json.loads((entry / "report.json").read_text())


def _entry(force: bool = False) -> Path:
    man = sources()
    inputs = {rel: man[rel].sha256 for rel in _INPUTS}
    inputs["entities"] = entities.build_entities().name
    return cached(STAGE, {"version": VALIDATION_VERSION}, inputs, _compute_mapping, force=force)


def drug_map() -> pd.DataFrame:
    """PharmacotherapyDB's DrugBank ids mapped to CTD chemicals (:func:`map_drugs`)."""
    return pd.read_parquet(_entry() / "drug_map.parquet")
