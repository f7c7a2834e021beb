"""The Train page: presets, the runs table with real metrics, provenance, the busy lock."""

from __future__ import annotations

import json
import os
import signal

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from ui import state

APP = str(REPO / "app.py")
PAGE = "pages/train.py"
pytestmark = pytest.mark.integration


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _runs_table(at: AppTest):
    return next(df.value for df in at.dataframe if "AUROC" in df.value.columns)


def _json_values(at: AppTest) -> list[dict]:
    return [json.loads(j.proto.body) for j in at.json]


def test_presets_and_runs_table_show_the_trained_run(trained_run):
    at = _open()
    radio = at.radio(key=state.TRAIN_PRESET)
    assert list(radio.options) == ["quick", "evidence", "paper", "paper-known", "popularity"]
    assert radio.value == "quick"
    from ddi_core.config.run import preset

    quick = preset("quick").train.max_epochs
    assert at.number_input(key=state.TRAIN_MAX_EPOCHS).value == quick  # quick preset's value
    assert any(f"at most {quick} epochs" in c.value for c in at.caption)

    table = _runs_table(at)
    row = table[table["run"] == trained_run.id]
    assert len(row) == 1
    metrics = trained_run.read_json("metrics.json")
    assert row["AUROC"].iloc[0] == pytest.approx(metrics["test"]["auroc"], abs=1e-12)
    assert row["F1"].iloc[0] == pytest.approx(metrics["test"]["f1_at_val_threshold"], abs=1e-12)
    assert row["MRR"].iloc[0] == pytest.approx(metrics["test"]["mrr"], abs=1e-12)
    assert row["status"].iloc[0] == "done"
    assert row["preset"].iloc[0] == "quick" and row["split"].iloc[0] == "random"

    # switching the preset resets max epochs to the preset's own value
    radio.set_value("paper").run()
    assert not at.exception
    assert at.number_input(key=state.TRAIN_MAX_EPOCHS).value == 200
    assert any("at most 200 epochs" in c.value for c in at.caption)


def test_provenance_of_a_run_is_viewable(trained_run):
    at = _open()
    at.selectbox(key=state.TRAIN_DETAIL_RUN).set_value(trained_run.id).run()
    assert not at.exception
    prov = next(v for v in _json_values(at) if v.get("id") == trained_run.id)
    assert prov["seeds"] == trained_run.info["seeds"]
    assert prov["config"] == trained_run.info["config"]
    assert prov["code_version"] == trained_run.info["code_version"]
    assert prov["data_sha256"]["ctd/6_C_G.csv"] == trained_run.info["data_sha256"]["ctd/6_C_G.csv"]
    assert len(prov["data_sha256"]["ctd/6_C_G.csv"]) == 64


def test_start_while_another_job_holds_the_lock_is_refused(real_home, tmp_path):
    from ddi_core.runs import registry as runs
    from ddi_core.training import jobs

    before = {r.id for r in runs.list_runs()}
    job = jobs.start(
        "train",
        [],
        run_id="x",
        log_path=tmp_path / "sleep.log",
        label="sleeping test job",
        python_args=["-c", "import time; time.sleep(30)"],
    )
    try:
        at = _open()
        # the job panel names the running job
        assert any("sleeping test job" in m.value and "`x`" in m.value for m in at.markdown)
        next(b for b in at.button if b.label == "Start training").click().run()
        assert not at.exception
        errors = [e.value for e in at.error]
        assert any(
            "already running" in e
            and "sleeping test job" in e
            and "run x" in e
            and str(job.pid) in e
            for e in errors
        ), errors
        assert {r.id for r in runs.list_runs()} == before  # nothing was started
    finally:
        os.kill(job.pid, signal.SIGTERM)
        try:
            os.waitpid(job.pid, 0)
        except ChildProcessError:
            pass
    assert jobs.current() is None


def test_failed_run_shows_its_error(tmp_home):
    from ddi_core.config.run import preset
    from ddi_core.runs import registry as runs

    run = runs.create_run(
        config=preset("quick").to_dict(),
        seeds={"root": 0},
        data_sha256={},
        preset="quick",
        split="drug",
    )
    run.finish("failed", error="ValueError: the split left no test drug")
    at = _open()
    table = _runs_table(at)
    row = table[table["run"] == run.id]
    assert row["status"].iloc[0] == "failed"
    assert row["error"].iloc[0] == "ValueError: the split left no test drug"
    assert row["AUROC"].isna().all()
    assert any("the split left no test drug" in e.value for e in at.error)
    assert not any(link.proto.label == "Evaluate this run" for link in at.get("page_link"))


def test_no_job_and_no_runs(tmp_home):
    at = _open()
    assert any("No job is running" in i.value for i in at.info)
    assert any("No runs yet" in i.value for i in at.info)


def test_progress_helpers():
    from ui.runs_table import config_summary, format_seconds, progress_fraction

    # epoch 2 of 4, batch 3 of 12: one whole epoch plus a quarter of the second
    p = {"epoch": 2, "max_epochs": 4, "batch": 3, "n_batches": 12}
    assert progress_fraction(p) == pytest.approx((1 + 3 / 12) / 4)
    assert progress_fraction({"stage": "preparing data"}) == 0.0
    assert progress_fraction({"epoch": 4, "max_epochs": 4, "batch": 12, "n_batches": 12}) == 1.0
    assert format_seconds(42.4) == "42 s"
    assert format_seconds(185) == "3 min 05 s"
    assert format_seconds(3720) == "1 h 02 min"
    assert format_seconds(None) == "–"
    cfg = {
        "preset": "quick",
        "seed": 7,
        "train": {"split": "drug", "neg_ratio": 2.0, "max_epochs": 3, "max_train_pairs": 1500},
        "walk": {"network": "signor"},
    }
    assert config_summary({"config": cfg}) == (
        "MLP · quick · drug split · 1:2 negatives · seed 7 · ≤3 epochs · 1,500 training pairs · "
        "signor network"
    )


def test_an_unreadable_run_is_shown_and_deleted_only_after_typing_its_id(tmp_home):
    from ddi_core.config.run import preset
    from ddi_core.runs import registry as runs

    good = runs.create_run(
        config=preset("quick").to_dict(),
        seeds={},
        data_sha256={},
        run_id="quick-good",
        preset="quick",
        split="random",
    )
    good.finish("done")
    bad = tmp_home / "runs" / "quick-bad"
    bad.mkdir()
    (bad / "run.json").write_text("[]")
    at = _open()
    assert not at.exception
    table = _runs_table(at)
    assert set(table["run"]) == {"quick-good", "quick-bad"}
    at.selectbox(key=state.TRAIN_DETAIL_RUN).set_value("quick-bad").run()
    assert any(
        "`quick-bad` is unreadable" in e.value and "not a JSON object" in e.value for e in at.error
    )
    button = next(b for b in at.button if b.label == "Delete quick-bad permanently")
    assert button.disabled  # nothing typed yet
    at.text_input(key=f"{state.TRAIN_DELETE_CONFIRM}.quick-bad").set_value("quick-goo").run()
    assert next(b for b in at.button if b.label == "Delete quick-bad permanently").disabled
    at.text_input(key=f"{state.TRAIN_DELETE_CONFIRM}.quick-bad").set_value("quick-bad").run()
    button = next(b for b in at.button if b.label == "Delete quick-bad permanently")
    assert not button.disabled
    button.click().run()
    assert not at.exception, at.exception
    assert not bad.exists() and good.dir.is_dir()
    assert [r.id for r in runs.list_runs()] == ["quick-good"]
