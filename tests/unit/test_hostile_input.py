"""Hostile input and faults (issue 13), through the ``ddi`` entry point on a
temporary data home: each case asserts the message, the exit status, and that
nothing outside the run in question changed (the home's files hashed before
and after)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from ddi_core.cli.main import main
from ddi_core.config.checks import ConfigError
from ddi_core.config.run import RunConfig, preset
from ddi_core.runs import registry as runs
from ddi_core.runs import result


def _tree(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (by relative path)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _done(rid: str | None = None, **info) -> runs.Run:
    r = runs.create_run(
        config=preset("quick").to_dict(),
        seeds={"root": 0},
        data_sha256={},
        run_id=rid,
        preset="quick",
        split="random",
        model="mlp",
    )
    r.update(**{"headline": {"auroc": 0.8, "val_mrr": 0.1}, "train": {"epochs_run": 2}, **info})
    r.write_json("metrics.json", {"test": {"auroc": 0.8}})
    r.finish("done")
    return r


def _ddi(capsys, *argv: str) -> tuple[int, str]:
    rc = main(list(argv))
    cap = capsys.readouterr()
    return rc, cap.err + cap.out


# ------------------------------------------------------------------ 1. run ids are names
def test_delete_never_leaves_the_registry(tmp_home, tmp_path, capsys):
    _done("quick-keep")
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / "run.json").write_text(json.dumps({"status": "done", "config": {}}))
    other = tmp_path / "other-home" / "runs" / "RUN"
    other.mkdir(parents=True)
    (other / "run.json").write_text(json.dumps({"status": "done", "config": {}}))
    before, before_outside = _tree(tmp_home), _tree(tmp_path)
    for bad in (str(outside), "../../other-home/runs/RUN", "..", "a/b", "", "~root"):
        rc, out = _ddi(capsys, "runs", "delete", bad)
        assert rc == 2 and "not a run id" in out, (bad, out)
    for alias in ("latest", "default"):
        rc, out = _ddi(capsys, "runs", "delete", alias)
        assert rc == 2 and "alias" in out
    assert outside.is_dir() and other.is_dir()
    assert _tree(tmp_home) == before and _tree(tmp_path) == before_outside


def test_a_link_out_of_the_registry_is_refused(tmp_home, tmp_path, capsys):
    _done("quick-keep")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "run.json").write_text(json.dumps({"status": "done", "config": {}}))
    (tmp_home / "runs" / "linked").symlink_to(target)
    rc, out = _ddi(capsys, "runs", "delete", "linked")
    assert rc == 2 and "outside the run registry" in out
    assert (target / "run.json").is_file()
    listed = {r.id: r.status for r in runs.list_runs()}
    assert listed == {"quick-keep": "done", "linked": runs.UNREADABLE}


def test_run_dir_accepts_names_only(tmp_home):
    assert runs.run_dir("quick-20261202-141544-912b5a").name == "quick-20261202-141544-912b5a"
    for bad in ("/tmp/x", "../x", "a/../b", "x" * 200, "ü", "a b", None, 3):
        with pytest.raises(runs.InvalidRunIdError):
            runs.run_dir(bad)  # type: ignore[arg-type]


# --------------------------------------------- 2. one malformed record breaks nothing
@pytest.mark.parametrize(
    "record, reason",
    [
        ("[]", "not a JSON object but list"),
        ('{"status": "done"}', "field 'config' is missing"),
        ('{"status": "weird", "config": {}}', "field 'status' is 'weird'"),
        ('{"status": "done", "config": [], "progress": 3}', "field 'config' is list"),
        ('{"status": "do', "not valid JSON"),
    ],
)
def test_a_malformed_record_is_listed_deletable_and_never_the_default(
    tmp_home, capsys, record, reason
):
    good = _done("quick-good")
    bad = tmp_home / "runs" / "quick-bad"
    bad.mkdir()
    (bad / "run.json").write_text(record)
    (bad / "model.pt").write_bytes(b"x")
    rc, out = _ddi(capsys, "runs", "list")
    assert rc == 0 and "quick-bad" in out and runs.UNREADABLE in out and "quick-good" in out
    rc, out = _ddi(capsys, "runs", "show", "quick-bad")
    assert rc == 0 and reason in out
    assert result.default_result().id == good.id
    before = _tree(good.dir)
    rc, out = _ddi(capsys, "runs", "delete", "quick-bad")
    assert rc == 0 and not bad.exists()
    assert _tree(good.dir) == before and result.default_result().id == good.id


def test_truncated_artefacts_name_the_file(tmp_home, capsys):
    from ddi_core.runs.split_file import run_split

    r = _done("quick-t")
    (r.dir / "metrics.json").write_text('{"test": {"auroc": 0.')
    rc, out = _ddi(capsys, "runs", "show", "quick-t")
    assert rc == 2 and "metrics.json: truncated or not valid JSON" in out
    buf = r.dir / "split.npz"
    np.savez(buf, train_drug=np.arange(3))
    buf.write_bytes(buf.read_bytes()[:40])
    with pytest.raises(runs.CorruptRunFileError, match=r"split\.npz: truncated or damaged"):
        run_split(r)
    (r.dir / "model.pt").write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(runs.CorruptRunFileError, match=r"model\.pt: truncated or damaged"):
        r.load_torch("model.pt")


# ------------------------------------------------------- 6. only healthy runs rank
def test_an_untrained_or_nan_run_is_never_the_default(tmp_home):
    good = _done("quick-a")
    _done("quick-b", headline={"auroc": float("nan"), "val_mrr": 0.9})
    _done("quick-c", train={"epochs_run": 0})
    assert not result.result("quick-b").healthy
    assert not result.result("quick-c").healthy
    assert result.default_result().id == good.id


def test_the_mlp_kind_refuses_zero_epochs_and_nan():
    from ddi_core.errors import DDIError
    from ddi_core.models.base import Fitted
    from ddi_core.models.registry import model_kind

    def check(epochs: int, best_val_loss: float, test: dict) -> None:
        fitted = Fitted(None, None, [], {}, epochs, state=(None, None, best_val_loss))
        model_kind("mlp").check(fitted, test)

    with pytest.raises(DDIError, match="no training epoch"):
        check(0, 0.5, {"auroc": 0.7})
    with pytest.raises(DDIError, match="validation loss is not finite"):
        check(3, math.nan, {"auroc": 0.7})
    with pytest.raises(DDIError, match="test AUROC is not finite"):
        check(3, 0.5, {"auroc": math.nan})
    check(1, 0.5, {"auroc": 0.7})


def test_exclude_pairs_are_kept_in_the_run(tmp_home, tmp_path, monkeypatch):
    from ddi_core.errors import DataFileError
    from ddi_core.runs.inputs import EXCLUDE_FILE, check_exclude_pairs, keep_exclude_pairs

    src = tmp_path / "ex.csv"
    src.write_text("drug,disease\nD008687,D003924\n")
    monkeypatch.chdir(tmp_path)
    cfg = preset("quick", exclude_pairs="ex.csv")  # relative, as typed
    r = runs.create_run(config=cfg.to_dict(), seeds={}, data_sha256={}, preset="quick")
    kept = keep_exclude_pairs(r, cfg)
    copy = r.dir / EXCLUDE_FILE
    assert kept.train.exclude_pairs == str(copy.resolve())
    assert runs.load_run(r.id).info["config"]["train"]["exclude_pairs"] == str(copy.resolve())
    assert (
        runs.load_run(r.id).info["exclude_pairs"]["sha256"]
        == hashlib.sha256(src.read_bytes()).hexdigest()
    )
    src.write_text("drug,disease\n")  # editing the original changes nothing
    monkeypatch.chdir("/")
    check_exclude_pairs(runs.load_run(r.id))
    copy.write_text("drug,disease\nD000001,D000002\n")
    with pytest.raises(DataFileError, match="changed since training"):
        check_exclude_pairs(runs.load_run(r.id))


def test_a_run_trained_on_other_data_is_refused_naming_the_file(tmp_home):
    from ddi_core.data.fetch import bundle_sha256
    from ddi_core.errors import DDIError
    from ddi_core.runs.inputs import check_data_hashes

    now = bundle_sha256()
    old = dict(now, **{"ctd/6_G_D.csv": "0" * 64})
    r = runs.create_run(config=preset("quick").to_dict(), seeds={}, data_sha256=old, preset="quick")
    with pytest.raises(
        DDIError, match=r"1 raw file\(s\) changed since: ctd/6_G_D\.csv \(trained on 000000000000…"
    ):
        check_data_hashes(runs.load_run(r.id))
    same = runs.create_run(
        config=preset("quick").to_dict(), seeds={}, data_sha256=now, preset="quick"
    )
    check_data_hashes(runs.load_run(same.id))  # the current bundle: nothing to say
    runs.load_run(r.id).finish("done")
    from ddi_core.rank.session import load_trained

    with pytest.raises(DDIError, match="ctd/6_G_D.csv"):  # before any input is rebuilt
        load_trained(r.id)


# ------------------------------------------------- 7. options checked at parse time
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--neg-ratio", "nan"], "--neg-ratio nan: must be a finite number > 0 and ≤ 100"),
        (["--neg-ratio", "-1"], "--neg-ratio -1.0: must be a finite number > 0"),
        (["--max-train-pairs", "-5"], "--max-train-pairs -5: must be a whole number ≥ 10"),
        (["--max-epochs", "0"], "--max-epochs 0: must be a whole number ≥ 1"),
        (["--seed", "-3"], "--seed -3: must be a whole number ≥ 0"),
        (["--device", "foo"], "--device 'foo': must be cpu, cuda or cuda:N"),
        (["--config-json", "{bad"], "--config-json is not valid JSON"),
        (["--config-json", "[1]"], "--config-json must be a JSON object"),
        (["--config-json", '{"preset": "zzz"}'], "preset = 'zzz': must be one of 'evidence'"),
        (["--config-json", '{"train": {"nope": 1}}'], "unknown TrainConfig keys: ['nope']"),
        (["--config-json", '{"train": {"neg_ratio": "x"}}'], "train.neg_ratio = 'x'"),
        (["--run-id", "../escape"], "not a run id"),
    ],
)
def test_bad_train_options_fail_before_any_run_exists(tmp_home, capsys, argv, message):
    rc, out = _ddi(capsys, "train", "--preset", "quick", *argv)
    assert rc == 2, out
    assert message in out, out
    assert "Traceback" not in out
    assert not (tmp_home / "runs").exists() or not any((tmp_home / "runs").iterdir())


def test_exclude_pairs_directory_and_cuda_without_cuda(tmp_home, tmp_path, capsys):
    import torch

    rc, out = _ddi(capsys, "train", "--preset", "quick", "--exclude-pairs", str(tmp_path))
    assert rc == 2 and "is a directory, not a CSV file" in out
    if not torch.cuda.is_available():
        rc, out = _ddi(capsys, "train", "--preset", "quick", "--device", "cuda")
        assert rc == 2 and "CUDA is not available on this machine" in out
    assert not (tmp_home / "runs").exists() or not any((tmp_home / "runs").iterdir())


def test_configs_are_validated_wherever_they_come_from():
    with pytest.raises(ConfigError, match=r"walk\.alpha = 2\.0"):
        preset("paper", alpha=2.0)
    with pytest.raises(ConfigError, match=r"train\.hidden"):
        RunConfig.from_dict({"train": {"hidden": [64, 0]}})
    with pytest.raises(ConfigError, match=r"val_fraction \+ train\.test_fraction"):
        preset("quick", val_fraction=0.45, test_fraction=0.45)
    toml = preset("evidence").to_toml().replace("train_neg_ratio = 5.0", "train_neg_ratio = -2")
    with pytest.raises(ConfigError, match=r"evidence\.train_neg_ratio = -2"):
        RunConfig.from_toml(toml)
    for name in ("paper", "paper-known", "quick", "evidence"):
        assert RunConfig.from_dict(preset(name).to_dict()) == preset(name)


def test_train_from_a_config_file_is_checked_before_anything_runs(tmp_home, tmp_path):
    """``ddi train --config`` reruns a run from its config.toml, with flags and ``--set``
    over it; a file whose stages this code would build otherwise, a broken file or a
    preset beside it are refused."""
    from ddi_core.cli.main import build_parser
    from ddi_core.cli.train import _config_from_args
    from ddi_core.errors import DDIError
    from ddi_core.training.stages import run_record_toml, stage_configs

    def cfg_of(*argv):
        return _config_from_args(build_parser().parse_args(["train", *argv]))

    cfg = preset("evidence", seed=4, split="disease")
    f = tmp_path / "config.toml"
    f.write_text(run_record_toml(cfg))
    assert cfg_of("--config", str(f)) == cfg  # the same run, every option
    with pytest.raises(DDIError, match=r"is the base of the run: drop --preset"):
        cfg_of("--config", str(f), "--preset", "quick")
    over = cfg_of("--config", str(f), "--seed", "1", "--set", "evidence.n_bags=2")
    assert (over.seed, over.evidence.n_bags, over.train.split) == (1, 2, "disease")
    with pytest.raises(DDIError, match=r"--set evidence\.n_bags = 0: must be a whole number"):
        cfg_of("--config", str(f), "--set", "evidence.n_bags=0")
    with pytest.raises(DDIError, match=r"unknown model kind 'shiny'; known: mlp, evidence"):
        cfg_of("--set", "model=shiny")
    stages = stage_configs(cfg)
    stages["embed_genes"]["node2vec"]["p"] = 2.0  # recorded by code that embedded otherwise
    f.write_text(run_record_toml(cfg, stages))
    with pytest.raises(DDIError, match=r"embed_genes\.node2vec\.p: recorded 2\.0, now 1\.0"):
        cfg_of("--config", str(f))
    f.write_text(run_record_toml(cfg).replace("knn_k = 20", "knn_k = 0"))
    with pytest.raises(DDIError, match=r"config\.toml: evidence\.knn_k = 0: must be"):
        cfg_of("--config", str(f))
    f.write_text("seed = [unclosed")
    with pytest.raises(DDIError, match=r"not a TOML file"):
        cfg_of("--config", str(f))
    with pytest.raises(DDIError, match=r"no such file"):
        cfg_of("--config", str(tmp_path / "absent.toml"))
    hand = tmp_path / "hand.toml"  # hand-written: no stages record, options only
    hand.write_text('preset = "quick"\nseed = 2\n[train]\nmax_epochs = 3\n')
    got = cfg_of("--config", str(hand))
    assert (got.preset, got.seed, got.train.max_epochs) == ("quick", 2, 3)


# ----------------------------------- 3. corrupted raw data never trains, even with forged stamps
def test_a_flipped_byte_with_its_mtime_restored_is_caught(tmp_home, bundle_dir, capsys):
    import os

    from ddi_core.data import fetch
    from ddi_core.errors import ChecksumError

    fetch.fetch(mirror=bundle_dir)
    rel = "ctd/2_C_D.csv" if "ctd/2_C_D.csv" in fetch.sources() else sorted(fetch.sources())[0]
    path = tmp_home / "raw" / rel
    fetch.raw_path(rel)  # hashed once: fine
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as recorded
    fetch._HASHED.clear()  # a new process
    with pytest.raises(ChecksumError, match="differs from the manifest"):
        fetch.raw_path(rel)
    with pytest.raises(ChecksumError, match=re.escape(rel)):
        fetch.actual_sha256()
    before = _tree(tmp_home)
    rc, out = _ddi(capsys, "train", "--preset", "quick")
    assert rc == 2 and rel in out and "ddi data fetch" in out
    assert not (tmp_home / "runs").exists() or not any((tmp_home / "runs").iterdir())
    rc, out = _ddi(capsys, "data", "verify")
    assert rc == 1 and f"{len(fetch.sources()) - 1} of {len(fetch.sources())} files ok" in out
    assert "Fix: `ddi data fetch`" in out
    assert _tree(tmp_home) == before


def test_a_run_whose_pid_was_reused_is_failed_and_deletable(tmp_home, capsys):
    import os

    r = runs.create_run(
        config=preset("quick").to_dict(),
        seeds={},
        data_sha256={},
        run_id="quick-reused",
        preset="quick",
    )
    assert r.info["pid_start"] == runs._pid_start(os.getpid())
    # this (live) pid, but another process's start time: the pid was reused
    r.update(pid_start=r.info["pid_start"] - 1)
    got = runs.load_run("quick-reused")
    assert got.status == "failed" and "belongs to another process" in got.info["error"]
    rc, _ = _ddi(capsys, "runs", "delete", "quick-reused")
    assert rc == 0 and not r.dir.exists()


# ------------------------------------------------ 5. local only by default, bounded uploads
def test_the_server_binds_localhost_and_caps_uploads():
    import tomllib

    from ddi_core.errors import DataFileError
    from tests.conftest import REPO
    from ui.evaluation import MAX_UPLOAD_BYTES, read_uploaded_pairs

    conf = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert conf["server"]["address"] == "127.0.0.1"
    assert conf["server"]["maxUploadSize"] * 2**20 == MAX_UPLOAD_BYTES
    run_sh = (REPO / "run.sh").read_text()
    assert "ADDRESS=127.0.0.1" in run_sh and '--server.address "$ADDRESS"' in run_sh
    assert "--expose) ADDRESS=0.0.0.0" in run_sh
    big = b"drug,disease\n" + b"metformin,D003924\n" * (MAX_UPLOAD_BYTES // 18 + 1)
    with pytest.raises(DataFileError, match=r"big.csv: .* over the upload limit of 20 MB"):
        read_uploaded_pairs(big, "big.csv", "latest", scorer=None)


def test_train_over_splits_and_seeds_makes_one_config_per_pair(tmp_home):
    from ddi_core.cli.main import build_parser
    from ddi_core.cli.train import _config_from_args, _grid
    from ddi_core.errors import DDIError

    def grid(*argv):
        args = build_parser().parse_args(["train", *argv])
        return _grid(args, _config_from_args(args))

    got = grid("--preset", "quick", "--splits", "random,drug", "--seeds", "0,1", "--neg-ratio", "2")
    assert [(c.seed, c.train.split) for c in got] == [
        (0, "random"),
        (0, "drug"),
        (1, "random"),
        (1, "drug"),
    ]
    assert {c.train.neg_ratio for c in got} == {2.0} and {c.preset for c in got} == {"quick"}
    assert [c.train.split for c in grid("--preset", "evidence", "--splits", "disease")] == [
        "disease"
    ]
    assert len(grid("--preset", "quick")) == 1
    with pytest.raises(DDIError, match="train.split = 'sideways'"):
        grid("--splits", "random,sideways")
    with pytest.raises(DDIError, match="--seeds 'a,b'"):
        grid("--seeds", "a,b")
    with pytest.raises(DDIError, match="--run-id names one run"):
        grid("--seeds", "0,1", "--run-id", "x")
