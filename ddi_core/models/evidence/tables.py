"""Static evidence tables: what is known of drugs, genes and diseases, never of pairs.

Nothing here reads the drug–disease associations that the model predicts
(``ctd/Chemical_Disease_name.csv`` only fixes which chemicals and diseases are
the candidates), so the tables can be shared by every split without leakage.

Drugs
    Every CTD chemical with any evidence: a known signed target
    (``entities.signed_dti()``), CTD chemical–gene rows (``ctd/6_C_G.csv``) or
    a SMILES. Per drug: signed targets, CTD chemical genes (Entrez), the
    signed-walk profile (HSN v7, known seeds, when the drug has a seed in the
    network), a Morgan fingerprint (radius 2, 2,048 bits), the InfoGraph
    vector (when it has a SMILES) and its Repurposing Hub mechanisms of action.
    Only the Hub's ``moa`` column is read, and of it only the terms that name a
    molecular action (:data:`MECHANISM_WORDS`: "HMG-CoA reductase inhibitor",
    "calcium channel blocker"); terms that name a therapeutic use
    ("antimalarial agent", "diuretic", "tricyclic antidepressant") restate
    indications, the very labels predicted, and are dropped, as are the Hub's
    ``disease_area`` and ``indication`` columns.
Diseases
    The CTD diseases with a MeSH-network embedding (the MLP's candidates). Per
    disease: its CTD genes (``ctd/6_G_D.csv``), its MeSH tree numbers and its
    node2vec vector.
STRING distances
    ``dist[s, j]``: hops on STRING from gene ``j`` to the nearest CTD gene of
    disease ``s`` (breadth first from all of the disease's genes at once), capped
    at :data:`MAX_HOPS` + 1, for every gene that is a target or chemical gene of
    some drug.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ddi_core.cache import cached, stage_key
from ddi_core.data import entities, loaders
from ddi_core.data.genes import symbol_to_entrez
from ddi_core.data.sources import sources
from ddi_core.embed.infograph import drug_embedding, drug_embedding_dir
from ddi_core.embed.node2vec_stages import mesh_embedding
from ddi_core.models.evidence.matrices import membership, multi_source_hops
from ddi_core.walk.profiles import drug_profiles

log = logging.getLogger(__name__)

TABLES_VERSION = "3"
STAGE = "evidence-tables"
MAX_HOPS = 5
FP_BITS = 2048
#: a Repurposing Hub MOA term is kept when it names a molecular action (a word of this)
MECHANISM_WORDS = re.compile(
    r"\b(inhibitors?|agonists?|antagonists?|blockers?|modulators?|activators?|openers?"
    r"|ligands?|inducers?|enhancers?|stimulants?|releasers?|releasing|precursors?|analogs?"
    r"|analogues?|potentiators?|correctors?|sensitizers?|secretagogues?|alkylating|chelating"
    r"|scavengers?|donors?|downregulators?|stabiliz\w*|binders?|substrates?|cross-linking"
    r"|intercalat\w*|degraders?|uncouplers?|exchangers?|depolymeriz\w*|disruptors?)\b"
)


@dataclass(frozen=True)
class TablesConfig:
    """What the static tables are built from (the cache key)."""

    fp_radius: int = 2
    fp_bits: int = FP_BITS
    max_hops: int = MAX_HOPS
    #: build the InfoGraph vectors in (trains the drug encoder on first use)
    infograph: bool = True

    def key(self) -> dict[str, Any]:
        """The cache-key config (``infograph`` only when off, so older keys stay valid)."""
        d = asdict(self)
        if d.pop("infograph"):
            return d
        return {**d, "infograph": False}


def tables_config(evidence_cfg: Any) -> TablesConfig:
    """The tables an :class:`~ddi_core.config.run.EvidenceConfig` needs."""
    return TablesConfig(infograph="infograph" in tuple(evidence_cfg.drug_sims))


@dataclass
class EvidenceTables:
    """Static per-drug, per-gene and per-disease evidence.

    Attributes
    ----------
    drug_ids : ndarray of str
        Every CTD chemical with any evidence (sorted).
    dis_ids : ndarray of str
        CTD diseases with a MeSH embedding (sorted).
    gene_ids : ndarray of int64
        Entrez ids of the gene index used by the sparse matrices.
    targets, target_sign : CSR (n_drugs, n_genes)
        Known signed targets (1) and their sign (±1).
    chemgenes : CSR (n_drugs, n_genes)
        CTD chemical–gene interactions.
    dis_genes : CSR (n_dis, n_genes)
        CTD gene–disease associations.
    profile : ndarray float32 (n_profiled, n_genes_profile); profile_row, profile_genes
        Signed-walk profiles, the drug row of each, the gene index of each column.
    fp : ndarray bool (n_struct, fp_bits); struct_row
        Morgan fingerprints and their drug rows.
    infograph : ndarray float32 (n_ig, 300); infograph_row
    mesh : ndarray float32 (n_dis, d)
        MeSH node2vec vector of each disease.
    tree_numbers : list of list of str
    moa : CSR (n_drugs, n_moa); moa_terms
        Repurposing Hub mechanism-of-action terms of each drug (``moa`` split on
        ``|``, lower-cased), and the term of each column.
    dist : ndarray uint8 (n_dis, n_dist_genes); dist_genes
        STRING hops from each disease's gene set, columns = ``dist_genes``
        (indices into ``gene_ids``); 255 where the disease has no gene in STRING.
    meta : dict
        Counts (coverage of every source).
    """

    drug_ids: np.ndarray
    dis_ids: np.ndarray
    gene_ids: np.ndarray
    targets: sp.csr_matrix
    target_sign: sp.csr_matrix
    chemgenes: sp.csr_matrix
    dis_genes: sp.csr_matrix
    profile: np.ndarray
    profile_row: np.ndarray
    profile_genes: np.ndarray
    fp: np.ndarray
    struct_row: np.ndarray
    infograph: np.ndarray
    infograph_row: np.ndarray
    mesh: np.ndarray
    tree_numbers: list[list[str]]
    dist: np.ndarray
    dist_genes: np.ndarray
    moa: sp.csr_matrix = None  # type: ignore[assignment]
    moa_terms: np.ndarray = None  # type: ignore[assignment]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.moa is None:
            self.moa = sp.csr_matrix((self.n_drugs, 0), dtype=np.float32)
            self.moa_terms = np.zeros(0, dtype=str)

    @property
    def n_drugs(self) -> int:
        return len(self.drug_ids)

    @property
    def n_dis(self) -> int:
        return len(self.dis_ids)

    def drug_row(self) -> dict[str, int]:
        return {d: i for i, d in enumerate(self.drug_ids.tolist())}

    def dis_row(self) -> dict[str, int]:
        return {d: i for i, d in enumerate(self.dis_ids.tolist())}


# --------------------------------------------------------------------------- #
# the cached build
# --------------------------------------------------------------------------- #
_INPUTS = (
    loaders.CTD_CHEMICAL_DISEASE,
    loaders.CTD_CHEMICAL_GENE,
    loaders.CTD_GENE_DISEASE,
    loaders.STRING_PPI,
    loaders.HSN,
    loaders.MESH_LABELS,
    loaders.REPURPOSING_DRUGS,
)


def _inputs(cfg: TablesConfig) -> dict[str, str]:

    out = {
        **{r: sources()[r].sha256 for r in _INPUTS},
        "entities": entities.build_entities().name,
        "profiles": str(drug_profiles().meta.get("cache_key")),
        "mesh": str(mesh_embedding().meta.get("config")),
    }
    if cfg.infograph:
        out["infograph"] = drug_embedding_dir().name
    return out


def _entrez_of_symbols(symbols: pd.Series) -> pd.Series:

    m = symbol_to_entrez(symbols, entities.genes())
    m = m[m["entrez"].notna()]
    return symbols.map(dict(zip(m["symbol"], m["entrez"].astype(np.int64), strict=True)))


def _morgan(smiles: list[str], radius: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    from rdkit import Chem, RDLogger
    from rdkit.Chem import rdFingerprintGenerator

    RDLogger.DisableLog("rdApp.*")
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=bits)
    out = np.zeros((len(smiles), bits), bool)
    ok = np.zeros(len(smiles), bool)
    for i, s in enumerate(smiles):
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            continue
        out[i] = gen.GetFingerprintAsNumPy(mol).astype(bool)
        ok[i] = True
    return out, ok


def moa_membership(
    hub_drugs: pd.DataFrame, xrefs: pd.DataFrame, drow: dict[str, int]
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Drugs × mechanism-of-action terms from the Repurposing Hub.

    ``hub_drugs`` has ``pert_iname`` and ``moa`` (terms joined by ``|``);
    ``xrefs`` maps ``chemical_id`` to ``xref`` in the ``repurposing_hub``
    namespace. Terms are stripped and lower-cased, and only those naming a
    molecular action (:data:`MECHANISM_WORDS`) are kept; a chemical takes the
    terms of every Hub name mapped to it.
    """
    hx = xrefs[xrefs["namespace"] == "repurposing_hub"][["chemical_id", "xref"]].drop_duplicates()
    d = hub_drugs[["pert_iname", "moa"]].dropna()
    d = d.assign(term=d["moa"].astype(str).str.split("|")).explode("term")
    d["term"] = d["term"].str.strip().str.lower()
    d = d[d["term"].map(lambda x: bool(MECHANISM_WORDS.search(x)))]
    d = d.merge(hx, left_on="pert_iname", right_on="xref")
    d = d[d["chemical_id"].isin(drow)].drop_duplicates(["chemical_id", "term"])
    terms = np.array(sorted(d["term"].unique()), dtype=str)
    col = {t: i for i, t in enumerate(terms.tolist())}
    m = membership(
        d["chemical_id"].map(drow).to_numpy(),
        d["term"].map(col).to_numpy(),
        len(drow),
        len(terms),
    )
    return m, terms


def _compute(cfg: TablesConfig, tmp: Path) -> None:

    t0 = time.perf_counter()
    ctd_all = loaders.load_ctd_chemical_disease()
    ctd = ctd_all[~ctd_all["disease_id"].str.startswith("OMIM:")]
    drugs = entities.drugs()
    dti = entities.signed_dti()
    cg = loaders.load_ctd_chemical_gene()
    gd = loaders.load_ctd_gene_disease()
    ppi = loaders.load_string_ppi()
    prof = drug_profiles()
    mesh = mesh_embedding()
    meta: dict[str, Any] = {"config": asdict(cfg)}

    cg = cg.assign(entrez=_entrez_of_symbols(cg["gene_symbol"]))
    meta["chemgene_rows"] = int(len(cg))
    meta["chemgene_rows_mapped"] = int(cg["entrez"].notna().sum())
    cg = cg[cg["entrez"].notna()]
    gd = gd.assign(entrez=_entrez_of_symbols(gd["gene_symbol"]))
    meta["genedisease_rows"] = int(len(gd))
    meta["genedisease_rows_mapped"] = int(gd["entrez"].notna().sum())
    gd = gd[gd["entrez"].notna()]

    # the drug universe: CTD chemicals with any evidence
    chems = pd.Index(sorted(ctd_all["chemical_id"].unique()))
    smi = drugs.set_index("chemical_id")["smiles"].reindex(chems)
    has_smiles = smi.notna() & (smi.astype(str).str.strip() != "")
    has_target = chems.isin(dti["chemical_id"])
    has_cg = chems.isin(cg["chemical_id"])
    keep = np.asarray(has_smiles) | has_target | has_cg
    meta["ctd_chemicals"] = int(len(chems))
    meta["with_smiles"] = int(has_smiles.sum())
    meta["with_signed_target"] = int(has_target.sum())
    meta["with_chemgenes"] = int(has_cg.sum())
    meta["with_any_evidence"] = int(keep.sum())
    drug_ids = np.asarray(chems[keep]).astype(str)
    drow = {d: i for i, d in enumerate(drug_ids.tolist())}

    # candidate diseases: CTD diseases with a MeSH embedding
    mesh_ids = np.asarray(mesh.ids).astype(str)
    ctd_dis = set(ctd["disease_id"])
    dis_mask = np.array([m in ctd_dis for m in mesh_ids])
    dis_ids = mesh_ids[dis_mask]
    mesh_vec = mesh.vectors[dis_mask].astype(np.float32)
    srow = {d: i for i, d in enumerate(dis_ids.tolist())}
    meta["ctd_diseases"] = len(ctd_dis)
    meta["diseases_embedded"] = int(len(dis_ids))

    # the gene index
    ppi_genes = np.union1d(ppi["gene_a"].to_numpy(np.int64), ppi["gene_b"].to_numpy(np.int64))
    gene_ids = np.unique(
        np.concatenate(
            [
                dti["entrez"].to_numpy(np.int64),
                cg["entrez"].to_numpy(np.int64),
                gd["entrez"].to_numpy(np.int64),
                np.asarray(prof.gene_ids, np.int64),
                ppi_genes,
            ]
        )
    )
    grow = pd.Series(np.arange(len(gene_ids)), index=gene_ids)
    n_d, n_s, n_g = len(drug_ids), len(dis_ids), len(gene_ids)

    t = dti[dti["chemical_id"].isin(drow)]
    r, c = t["chemical_id"].map(drow).to_numpy(), grow[t["entrez"].to_numpy(np.int64)].to_numpy()
    targets = membership(r, c, n_d, n_g)
    target_sign = membership(r, c, n_d, n_g, t["sign"].to_numpy(np.float32))

    def genes_of(df: pd.DataFrame, key: str, rows: dict[str, int], n_rows: int) -> sp.csr_matrix:
        """Rows (chemicals or diseases) × genes membership of ``df``'s (key, entrez) pairs."""
        t = df[df[key].isin(rows)]
        return membership(
            t[key].map(rows).to_numpy(),
            grow[t["entrez"].to_numpy(np.int64)].to_numpy(),
            n_rows,
            n_g,
        )

    chemgenes = genes_of(cg, "chemical_id", drow, n_d)
    dis_genes = genes_of(gd, "disease_id", srow, n_s)
    meta["drugs_with_targets"] = int((targets.getnnz(axis=1) > 0).sum())
    meta["drugs_with_chemgenes"] = int((chemgenes.getnnz(axis=1) > 0).sum())
    meta["diseases_with_genes"] = int((dis_genes.getnnz(axis=1) > 0).sum())

    # walk profiles
    pid = np.asarray(prof.drug_ids).astype(str)
    pin = np.array([p in drow for p in pid])
    profile = np.asarray(prof.X, np.float32)[pin]
    profile_row = np.array([drow[p] for p in pid[pin]], np.int64)
    profile_genes = grow[np.asarray(prof.gene_ids, np.int64)].to_numpy(np.int64)
    meta["drugs_with_profile"] = int(len(profile_row))

    # structures
    srows = np.flatnonzero(np.asarray(has_smiles)[keep])
    fp, ok = _morgan(
        [str(smi.iloc[np.flatnonzero(keep)[i]]) for i in srows], cfg.fp_radius, cfg.fp_bits
    )
    fp, struct_row = fp[ok], srows[ok].astype(np.int64)
    meta["drugs_with_fingerprint"] = int(len(struct_row))
    meta["smiles_unparsable"] = int((~ok).sum())
    if cfg.infograph:
        ig = drug_embedding()
        igid = np.asarray(ig.ids).astype(str)
        iin = np.array([g in drow for g in igid])
        infograph = ig.vectors[iin].astype(np.float32)
        infograph_row = np.array([drow[g] for g in igid[iin]], np.int64)
    else:
        infograph, infograph_row = np.zeros((0, 300), np.float32), np.zeros(0, np.int64)
    meta["drugs_with_infograph"] = int(len(infograph_row))

    # Repurposing Hub mechanisms of action
    moa, moa_terms = moa_membership(
        loaders.load_repurposing_drugs(), entities.chemical_xrefs(), drow
    )
    meta["drugs_with_moa"] = int((moa.getnnz(axis=1) > 0).sum())
    meta["moa_terms"] = int(len(moa_terms))

    # MeSH tree numbers
    dis = entities.diseases().set_index("disease_id")["tree_numbers"].reindex(dis_ids).fillna("")
    tree_numbers = [[t for t in str(x).split("|") if t.strip()] for x in dis]

    # STRING distances from each disease's genes to every drug gene
    pg = grow[ppi_genes].to_numpy()
    a = grow[ppi["gene_a"].to_numpy(np.int64)].to_numpy()
    b = grow[ppi["gene_b"].to_numpy(np.int64)].to_numpy()
    adj = membership(np.concatenate([a, b]), np.concatenate([b, a]), n_g, n_g)
    dist_genes = np.flatnonzero(np.asarray((targets + chemgenes).sum(axis=0)).ravel() > 0)
    in_ppi = np.zeros(n_g, bool)
    in_ppi[pg] = True
    src = dis_genes.multiply(sp.csr_matrix(in_ppi.astype(np.float32)[None, :])).tocsr()
    src.eliminate_zeros()
    dist = multi_source_hops(adj, src, cfg.max_hops, dist_genes)
    not_in_ppi = ~in_ppi[dist_genes]
    dist[:, not_in_ppi] = cfg.max_hops + 1  # an off-network gene is never close
    dist[np.asarray(src.sum(axis=1)).ravel() == 0] = 255
    meta["diseases_with_genes_in_string"] = int((np.asarray(src.sum(axis=1)).ravel() > 0).sum())
    meta["dist_genes"] = int(len(dist_genes))
    meta["seconds"] = round(time.perf_counter() - t0, 2)

    np.savez(
        tmp / "tables.npz",
        drug_ids=drug_ids,
        dis_ids=dis_ids,
        gene_ids=gene_ids,
        profile=profile,
        profile_row=profile_row,
        profile_genes=profile_genes,
        fp=np.packbits(fp, axis=1),
        struct_row=struct_row,
        infograph=infograph,
        infograph_row=infograph_row,
        mesh=mesh_vec,
        dist=dist,
        dist_genes=dist_genes,
        moa_terms=moa_terms,
    )
    for name, m in (
        ("targets", targets),
        ("target_sign", target_sign),
        ("chemgenes", chemgenes),
        ("dis_genes", dis_genes),
        ("moa", moa),
    ):
        sp.save_npz(tmp / f"{name}.npz", m)
    (tmp / "tree_numbers.json").write_text(json.dumps(tree_numbers))
    (tmp / "tables.json").write_text(json.dumps(meta, indent=1))
    log.info(
        "evidence tables: %d drugs, %d diseases, %d genes in %.1fs", n_d, n_s, n_g, meta["seconds"]
    )


def tables_key(cfg: TablesConfig | None = None) -> str:
    """The cache key :func:`evidence_tables` builds under for ``cfg`` now (what a run
    records as ``pairs.tables``), without building or loading the tables."""

    cfg = cfg or TablesConfig()
    return stage_key(STAGE, {"v": TABLES_VERSION, **cfg.key()}, _inputs(cfg))


def evidence_tables(cfg: TablesConfig | None = None, *, force: bool = False) -> EvidenceTables:
    """The static evidence tables (cached by config and input hashes)."""
    cfg = cfg or TablesConfig()
    entry = cached(
        STAGE,
        {"v": TABLES_VERSION, **cfg.key()},
        _inputs(cfg),
        lambda tmp: _compute(cfg, tmp),
        force=force,
    )
    z = np.load(entry / "tables.npz", allow_pickle=False)
    fp = np.unpackbits(z["fp"], axis=1, count=cfg.fp_bits).astype(bool)
    meta = json.loads((entry / "tables.json").read_text())
    meta["cache_key"] = entry.name
    return EvidenceTables(
        drug_ids=z["drug_ids"],
        dis_ids=z["dis_ids"],
        gene_ids=z["gene_ids"],
        targets=sp.load_npz(entry / "targets.npz").tocsr(),
        target_sign=sp.load_npz(entry / "target_sign.npz").tocsr(),
        chemgenes=sp.load_npz(entry / "chemgenes.npz").tocsr(),
        dis_genes=sp.load_npz(entry / "dis_genes.npz").tocsr(),
        profile=z["profile"],
        profile_row=z["profile_row"],
        profile_genes=z["profile_genes"],
        fp=fp,
        struct_row=z["struct_row"],
        infograph=z["infograph"],
        infograph_row=z["infograph_row"],
        mesh=z["mesh"],
        tree_numbers=json.loads((entry / "tree_numbers.json").read_text()),
        dist=z["dist"],
        dist_genes=z["dist_genes"],
        moa=sp.load_npz(entry / "moa.npz").tocsr(),
        moa_terms=z["moa_terms"],
        meta=meta,
    )


__all__ = [
    "TablesConfig",
    "tables_config",
    "EvidenceTables",
    "evidence_tables",
    "tables_key",
    "moa_membership",
]
