"""The evidence model's learner, EASE and degree-matched negatives on small constructed cases."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.ease import EASEScorer, choose_lambda
from ddi_core.models.evaluate import degree_matched_negatives
from ddi_core.models.evidence.learner import Booster, average_boosters, fit_booster


def _tiny(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    X[rng.random((n, 4)) < 0.1] = np.nan  # missing evidence
    y = ((np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) ** 2) > 0.3).astype(np.float32)
    return X, y


def test_the_learner_overfits_a_tiny_case():
    X, y = _tiny(0)
    cfg = EvidenceConfig(
        num_leaves=15,
        min_child_samples=2,
        max_rounds=400,
        early_stopping_rounds=400,
        learning_rate=0.2,
    )
    b = fit_booster(X, y, X, y, ["a", "b", "c", "d"], cfg, seed=0)
    p = b.logits(X)
    assert roc_auc_score(y, p) == 1.0
    assert ((p > 0) == (y == 1)).mean() == 1.0


def test_the_learner_is_deterministic_and_its_contributions_add_up():
    X, y = _tiny(1)
    Xv, yv = _tiny(2)
    cfg = EvidenceConfig(max_rounds=60, early_stopping_rounds=20)
    a = fit_booster(X, y, Xv, yv, ["a", "b", "c", "d"], cfg, seed=3)
    b = fit_booster(X, y, Xv, yv, ["a", "b", "c", "d"], cfg, seed=3)
    assert a.to_string() == b.to_string()
    c = a.contributions(Xv)
    assert c.shape == (len(Xv), 5)
    assert np.allclose(c.sum(axis=1), a.logits(Xv), atol=1e-6)
    # a saved model reloads to the same scores; a wrong feature list is refused
    r = Booster.from_string(a.to_string(), ["a", "b", "c", "d"])
    assert np.allclose(r.logits(Xv), a.logits(Xv))
    with pytest.raises(ValueError, match="features differ"):
        Booster.from_string(a.to_string(), ["a", "b", "c", "x"])
    text = a.to_string()
    for bad in (text[: len(text) // 3], text[len(text) // 2 :], "", "garbage"):
        with pytest.raises(ValueError, match="truncated or damaged"):
            Booster.from_string(bad, ["a", "b", "c", "d"])


def test_averaged_boosters_score_the_members_mean_and_explain_it():
    X, y = _tiny(4, 600)
    Xv, yv = _tiny(5)
    names = ["a", "b", "c", "d"]
    cfg = EvidenceConfig(max_rounds=80, early_stopping_rounds=10, feature_fraction=0.6)
    members = [
        fit_booster(X[i::2].copy(), y[i::2].copy(), Xv, yv, names, cfg, seed=i) for i in range(2)
    ]
    members.append(fit_booster(X, y, Xv, yv, names, cfg, seed=7))
    assert len({m.best_iteration for m in members}) > 1  # members stop at different rounds
    avg = average_boosters(members)
    mean = np.mean([m.logits(Xv) for m in members], axis=0)
    assert np.allclose(avg.logits(Xv), mean, atol=1e-9)
    assert avg.best_iteration == sum(m.best_iteration for m in members)
    assert avg.member_iterations == [m.best_iteration for m in members]
    c = avg.contributions(Xv)  # TreeSHAP is additive over trees: the members' mean
    assert np.allclose(c, np.mean([m.contributions(Xv) for m in members], axis=0), atol=1e-9)
    assert np.allclose(c.sum(axis=1), mean, atol=1e-6)
    back = Booster.from_string(avg.to_string(), names)  # saved and reloaded as one model
    assert np.allclose(back.logits(Xv), mean, atol=1e-9)
    assert average_boosters(members[:1]) is members[0]
    X3, Xv3 = np.ascontiguousarray(X[:, :3]), np.ascontiguousarray(Xv[:, :3])
    other = fit_booster(X3, y, Xv3, yv, names[:3], cfg, seed=0)
    with pytest.raises(ValueError, match="share their features"):
        average_boosters([members[0], other])


def test_ease_scores_a_co_occurring_disease_above_an_unrelated_one():
    # diseases 0 and 1 always co-occur; disease 2 is alone
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 0]], np.float32))
    e = EASEScorer(lam=0.5).fit(X)
    s = e.score_matrix(np.array([4]))[0]
    assert s[1] > s[2]
    assert np.allclose(np.diag(e.B_), 0)
    lam, scores = choose_lambda(X, np.array([4]), np.array([1]), [0.5, 5.0])
    assert lam in (0.5, 5.0) and set(scores) == {"0.5", "5.0"}


def test_degree_matched_negatives_keep_both_marginals():
    rng = np.random.default_rng(0)
    d = rng.integers(0, 50, 400)
    s = rng.integers(0, 80, 400)
    keys = np.unique(d * 80 + s)
    d, s = np.divmod(keys, 80)
    nd, ns = degree_matched_negatives(d, s, keys, 80, seed=1)
    assert len(nd) >= 0.95 * len(d)
    assert not np.isin(nd * 80 + ns, keys).any()  # never a known pair
    assert len(np.unique(nd * 80 + ns)) == len(nd)  # never twice
    # the same drugs (every negative keeps its positive's drug); diseases drawn from the
    # positives' diseases, each at most as often as among the positives
    assert np.isin(ns, s).all()
    cs, cn = np.bincount(s, minlength=80), np.bincount(ns, minlength=80)
    assert (cn <= cs).all()
