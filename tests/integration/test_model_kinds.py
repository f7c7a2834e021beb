"""A third model kind through every path: the popularity model (one package and one line
of the registry) trains through the one run skeleton, is recorded, ranks, explains, is
validated and is shown by the CLI like the MLP and the evidence model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ddi_core.config.run import preset
from ddi_core.runs import registry as runs
from ddi_core.runs.result import RunResult
from tests.conftest import TEST_RUN_OVERRIDES

pytestmark = pytest.mark.integration

RUN_ID = "test-popularity-kind"


@pytest.fixture(scope="module")
def popularity_run(real_home):
    from ddi_core.training.runner import run_training

    try:  # left over by an interrupted earlier session
        runs.delete_run(RUN_ID)
    except runs.RunNotFoundError:
        pass
    over = {k: v for k, v in TEST_RUN_OVERRIDES.items() if k in ("seed", "rank_eval_drugs")}
    run = run_training(preset("popularity", **over), run_id=RUN_ID)
    yield run
    runs.delete_run(RUN_ID)


def test_it_trains_through_the_skeleton_and_is_measured_as_the_baseline_it_is(
    popularity_run, trained_run
):
    res = RunResult.of(popularity_run)
    assert res.done and res.kind == "popularity" and res.healthy
    assert popularity_run.path("popularity.npz").is_file()
    assert popularity_run.path("split.npz").is_file() and res.split_summary["test"]["pairs"] > 0
    # the quick MLP run has the same pairs, split and ranking sample (same seed and walk):
    # the popularity model ranks exactly as that run's popularity baseline did
    mine = res.metrics()["test"]
    theirs = RunResult.of(trained_run).metrics()["baselines"]["popularity"]
    for k in ("mrr", "hits_at_10", "median_rank", "auroc"):
        assert mine[k] == pytest.approx(theirs[k], abs=1e-12), k
    assert set(res.metrics()["baselines"]) == {"ease"}  # its own reference: EASE


def test_it_ranks_and_explains_and_the_cli_shows_it(popularity_run, capsys):
    from ddi_core.cli.main import main
    from ddi_core.rank.explain import explain_pair
    from ddi_core.rank.queries import rank_diseases
    from ddi_core.rank.session import load_scorer
    from ddi_core.runs.split_file import run_split

    table = rank_diseases("aspirin", run_id=RUN_ID, terms="all").table
    tr = run_split(popularity_run)["train"]
    counts = np.bincount(tr.dis[tr.y == 1], minlength=len(load_scorer(RUN_ID).dis_ids))
    rs = load_scorer(RUN_ID)
    top = [rs.dis_row[d] for d in table["disease_id"].head(5)]
    assert list(counts[top]) == sorted(counts[top], reverse=True)  # most positives first
    assert counts[top[0]] == counts.max()
    e = explain_pair("aspirin", "myocardial infarction", run_id=RUN_ID, terms="all")
    assert e["model"] == "popularity" and e["run"] == RUN_ID
    assert e["popularity"]["training_positives"] == counts[rs.dis_row["D009203"]]
    assert e["marks"] and e["view"]["terms"] == "all"
    assert main(["explain", "aspirin", "myocardial infarction", "--run", RUN_ID]) == 0
    out = capsys.readouterr().out
    assert "training_positives" in out and "popularity" in out
    assert main(["runs", "show", RUN_ID, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["kind"] == "popularity" and shown["metrics"]["test"]["mrr"] > 0


def test_it_is_validated_like_every_run(popularity_run):
    from ddi_core.validation.run_validation import validate_run

    res = validate_run(RUN_ID, save=False)["pharmacotherapydb"]
    assert res["run"] == RUN_ID and res["score"] == "logit of the run's popularity model"
    assert 0.0 <= res["dm_vs_not_auroc"] <= 1.0
