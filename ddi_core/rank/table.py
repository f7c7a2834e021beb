"""Rank positions and percentiles, and the ranked table a user reads (MeSH branches, reasons)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ddi_core.models.scores import percentiles, realistic_ranks, sigmoid


# --------------------------------------------------------------------------- #
# ranks, percentiles, MeSH branches
# --------------------------------------------------------------------------- #
def rank_positions(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order, ordinal ranks and percentiles of candidates by descending score.

    Parameters
    ----------
    logits : ndarray, shape (n,)
        Higher = better. NaN is not allowed.

    Returns
    -------
    order : ndarray of int64
        Candidate positions, best first (ties keep input order).
    rank : ndarray of int64
        Ordinal rank ``1..n`` of each candidate (input order).
    percentile : ndarray of float64
        ``100 · (n − r) / (n − 1)`` with ``r = 1 + #higher + #tied_others / 2``
        (100 = top; ``n = 1`` gives 100).
    """
    v = np.asarray(logits, dtype=np.float64)
    n = len(v)
    order = np.argsort(-v, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    if n <= 1:
        return order, rank, np.full(n, 100.0)
    return order, rank, percentiles(realistic_ranks(v), n)


def rank_in_view(
    logits: np.ndarray, row: int, hidden: np.ndarray | None = None
) -> tuple[int, float, int, bool]:
    """Rank and percentile of candidate ``row`` among the candidates a view shows.

    Parameters
    ----------
    logits : ndarray, shape (n,)
    row : int
    hidden : ndarray of bool, shape (n,), optional
        Candidates the view hides. When ``row`` is itself hidden, it is ranked among
        every candidate instead (and the last value says so).

    Returns
    -------
    rank : int
        Ordinal rank, 1 = best (ties by table order).
    percentile : float
    n : int
        Candidates it was ranked among.
    among_all : bool
        ``row`` is hidden by the view, so it was ranked among all candidates.
    """
    logits = np.asarray(logits)
    among_all = hidden is None or bool(np.asarray(hidden)[row])
    keep = np.ones(len(logits), bool) if among_all else ~np.asarray(hidden, bool)
    idx = np.flatnonzero(keep)
    _, rank, pct = rank_positions(logits[idx])
    at = int(np.searchsorted(idx, row))
    return int(rank[at]), float(pct[at]), len(idx), among_all and hidden is not None


def mesh_branches(tree_numbers: str, names: Mapping[str, str] | None = None) -> list[str]:
    """Top-level MeSH trees of a descriptor, e.g. ``['C04 Neoplasms']``.

    Parameters
    ----------
    tree_numbers : str
        ``|``-separated tree numbers (``"C04.557.337|C15.604"``); empty for none.
    names : mapping, optional
        Top-level code → descriptor label (``"C04" → "Neoplasms"``); a code
        without a label is returned alone.

    Returns
    -------
    list of str
        Sorted, distinct ``"<code> <label>"`` (the code is the tree number's
        first dot-separated part).
    """
    names = names or {}
    codes = sorted(
        {t.strip().split(".")[0] for t in str(tree_numbers or "").split("|") if t.strip()}
    )
    return [f"{c} {names[c]}" if names.get(c) else c for c in codes]


def ranked_table(
    logits: np.ndarray,
    columns: Mapping[str, np.ndarray],
    known: np.ndarray,
    in_training: np.ndarray,
    *,
    hide_known: bool = False,
    top: int | None = None,
    exclude: np.ndarray | None = None,
) -> pd.DataFrame:
    """A ranked candidate table (see the module docstring for the conventions).

    Parameters
    ----------
    logits : ndarray, shape (n,)
    columns : mapping of str to ndarray
        Descriptive columns aligned with ``logits`` (name, id, branch, …).
    known, in_training : ndarray of bool, shape (n,)
    hide_known : bool
        Drop known pairs before ranking.
    top : int, optional
        Keep the best ``top`` rows.
    exclude : ndarray of bool, shape (n,), optional
        Candidates dropped before ranking as well (a view's hidden terms or drugs), so
        ranks and percentiles are among the rest.

    Returns
    -------
    DataFrame
        ``rank``, ``score``, ``percentile``, the given columns, ``known``,
        ``in_training``, ``logit``; best first.
    """
    logits = np.asarray(logits, dtype=np.float32)
    keep = ~np.asarray(known, bool) if hide_known else np.ones(len(logits), bool)
    if exclude is not None:
        keep &= ~np.asarray(exclude, bool)
    idx = np.flatnonzero(keep)
    order, rank, pct = rank_positions(logits[idx])
    sel = idx[order]
    if top is not None:
        sel, order = sel[: max(int(top), 0)], order[: max(int(top), 0)]
    df = pd.DataFrame(
        {
            "rank": rank[order],
            "score": sigmoid(logits[sel]),
            "percentile": pct[order],
            **{k: np.asarray(v)[sel] for k, v in columns.items()},
            "known": np.asarray(known, bool)[sel],
            "in_training": np.asarray(in_training, bool)[sel],
            "logit": logits[sel],
        }
    )
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- #
# why an entity cannot be featurised
# --------------------------------------------------------------------------- #
def disease_reason(disease_id: str, diseases: pd.DataFrame) -> str:
    """Why a MeSH disease is not among a run's candidate diseases (in words)."""
    row = diseases[diseases["disease_id"] == disease_id]
    if row.empty or not bool(row["is_ctd_disease"].iloc[0]):
        return (
            "it has no CTD chemical–disease association, and the candidate diseases are "
            "the CTD diseases with a MeSH-network embedding"
        )
    if not str(row["tree_numbers"].iloc[0]).strip():
        return (
            "it has no MeSH tree number (a supplementary concept), so it is not a node of "
            "the MeSH disease network and has no embedding"
        )
    return "it has no embedding in the MeSH disease network used by this run"
