"""One drug's walk against another variant of it (other edges or other seeds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ddi_core.graphs.signaling import SignedGraph
from ddi_core.walk.view import rank_nodes


@dataclass(frozen=True)
class WalkComparison:
    """This walk against another variant of it (the same drug and parameters).

    ``cosine`` is between the two profiles aligned by Entrez id (a gene missing
    from one network counts 0 there); ``None`` when either walk reaches nothing.
    """

    n_reached: int
    n_reached_other: int
    top: tuple[str, ...]
    top_other: tuple[str, ...]
    n_seeds_other: int
    cosine: float | None


def top_symbols(g: SignedGraph, values: np.ndarray, k: int) -> tuple[str, ...]:
    """Symbols of the ``k`` genes with the largest ``|value|``."""
    return tuple(g.symbol_of(int(i)) for i in rank_nodes(g, values, top=k))


def compare_walks(
    g: SignedGraph,
    here: np.ndarray,
    other_g: SignedGraph,
    there: np.ndarray,
    n_seeds_other: int,
    k: int = 5,
) -> WalkComparison:
    """Compare walk values ``here`` on ``g`` with ``there`` on ``other_g``."""
    a = pd.Series(here, index=g.node_ids)
    b = pd.Series(there, index=other_g.node_ids)
    a, b = a.align(b, fill_value=0.0)
    na, nb = float(np.linalg.norm(a.to_numpy())), float(np.linalg.norm(b.to_numpy()))
    cos = float(a.to_numpy() @ b.to_numpy() / (na * nb)) if na > 0 and nb > 0 else None
    return WalkComparison(
        n_reached=int(np.count_nonzero(here)),
        n_reached_other=int(np.count_nonzero(there)),
        top=top_symbols(g, here, k),
        top_other=top_symbols(other_g, there, k),
        n_seeds_other=int(n_seeds_other),
        cosine=cos,
    )


__all__ = ["WalkComparison", "compare_walks", "top_symbols"]
