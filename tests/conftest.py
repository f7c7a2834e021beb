"""Shared fixtures.

Integration tests run on the real bundle (``../shared/ddi-data`` or
``DDI_DATA_MIRROR``), fetched once per session into a persistent test data home
(``DDI_TEST_HOME``, default ``<repo>/.ddi-home/test``) so stage caches survive
between local runs. In CI (``CI=true``) a missing bundle is a failure, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _test_home() -> Path:
    return Path(os.environ.get("DDI_TEST_HOME", REPO / ".ddi-home" / "test")).resolve()


# Tests never write into the user's real data home.
os.environ["DDI_HOME"] = str(_test_home())


@pytest.fixture(scope="session")
def bundle_dir() -> Path:
    """The real raw bundle; fails in CI and skips elsewhere when it is absent."""
    from ddi_core import paths

    mirror = paths.default_mirror()
    if mirror is None or not (mirror / "MANIFEST.tsv").is_file():
        msg = "real data bundle not found (../shared/ddi-data or DDI_DATA_MIRROR)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return mirror


@pytest.fixture(scope="session")
def real_home(bundle_dir: Path):
    """A data home holding the verified real bundle; ``DDI_HOME`` points at it."""
    from ddi_core.data.fetch import fetch

    home = _test_home()
    old = os.environ.get("DDI_HOME")
    os.environ["DDI_HOME"] = str(home)
    fetch(mirror=bundle_dir)
    yield home
    if old is None:
        os.environ.pop("DDI_HOME", None)
    else:
        os.environ["DDI_HOME"] = old


@pytest.fixture
def tmp_home(tmp_path, monkeypatch) -> Path:
    """An empty data home for tests that must not touch the shared one."""
    home = tmp_path / "home"
    monkeypatch.setenv("DDI_HOME", str(home))
    return home


def _same_code(run) -> bool:
    """Whether ``run`` was made by exactly these ``ddi_core`` sources (a run of other code,
    committed or not, is refused: it could hide a change that breaks training)."""
    from ddi_core.runs import registry as runs

    return run.info.get("source_sha256") == runs.source_sha256()


#: the small configuration of every test that needs a trained run
TEST_RUN_OVERRIDES = {"max_train_pairs": 1500, "max_epochs": 2, "rank_eval_drugs": 20, "seed": 0}


@pytest.fixture(scope="session")
def trained_run(real_home):
    """A finished quick run on the real bundle (small: ~1 min on 2 cores).

    A finished run with the identical config in the persistent test home is
    reused, so local re-runs skip training, but only when the same code made
    it (:func:`_same_code`); CI starts from an empty home.
    """
    from ddi_core.config.run import preset
    from ddi_core.runs import registry as runs
    from ddi_core.training.runner import run_training

    cfg = preset("quick", **TEST_RUN_OVERRIDES)
    for r in runs.list_runs():
        if (
            r.status == "done"
            and r.info.get("config") == cfg.to_dict()
            and r.path("model.pt").is_file()
            and _same_code(r)
        ):
            return r
    return run_training(cfg)


#: the small configuration of every test that needs a trained evidence run
EVIDENCE_TEST_OVERRIDES = {
    "seed": 0,
    "drug_sims": ("targets", "morgan", "profile"),
    "oof_folds": 3,
    "train_neg_ratio": 2.0,
    "max_rounds": 150,
    "rank_eval_drugs": 60,
}


@pytest.fixture(scope="session")
def evidence_run(real_home):
    """A finished evidence run on the real bundle (small: about a minute on 2 cores).

    Reused from the persistent test home when one with the identical config, made by the
    same code, exists.
    """
    from ddi_core.config.run import preset
    from ddi_core.models.evidence.tables import evidence_tables, tables_config
    from ddi_core.runs import registry as runs
    from ddi_core.training.runner import run_training

    cfg = preset("evidence", **EVIDENCE_TEST_OVERRIDES)
    key = evidence_tables(tables_config(cfg.evidence)).meta["cache_key"]
    for r in runs.list_runs():
        if (
            r.status == "done"
            and r.info.get("config") == cfg.to_dict()
            and r.path("model.txt").is_file()
            and (r.info.get("pairs") or {}).get("tables") == key
            and _same_code(r)
        ):
            return r
    return run_training(cfg)
