"""Graphs built from tidy tables.

Signed directed signaling network
---------------------------------
:class:`SignedGraph` is the network the drug-effect walker (:mod:`ddi_core.walk.algorithm`)
runs on: nodes are genes (Entrez ids), edges are directed, each carrying a sign
(+1 activation, -1 inhibition, 0 ambiguous). It is immutable: its arrays are
read-only copies, so no consumer can change a graph another one holds.

Edge rules (applied by :func:`signed_graph_from_edges`):

* **Duplicates are merged.** The walker chooses uniformly among the *distinct*
  out-neighbours of a node, so a ``(source, target)`` pair listed several times
  is one edge. Its sign is the unique non-zero sign among the rows; when the rows
  disagree (+1 and -1) or are all unsigned (0) the merged edge has sign 0.
* **Sign 0 ("ambiguous") edges** keep the topology (the walker may step along
  them, and they count in the uniform choice) but carry no signed signal: the
  walker's sign becomes 0 until its next restart. In expectation this is exactly
  a fair coin between activation and inhibition, with no variance added.
* Self-loops are kept (HSN v7 has 306 signed ones).

(PPI and MeSH graphs for the embeddings live in :mod:`ddi_core.embed`.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike

from ddi_core.data import entities, genes, loaders
from ddi_core.errors import UnknownEntityError

log = logging.getLogger(__name__)

NetworkName = Literal["hsn", "signor", "omnipath"]

# ---------------------------------------------------------------------------
# Signed directed signaling network
# ---------------------------------------------------------------------------


def _frozen(a: ArrayLike, dtype: Any) -> np.ndarray:
    out = np.array(a, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class SignedGraph:
    """A signed directed graph in CSR form, nodes identified by Entrez id.

    Attributes
    ----------
    node_ids : numpy.ndarray
        int64 Entrez ids, shape ``(n,)``, strictly increasing; node ``i`` is
        ``node_ids[i]``.
    indptr, indices : numpy.ndarray
        CSR out-adjacency: the out-neighbours of node ``i`` are
        ``indices[indptr[i]:indptr[i + 1]]`` (node indices, distinct, sorted).
    signs : numpy.ndarray
        int8 sign of each edge, aligned with ``indices``: +1, -1 or 0.
    symbols : numpy.ndarray or None
        Gene symbol of each node (``<U`` strings) when known.
    name : str
        Which network this is (``"hsn"``, ...), free-form for custom graphs.
    meta : dict
        Provenance: row counts, merged duplicates, unmapped identifiers.
    """

    node_ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    signs: np.ndarray
    symbols: np.ndarray | None = None
    name: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = _frozen(self.node_ids, np.int64)
        indptr = _frozen(self.indptr, np.int64)
        indices = _frozen(self.indices, np.int64)
        signs = _frozen(self.signs, np.int8)
        n = ids.shape[0]
        if ids.ndim != 1 or (n > 1 and not np.all(np.diff(ids) > 0)):
            raise ValueError("node_ids must be 1-D and strictly increasing")
        if indptr.shape != (n + 1,) or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ValueError("indptr must be non-decreasing, start at 0, length n + 1")
        if indices.shape != signs.shape or indices.shape[0] != indptr[-1]:
            raise ValueError("indices and signs must both have indptr[-1] entries")
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise ValueError("edge target out of range")
        if signs.size and not np.isin(signs, (-1, 0, 1)).all():
            raise ValueError("edge signs must be -1, 0 or +1")
        object.__setattr__(self, "node_ids", ids)
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)
        object.__setattr__(self, "signs", signs)
        if self.symbols is not None:
            sym = np.asarray(self.symbols).astype(str)
            if sym.shape != (n,):
                raise ValueError("symbols must have one entry per node")
            object.__setattr__(self, "symbols", _frozen(sym, sym.dtype))
        object.__setattr__(self, "meta", dict(self.meta))

    # -- size ---------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_ids.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of (distinct) directed edges."""
        return int(self.indices.shape[0])

    @cached_property
    def out_degree(self) -> np.ndarray:
        """Out-degree of every node, int64, shape ``(n,)`` (read-only)."""
        return _frozen(np.diff(self.indptr), np.int64)

    # -- identifiers --------------------------------------------------------
    def index_of(self, ids: ArrayLike) -> np.ndarray:
        """Node indices of Entrez ids.

        Raises
        ------
        UnknownEntityError
            When an id is not a node of the graph.
        """
        q = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        ok = self.contains(q)
        pos = np.minimum(np.searchsorted(self.node_ids, q), max(self.n_nodes - 1, 0))
        if not np.all(ok):
            bad = [str(x) for x in q[~ok][:5]]
            raise UnknownEntityError(f"gene in network {self.name or '(custom)'}", ", ".join(bad))
        return pos.astype(np.int64)

    def contains(self, ids: ArrayLike) -> np.ndarray:
        """Boolean mask: which Entrez ids are nodes of the graph."""
        q = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        if self.n_nodes == 0:
            return np.zeros(q.shape, bool)
        pos = np.minimum(np.searchsorted(self.node_ids, q), self.n_nodes - 1)
        return self.node_ids[pos] == q

    def symbol_of(self, index: int) -> str:
        """Symbol of node ``index`` (its Entrez id as text when unknown)."""
        if self.symbols is not None and self.symbols[index]:
            return str(self.symbols[index])
        return str(int(self.node_ids[index]))

    # -- matrices -----------------------------------------------------------
    def transition(self, *, signed: bool = True) -> sp.csr_matrix:
        """Row-normalised adjacency ``D^-1 A``: one step of the uniform walker.

        Entry ``(i, j)`` is ``sign(i -> j) / outdeg(i)`` (``1 / outdeg(i)``
        unsigned); rows of dead ends (no out-edges) are zero.
        """
        deg = self.out_degree.astype(np.float64)
        inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
        scale = np.repeat(inv, self.out_degree)
        data = (self.signs.astype(np.float64) if signed else np.ones(self.n_edges)) * scale
        return sp.csr_matrix(
            (data, self.indices.copy(), self.indptr.copy()), shape=(self.n_nodes, self.n_nodes)
        )

    def to_frame(self) -> pd.DataFrame:
        """The edges as a table ``source, target, sign`` (Entrez ids)."""
        src = np.repeat(np.arange(self.n_nodes), self.out_degree)
        return pd.DataFrame(
            {
                "source": self.node_ids[src],
                "target": self.node_ids[self.indices],
                "sign": self.signs.copy(),
            }
        )


def signed_graph_from_edges(
    df: pd.DataFrame,
    source_col: str = "source",
    target_col: str = "target",
    sign_col: str = "sign",
    *,
    symbols: Mapping[int, str] | None = None,
    name: str = "",
    meta: Mapping[str, Any] | None = None,
) -> SignedGraph:
    """Build a :class:`SignedGraph` from an edge table.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per edge; source and target are Entrez ids (integers), sign is
        +1, -1 or 0. Not modified.
    source_col, target_col, sign_col : str
        Column names.
    symbols : mapping, optional
        Entrez id -> symbol for display.
    name, meta
        Stored on the graph.

    Returns
    -------
    SignedGraph
        Nodes are every id that appears as a source or a target, sorted.
        Duplicate ``(source, target)`` rows are merged into one edge whose sign
        is the unique non-zero sign among them, or 0 when they conflict (see the
        module docstring).

    Raises
    ------
    ValueError
        Missing ids or a sign outside {-1, 0, +1}.
    """
    src = pd.to_numeric(df[source_col], errors="raise")
    tgt = pd.to_numeric(df[target_col], errors="raise")
    sgn = pd.to_numeric(df[sign_col], errors="raise")
    if src.isna().any() or tgt.isna().any() or sgn.isna().any():
        raise ValueError("edge table has missing source, target or sign values")
    src_a = src.to_numpy(np.int64)
    tgt_a = tgt.to_numpy(np.int64)
    sgn_a = sgn.to_numpy()
    if not np.isin(sgn_a, (-1, 0, 1)).all():
        raise ValueError(
            f"signs must be -1, 0 or +1; got {sorted(set(np.unique(sgn_a)) - {-1, 0, 1})[:5]}"
        )
    sgn_a = sgn_a.astype(np.int8)

    node_ids = np.unique(np.concatenate([src_a, tgt_a]))
    si = np.searchsorted(node_ids, src_a)
    ti = np.searchsorted(node_ids, tgt_a)
    n = node_ids.shape[0]

    # merge duplicates: sign = [any +1] - [any -1]
    pair = si * n + ti
    uniq, inv = np.unique(pair, return_inverse=True)
    has_pos = np.zeros(uniq.shape[0], bool)
    has_neg = np.zeros(uniq.shape[0], bool)
    np.logical_or.at(has_pos, inv, sgn_a == 1)
    np.logical_or.at(has_neg, inv, sgn_a == -1)
    merged = has_pos.astype(np.int8) - has_neg.astype(np.int8)
    n_conflict = int(np.sum(has_pos & has_neg))
    n_dup = int(src_a.shape[0] - uniq.shape[0])
    if n_dup:
        log.info(
            "%s: merged %d duplicate edge rows (%d pairs with conflicting signs -> sign 0)",
            name or "graph",
            n_dup,
            n_conflict,
        )

    e_src = uniq // n
    e_tgt = uniq % n  # uniq is sorted by (source, target)
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, e_src + 1, 1)
    indptr = np.cumsum(indptr)

    sym = None
    if symbols is not None:
        sym = np.array([symbols.get(int(i), "") or "" for i in node_ids], dtype=str)
    info = {
        "rows": int(src_a.shape[0]),
        "edges": int(uniq.shape[0]),
        "nodes": int(n),
        "duplicate_rows_merged": n_dup,
        "conflicting_pairs": n_conflict,
        "positive": int(np.sum(merged == 1)),
        "negative": int(np.sum(merged == -1)),
        "zero": int(np.sum(merged == 0)),
    }
    info.update(dict(meta or {}))
    return SignedGraph(node_ids, indptr, e_tgt, merged, sym, name=name, meta=info)


def _gene_table() -> pd.DataFrame:
    """The harmonised gene table (``ddi_core.data.entities.genes()``)."""

    return entities.genes()


IdMap = Mapping[str, int] | Callable[[str], "int | None"]


def _map_ids(
    names: list[str], kind: Literal["symbol", "uniprot"], to_entrez: IdMap | None
) -> dict[str, int | None]:
    """Gene symbol or UniProt accession -> Entrez id (``None`` when unmapped)."""
    if to_entrez is None:
        fn = genes.symbol_to_entrez if kind == "symbol" else genes.uniprot_to_entrez
        m = fn(names, _gene_table(), name="signaling")
        found = dict(zip(m.iloc[:, 0].astype(str), m["entrez"], strict=True))
        return {s: (None if pd.isna(found.get(s, pd.NA)) else int(found[s])) for s in names}
    get = to_entrez.get if isinstance(to_entrez, Mapping) else to_entrez
    out: dict[str, int | None] = {}
    for s in names:
        e = get(s)
        out[s] = None if e is None or pd.isna(e) else int(e)
    return out


def load_signaling_network(
    name: NetworkName = "hsn",
    include_phy: bool = False,
    *,
    phy_sign: Literal[-1, 0, 1] = 0,
    to_entrez: IdMap | None = None,
) -> SignedGraph:
    """Load a signed directed signaling network as a :class:`SignedGraph`.

    Parameters
    ----------
    name : {"hsn", "signor", "omnipath"}
        HSN v7 (Wang lab Human Signaling Network, the method's network; Entrez
        ids in the file), the SIGNOR + PhosphoSitePlus PKN (protein -> protein
        rows, UniProt accessions; chemical, complex, phenotype ... rows are
        dropped and counted) or the OmniPath signed consensus network (symbols).
    include_phy : bool
        HSN only: also keep the unsigned physical ('Phy') edges.
    phy_sign : {0, -1, 1}
        Sign given to 'Phy' edges when they are included. 0 (default) lets the
        walker cross them without transmitting a signed signal; -1 reproduces
        the original code, where every edge that is not 'Pos' inhibits.
    to_entrez : mapping or callable, optional
        SIGNOR: UniProt accession -> Entrez id; OmniPath: symbol -> Entrez id
        (``None`` when unknown). Default: :func:`ddi_core.data.genes.uniprot_to_entrez`
        / :func:`ddi_core.data.genes.symbol_to_entrez` over the gene table
        (``entities.genes()``). Rows whose source or target does not map are
        dropped and counted in ``graph.meta``.

    Returns
    -------
    SignedGraph
    """

    if name == "hsn":
        df = loaders.load_hsn()
        types = df["type"].astype(str)
        unknown = set(types.unique()) - {"Pos", "Neg", "Phy"}
        if unknown:
            raise ValueError(f"HSN: unknown edge types {sorted(unknown)}")
        sign = np.where(types == "Pos", 1, np.where(types == "Neg", -1, phy_sign)).astype(np.int8)
        # the loader's numeric sign must agree with the type for signed edges
        signed_rows = types.to_numpy() != "Phy"
        if "sign" in df.columns and not np.array_equal(
            df["sign"].to_numpy()[signed_rows].astype(np.int8), sign[signed_rows]
        ):
            raise ValueError("HSN: numeric sign column disagrees with the Pos/Neg type column")
        keep = signed_rows if not include_phy else np.ones(len(df), bool)
        edges = pd.DataFrame(
            {
                "source": df["source_entrez"].to_numpy()[keep],
                "target": df["target_entrez"].to_numpy()[keep],
                "sign": sign[keep],
            }
        )
        symbols: dict[int, str] = {}
        for e_col, s_col in (
            ("target_entrez", "target_symbol"),
            ("source_entrez", "source_symbol"),
        ):
            symbols.update(
                zip(
                    df[e_col].astype(np.int64).tolist(), df[s_col].astype(str).tolist(), strict=True
                )
            )
        meta = {
            "include_phy": bool(include_phy),
            "phy_sign": int(phy_sign) if include_phy else None,
            "phy_rows_dropped": int((~keep).sum()),
        }
        g = signed_graph_from_edges(edges, symbols=symbols, name="hsn", meta=meta)
        log.info(
            "HSN: %d nodes, %d edges (%d rows, %d Phy dropped)",
            g.n_nodes,
            g.n_edges,
            len(df),
            meta["phy_rows_dropped"],
        )
        return g

    if name not in ("signor", "omnipath"):
        raise ValueError(f"unknown signaling network {name!r} (hsn, signor, omnipath)")
    if name == "signor":
        raw = loaders.load_signor_pkn()
        proteins = (raw["typea"] == "protein") & (raw["typeb"] == "protein")
        df = pd.DataFrame(
            {
                "source": raw.loc[proteins, "ida"],
                "target": raw.loc[proteins, "idb"],
                "sign": raw.loc[proteins, "sign"],
                "source_symbol": raw.loc[proteins, "entitya"],
                "target_symbol": raw.loc[proteins, "entityb"],
            }
        )
        kind: Literal["symbol", "uniprot"] = "uniprot"
        extra = {"non_protein_rows_dropped": int((~proteins).sum())}
    else:
        df = loaders.load_omnipath()
        df = df.assign(source_symbol=df["source"], target_symbol=df["target"])
        kind, extra = "symbol", {}
    names = pd.unique(pd.concat([df["source"], df["target"]]).astype(str)).tolist()
    table = _map_ids(names, kind, to_entrez)
    src = df["source"].astype(str).map(table)
    tgt = df["target"].astype(str).map(table)
    ok = (src.notna() & tgt.notna()).to_numpy()
    n_unmapped = sum(v is None for v in table.values())
    edges = pd.DataFrame(
        {
            "source": src[ok].astype(np.int64),
            "target": tgt[ok].astype(np.int64),
            "sign": df.loc[ok, "sign"].astype(np.int8),
        }
    )
    symbols: dict[int, str] = {}
    for e_col, s_col in ((src, "source_symbol"), (tgt, "target_symbol")):
        symbols.update(
            zip(
                e_col[ok].astype(np.int64).tolist(),
                df.loc[ok, s_col].astype(str).tolist(),
                strict=True,
            )
        )
    meta = {
        "rows_unmapped": int((~ok).sum()),
        "ids_unmapped": int(n_unmapped),
        "ids": int(len(names)),
        "id_kind": kind,
        **extra,
    }
    log.info(
        "%s: %d of %d rows mapped to Entrez (%d of %d %s ids unmapped)",
        name,
        int(ok.sum()),
        len(df),
        n_unmapped,
        len(names),
        kind,
    )
    return signed_graph_from_edges(edges, symbols=symbols, name=name, meta=meta)
