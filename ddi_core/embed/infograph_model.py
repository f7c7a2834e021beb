"""The InfoGraph network (Sun et al. 2019): a GIN/GINE encoder, the local and global
discriminator heads, the optional prior discriminator and the Jensen–Shannon
mutual-information loss. Training, the cached stage and the encoder API:
:mod:`ddi_core.embed.infograph`.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ddi_core.embed.molgraph import ATOM_DIM, BOND_DIM, GraphBatch

__all__ = [
    "GINLayer",
    "GINEncoder",
    "FeedForward",
    "PriorDiscriminator",
    "jsd_local_global_loss",
    "InfoGraph",
]

_LOG2 = math.log(2.0)


class GINLayer(nn.Module):
    """One GIN (or GINE, with edge features) layer with ``eps = 0``.

    ``out_i = MLP(h_i + sum_{j -> i} m_ij)``, ``MLP = Linear, ReLU, Linear``.
    """

    def __init__(self, in_dim: int, out_dim: int, edge_dim: int | None = None):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, out_dim), nn.ReLU(), nn.Linear(out_dim, out_dim))
        self.edge = nn.Linear(edge_dim, in_dim) if edge_dim else None

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor | None
    ) -> torch.Tensor:
        src, dst = edge_index[0], edge_index[1]
        msg = x.index_select(0, src)
        if self.edge is not None and edge_attr is not None:
            msg = F.relu(msg + self.edge(edge_attr))
        agg = torch.zeros_like(x).index_add_(0, dst, msg)
        return self.mlp(x + agg)


class GINEncoder(nn.Module):
    """Stack of GIN layers; returns (graph embedding, node embedding).

    Both are the concatenation over layers: node ``[N, layers*hidden]``, graph
    ``[B, layers*hidden]`` with sum pooling per layer.
    """

    def __init__(self, in_dim: int, edge_dim: int | None, hidden: int, layers: int):
        super().__init__()
        dims = [in_dim] + [hidden] * layers
        self.convs = nn.ModuleList(GINLayer(dims[i], dims[i + 1], edge_dim) for i in range(layers))
        self.norms = nn.ModuleList(nn.BatchNorm1d(hidden) for _ in range(layers))

    def forward(self, batch: GraphBatch) -> tuple[torch.Tensor, torch.Tensor]:
        x = batch.x
        outs = []
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = norm(F.relu(conv(x, batch.edge_index, batch.edge_attr)))
            outs.append(x)
        nodes = torch.cat(outs, dim=1)
        graphs = nodes.new_zeros(batch.num_graphs, nodes.shape[1]).index_add_(0, batch.batch, nodes)
        return graphs, nodes


class FeedForward(nn.Module):
    """InfoGraph's discriminator head: 3-layer ReLU MLP plus a linear shortcut."""

    def __init__(self, dim: int):
        super().__init__()
        self.block = nn.Sequential(
            nn.Linear(dim, dim), nn.ReLU(),
            nn.Linear(dim, dim), nn.ReLU(),
            nn.Linear(dim, dim), nn.ReLU(),
        )  # fmt: skip
        self.shortcut = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x) + self.shortcut(x)


class PriorDiscriminator(nn.Module):
    """Distinguishes graph embeddings from uniform noise (prior-matching term)."""

    def __init__(self, dim: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x))


def jsd_local_global_loss(
    node_emb: torch.Tensor, graph_emb: torch.Tensor, batch: torch.Tensor
) -> torch.Tensor:
    """Negative Jensen-Shannon MI estimate between nodes and graphs.

    Parameters
    ----------
    node_emb : torch.Tensor
        ``[N, d]`` (projected) node representations.
    graph_emb : torch.Tensor
        ``[B, d]`` (projected) graph representations, ``B >= 2``.
    batch : torch.Tensor
        ``[N]`` graph index of every node.

    Returns
    -------
    torch.Tensor
        Scalar ``E_neg - E_pos`` with ``E_pos = log 2 - softplus(-s)`` averaged over
        (node, own graph) pairs and ``E_neg = softplus(-s) + s - log 2`` averaged
        over (node, other graph) pairs, ``s = <node, graph>``. Minimum
        ``-2 log 2``; 0 when scores carry no information.
    """
    n, b = node_emb.shape[0], graph_emb.shape[0]
    if b < 2:
        raise ValueError("the JSD estimator needs at least two graphs per batch")
    scores = node_emb @ graph_emb.t()
    pos = F.one_hot(batch, b).to(scores.dtype)
    sp = F.softplus(-scores)
    e_pos = ((_LOG2 - sp) * pos).sum() / n
    e_neg = ((sp + scores - _LOG2) * (1.0 - pos)).sum() / (n * (b - 1))
    return e_neg - e_pos


class InfoGraph(nn.Module):
    """Encoder plus InfoGraph discriminators.

    Build from a plain ``hparams`` dict (:meth:`build`) so a saved encoder can be
    rebuilt without the training config.
    """

    def __init__(
        self,
        *,
        in_dim: int = ATOM_DIM,
        edge_dim: int | None = BOND_DIM,
        hidden: int = 100,
        layers: int = 3,
        prior: bool = False,
        gamma: float = 0.1,
    ):
        super().__init__()
        self.hparams: dict[str, Any] = {
            "in_dim": in_dim,
            "edge_dim": edge_dim,
            "hidden": hidden,
            "layers": layers,
            "prior": prior,
            "gamma": gamma,
        }
        dim = hidden * layers
        self.encoder = GINEncoder(in_dim, edge_dim, hidden, layers)
        self.local_d = FeedForward(dim)
        self.global_d = FeedForward(dim)
        self.prior_d = PriorDiscriminator(dim) if prior else None
        self.gamma = gamma

    @classmethod
    def build(cls, hparams: dict[str, Any]) -> InfoGraph:
        """Rebuild an (untrained) model from :attr:`hparams`."""
        return cls(**hparams)

    @property
    def dim(self) -> int:
        return self.hparams["hidden"] * self.hparams["layers"]

    def forward(self, batch: GraphBatch) -> torch.Tensor:
        """Graph embeddings ``[B, dim]`` (the representation used downstream)."""
        return self.encoder(batch)[0]

    def loss(self, batch: GraphBatch, generator: torch.Generator | None = None) -> torch.Tensor:
        """InfoGraph objective on one batch (to minimise)."""
        graphs, nodes = self.encoder(batch)
        loss = jsd_local_global_loss(self.local_d(nodes), self.global_d(graphs), batch.batch)
        if self.prior_d is not None:
            noise = torch.rand(graphs.shape, generator=generator, device=graphs.device)
            eps = 1e-6
            term_a = torch.log(self.prior_d(noise) + eps).mean()
            term_b = torch.log(1.0 - self.prior_d(graphs) + eps).mean()
            loss = loss - self.gamma * (term_a + term_b)
        return loss
