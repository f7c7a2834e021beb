"""On-disk format of an embedding table, shared by every embedding stage.

A table lives in one directory::

    ids.npy        1-D array of identifiers (int64 or unicode, never object)
    vectors.npy    float32 array, shape (len(ids), dim)
    embedding.json free-form metadata (dim, n, seconds, ...)

Files are written with ``allow_pickle=False`` and loaded the same way, so a table
never executes code on load. Writes go through a temporary file and a rename; the
usual caller writes into the temporary directory of :func:`ddi_core.cache.cached`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ddi_core.cache import atomic_open, atomic_write_json
from ddi_core.errors import DataFileError

log = logging.getLogger(__name__)

IDS_FILE = "ids.npy"
VECTORS_FILE = "vectors.npy"
META_FILE = "embedding.json"


@dataclass(frozen=True)
class Embedding:
    """An embedding table.

    Attributes
    ----------
    ids : numpy.ndarray
        Identifiers, shape ``(n,)`` (int64 Entrez ids, or ``<U`` strings such as
        MeSH descriptor ids).
    vectors : numpy.ndarray
        float32, shape ``(n, dim)``; row ``i`` belongs to ``ids[i]``.
    meta : dict
        Metadata (at least ``n`` and ``dim``; stages add timings, config, counts).
    """

    ids: np.ndarray
    vectors: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def index(self) -> dict[Any, int]:
        """Map identifier -> row number."""
        return {k.item() if hasattr(k, "item") else k: i for i, k in enumerate(self.ids)}

    def lookup(self, keys: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of ``keys`` that are present.

        Returns
        -------
        vectors : numpy.ndarray
            float32, shape ``(m, dim)`` for the ``m`` keys found.
        found : numpy.ndarray
            bool mask over ``keys`` (no silent zero rows for missing keys).
        """
        idx = self.index()
        rows = [idx.get(k, -1) for k in keys]
        found = np.array([r >= 0 for r in rows], dtype=bool)
        take = np.array([r for r in rows if r >= 0], dtype=np.int64)
        return self.vectors[take], found


def _atomic_save_npy(path: Path, arr: np.ndarray) -> None:
    with atomic_open(path) as fh:
        np.save(fh, arr, allow_pickle=False)


def save_embedding(
    directory: str | os.PathLike[str],
    ids: Sequence[Any] | np.ndarray,
    vectors: np.ndarray,
    extra_meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write an embedding table into ``directory`` (created if needed).

    Parameters
    ----------
    directory : path
        Target directory (typically the ``tmpdir`` given to a cache ``compute``).
    ids : sequence
        Identifiers; integers are stored as int64, anything else as unicode.
    vectors : numpy.ndarray
        Shape ``(len(ids), dim)``; stored as float32.
    extra_meta : mapping, optional
        JSON-serialisable metadata merged into ``embedding.json``.

    Returns
    -------
    pathlib.Path
        ``directory``.

    Raises
    ------
    ValueError
        When shapes disagree, ids repeat, or vectors contain NaN/inf.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ids_arr = np.asarray(ids)
    if ids_arr.dtype.kind in "iu":
        ids_arr = ids_arr.astype(np.int64)
    elif ids_arr.dtype.kind != "U":
        ids_arr = ids_arr.astype(str)
    vec = np.ascontiguousarray(vectors, dtype=np.float32)
    if ids_arr.ndim != 1 or vec.ndim != 2 or vec.shape[0] != ids_arr.shape[0]:
        raise ValueError(f"ids {ids_arr.shape} and vectors {vec.shape} do not match")
    if len(np.unique(ids_arr)) != len(ids_arr):
        raise ValueError("embedding ids are not unique")
    if not np.isfinite(vec).all():
        raise ValueError("embedding vectors contain NaN or inf")
    meta = {"n": int(vec.shape[0]), "dim": int(vec.shape[1]), "id_dtype": ids_arr.dtype.str}
    meta.update(dict(extra_meta or {}))
    _atomic_save_npy(d / IDS_FILE, ids_arr)
    _atomic_save_npy(d / VECTORS_FILE, vec)
    atomic_write_json(d / META_FILE, meta)
    log.debug("saved embedding %s: n=%d dim=%d", d, vec.shape[0], vec.shape[1])
    return d


def load_embedding(
    directory: str | os.PathLike[str], *, mmap: bool = False
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Read a table written by :func:`save_embedding`.

    Parameters
    ----------
    directory : path
        Directory holding ``ids.npy``, ``vectors.npy`` and ``embedding.json``.
    mmap : bool
        Memory-map the vectors instead of reading them.

    Returns
    -------
    ids : numpy.ndarray
    vectors : numpy.ndarray
        float32, shape ``(n, dim)``.
    meta : dict

    Raises
    ------
    DataFileError
        When a file is missing or the shapes disagree.
    """
    d = Path(directory)
    for name in (IDS_FILE, VECTORS_FILE, META_FILE):
        if not (d / name).is_file():
            raise DataFileError(d / name, "embedding file missing")
    try:
        ids = np.load(d / IDS_FILE, allow_pickle=False)
        vec = np.load(d / VECTORS_FILE, allow_pickle=False, mmap_mode="r" if mmap else None)
        meta = json.loads((d / META_FILE).read_text())
    except (ValueError, OSError) as exc:
        raise DataFileError(d, f"unreadable embedding: {exc}") from exc
    if vec.dtype != np.float32 or vec.ndim != 2 or vec.shape[0] != ids.shape[0]:
        raise DataFileError(d, f"ids {ids.shape} / vectors {vec.shape} {vec.dtype} mismatch")
    return ids, vec, meta


def read_embedding(directory: str | os.PathLike[str], *, mmap: bool = False) -> Embedding:
    """:func:`load_embedding` wrapped in an :class:`Embedding`."""
    ids, vec, meta = load_embedding(directory, mmap=mmap)
    return Embedding(ids=ids, vectors=vec, meta=meta)
