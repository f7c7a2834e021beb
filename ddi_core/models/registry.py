"""Every model kind by name: the one place a kind's name is tied to its code.

A kind is a package under ``ddi_core/models/`` whose ``kind`` module defines ``KIND``
(the :class:`~ddi_core.models.base.ModelKind` interface); adding one is that package
and one line of :data:`KINDS`. Everything else (training, ranking, explaining, the
pages) asks :func:`model_kind` for a name and calls the interface.
"""

from __future__ import annotations

import importlib

from ddi_core.errors import DDIError
from ddi_core.models.base import ModelKind

#: kind name -> the module that defines its ``KIND`` (imported when first asked for, so
#: ranking with the evidence model never imports torch)
KINDS: dict[str, str] = {
    "mlp": "ddi_core.models.mlp.kind",
    "evidence": "ddi_core.models.evidence.kind",
    "popularity": "ddi_core.models.popularity.kind",
}
#: the kind of a run recorded before kinds were named (every such run was an MLP)
LEGACY_KIND = "mlp"


def model_kind(name: str) -> ModelKind:
    """The kind called ``name``; a :class:`DDIError` naming the known kinds otherwise."""
    module = KINDS.get(str(name))
    if module is None:
        raise DDIError(f"unknown model kind {str(name)[:80]!r}; known: {', '.join(KINDS)}")
    return importlib.import_module(module).KIND


def kind_names() -> tuple[str, ...]:
    """Every registered kind's name, in registry order."""
    return tuple(KINDS)


def label(name: str) -> str:
    """A reader's name of a kind ("evidence model"); the name itself when unknown."""
    try:
        return model_kind(name).label
    except DDIError:
        return str(name)


__all__ = ["KINDS", "LEGACY_KIND", "kind_names", "label", "model_kind"]
