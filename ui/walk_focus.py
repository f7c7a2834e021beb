"""One gene focused on the *Signed walk* page (a link from an evidence path).

Pure helpers (no streamlit): :func:`focused_subnetwork` draws the usual view
(:func:`ddi_core.walk.view.walk_subnetwork`: top nodes by ``|value|``, the
targets always in) plus the focused gene when the walk reaches it, and
:func:`gene_focus` says what the walk did at that gene. :func:`parse_entrez`
reads the ``gene`` query parameter.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ddi_core.graphs.signaling import SignedGraph
from ddi_core.walk.algorithm import ExactWalk
from ddi_core.walk.view import WalkSubnetwork, rank_nodes, walk_subnetwork


def parse_entrez(value: Any) -> int | None:
    """An Entrez id from a query parameter (``"4728"``), ``None`` when it is not one
    (Entrez gene ids are whole numbers below 10^10; longer text is never parsed)."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10:
        return None
    entrez = int(text)
    return entrez if 0 < entrez < 10**10 else None


def focused_subnetwork(
    graph: SignedGraph,
    walk: ExactWalk,
    seeds: tuple[np.ndarray, np.ndarray],
    *,
    cap: int,
    focus: int | None = None,
) -> WalkSubnetwork:
    """:func:`~ddi_core.walk.view.walk_subnetwork`, with ``focus`` drawn too.

    The focused gene joins the view when it is a node of ``graph`` that the
    walk reaches (a non-zero final value) and is not already among the drawn
    nodes: the other nodes are exactly those of the plain view (the same
    ``cap`` places for the targets and the top genes), so the view grows by
    one node. A gene the walk does not reach, or one outside the network, is
    not drawn (:func:`gene_focus` says so).
    """
    sub = walk_subnetwork(graph, walk, seeds, cap=cap)
    if focus is None or not bool(graph.contains([focus])[0]):
        return sub
    node = int(graph.index_of([focus])[0])
    if walk.values[node] == 0 or node in set(sub.index.tolist()):
        return sub
    ids, signs = seeds
    # the focused gene as one more "seed" (always drawn) with one more place for it;
    # it is not a target, so its target marks are cleared afterwards
    wider = walk_subnetwork(
        graph,
        walk,
        (
            np.append(np.asarray(ids, np.int64), focus),
            np.append(np.asarray(signs, np.float64), 1.0),
        ),
        cap=cap + 1,
    )
    is_focus = wider.index == node
    return dataclasses.replace(
        wider,
        is_target=wider.is_target & ~is_focus,
        target_sign=np.where(is_focus, 0, wider.target_sign),
    )


def gene_focus(
    graph: SignedGraph,
    walk: ExactWalk,
    sub: WalkSubnetwork,
    entrez: int,
    *,
    symbol: str | None = None,
) -> dict[str, Any]:
    """What the walk did at gene ``entrez``.

    Returns
    -------
    dict
        ``entrez``, ``symbol`` (the network's, else ``symbol``, else the id),
        ``in_network``, ``reached`` (non-zero final value), ``value`` (final,
        ``None`` outside the network), ``rank`` (by ``|value|`` among the
        reached genes, 1 = largest; ``None`` when not reached), ``n_reached``,
        ``drawn`` (among ``sub``'s nodes), ``target`` (the drug's sign on it,
        0 for a non-target).
    """
    inside = bool(graph.contains([entrez])[0])
    out: dict[str, Any] = {
        "entrez": int(entrez),
        "symbol": symbol or str(entrez),
        "in_network": inside,
        "reached": False,
        "value": None,
        "rank": None,
        "n_reached": int(np.count_nonzero(walk.values)),
        "drawn": False,
        "target": 0,
    }
    if not inside:
        return out
    node = int(graph.index_of([entrez])[0])
    value = float(walk.values[node])
    named = graph.symbol_of(node)
    if named != str(int(entrez)) or symbol is None:
        out["symbol"] = named
    out["value"] = value
    out["reached"] = value != 0
    if value != 0:
        order = rank_nodes(graph, walk.values)
        out["rank"] = int(np.flatnonzero(order == node)[0]) + 1
    where = np.flatnonzero(sub.index == node)
    if where.size:
        out["drawn"] = True
        out["target"] = int(sub.target_sign[where[0]])
    return out


__all__ = ["focused_subnetwork", "gene_focus", "parse_entrez"]
