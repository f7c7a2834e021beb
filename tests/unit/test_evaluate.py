import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from ddi_core.models.baselines import DrugKNNBaseline, LogisticBaseline, PopularityBaseline
from ddi_core.models.evaluate import (
    ModelScorer,
    best_f1_threshold,
    classification_metrics,
    curves,
    evaluate_scorer,
    ranking_metrics,
    threshold_metrics,
)
from ddi_core.models.mlp.net import build_model
from ddi_core.pairs.features import standardized_features
from ddi_core.pairs.pairs import Pairs


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ---------------------------------------------------------------- hand cases
def test_threshold_metrics_hand_case():
    y = np.array([1, 0, 1, 1, 0, 0])
    p = np.array([0.9, 0.6, 0.4, 0.7, 0.2, 0.5])
    m = threshold_metrics(y, p, 0.5)  # predicted [1,1,0,1,0,1]: TP 2, FP 2, FN 1, TN 1
    assert m["accuracy"] == pytest.approx(3 / 6)
    assert m["precision"] == pytest.approx(2 / 4)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert threshold_metrics(y, p, 0.95)["precision"] == 0.0  # no positive predictions


def test_best_f1_threshold_is_chosen_on_validation():
    # thresholds 0.9 → F1 .667, 0.4 → .5, 0.3 → .8, 0.1 → .667
    assert best_f1_threshold(np.array([1, 1, 0, 0]), np.array([0.9, 0.3, 0.4, 0.1])) == 0.3
    yt, st = np.array([1, 0, 1, 0]), np.array([0.35, 0.25, 0.32, 0.4])
    out = classification_metrics(yt, st, np.array([1, 1, 0, 0]), np.array([0.9, 0.3, 0.4, 0.1]))
    assert out["at_val_threshold"]["threshold"] == 0.3
    # at 0.3: predicted [1, 0, 1, 1] → accuracy 0.75; at 0.5 nothing is predicted positive
    assert out["at_val_threshold"]["accuracy"] == 0.75 and out["at_0.5"]["recall"] == 0.0
    assert out["at_0.5"]["accuracy"] == 0.5
    assert out["auroc"] == roc_auc_score(yt, st) == 0.5
    assert out["aupr"] == average_precision_score(yt, st)


def test_curves_are_downsampled_with_end_points_kept():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    s = rng.random(5000) + 0.3 * y
    c = curves(y, s, max_points=200)
    assert 100 < len(c["roc"]["fpr"]) <= 200 and 100 < len(c["pr"]["recall"]) <= 200
    assert (c["roc"]["fpr"][0], c["roc"]["tpr"][0], c["roc"]["fpr"][-1]) == (0.0, 0.0, 1.0)
    assert c["roc"]["threshold"][0] is None  # sklearn's inf, JSON-safe
    assert c["pr"]["recall"][-1] == 0.0 and c["pr"]["recall"][0] == 1.0
    assert np.all(np.diff(c["roc"]["fpr"]) >= 0)


# ---------------------------------------------------------------- ranking
M = np.array(
    [
        [0.9, 0.8, 0.1, 0.5],
        [0.2, 0.7, 0.7, 0.3],
        [0.4, 0.3, 0.2, 0.1],
    ]
)
TRAIN = Pairs([0, 1, 2], [0, 3, 2], [1, 1, 0])  # (2, 2) is a negative: not filtered
TEST = Pairs([0, 0, 1, 2, 2], [1, 2, 2, 3, 0], [1, 1, 1, 1, 0])


def test_ranking_metrics_hand_computed_3x4():
    r = ranking_metrics(M, TEST, TRAIN, n_dis=4)
    # ranks: d0 → s1: 1, s2: 3 (candidates s1,s2,s3); d1 → s2: 1.5 (tie with s1);
    # d2 → s3: 4 (all four candidates)
    assert r["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 1.5 + 1 / 4) / 4)
    assert r["hits@1"] == 0.25 and r["hits@10"] == 1.0 and r["hits@50"] == 1.0
    assert r["median_rank"] == 2.25 and r["mean_rank"] == pytest.approx(9.5 / 4)
    assert (r["n_queries"], r["n_drugs"], r["n_candidates"]) == (4, 3, 10)
    assert r["prevalence"] == 0.4
    assert r["aupr_all_unknown"] == pytest.approx(0.25 * 1 + 0.25 * (2 / 3) + 0.5 * 0.4)


def test_filtered_mrr_and_ceiling_hand_computed():
    r = ranking_metrics(M, TEST, TRAIN, n_dis=4)
    # filtered: d0's s2 no longer counts s1 (the other test positive) above it: rank 2
    assert r["mrr_filtered"] == pytest.approx((1 + 1 / 2 + 1 / 1.5 + 1 / 4) / 4)
    # ceiling: d0's two positives on places 1 and 2, d1's and d2's on place 1
    assert r["mrr_ceiling"] == pytest.approx((1 + 1 / 2 + 1 + 1) / 4)
    # two positives tied on top share places 1 and 2 (1.5 each); filtered, each is first
    tied = ranking_metrics(
        np.array([[0.9, 0.9, 0.1]]), Pairs([0, 0], [0, 1], [1, 1]), Pairs([], [], []), n_dis=3
    )
    assert tied["mrr"] == pytest.approx(1 / 1.5) and tied["mrr_filtered"] == 1.0
    assert tied["mrr_ceiling"] == pytest.approx(0.75)
    assert r["mrr"] <= r["mrr_filtered"] and r["mrr"] <= r["mrr_ceiling"]


def test_ranking_accepts_callables_and_scorers_with_the_same_answer():
    class Fixed:
        def score_pairs(self, d, s):
            return M[d, s]

        def score_matrix(self, d):
            return M[d]

    a = ranking_metrics(M, TEST, TRAIN, n_dis=4)
    assert ranking_metrics(lambda d: M[d], TEST, TRAIN, n_dis=4) == a
    assert ranking_metrics(Fixed(), TEST, TRAIN, n_dis=4, chunk=1) == a


# ---------------------------------------------------------------- baselines
def test_popularity_baseline():
    tr = Pairs([0, 1, 2, 2, 0], [1, 1, 3, 0, 3], [1, 1, 1, 0, 0])
    pop = PopularityBaseline(4).fit(tr)
    np.testing.assert_array_equal(pop.degree_, [0, 2, 0, 1])
    np.testing.assert_array_equal(pop.score_matrix(np.array([5, 7])), [[0, 2, 0, 1]] * 2)
    np.testing.assert_array_equal(pop.score_pairs([0, 9], [1, 3]), [2, 1])


def test_drug_knn_baseline_hand_case():
    X = np.array([[1, 0], [1, 0.1], [0, 1], [1, 0.05]])
    tr = Pairs([1, 2, 3, 3, 0], [0, 1, 0, 2, 1], [1, 1, 1, 1, 0])  # (0, 1) negative
    knn = DrugKNNBaseline(n_dis=3, k=2).fit(tr, sp.csr_matrix(X))
    c01, c03, c13 = 1 / np.sqrt(1.01), 1 / np.sqrt(1.0025), 1.005 / np.sqrt(1.01 * 1.0025)
    c12 = 0.1 / np.sqrt(1.01)
    S = knn.score_matrix(np.array([0, 1]))
    np.testing.assert_allclose(S[0], [c03 + c01, 0, c03])  # neighbours d3, d1
    np.testing.assert_allclose(S[1], [c13, c12, c13])  # itself left out: d3, d2
    np.testing.assert_allclose(knn.score_pairs([1, 0], [1, 2]), [c12, c03])
    # dense input gives the same
    np.testing.assert_allclose(DrugKNNBaseline(3, k=2).fit(tr, X).score_matrix(np.array([0, 1])), S)


def _learnable(seed=0, n_drugs=20, n_dis=15, n=200):
    rng = np.random.default_rng(seed)
    drug = rng.normal(size=(n_drugs, 8)).astype(np.float32)
    dis = rng.normal(size=(n_dis, 5)).astype(np.float32)
    keys = rng.choice(n_drugs * n_dis, n, replace=False)
    d, s = np.divmod(keys, n_dis)
    y = (drug[d, 0] + dis[s, 0] > 0).astype(np.float32)
    return drug, dis, Pairs(d, s, y)


def test_logistic_baseline_decomposition_equals_sklearn_on_batches():
    drug, dis, p = _learnable()
    tr, te = p.subset(np.arange(150)), p.subset(np.arange(150, 200))
    f = standardized_features(drug, dis, tr, device="cpu")
    lr = LogisticBaseline(epochs=20, batch_size=32, random_state=0).fit(tr, f)
    Xte = f.numpy_batch(te.drug, te.dis)
    ref = lr.clf_.predict_proba(Xte)[:, 1]
    np.testing.assert_allclose(
        lr.decision_function(te.drug, te.dis), lr.clf_.decision_function(Xte), rtol=1e-5, atol=1e-4
    )
    np.testing.assert_allclose(lr.score_pairs(te.drug, te.dis), ref, rtol=1e-4, atol=1e-12)
    np.testing.assert_allclose(
        lr.score_matrix(np.array([3]))[0, te.dis[:4]], lr.score_pairs([3] * 4, te.dis[:4])
    )
    assert roc_auc_score(te.y, ref) > 0.9  # additive signal: logistic regression learns it
    sub = LogisticBaseline(epochs=1, max_train_pairs=50, random_state=0).fit(tr, f)
    assert sub.n_fit_pairs_ == 50


def test_model_scorer_split_first_layer_equals_full_forward():
    drug, dis, p = _learnable(1)
    f = standardized_features(drug, dis, p, device="cpu")
    m = build_model(f.dim, {"hidden": [32, 16]}, seed=0).eval()
    sc = ModelScorer(m, f, batch_size=37)
    with torch.no_grad():
        ref = torch.sigmoid(m(f.batch(p.drug, p.dis))).numpy()
    np.testing.assert_allclose(sc.score_pairs(p.drug, p.dis), ref, rtol=1e-5, atol=1e-6)
    full = sc.score_matrix(np.array([4, 0]))
    assert full.shape == (2, 15)
    np.testing.assert_allclose(full[1, 7], sc.score_pairs([0], [7])[0], rtol=1e-6)


def test_model_scorer_scores_a_model_that_does_not_split_on_built_batches():
    drug, dis, p = _learnable(1)
    f = standardized_features(drug, dis, p, device="cpu")
    inner = build_model(f.dim, {"hidden": [8]}, seed=1).eval()

    class Wrapped(torch.nn.Module):  # no ``net`` with a leading Linear layer
        def __init__(self):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return 2.0 * self.inner(x)

    sc = ModelScorer(Wrapped(), f, batch_size=11)
    with torch.no_grad():
        ref = torch.sigmoid(2.0 * inner(f.batch(p.drug, p.dis))).numpy()
    np.testing.assert_allclose(sc.score_pairs(p.drug, p.dis), ref, rtol=1e-5, atol=1e-6)
    assert sc.score_matrix(np.array([2])).shape == (1, 15)


def test_evaluate_scorer_filters_validation_unless_it_is_the_test_set():
    val = Pairs([0], [3], [1])  # a validation positive of a test drug: filtered
    rep = evaluate_scorer(
        type(
            "S",
            (),
            {"score_pairs": lambda self, d, s: M[d, s], "score_matrix": lambda self, d: M[d]},
        )(),
        train=TRAIN,
        val=val,
        test=Pairs([0, 0, 2, 2], [1, 2, 3, 0], [1, 1, 1, 0]),
        n_dis=4,
    )
    # d0: diseases 0 (train) and 3 (val) filtered → 2 candidates; d2: all 4
    assert rep["ranking"]["n_candidates"] == 2 + 4 and rep["ranking"]["n_queries"] == 3
    assert rep["classification"]["n"] == 4
    # paper protocol: val is test, so test positives are not filtered away
    rep2 = evaluate_scorer(
        type(
            "S",
            (),
            {"score_pairs": lambda self, d, s: M[d, s], "score_matrix": lambda self, d: M[d]},
        )(),
        train=TRAIN,
        val=TEST,
        test=TEST,
        n_dis=4,
    )
    assert rep2["ranking"]["n_queries"] == 4
