"""Named sub-seeds of a root seed: the one seed derivation of the package.

One root seed per run; each stage that draws random numbers gets its own
sub-seed (``split``, ``negatives``, ``smote``, ``torch_init``, ``shuffle``,
``dropout``, ``baselines``), derived by hashing ``"{root}:{name}"``, so changing
one stage's randomness never shifts another's. The drug-target stage derives
its own (``classifier``, ``validation``, ``lift``, ...) from its root seed with
the same :func:`sub_seed`. The derivation is frozen: every recorded run's
numbers depend on it.

The shared upstream stages (node2vec, InfoGraph, the drug-target classifier)
take their own root seed (0) from their config, not the run's: they are cached
once per data home and read by every run (:mod:`ddi_core.training.stages` says
why); inside them, node2vec and InfoGraph split that seed into streams with
fixed offsets (``[seed, 0x57A27]``, ``seed + 1``), frozen with their cached
embeddings, which every recorded number depends on.

Why a hash and not :class:`numpy.random.SeedSequence`: both give independent
named streams, but the hash is what every recorded run was made with, and
``SeedSequence.spawn`` numbers streams by position, so adding a stage would
shift the seeds of every stage after it.
"""

from __future__ import annotations

import hashlib

SEED_NAMES = ("split", "negatives", "smote", "torch_init", "shuffle", "dropout", "baselines")


def sub_seed(root: int, name: str) -> int:
    """The named 31-bit sub-seed of ``root`` (first 4 bytes of SHA-256, little-endian)."""
    h = hashlib.sha256(f"{int(root)}:{name}".encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def sub_seeds(root: int) -> dict[str, int]:
    """The run's named sub-seeds of ``root`` (stable across versions)."""
    return {"root": int(root), **{name: sub_seed(root, name) for name in SEED_NAMES}}


__all__ = ["SEED_NAMES", "sub_seed", "sub_seeds"]
