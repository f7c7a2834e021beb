"""Pair features of the evidence model, from the static tables and a training matrix ``A``.

``A`` is the binary drug × disease matrix of the associations a feature may
see. :class:`FeatureBuilder` computes, for a block of drugs against every (or
some) disease, the families below. NaN means "no such evidence for this drug
or disease" (LightGBM learns a direction for missing values).

``popularity``
    ``dis_pop``: training positives of the disease; ``drug_deg``: of the drug.
``drug_knn`` (per drug similarity ``k``)
    The ``knn_k`` drugs most similar to this drug among drugs with a training
    positive (itself excluded): ``k_knn_frac`` = similarity-weighted share of
    them known for the disease, ``k_knn_count`` = how many of them are,
    ``k_knn_wsum`` = their summed similarity, ``k_max`` = the highest
    similarity to any drug known for the disease, and ``k_knn_j`` (per disease
    similarity ``j`` of ``knn_dis_sims``) = the similarity-weighted mean over
    the neighbours of the disease's closest similarity to a neighbour's known
    disease (the vote, smoothed over similar diseases).
``gene_cf`` (per gene set ``g``: signed targets, CTD chemical genes)
    Rephetio's compound–gene–compound–disease metapath: for each of the drug's
    genes, the share of the *training* drugs acting on that gene that are known
    for the disease; ``genecf_g_mean`` (over the drug's genes) and
    ``genecf_g_max``.
``disease_sim`` (per disease similarity ``j``)
    Over the drug's training diseases: ``j_max`` (most similar one) and
    ``j_mean``.
``network`` (built on ``ctd/6_G_D.csv``)
    ``walk_share_abs`` / ``walk_share_signed``: the share of the drug's walk
    profile (``Σ|p|`` normalised) lying on the disease's CTD genes, absolute and
    signed; ``walk_enrichment``: that share over the disease genes' share of the
    network; ``target_genes_shared`` / ``chem_genes_shared``: the drug's signed
    targets / CTD chemical genes that are disease genes; ``chem_genes_jaccard``;
    ``prox_targets`` / ``prox_chemgenes``: the mean STRING hops from each target
    (chemical gene) to the nearest disease gene (closest-distance proximity);
    ``dis_n_genes``, ``drug_n_targets``, ``drug_n_chemgenes``.
``ease``
    The EASE score (:mod:`ddi_core.models.ease`).
``krr``
    ``drug_krr``: kernel ridge regression of the disease labels on the drug
    kernel ``K`` = the sum of the configured drug similarities (each with a unit
    diagonal on the drugs it covers), fitted on the drugs with a training
    positive: ``α = (K_tt + λI)⁻¹ A_t`` and ``score(d) = K_dt α`` with the
    drug's own entry of ``K_dt`` set to 0 (a drug never votes for itself).
    Unlike the kNN vote it weighs neighbours jointly, so a cluster of redundant
    near-identical neighbours counts once rather than twenty times (the
    regularized-least-squares method of drug–target prediction, van Laarhoven
    et al. 2011). NaN for a drug no similarity covers.

Leakage: the builder only ever sees ``A``. Training pairs get their features
from ``A`` minus their own fold (:func:`oof_features`); validation and test
pairs from the training positives. :func:`fold_assignment` groups folds like
the split (pairs, drugs or diseases), so a training drug in the unseen-drug
setting looks as unseen as a test drug.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.ease import ease_weights
from ddi_core.models.evidence.kernel import KernelRidge, drug_kernel
from ddi_core.models.evidence.names import GENE_CF, feature_names
from ddi_core.models.evidence.similarity import (
    GENE_DISEASE_SIMS,
    DrugSimilarity,
    disease_similarity,
    drug_similarity,
)
from ddi_core.models.evidence.tables import EvidenceTables

log = logging.getLogger(__name__)

BLOCK_DRUGS = 256


def _cols_of(M: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``M[:, cols]`` without a copy when ``cols`` is every column in order."""
    if len(cols) == M.shape[1] and (
        len(cols) == 0 or (cols[0] == 0 and np.all(np.diff(cols) == 1))
    ):
        return M
    return M[:, cols]


@dataclass
class Similarities:
    """The similarities a config uses (built once per loaded table set)."""

    drug: dict[str, DrugSimilarity]
    dis: dict[str, np.ndarray]
    knn_dis: dict[str, np.ndarray] = None  # type: ignore[assignment]
    #: the ``krr`` family's drug kernel over every table drug (None when the family is off)
    kernel: np.ndarray | None = None

    @classmethod
    def build(cls, t: EvidenceTables, cfg: EvidenceConfig) -> Similarities:
        want = "drug_knn" in cfg.families or "krr" in cfg.families
        drug = {k: drug_similarity(t, k) for k in cfg.drug_sims} if want else {}
        ok = [
            j
            for j in (*cfg.dis_sims, *cfg.knn_dis_sims)
            if cfg.gene_disease or j not in GENE_DISEASE_SIMS
        ]
        cache = {j: disease_similarity(t, j) for j in dict.fromkeys(ok)}
        dis = (
            {j: cache[j] for j in cfg.dis_sims if j in cache}
            if "disease_sim" in cfg.families
            else {}
        )
        knn_dis = (
            {j: cache[j] for j in cfg.knn_dis_sims if j in cache}
            if "drug_knn" in cfg.families
            else {}
        )
        kernel = drug_kernel(drug.values(), t.n_drugs) if "krr" in cfg.families else None
        return cls(drug, dis, knn_dis, kernel)


class _Static:
    """A-independent per-drug and per-disease arrays of the network family."""

    def __init__(self, t: EvidenceTables):
        self.t = t
        n_d = t.n_drugs
        prof = np.asarray(t.profile, np.float32)
        tot = np.abs(prof).sum(axis=1)
        self.prof_abs = np.divide(
            np.abs(prof), tot[:, None], out=np.zeros_like(prof), where=tot[:, None] > 0
        )
        self.prof_sig = np.divide(
            prof, tot[:, None], out=np.zeros_like(prof), where=tot[:, None] > 0
        )
        self.prof_pos = np.full(n_d, -1, np.int64)
        self.prof_pos[t.profile_row] = np.arange(len(t.profile_row))
        G = (t.dis_genes > 0).astype(np.float32).tocsc()
        self.G_prof_T = G[:, t.profile_genes].T.tocsr()  # (n_prof_genes, n_dis)
        n_net = len(t.profile_genes)
        in_net = np.asarray(self.G_prof_T.sum(axis=0), np.float32).ravel()
        self.net_share = np.where(in_net > 0, in_net / max(n_net, 1), np.nan).astype(np.float32)
        self.G_T = G.T.tocsr().astype(np.float32)  # (n_genes, n_dis)
        self.dis_n_genes = np.asarray(G.sum(axis=1), np.float32).ravel()
        self.T = (t.targets > 0).astype(np.float32).tocsr()
        self.C = (t.chemgenes > 0).astype(np.float32).tocsr()
        self.n_targets = np.asarray(self.T.sum(axis=1), np.float32).ravel()
        self.n_chem = np.asarray(self.C.sum(axis=1), np.float32).ravel()
        d = t.dist.astype(np.float32)
        d[t.dist == 255] = np.nan
        self.distT = np.ascontiguousarray(d.T)  # (n_dist_genes, n_dis)
        self.T_dist = self.T[:, t.dist_genes].tocsr()
        self.C_dist = self.C[:, t.dist_genes].tocsr()


def _dense(x) -> np.ndarray:
    """A float32 ndarray of a sparse or dense product."""
    return np.asarray(x.toarray() if sp.issparse(x) else x, np.float32)


def _mean_hops(M: sp.csr_matrix, distT: np.ndarray) -> np.ndarray:
    """Mean over each row's genes of the hops to the disease; NaN for a row without genes."""
    n = np.asarray(M.sum(axis=1), np.float32).ravel()
    out = np.full((M.shape[0], distT.shape[1]), np.nan, np.float32)
    ok = np.flatnonzero(n > 0)
    if len(ok):
        out[ok] = _dense(M[ok] @ distT) / n[ok, None]
    return out


def _colmax(S: np.ndarray, Acsc: sp.csc_matrix) -> np.ndarray:
    """``out[i, s] = max over rows r with Acsc[r, s] > 0 of S[i, r]``; NaN for an empty column."""
    q, n_cols = S.shape[0], Acsc.shape[1]
    out = np.full((q, n_cols), np.nan, np.float32)
    counts = np.diff(Acsc.indptr)
    nz = np.flatnonzero(counts)
    if len(nz) == 0 or q == 0:
        return out
    vals = S[:, Acsc.indices]
    out[:, nz] = np.maximum.reduceat(vals, Acsc.indptr[nz], axis=1)
    return out


def _rowmax(Sim: np.ndarray, Ablock: sp.csr_matrix, cols: np.ndarray) -> np.ndarray:
    """``out[i, c] = max over s' in row i of Ablock of Sim[s', cols[c]]``; NaN for an empty row."""
    q = Ablock.shape[0]
    out = np.full((q, len(cols)), np.nan, np.float32)
    counts = np.diff(Ablock.indptr)
    nz = np.flatnonzero(counts)
    if len(nz) == 0:
        return out
    vals = Sim[np.ix_(Ablock.indices, cols)] if len(cols) < Sim.shape[1] else Sim[Ablock.indices]
    out[nz] = np.maximum.reduceat(vals, Ablock.indptr[nz], axis=0)
    return out


def _rowmax_chunked(Sim: np.ndarray, A: sp.csr_matrix, chunk: int = 256) -> np.ndarray:
    """:func:`_rowmax` over every column, in row chunks, with 0 for an empty row."""
    cols = np.arange(Sim.shape[1])
    out = np.zeros((A.shape[0], Sim.shape[1]), np.float32)
    for lo in range(0, A.shape[0], chunk):
        out[lo : lo + chunk] = np.nan_to_num(_rowmax(Sim, A[lo : lo + chunk], cols))
    return out


class FeatureBuilder:
    """Features of drug blocks against diseases, seeing only the associations ``A``.

    Parameters
    ----------
    tables : EvidenceTables
    sims : Similarities
    cfg : EvidenceConfig
    A : sparse (n_drugs, n_dis)
        The associations the features may use (binary).
    ease_lambda : float
        EASE's ``λ`` (used when the ``ease`` family is on).
    static : _Static, optional
        Shared A-independent arrays (built when absent).
    """

    def __init__(
        self,
        tables: EvidenceTables,
        sims: Similarities,
        cfg: EvidenceConfig,
        A: sp.spmatrix,
        ease_lambda: float = 100.0,
        static: _Static | None = None,
    ):
        self.t, self.sims, self.cfg = tables, sims, cfg
        self.names = feature_names(cfg)
        A = sp.csr_matrix(A, dtype=np.float32)
        A.data[:] = 1.0
        A.eliminate_zeros()
        self.A = A
        self.dis_pop = np.asarray(A.sum(axis=0), np.float32).ravel()
        self.drug_deg = np.asarray(A.sum(axis=1), np.float32).ravel()
        self.has_pos = self.drug_deg > 0
        self.ease_lambda = float(ease_lambda)
        self.B = ease_weights(A, ease_lambda) if "ease" in cfg.families else None
        self.static = (
            static
            if static is not None
            else (_Static(tables) if "network" in cfg.families else None)
        )
        # gene-level rates: share of the training drugs acting on a gene known for a disease
        self._genecf = {}
        self._genecf_n: dict[str, np.ndarray] = {}
        if "gene_cf" in cfg.families:
            for g in GENE_CF:
                M = (tables.targets if g == "targets" else tables.chemgenes) > 0
                M = sp.csr_matrix(M, dtype=np.float32)
                Mt = M.multiply(sp.csr_matrix(self.has_pos.astype(np.float32)[:, None])).tocsr()
                n_g = np.asarray(Mt.sum(axis=0), np.float32).ravel()
                rate = sp.csr_matrix(Mt.T @ A)  # genes x diseases: training drugs known for s
                inv = np.divide(1.0, n_g, out=np.zeros_like(n_g), where=n_g > 0)
                rate = sp.diags(inv) @ rate
                self._genecf[g] = (M, rate.tocsr(), n_g > 0)
                self._genecf_n[g] = n_g
        # kernel ridge weights over the drugs with a training positive
        self._krr = (
            KernelRidge(sims.kernel, A, np.flatnonzero(self.has_pos), cfg.krr_lambda)
            if "krr" in cfg.families and sims.kernel is not None
            else None
        )
        # per drug similarity: candidate neighbours (covered drugs with a training positive)
        self._cand = {}
        self._knn_dis = {}
        dis_j = [j for j in cfg.knn_dis_sims if j in sims.knn_dis]
        for k, s in (sims.drug if "drug_knn" in cfg.families else {}).items():
            c = np.flatnonzero(self.has_pos[s.rows])
            self._cand[k] = (c, A[s.rows[c]].tocsc())
            Ac = A[s.rows[c]].tocsr()
            self._knn_dis[k] = {j: _rowmax_chunked(sims.knn_dis[j], Ac) for j in dis_j}

    @property
    def n_features(self) -> int:
        return len(self.names)

    def block(self, drugs: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Features of ``drugs`` × ``cols`` (default every disease), float32 (q, m, F)."""
        drugs = np.asarray(drugs, np.int64)
        cols = np.arange(self.t.n_dis) if cols is None else np.asarray(cols, np.int64)
        q, m = len(drugs), len(cols)
        out: dict[str, np.ndarray] = {}
        fam = set(self.cfg.families)
        if "popularity" in fam:
            out["dis_pop"] = np.broadcast_to(self.dis_pop[cols][None, :], (q, m))
            out["drug_deg"] = np.broadcast_to(self.drug_deg[drugs][:, None], (q, m))
        if "drug_knn" in fam:
            for k, s in self.sims.drug.items():
                out.update(self._knn(k, s, drugs, cols))
        if "gene_cf" in fam:
            for g, (M, rate, seen) in self._genecf.items():
                out.update(self._gene_cf(g, M, rate, seen, drugs, cols))
        if "disease_sim" in fam:
            Aq = self.A[drugs]
            deg = self.drug_deg[drugs]
            for j, Sim in self.sims.dis.items():
                mean = _dense(Aq @ _cols_of(Sim, cols))
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = np.where(deg[:, None] > 0, mean / deg[:, None], np.nan)
                out[f"{j}_max"] = _rowmax(Sim, Aq, cols)
                out[f"{j}_mean"] = mean.astype(np.float32)
        if "network" in fam:
            out.update(self._network(drugs, cols))
        if "ease" in fam:
            out["ease"] = _dense(self.A[drugs] @ _cols_of(self.B, cols))
        if "krr" in fam:
            out["drug_krr"] = (
                self._krr.scores(drugs, cols)
                if self._krr is not None
                else np.full((q, m), np.nan, np.float32)
            )
        # feature-major storage (contiguous writes); the (q, m, F) view reshapes to an
        # (n, F) Fortran-ordered matrix without a copy, which LightGBM reads as is
        X = np.empty((len(self.names), q, m), np.float32)
        for i, n in enumerate(self.names):
            X[i] = out[n]
        return X.transpose(1, 2, 0)

    def _knn(
        self, k: str, s: DrugSimilarity, drugs: np.ndarray, cols: np.ndarray
    ) -> dict[str, np.ndarray]:
        q, m = len(drugs), len(cols)
        frac = np.full((q, m), np.nan, np.float32)
        cnt = np.full((q, m), np.nan, np.float32)
        wsum = np.full((q, m), np.nan, np.float32)
        mx = np.full((q, m), np.nan, np.float32)
        extra = {
            f"{k}_knn_{j}": np.full((q, m), np.nan, np.float32) for j in self._knn_dis.get(k, {})
        }
        pos = s.pos[drugs]
        inq = np.flatnonzero(pos >= 0)
        c, Ac = self._cand[k]
        if len(inq) and len(c):
            S = s.M[pos[inq]][:, c]  # self-similarity is 0 (zero diagonal)
            S = S.copy()
            S[s.rows[c][None, :] == drugs[inq][:, None]] = -np.inf  # never its own neighbour
            kk = min(self.cfg.knn_k, S.shape[1])
            top = np.argpartition(-S, kk - 1, axis=1)[:, :kk]
            r = np.arange(len(inq))[:, None]
            w = np.maximum(S[r, top], 0.0)
            W = sp.csr_matrix(
                (w.ravel(), (np.repeat(np.arange(len(inq)), kk), top.ravel())),
                shape=(len(inq), len(c)),
            )
            Acc = Ac[:, cols]
            num = _dense(W @ Acc)
            den = np.asarray(W.sum(axis=1), np.float32).ravel()
            frac[inq] = np.divide(num, den[:, None], out=np.zeros_like(num), where=den[:, None] > 0)
            wsum[inq] = num
            Wb = W.copy()
            Wb.data = (Wb.data > 0).astype(np.float32)
            cnt[inq] = _dense(Wb @ Acc)
            for j, Mj in self._knn_dis[k].items():
                v = _dense(W @ _cols_of(Mj, cols))
                extra[f"{k}_knn_{j}"][inq] = np.divide(
                    v, den[:, None], out=np.zeros_like(v), where=den[:, None] > 0
                )
            S[~np.isfinite(S)] = 0.0
            mx_q = _colmax(S, Acc.tocsc())
            mx[inq] = np.where(np.isnan(mx_q), 0.0, mx_q)
        elif len(inq):
            frac[inq], cnt[inq], wsum[inq], mx[inq] = 0.0, 0.0, 0.0, 0.0
            for v in extra.values():
                v[inq] = 0.0
        return {
            f"{k}_knn_frac": frac,
            f"{k}_knn_count": cnt,
            f"{k}_knn_wsum": wsum,
            f"{k}_max": mx,
            **extra,
        }

    def _gene_cf(
        self,
        g: str,
        M: sp.csr_matrix,
        rate: sp.csr_matrix,
        seen: np.ndarray,
        drugs: np.ndarray,
        cols: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Mean and max over the drug's genes (those acted on by a training drug) of the rate.

        The drug itself is left out of each gene's rate when it has training
        positives: ``(n·rate − A[d]) / (n − 1)``.
        """
        q, m = len(drugs), len(cols)
        mean = np.full((q, m), np.nan, np.float32)
        mx = np.full((q, m), np.nan, np.float32)
        Mq = M[drugs].tocsr()
        if Mq.nnz == 0:
            return {f"genecf_{g}_mean": mean, f"genecf_{g}_max": mx}
        n_g = self._genecf_n[g]
        owner = np.repeat(np.arange(q), np.diff(Mq.indptr))
        genes = Mq.indices
        hp = self.has_pos[drugs].astype(np.float32)[owner]
        denom = n_g[genes] - hp
        valid = denom > 0
        genes, owner, hp, denom = genes[valid], owner[valid], hp[valid], denom[valid]
        if len(genes):
            R = rate[genes][:, cols].toarray()
            Aq = self.A[drugs][:, cols].toarray()
            vals = (R * n_g[genes][:, None] - Aq[owner] * hp[:, None]) / denom[:, None]
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            rows = owner[starts]
            cnt = np.diff(np.r_[starts, len(owner)]).astype(np.float32)
            mean[rows] = np.add.reduceat(vals, starts, axis=0) / cnt[:, None]
            mx[rows] = np.maximum.reduceat(vals, starts, axis=0)
        return {f"genecf_{g}_mean": mean, f"genecf_{g}_max": mx}

    def _network(self, drugs: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        st = self.static
        q, m = len(drugs), len(cols)
        out: dict[str, np.ndarray] = {
            "drug_n_targets": np.broadcast_to(st.n_targets[drugs][:, None], (q, m)),
            "drug_n_chemgenes": np.broadcast_to(st.n_chem[drugs][:, None], (q, m)),
        }
        if not self.cfg.gene_disease:
            return out
        pp = st.prof_pos[drugs]
        ok = np.flatnonzero(pp >= 0)
        sh_abs = np.full((q, m), np.nan, np.float32)
        sh_sig = np.full((q, m), np.nan, np.float32)
        GT = st.G_prof_T[:, cols]
        if len(ok):
            sh_abs[ok] = _dense(GT.T @ st.prof_abs[pp[ok]].T).T
            sh_sig[ok] = _dense(GT.T @ st.prof_sig[pp[ok]].T).T
        with np.errstate(invalid="ignore", divide="ignore"):
            enr = sh_abs / st.net_share[cols][None, :]
        GTc = st.G_T[:, cols]
        tshared = _dense(st.T[drugs] @ GTc)
        cshared = _dense(st.C[drugs] @ GTc)
        union = st.n_chem[drugs][:, None] + st.dis_n_genes[cols][None, :] - cshared
        cjac = np.divide(cshared, union, out=np.zeros_like(cshared), where=union > 0)
        distT = _cols_of(st.distT, cols)
        out.update(
            {
                "walk_share_abs": sh_abs,
                "walk_share_signed": sh_sig,
                "walk_enrichment": enr.astype(np.float32),
                "target_genes_shared": tshared,
                "chem_genes_shared": cshared,
                "chem_genes_jaccard": cjac,
                "prox_targets": _mean_hops(st.T_dist[drugs], distT),
                "prox_chemgenes": _mean_hops(st.C_dist[drugs], distT),
                "dis_n_genes": np.broadcast_to(st.dis_n_genes[cols][None, :], (q, m)),
            }
        )
        return out

    def pairs(
        self, drug: np.ndarray, dis: np.ndarray, progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """Features of pairs ``(drug[i], dis[i])``, float32 (n, F)."""
        drug, dis = np.asarray(drug, np.int64), np.asarray(dis, np.int64)
        out = np.empty((len(drug), self.n_features), np.float32)
        ud = np.unique(drug)
        ucols, dis_pos = np.unique(dis, return_inverse=True)
        if len(ucols) > self.t.n_dis // 2:  # whole rows: no column copies of the matrices
            ucols, dis_pos = np.arange(self.t.n_dis), dis
        order = np.argsort(drug, kind="stable")
        ds = drug[order]
        for lo in range(0, len(ud), BLOCK_DRUGS):
            q = ud[lo : lo + BLOCK_DRUGS]
            X = self.block(q, ucols)
            a, b = np.searchsorted(ds, [q[0], q[-1] + 1])
            idx = order[a:b]
            qi = np.searchsorted(q, drug[idx])
            out[idx] = X[qi, dis_pos[idx]]
            if progress:
                progress(min(lo + BLOCK_DRUGS, len(ud)), len(ud))
        return out


__all__ = ["FeatureBuilder", "Similarities"]
