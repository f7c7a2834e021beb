"""The evidence booster compiled to C, for scoring large blocks of pairs.

LightGBM's ``predict`` walks each tree through its generic node arrays: about
6 µs a pair for the default model's ~600 trees on two cores, so scoring every
covered drug × every disease (9.2 M pairs) takes most of a minute. tl2cgen
(the Treelite project's code generator) writes the same trees out as nested
``if`` statements in C, which the machine's C compiler builds into a shared
library that scores the same pairs about five times faster.

The scores are LightGBM's, not an approximation: the library adds the same
leaf values in the same order, and :class:`CompiledTrees` checks that on the
first rows it scores against LightGBM before it is trusted (a mismatch turns it
off with a warning). The library is built once per model text (its SHA-256)
and machine into the data home's cache (``compiled_trees``; about 6 s on two
cores). Without tl2cgen, without a C compiler, when the build fails, or with
``DDI_COMPILED_TREES=0``, scoring stays on LightGBM and the reason is logged
once. tl2cgen and Treelite ``print`` their native log lines to standard output,
which would corrupt a command's JSON there; they are sent to this module's
logger instead (:func:`_native_logs_to_logging`).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import logging
import os
import platform
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ddi_core.cache import cached, entry_dir, stage_key

log = logging.getLogger(__name__)

STAGE = "compiled_trees"
COMPILED_VERSION = 1
#: blocks smaller than this stay on LightGBM (one drug against every disease is ~2,400 pairs)
MIN_ROWS = 100_000
#: rows compared against LightGBM before a library is trusted
PROBE_ROWS = 2048
LIB = "trees.so"
ENV = "DDI_COMPILED_TREES"

_lock = threading.Lock()
_said: set[str] = set()


def _say_once(msg: str, *args: Any) -> None:
    text = msg % args
    if text not in _said:
        _said.add(text)
        log.warning(text)


#: the ctypes callbacks handed to the native libraries (kept alive for the process)
_callbacks: list[Any] = []


def _native_logs_to_logging() -> None:
    """Route tl2cgen's and Treelite's native log lines to :data:`log` (debug), not stdout."""
    if _callbacks:
        return

    @ctypes.CFUNCTYPE(None, ctypes.c_char_p)
    def to_log(msg: bytes) -> None:
        log.debug("tl2cgen: %s", msg.decode("utf-8", "replace").strip())

    _callbacks.append(to_log)
    for module, fn in (
        ("tl2cgen.libloader", "TL2cgenRegisterLogCallback"),
        ("treelite.core", "TreeliteRegisterLogCallback"),
    ):
        try:
            lib = importlib.import_module(module)._LIB
            getattr(lib, fn)(to_log)
        except Exception as exc:  # an older or newer library: its lines stay where they go
            log.debug("could not redirect %s: %s", fn, exc)


def enabled() -> bool:
    """False when ``DDI_COMPILED_TREES`` is ``0``/``false``/``no``/``off``."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def toolchain() -> str | None:
    """The C compiler tl2cgen can drive here (``gcc`` or ``clang``), else ``None``."""
    for name in ("gcc", "clang"):
        if shutil.which(name):
            return name
    return None


def _versions() -> dict[str, str] | None:
    try:
        import tl2cgen
        import treelite
    except ImportError:
        return None
    return {"tl2cgen": tl2cgen.__version__, "treelite": treelite.__version__}


class CompiledTrees:
    """A compiled booster: ``logits(X)`` = LightGBM's raw scores of ``X``."""

    def __init__(self, lib: Path, n_features: int, *, nthread: int | None = None) -> None:
        import tl2cgen

        self.lib = Path(lib)
        self.n_features = int(n_features)
        self._pred = tl2cgen.Predictor(str(self.lib), nthread=nthread)
        if int(self._pred.num_feature) != self.n_features:
            raise ValueError(
                f"{self.lib}: compiled for {self._pred.num_feature} features, "
                f"the model has {self.n_features}"
            )
        self.checked = False

    def logits(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds), float64 (n,), of float32 rows ``X``."""
        import tl2cgen

        X = np.ascontiguousarray(np.asarray(X, np.float32).reshape(-1, self.n_features))
        out = self._pred.predict(tl2cgen.DMatrix(X, dtype="float32"), pred_margin=True)
        return np.asarray(out, np.float64).reshape(-1)


def _key(text: str, cc: str, vers: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    key = {
        "v": COMPILED_VERSION,
        **vers,
        "toolchain": cc,
        "machine": platform.machine(),
        "system": platform.system(),
        "quantize": 1,
    }
    return key, {"model": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def is_cached(text: str) -> bool:
    """Whether this model text's library is already built here (computes nothing)."""

    vers, cc = _versions(), toolchain()
    if vers is None or cc is None:
        return False
    key, inputs = _key(text, cc, vers)
    return (entry_dir(STAGE, stage_key(STAGE, key, inputs)) / LIB).is_file()


def compile_model(text: str, n_features: int) -> CompiledTrees | None:
    """The compiled library of a LightGBM model text (built once, cached), or ``None``.

    ``None`` (with the reason logged once) when compiled scoring is off, tl2cgen
    or a C compiler is missing, or the build or load fails.
    """
    if not enabled():
        return None
    vers = _versions()
    if vers is None:
        _say_once("tl2cgen is not installed: the evidence model scores with LightGBM")
        return None
    cc = toolchain()
    if cc is None:
        _say_once("no C compiler (gcc or clang) found: the evidence model scores with LightGBM")
        return None

    key, inputs = _key(text, cc, vers)

    def compute(out: Path) -> None:
        import tl2cgen
        import treelite

        _native_logs_to_logging()
        src = out / "model.txt"
        src.write_text(text, encoding="utf-8")
        model = treelite.frontend.load_lightgbm_model(str(src))
        tl2cgen.export_lib(
            model,
            toolchain=cc,
            libpath=str(out / LIB),
            params={"parallel_comp": 8, "quantize": 1},
            nthread=os.cpu_count() or 1,
        )
        src.unlink()

    with _lock:
        for force in (False, True):  # a cached library that will not load is rebuilt once
            try:
                entry = cached(STAGE, key, inputs, compute, force=force)
                return CompiledTrees(entry / LIB, n_features)
            except Exception as exc:  # a failed build or a damaged library: LightGBM instead
                err = exc
        _say_once("compiling the evidence model failed (%s): scoring with LightGBM", err)
        return None


__all__ = ["CompiledTrees", "MIN_ROWS", "compile_model", "enabled", "is_cached", "toolchain"]
