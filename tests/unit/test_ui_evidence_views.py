"""Pure views of the evidence model in the dashboard: the explanation panel's helpers,
the Evaluate page's models-on-one-split table, the Overview's coverage by model, the
history chart and the Signed walk page's focused gene (hand-made inputs only)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ddi_core.graphs.signaling import signed_graph_from_edges
from ddi_core.walk.view import drug_walk, seeds_of, target_table, walk_subnetwork
from ui.charts import history_figure
from ui.evaluation import (
    SPLIT_ID_COLUMNS,
    SPLIT_METRICS,
    baseline_names,
    info_split,
    models_on_split,
    order_by_validation,
    split_choice,
    split_counts,
)
from ui.explanation import (
    CHECK,
    DOWN,
    UP,
    contribution_figure,
    contributions_frame,
    path_rows,
)
from ui.overview import CTD_NEEDS, coverage_frame
from ui.walk_focus import focused_subnetwork, gene_focus, parse_entrez
from ui.walk_graph import walk_html

CONTRIBUTIONS = [
    {
        "feature": "ease",
        "family": "ease",
        "gene_disease": False,
        "value": 0.489,
        "contribution": 2.887,
        "text": "collaborative filtering (EASE) scores 0.489",
    },
    {
        "feature": "genes_max",
        "family": "disease_sim",
        "gene_disease": True,
        "value": 0.097,
        "contribution": 0.44,
        "text": "shared CTD genes (Jaccard) 0.10",
    },
    {
        "feature": "drug_pop",
        "family": "popularity",
        "gene_disease": False,
        "value": None,
        "contribution": -1.2,
        "text": "Metformin has few known diseases",
    },
]
PATHS = [
    {
        "kind": "target 1 STRING hop(s) from a disease gene",
        "strength": 0.6,
        "nodes": [
            {"kind": "drug", "id": "D008687", "name": "Metformin"},
            {"kind": "gene", "id": "4728", "entrez": 4728, "name": "NDUFS8"},
            {"kind": "gene", "id": "2820", "entrez": 2820, "name": "GPD2"},
            {"kind": "disease", "id": "D003924", "name": "Diabetes Mellitus, Type 2"},
        ],
        "edges": ["inhibits (drugcentral)", "STRING interaction", "CTD gene–disease association"],
    },
    {
        "kind": "similar drug",
        "strength": None,
        "nodes": [
            {"kind": "drug", "id": "D008687", "name": "Metformin"},
            {"kind": "drug", "id": "D010892", "name": ""},
            {"kind": "disease", "id": "D003924", "name": "Diabetes Mellitus, Type 2"},
        ],
        "edges": ["Morgan similarity 0.6"],
    },
]


# ------------------------------------------------------------ explanation panel
def test_contributions_frame():
    f = contributions_frame(CONTRIBUTIONS)
    assert list(f.columns) == ["text", "value", "contribution", "family", "uses CTD gene–disease"]
    assert f["text"].tolist() == [c["text"] for c in CONTRIBUTIONS]
    assert f["value"].iloc[:2].tolist() == [0.489, 0.097] and math.isnan(f["value"].iloc[2])
    assert f["contribution"].tolist() == [2.887, 0.44, -1.2]
    assert f["uses CTD gene–disease"].tolist() == ["", CHECK, ""]
    assert contributions_frame([]).empty


def test_contribution_figure_orders_and_colours_the_bars():
    fig = contribution_figure(CONTRIBUTIONS)
    bar = fig.data[0]
    assert bar.orientation == "h"
    # plotly draws the first bar at the bottom: the largest |contribution| is last
    assert list(bar.x) == [0.44, -1.2, 2.887]
    assert bar.y[-1] == CONTRIBUTIONS[0]["text"] and bar.y[1] == CONTRIBUTIONS[2]["text"]
    assert list(bar.marker.color) == [UP, DOWN, UP]
    long = dict(CONTRIBUTIONS[0], text="word " * 40)
    assert "<br>" in contribution_figure([long]).data[0].y[0]  # long sentences wrap


def test_path_rows():
    first, second = path_rows(PATHS)
    assert first["path"] == "Metformin → NDUFS8 → GPD2 → Diabetes Mellitus, Type 2"
    assert first["steps"] == (
        "Metformin —inhibits (drugcentral)→ NDUFS8 —STRING interaction→ "
        "GPD2 —CTD gene–disease association→ Diabetes Mellitus, Type 2"
    )
    assert first["genes"] == [
        {"symbol": "NDUFS8", "entrez": 4728},
        {"symbol": "GPD2", "entrez": 2820},
    ]
    assert first["drug"] == "D008687" and first["strength"] == 0.6
    # a nameless node shows its id; no gene, no strength
    assert second["path"] == "Metformin → D010892 → Diabetes Mellitus, Type 2"
    assert second["genes"] == [] and second["strength"] is None
    assert second["steps"].endswith("→ Diabetes Mellitus, Type 2")
    assert path_rows([]) == []


# ------------------------------------------------------------ models on one split
def _info(split, model="mlp", seed=0, val=None, population=None):
    cfg = {"seed": seed, "model": model, "train": {"split": split}}
    if model == "evidence":
        cfg["evidence"] = {"population": population or "evidence"}
    return {
        "split": split,
        "model": model,
        "config": cfg,
        "headline": {"val_mrr": val},
        **({"population": population} if population else {}),
    }


INFOS = {
    "mlp-1": _info("random", val=0.10),
    "ev-1": _info("random", "evidence", seed=1, val=0.30, population="paper"),
    "ev-2": _info("drug", "evidence", val=0.2),
    "old-1": {"split": "random", "config": {"seed": 2, "train": {"split": "random"}}},
}
METRICS = {
    "mlp-1": {
        "test": {
            "auroc": 0.8,
            "aupr": 0.7,
            "mrr": 0.1,
            "hits_at_10": 0.2,
            "median_rank": 40.0,
            "auroc_degree_matched": 0.6,
            "val_mrr": 0.1,
        },
        "baselines": {
            "knn": {"auroc": 0.7},
            "popularity": {"auroc": 0.6},
            "logistic": {"auroc": 0.65},
            "ease": {"auroc": 0.75, "val_mrr": 0.09},
        },
    },
    "ev-1": {
        "test": {"auroc": 0.9, "mrr": 0.3, "val_mrr": 0.3},
        "baselines": {"popularity": {"auroc": 0.6}, "knn": {}, "ease": {}},
    },
    "ev-2": {"test": {"auroc": 0.85}},
    # old-1 has no metrics.json: left out
}


def test_models_on_split_rows_and_columns():
    t = models_on_split(INFOS, METRICS, "random")
    assert list(t.columns) == [*SPLIT_ID_COLUMNS, *(title for _, title in SPLIT_METRICS)]
    assert t["scorer"].tolist() == [
        "MLP (run mlp-1)",
        "evidence model (run ev-1)",
        "popularity (baselines of run mlp-1)",
        "logistic (baselines of run mlp-1)",
        "kNN (baselines of run mlp-1)",
        "EASE (baselines of run mlp-1)",
        "popularity (baselines of run ev-1)",
        "kNN (baselines of run ev-1)",
        "EASE (baselines of run ev-1)",
    ]
    assert t["model"].tolist()[:2] == ["MLP", "evidence model"]
    assert set(t["model"].iloc[2:]) == {"baseline"}
    assert t["population"].tolist()[:2] == ["paper", "paper"]
    assert t["seed"].tolist()[:2] == [0, 1] and t["run"].tolist()[6:] == ["ev-1"] * 3
    mlp = t.iloc[0]
    assert (
        mlp["AUROC (1:1)"],
        mlp["AUPR (1:1)"],
        mlp["MRR"],
        mlp["Hits@10"],
        mlp["median rank"],
        mlp["AUROC vs degree-matched"],
        mlp["validation MRR"],
    ) == (0.8, 0.7, 0.1, 0.2, 40.0, 0.6, 0.1)
    assert math.isnan(t.iloc[1]["AUPR (1:1)"])  # not recorded
    cols = t.columns.tolist()
    assert cols.index("MRR") < cols.index("AUROC (1:1)")  # ranking first
    ease = t.set_index("scorer").loc["EASE (baselines of run mlp-1)"]
    assert ease["AUROC (1:1)"] == 0.75 and ease["validation MRR"] == 0.09

    drug = models_on_split(INFOS, METRICS, "drug")
    assert drug["scorer"].tolist() == ["evidence model (run ev-2)"]
    assert drug["population"].tolist() == ["evidence"]
    assert models_on_split(INFOS, METRICS, "disease").empty


def test_split_helpers():
    assert info_split({"config": {"train": {"split": "drug"}}}) == "drug"
    assert info_split({}) is None
    assert split_counts(INFOS) == {"random": 3, "drug": 1, "disease": 0}
    assert split_choice(INFOS, "ev-1", "random") == "ev-1"
    assert split_choice(INFOS, "ev-2", "random") == "mlp-1"  # the chosen run is elsewhere
    assert split_choice(INFOS, "ev-1", "disease") is None
    assert order_by_validation(INFOS) == ["ev-1", "ev-2", "mlp-1", "old-1"]
    assert baseline_names({"ease": {}, "zz": {}, "popularity": {}}) == ["popularity", "ease", "zz"]


# ------------------------------------------------------------ overview
def test_coverage_frame():
    cov = {
        "ctd": {"drugs": 10_000, "diseases": 3_000, "pairs": 100_000},
        "mlp": {
            "drugs": 1714,
            "diseases": 2000,
            "pairs": 50_000,
            "drugs_with_pairs": 1500,
            "needs": "a walk profile",
        },
        "mlp_paper": {
            "drugs": 3000,
            "diseases": 2000,
            "pairs": 60_000,
            "drugs_with_pairs": 2900,
            "needs": "a vector or a target",
            "profiles": {
                "drugs": 3000,
                "distinct_profiles": 2940,
                "identical_share": 0.03,
                "known_seeds_per_drug_median": 1.0,
                "predicted_seeds_per_drug_median": 4.0,
            },
        },
        "evidence": {
            "drugs": 3876,
            "diseases": 2100,
            "pairs": 80_000,
            "drugs_with_pairs": 3000,
            "needs": "any evidence",
        },
    }
    f = coverage_frame(cov)
    assert f["model"].tolist() == [
        "CTD (all curated pairs)",
        "MLP, known seeds and signed edges (quick, paper-known)",
        "MLP, paper preset (known + predicted seeds, every HSN edge)",
        "evidence model",
    ]
    assert f["distinct profiles"].tolist()[2] == (
        "2,940 of 3,000 (3% identical to another); seeds per drug 1 known / 4 predicted (median)"
    )
    f = f.drop(index=2).reset_index(drop=True)
    assert f["drugs"].tolist() == [10_000, 1714, 3876]
    assert f["known pairs"].tolist() == [100_000, 50_000, 80_000]
    assert f["share of CTD pairs"].tolist() == pytest.approx([1.0, 0.5, 0.8])
    assert f["needs"].tolist() == [CTD_NEEDS, "a walk profile", "any evidence"]
    assert f["drugs with a known pair"].tolist() == [10_000, 1500, 3000]
    only = coverage_frame({"mlp": {"drugs": 5}})
    assert only["drugs"].tolist() == [5] and only["known pairs"].isna().all()


# ------------------------------------------------------------ history chart
def test_history_figure_by_boosting_round():
    history = [
        {"epoch": 10, "train_loss": 0.6, "val_loss": 0.62, "val_auc": 0.7},
        {"epoch": 20, "train_loss": 0.5, "val_loss": 0.58, "val_auc": 0.75},
    ]
    fig = history_figure(history, "auc", x_key="epoch", x_title="boosting round")
    assert [t.name for t in fig.data] == ["validation"]  # no training AUROC recorded
    assert list(fig.data[0].x) == [10, 20] and list(fig.data[0].y) == [0.7, 0.75]
    assert fig.layout.title.text == "AUROC per boosting round"
    loss = history_figure(history, "loss")
    assert [t.name for t in loss.data] == ["training", "validation"]
    assert list(loss.data[0].x) == [1, 2] and loss.layout.title.text == "Loss per epoch"


# ------------------------------------------------------------ the focused gene
A, B, C, D, E, F, G = 10, 20, 30, 40, 50, 60, 70  # G is not in the network
PARAMS = {"alpha": 0.0, "decay": 0.5, "max_steps": 3}


@pytest.fixture
def walked():
    edges = [(A, B, 1), (B, C, -1), (C, A, 1), (D, E, 1), (F, A, 1)]
    g = signed_graph_from_edges(
        pd.DataFrame(edges, columns=["source", "target", "sign"]),
        symbols={A: "GA", B: "GB", C: "GC", D: "GD", E: "GE", F: "GF"},
    )
    targets = pd.DataFrame(
        {
            "chemical_id": "X",
            "entrez": [D, A],
            "symbol": ["GD", "GA"],
            "sign": [1, -1],
            "sources": ["signor", "drugcentral"],
        }
    )
    table = target_table(g, targets)
    # values: A -0.875, B -0.5, C +0.25, D +1, E +0.5, F 0 (not reached)
    return g, drug_walk(g, table, **PARAMS), seeds_of(table)


def test_focused_gene_is_drawn_when_the_walk_reaches_it(walked):
    g, w, seeds = walked
    plain = walk_subnetwork(g, w, seeds, cap=3)  # the targets D, A and the top gene B
    assert plain.node_ids.tolist() == [D, A, B]
    sub = focused_subnetwork(g, w, seeds, cap=3, focus=C)
    assert sub.node_ids.tolist() == [D, A, B, C]  # one more node, the others unchanged
    assert sub.is_target.tolist() == [True, True, False, False]
    assert sub.target_sign.tolist() == [1, -1, 0, 0]
    np.testing.assert_allclose(sub.values, [1.0, -0.875, -0.5, 0.25])
    assert ((sub.edges[:, :2] >= 0) & (sub.edges[:, :2] < 4)).all()
    assert any(s == 2 and d == 3 for s, d, _ in sub.edges.tolist())  # B -| C is drawn
    info = gene_focus(g, w, sub, C)
    assert info == {
        "entrez": C,
        "symbol": "GC",
        "in_network": True,
        "reached": True,
        "value": 0.25,
        "rank": 5,
        "n_reached": 5,
        "drawn": True,
        "target": 0,
    }
    # already drawn (a target, a top gene): the plain view
    for gene in (A, B):
        assert focused_subnetwork(g, w, seeds, cap=3, focus=gene).node_ids.tolist() == [D, A, B]
    assert gene_focus(g, w, plain, A)["target"] == -1
    html = walk_html(sub, initial_step=0, positions=np.zeros((4, 2)), focus=C)
    assert '"focus":30' in html and "selectNodes" in html


def test_focused_gene_not_reached_or_outside_the_network(walked):
    g, w, seeds = walked
    plain = walk_subnetwork(g, w, seeds, cap=3)
    for gene in (F, G, None):
        assert focused_subnetwork(g, w, seeds, cap=3, focus=gene).node_ids.tolist() == [D, A, B]
    f = gene_focus(g, w, plain, F)
    assert f["in_network"] and not f["reached"] and f["value"] == 0.0 and f["rank"] is None
    assert not f["drawn"] and f["symbol"] == "GF"
    out = gene_focus(g, w, plain, G, symbol="GG")
    assert not out["in_network"] and out["value"] is None and out["symbol"] == "GG"
    assert parse_entrez("4728") == 4728 and parse_entrez(" 7 ") == 7
    assert parse_entrez("abc") is None and parse_entrez(None) is None and parse_entrez("-1") is None
