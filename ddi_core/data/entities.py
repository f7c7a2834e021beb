"""Harmonised entity tables: drugs, genes, diseases, signed drug–target pairs.

One cached build (:func:`build_entities`) reads the loaders, runs
:mod:`~ddi_core.data.genes`, :mod:`~ddi_core.data.diseases`,
:mod:`~ddi_core.data.drugs` and :mod:`~ddi_core.data.dti`, and writes every
table as parquet into a content-addressed cache entry keyed by the manifest
SHA-256 of each input file, :data:`ENTITIES_VERSION`, the action-type table
and the :class:`EntityConfig`. The accessors (:func:`drugs`, :func:`genes`,
:func:`diseases`, :func:`signed_dti`, :func:`smiles_failures`, …) read from
that entry, building it first when absent.

Identifier spaces: drug = CTD chemical MeSH id, gene = Entrez id, disease =
MeSH id. :mod:`ddi_core.facts.names` turns the names people type into those ids.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from ddi_core.cache import cached
from ddi_core.data import loaders
from ddi_core.data.diseases import build_diseases
from ddi_core.data.drugs import DrugInputs, build_drugs, normalise_name
from ddi_core.data.dti import (
    build_signed_dti,
    drugcentral_evidence,
    hub_evidence,
    signor_evidence,
)
from ddi_core.data.genes import build_genes, symbol_to_entrez
from ddi_core.data.joinlog import JoinLog
from ddi_core.data.sources import sources
from ddi_core.errors import UnknownEntityError

log = logging.getLogger(__name__)

#: Bump when the build's logic changes so old cache entries are not reused.
ENTITIES_VERSION = "1"
STAGE = "entities"

#: Bundle files the build reads (their manifest SHA-256 is part of the cache key).
ENTITY_INPUTS: tuple[str, ...] = (
    loaders.CTD_CHEMICAL_DISEASE,
    loaders.CTD_CHEMICAL_GENE,
    loaders.CTD_GENE_DISEASE,
    loaders.DC_STRUCTURES,
    loaders.DC_IDENTIFIERS,
    loaders.DC_TARGETS,
    loaders.REPURPOSING_SAMPLES,
    loaders.REPURPOSING_DRUGS,
    loaders.MESH_CAS,
    loaders.PUBCHEM_MESH,
    loaders.MESH_MAPPINGS,
    loaders.CHEBI_PUBCHEM,
    loaders.HGNC,
    loaders.MESH_LABELS,
    loaders.SIGNOR_PKN,
    loaders.OMNIPATH,
    loaders.HSN,
)

TABLES: tuple[str, ...] = (
    "drugs",
    "smiles_failures",
    "smiles_candidates",
    "chemical_xrefs",
    "genes",
    "diseases",
    "signed_dti",
    "dti_evidence",
    "drug_names",
    "disease_names",
)


@dataclass(frozen=True)
class EntityConfig:
    """Options of the entity build (part of the cache key).

    Attributes
    ----------
    hub_moa : bool
        Use Repurposing Hub MOA text as a third signed-target source.
    """

    hub_moa: bool = True


def _action_table_hash() -> str:
    data = resources.files("ddi_core.data").joinpath("action_types.tsv").read_bytes()
    return hashlib.sha256(data).hexdigest()


def _inputs(rels: tuple[str, ...]) -> dict[str, str]:
    man = sources()
    return {rel: man[rel].sha256 for rel in rels}


def _names(ids: pd.Series, primary: pd.Series, kind: str) -> pd.DataFrame:
    return pd.DataFrame({"id": ids.values, "name": primary.values, "kind": kind})


def _synonym_rows(mesh: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
    m = mesh[mesh["mesh_id"].isin(keep)]
    label = _names(m["mesh_id"], m["label"], "mesh_label")
    syn = m.assign(name=m["synonyms"].fillna("").str.split("|")).explode("name")
    syn = _names(syn["mesh_id"], syn["name"], "mesh_synonym")
    return pd.concat([label, syn], ignore_index=True)


def _name_table(primary: pd.DataFrame, mesh: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
    df = pd.concat([primary, _synonym_rows(mesh, keep)], ignore_index=True)
    df["name"] = df["name"].fillna("").astype(str).str.strip()
    df = df[df["name"] != ""].drop_duplicates(["id", "name"])
    return df.reset_index(drop=True)


def _compute(config: EntityConfig, out: Path) -> None:
    joins = JoinLog()
    cd = loaders.load_ctd_chemical_disease()
    mesh = loaders.load_mesh_labels()
    genes_t = build_genes(loaders.load_hgnc())
    diseases_t = build_diseases(mesh, cd, joins=joins)

    # gene maps of the symbol / Entrez sources used downstream
    symbol_to_entrez(
        loaders.load_ctd_chemical_gene()["gene_symbol"],
        genes_t,
        joins=joins,
        name="ctd_chemical_gene",
    )
    symbol_to_entrez(
        loaders.load_ctd_gene_disease()["gene_symbol"],
        genes_t,
        joins=joins,
        name="ctd_gene_disease",
    )
    omni = loaders.load_omnipath()
    symbol_to_entrez(
        pd.concat([omni["source"], omni["target"]]), genes_t, joins=joins, name="omnipath"
    )
    hsn = loaders.load_hsn()
    hsn_ids = pd.Series(pd.unique(pd.concat([hsn["source_entrez"], hsn["target_entrez"]])))
    hit = hsn_ids.isin(genes_t["entrez"])
    joins.record("genes.entrez.hsn", matched=int(hit.sum()), unmatched=int((~hit).sum()))

    inp = DrugInputs(
        ctd_chem_disease=cd,
        dc_structures=loaders.load_drugcentral_structures(),
        dc_identifiers=loaders.load_drugcentral_identifiers(),
        hub_samples=loaders.load_repurposing_samples(),
        mesh_cas=loaders.load_mesh_cas(),
        pubchem_mesh=loaders.load_pubchem_mesh(),
        mesh_mappings=loaders.load_mesh_mappings(),
        chebi_pubchem=loaders.load_chebi_pubchem(),
    )
    drugs_t, failures, xrefs, cand = build_drugs(inp, joins=joins)

    ev = [
        drugcentral_evidence(loaders.load_drugcentral_targets(), xrefs, genes_t, joins=joins),
        signor_evidence(loaders.load_signor_pkn(), xrefs, genes_t, joins=joins),
    ]
    if config.hub_moa:
        ev.append(hub_evidence(loaders.load_repurposing_drugs(), xrefs, genes_t, joins=joins))
    evidence = pd.concat(ev, ignore_index=True)
    dti, conflicts = build_signed_dti(evidence, genes_t)
    n_dti_chem = dti["chemical_id"].nunique()
    joins.record("dti.chemicals", matched=n_dti_chem, unmatched=len(drugs_t) - n_dti_chem)

    ctd_names = cd.drop_duplicates("chemical_id")
    drug_names = _name_table(
        _names(ctd_names["chemical_id"], ctd_names["chemical_name"], "ctd_name"),
        mesh,
        set(ctd_names["chemical_id"]),
    )
    dis = diseases_t[diseases_t["is_ctd_disease"] | diseases_t["in_disease_tree"]]
    ctd_dis = dis[dis["ctd_name"] != ""]
    disease_names = _name_table(
        _names(ctd_dis["disease_id"], ctd_dis["ctd_name"], "ctd_name"), mesh, set(dis["disease_id"])
    )

    tables = {
        "drugs": drugs_t,
        "smiles_failures": failures,
        "smiles_candidates": cand,
        "chemical_xrefs": xrefs,
        "genes": genes_t,
        "diseases": diseases_t,
        "signed_dti": dti,
        "dti_evidence": evidence,
        "drug_names": drug_names,
        "disease_names": disease_names,
    }
    for name, df in tables.items():
        df.to_parquet(out / f"{name}.parquet", index=False)
    stats = {"joins": joins.joins, "dti_sign_conflicts": conflicts, "config": asdict(config)}
    (out / "stats.json").write_text(json.dumps(stats, indent=1))


def build_entities(config: EntityConfig | None = None, *, force: bool = False) -> Path:
    """Build (or find) the cached entity tables; returns the cache entry directory.

    Parameters
    ----------
    config
        Build options; ``None`` means ``EntityConfig()``.
    force
        Rebuild even when a cache entry exists.
    """
    config = config or EntityConfig()
    key_config = {
        "version": ENTITIES_VERSION,
        "action_types": _action_table_hash(),
        **asdict(config),
    }
    return cached(
        STAGE, key_config, _inputs(ENTITY_INPUTS), lambda tmp: _compute(config, tmp), force=force
    )


def table(name: str, config: EntityConfig | None = None) -> pd.DataFrame:
    """One entity table by name (one of :data:`TABLES`)."""
    if name not in TABLES:
        raise KeyError(f"unknown entity table {name!r}; one of {', '.join(TABLES)}")
    return pd.read_parquet(build_entities(config) / f"{name}.parquet")


def drugs(config: EntityConfig | None = None) -> pd.DataFrame:
    """Drugs keyed by CTD chemical MeSH id (see :mod:`ddi_core.data.drugs`)."""
    return table("drugs", config)


def smiles_failures(config: EntityConfig | None = None) -> pd.DataFrame:
    """SMILES candidates RDKit could not parse: chemical_id, route, smiles, reason."""
    return table("smiles_failures", config)


def chemical_xrefs(config: EntityConfig | None = None) -> pd.DataFrame:
    """Cross-references of the CTD chemicals: chemical_id, namespace, xref, route."""
    return table("chemical_xrefs", config)


def genes(config: EntityConfig | None = None) -> pd.DataFrame:
    """Genes keyed by Entrez id (see :mod:`ddi_core.data.genes`)."""
    return table("genes", config)


def diseases(config: EntityConfig | None = None) -> pd.DataFrame:
    """Diseases keyed by MeSH id (see :mod:`ddi_core.data.diseases`)."""
    return table("diseases", config)


def signed_dti(config: EntityConfig | None = None) -> pd.DataFrame:
    """Signed drug–target pairs (see :mod:`ddi_core.data.dti`)."""
    return table("signed_dti", config)


def dti_evidence(config: EntityConfig | None = None) -> pd.DataFrame:
    """Every drug–target evidence row before sign resolution."""
    return table("dti_evidence", config)


def entity_stats(config: EntityConfig | None = None) -> dict:
    """Join counts and sign-conflict counts of the build."""
    return json.loads((build_entities(config) / "stats.json").read_text())


# ---------------------------------------------------------------- name lookup


def _suggest(query: str, names: pd.DataFrame, primary: dict[str, str], limit: int) -> list[str]:
    from rapidfuzz import fuzz, process, utils

    choices = names["name"].tolist()
    hits = process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit * 4,
        score_cutoff=50,
    )
    out: list[str] = []
    for _, _, idx in hits:
        label = primary.get(names["id"].iat[idx], names["name"].iat[idx])
        if label not in out:
            out.append(label)
        if len(out) == limit:
            break
    return out


def _resolve_by_scan(
    kind: str, query: str, limit: int = 5, config: EntityConfig | None = None
) -> str:
    """The lookup of the CTD and MeSH names as it was before the indexed resolver of
    :mod:`ddi_core.facts.names`: the name tables re-read and scanned for every query
    (~0.2 s). Kept as the reference of the tests (the indexed resolver answers the same
    for these names) and the naive baseline of ``bench/bench_pair_scoring.py``."""
    if kind == "drug":
        names = table("drug_names", config)
        sel = names["kind"] == "ctd_name"
        primary = dict(zip(names.loc[sel, "id"], names.loc[sel, "name"], strict=True))
    else:
        names = table("disease_names", config)
        d = diseases(config)
        d = d[d["is_ctd_disease"] | d["in_disease_tree"]]
        label = d["ctd_name"].where(d["ctd_name"] != "", d["label"])
        primary = dict(zip(d["disease_id"], label, strict=True))
    ids = set(primary)
    q = str(query).strip()
    qid = q.upper().removeprefix("MESH:")
    if qid in ids:
        return qid
    folded = names["name"].str.casefold()
    for tier in (["ctd_name"], ["mesh_label"], ["mesh_synonym"]):
        hit = names[(folded == q.casefold()) & names["kind"].isin(tier)]
        found = sorted(set(hit["id"]))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownEntityError(
                kind, query, [f"{primary.get(i, i)} ({i})" for i in found], ambiguous=True
            )
    if kind == "drug" and not any(ord(c) > 127 and c.isalpha() for c in q):
        norm = normalise_name(q)
        hit = names[(names["kind"] == "ctd_name") & (names["name"].map(normalise_name) == norm)]
        found = sorted(set(hit["id"]))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownEntityError(
                kind, query, [f"{primary.get(i, i)} ({i})" for i in found], ambiguous=True
            )
    raise UnknownEntityError(kind, query, _suggest(q, names, primary, limit))
