"""Where data, caches and runs live.

``DDI_HOME`` (environment) overrides the data home; the default is
``$XDG_DATA_HOME/ddi-explorer`` (``~/.local/share/ddi-explorer``).
``DDI_DATA_MIRROR`` names a local directory holding the raw bundle; when unset,
``../shared/ddi-data`` beside the repository (or the working directory) is used
when it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_home() -> Path:
    """Root of everything the project writes (raw copies, caches, runs)."""
    env = os.environ.get("DDI_HOME")
    if env:
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "ddi-explorer"


def raw_dir() -> Path:
    """Verified copies of the raw bundle files."""
    return data_home() / "raw"


def cache_dir() -> Path:
    """Content-addressed stage outputs (tables, embeddings, profiles)."""
    return data_home() / "cache"


def runs_dir() -> Path:
    """The run registry."""
    return data_home() / "runs"


def default_mirror() -> Path | None:
    """A local copy of the bundle to fetch from, or ``None``.

    Order: ``DDI_DATA_MIRROR``; ``../shared/ddi-data`` beside the repository;
    ``../shared/ddi-data`` beside the working directory.
    """
    env = os.environ.get("DDI_DATA_MIRROR")
    if env:
        return Path(env).expanduser().resolve()
    for base in (REPO_ROOT, Path.cwd()):
        cand = (base / ".." / "shared" / "ddi-data").resolve()
        if cand.is_dir():
            return cand
    return None
