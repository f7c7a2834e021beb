"""A run's split, stored as ``split.npz``: the train / validation / test pairs and the
training pairs the learner actually saw (``train_used``)."""

from __future__ import annotations

from ddi_core.cache import atomic_savez
from ddi_core.errors import CorruptFileError
from ddi_core.pairs.pairs import Pairs
from ddi_core.runs import registry as runs

SPLIT_FILE = "split.npz"
SPLIT_PARTS = ("train", "val", "test", "train_used")


def save_split(run: runs.Run, split, train_used: Pairs) -> None:
    """``split.npz``: the train/val/test pairs and the training pairs actually used."""
    arrays = {
        f"{part}_{k}": getattr(getattr(split, part), k)
        for part in ("train", "val", "test")
        for k in ("drug", "dis", "y")
    }
    arrays.update({f"train_used_{k}": getattr(train_used, k) for k in ("drug", "dis", "y")})
    atomic_savez(run.path(SPLIT_FILE), **arrays)


def run_split(run: runs.Run) -> dict[str, Pairs]:
    """The run's split; :class:`~ddi_core.errors.CorruptFileError` naming the file when it
    is truncated or lacks a part."""
    z = run.load_npz(SPLIT_FILE)
    out = {}
    for part in SPLIT_PARTS:
        try:
            out[part] = Pairs(z[f"{part}_drug"], z[f"{part}_dis"], z[f"{part}_y"])
        except KeyError as exc:
            raise CorruptFileError(run.path(SPLIT_FILE), f"no {part} part ({exc})") from exc
    return out


__all__ = ["SPLIT_FILE", "SPLIT_PARTS", "run_split", "save_split"]
