"""Pair features built per batch from two small tables.

A drug–disease pair ``(d, s)`` is described by the concatenation
``drug_X[d] ⊕ dis_X[s]``. The full ``N × (Dd + De)`` matrix is never built:
:class:`PairFeatures` keeps the two tables and assembles each batch on the fly,
so memory is ``n_drugs × Dd + n_dis × De`` instead of ``N × (Dd + De)``.

Standardisation
---------------
:class:`PairScaler` has :class:`sklearn.preprocessing.StandardScaler`
semantics (population variance, ``ddof=0``; scale 1 for constant columns) on the
*materialised training matrix*, but computes its statistics from the tables:
the mean over training pairs of a drug column is the mean of the drug rows
weighted by how often each drug occurs in the training pairs (the same for
diseases); the variance is the weighted mean of squared deviations.

Dropping constant columns
-------------------------
:func:`constant_mask` flags columns that are constant across **every row of a
table** (for instance genes that no drug's walk reaches). Such a column holds
the same standardised value ``z_j = (c_j - mean_j) / scale_j`` for every pair
that can ever be scored, so its first-layer contribution ``W[:, j] * z_j`` is a
constant that the bias absorbs (and ``z_j`` is exactly 0 when the column is 0
everywhere, the usual case). Dropping it leaves predictions unchanged.
A column that is constant only on the *training* pairs must be kept: it is 0
after standardisation for training rows but not for a test drug whose value
differs, so dropping it would change that drug's predictions.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
import torch

from ddi_core.errors import DDIError
from ddi_core.pairs.pairs import Pairs, SyntheticPairs

log = logging.getLogger(__name__)

Table = np.ndarray | sp.csr_matrix | sp.csr_array
_CHUNK_ROWS = 1024

__all__ = [
    "PairScaler",
    "PairFeatures",
    "constant_mask",
    "standardized_features",
]


def _n_cols(X: Table) -> int:
    return int(X.shape[1])


def constant_mask(table: Table) -> np.ndarray:
    """Columns whose value is identical in every row of ``table``.

    Decide this on the whole table that will ever be scored (every drug, not just
    the training drugs); see the module docstring for why.

    Parameters
    ----------
    table : ndarray or scipy.sparse CSR, shape (n_rows, n_cols)

    Returns
    -------
    ndarray of bool, shape (n_cols,)
        True where the column is constant (and may be dropped).
    """
    if sp.issparse(table):
        csc = sp.csc_matrix(table)
        # scipy's column min/max count implicit zeros, so equal min and max means constant
        mx = csc.max(axis=0).toarray().ravel()
        mn = csc.min(axis=0).toarray().ravel()
        return np.asarray(mx == mn, dtype=bool)
    arr = np.asarray(table)
    if arr.shape[0] == 0:
        return np.ones(arr.shape[1], dtype=bool)
    return np.all(arr == arr[:1], axis=0)


def _weighted_mean_var(X: Table, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted column mean and population variance (float64, two-pass)."""
    n = float(w.sum())
    if sp.issparse(X):
        Xc = sp.csr_matrix(X, dtype=np.float64)
        mean = np.asarray(Xc.T @ w).ravel() / n
        # sum_i w_i (x_ij - m_j)^2 = n m_j^2 + sum_{stored} w_i ((x - m)^2 - m^2)
        coo = Xc.tocoo()
        wi = w[coo.row]
        m = mean[coo.col]
        contrib = wi * ((coo.data - m) ** 2 - m**2)
        ss = np.bincount(coo.col, weights=contrib, minlength=Xc.shape[1]) + n * mean**2
    else:
        Xd = np.asarray(X, dtype=np.float64)
        mean = (w @ Xd) / n
        ss = w @ (Xd - mean) ** 2
    var = np.maximum(ss / n, 0.0)
    return mean, var


def _is_constant_feature(var: np.ndarray, mean: np.ndarray, n_samples: float) -> np.ndarray:
    """scikit-learn's rule (``sklearn.preprocessing._data._is_constant_feature``)."""
    eps = np.finfo(np.float64).eps
    upper_bound = n_samples * eps * var + (n_samples * mean * eps) ** 2
    return var <= upper_bound


class PairScaler:
    """StandardScaler over pair features, fitted from the tables with pair counts.

    Equal to ``sklearn.preprocessing.StandardScaler`` fitted on the materialised
    matrix ``[drug_X[drug] ⊕ dis_X[dis]]`` of the training pairs (population
    variance, scale 1 for constant columns), without building that matrix.

    Parameters
    ----------
    drug_keep, dis_keep : ndarray of bool, optional
        Columns of each table to use (see :func:`constant_mask`). ``None`` keeps all.

    Attributes
    ----------
    drug_mean_, drug_scale_, dis_mean_, dis_scale_ : ndarray of float64
        Statistics of the kept columns of each table.
    mean_, var_, scale_ : ndarray of float64
        The same, concatenated in feature order (drug part first).
    n_samples_seen_ : int
        Number of training pairs.
    drug_counts_, dis_counts_ : ndarray of int64
        How often each row occurs in the training pairs (fingerprint of the fit).
    """

    def __init__(
        self, drug_keep: np.ndarray | None = None, dis_keep: np.ndarray | None = None
    ) -> None:
        self.drug_keep = drug_keep
        self.dis_keep = dis_keep

    def fit(
        self, drug_X: Table, dis_X: Table, drug_idx: np.ndarray, dis_idx: np.ndarray
    ) -> PairScaler:
        """Fit on the training pairs ``(drug_idx[i], dis_idx[i])``.

        Parameters
        ----------
        drug_X : ndarray or CSR, shape (n_drugs, Dd)
        dis_X : ndarray, shape (n_dis, De)
        drug_idx, dis_idx : ndarray of int, shape (n_train,)
            The training pairs only (never validation or test).

        Returns
        -------
        self
        """
        drug_idx = np.asarray(drug_idx, dtype=np.int64)
        dis_idx = np.asarray(dis_idx, dtype=np.int64)
        if len(drug_idx) == 0:
            raise DDIError("cannot fit a scaler on zero training pairs")
        wd = np.bincount(drug_idx, minlength=drug_X.shape[0]).astype(np.int64)
        ws = np.bincount(dis_idx, minlength=dis_X.shape[0]).astype(np.int64)
        n = len(drug_idx)
        stats = []
        for X, w, keep in ((drug_X, wd, self.drug_keep), (dis_X, ws, self.dis_keep)):
            Xk = X if keep is None else X[:, np.flatnonzero(keep)]
            mean, var = _weighted_mean_var(Xk, w.astype(np.float64))
            scale = np.sqrt(var)
            scale[_is_constant_feature(var, mean, n)] = 1.0
            stats.append((mean, var, scale))
        (
            (self.drug_mean_, drug_var, self.drug_scale_),
            (self.dis_mean_, dis_var, self.dis_scale_),
        ) = stats
        self.mean_ = np.concatenate([self.drug_mean_, self.dis_mean_])
        self.var_ = np.concatenate([drug_var, dis_var])
        self.scale_ = np.concatenate([self.drug_scale_, self.dis_scale_])
        self.n_samples_seen_ = n
        self.drug_counts_ = wd
        self.dis_counts_ = ws
        log.debug("PairScaler fitted on %d pairs, %d features", n, len(self.mean_))
        return self

    def fitted_on(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> bool:
        """Whether the scaler was fitted on exactly this multiset of rows."""
        if not hasattr(self, "drug_counts_"):
            return False
        wd = np.bincount(np.asarray(drug_idx, np.int64), minlength=len(self.drug_counts_))
        ws = np.bincount(np.asarray(dis_idx, np.int64), minlength=len(self.dis_counts_))
        return (
            len(wd) == len(self.drug_counts_)
            and len(ws) == len(self.dis_counts_)
            and bool(np.array_equal(wd, self.drug_counts_))
            and bool(np.array_equal(ws, self.dis_counts_))
        )


def _dense_rows(X: Table, rows: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
    sub = X[rows]
    if cols is not None:
        sub = sub[:, cols]
    if sp.issparse(sub):
        sub = sub.toarray()
    return np.asarray(sub, dtype=np.float32)


class PairFeatures:
    """Batch builder over a drug table and a disease table.

    Parameters
    ----------
    drug_X : ndarray or scipy.sparse CSR, shape (n_drugs, Dd), float32
    dis_X : ndarray, shape (n_dis, De), float32
    scaler : PairScaler, optional
        A fitted scaler; batches are standardised with it. Its keep masks decide
        which columns are used. ``None``: raw features, all columns.
    device : torch.device or str, optional
        Where batches are produced. Default: CUDA when available, else CPU.

    Notes
    -----
    On first use the (standardised, column-filtered) tables are stored once as
    dense float32 tensors on ``device``; a batch is two ``index_select`` calls
    and a concatenation. Memory: ``(n_drugs * Dd + n_dis * De) * 4`` bytes,
    independent of the number of pairs.
    """

    def __init__(
        self,
        drug_X: Table,
        dis_X: Table,
        scaler: PairScaler | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        if drug_X.shape[0] == 0 or dis_X.shape[0] == 0:
            raise DDIError("empty drug or disease table")
        self.drug_X = drug_X
        self.dis_X = dis_X
        self.scaler = scaler
        self.device = torch.device(
            device if device is not None else ("cuda" if torch.cuda.is_available() else "cpu")
        )
        self._tables: tuple[torch.Tensor, torch.Tensor] | None = None

    # -- shape -----------------------------------------------------------------
    def _keep(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        if self.scaler is None:
            return None, None
        dk = None if self.scaler.drug_keep is None else np.flatnonzero(self.scaler.drug_keep)
        sk = None if self.scaler.dis_keep is None else np.flatnonzero(self.scaler.dis_keep)
        return dk, sk

    @property
    def drug_dim(self) -> int:
        """Width of the drug part after column filtering."""
        dk, _ = self._keep()
        return _n_cols(self.drug_X) if dk is None else len(dk)

    @property
    def dis_dim(self) -> int:
        """Width of the disease part after column filtering."""
        _, sk = self._keep()
        return _n_cols(self.dis_X) if sk is None else len(sk)

    @property
    def dim(self) -> int:
        """Feature width ``drug_dim + dis_dim``."""
        return self.drug_dim + self.dis_dim

    @property
    def n_drugs(self) -> int:
        return int(self.drug_X.shape[0])

    @property
    def n_dis(self) -> int:
        return int(self.dis_X.shape[0])

    def to(self, device: torch.device | str) -> PairFeatures:
        """The same features producing batches on ``device``."""
        if torch.device(device) == self.device:
            return self
        return PairFeatures(self.drug_X, self.dis_X, scaler=self.scaler, device=device)

    # -- tables ----------------------------------------------------------------
    def scaled_table(self, which: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Standardised, column-filtered rows of one table as float32 numpy.

        Parameters
        ----------
        which : {"drug", "dis"}
        rows : ndarray of int, optional
            Rows to return (all when ``None``).
        """
        dk, sk = self._keep()
        if which == "drug":
            X, cols = self.drug_X, dk
            mean = None if self.scaler is None else self.scaler.drug_mean_
            scale = None if self.scaler is None else self.scaler.drug_scale_
        elif which == "dis":
            X, cols = self.dis_X, sk
            mean = None if self.scaler is None else self.scaler.dis_mean_
            scale = None if self.scaler is None else self.scaler.dis_scale_
        else:
            raise ValueError(f"which must be 'drug' or 'dis', not {which!r}")
        rows = np.arange(X.shape[0]) if rows is None else np.asarray(rows, np.int64)
        width = _n_cols(X) if cols is None else len(cols)
        out = np.empty((len(rows), width), dtype=np.float32)
        m32 = None if mean is None else mean.astype(np.float32)
        s32 = None if scale is None else scale.astype(np.float32)
        for lo in range(0, len(rows), _CHUNK_ROWS):  # bounded temporaries
            block = _dense_rows(X, rows[lo : lo + _CHUNK_ROWS], cols)
            if m32 is not None:
                block -= m32
                block /= s32
            out[lo : lo + len(block)] = block
        return out

    def tables(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Standardised drug and disease tables as dense tensors on ``device``."""
        if self._tables is None:
            d = torch.from_numpy(self.scaled_table("drug")).to(self.device)
            s = torch.from_numpy(self.scaled_table("dis")).to(self.device)
            self._tables = (d, s)
            log.debug(
                "feature tables on %s: drug %s, disease %s (%.1f MB)",
                self.device,
                tuple(d.shape),
                tuple(s.shape),
                (d.numel() + s.numel()) * 4 / 1e6,
            )
        return self._tables

    # -- batches ---------------------------------------------------------------
    def _idx(self, a: np.ndarray | torch.Tensor) -> torch.Tensor:
        if isinstance(a, torch.Tensor):
            return a.to(self.device, dtype=torch.long)
        return torch.as_tensor(np.asarray(a, dtype=np.int64), device=self.device)

    def batch(
        self, drug_idx: np.ndarray | torch.Tensor, dis_idx: np.ndarray | torch.Tensor
    ) -> torch.Tensor:
        """Features of pairs ``(drug_idx[i], dis_idx[i])``, shape (n, dim), float32."""
        td, ts = self.tables()
        return torch.cat(
            [td.index_select(0, self._idx(drug_idx)), ts.index_select(0, self._idx(dis_idx))],
            dim=1,
        )

    def batch_synthetic(self, syn: SyntheticPairs, idx: np.ndarray | None = None) -> torch.Tensor:
        """Features of synthetic (SMOTE) samples ``idx`` of ``syn``, shape (n, dim).

        ``x = x_a + lam * (x_b - x_a)`` in the standardised space for each table,
        the same formula imbalanced-learn uses.
        """
        if idx is None:
            idx = np.arange(len(syn))
        return self.batch_interp(syn.d1[idx], syn.d2[idx], syn.s1[idx], syn.s2[idx], syn.lam[idx])

    def batch_interp(
        self,
        d1: np.ndarray | torch.Tensor,
        d2: np.ndarray | torch.Tensor,
        s1: np.ndarray | torch.Tensor,
        s2: np.ndarray | torch.Tensor,
        lam: np.ndarray | torch.Tensor,
    ) -> torch.Tensor:
        """``[z_d1 + lam (z_d2 - z_d1)] ⊕ [z_s1 + lam (z_s2 - z_s1)]``, shape (n, dim)."""
        td, ts = self.tables()
        lam_t = torch.as_tensor(lam, dtype=torch.float32, device=self.device)[:, None]
        a = td.index_select(0, self._idx(d1))
        b = td.index_select(0, self._idx(d2))
        c = ts.index_select(0, self._idx(s1))
        e = ts.index_select(0, self._idx(s2))
        return torch.cat([a + lam_t * (b - a), c + lam_t * (e - c)], dim=1)

    def numpy_batch(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        """:meth:`batch` as a float32 numpy array (for scikit-learn baselines)."""
        return self.batch(drug_idx, dis_idx).cpu().numpy()


def standardized_features(
    drug_X: Table,
    dis_X: Table,
    train_pairs: Pairs,
    *,
    drop_constant: bool = True,
    device: torch.device | str | None = None,
) -> PairFeatures:
    """Features standardised with a :class:`PairScaler` fitted on ``train_pairs``.

    Parameters
    ----------
    drug_X, dis_X : tables
        Every drug and every disease that will ever be scored.
    train_pairs : Pairs
        The training split only (original pairs, no synthetic samples).
    drop_constant : bool
        Drop columns constant across the *whole* table (:func:`constant_mask`);
        predictions are unchanged (module docstring).
    device : torch.device or str, optional

    Returns
    -------
    PairFeatures
    """
    dk = ~constant_mask(drug_X) if drop_constant else None
    sk = ~constant_mask(dis_X) if drop_constant else None
    if dk is not None:
        log.info(
            "dropping %d/%d constant drug columns and %d/%d constant disease columns",
            int((~dk).sum()),
            len(dk),
            int((~sk).sum()),
            len(sk),
        )
    scaler = PairScaler(dk, sk).fit(drug_X, dis_X, train_pairs.drug, train_pairs.dis)
    return PairFeatures(drug_X, dis_X, scaler=scaler, device=device)
