"""The fitted target classifier applied to every drug x every gene, with its first layer split (exact, batched)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ddi_core.device import resolve_device
from ddi_core.linear import split_columns
from ddi_core.targets.decision import (
    ACTIVATION,
    DEFAULT_ACTIVATION_THRESHOLD,
    DEFAULT_INHIBITION_THRESHOLD,
    INHIBITION,
    NONE,
    decide,
    top_k_calls,
    top_k_classes,
)
from ddi_core.targets.model import DrugTargetClassifier, Precision, _fold_bn

log = logging.getLogger(__name__)


def _bf16_fast() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@dataclass
class GridResult:
    """Decisions of every drug × gene pair, kept sparse (non-``none`` only).

    Attributes
    ----------
    drug_idx, gene_idx : numpy.ndarray
        int64 row/column of each pair whose decision is not ``none``.
    cls : numpy.ndarray
        int64 decided class (0 inhibition or 2 activation).
    proba : numpy.ndarray
        float32 ``(m, 3)`` probabilities (full float32 precision).
    counts : dict
        Pairs per decided class over the whole grid, plus timing and precision.
    """

    drug_idx: np.ndarray
    gene_idx: np.ndarray
    cls: np.ndarray
    proba: np.ndarray
    counts: dict[str, Any] = field(default_factory=dict)


class FactorisedTargetScorer:
    """A fitted :class:`TargetNet` in eval mode, first layer split by drug and gene.

    ``logits(d ⊕ g) = head(ELU(P_d(d) + P_g(g)))`` where ``P_d(d) = s·W_d·d̃ + c``,
    ``P_g(g) = s·W_g·g̃``, ``x̃`` is the standardized input, and ``s``/``c`` fold
    BatchNorm's running statistics and affine parameters. ``head`` is the rest
    of the network with every BatchNorm folded into its Linear.

    Build with :meth:`from_classifier`. The pair MLP's counterpart is
    :class:`ddi_core.models.mlp.scoring.FactorisedScorer`; both split their first
    layer with :func:`ddi_core.linear.split_columns`.
    """

    def __init__(
        self,
        w_drug: torch.Tensor,
        w_gene: torch.Tensor,
        bias: torch.Tensor,
        head: list[tuple[torch.Tensor, torch.Tensor]],
        mean: np.ndarray,
        scale: np.ndarray,
        drug_dim: int,
        device: torch.device,
    ):
        self.w_drug = w_drug
        self.w_gene = w_gene
        self.bias = bias
        self.head = head
        self.mean = mean
        self.scale = scale
        self.drug_dim = drug_dim
        self.device = device
        self._heads: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {}
        #: added to the logits before the softmax (:func:`prior_shift`); None = none
        self.logit_shift: torch.Tensor | None = None

    def with_prior_shift(self, shift: np.ndarray | None) -> FactorisedTargetScorer:
        """This scorer with probabilities corrected by a per-class logit shift."""
        self.logit_shift = (
            None
            if shift is None
            else torch.as_tensor(np.asarray(shift, np.float32), device=self.device)
        )
        return self

    @classmethod
    def from_classifier(
        cls, clf: DrugTargetClassifier, device: str | torch.device | None = None
    ) -> FactorisedTargetScorer:
        dev = resolve_device(device if device is not None else clf.device)
        net = clf.model_.eval()
        blocks = net.hidden_blocks()
        w1, b1 = _fold_bn(*blocks[0])
        dd = clf.drug_dim
        head = [tuple(t.to(dev) for t in _fold_bn(lin, bn)) for lin, bn in blocks[1:]]
        head.append((net.output.weight.detach().to(dev), net.output.bias.detach().to(dev)))
        w_drug, w_gene = split_columns(w1, dd)
        return cls(
            w_drug.to(dev),
            w_gene.to(dev),
            b1.to(dev),
            head,
            clf.mean_,
            clf.scale_,
            dd,
            dev,
        )

    @torch.no_grad()
    def project_drugs(self, vectors: np.ndarray) -> torch.Tensor:
        """``P_d`` of each drug vector (bias included), shape ``(n, hidden)``."""
        d = (np.asarray(vectors, np.float32) - self.mean[: self.drug_dim]) / self.scale[
            : self.drug_dim
        ]
        return torch.from_numpy(d.astype(np.float32)).to(self.device) @ self.w_drug.T + self.bias

    @torch.no_grad()
    def project_genes(self, vectors: np.ndarray) -> torch.Tensor:
        """``P_g`` of each gene vector, shape ``(n, hidden)``."""
        g = (np.asarray(vectors, np.float32) - self.mean[self.drug_dim :]) / self.scale[
            self.drug_dim :
        ]
        return torch.from_numpy(g.astype(np.float32)).to(self.device) @ self.w_gene.T

    def _head(self, dtype: torch.dtype) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``(W.T, b)`` of the layers after the first, in ``dtype`` (cached)."""
        key = str(dtype)
        if key not in self._heads:
            self._heads[key] = [(w.T.contiguous().to(dtype), b.to(dtype)) for w, b in self.head]
        return self._heads[key]

    @torch.no_grad()
    def head_proba(self, h1_pre: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities (float32) from first-layer pre-activations.

        The matrix products run in ``h1_pre``'s dtype (bfloat16 is a fast screen
        on CPUs with AMX). ``h1_pre`` is overwritten.
        """
        layers = self._head(h1_pre.dtype)
        h = torch.nn.functional.elu(h1_pre, inplace=True)
        for wt, b in layers[:-1]:
            h = torch.nn.functional.elu(torch.addmm(b, h, wt), inplace=True)
        wt, b = layers[-1]
        logits = torch.addmm(b, h, wt).float()
        if self.logit_shift is not None:
            logits = logits + self.logit_shift
        return torch.softmax(logits, dim=1)

    @torch.no_grad()
    def proba_pairs(
        self, drug_part: torch.Tensor, gene_part: torch.Tensor, di: np.ndarray, gi: np.ndarray
    ) -> np.ndarray:
        """float32 probabilities of the pairs ``(di[k], gi[k])`` of projected tables."""
        out = []
        for s in range(0, len(di), 32768):
            a = torch.as_tensor(di[s : s + 32768], device=self.device)
            b = torch.as_tensor(gi[s : s + 32768], device=self.device)
            out.append(self.head_proba(drug_part[a] + gene_part[b]).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 3), np.float32)

    @torch.no_grad()
    def _screen_error(
        self, dp: torch.Tensor, gp: torch.Tensor, dtype: torch.dtype, n: int = 16384
    ) -> float:
        """Largest |p_dtype − p_float32| over a fixed random sample of pairs."""
        rng = np.random.default_rng(0)
        di = rng.integers(0, dp.shape[0], n)
        gi = rng.integers(0, gp.shape[0], n)
        a = torch.as_tensor(di, device=self.device)
        b = torch.as_tensor(gi, device=self.device)
        p32 = self.head_proba(dp[a] + gp[b])
        plo = self.head_proba(dp[a].to(dtype) + gp[b].to(dtype))
        return float((p32 - plo).abs().max())

    def grid(
        self,
        drug_vectors: np.ndarray,
        gene_vectors: np.ndarray,
        *,
        inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
        activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
        precision: Precision = "auto",
        refine_margin: float = 0.05,
        block_pairs: int | None = None,
        top_k: int | None = None,
        gene_weight: np.ndarray | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> GridResult:
        """Decide every drug × gene pair in blocks; keep the non-``none`` ones.

        Parameters
        ----------
        drug_vectors, gene_vectors : numpy.ndarray
            Raw (unstandardized) embedding rows.
        inhibition_threshold, activation_threshold : float
            The decision rule.
        precision : {"auto", "float32", "bfloat16"}
            ``bfloat16`` screens all pairs with bfloat16 matrix products, then
            recomputes in float32 every pair decided non-``none`` or whose
            screened probability lies within ``refine_margin`` of a threshold,
            so kept probabilities and decisions are float32 ones (a pair can
            only differ if bfloat16 moved a probability by more than the
            margin). ``auto`` = float32 on CUDA, bfloat16 on CPUs with native
            bfloat16 support, float32 otherwise.
        refine_margin : float
            See ``precision``.
        block_pairs : int, optional
            Pairs per block (memory: about ``block_pairs × hidden × 8`` bytes);
            default 49,152 on CPU, 1,048,576 on CUDA.
        top_k : int, optional
            Instead of the thresholds, call the ``top_k`` genes per drug most
            likely to be targets (``1 - p_none``; :func:`top_k_calls`), each with
            the likelier of inhibition and activation.
        gene_weight : numpy.ndarray, optional
            With ``top_k``: rank a drug's genes by ``(1 - p_none) / gene_weight``
            (positive, one per gene), e.g. the gene's mean over drugs (lift).
        on_progress : callable, optional
            ``on_progress(drugs_done, n_drugs)`` after each block.

        Returns
        -------
        GridResult
        """
        if top_k is not None and top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        gw = None
        if gene_weight is not None:
            gw_np = np.asarray(gene_weight, np.float64)
            if gw_np.shape != (len(gene_vectors),) or not np.all(gw_np > 0):
                raise ValueError("gene_weight must hold one positive value per gene")
            gw = torch.as_tensor(gw_np, dtype=torch.float32, device=self.device)
        if precision == "auto":
            precision = "bfloat16" if self.device.type == "cpu" and _bf16_fast() else "float32"
        dtype = torch.bfloat16 if precision == "bfloat16" else torch.float32
        t0 = time.perf_counter()
        dp = self.project_drugs(drug_vectors)
        gp = self.project_genes(gene_vectors)
        dp_s, gp_s = dp.to(dtype), gp.to(dtype)
        n_d, n_g = dp.shape[0], gp.shape[0]
        if block_pairs is None:
            block_pairs = 1 << 20 if self.device.type == "cuda" else 49152
        per = max(1, block_pairs // max(n_g, 1))
        keep_d: list[np.ndarray] = []
        keep_g: list[np.ndarray] = []
        n_refined = 0
        with torch.inference_mode():
            for s in range(0, n_d, per):
                e = min(n_d, s + per)
                pre = (dp_s[s:e, None, :] + gp_s[None, :, :]).reshape(-1, dp.shape[1])
                p = self.head_proba(pre)
                if dtype == torch.float32:
                    cand = (p[:, INHIBITION] > inhibition_threshold) | (
                        p[:, ACTIVATION] > activation_threshold
                    )
                else:
                    cand = (p[:, INHIBITION] > inhibition_threshold - refine_margin) | (
                        p[:, ACTIVATION] > activation_threshold - refine_margin
                    )
                if top_k is not None:  # the screen keeps a margin of extra candidates
                    kk = min(n_g, top_k if dtype == torch.float32 else 2 * top_k + 8)
                    sc = 1.0 - p[:, NONE].reshape(e - s, n_g)
                    if gw is not None:
                        sc = sc / gw[None, :]
                    t = torch.topk(sc, kk, dim=1).indices
                    cand = torch.zeros(p.shape[0], dtype=torch.bool, device=p.device)
                    cand[(t + torch.arange(e - s, device=p.device)[:, None] * n_g).reshape(-1)] = (
                        True
                    )
                flat = torch.nonzero(cand).squeeze(1).cpu().numpy()
                keep_d.append(s + flat // n_g)
                keep_g.append(flat % n_g)
                if on_progress is not None:
                    on_progress(e, n_d)
        di = np.concatenate(keep_d) if keep_d else np.zeros(0, np.int64)
        gi = np.concatenate(keep_g) if keep_g else np.zeros(0, np.int64)
        screen_s = time.perf_counter() - t0
        # exact float32 probabilities of the kept pairs (and borderline ones)
        proba = self.proba_pairs(dp, gp, di, gi)
        bf16_err = None
        if dtype != torch.float32:
            n_refined = len(di)
            bf16_err = self._screen_error(dp, gp, dtype)
            if bf16_err > refine_margin / 2:
                log.warning(
                    "bfloat16 screen moved probabilities by up to %.4f (margin %.3f): "
                    "use precision='float32'",
                    bf16_err,
                    refine_margin,
                )
        if top_k is None:
            cls_ = decide(proba, inhibition_threshold, activation_threshold)
        else:
            w = None if gene_weight is None else np.asarray(gene_weight, np.float64)[gi]
            cls_ = np.where(top_k_calls(di, proba, top_k, w), top_k_classes(proba), NONE)
        nz = cls_ != NONE
        res = GridResult(di[nz].astype(np.int64), gi[nz].astype(np.int64), cls_[nz], proba[nz])
        n_pairs = int(n_d) * int(n_g)
        n_inh = int((res.cls == INHIBITION).sum())
        n_act = int((res.cls == ACTIVATION).sum())
        res.counts = {
            "n_drugs": int(n_d),
            "n_genes": int(n_g),
            "n_pairs": n_pairs,
            "inhibition": n_inh,
            "activation": n_act,
            "none": n_pairs - n_inh - n_act,
            "precision": precision,
            "rule": (
                "threshold"
                if top_k is None
                else f"top_{top_k}" + ("_lift" if gene_weight is not None else "")
            ),
            "prior_corrected": self.logit_shift is not None,
            "refined_float32": int(n_refined),
            "bfloat16_max_abs_error_sample": bf16_err,
            "screen_seconds": round(screen_s, 3),
            "seconds": round(time.perf_counter() - t0, 3),
            "device": str(self.device),
        }
        log.info(
            "target grid: %d drugs x %d genes = %d pairs in %.1f s (%s): %d inhibition, %d activation",
            n_d,
            n_g,
            n_pairs,
            res.counts["seconds"],
            precision,
            n_inh,
            n_act,
        )
        return res
