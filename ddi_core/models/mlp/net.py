"""The pair classifier: the method's MLP.

``D → 4096 → 1024 → 256 → 64 → 1``, ReLU and Dropout(0.5) after every hidden
layer, one output logit (train with ``BCEWithLogitsLoss``; the probability is
``sigmoid(logit)``). :func:`build_model` takes an ``hparams`` dict that is stored
on the module and rebuilds it (chemprop style)::

    model = build_model(19292, {"hidden": [4096, 1024, 256, 64], "dropout": 0.5}, seed=0)
    clone = build_model(model.hparams["in_dim"], model.hparams)
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

__all__ = ["PAPER_HPARAMS", "PairMLP", "build_model", "init_weights"]

PAPER_HPARAMS: dict[str, Any] = {"hidden": [4096, 1024, 256, 64], "dropout": 0.5}


class PairMLP(nn.Module):
    """Fully connected classifier over pair features.

    Parameters
    ----------
    in_dim : int
        Feature width ``drug_dim + dis_dim``.
    hidden : sequence of int
        Hidden layer widths.
    dropout : float
        Dropout probability after each hidden layer.
    """

    def __init__(self, in_dim: int, hidden: list[int] | tuple[int, ...], dropout: float) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        prev = in_dim
        for h in hidden:
            layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(dropout)]
            prev = h
        layers.append(nn.Linear(prev, 1))
        self.net = nn.Sequential(*layers)
        self.hparams: dict[str, Any] = {
            "in_dim": int(in_dim),
            "hidden": [int(h) for h in hidden],
            "dropout": float(dropout),
        }

    @property
    def first(self) -> nn.Linear:
        """The first Linear layer (acting on ``drug ⊕ disease``)."""
        return self.net[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits, shape (n,)."""
        return self.net(x).squeeze(-1)

    def n_params(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def init_weights(model: nn.Module, seed: int) -> nn.Module:
    """Re-initialise every Linear layer like PyTorch's default, from ``seed``.

    Uses a private ``torch.Generator``; the global RNG is neither read nor seeded.
    """
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                w = torch.empty(m.weight.shape, dtype=m.weight.dtype)
                nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g)
                m.weight.copy_(w)
                if m.bias is not None:
                    bound = 1.0 / math.sqrt(m.in_features) if m.in_features > 0 else 0.0
                    b = torch.empty(m.bias.shape, dtype=m.bias.dtype).uniform_(
                        -bound, bound, generator=g
                    )
                    m.bias.copy_(b)
    return model


def build_model(in_dim: int, hparams: dict[str, Any] | None = None, *, seed: int = 0) -> PairMLP:
    """Build the pair MLP.

    Parameters
    ----------
    in_dim : int
        Feature width.
    hparams : dict, optional
        ``hidden`` (list of int) and ``dropout`` (float); missing keys take the
        paper's values (:data:`PAPER_HPARAMS`). An ``in_dim`` key, if present,
        must equal ``in_dim``. ``model.hparams`` rebuilds the same architecture.
    seed : int
        Torch init seed (private generator; weights are identical on every device).

    Returns
    -------
    PairMLP
        On CPU; move it with ``.to(device)``.
    """
    hp = {**PAPER_HPARAMS, **(hparams or {})}
    if "in_dim" in hp and int(hp["in_dim"]) != int(in_dim):
        raise ValueError(f"hparams in_dim {hp['in_dim']} differs from in_dim {in_dim}")
    unknown = set(hp) - {"in_dim", "hidden", "dropout"}
    if unknown:
        raise ValueError(f"unknown model hparams: {sorted(unknown)}")
    with torch.device("meta"):  # no throw-away default init (the first layer is ~80M weights)
        model = PairMLP(int(in_dim), list(hp["hidden"]), float(hp["dropout"]))
    model = model.to_empty(device="cpu")
    return init_weights(model, seed)
