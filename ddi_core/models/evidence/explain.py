"""Why the evidence model scores a drug–disease pair as it does, in words and paths.

Contributions
    LightGBM's own per-prediction contributions (TreeSHAP, ``pred_contrib``):
    one value per feature, in logit units, that add up with the bias to the
    pair's logit exactly. Each is given a sentence that states the feature's
    value in plain words ("7 of the 20 drugs most similar to metformin by
    shared targets are known for this disease").
Evidence paths
    The strongest concrete chains behind the network and collaborative
    features, each edge with its source:

    * ``drug → target → disease`` (a known signed target that is a CTD gene of
      the disease; DrugCentral / SIGNOR / Hub, then CTD gene–disease);
    * ``drug → chemical gene → disease`` (CTD chemical–gene, CTD gene–disease);
    * ``drug → target → … → disease gene`` (the shortest STRING path, at most
      :data:`MAX_PATH_HOPS` hops, from a target to the nearest disease gene);
    * ``drug ~ similar drug → disease`` (a drug among the nearest neighbours
      under a similarity, known for the disease in the training split).

    Gene nodes name their Entrez id so the dashboard can open the signed walk
    of the drug at that gene.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import numpy as np

from ddi_core.data import entities
from ddi_core.data.loaders import load_string_ppi
from ddi_core.models.base import ExplainContext
from ddi_core.models.evidence.names import feature_family, uses_gene_disease

MAX_PATH_HOPS = 3
SIM_LABEL = {
    "profile": "signed-walk profile (cosine)",
    "targets": "shared signed targets (Jaccard)",
    "chemgenes": "shared CTD chemical genes (Jaccard)",
    "morgan": "chemical structure (Morgan Tanimoto)",
    "infograph": "InfoGraph structure embedding (cosine)",
    "moa": "shared mechanisms of action (Repurposing Hub, Jaccard)",
    "mesh": "MeSH-network embedding (cosine)",
    "genes": "shared CTD genes (Jaccard)",
    "tree": "MeSH tree similarity",
}

__all__ = ["describe_feature", "explain_evidence_pair", "evidence_paths"]


def describe_feature(
    name: str, value: float, *, drug: str, disease: str, k: int, n_dis_genes: int | None = None
) -> str:
    """One plain-words sentence stating a feature's value for a pair."""
    missing = value is None or not np.isfinite(value)
    base = name.split("_")[0]
    label = SIM_LABEL.get(base, base)
    if missing and name in ("dis_pop", "drug_deg", "ease"):
        return f"no training association of {drug if name != 'dis_pop' else disease} to count"
    if name == "dis_pop":
        return f"{disease} has {value:.0f} known drugs among the training associations"
    if name == "drug_deg":
        return f"{drug} has {value:.0f} known diseases among the training associations"
    if name.endswith("_knn_count"):
        if missing:
            return f"{drug} has no {label.split(' (')[0]} evidence to find similar drugs with"
        return (
            f"{value:.0f} of the {k} drugs most similar to {drug} by {label} are known "
            f"for this disease"
        )
    if name.endswith("_knn_wsum"):
        if missing:
            return f"no similar drugs by {label} (no such evidence for {drug})"
        return (
            f"the {k} drugs most similar to {drug} by {label} that are known for this "
            f"disease add up to a similarity of {value:.2f}"
        )
    if name.startswith("genecf_"):
        what = "signed targets" if "_targets_" in name else "CTD chemical genes"
        if missing:
            return f"no other drug in training acts on {drug}'s {what}"
        if name.endswith("_max"):
            return (
                f"for one of {drug}'s {what}, {value:.0%} of the other training drugs "
                f"acting on it are known for this disease"
            )
        return (
            f"on average over {drug}'s {what}, {value:.0%} of the other training drugs "
            f"acting on the same gene are known for this disease"
        )
    knn_dis = re.fullmatch(r"(\w+?)_knn_(mesh|genes|tree)", name)
    if knn_dis:
        dlabel = SIM_LABEL.get(knn_dis.group(2), knn_dis.group(2))
        if missing:
            return f"no similar drugs by {label} (no such evidence for {drug})"
        return (
            f"the {k} drugs most similar to {drug} by {label} are known for diseases close to "
            f"{disease}: their similarity-weighted closeness by {dlabel} is {value:.2f} "
            f"(1: a neighbour is known for {disease} itself)"
        )
    if name.endswith("_knn_frac"):
        if missing:
            return f"no similar drugs by {label} (no such evidence for {drug})"
        return (
            f"{value:.0%} of the similarity-weighted vote of {drug}'s {k} nearest drugs by "
            f"{label} goes to this disease"
        )
    if name == "ease":
        return (
            f"collaborative filtering (EASE) over {drug}'s other known diseases scores "
            f"{value:.3f} for this disease"
        )
    if name == "drug_krr":
        if missing:
            return (
                f"{drug} has no similarity evidence (targets, genes, structure) to weigh drugs by"
            )
        return (
            f"the drugs similar to {drug}, weighed jointly (kernel ridge regression over the "
            f"summed drug similarities), vote {value:.3f} for this disease (0: no similar "
            f"drug is known for it)"
        )
    if feature_family(name) == "drug_knn" and name.endswith("_max"):
        if missing:
            return f"{drug} has no {label.split(' (')[0]} evidence"
        return f"the drug known for this disease most similar to {drug} has {label} {value:.2f}"
    if feature_family(name) == "disease_sim":
        if missing:
            return f"{drug} has no known disease in the training associations to compare with"
        if name.endswith("_max"):
            return f"the closest of {drug}'s known diseases to {disease} has {label} {value:.2f}"
        return f"{disease} and {drug}'s known diseases have mean {label} {value:.2f}"
    genes = f"{n_dis_genes:,} " if n_dis_genes is not None else ""
    texts = {
        "walk_share_abs": (
            f"{value:.1%} of {drug}'s signed-walk profile lies on the disease's {genes}CTD genes"
        ),
        "walk_share_signed": (
            f"the signed share of the walk profile on the disease genes is "
            f"{value:+.1%} (negative: mostly inhibited)"
        ),
        "walk_enrichment": (
            f"the disease genes hold {value:.1f}x their share of the network in "
            f"{drug}'s walk profile"
        ),
        "target_genes_shared": f"{value:.0f} of {drug}'s signed targets are CTD genes of {disease}",
        "chem_genes_shared": (
            f"{value:.0f} of {drug}'s CTD chemical genes are CTD genes of {disease}"
        ),
        "chem_genes_jaccard": (
            f"{drug}'s CTD chemical genes and {disease}'s genes overlap with Jaccard {value:.3f}"
        ),
        "prox_targets": (
            f"{drug}'s signed targets lie on average {value:.1f} STRING hops from "
            f"the nearest gene of {disease}"
        ),
        "prox_chemgenes": (
            f"{drug}'s CTD chemical genes lie on average {value:.1f} STRING hops "
            f"from the nearest gene of {disease}"
        ),
        "dis_n_genes": f"{disease} has {value:.0f} CTD genes",
        "drug_n_targets": f"{drug} has {value:.0f} known signed targets",
        "drug_n_chemgenes": f"{drug} has {value:.0f} CTD chemical–gene interactions",
    }
    if missing:
        what = {"walk": "signed-walk profile", "prox": "target with a STRING path"}.get(
            name.split("_")[0], "such evidence"
        )
        return f"no {what} for this pair"
    if name in texts:
        return texts[name]
    # a feature without its own sentence still reads as words, never as a column name
    words = name.replace("_", " ").replace("knn", "nearest drugs").replace("cf", "shared genes")
    return f"evidence '{words}' for {drug} and {disease}: {value:.3g}"


def _string_adjacency(rs: ExplainContext):
    def build():
        ppi = load_string_ppi()
        adj: dict[int, set[int]] = {}
        for a, b in zip(
            ppi["gene_a"].to_numpy(np.int64), ppi["gene_b"].to_numpy(np.int64), strict=True
        ):
            adj.setdefault(int(a), set()).add(int(b))
            adj.setdefault(int(b), set()).add(int(a))
        return adj

    return rs.memo("string_adjacency", build)


def _shortest_path(
    adj: dict[int, set[int]], start: int, goals: set[int], max_hops: int
) -> list[int] | None:
    """Breadth-first path from ``start`` to the nearest of ``goals`` (sorted neighbours)."""
    if start in goals:
        return [start]
    prev = {start: None}
    q = deque([(start, 0)])
    while q:
        v, dist = q.popleft()
        if dist >= max_hops:
            continue
        for u in sorted(adj.get(v, ())):
            if u in prev:
                continue
            prev[u] = v
            if u in goals:
                path = [u]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1]
            q.append((u, dist + 1))
    return None


def evidence_paths(rs: ExplainContext, d: int, s: int, *, limit: int = 8) -> list[dict[str, Any]]:
    """The concrete evidence chains of a pair (see the module docstring), strongest first."""
    em = rs.trained
    t = em.state.tables
    row = int(em.scorer.drug_map[d])
    genes = t.gene_ids
    sym = rs.memo(
        "gene_symbol_map",
        lambda: dict(
            zip(
                entities.genes()["entrez"].astype(int),
                entities.genes()["symbol"].astype(str),
                strict=True,
            )
        ),
    )
    drug_node = {"kind": "drug", "id": str(rs.drug_ids[d]), "name": str(rs.drug_names[d])}
    dis_node = {"kind": "disease", "id": str(rs.dis_ids[s]), "name": str(rs.dis_names[s])}

    def gene_node(j: int) -> dict[str, Any]:
        e = int(genes[j]) if j < len(genes) else int(j)
        return {"kind": "gene", "id": str(e), "entrez": e, "name": sym.get(e, str(e))}

    dgenes = set(t.dis_genes[s].indices.tolist())
    tg = t.targets[row].indices.tolist()
    sign = dict(
        zip(t.target_sign[row].indices.tolist(), t.target_sign[row].data.tolist(), strict=True)
    )
    cgs = t.chemgenes[row].indices.tolist()
    dti = entities.signed_dti()
    src = dti[dti["chemical_id"] == drug_node["id"]].set_index("entrez")["sources"].to_dict()
    out: list[dict[str, Any]] = []
    for j in tg:
        if j in dgenes:
            e = int(genes[j])
            eff = "activates" if sign.get(j, 1) > 0 else "inhibits"
            out.append(
                {
                    "kind": "target is a disease gene",
                    "strength": 1.0,
                    "nodes": [drug_node, gene_node(j), dis_node],
                    "edges": [
                        f"{eff} ({src.get(e, 'known target')})",
                        "CTD gene–disease association",
                    ],
                }
            )
    for j in cgs:
        if j in dgenes:
            out.append(
                {
                    "kind": "chemical gene is a disease gene",
                    "strength": 0.8,
                    "nodes": [drug_node, gene_node(j), dis_node],
                    "edges": ["CTD chemical–gene interaction", "CTD gene–disease association"],
                }
            )
    if dgenes and tg:
        adj = _string_adjacency(rs)
        goal = {int(genes[j]) for j in dgenes}
        found = []
        for j in tg:
            if j in dgenes:
                continue
            p = _shortest_path(adj, int(genes[j]), goal, MAX_PATH_HOPS)
            if p:
                found.append(p)
        found.sort(key=len)
        gpos = {int(g): i for i, g in enumerate(genes.tolist())}
        for p in found[:3]:
            nodes = [drug_node, *[gene_node(gpos[g]) for g in p], dis_node]
            eff = "activates" if sign.get(gpos[p[0]], 1) > 0 else "inhibits"
            out.append(
                {
                    "kind": f"target {len(p) - 1} STRING hop(s) from a disease gene",
                    "strength": 0.6 / (len(p) - 1),
                    "nodes": nodes,
                    "edges": [
                        f"{eff} ({src.get(p[0], 'known target')})",
                        *["STRING interaction"] * (len(p) - 1),
                        "CTD gene–disease association",
                    ],
                }
            )
    # collaborative: nearest neighbours known for the disease in training
    fb = em.scorer.builder
    A = fb.A
    known_s = set(A[:, s].nonzero()[0].tolist())
    inv = {int(r): i for i, r in enumerate(em.scorer.drug_map.tolist())}
    names = rs.drug_names
    for k, sim in fb.sims.drug.items():
        p = sim.pos[row]
        if p < 0:
            continue
        cand = [
            c
            for c in np.argsort(-sim.M[p], kind="stable")[: fb.cfg.knn_k]
            if sim.M[p, c] > 0 and int(sim.rows[c]) in known_s
        ]
        for c in cand[:2]:
            other = int(sim.rows[c])
            nm = str(names[inv[other]]) if other in inv else str(t.drug_ids[other])
            out.append(
                {
                    "kind": f"similar drug ({SIM_LABEL[k]})",
                    "strength": float(sim.M[p, c]) * 0.5,
                    "nodes": [
                        drug_node,
                        {"kind": "drug", "id": str(t.drug_ids[other]), "name": nm},
                        dis_node,
                    ],
                    "edges": [
                        f"{SIM_LABEL[k]} {float(sim.M[p, c]):.2f}",
                        "known association (training split, CTD)",
                    ],
                }
            )
    out.sort(key=lambda r: -r["strength"])
    return out[:limit]


def explain_evidence_pair(rs: ExplainContext, d: int, s: int, top: int = 10) -> dict[str, Any]:
    """The evidence model's part of one pair's explanation (JSON-ready): the feature
    contributions in words, their sums by family, the bias and the evidence paths."""
    em = rs.trained
    sc = em.scorer
    names = sc.booster.feature_names
    x = sc.features_block(np.array([d]), np.array([s]))[0, 0]
    contrib = sc.contributions(d, s)
    drug_name, dis_name = str(rs.drug_names[d]), str(rs.dis_names[s])
    n_genes = int(em.state.tables.dis_genes[s].nnz)
    rows = []
    for i, n in enumerate(names):
        v = float(x[i])
        rows.append(
            {
                "feature": n,
                "family": feature_family(n),
                "gene_disease": uses_gene_disease(n),
                "value": v if np.isfinite(v) else None,
                "contribution": float(contrib[i]),
                "text": describe_feature(
                    n,
                    v,
                    drug=drug_name,
                    disease=dis_name,
                    k=em.config.evidence.knn_k,
                    n_dis_genes=n_genes,
                ),
            }
        )
    rows.sort(key=lambda r: -abs(r["contribution"]))
    fam: dict[str, float] = {}
    for r in rows:
        fam[r["family"]] = fam.get(r["family"], 0.0) + r["contribution"]
    return {
        "bias": float(contrib[-1]),
        "contributions": rows[:top],
        "all_contributions": rows,
        "family_contributions": fam,
        "paths": evidence_paths(rs, d, s),
        "disease_genes": {"ctd_genes": n_genes},
        "method": {
            "contributions": "LightGBM pred_contrib (TreeSHAP): per-feature log-odds that sum "
            "with the bias to the logit",
            "paths": "concrete target, chemical-gene, STRING and similar-drug chains behind "
            "the features",
        },
    }
