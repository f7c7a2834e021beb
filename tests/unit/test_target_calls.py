"""Calibrated target calls: prior correction, top-k cap, Phy sign rule, seed sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ddi_core.graphs.signaling import signed_graph_from_edges
from ddi_core.targets import seeds
from ddi_core.targets.decision import (
    ACTIVATION,
    INHIBITION,
    NONE,
    correct_proba,
    decide,
    prior_shift,
    top_k_calls,
    top_k_classes,
)
from ddi_core.targets.scorer import FactorisedTargetScorer
from ddi_core.walk.algorithm import exact_walk
from tests.unit.test_targets import fitted  # noqa: F401  (the fitted toy classifier)

# ------------------------------------------------------------ prior correction


def test_prior_correction_by_hand():
    pi_train, pi_deploy = (0.25, 0.5, 0.25), (0.01, 0.98, 0.01)
    shift = prior_shift(pi_train, pi_deploy)
    np.testing.assert_allclose(shift, np.log([0.04, 1.96, 0.04]))
    # p = (0.6, 0.3, 0.1): weights 0.04, 1.96, 0.04 -> 0.024, 0.588, 0.004 / 0.616
    got = correct_proba(np.array([[0.6, 0.3, 0.1]]), shift)[0]
    np.testing.assert_allclose(got, [0.024 / 0.616, 0.588 / 0.616, 0.004 / 0.616])
    # a raw inhibition call (0.99 > 0.88) is not one at the deployment prior:
    # 0.99*0.04 = 0.0396, 0.009*1.96 = 0.01764, 0.001*0.04 = 0.00004 -> p_inh 0.6913
    p = np.array([[0.99, 0.009, 0.001]])
    assert decide(p)[0] == INHIBITION
    c = correct_proba(p, shift)
    assert c[0, INHIBITION] == pytest.approx(0.0396 / 0.05728)
    assert decide(c)[0] == NONE
    # equal priors change nothing
    np.testing.assert_allclose(correct_proba(p, prior_shift(pi_train, pi_train)), p)


def test_prior_shift_rejects_bad_priors():
    with pytest.raises(ValueError, match="positive"):
        prior_shift((0.5, 0.5, 0.0), (0.1, 0.8, 0.1))
    with pytest.raises(ValueError, match="3 classes"):
        prior_shift((0.5, 0.5), (0.5, 0.5))


def test_scorer_logit_shift_equals_correcting_its_probabilities(fitted):  # noqa: F811
    clf, D, G = fitted
    sc = FactorisedTargetScorer.from_classifier(clf)
    di, gi = (a.ravel() for a in np.meshgrid(np.arange(len(D)), np.arange(len(G)), indexing="ij"))
    dp, gp = sc.project_drugs(D), sc.project_genes(G)
    raw = sc.proba_pairs(dp, gp, di, gi)
    shift = prior_shift((0.3, 0.5, 0.2), (0.002, 0.997, 0.001))
    sc.with_prior_shift(shift)
    cor = sc.proba_pairs(dp, gp, di, gi)
    np.testing.assert_allclose(cor, correct_proba(raw, shift), atol=2e-6)
    assert cor[:, NONE].mean() > raw[:, NONE].mean()


# ------------------------------------------------------------ top-k


def test_top_k_calls_by_hand():
    drug = np.array([0, 0, 0, 1, 1, 2])
    p_none = np.array([0.5, 0.1, 0.9, 0.2, 0.3, 0.99])
    proba = np.stack([(1 - p_none) * 0.3, p_none, (1 - p_none) * 0.7], axis=1)
    proba[3] = [0.7, 0.2, 0.1]
    keep = top_k_calls(drug, proba, 2)
    assert keep.tolist() == [True, True, False, True, True, True]  # drug 2 has one pair only
    assert top_k_classes(proba).tolist() == [
        ACTIVATION,
        ACTIVATION,
        ACTIVATION,
        INHIBITION,
        ACTIVATION,
        ACTIVATION,
    ]
    assert top_k_calls(drug, proba, 1).tolist() == [False, True, False, True, False, True]


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_grid_top_k_calls_exactly_k_per_drug(fitted, precision):  # noqa: F811
    clf, D, G = fitted
    di, gi = (a.ravel() for a in np.meshgrid(np.arange(len(D)), np.arange(len(G)), indexing="ij"))
    proba = clf.predict_proba(np.concatenate([D[di], G[gi]], axis=1))
    k = 3
    res = FactorisedTargetScorer.from_classifier(clf).grid(
        D, G, top_k=k, precision=precision, block_pairs=64
    )
    assert np.bincount(res.drug_idx, minlength=len(D)).tolist() == [k] * len(D)
    want = top_k_calls(di, proba, k)
    got = np.zeros(len(di), bool)
    got[res.drug_idx * len(G) + res.gene_idx] = True
    np.testing.assert_array_equal(got, want)
    assert res.counts["rule"] == "top_3"
    with pytest.raises(ValueError, match="top_k"):
        FactorisedTargetScorer.from_classifier(clf).grid(D, G, top_k=0)


# ------------------------------------------------------------ the 'otherwise' sign rule

A, B, C, E = 10, 20, 30, 40


def _hsn_graph(phy_sign: int | None):
    rows = [(A, B, 1), (B, C, -1)]
    if phy_sign is not None:
        rows.append((B, E, phy_sign))  # B -Phy-> E
    return signed_graph_from_edges(pd.DataFrame(rows, columns=["source", "target", "sign"]))


def test_phy_edge_flips_the_walkers_sign():
    kw = {"alpha": 0.3, "decay": 0.9, "max_steps": 3}
    flip = exact_walk(_hsn_graph(-1), {A: 1}, **kw).values
    keep = exact_walk(_hsn_graph(1), {A: 1}, **kw).values
    dropped = exact_walk(_hsn_graph(None), {A: 1}, **kw).values
    g = _hsn_graph(-1)
    e, c = int(g.index_of([E])[0]), int(g.index_of([C])[0])
    # A -> B (kept, +) then B -> E (Phy: flipped) or B -> C (Neg: flipped)
    assert flip[e] < 0 and flip[c] < 0 and keep[e] > 0
    assert flip[e] == pytest.approx(-keep[e])
    # by hand: a walker leaves its seed at t=1 (at B, w.p. 1); at t=2 it has not
    # restarted (0.7) and took B -> E (1/2), sign flipped, value decayed 0.9^2;
    # E is a dead end, and a restart at t=2 puts it back on A, B at t=3
    assert flip[e] == pytest.approx(-(0.7 / 2) * 0.9**2)
    # without the Phy edge B's only way out is C: twice the mass reaches it
    assert dropped[int(_hsn_graph(None).index_of([C])[0])] == pytest.approx(2 * flip[c])


# ------------------------------------------------------------ seed-source tagging


def test_seed_sources_are_tagged_and_known_wins():
    nodes = np.array([1, 2, 3, 4], np.int64)
    known = pd.DataFrame({"chemical_id": ["D1", "D1"], "entrez": [1, 2], "sign": [-1, 1]})
    pred = pd.DataFrame(
        {
            "chemical_id": ["D1", "D1", "D2"],
            "entrez": [2, 3, 4],
            "sign": [-1, 1, -1],
            "p_inhibition": [0.95, 0.01, 0.9],
            "p_activation": [0.01, 0.6, 0.02],
        }
    )
    prof = seeds.build_profiles(
        "known+predicted", nodes, known, pred, ["D1", "D2", "D3"], embedded=["D1", "D2"]
    )
    t = prof.table.set_index(["chemical_id", "entrez"])
    assert t.loc[("D1", 2), "source"] == "known" and t.loc[("D1", 2), "sign"] == 1
    assert t.loc[("D1", 3), "source"] == "predicted"
    assert t.loc[("D1", 3), "probability"] == pytest.approx(0.6)
    assert t.loc[("D2", 4), "probability"] == pytest.approx(0.9)
    assert np.isnan(t.loc[("D1", 1), "probability"])
    assert prof.meta["known_predicted_sign_conflicts"] == 1
    assert (
        prof.missing.set_index("chemical_id").loc["D3", "reason"]
        == "no known signed target; no InfoGraph vector"
    )


def test_unparsable_smiles_without_known_target_is_listed_with_the_reason():
    nodes = np.array([1, 2], np.int64)
    known = pd.DataFrame({"chemical_id": ["D1"], "entrez": [1], "sign": [1]})
    pred = pd.DataFrame(
        {
            "chemical_id": ["D1"],
            "entrez": [2],
            "sign": [-1],
            "p_inhibition": [0.9],
            "p_activation": [0.0],
        }
    )
    prof = seeds.build_profiles(
        "known+predicted",
        nodes,
        known,
        pred,
        ["D1", "D9"],
        embedded=["D1"],
        unparsable={"D9": "SMILES syntax error"},
    )
    why = prof.missing.set_index("chemical_id").loc["D9", "reason"]
    assert why == "no known signed target; SMILES not parsable by RDKit (SMILES syntax error)"
    with pytest.raises(Exception, match="SMILES not parsable"):
        prof.row("D9")


def test_top_k_by_lift_divides_by_the_gene_weight():
    drug = np.array([0, 0, 0])
    p_none = np.array([0.2, 0.5, 0.9])  # P(target) 0.8, 0.5, 0.1
    proba = np.stack([(1 - p_none) / 2, p_none, (1 - p_none) / 2], axis=1)
    assert top_k_calls(drug, proba, 1).tolist() == [True, False, False]
    # gene means 0.8, 0.5, 0.05: lifts 1, 1, 2 -> the rare gene wins
    assert top_k_calls(drug, proba, 1, np.array([0.8, 0.5, 0.05])).tolist() == [False, False, True]


def test_lift_power_moves_the_ranking_between_probability_and_lift():
    from ddi_core.config.run import WalkConfig, preset
    from ddi_core.walk.profiles import key_config, target_config

    drug = np.array([0, 0, 0])
    p_none = np.array([0.2, 0.5, 0.9])  # P(target) 0.8, 0.5, 0.1; gene means 0.8, 0.5, 0.05
    proba = np.stack([(1 - p_none) / 2, p_none, (1 - p_none) / 2], axis=1)
    mean = np.array([0.8, 0.5, 0.05])
    # power 0.5: 0.8/0.894 = 0.894, 0.5/0.707 = 0.707, 0.1/0.224 = 0.447 -> gene 0
    assert top_k_calls(drug, proba, 1, mean**0.5).tolist() == [True, False, False]
    # power 0.8: 0.8**0.2 = 0.956, 0.5**0.2 = 0.871, 0.1/0.05**0.8 = 1.098 -> gene 2
    assert top_k_calls(drug, proba, 1, mean**0.8).tolist() == [False, False, True]
    # the walk's power reaches the classifier's config; known seeds do not key on it
    walk = preset("paper").walk
    assert target_config(walk).lift_power == walk.target_lift_power
    assert "target_lift_power" in key_config(walk)
    assert "target_lift_power" not in key_config(WalkConfig(target_lift_power=0.3))
    with pytest.raises(ValueError, match="target_lift_power"):
        WalkConfig(target_lift_power=-1.0)


def test_grid_top_k_by_lift_matches_the_dense_rule(fitted):  # noqa: F811
    clf, D, G = fitted
    di, gi = (a.ravel() for a in np.meshgrid(np.arange(len(D)), np.arange(len(G)), indexing="ij"))
    proba = clf.predict_proba(np.concatenate([D[di], G[gi]], axis=1))
    w = (1 - proba[:, NONE]).reshape(len(D), len(G)).mean(0)
    res = FactorisedTargetScorer.from_classifier(clf).grid(
        D, G, top_k=2, gene_weight=w, precision="float32", block_pairs=64
    )
    got = np.zeros(len(di), bool)
    got[res.drug_idx * len(G) + res.gene_idx] = True
    np.testing.assert_array_equal(got, top_k_calls(di, proba, 2, w[gi]))
    assert res.counts["rule"] == "top_2_lift"
    with pytest.raises(ValueError, match="gene_weight"):
        FactorisedTargetScorer.from_classifier(clf).grid(D, G, top_k=2, gene_weight=-w)
