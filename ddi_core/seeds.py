"""Named sub-seeds of a run's root seed.

One root seed per run; each stage that draws random numbers gets its own
sub-seed (``split``, ``negatives``, ``smote``, ``torch_init``, ``shuffle``,
``dropout``, ``baselines``), derived by hashing ``"{root}:{name}"``, so changing
one stage's randomness never shifts another's. The derivation is frozen: every
recorded run's numbers depend on it.
"""

from __future__ import annotations

import hashlib

SEED_NAMES = ("split", "negatives", "smote", "torch_init", "shuffle", "dropout", "baselines")


def sub_seeds(root: int) -> dict[str, int]:
    """Named sub-seeds of a root seed (stable across versions)."""
    out = {"root": int(root)}
    for name in SEED_NAMES:
        h = hashlib.sha256(f"{int(root)}:{name}".encode()).digest()
        out[name] = int.from_bytes(h[:4], "little") & 0x7FFFFFFF
    return out


__all__ = ["SEED_NAMES", "sub_seeds"]
