"""Content-addressed stage cache, atomic writes and verified reads of saved files.

A stage output lives in ``cache_dir()/<stage>/<key>/`` where ``key`` is the
SHA-256 of the stage's resolved config and the hashes of its inputs. Writing goes
to a temporary sibling directory that is renamed into place only when complete,
so a killed job never leaves an entry that loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ddi_core import paths
from ddi_core.errors import CorruptFileError

T = TypeVar("T")
_META = "meta.json"


def _canon(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _canon(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, list | tuple):
        return [_canon(v) for v in obj]
    if isinstance(obj, float | int | str | bool) or obj is None:
        return obj
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return _canon(asdict(obj))
    return str(obj)


def stable_hash(obj: Any) -> str:
    """SHA-256 of a canonical JSON rendering of ``obj``."""
    return hashlib.sha256(json.dumps(_canon(obj), sort_keys=True).encode()).hexdigest()


def stage_key(stage: str, config: Any, inputs: Mapping[str, str]) -> str:
    """Key of a stage output: config and input hashes (first 16 hex digits)."""
    return stable_hash({"stage": stage, "config": config, "inputs": dict(inputs)})[:16]


def entry_dir(stage: str, key: str) -> Path:
    return paths.cache_dir() / stage / key


def cached(
    stage: str,
    config: Any,
    inputs: Mapping[str, str],
    compute: Callable[[Path], None],
    *,
    force: bool = False,
) -> Path:
    """Return the directory holding ``stage``'s output for this key, computing it once.

    ``compute(tmpdir)`` writes the output files into ``tmpdir``; on success the
    directory is renamed into place with a ``meta.json`` (config, inputs, time).
    """
    key = stage_key(stage, config, inputs)
    final = entry_dir(stage, key)
    if final.is_dir() and (final / _META).is_file() and not force:
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
    try:
        t0 = time.perf_counter()
        compute(tmp)
        meta = {
            "stage": stage,
            "key": key,
            "config": _canon(config),
            "inputs": dict(inputs),
            "seconds": round(time.perf_counter() - t0, 3),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (tmp / _META).write_text(json.dumps(meta, indent=1))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only when the block ends without error.

    The data goes to a temporary file beside ``path`` and is renamed into place
    at the end (``os.replace``: a reader sees the old file or the new, never a
    part). On any exception, a kill included, ``path`` keeps what it held.
    The project's one atomic writer: every file written outside a cache
    entry's temporary directory goes through it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_open`."""
    with atomic_open(path) as fh:
        fh.write(data)


def atomic_savez(path: Path, **arrays: Any) -> None:
    """``numpy.savez`` through :func:`atomic_open`."""
    import numpy as np

    with atomic_open(path) as fh:
        np.savez(fh, **arrays)


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=1, default=str).encode())


def read_json_file(p: Path) -> Any:
    """The parsed file, ``None`` when absent; :class:`CorruptFileError` naming the file
    when it is truncated or not JSON."""
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text())
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptFileError(p, f"truncated or not valid JSON ({exc})") from exc


def load_npz_file(p: Path) -> dict[str, Any]:
    """Every array of an ``.npz``, read now; :class:`CorruptFileError` naming the file
    when it is missing, truncated or damaged."""
    import zipfile

    import numpy as np

    try:
        with np.load(p, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError as exc:
        raise CorruptFileError(p, "missing (the run directory was changed)") from exc
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise CorruptFileError(p, f"truncated or damaged ({type(exc).__name__}: {exc})") from exc


def load_torch_file(p: Path) -> Any:
    """A ``torch.save`` file (weights only, on the CPU); :class:`CorruptFileError` naming
    the file when it cannot be read."""
    import pickle
    import zipfile

    import torch  # optional: only a torch model's files need it

    try:
        return torch.load(p, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise CorruptFileError(p, "missing (the run directory was changed)") from exc
    except (
        OSError,
        EOFError,
        RuntimeError,
        ValueError,
        KeyError,
        zipfile.BadZipFile,
        pickle.UnpicklingError,
    ) as exc:
        raise CorruptFileError(p, f"truncated or damaged ({type(exc).__name__}: {exc})") from exc
