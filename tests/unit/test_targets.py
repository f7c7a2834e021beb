"""Drug–target classifier, first-layer split, labels, split, profiles, CLI (synthetic data)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from ddi_core.embed.store import Embedding
from ddi_core.errors import UnknownEntityError
from ddi_core.fitloop import FunctionCallback
from ddi_core.targets import config, grid, inputs, labels, metrics, predict, report, seeds
from ddi_core.targets import stage as tp
from ddi_core.targets.decision import ACTIVATION, INHIBITION, NONE, decide
from ddi_core.targets.model import DrugTargetClassifier, TargetNet
from ddi_core.targets.scorer import FactorisedTargetScorer

# ---------------------------------------------------------------- architecture


def test_architecture_is_the_methods():
    net = TargetNet()
    kinds = [type(m) for m in net.layers]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ELU, nn.Dropout] * 2 + [nn.Linear]
    lin = [m for m in net.layers if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in lin] == [(600, 1024), (1024, 1024), (1024, 3)]
    assert [m.num_features for m in net.layers if isinstance(m, nn.BatchNorm1d)] == [1024, 1024]
    assert [m.p for m in net.layers if isinstance(m, nn.Dropout)] == [0.2, 0.2]
    assert net(torch.zeros(4, 600)).shape == (4, 3)
    # the classifier's defaults build exactly that network
    clf = DrugTargetClassifier()
    assert (clf.hidden, clf.dropout, clf.drug_dim) == ((1024, 1024), 0.2, 300)
    assert (clf.inhibition_threshold, clf.activation_threshold) == (0.88, 0.45)


# ---------------------------------------------------------------- decision rule


@pytest.mark.parametrize(
    ("p", "want"),
    [
        ((0.89, 0.10, 0.01), INHIBITION),
        ((0.50, 0.00, 0.50), ACTIVATION),
        ((0.87, 0.00, 0.13), NONE),
        ((0.88, 0.00, 0.12), NONE),  # strict '>' at the inhibition threshold
        ((0.10, 0.45, 0.45), NONE),  # strict '>' at the activation threshold
        ((0.10, 0.44, 0.46), ACTIVATION),
        ((0.30, 0.70, 0.00), NONE),  # argmax would say none too
        ((0.60, 0.05, 0.35), NONE),  # argmax says inhibition, the rule does not
        ((0.40, 0.15, 0.45), NONE),  # argmax says activation; 0.45 is not > 0.45
    ],
)
def test_decision_rule(p, want):
    assert decide(np.array([p]))[0] == want


def test_decision_rule_thresholds_are_configurable_and_inhibition_wins():
    p = np.array([[0.5, 0.0, 0.5], [0.3, 0.4, 0.3]])
    assert decide(p, 0.4, 0.4).tolist() == [INHIBITION, NONE]
    assert decide(p, 0.6, 0.25).tolist() == [ACTIVATION, ACTIVATION]
    clf = DrugTargetClassifier(inhibition_threshold=0.2, activation_threshold=0.9)
    assert clf.decide(p).tolist() == [INHIBITION, INHIBITION]
    with pytest.raises(ValueError):
        decide(np.ones((2, 2)))


# ---------------------------------------------------------------- helpers


def _toy(n_drugs=12, n_genes=30, n_rows=240, seed=0):
    rng = np.random.default_rng(seed)
    D = rng.normal(size=(n_drugs, 300)).astype(np.float32)
    G = rng.normal(size=(n_genes, 300)).astype(np.float32)
    flat = rng.choice(n_drugs * n_genes, n_rows, replace=False)  # distinct pairs
    di, gi = flat // n_genes, flat % n_genes
    X = np.concatenate([D[di], G[gi]], axis=1)
    y = rng.integers(0, 3, n_rows)
    return D, G, X, y, di


def _randomise_bn(clf):
    """Non-trivial BatchNorm statistics and affine parameters (so folding matters)."""
    g = torch.Generator().manual_seed(5)
    for m in clf.model_.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g))
            m.running_var.copy_(torch.rand(m.num_features, generator=g) * 3 + 0.1)
            m.weight.data.copy_(torch.randn(m.num_features, generator=g))
            m.bias.data.copy_(torch.randn(m.num_features, generator=g))


@pytest.fixture(scope="module")
def fitted():
    D, G, X, y, di = _toy()
    clf = DrugTargetClassifier(max_epochs=2, validation_fraction=0.25, random_state=3, device="cpu")
    clf.fit(X, y, groups=di)
    _randomise_bn(clf)
    return clf, D, G


# ---------------------------------------------------------------- first-layer split


def test_split_first_layer_equals_plain_forward(fitted):
    clf, D, G = fitted
    sc = FactorisedTargetScorer.from_classifier(clf)
    di, gi = (a.ravel() for a in np.meshgrid(np.arange(len(D)), np.arange(len(G)), indexing="ij"))
    plain = clf.predict_proba(np.concatenate([D[di], G[gi]], axis=1))
    split = sc.proba_pairs(sc.project_drugs(D), sc.project_genes(G), di, gi)
    assert plain.shape == (len(D) * len(G), 3)
    np.testing.assert_allclose(split, plain, atol=1e-5, rtol=1e-4)
    # and the plain forward is the eval-mode module itself (BatchNorm running stats)
    x = torch.from_numpy(clf._scale(np.concatenate([D[di[:5]], G[gi[:5]]], axis=1)))
    with torch.no_grad():
        ref = torch.softmax(clf.model_.eval()(x), 1).numpy()
    np.testing.assert_allclose(plain[:5], ref, atol=1e-6)


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_grid_keeps_exactly_the_rule_calls(fitted, precision):
    clf, D, G = fitted
    di, gi = (a.ravel() for a in np.meshgrid(np.arange(len(D)), np.arange(len(G)), indexing="ij"))
    proba = clf.predict_proba(np.concatenate([D[di], G[gi]], axis=1))
    # thresholds at the probabilities' quantiles, so that every class occurs
    th = (float(np.quantile(proba[:, 0], 0.7)), float(np.quantile(proba[:, 2], 0.6)))
    dense = decide(proba, *th)
    res = FactorisedTargetScorer.from_classifier(clf).grid(
        D,
        G,
        inhibition_threshold=th[0],
        activation_threshold=th[1],
        precision=precision,
        block_pairs=64,
    )
    got = np.full(len(D) * len(G), NONE)
    got[res.drug_idx * len(G) + res.gene_idx] = res.cls
    assert (dense != NONE).sum() > 0 and {INHIBITION, ACTIVATION} <= set(dense.tolist())
    np.testing.assert_array_equal(got, dense)
    assert res.counts["n_pairs"] == len(D) * len(G)
    assert res.counts["inhibition"] == int((dense == INHIBITION).sum())
    assert res.proba.dtype == np.float32 and np.allclose(res.proba.sum(1), 1, atol=1e-5)


# ---------------------------------------------------------------- fitting


def test_overfits_a_tiny_dataset():
    _, _, X, y, _ = _toy(n_rows=48, seed=1)
    clf = DrugTargetClassifier(
        max_epochs=40, validation_fraction=0, batch_size=48, lr=3e-3, random_state=0, device="cpu"
    )
    clf.fit(X, y)
    assert clf.n_epochs_ == 40
    assert (clf.predict_argmax(X) == y).mean() == 1.0
    assert clf.history_[-1]["train_loss"] < 0.1 * clf.history_[0]["train_loss"]


def test_seeds_reproduce_and_global_rng_untouched():
    _, _, X, y, di = _toy(n_rows=120, seed=2)
    state = torch.get_rng_state()
    a = DrugTargetClassifier(max_epochs=3, random_state=7, device="cpu").fit(X, y, groups=di)
    assert torch.equal(torch.get_rng_state(), state)
    b = DrugTargetClassifier(max_epochs=3, random_state=7, device="cpu").fit(X, y, groups=di)
    c = DrugTargetClassifier(max_epochs=3, random_state=8, device="cpu").fit(X, y, groups=di)
    pa, pb, pc = (m.predict_proba(X) for m in (a, b, c))
    np.testing.assert_array_equal(pa, pb)
    assert [h["val_loss"] for h in a.history_] == [h["val_loss"] for h in b.history_]
    assert not np.allclose(pa, pc)


def test_early_stopping_restores_best_epoch():
    _, _, X, y, di = _toy(n_rows=200, seed=4)  # random labels: validation loss rises soon
    clf = DrugTargetClassifier(max_epochs=60, patience=3, lr=3e-3, random_state=0, device="cpu")
    clf.fit(X, y, groups=di)
    losses = [h["val_loss"] for h in clf.history_]
    assert clf.n_epochs_ < 60
    assert clf.n_epochs_ - clf.best_epoch_ == 3
    assert losses[clf.best_epoch_ - 1] == min(losses)


def test_default_device_fit_and_grid_match_cpu():
    """CUDA when present (CPU otherwise): fit, predict and the grid agree with CPU."""
    D, G, X, y, di = _toy(n_rows=120, seed=6)
    clf = DrugTargetClassifier(max_epochs=2, random_state=0).fit(X, y, groups=di)
    assert clf.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    cpu = DrugTargetClassifier.from_state(clf.state()).set_params(device="cpu")
    np.testing.assert_allclose(clf.predict_proba(X), cpu.predict_proba(X), atol=1e-4)
    a = FactorisedTargetScorer.from_classifier(clf).grid(
        D, G, inhibition_threshold=0.3, activation_threshold=0.3, precision="float32"
    )
    b = FactorisedTargetScorer.from_classifier(cpu).grid(
        D, G, inhibition_threshold=0.3, activation_threshold=0.3, precision="float32"
    )
    assert a.counts["device"] == clf.device_ and b.counts["device"] == "cpu"
    np.testing.assert_allclose(a.proba, b.proba, atol=1e-4)


def test_save_load_round_trip(tmp_path, fitted):
    clf, D, G = fitted
    clf.save(tmp_path / "m.pt")
    back = DrugTargetClassifier.load(tmp_path / "m.pt")
    X = np.concatenate([D[:4], G[:4]], axis=1)
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    assert back.get_params() == clf.get_params()


def test_unfitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DrugTargetClassifier().predict_proba(np.zeros((1, 600)))


# ---------------------------------------------------------------- labels and split


def _dti():
    return pd.DataFrame(
        {
            "chemical_id": ["D1", "D1", "D1", "D2", "D2", "D3", "D4", "D4"],
            "entrez": [1, 2, 3, 1, 4, 5, 6, 6],
            "sign": [-1, -1, 1, 1, 1, -1, 1, -1],  # D4-6 conflicts
            "symbol": list("ABCADEFF"),
            "sources": ["x"] * 8,
        }
    )


def test_build_target_pairs_counts_and_negatives():
    genes = np.arange(1, 41)  # gene 41+ have no vector
    dti = pd.concat([_dti(), pd.DataFrame({"chemical_id": ["D2"], "entrez": [99], "sign": [-1]})])
    drugs = ["D1", "D2", "D4"]  # D3 has no vector
    excl = pd.DataFrame({"chemical_id": ["D1"] * 10, "entrez": list(range(10, 20))})
    res = labels.build_target_pairs(
        dti, drugs, genes, negative_ratio=2, exclude_pairs=excl, random_state=0
    )
    s, t = res.stats, res.table
    assert s["dti_pairs_conflicting_sign"] == 1
    assert s["dti_pairs_no_drug_vector"] == 1 and s["dti_pairs_no_gene_vector"] == 1
    assert s["known_pairs"] == 5 and s["label_counts"] == {
        "inhibition": 2,
        "none": 10,
        "activation": 3,
    }
    neg = t[t["label"] == NONE]
    assert neg.groupby("chemical_id").size().to_dict() == {"D1": 6, "D2": 4}
    known = set(zip(dti["chemical_id"], dti["entrez"], strict=True)) | {
        ("D1", g) for g in range(10, 20)
    }
    assert not any((d, g) in known for d, g in zip(neg["chemical_id"], neg["entrez"], strict=True))
    assert neg["entrez"].isin(genes).all() and not neg.duplicated(["chemical_id", "entrez"]).any()
    again = labels.build_target_pairs(
        dti, drugs, genes, negative_ratio=2, exclude_pairs=excl, random_state=0
    )
    pd.testing.assert_frame_equal(again.table, t)
    other = labels.build_target_pairs(
        dti, drugs, genes, negative_ratio=2, exclude_pairs=excl, random_state=1
    )
    assert not other.table.equals(t)


def test_split_is_drug_disjoint_and_seeded():
    drugs = np.repeat([f"D{i}" for i in range(50)], np.arange(1, 51))
    part = labels.split_by_drug(drugs, (0.7, 0.1, 0.2), random_state=3)
    owners = pd.DataFrame({"d": drugs, "p": part}).groupby("d")["p"].nunique()
    assert (owners == 1).all()
    per_drug = pd.Series(part, index=drugs).groupby(level=0).first().value_counts().to_dict()
    assert per_drug == {"train": 35, "val": 5, "test": 10}
    np.testing.assert_array_equal(
        part, labels.split_by_drug(drugs, (0.7, 0.1, 0.2), random_state=3)
    )
    assert not np.array_equal(part, labels.split_by_drug(drugs, (0.7, 0.1, 0.2), random_state=4))
    with pytest.raises(ValueError):
        labels.split_by_drug(drugs, (0.5, 0.1, 0.1))


def test_classification_summary_hand_computed():
    y = np.array([0, 0, 1, 1, 1, 2])
    p = np.array([0, 1, 1, 1, 2, 2])
    s = metrics.classification_summary(y, p)
    assert s["confusion"] == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]
    assert s["per_class"]["inhibition"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }
    assert s["macro_f1"] == pytest.approx(np.mean([2 / 3, 2 / 3, 2 / 3]))


# ---------------------------------------------------------------- profiles


def test_profiles_known_wins_and_missing_are_reported():
    nodes = np.array([1, 2, 3, 4, 5], np.int64)
    known = pd.DataFrame(
        {"chemical_id": ["A", "A", "B", "C"], "entrez": [1, 2, 9, 3], "sign": [-1, 1, 1, 1]}
    )
    pred = pd.DataFrame(
        {
            "chemical_id": ["A", "A", "E", "F"],
            "entrez": [2, 4, 5, 9],
            "sign": [-1, 1, -1, 1],
            "p_inhibition": [0.9, 0.1, 0.95, 0.0],
            "p_activation": [0.05, 0.6, 0.0, 0.7],
        }
    )
    universe = ["A", "B", "C", "D", "E", "F"]
    emb = ["A", "E", "F", "C"]
    both = seeds.build_profiles("known+predicted", nodes, known, pred, universe, emb)
    assert both.drug_ids.tolist() == ["A", "C", "E"]
    assert both.row("A").tolist() == [-1, 1, 0, 1, 0]  # known +1 beats predicted -1
    assert both.meta["known_predicted_sign_conflicts"] == 1
    t = both.table.set_index(["chemical_id", "entrez"])
    assert t.loc[("A", 2), "source"] == "known" and np.isnan(t.loc[("A", 2), "probability"])
    assert t.loc[("A", 4), "source"] == "predicted" and t.loc[
        ("A", 4), "probability"
    ] == pytest.approx(0.6)
    assert t.loc[("E", 5), "probability"] == pytest.approx(0.95)
    miss = dict(zip(both.missing["chemical_id"], both.missing["reason"], strict=True))
    assert miss == {
        "B": "known targets not in network; no InfoGraph vector",
        "D": "no known signed target; no InfoGraph vector",
        "F": "no known signed target; predicted targets not in network",
    }
    assert both.seeds.dtype == np.int8 and both.seeds.nnz == len(both.table)
    with pytest.raises(UnknownEntityError, match="no known signed target"):
        both.row("D")
    known_only = seeds.build_profiles("known", nodes, known, None, universe, emb)
    assert known_only.drug_ids.tolist() == ["A", "C"] and set(known_only.table["source"]) == {
        "known"
    }
    pred_only = seeds.build_profiles("predicted", nodes, None, pred, universe, emb)
    assert pred_only.row("A").tolist() == [0, -1, 0, 1, 0]
    assert dict(zip(pred_only.missing["chemical_id"], pred_only.missing["reason"], strict=True))[
        "C"
    ] == ("no predicted target")


# ---------------------------------------------------------------- cached pipeline and CLI


def _inputs(seed=0):
    """Synthetic inputs where the sign is learnable from the vectors."""
    rng = np.random.default_rng(seed)
    n_d, n_g = 40, 60
    D = rng.normal(size=(n_d, 300)).astype(np.float32)
    G = rng.normal(size=(n_g, 300)).astype(np.float32)
    drugs = np.array([f"D{i:03d}" for i in range(n_d)])
    genes = np.arange(100, 100 + n_g, dtype=np.int64)
    rows = []
    for i in range(n_d):
        for j in rng.choice(n_g, 4, replace=False):
            rows.append((drugs[i], int(genes[j]), 1 if D[i, 0] * G[j, 0] > 0 else -1))
    dti = pd.DataFrame(rows, columns=["chemical_id", "entrez", "sign"])
    dti["symbol"] = [f"G{g}" for g in dti["entrez"]]
    dti["sources"] = "toy"
    dti = pd.concat(
        [
            dti,
            pd.DataFrame(
                {
                    "chemical_id": ["X1"],
                    "entrez": [101],
                    "sign": [1],
                    "symbol": ["G101"],
                    "sources": ["toy"],
                }
            ),
        ]
    )
    return inputs.TargetInputs(
        drug_embedding=Embedding(drugs, D),
        gene_embedding=Embedding(genes, G),
        dti=dti,
        network_nodes=np.concatenate([genes[10:], [999]]),  # 999 has no vector
        drug_universe=np.concatenate([drugs, ["X1", "X2"]]),
        gene_symbols={int(g): f"G{g}" for g in genes},
    )


TINY = config.TargetConfig(
    hidden=(32, 32), max_epochs=5, patience=2, batch_size=32, logistic_Cs=(1.0,), seed=1
)


def test_fit_targets_is_cached_and_reports(tmp_home):
    inp = _inputs()
    epochs = []
    st = tp.fit_targets(TINY, inp, callbacks=[FunctionCallback(epochs.append)], device="cpu")
    assert len(epochs) == st.report["training"]["epochs"] > 0
    again = tp.fit_targets(TINY, inp, callbacks=[FunctionCallback(epochs.append)])
    assert again.path == st.path and len(epochs) == st.report["training"]["epochs"]  # cache hit
    # thresholds are not part of the model's key
    assert (
        tp.fit_targets(
            config.TargetConfig(**{**TINY.__dict__, "inhibition_threshold": 0.5}), inp
        ).path
        == st.path
    )
    rep = report.target_report(TINY, inp, stage=st)
    assert rep["n_train"] + rep["n_val"] + rep["n_test"] == 3 * 160
    assert rep["labels"]["known_pairs"] == 160 and rep["labels"]["none_pairs"] == 320
    assert (
        sum(map(sum, rep["confusion"]))
        == rep["n_test"]
        == sum(m["support"] for m in rep["per_class"].values())
    )
    assert set(rep["baselines"]) == {"majority", "logistic"}
    assert (
        rep["baselines"]["majority"]["argmax"]["confusion"][1][1]
        == rep["per_class"]["none"]["support"]
    )
    assert rep["grid"] is None
    pairs = st.pairs
    splits = pairs.groupby("chemical_id")["split"].nunique()
    assert (splits == 1).all()
    json.dumps(rep)  # JSON-ready

    pred, info = grid.predicted_targets(TINY, inp, stage=st)
    assert info["n_pairs"] == 40 * 50 and info["network_nodes_without_vector"] == 1
    assert report.target_report(TINY, inp, stage=st)["grid"]["n_pairs"] == 40 * 50
    assert set(pred["sign"]) <= {-1, 1} and pred["entrez"].isin(inp.network_nodes).all()

    prof = seeds.target_profiles("known+predicted", TINY, inp, stage=st)
    assert prof.seeds.shape == (len(prof.drug_ids), 51)
    assert set(prof.missing["chemical_id"]) >= {"X2"}
    assert prof.meta["seeds"] == prof.seeds.nnz


def test_predict_drug_targets(tmp_home):
    inp = _inputs()
    st = tp.fit_targets(TINY, inp)
    res = predict.predict_drug_targets("D000", top=5, config=TINY, inputs=inp, stage=st)
    assert res.has_vector and len(res.predictions) == 5 and res.n_scored == 50
    score = np.maximum(res.predictions["p_inhibition"], res.predictions["p_activation"]).to_numpy()
    assert np.all(np.diff(score) <= 0)
    kd = inp.dti[inp.dti["chemical_id"] == "D000"]
    assert sorted(res.known["entrez"]) == sorted(kd["entrez"])
    in_net = res.known["in_network"].to_numpy()
    assert np.isnan(res.known["p_inhibition"].to_numpy()[~in_net]).all()
    assert not np.isnan(res.known["p_inhibition"].to_numpy()[in_net]).any()
    nov = predict.predict_drug_targets("X1", config=TINY, inputs=inp, stage=st)
    assert not nov.has_vector and nov.predictions.empty and nov.known["entrez"].tolist() == [101]
    with pytest.raises(UnknownEntityError):
        predict.predict_drug_targets("NOPE", config=TINY, inputs=inp, stage=st)


def test_cli_predict_report_and_unknown_drug(tmp_home, monkeypatch, capsys):
    from ddi_core.cli import main as cli
    from ddi_core.data import entities
    from ddi_core.facts import names

    inp = _inputs()
    monkeypatch.setattr(inputs, "load_inputs", lambda cfg=None: inp)
    monkeypatch.setattr(config.TargetConfig, "quick", classmethod(lambda cls, **kw: TINY))

    def resolve(q, **kw):
        if q.upper() in {"D000", "X1"}:
            return q.upper()
        raise UnknownEntityError("drug", q, ["D000"])

    monkeypatch.setattr(names, "resolve_drug", resolve)
    monkeypatch.setattr(
        entities,
        "drugs",
        lambda *a, **k: pd.DataFrame({"chemical_id": ["D000"], "name": ["Zeroin"]}),
    )
    assert (
        cli.main(["targets", "predict", "d000", "--top", "3", "--json", "--preset", "quick"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["drug"] == "D000" and out["name"] == "Zeroin" and len(out["predictions"]) == 3
    assert {"p_inhibition", "p_none", "p_activation", "decision", "known_sign"} <= set(
        out["predictions"][0]
    )
    assert cli.main(["targets", "predict", "X1", "--preset", "quick"]) == 0
    assert "no InfoGraph vector" in capsys.readouterr().out
    assert cli.main(["targets", "report", "--json", "--preset", "quick"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert {"macro_f1", "per_class", "baselines", "n_train", "n_test", "confusion"} <= set(rep)
    assert set(rep["per_class"]["inhibition"]) == {"precision", "recall", "f1", "support"}
    assert "macro_f1" in rep["baselines"]["majority"] and "macro_f1" in rep["baselines"]["logistic"]
    assert cli.main(["targets", "predict", "aspirn", "--preset", "quick"]) == 2
    err = capsys.readouterr().err
    assert "unknown drug: 'aspirn'" in err and "D000" in err
