"""A first linear layer over two concatenated inputs, split by input block.

``W·[x ⊕ y] + b = W_x·x + (W_y·y + b)``: a model whose first layer reads ``x ⊕ y``
can compute each half once per row of its own table and add them per pair. The pair
MLP (drug ⊕ disease, :mod:`ddi_core.models.mlp.scoring`) and the target classifier
(drug ⊕ gene, :mod:`ddi_core.targets.scorer`) both score their grids this way.
"""

from __future__ import annotations

import torch


def split_columns(weight: torch.Tensor, left: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A first layer's weight ``W`` split by input block: ``W·[x ⊕ y] = W_x·x + W_y·y``.

    ``left`` is the dimension of ``x``; both halves are contiguous copies.
    """
    return weight[:, :left].contiguous(), weight[:, left:].contiguous()


__all__ = ["split_columns"]
