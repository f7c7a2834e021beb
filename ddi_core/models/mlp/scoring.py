"""Exact scores of a trained pair model, with its first layer split.

The pair MLP's first layer acts on ``z_d ⊕ z_s`` (standardised drug profile
and disease embedding), so ``W·[z_d ⊕ z_s] + b = W_d·z_d + (W_s·z_s + b)``.
:class:`FactorisedScorer` computes ``A[d] = W_d·z_d`` once per drug and
``B[s] = W_s·z_s + b`` once per disease (both cached), so a pair costs the
4096-wide sum plus the remaining layers (``4096 → 1024 → 256 → 64 → 1``),
never the ``D × 4096`` product of the first layer on a built pair vector.
The remaining layers are still evaluated per pair: ReLU makes them
non-separable, so this is the whole saving (about ``D·H1 / (H1·H2 + …)``,
~5× for ``D ≈ 4,700``; ``bench/bench_scoring.py`` measures it).

:class:`ModelScorer` is the :class:`ddi_core.models.evaluate.PairScorer` face of a
model (probabilities of pairs, as the evaluation and the baselines use them):
the factorised path for a model that splits, built pair batches for any other.
Rankings (:mod:`ddi_core.rank.queries`) and evaluation therefore score with the same
code.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from ddi_core.errors import DDIError
from ddi_core.linear import split_columns
from ddi_core.models.scores import sigmoid

if TYPE_CHECKING:
    from ddi_core.pairs.features import PairFeatures

__all__ = ["FactorisedScorer", "ModelScorer", "split_layers"]


def split_layers(model: nn.Module) -> tuple[nn.Linear, nn.Module]:
    net = getattr(model, "net", None)
    if not (isinstance(net, nn.Sequential) and isinstance(net[0], nn.Linear)):
        raise DDIError("the model has no leading Linear layer (net[0]) to split")
    return net[0], net[1:]


class FactorisedScorer:
    """Exact logits of a :class:`~ddi_core.models.mlp.PairMLP` with a split, cached first layer.

    Parameters
    ----------
    model : nn.Module
        A model whose ``net`` is an ``nn.Sequential`` starting with ``nn.Linear``.
        It is put in eval mode and moved to ``features.device``.
    features : PairFeatures
        The run's features (fitted scaler); defines the device.
    batch_size : int, optional
        Pairs per pass through the remaining layers (default 8192 on CPU,
        32768 on CUDA); memory per pass is about ``batch_size · 4096 · 4`` bytes.

    Notes
    -----
    ``B`` (every disease, ``n_dis × H1``) is computed on first use; ``A`` for
    one drug is computed on the fly and, after :meth:`all_drug_parts`, for
    every drug (``n_drugs × H1``). Both are float32 on the features' device.
    Thread-safe lazy initialisation (a Streamlit server may query concurrently).
    """

    def __init__(
        self, model: nn.Module, features: PairFeatures, batch_size: int | None = None
    ) -> None:
        self.features = features
        self.device = features.device
        self.first, self.rest = split_layers(model)
        model.to(self.device).eval()
        self.model = model
        if batch_size is None:
            batch_size = 32768 if self.device.type == "cuda" else 8192
        self.batch_size = int(batch_size)
        self._dd = features.drug_dim
        with torch.no_grad():
            self._w_drug, self._w_dis = split_columns(self.first.weight.detach(), self._dd)
        self._lock = threading.Lock()
        self._B: torch.Tensor | None = None
        self._A: torch.Tensor | None = None

    @property
    def n_drugs(self) -> int:
        return self.features.n_drugs

    @property
    def n_dis(self) -> int:
        return self.features.n_dis

    # -- cached halves of the first layer -----------------------------------------
    @torch.no_grad()
    def disease_part(self) -> torch.Tensor:
        """``B = Z_s · W_sᵀ + b`` for every disease, shape (n_dis, H1)."""
        if self._B is None:
            with self._lock:
                if self._B is None:
                    _, ts = self.features.tables()
                    self._B = ts @ self._w_dis.T + self.first.bias
        return self._B

    @torch.no_grad()
    def drug_part(self, rows: np.ndarray | Sequence[int]) -> torch.Tensor:
        """``A = Z_d · W_dᵀ`` for drug rows ``rows``, shape (len(rows), H1)."""
        idx = torch.as_tensor(np.asarray(rows, np.int64), device=self.device)
        if self._A is not None:
            return self._A.index_select(0, idx)
        td, _ = self.features.tables()
        return td.index_select(0, idx) @ self._w_drug.T

    @torch.no_grad()
    def all_drug_parts(self) -> torch.Tensor:
        """``A`` for every drug (computed once, then cached), shape (n_drugs, H1)."""
        if self._A is None:
            with self._lock:
                if self._A is None:
                    td, _ = self.features.tables()
                    Wd = self._w_drug
                    A = torch.empty((td.shape[0], Wd.shape[0]), dtype=td.dtype, device=self.device)
                    for lo in range(0, td.shape[0], 1024):
                        A[lo : lo + 1024] = td[lo : lo + 1024] @ Wd.T
                    self._A = A
        return self._A

    # -- the remaining layers ------------------------------------------------------
    @torch.no_grad()
    def _rest_logits(self, pre: torch.Tensor) -> np.ndarray:
        """Logits from first-layer pre-activations ``pre`` (n, H1); ``pre`` is overwritten.

        A leading ``nn.ReLU`` of the remaining layers is applied in place (one
        ``n × H1`` buffer instead of two).
        """
        rest = self.rest
        if len(rest) and isinstance(rest[0], nn.ReLU):
            pre.relu_()
            rest = rest[1:]
        out = np.empty(pre.shape[0], dtype=np.float32)
        for lo in range(0, pre.shape[0], self.batch_size):
            out[lo : lo + self.batch_size] = (
                rest(pre[lo : lo + self.batch_size]).reshape(-1).float().cpu().numpy()
            )
        return out

    @torch.no_grad()
    def logits_for_drug(self, drug_row: int) -> np.ndarray:
        """Logits of one drug against every disease, shape (n_dis,), float32."""
        B = self.disease_part()
        a = self.drug_part([int(drug_row)])
        out = np.empty(self.n_dis, dtype=np.float32)
        for lo in range(0, self.n_dis, self.batch_size):
            out[lo : lo + self.batch_size] = self._rest_logits(a + B[lo : lo + self.batch_size])
        return out

    @torch.no_grad()
    def logits_for_disease(self, dis_row: int) -> np.ndarray:
        """Logits of every drug against one disease, shape (n_drugs,), float32."""
        A = self.all_drug_parts()
        b = self.disease_part()[int(dis_row)][None, :]
        out = np.empty(self.n_drugs, dtype=np.float32)
        for lo in range(0, self.n_drugs, self.batch_size):
            out[lo : lo + self.batch_size] = self._rest_logits(A[lo : lo + self.batch_size] + b)
        return out

    @torch.no_grad()
    def logits_pairs(self, drug_rows: np.ndarray, dis_rows: np.ndarray) -> np.ndarray:
        """Logits of pairs ``(drug_rows[i], dis_rows[i])``, shape (n,), float32."""
        drug_rows = np.asarray(drug_rows, np.int64)
        dis_rows = np.asarray(dis_rows, np.int64)
        ud, inv = np.unique(drug_rows, return_inverse=True)
        A = self.drug_part(ud)
        B = self.disease_part()
        inv_t = torch.as_tensor(inv, device=self.device)
        s_t = torch.as_tensor(dis_rows, device=self.device)
        out = np.empty(len(drug_rows), dtype=np.float32)
        for lo in range(0, len(drug_rows), self.batch_size):
            sl = slice(lo, lo + self.batch_size)
            pre = A.index_select(0, inv_t[sl])
            pre += B.index_select(0, s_t[sl])
            out[sl] = self._rest_logits(pre)
        return out

    @torch.no_grad()
    def logits_block(self, drug_rows: np.ndarray) -> np.ndarray:
        """Logits of drugs ``drug_rows`` against every disease, shape (len, n_dis), float32.

        Pairs are streamed in groups of ``max(1, batch_size // n_dis)`` drugs
        (one ``(k · n_dis) × H1`` buffer per group; bounded memory).
        """
        drug_rows = np.asarray(drug_rows, np.int64)
        B = self.disease_part()
        m = self.n_dis
        out = np.empty((len(drug_rows), m), dtype=np.float32)
        if m > self.batch_size:
            for i, d in enumerate(drug_rows):
                out[i] = self.logits_for_drug(int(d))
            return out
        k = max(1, self.batch_size // m)
        for lo in range(0, len(drug_rows), k):
            A = self.drug_part(drug_rows[lo : lo + k])
            pre = (A[:, None, :] + B[None, :, :]).reshape(-1, B.shape[1])
            out[lo : lo + len(A)] = self._rest_logits(pre).reshape(len(A), m)
        return out


class ModelScorer:
    """Probabilities from a trained pair model (eval mode, no grad).

    A model whose ``net`` starts with ``nn.Linear`` (every
    :class:`ddi_core.models.mlp.PairMLP`) is scored by :class:`FactorisedScorer`;
    any other model on built pair batches.

    Parameters
    ----------
    model : nn.Module
    features : PairFeatures
        The features the model was trained on (same scaler).
    batch_size : int
        Pairs per forward pass.
    """

    def __init__(self, model: nn.Module, features: PairFeatures, batch_size: int = 16384) -> None:
        self.model = model
        self.features = features
        self.batch_size = batch_size
        try:
            self._fact: FactorisedScorer | None = FactorisedScorer(model, features, batch_size)
        except DDIError:  # no leading Linear layer to split
            self._fact = None

    @torch.no_grad()
    def logits_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        """Logits of pairs, shape (n,), float32."""
        drug_idx = np.asarray(drug_idx, np.int64)
        dis_idx = np.asarray(dis_idx, np.int64)
        if self._fact is not None:
            return self._fact.logits_pairs(drug_idx, dis_idx)
        self.model.to(self.features.device).eval()
        out = np.empty(len(drug_idx), dtype=np.float32)
        for lo in range(0, len(drug_idx), self.batch_size):
            sl = slice(lo, lo + self.batch_size)
            x = self.features.batch(drug_idx[sl], dis_idx[sl])
            out[sl] = self.model(x).reshape(-1).float().cpu().numpy()
        return out

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        """Probabilities ``sigmoid(logit)``, shape (n,)."""
        return sigmoid(self.logits_pairs(drug_idx, dis_idx))

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        """Probabilities of every disease for each drug, shape (len(drug_idx), n_dis)."""
        drug_idx = np.asarray(drug_idx, np.int64)
        if self._fact is not None:
            return sigmoid(self._fact.logits_block(drug_idx))
        n_dis = self.features.n_dis
        d = np.repeat(drug_idx, n_dis)
        s = np.tile(np.arange(n_dis), len(drug_idx))
        return self.score_pairs(d, s).reshape(len(drug_idx), n_dis)
