"""The compiled evidence booster: LightGBM's scores, bit for bit, or LightGBM itself."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.evidence import compiled
from ddi_core.models.evidence.learner import Booster, fit_booster

NAMES = ["a", "b", "c", "d", "e"]


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(NAMES))).astype(np.float32)
    X[rng.random(X.shape) < 0.3] = np.nan  # missing values take the learned default branch
    X[:, 4] = np.round(X[:, 4])  # a feature with ties on the thresholds
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * np.nan_to_num(X[:, 4])) > 0.2
    return X, y.astype(np.float32)


@pytest.fixture(scope="module")
def booster() -> Booster:
    X, y = _data(3000, 0)
    Xv, yv = _data(1000, 1)
    cfg = EvidenceConfig(max_rounds=80, early_stopping_rounds=20, num_leaves=15)
    return fit_booster(X, y, Xv, yv, NAMES, cfg, seed=0)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One data home for the module: the tiny model's library is built once."""
    mp = pytest.MonkeyPatch()
    h = tmp_path_factory.mktemp("compiled") / "home"
    mp.setenv("DDI_HOME", str(h))
    yield h
    mp.undo()


needs_compiler = pytest.mark.skipif(
    compiled.toolchain() is None or compiled._versions() is None,
    reason="tl2cgen or a C compiler is missing here (the LightGBM path is tested below)",
)


def _fresh(b: Booster) -> Booster:
    return Booster.from_string(b.to_string(), NAMES)


@needs_compiler
def test_compiled_trees_give_lightgbms_scores_exactly(booster, home, capfd):
    X, _ = _data(20_000, 2)
    assert not compiled.is_cached(booster.to_string())
    capfd.readouterr()
    ct = compiled.compile_model(booster.to_string(), len(NAMES))
    # the native libraries' log lines ("Parallel compilation enabled ...") would land on
    # stdout, inside a command's --json output; they go to the logger instead
    out, _ = capfd.readouterr()
    assert out == ""
    assert compiled.is_cached(booster.to_string())
    assert ct is not None and ct.lib.is_file()
    ref = booster._lgb_logits(np.ascontiguousarray(X))
    assert np.array_equal(ct.logits(X), ref)
    # built once: a second call loads the cached library
    again = compiled.compile_model(booster.to_string(), len(NAMES))
    assert again.lib == ct.lib


@needs_compiler
def test_large_blocks_use_the_compiled_trees_after_a_probe(booster, home, monkeypatch):
    monkeypatch.setattr(compiled, "MIN_ROWS", 5000)
    b = _fresh(booster)
    X, _ = _data(6000, 3)
    small = b.logits(X[:100])
    assert b.compiled is None and not b.compile_tried  # small blocks never build it
    out = b.logits(X)
    assert b.compiled is not None and b.compiled.checked
    assert np.array_equal(out, b._lgb_logits(np.ascontiguousarray(X)))
    assert np.array_equal(small, out[:100])


@needs_compiler
def test_a_compiled_library_that_disagrees_is_turned_off(booster, home, monkeypatch, caplog):
    monkeypatch.setattr(compiled, "MIN_ROWS", 5000)
    b = _fresh(booster)
    X, _ = _data(6000, 4)
    assert b.accelerate()
    real = compiled.CompiledTrees.logits
    monkeypatch.setattr(compiled.CompiledTrees, "logits", lambda self, X: real(self, X) + 1e-3)
    with caplog.at_level(logging.WARNING):
        out = b.logits(X)
    assert b.compiled is None and "differ from LightGBM" in caplog.text
    assert np.array_equal(out, b._lgb_logits(np.ascontiguousarray(X)))


@needs_compiler
def test_a_damaged_cached_library_is_rebuilt(booster, home, tmp_path, monkeypatch):
    bad = tmp_path / "bad.so"
    bad.write_bytes(b"not a shared library")
    with pytest.raises(Exception):  # noqa: B017 - whatever the loader raises, not a crash
        compiled.CompiledTrees(bad, len(NAMES))
    # the first load of the cached entry fails: it is rebuilt (force) and loaded once more
    real, calls = compiled.CompiledTrees.__init__, []

    def flaky(self, lib, n, **kw):
        calls.append(lib.stat().st_mtime_ns)
        if len(calls) == 1:
            raise OSError(f"{lib}: invalid ELF header")
        real(self, lib, n, **kw)

    monkeypatch.setattr(compiled.CompiledTrees, "__init__", flaky)
    ct = compiled.compile_model(booster.to_string(), len(NAMES))
    assert ct is not None and len(calls) == 2
    X, _ = _data(3000, 5)
    assert np.array_equal(ct.logits(X), booster._lgb_logits(np.ascontiguousarray(X)))


def test_switched_off_it_scores_with_lightgbm(booster, tmp_home, monkeypatch):
    monkeypatch.setenv(compiled.ENV, "0")
    monkeypatch.setattr(compiled, "MIN_ROWS", 5000)
    b = _fresh(booster)
    X, _ = _data(6000, 6)
    assert not b.accelerate()
    assert np.array_equal(b.logits(X), b._lgb_logits(np.ascontiguousarray(X)))
    assert not (tmp_home / "cache" / compiled.STAGE).exists()


def test_without_a_compiler_it_scores_with_lightgbm(booster, tmp_home, monkeypatch, caplog):
    monkeypatch.setattr(compiled, "toolchain", lambda: None)
    monkeypatch.setattr(compiled, "MIN_ROWS", 5000)
    b = _fresh(booster)
    X, _ = _data(6000, 7)
    with caplog.at_level(logging.WARNING):
        out = b.logits(X)
    assert b.compiled is None and b.compile_tried
    assert np.array_equal(out, b._lgb_logits(np.ascontiguousarray(X)))
