"""Drug–target classifier on the real bundle (drug-disjoint split, quick training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fitted(real_home):
    import torch

    from ddi_core.targets import config, report
    from ddi_core.targets import inputs as target_inputs
    from ddi_core.targets import stage as tp

    torch.set_num_threads(min(2, torch.get_num_threads()))
    from ddi_core.embed import infograph as ig
    from ddi_core.embed.node2vec import Node2VecConfig
    from ddi_core.embed.node2vec_stages import PPIEmbeddingConfig

    cfg = config.TargetConfig.quick()
    # reduced embeddings (the same configs as the embedding tests, so CI builds them
    # once): the claims here are about labels, splits and beating the baselines
    inputs = target_inputs.load_inputs(
        cfg,
        drug_config=ig.InfoGraphConfig(epochs=5, max_molecules=500, seed=0),
        gene_config=PPIEmbeddingConfig(
            node2vec=Node2VecConfig(dim=32, num_walks=2, walk_length=40, window=5)
        ),
    )
    stage = tp.fit_targets(cfg, inputs)
    return cfg, inputs, stage, report.target_report(cfg, inputs, stage=stage)


def test_labels_and_split_sizes_are_what_the_data_says(fitted):
    from ddi_core.data import entities

    cfg, inputs, stage, rep = fitted
    dti = entities.signed_dti()
    drugs = set(map(str, inputs.drug_embedding.ids))
    genes = set(map(int, inputs.gene_embedding.ids))
    pairs = dti[["chemical_id", "entrez", "sign"]].drop_duplicates()
    signs = pairs.groupby(["chemical_id", "entrez"])["sign"].nunique()
    clean = signs[signs == 1].reset_index()[["chemical_id", "entrez"]]
    survive = clean[clean["chemical_id"].isin(drugs) & clean["entrez"].isin(genes)]
    lab = rep["labels"]
    # reduced InfoGraph embeds 500 of 2,817 drugs: ~1,300 of 6,840 signed pairs survive
    # (all 2,817: 6,678)
    assert lab["known_pairs"] == len(survive) > 1000
    assert lab["known_drugs"] == survive["chemical_id"].nunique()
    assert lab["none_pairs"] == 2 * lab["known_pairs"]  # ratio 2:1, per drug, exact
    n = lab["known_pairs"] + lab["none_pairs"]
    assert rep["n_train"] + rep["n_val"] + rep["n_test"] == n

    t = stage.pairs
    assert (t.groupby("chemical_id")["split"].nunique() == 1).all()  # drug-disjoint
    counts = t["split"].value_counts()
    assert (counts["train"], counts["val"], counts["test"]) == (
        rep["n_train"],
        rep["n_val"],
        rep["n_test"],
    )
    n_drugs = t["chemical_id"].nunique()
    assert rep["split"]["test"]["drugs"] == round(0.2 * n_drugs)
    assert rep["split"]["val"]["drugs"] == round(0.1 * n_drugs)
    # sampled "none" pairs never hit a known interaction, signed or not
    neg = t[t["label"] == 1]
    known = pd.MultiIndex.from_frame(inputs.exclude_pairs.astype({"chemical_id": str}))
    assert not pd.MultiIndex.from_frame(neg[["chemical_id", "entrez"]]).isin(known).any()


def test_model_beats_majority_on_drug_disjoint_test(fitted):
    cfg, inputs, stage, rep = fitted
    maj = rep["baselines"]["majority"]
    # majority predicts 'none' only: macro-F1 = F1(none) / 3
    p_none = rep["per_class"]["none"]["support"] / rep["n_test"]
    assert maj["macro_f1"] == pytest.approx(2 * p_none / (1 + p_none) / 3)
    # quick training on reduced embeddings is a weak, seed-sensitive model: over the stage
    # seeds 0-5, rule 0.34-0.46 and argmax 0.49-0.63 against majority 0.27, argmax F1
    # inhibition 0.42-0.63, activation 0.20-0.51 (the bars hold for every one of them; the
    # earlier ones, set on one seed, did not); full embeddings, paper settings: rule 0.69,
    # argmax 0.76 (docs/RESULTS.md)
    assert rep["macro_f1"] > maj["macro_f1"] + 0.05
    assert rep["argmax"]["macro_f1"] > maj["macro_f1_argmax"] + 0.15
    for c in ("inhibition", "activation"):
        assert rep["argmax"]["per_class"][c]["f1"] > 0.15  # majority: 0
    # the paper's inhibition threshold is strict: p > 0.88 is always the argmax, so the rule
    # calls inhibition on a subset of the pairs argmax does
    rule_calls = np.sum(rep["confusion"], axis=0)
    argmax_calls = np.sum(rep["argmax"]["confusion"], axis=0)
    assert rule_calls[0] <= argmax_calls[0]
    assert np.sum(rep["confusion"]) == rep["n_test"]
    assert rep["training"]["epochs"] <= cfg.max_epochs


def test_predict_a_known_drug(fitted):
    from ddi_core.targets.predict import predict_drug_targets

    cfg, inputs, stage, rep = fitted
    embedded = set(map(str, inputs.drug_embedding.ids))
    dti = inputs.dti[inputs.dti["chemical_id"].astype(str).isin(embedded)]
    cid = dti["chemical_id"].value_counts().index[0]  # the embedded drug with most known targets
    res = predict_drug_targets(cid, top=10, config=cfg, inputs=inputs, stage=stage)
    assert res.has_vector and len(res.predictions) == 10
    assert set(dti.loc[dti["chemical_id"] == cid, "entrez"]) <= set(res.known["entrez"])


def test_calibration_priors_calls_and_reliability(fitted):
    """Prior correction on held-out drugs: far fewer calls, ranking above the base rate."""
    cfg, inputs, stage, rep = fitted
    cal = rep["calibration"]
    pri = cal["priors"]
    lab = stage.pairs[stage.pairs["split"] == "train"]["label"].value_counts(normalize=True)
    assert pri["pi_train"][1] == pytest.approx(lab[1])  # none: ~2/3 at ratio 2:1
    assert 0 < pri["pi_deploy"][0] < 0.01 and 0 < pri["pi_deploy"][2] < 0.01
    assert pri["logit_shift"][0] < -3 and pri["logit_shift"][2] < -3
    te = cal["test"]
    assert 0 < te["drugs"] <= rep["split"]["test"]["drugs"]
    assert sum(b["n"] for b in te["reliability_calibrated"]) == te["drugs"] * te["genes"]
    # correcting to ~3 targets among thousands of genes removes most calls
    assert (
        te["thresholds_calibrated"]["calls_per_drug_mean"]
        < 0.2 * te["thresholds_raw"]["calls_per_drug_mean"]
    )
    # the classifier ranks known targets well above the rest over every scored gene: the
    # AUROC of the reliability bins (ties within a bin count half; stage seeds 0-5: 0.74-0.81).
    # (At the top of each drug's list this weak model puts its hub genes: precision@10 is 0
    # for all six seeds; the real classifier's is 53x the base rate, docs/RESULTS.md.)
    bins = te["reliability_calibrated"]
    pos = np.array([b["n"] * b["observed"] for b in bins])
    neg = np.array([b["n"] for b in bins]) - pos
    auc = (np.sum(pos * (np.cumsum(neg) - neg)) + 0.5 * np.sum(pos * neg)) / (pos.sum() * neg.sum())
    assert pos.sum() > 100 and auc > 0.65
    assert str(cal["chosen_k"]) in te["at_k"]
    # at k, precision and recall follow from hit counts: recall@k rises with k
    rec = [te["at_k"][str(k)]["recall"] for k in (1, 5, 20, 50)]
    assert rec == sorted(rec)
