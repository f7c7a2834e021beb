"""The three target classes and the decision rule: the paper's thresholds, the prior correction (Saerens et al. 2002) and top-k calls."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

#: Output order of the classifier (the method's order).
CLASSES: tuple[str, str, str] = ("inhibition", "none", "activation")


INHIBITION, NONE, ACTIVATION = 0, 1, 2


#: Class index -> sign of the drug's effect on the gene.
CLASS_SIGN = np.array([-1, 0, 1], dtype=np.int8)


DEFAULT_INHIBITION_THRESHOLD = 0.88


DEFAULT_ACTIVATION_THRESHOLD = 0.45


def decide(
    proba: np.ndarray | torch.Tensor,
    inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
    activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
) -> np.ndarray:
    """The method's decision rule on class probabilities.

    Parameters
    ----------
    proba : array, shape (n, 3)
        Probabilities in :data:`CLASSES` order (inhibition, none, activation).
    inhibition_threshold, activation_threshold : float
        Inhibition when ``p[:, 0] > inhibition_threshold``; otherwise activation
        when ``p[:, 2] > activation_threshold``; otherwise none. Strict ``>``.

    Returns
    -------
    numpy.ndarray
        int64 class indices, shape ``(n,)``.
    """
    p = proba.detach().cpu().numpy() if isinstance(proba, torch.Tensor) else np.asarray(proba)
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"proba must have shape (n, 3), got {p.shape}")
    out = np.full(p.shape[0], NONE, dtype=np.int64)
    act = p[:, ACTIVATION] > activation_threshold
    out[act] = ACTIVATION
    out[p[:, INHIBITION] > inhibition_threshold] = INHIBITION
    return out


def prior_shift(pi_train: Sequence[float], pi_deploy: Sequence[float]) -> np.ndarray:
    """Per-class logit shift ``log(pi_deploy / pi_train)`` (Saerens et al. 2002).

    A classifier trained where class ``c`` has prior ``pi_train[c]`` gives
    posteriors for a population with priors ``pi_deploy`` after
    ``p'_c ∝ p_c · pi_deploy[c] / pi_train[c]``, i.e. a softmax of the logits
    plus this shift.
    """
    a = np.asarray(pi_train, np.float64)
    b = np.asarray(pi_deploy, np.float64)
    if a.shape != (3,) or b.shape != (3,):
        raise ValueError(f"priors must have 3 classes, got {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.all(a > 0) and np.all(b > 0)):
        raise ValueError(f"priors must be positive and finite, got {a.tolist()} and {b.tolist()}")
    return np.log(b / b.sum()) - np.log(a / a.sum())


def correct_proba(proba: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """Class probabilities re-weighted for another class prior (see :func:`prior_shift`)."""
    p = np.asarray(proba, np.float64)
    if shift is None:
        return p
    w = p * np.exp(np.asarray(shift, np.float64))[None, :]
    return w / w.sum(axis=1, keepdims=True)


def top_k_calls(
    drug_idx: np.ndarray, proba: np.ndarray, k: int, weight: np.ndarray | None = None
) -> np.ndarray:
    """Mask of the ``k`` pairs per drug most likely to be a target (``1 - p_none``).

    With ``weight`` (one positive value per pair) the score is
    ``(1 - p_none) / weight``: e.g. the gene's mean target probability over
    drugs, which ranks by lift instead of by probability. Ties break by
    position (stable). The sign of a call is the larger of inhibition and
    activation (:func:`top_k_classes`).
    """
    d = np.asarray(drug_idx, np.int64)
    score = 1.0 - np.asarray(proba, np.float64)[:, NONE]
    if weight is not None:
        score = score / np.asarray(weight, np.float64)
    order = np.lexsort((-score, d))  # by drug, then most likely first
    ds = d[order]
    start = np.r_[0, np.flatnonzero(np.diff(ds)) + 1]
    rank = np.arange(len(ds)) - np.repeat(start, np.diff(np.r_[start, len(ds)]))
    keep = np.zeros(len(d), bool)
    keep[order[rank < k]] = True
    return keep


def top_k_classes(proba: np.ndarray) -> np.ndarray:
    """Class of a top-k call: inhibition or activation, whichever is likelier."""
    p = np.asarray(proba)
    return np.where(p[:, INHIBITION] >= p[:, ACTIVATION], INHIBITION, ACTIVATION).astype(np.int64)
