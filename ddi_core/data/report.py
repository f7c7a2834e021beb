"""Coverage report: what every join matched, computed from the real tables.

:func:`coverage_report` returns a JSON-able dict (cached per input hashes, so a
second call is instant); :func:`format_report` renders it as text for
``ddi data report``; :func:`licences` lists each source's licence and citation
for the dashboard.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from ddi_core.cache import cached
from ddi_core.data import entities, loaders
from ddi_core.data.disease_classes import CLASSES, disease_classes
from ddi_core.data.drugs import ROUTES
from ddi_core.data.entities import ENTITY_INPUTS, EntityConfig
from ddi_core.data.sources import sources

log = logging.getLogger(__name__)

REPORT_VERSION = "2"
REPORT_INPUTS: tuple[str, ...] = (*ENTITY_INPUTS, loaders.STRING_PPI)


def _network_counts(dti: pd.DataFrame) -> dict[str, Any]:
    hsn = loaders.load_hsn()
    signed = hsn[hsn["sign"] != 0]
    hsn_genes = set(signed["source_entrez"]) | set(signed["target_entrez"])
    hsn_all = set(hsn["source_entrez"]) | set(hsn["target_entrez"])
    ppi = loaders.load_string_ppi()
    ppi_genes = set(ppi["gene_a"]) | set(ppi["gene_b"])
    edge_types = hsn["type"].astype(str).value_counts()
    dti_genes = set(dti["entrez"])
    return {
        "hsn_edges": len(hsn),
        "hsn_edge_types": {k: int(v) for k, v in sorted(edge_types.items())},
        "hsn_signed_edges": len(signed),
        "hsn_genes": len(hsn_genes),
        "hsn_genes_all": len(hsn_all),
        "ppi_edges": len(ppi),
        "ppi_genes": len(ppi_genes),
        "hsn_genes_in_ppi": len(hsn_genes & ppi_genes),
        "signed_dti_genes_in_hsn": len(dti_genes & hsn_genes),
        "signed_dti_genes_in_ppi": len(dti_genes & ppi_genes),
    }


def _compute_report(config: EntityConfig) -> dict[str, Any]:
    cd = loaders.load_ctd_chemical_disease()
    drugs = entities.drugs(config)
    dis = entities.diseases(config)
    dti = entities.signed_dti(config)
    cand = entities.table("smiles_candidates", config)
    failures = entities.smiles_failures(config)
    stats = entities.entity_stats(config)
    joins = stats["joins"]

    with_smiles = set(drugs.loc[drugs["smiles"].notna(), "chemical_id"])
    with_targets = set(dti["chemical_id"])
    ctd_dis = dis[dis["is_ctd_disease"]]
    tree_ids = set(ctd_dis.loc[ctd_dis["in_disease_tree"], "disease_id"])
    pairs = cd[["chemical_id", "disease_id"]].drop_duplicates()
    usable = pairs["chemical_id"].isin(with_smiles | with_targets) & pairs["disease_id"].isin(
        tree_ids
    )
    src_lists = dti["sources"].str.split("|")
    dti_sources = {}
    for src in sorted({s for lst in src_lists for s in lst}):
        has = src_lists.map(lambda lst, s=src: s in lst)
        dti_sources[src] = {
            "pairs": int(has.sum()),
            "chemicals": int(dti.loc[has, "chemical_id"].nunique()),
        }
    chosen = drugs["smiles_route"].dropna().value_counts()
    rep: dict[str, Any] = {
        "ctd_rows": len(cd),
        "ctd_pairs": len(pairs),
        "ctd_chemicals": int(cd["chemical_id"].nunique()),
        "ctd_diseases": int(cd["disease_id"].nunique()),
        "chemicals_with_smiles": len(with_smiles),
        "chemicals_with_signed_targets": len(with_targets),
        "chemicals_with_smiles_and_targets": len(with_smiles & with_targets),
        "chemicals_with_smiles_or_targets": len(with_smiles | with_targets),
        "diseases_in_mesh_tree": len(tree_ids),
        "mesh_disease_descriptors": int(dis["in_disease_tree"].sum()),
        "ctd_pairs_usable": int(usable.sum()),
        "genes": len(entities.genes(config)),
        "signed_dti_pairs": len(dti),
        "signed_dti_inhibition": int((dti["sign"] < 0).sum()),
        "signed_dti_activation": int((dti["sign"] > 0).sum()),
        "signed_dti_genes": int(dti["entrez"].nunique()),
        "smiles_parse_failures": len(failures),
        "smiles_conflicts": int(drugs["smiles_conflict"].sum()),
        "smiles_routes": {
            r: int(cand.loc[cand["route"] == r, "chemical_id"].nunique()) for r in ROUTES
        },
        "smiles_chosen_route": {r: int(chosen.get(r, 0)) for r in ROUTES},
        "dti_sources": dti_sources,
        "dti_sign_conflicts": stats["dti_sign_conflicts"],
        "gene_mapping": {k: v for k, v in joins.items() if k.startswith("genes.")},
        "joins": joins,
        "config": asdict(config),
    }
    rep["disease_classes"] = class_counts(dis, pairs)
    rep.update(_network_counts(dti))
    return rep


def class_counts(diseases: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per disease class: MeSH disease-tree terms, CTD disease terms and CTD pairs.

    Parameters
    ----------
    diseases
        ``entities.diseases()``.
    pairs
        Distinct CTD ``chemical_id, disease_id`` pairs.
    """
    cls = disease_classes(diseases)
    keep = diseases["is_ctd_disease"] | diseases["in_disease_tree"]
    ids = diseases["disease_id"].astype(str)
    tree = set(ids[diseases["in_disease_tree"].to_numpy()])
    ctd = set(ids[diseases["is_ctd_disease"].to_numpy()])
    of_pair = pairs["disease_id"].map(cls).fillna("disease")
    out = {}
    for c in CLASSES:
        terms = set(cls.index[(cls == c).to_numpy() & keep.to_numpy()])
        out[c] = {
            "tree_terms": len(terms & tree),
            "ctd_terms": len(terms & ctd),
            "ctd_pairs": int((of_pair == c).sum()),
        }
    return out


def coverage_report(config: EntityConfig | None = None, *, force: bool = False) -> dict[str, Any]:
    """Coverage at every join of the data layer, computed from the real bundle.

    Keys (all counts computed): ``ctd_rows``, ``ctd_pairs`` (distinct
    chemical–disease pairs), ``ctd_chemicals``, ``ctd_diseases``,
    ``chemicals_with_smiles``, ``chemicals_with_signed_targets``,
    ``chemicals_with_smiles_and_targets``, ``chemicals_with_smiles_or_targets``,
    ``diseases_in_mesh_tree`` (CTD diseases in MeSH C / F03),
    ``mesh_disease_descriptors``, ``ctd_pairs_usable`` (pairs whose drug has a
    SMILES or a signed target and whose disease is in the tree), ``genes``,
    ``signed_dti_pairs`` (+ ``_inhibition``, ``_activation``, ``_genes``),
    ``smiles_parse_failures``, ``smiles_conflicts``, ``smiles_routes``
    (chemicals with a candidate per route), ``smiles_chosen_route``,
    ``dti_sources`` (pairs and chemicals whose final sign each source
    supports), ``dti_sign_conflicts``, ``gene_mapping`` (every symbol / UniProt
    / Entrez join; ``ambiguous`` is part of ``unmatched``), ``joins`` (every
    join), ``hsn_edges``, ``hsn_edge_types``, ``hsn_signed_edges``,
    ``hsn_genes`` (genes on signed edges), ``hsn_genes_all``, ``ppi_edges``,
    ``ppi_genes``, ``hsn_genes_in_ppi``, ``signed_dti_genes_in_hsn``,
    ``signed_dti_genes_in_ppi``, ``config``.
    """
    config = config or EntityConfig()
    man = sources()
    key = {
        "version": REPORT_VERSION,
        "entities": entities.ENTITIES_VERSION,
        "action_types": entities._action_table_hash(),
        **asdict(config),
    }

    def compute(tmp: Path) -> None:
        (tmp / "report.json").write_text(json.dumps(_compute_report(config), indent=1))

    entry = cached(
        "coverage_report", key, {r: man[r].sha256 for r in REPORT_INPUTS}, compute, force=force
    )
    return json.loads((entry / "report.json").read_text())


def _fmt_counts(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in d.items())


def format_report(rep: dict[str, Any]) -> str:
    """Readable text rendering of :func:`coverage_report`'s dict."""

    def pct(a: int, b: int) -> str:
        return f"{a:>7,d} / {b:>7,d}  ({100 * a / b:5.1f}%)" if b else f"{a:>7,d}"

    n = rep["ctd_chemicals"]
    lines = [
        "CTD curated chemical-disease associations",
        f"  rows {rep['ctd_rows']:,d}; distinct pairs {rep['ctd_pairs']:,d}; "
        f"chemicals {n:,d}; diseases {rep['ctd_diseases']:,d}",
        "",
        "Drugs (CTD chemicals)",
        f"  with a SMILES                 {pct(rep['chemicals_with_smiles'], n)}",
        f"  with a signed target          {pct(rep['chemicals_with_signed_targets'], n)}",
        f"  with both                     {pct(rep['chemicals_with_smiles_and_targets'], n)}",
        f"  with either                   {pct(rep['chemicals_with_smiles_or_targets'], n)}",
        f"  SMILES conflicts between routes {rep['smiles_conflicts']:,d}; "
        f"parse failures {rep['smiles_parse_failures']:,d}",
        "  SMILES route            chemicals reached   chosen",
    ]
    for r, v in rep["smiles_routes"].items():
        lines.append(f"    {r:22s} {v:>10,d} {rep['smiles_chosen_route'].get(r, 0):>14,d}")
    lines += [
        "",
        "Diseases",
        f"  CTD diseases in the MeSH disease tree (C, F03) "
        f"{pct(rep['diseases_in_mesh_tree'], rep['ctd_diseases'])}",
        f"  MeSH descriptors in the disease tree {rep['mesh_disease_descriptors']:,d}",
        f"  CTD pairs usable (drug has SMILES or target, disease in tree) "
        f"{pct(rep['ctd_pairs_usable'], rep['ctd_pairs'])}",
        "",
        "Disease classes (ddi_core.data.disease_classes; the clinical view hides the last two)",
        "  class                         MeSH tree terms  CTD terms  CTD pairs",
        *(
            f"  {c:28s} {v['tree_terms']:>16,d} {v['ctd_terms']:>10,d} {v['ctd_pairs']:>10,d}"
            for c, v in rep.get("disease_classes", {}).items()
        ),
        "",
        "Signed drug-target interactions",
        f"  pairs {rep['signed_dti_pairs']:,d} (inhibition {rep['signed_dti_inhibition']:,d}, "
        f"activation {rep['signed_dti_activation']:,d}); genes {rep['signed_dti_genes']:,d}",
    ]
    for src, v in rep["dti_sources"].items():
        lines.append(f"    {src:22s} pairs {v['pairs']:>7,d}  chemicals {v['chemicals']:>6,d}")
    lines.append(f"  sign conflicts: {_fmt_counts(rep['dti_sign_conflicts'])}")
    lines += [
        "",
        "Networks",
        f"  HSN v7 edges {rep['hsn_edges']:,d} ({_fmt_counts(rep['hsn_edge_types'])}); "
        f"signed {rep['hsn_signed_edges']:,d}",
        f"  HSN genes on signed edges {rep['hsn_genes']:,d} (all {rep['hsn_genes_all']:,d})",
        f"  STRING PPI edges {rep['ppi_edges']:,d}; genes {rep['ppi_genes']:,d}",
        f"  HSN signed genes in PPI      {pct(rep['hsn_genes_in_ppi'], rep['hsn_genes'])}",
        f"  signed-target genes in HSN   "
        f"{pct(rep['signed_dti_genes_in_hsn'], rep['signed_dti_genes'])}",
        f"  signed-target genes in PPI   "
        f"{pct(rep['signed_dti_genes_in_ppi'], rep['signed_dti_genes'])}",
        "",
        "Every join (matched / unmatched, extra counts)",
    ]
    for name, j in rep["joins"].items():
        extra = {k: v for k, v in j.items() if k not in ("matched", "unmatched")}
        tail = f"  [{_fmt_counts(extra)}]" if extra else ""
        lines.append(f"  {name:42s} {j['matched']:>7,d} / {j['unmatched']:>7,d}{tail}")
    return "\n".join(lines)


def licences() -> list[dict[str, str]]:
    """Each bundle file with its licence, citation, group and upstream URL (manifest order)."""
    return [
        {
            "path": s.path,
            "group": s.group,
            "licence": s.licence,
            "citation": s.citation,
            "upstream_url": s.upstream_url,
        }
        for s in sources().values()
    ]
