"""The figures a run is judged by, on hand-made metrics."""

from __future__ import annotations

from ddi_core.runs.figures import (
    headline_figures,
    paper_protocol_figures,
    threshold_row,
    weaker_baselines,
    weaker_note,
)

METRICS = {
    "test": {
        "mrr": 0.035,
        "hits_at_10": 0.065,
        "median_rank": 369.0,
        "aupr_realistic": 0.011,
        "prevalence": 0.0019,
        "rank_drugs": 100,
        "auroc": 0.83,
        "aupr": 0.82,
        "f1": 0.76,
        "f1_at_val_threshold": 0.764,
        "val_threshold": 0.37,
    },
    "detail": {
        "model": {
            "classification": {
                "at_val_threshold": {
                    "threshold": 0.37,
                    "accuracy": 0.75,
                    "precision": 0.74,
                    "recall": 0.78,
                    "f1": 0.764,
                }
            }
        }
    },
    "baselines": {"popularity": {"mrr": 0.041}, "ease": {"mrr": 0.118}, "knn": {"mrr": "abc"}},
}


def test_headline_first_ranking_then_validation():
    figs = headline_figures(
        METRICS, {"dm_vs_not_auroc": 0.755, "dm_heldout_median_percentile": 97.9}
    )
    assert [f.key for f in figs] == [
        "mrr",
        "hits_at_10",
        "median_rank",
        "aupr_all_unknown",
        "ptdb_dm_vs_not",
        "ptdb_heldout_dm",
    ]
    assert [f.text() for f in figs] == ["0.0350", "6.5%", "369", "0.011", "0.755", "97.9"]
    assert "0.19%" in figs[3].help
    missing = headline_figures(METRICS, None)
    assert missing[4].text() == "–" and "ddi validate" in missing[4].help


def test_one_f1_at_the_stated_validation_threshold():
    figs = {f.key: f for f in paper_protocol_figures(METRICS)}
    assert figs["f1"].value == 0.764 and "0.370" in figs["f1"].help
    assert figs["accuracy"].value == 0.75 and figs["auroc"].label == "AUROC (1:1)"
    assert threshold_row({})["f1"] is None


def test_a_run_worse_than_a_baseline_is_named():
    assert weaker_baselines(METRICS) == {"popularity": 0.041, "ease": 0.118}  # "abc" ignored
    note = weaker_note(METRICS)
    assert note.startswith("worse than EASE collaborative filtering and 1 other baseline")
    assert "0.035 against 0.118" in note
    assert weaker_note({"test": {"mrr": 0.2}, "baselines": {"ease": {"mrr": 0.1}}}) == ""
    assert weaker_note({}) == ""
