"""What a view of one drug's signed walk needs: seeds, ranking, the reached subnetwork.

Shared by ``ddi walk`` (:mod:`ddi_core.cli.walk`) and the dashboard's
*Signed walk* page, so both resolve a drug's seeds and rank genes the same way:

* :func:`target_table`: the drug's signed targets, sorted by Entrez id, with
  whether each is a node of the network;
* :func:`seeds_of` / :func:`drug_walk`: the walk seeds (targets in the network)
  and the exact walk from them (:func:`ddi_core.walk.algorithm.exact_walk`);
* :func:`rank_nodes`: nodes with a non-zero value, largest ``|value|`` first,
  ties by Entrez id;
* :func:`walk_subnetwork`: the displayed subnetwork (top nodes by ``|value|``
  up to a cap, the targets always in), with the per-step trace of its nodes
  and the signed edges among them;
* :func:`drugs_in_network`: the drugs with at least one signed target in the
  network (the page's picker).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ddi_core.graphs.signaling import SignedGraph
from ddi_core.walk.algorithm import ALPHA, DECAY, MAX_STEPS, ExactWalk, exact_walk

log = logging.getLogger(__name__)

#: Display word of a target sign.
EFFECT = {1: "activation", -1: "inhibition", 0: "ambiguous"}

TARGET_COLUMNS = ("gene", "symbol", "sign", "effect", "source", "in_network")


def target_table(graph: SignedGraph, targets: pd.DataFrame) -> pd.DataFrame:
    """A drug's signed targets, sorted by Entrez id, marked in / out of the network.

    Parameters
    ----------
    graph : SignedGraph
    targets : pandas.DataFrame
        The drug's rows of ``entities.signed_dti()``: ``entrez``, ``symbol``,
        ``sign``, ``sources``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TARGET_COLUMNS`: ``gene`` (int64 Entrez id), ``symbol``,
        ``sign`` (int, +1/-1), ``effect`` ("activation"/"inhibition"),
        ``source``, ``in_network`` (bool). Row order is by Entrez id (stable).
    """
    t = targets.sort_values("entrez", kind="stable")
    genes = t["entrez"].to_numpy(np.int64)
    inside = graph.contains(genes) if len(genes) else np.zeros(0, bool)
    signs = t["sign"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "gene": genes,
            "symbol": t["symbol"].astype(str).to_numpy(),
            "sign": signs,
            "effect": [EFFECT.get(int(s), str(s)) for s in signs],
            "source": t["sources"].astype(str).to_numpy(),
            "in_network": inside.astype(bool),
            "seed_source": (
                t["seed_source"].astype(str).to_numpy()
                if "seed_source" in t
                else np.full(len(t), "known", dtype=object)
            ),
            "probability": (
                t["probability"].to_numpy(np.float64)
                if "probability" in t
                else np.full(len(t), np.nan)
            ),
        }
    )


def seeds_of(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Walk seeds of a :func:`target_table`: (Entrez ids, float signs) in the network."""
    inside = table["in_network"].to_numpy(bool)
    return (table["gene"].to_numpy(np.int64)[inside], table["sign"].to_numpy(np.float64)[inside])


def drug_walk(
    graph: SignedGraph,
    table: pd.DataFrame,
    *,
    alpha: float = ALPHA,
    decay: float = DECAY,
    max_steps: int = MAX_STEPS,
) -> ExactWalk:
    """Exact walk from the targets of ``table`` that are in the network.

    A drug with no target in the network gets all-zero ``values`` and
    ``trace`` (shape ``(max_steps + 1, n)``), as ``ddi walk`` reports it.
    """
    ids, signs = seeds_of(table)
    if ids.size:
        return exact_walk(graph, (ids, signs), alpha=alpha, decay=decay, max_steps=max_steps)
    return ExactWalk(
        values=np.zeros(graph.n_nodes), trace=np.zeros((int(max_steps) + 1, graph.n_nodes))
    )


def rank_nodes(graph: SignedGraph, values: np.ndarray, top: int | None = None) -> np.ndarray:
    """Indices of the nodes with a non-zero value, largest ``|value|`` first.

    Ties are broken by Entrez id; ``top`` keeps the first ``top`` (all when
    ``None``).
    """
    nz = np.flatnonzero(values != 0)
    order = nz[np.lexsort((graph.node_ids[nz], -np.abs(values[nz])))]
    return order if top is None else order[: max(0, int(top))]


@dataclass(frozen=True)
class WalkSubnetwork:
    """The part of the network a walk reaches that a view displays.

    Attributes
    ----------
    index : numpy.ndarray
        Node indices in the graph, largest final ``|value|`` first (ties by
        Entrez id; targets whose value is zero come last).
    node_ids : numpy.ndarray
        Entrez ids of those nodes.
    symbols : list of str
        Their symbols (the Entrez id as text when unknown).
    is_target : numpy.ndarray
        bool, the node is one of the drug's targets (a walk seed).
    target_sign : numpy.ndarray
        The drug's sign on each node (+1/-1), 0 for non-targets.
    trace : numpy.ndarray
        ``(L + 1, k)``: the nodes' values accumulated up to each step.
    edges : numpy.ndarray
        ``(m, 3)`` int64 rows ``(source position, target position, sign)``:
        the network's edges between displayed nodes (positions into ``index``).
    n_reached : int
        Nodes of the whole network with a non-zero final value.
    """

    index: np.ndarray
    node_ids: np.ndarray
    symbols: list[str]
    is_target: np.ndarray
    target_sign: np.ndarray
    trace: np.ndarray
    edges: np.ndarray
    n_reached: int

    @property
    def values(self) -> np.ndarray:
        """Final values of the displayed nodes (``trace[-1]``)."""
        return self.trace[-1]

    @property
    def n_nodes(self) -> int:
        """Number of displayed nodes."""
        return int(self.index.shape[0])


def walk_subnetwork(
    graph: SignedGraph,
    walk: ExactWalk,
    seeds: tuple[np.ndarray, np.ndarray],
    *,
    cap: int = 300,
) -> WalkSubnetwork:
    """The subnetwork a view shows: top nodes by final ``|value|``, targets always in.

    Parameters
    ----------
    graph : SignedGraph
    walk : ExactWalk
        The drug's walk on ``graph`` (:func:`drug_walk`).
    seeds : (ids, signs)
        The drug's targets in the network (:func:`seeds_of`).
    cap : int
        Most nodes shown. Every target is shown; the remaining
        ``cap - n_targets`` places go to the non-target nodes with the largest
        non-zero ``|value|``. When the targets alone exceed ``cap``, only the
        targets are shown.

    Returns
    -------
    WalkSubnetwork
    """
    if cap < 1:
        raise ValueError(f"cap must be >= 1, got {cap}")
    ids, signs = seeds
    tgt = graph.index_of(ids) if len(ids) else np.zeros(0, np.int64)
    ranked = rank_nodes(graph, walk.values)
    others = ranked[~np.isin(ranked, tgt)][: max(0, int(cap) - np.unique(tgt).size)]
    chosen = np.union1d(tgt, others)
    final = walk.values[chosen]
    index = chosen[np.lexsort((graph.node_ids[chosen], -np.abs(final)))]

    pos = np.full(graph.n_nodes, -1, np.int64)
    pos[index] = np.arange(index.size)
    deg = graph.out_degree[index]
    src = np.repeat(np.arange(index.size), deg)
    lo = graph.indptr[index]
    off = np.arange(int(deg.sum())) - np.repeat(np.cumsum(deg) - deg, deg)
    e = np.repeat(lo, deg) + off  # edge positions of the displayed nodes' out-edges
    dst = pos[graph.indices[e]]
    keep = dst >= 0
    edges = np.stack([src[keep], dst[keep], graph.signs[e][keep].astype(np.int64)], axis=1)

    tsign = np.zeros(index.size, np.int64)
    tsign[pos[tgt]] = np.sign(signs).astype(np.int64)
    log.debug(
        "walk subnetwork: %d nodes (%d targets), %d edges", index.size, tgt.size, edges.shape[0]
    )
    return WalkSubnetwork(
        index=index,
        node_ids=graph.node_ids[index].copy(),
        symbols=[graph.symbol_of(int(i)) for i in index],
        is_target=np.isin(index, tgt),
        target_sign=tsign,
        trace=walk.trace[:, index].copy(),
        edges=edges.reshape(-1, 3),
        n_reached=int(np.count_nonzero(walk.values)),
    )


def drugs_in_network(graph: SignedGraph, dti: pd.DataFrame, drugs: pd.DataFrame) -> pd.DataFrame:
    """Drugs with at least one signed target that is a node of ``graph``.

    Parameters
    ----------
    dti : pandas.DataFrame
        ``entities.signed_dti()`` (``chemical_id``, ``entrez``).
    drugs : pandas.DataFrame
        ``entities.drugs()`` (``chemical_id``, ``name``).

    Returns
    -------
    pandas.DataFrame
        ``chemical_id``, ``name``, ``n_targets`` (signed targets),
        ``n_in_network``, ``label`` ("name (id)"), sorted by name (case-folded)
        then id.
    """
    inside = graph.contains(dti["entrez"].to_numpy(np.int64))
    counts = (
        dti.assign(in_network=inside)
        .groupby("chemical_id")["in_network"]
        .agg(n_targets="size", n_in_network="sum")
        .reset_index()
    )
    counts = counts[counts["n_in_network"] > 0]
    names = drugs.drop_duplicates("chemical_id").set_index("chemical_id")["name"]
    out = counts.assign(name=counts["chemical_id"].map(names))
    out["name"] = out["name"].fillna(out["chemical_id"]).astype(str)
    out["label"] = out["name"] + " (" + out["chemical_id"] + ")"
    out = out.assign(_k=out["name"].str.casefold()).sort_values(["_k", "chemical_id"])
    return out[["chemical_id", "name", "n_targets", "n_in_network", "label"]].reset_index(drop=True)
