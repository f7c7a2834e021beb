"""Which code made a run: ``git describe`` of the tree (or ``DDI_CODE_VERSION``) and a
SHA-256 over the ``ddi_core`` sources, both recorded in every run's ``run.json``.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

from ddi_core import __version__, paths

__all__ = ["code_version", "source_sha256"]


def code_version() -> str:
    """``git describe`` of the source tree when available, else the package version.

    ``DDI_CODE_VERSION`` in the environment wins: set it where the tree is a
    copy without ``.git`` (a GPU machine, a container), e.g.
    ``DDI_CODE_VERSION=$(git describe --always --dirty --abbrev=12)``, so the
    runs made there still name their commit.
    """

    override = os.environ.get("DDI_CODE_VERSION", "").strip()
    if override:
        return f"{__version__}+g{override}" if not override.startswith(__version__) else override
    try:
        out = subprocess.run(
            ["git", "-C", str(paths.REPO_ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return f"{__version__}+g{out}" if out else __version__
    except (OSError, subprocess.SubprocessError):
        return __version__


@functools.cache
def source_sha256() -> str:
    """SHA-256 over every ``ddi_core`` source file (relative path and bytes, sorted).

    Recorded in each run beside :func:`code_version`: it tells apart two runs of
    uncommitted trees that ``git describe`` calls the same ``-dirty`` version
    (the test fixtures reuse a cached run only when it matches).
    """
    import hashlib

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
