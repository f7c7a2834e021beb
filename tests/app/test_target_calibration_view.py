"""The drug–target classifier's calibration on the Overview page: the newest cached
``calls.json`` (synthetic, in a temporary data home), its reliability chart and tables,
and the caption shown before any classifier is trained."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from ui import state
from ui.charts import reliability_chart

APP = str(REPO / "app.py")
SECTION = "Drug–target classifier: calibration"


def _rule(median: float, precision: float, recall: float) -> dict:
    return {
        "calls_per_drug_median": median,
        "calls_per_drug_mean": median * 1.2,
        "drugs_with_a_call": 40,
        "precision": precision,
        "recall": recall,
    }


def _part(drugs: int, calibrated_median: float) -> dict:
    ks = (1, 2, 3, 5, 10, 20, 30, 50)
    return {
        "drugs": drugs,
        "drugs_with_known": drugs - 3,
        "genes": 6012,
        "known_target_rate": 4.9e-4,
        "at_k": {
            str(k): {
                "precision": round(0.3 / k**0.5, 4),
                "recall": round(0.05 * k, 4),
                "f1": 0.1,
                "sign_accuracy": 0.8,
            }
            for k in ks
        },
        "thresholds_raw": _rule(812.0, 0.0012, 0.61),
        "thresholds_calibrated": _rule(calibrated_median, 0.071, 0.094),
        "reliability_raw": [
            {"lo": 0.0, "hi": 1e-4, "n": 120000, "mean_predicted": 2e-5, "observed": 0.0},
            {"lo": 0.1, "hi": 0.3, "n": 9000, "mean_predicted": 0.19, "observed": 4e-4},
            {"lo": 0.9, "hi": 1.0, "n": 700, "mean_predicted": 0.95, "observed": 0.02},
        ],
        "reliability_calibrated": [
            {"lo": 0.0, "hi": 1e-4, "n": 180000, "mean_predicted": 3e-6, "observed": 2e-6},
            {"lo": 1e-3, "hi": 3e-3, "n": 2500, "mean_predicted": 1.7e-3, "observed": 1.2e-3},
            {"lo": 0.3, "hi": 0.5, "n": 12, "mean_predicted": 0.38, "observed": 0.0},
            {"lo": 0.5, "hi": 0.7, "n": 5, "mean_predicted": 0.6, "observed": 0.0},
        ],
    }


def _calls(calibrated_median: float, *, test_drugs: int = 57) -> dict:
    return {
        "priors": {
            "classes": ["inhibition", "none", "activation"],
            "pi_train": [0.21, 0.667, 0.123],
            "pi_deploy": [3.1e-4, 0.99951, 1.8e-4],
            "logit_shift": [-6.4, 0.4, -6.5],
            "labelled_drugs": 283,
            "scored_genes": 6012,
            "known_per_drug": 2.94,
        },
        "val": _part(28, calibrated_median + 1),
        "test": _part(test_drugs, calibrated_median),
        "chosen_k": 3,
        "seconds": 12.5,
    }


def _entry(
    home: Path, key: str, *, part: str | None, created: str, calls: dict | None, **config
) -> Path:
    entry = home / "cache" / "targets" / key
    entry.mkdir(parents=True)
    cfg = {"v": 1, "version": 3, "seed": 0, **config}
    if part is not None:
        cfg["part"] = part
    (entry / "meta.json").write_text(
        json.dumps(
            {
                "stage": "targets",
                "key": key,
                "config": cfg,
                "inputs": {"drugs": "abc"},
                "seconds": 12.6,
                "created": created,
            }
        )
    )
    if calls is not None:
        (entry / "calls.json").write_text(json.dumps(calls))
    return entry


@pytest.fixture
def overview(tmp_home, monkeypatch):
    """The Overview page in an empty data home, its bundle-backed data faked (the
    coverage report, walk profile counts and licences) and no run or job."""
    from ddi_core.runs import registry as runs
    from ddi_core.training import jobs
    from ui import data

    monkeypatch.setattr(
        data,
        "coverage_report",
        lambda: {
            "ctd_pairs": 10,
            "ctd_chemicals": 5,
            "chemicals_with_smiles": 4,
            "chemicals_with_signed_targets": 3,
        },
    )
    monkeypatch.setattr(data, "profile_counts", lambda: {"drugs_with_seed_in_network": 2})
    monkeypatch.setattr(data, "licences", lambda: [{"path": "x.tsv", "licence": "CC0"}])
    monkeypatch.setattr(runs, "list_runs", lambda: [])
    monkeypatch.setattr(jobs, "current", lambda: None)

    def open_page() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception, at.exception
        return at

    return open_page


def _reliability_charts(at: AppTest) -> list[dict]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [
        s
        for s in specs
        if ((s["layout"].get("xaxis") or {}).get("title") or {}).get("text")
        == "predicted P(target)"
    ]


def test_overview_shows_the_newest_calibration(tmp_home, overview):
    # an older calls entry, and a newer entry of another part (a grid) with no calls
    _entry(
        tmp_home,
        "0ld0ld0ld0ld0ld0",
        part="calls",
        created="2026-11-01T09:00:00+0000",
        calls=_calls(99.0, test_drugs=11),
    )
    _entry(
        tmp_home, "9r1d9r1d9r1d9r1d", part="grid", created="2026-12-30T09:00:00+0000", calls=None
    )
    _entry(
        tmp_home,
        "c4115c4115c4115c",
        part="calls",
        created="2026-12-02T12:40:00+0000",
        calls=_calls(3.5),
        prior_correction=True,
        include_phy=False,
    )
    at = overview()
    assert any(s.value == SECTION for s in at.subheader)
    # closed by default: the summary line only, the details are not drawn
    summary = next(c.value for c in at.caption if c.value.startswith("Top-3 target calls"))
    assert "precision@3 0.1732" in summary and "recall@3 0.1500" in summary
    assert "57 test drugs" in summary
    assert _reliability_charts(at) == []
    # open it, as a click does (after one more run: AppTest's first run of the router
    # keys the page's widgets differently)
    at.run()
    at.session_state[state.OVERVIEW_CALIBRATION] = True
    at.run()
    assert not at.exception, at.exception
    reliability = _reliability_charts(at)
    assert len(reliability) == 1
    assert reliability[0]["layout"]["xaxis"]["type"] == "log"
    assert len(reliability[0]["data"]) == 3
    frames = [df.value for df in at.dataframe]
    rules = next(f for f in frames if "calls per drug (median)" in f.columns).set_index("rule")
    assert rules.loc["paper thresholds, prior-corrected", "calls per drug (median)"] == 3.5
    assert rules.loc["paper thresholds, raw", "calls per drug (median)"] == 812.0
    assert rules.loc["paper thresholds, prior-corrected", "precision"] == pytest.approx(0.071)
    assert rules.loc["paper thresholds, raw", "recall"] == pytest.approx(0.61)
    at_k = next(f for f in frames if "precision@k" in f.columns).set_index("k")
    assert list(at_k.index) == [1, 2, 3, 5, 10, 20, 30, 50]
    assert at_k.loc[3, "chosen"].startswith("✓") and (at_k["chosen"] != "").sum() == 1
    assert at_k.loc[10, "recall@k"] == pytest.approx(0.5)
    caption = next(c.value for c in at.caption if "c4115c4115c4115c" in c.value)
    assert "2026-12-02T12:40:00+0000" in caption and "57 held-out drugs" in caption
    assert "6,012 scored genes" in caption and "2.94 known targets" in caption
    assert "training inhibition 0.21" in caption and "prior correction on" in caption
    assert not any("ddi targets report" in c.value for c in at.caption)


def test_overview_without_a_calibration_says_how_to_get_one(tmp_home, overview):
    _entry(
        tmp_home, "9r1d9r1d9r1d9r1d", part="grid", created="2026-12-30T09:00:00+0000", calls=None
    )
    at = overview()
    assert any(s.value == SECTION for s in at.subheader)
    assert any(
        "ddi targets report" in c.value and "ddi train --preset paper" in c.value
        for c in at.caption
    )
    assert _reliability_charts(at) == []


def test_target_calibration_reads_the_newest_calls_entry(tmp_home):
    from ui import data

    assert data.target_calibration() is None
    _entry(
        tmp_home,
        "0ld0ld0ld0ld0ld0",
        part="calls",
        created="2026-11-01T09:00:00+0000",
        calls=_calls(99.0),
    )
    assert data.target_calibration()["entry"] == "0ld0ld0ld0ld0ld0"
    # a new entry changes the cache's fingerprint: no stale answer
    _entry(
        tmp_home,
        "c4115c4115c4115c",
        part="calls",
        created="2026-12-02T12:40:00+0000",
        calls=_calls(3.5),
    )
    cal = data.target_calibration()
    assert cal["entry"] == "c4115c4115c4115c" and cal["created"] == "2026-12-02T12:40:00+0000"
    assert cal["test"]["thresholds_calibrated"]["calls_per_drug_median"] == 3.5
    assert cal["chosen_k"] == 3 and cal["config"]["part"] == "calls"
    # an entry being written (a hidden temporary directory) is not read
    _entry(
        tmp_home, ".f00.tmp", part="calls", created="2027-01-01T00:00:00+0000", calls=_calls(1.0)
    )
    assert data.target_calibration()["entry"] == "c4115c4115c4115c"


def test_reliability_chart_draws_two_series_and_the_diagonal():
    fig = reliability_chart(_part(57, 3.5))
    diagonal, raw, calibrated = fig.data
    assert diagonal.name.startswith("perfect calibration")
    assert list(diagonal.x) == list(diagonal.y) and diagonal.x[-1] == 1.0 and diagonal.x[0] < 1e-6
    # observed == 0 cannot sit on a log axis: those bins are dropped and counted in the legend
    assert list(raw.x) == [0.19, 0.95] and list(raw.y) == [4e-4, 0.02]
    assert "1 bin with no known target not shown" in raw.name
    assert list(calibrated.x) == [3e-6, 1.7e-3] and list(calibrated.y) == [2e-6, 1.2e-3]
    assert "2 bins with no known target not shown" in calibrated.name
    assert [row[2] for row in calibrated.customdata] == [180000, 2500]  # pairs per bin
    assert "drug–gene pairs" in calibrated.hovertemplate
    assert calibrated.marker.size[0] > calibrated.marker.size[1]  # more pairs, bigger marker
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "predicted P(target)"
    assert fig.layout.yaxis.title.text == "observed share of known targets"
    assert math.isclose(10 ** fig.layout.xaxis.range[1], 10**0.05)


def test_reliability_chart_of_an_empty_part():
    fig = reliability_chart({})
    assert len(fig.data) == 3 and len(fig.data[1].x) == 0 and len(fig.data[2].x) == 0
