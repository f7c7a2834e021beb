"""Run registry and the one-heavy-job-per-data-home lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ddi_core.errors import DDIError
from ddi_core.runs import registry as runs
from ddi_core.runs import result
from ddi_core.training import jobs


def _mk(**extra):
    return runs.create_run(config={"a": 1}, seeds={"root": 0}, data_sha256={"x": "0" * 64}, **extra)


def test_create_finish_list(tmp_home):
    r = _mk(preset="quick", split="random")
    assert r.status == "running"
    r.write_json("metrics.json", {"test": {"auroc": 0.9}})
    r.finish("done")
    got = runs.load_run(r.id)
    assert got.status == "done"
    assert got.read_json("metrics.json") == {"test": {"auroc": 0.9}}
    assert [x.id for x in runs.list_runs()] == [r.id]
    assert result.latest_done(preset="quick").id == r.id
    assert result.latest_done(preset="paper") is None
    # no temp files left behind by atomic writes
    assert sorted(p.name for p in r.dir.iterdir()) == ["metrics.json", "run.json"]


def test_killed_process_leaves_failed_run_that_is_listed(tmp_home):
    code = (
        "from ddi_core.runs import registry as runs;"
        "r=runs.create_run(config={}, seeds={}, data_sha256={}, run_id='victim');"
        "import time; time.sleep(60)"
    )
    p = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
    run_json = tmp_home / "runs" / "victim" / "run.json"
    for _ in range(200):
        if run_json.is_file():
            break
        time.sleep(0.05)
    assert runs.load_run("victim").status == "running"
    p.send_signal(signal.SIGKILL)
    p.wait()
    listed = {r.id: r for r in runs.list_runs()}
    assert listed["victim"].status == "failed"
    assert "ended without finishing" in listed["victim"].info["error"]
    # the verdict is persisted
    assert json.loads(run_json.read_text())["status"] == "failed"


def test_unknown_and_corrupt_runs(tmp_home):
    with pytest.raises(runs.RunNotFoundError, match="nope"):
        runs.load_run("nope")
    d = tmp_home / "runs" / "broken"
    d.mkdir(parents=True)
    (d / "run.json").write_text("{not json")
    listed = runs.list_runs()
    assert [(r.id, r.status) for r in listed] == [("broken", runs.UNREADABLE)]
    broken = runs.load_run("broken")  # listed with its reason, never raised
    assert broken.status == runs.UNREADABLE and "not valid JSON" in broken.info["error"]
    assert "broken/run.json" in broken.info["error"]


def test_delete_refuses_running(tmp_home):
    r = _mk()
    with pytest.raises(DDIError, match="still running"):
        runs.delete_run(r.id)
    r.finish("cancelled")
    runs.delete_run(r.id)
    assert runs.list_runs() == []


def test_second_job_is_refused_naming_the_first(tmp_home):
    assert jobs.current() is None
    job = jobs.start(
        "train",
        [],
        run_id="r1",
        log_path=tmp_home / "r1.log",
        label="quick training",
        python_args=["-c", "import time; time.sleep(30)"],
    )
    try:
        cur = jobs.current()
        assert cur["run_id"] == "r1" and cur["pid"] == job.pid
        with pytest.raises(jobs.JobBusyError, match="quick training.*r1"):
            jobs.start(
                "train", [], run_id="r2", log_path=tmp_home / "r2.log", python_args=["-c", "pass"]
            )
        with pytest.raises(jobs.JobBusyError):
            jobs.hold_lock_in_process("cli", "r3")
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        os.waitpid(job.pid, 0)
    # a killed job releases the lock
    assert jobs.current() is None
    fd = jobs.hold_lock_in_process("cli", "r4")
    assert fd is not None
    os.close(fd)


def test_code_version_names_the_commit_or_the_override(monkeypatch):
    from ddi_core import __version__

    monkeypatch.delenv("DDI_CODE_VERSION", raising=False)
    here = runs.code_version()
    assert here.startswith(__version__)
    if (runs.paths.REPO_ROOT / ".git").exists():  # a checkout: git describe names the commit
        assert "+g" in here
    monkeypatch.setenv("DDI_CODE_VERSION", "abc123def456-dirty")
    assert runs.code_version() == f"{__version__}+gabc123def456-dirty"
    monkeypatch.setenv("DDI_CODE_VERSION", f"{__version__}+gabc")
    assert runs.code_version() == f"{__version__}+gabc"


def test_default_run_is_the_best_by_validation_mrr(tmp_home):
    def done(rid, val_mrr, test_mrr, model="mlp"):
        r = runs.create_run(
            config={"model": model}, seeds={}, data_sha256={}, run_id=rid, model=model
        )
        if val_mrr is not None:
            r.update(headline={"val_mrr": val_mrr, "mrr": test_mrr})
        r.finish("done")
        return r

    assert result.default_result() is None
    done("old-mlp", None, 0.9)  # made before validation MRR was recorded
    assert result.default_result().id == "old-mlp"
    done("mlp", 0.05, 0.30)
    done("evidence", 0.14, 0.10, model="evidence")  # lower test MRR: never used to choose
    done("nan", float("nan"), 0.5)
    r = runs.create_run(config={}, seeds={}, data_sha256={}, run_id="failed")
    r.update(headline={"val_mrr": 0.9})
    r.finish("failed")
    best = result.default_result()
    assert best.id == "evidence" and best.kind == "evidence"
    assert result.result("default").id == "evidence"
    assert result.result("old-mlp").kind == "mlp"


def _with_files(r):
    """Placeholders of the files a finished run of its kind loads from (existence only)."""
    from ddi_core.models.registry import model_kind
    from ddi_core.runs.split_file import SPLIT_FILE

    for name in (*model_kind(result.RunResult.of(r).kind).files, SPLIT_FILE):
        r.path(name).write_bytes(b"")
    return r


def _evidence_done(rid, val_mrr, tables, preset="evidence"):
    from ddi_core.config.run import preset as make_preset

    cfg = make_preset("evidence").to_dict() | {"preset": preset}
    r = runs.create_run(config=cfg, seeds={}, data_sha256={}, run_id=rid, model="evidence")
    r.update(headline={"val_mrr": val_mrr}, pairs={"tables": tables}, preset=preset)
    r.finish("done")
    return _with_files(r)


def test_a_default_run_whose_model_file_is_gone_is_passed_over(tmp_home, capsys):
    from ddi_core.cli.main import main
    from ddi_core.runs import inputs

    best = _evidence_done("evidence-best", 0.2, tables=None)
    _evidence_done("evidence-next", 0.1, tables=None)
    assert inputs.default_run().id == "evidence-best"
    best.path("model.txt").unlink()  # deleted by hand
    why = inputs.stale_reason(runs.load_run("evidence-best"))
    assert "lacks model.txt" in why and "cannot rank" in why
    assert inputs.default_run().id == "evidence-next"
    capsys.readouterr()
    assert main(["runs", "show", "default", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "evidence-next"
    assert runs.load_run("evidence-best").status == "done"  # kept: nothing is deleted


def test_default_run_passes_over_a_run_whose_inputs_changed(tmp_home, monkeypatch, capsys):
    from ddi_core.models.evidence import kind as evidence_kind
    from ddi_core.runs import inputs

    # the evidence tables this data home builds now (as after a code or data update)
    monkeypatch.setattr(evidence_kind, "_tables_key_now", lambda cfg: "now0000000000000")
    old = _evidence_done("evidence-old", 0.15, tables="then000000000000")
    why = inputs.stale_reason(old)
    assert "evidence-old" in why and "then000000000000" in why and "now0000000000000" in why
    with pytest.raises(DDIError, match="retrain the run"):
        inputs.check_model_inputs(old)
    assert inputs.default_run() is None  # the only run cannot rank: none, not an error later
    assert result.default_result().id == "evidence-old"  # the registry's own order ignores inputs
    fresh = _evidence_done("evidence-new", 0.12, tables="now0000000000000")
    assert inputs.stale_reason(fresh) is None
    # the better validation MRR of the stale run does not win: it could not be loaded
    assert [r.id for r in result.ranked_results()] == ["evidence-old", "evidence-new"]
    assert inputs.default_run().id == "evidence-new"
    from ddi_core.cli.main import main

    capsys.readouterr()
    assert main(["runs", "show", "default", "--json"]) == 0  # the CLI names the same run
    assert json.loads(capsys.readouterr().out)["id"] == "evidence-new"
    # a raw file changed since training: passed over too, the file named
    r = runs.create_run(
        config={"model": "mlp"}, seeds={}, data_sha256={"ctd/6_G_D.csv": "0" * 64}, run_id="mlp"
    )
    r.update(headline={"val_mrr": 0.5})
    r.finish("done")
    assert "ctd/6_G_D.csv" in inputs.stale_reason(runs.load_run("mlp"))
    assert inputs.default_run().id == "evidence-new"


def test_prepare_trains_anew_when_every_run_of_a_preset_is_stale(tmp_home, monkeypatch, capsys):
    import argparse

    from ddi_core.cli import train as cli_train
    from ddi_core.data import fetch as fetch_mod
    from ddi_core.models.evidence import kind as evidence_kind

    monkeypatch.setattr(evidence_kind, "_tables_key_now", lambda cfg: "now0000000000000")
    monkeypatch.setattr(fetch_mod, "fetch", lambda mirror=None: None)
    trained = []
    monkeypatch.setattr(cli_train, "_cmd_train", lambda ns: trained.append(ns.preset) or 0)
    _evidence_done("evidence-old", 0.15, tables="then000000000000")
    q = runs.create_run(config={"preset": "quick"}, seeds={}, data_sha256={}, run_id="quick-1")
    q.update(preset="quick")
    q.finish("done")
    _with_files(q)
    args = argparse.Namespace(mirror=None, force=False)
    assert cli_train._cmd_prepare(args) == 0
    out = capsys.readouterr()
    assert trained == ["evidence"]  # the quick run still ranks: kept, not retrained
    assert "evidence-old was trained on evidence tables then000000000000" in out.err
    assert "training a new evidence run" in out.err and "quick-1" in out.out
    assert runs.load_run("evidence-old").status == "done"  # nothing already saved is lost
    _evidence_done("evidence-new", 0.1, tables="now0000000000000")
    trained.clear()
    assert cli_train._cmd_prepare(args) == 0
    assert trained == [] and "evidence-new" in capsys.readouterr().out


def test_a_run_records_its_sources_and_fixtures_refuse_other_code(tmp_home):
    from tests.conftest import _same_code

    r = runs.create_run(config={"preset": "quick"}, seeds={}, data_sha256={})
    assert r.info["source_sha256"] == runs.source_sha256() and len(r.info["source_sha256"]) == 64
    assert _same_code(r)
    r.update(source_sha256="0" * 64)  # made by other code: never reused by a fixture
    assert not _same_code(runs.load_run(r.id))
    r.update(source_sha256=None)
    assert not _same_code(runs.load_run(r.id))


def test_a_run_records_its_resolved_config_and_every_upstream_stage(tmp_home):
    from ddi_core.config.run import RunConfig, preset
    from ddi_core.training.lifecycle import record_config

    cfg = preset("paper", seed=3, split="drug")
    r = _mk(preset="paper")
    record_config(r, cfg)
    from ddi_core.training.stages import read_run_record

    text = r.path("config.toml").read_text()
    back = RunConfig.from_toml(text)
    assert back == cfg and back.seed == 3 and back.train.split == "drug"
    st = runs.load_run(r.id).info["stages"]
    assert set(st) == {"entities", "embed_genes", "embed_diseases", "embed_drugs", "targets"}
    # config.toml is the whole run: the same stages, None values (TOML has none) restored
    again, toml_stages = read_run_record(text)
    assert again == cfg and toml_stages == json.loads(json.dumps(st))
    assert (
        "[stages.embed_genes.node2vec]" in text and toml_stages["targets"]["class_weight"] is None
    )
    # the paper preset seeds from predicted targets: the classifier's config as the walk implies
    assert st["targets"]["call_rule"] == "top_k" and st["targets"]["rank_by"] == "lift"
    assert (st["targets"]["top_k"], st["targets"]["lift_power"]) == (
        cfg.walk.target_top_k,
        cfg.walk.target_lift_power,
    )
    assert st["targets"]["include_phy"] is True
    assert st["embed_genes"]["node2vec"]["dim"] == 300 and st["embed_drugs"]["layers"] == 3
    ev = _mk(preset="evidence")
    record_config(ev, preset("evidence"))
    st = runs.load_run(ev.id).info["stages"]
    assert st["targets"] is None  # known seeds only: the classifier is not read
    assert st["evidence_tables"]["infograph"] is True


def test_the_job_lock_cannot_be_skipped_from_the_environment(tmp_home, monkeypatch):
    """DDI_JOB_LOCK_FD alone proves nothing: a forged value is ignored, and with another
    job holding the lock the work is refused naming it."""
    import subprocess
    import sys
    import time

    from ddi_core.training.jobs import JobBusyError, _lock_path

    monkeypatch.setenv("DDI_JOB_LOCK_FD", "7")  # no such descriptor: the lock is taken anew
    fd = jobs.hold_lock_in_process("first", "run-a")
    assert isinstance(fd, int)
    os.close(fd)
    holder = subprocess.Popen(  # another process holds the lock, as a running job does
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(_lock_path())!r}, os.O_RDWR)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        forged = os.open(_lock_path(), os.O_RDWR)  # even a descriptor on the lock file
        monkeypatch.setenv("DDI_JOB_LOCK_FD", str(forged))
        with pytest.raises(JobBusyError):
            jobs.hold_lock_in_process("second", "run-b")
        os.close(forged)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    fd = jobs.hold_lock_in_process("third", "run-c")  # free again once the holder is gone
    assert isinstance(fd, int)
    os.close(fd)
