"""DDI Explorer core: drug-disease interaction prediction from network biology.

The package is a library with a CLI (``ddi``) and no UI. Each pipeline stage is a
function of typed inputs, cached on disk by a key built from its config and the
SHA-256 of its inputs (see :mod:`ddi_core.cache`).
"""

__version__ = "0.1.0"
