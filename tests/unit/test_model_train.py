import threading

import numpy as np
import pytest
import torch
from torch import nn

from ddi_core.errors import DDIError
from ddi_core.fitloop import FitCallback
from ddi_core.models.evaluate import ModelScorer
from ddi_core.models.mlp.net import PAPER_HPARAMS, build_model
from ddi_core.models.mlp.train import TrainLoopConfig, history_row, train
from ddi_core.pairs.features import PairFeatures, PairScaler, standardized_features
from ddi_core.pairs.pairs import Pairs

SMALL = {"hidden": [64, 32], "dropout": 0.5}


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models run far faster on one thread when the shared cores are busy."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _problem(seed=0, n_drugs=16, n_dis=12, n_train=64, n_val=48, pos_frac=0.5):
    """Labels depend on the drug and disease vectors (learnable)."""
    rng = np.random.default_rng(seed)
    drug = rng.normal(size=(n_drugs, 10)).astype(np.float32)
    dis = rng.normal(size=(n_dis, 6)).astype(np.float32)
    keys = rng.choice(n_drugs * n_dis, n_train + n_val, replace=False)
    d, s = np.divmod(keys, n_dis)
    score = drug[d, 0] * dis[s, 0] + drug[d, 1]
    y = (score > np.quantile(score, 1 - pos_frac)).astype(np.float32)
    tr = Pairs(d[:n_train], s[:n_train], y[:n_train])
    va = Pairs(d[n_train:], s[n_train:], y[n_train:])
    return drug, dis, tr, va


class Recorder(FitCallback):
    def __init__(self, model=None, cancel_at=None, event=None):
        self.batches, self.epochs, self.states = [], [], []
        self.model, self.cancel_at, self.event = model, cancel_at, event

    def on_batch(self, epoch, batch, n_batches, loss):
        self.batches.append((epoch, batch, n_batches, loss))
        if self.cancel_at == (epoch, batch):
            self.event.set()

    def on_epoch(self, report):
        self.epochs.append((report.epoch, history_row(report)))
        if self.model is not None:
            self.states.append({k: v.clone() for k, v in self.model.state_dict().items()})


def test_model_is_the_papers_mlp_and_hparams_rebuild_it():
    m = build_model(100, seed=0)
    linears = [x for x in m.modules() if isinstance(x, nn.Linear)]
    assert [(x.in_features, x.out_features) for x in linears] == [
        (100, 4096),
        (4096, 1024),
        (1024, 256),
        (256, 64),
        (64, 1),
    ]
    drops = [x for x in m.modules() if isinstance(x, nn.Dropout)]
    relus = [x for x in m.modules() if isinstance(x, nn.ReLU)]
    assert len(drops) == len(relus) == 4 and all(x.p == 0.5 for x in drops)
    assert m.hparams == {"in_dim": 100, **PAPER_HPARAMS}
    m2 = build_model(m.hparams["in_dim"], m.hparams, seed=0)
    assert all(
        torch.equal(a, b)
        for a, b in zip(m.state_dict().values(), m2.state_dict().values(), strict=True)
    )
    m3 = build_model(100, seed=1)
    assert not torch.equal(m.first.weight, m3.first.weight)
    assert m.eval()(torch.zeros(3, 100)).shape == (3,)
    with pytest.raises(ValueError, match="unknown"):
        build_model(10, {"width": 3})


def test_build_model_does_not_touch_the_global_rng():
    state = torch.get_rng_state()
    build_model(20, SMALL, seed=3)
    assert torch.equal(state, torch.get_rng_state())


def test_overfits_a_tiny_dataset():
    drug, dis, tr, va = _problem(0, n_train=64)
    f = standardized_features(drug, dis, tr, device="cpu")
    m = build_model(f.dim, {"hidden": [256, 128, 64, 32]}, seed=0)
    cfg = TrainLoopConfig(max_epochs=60, patience=1000, lr=3e-3, batch_size=16, smote=False)
    res = train(m, tr, tr, f, cfg, device="cpu")  # validate on the training pairs themselves
    assert res.status == "completed" and res.epochs_run == 60
    assert res.history[0]["train_acc"] < 0.8
    p = ModelScorer(m, f).score_pairs(tr.drug, tr.dis)
    assert np.mean((p >= 0.5) == (tr.y == 1)) == 1.0
    assert res.history[-1]["train_acc"] > 0.95 and res.best_val_loss < 0.01


def test_early_stopping_restores_the_best_weights():
    drug, dis, tr, va = _problem(1, n_train=64, n_val=48)
    va = Pairs(va.drug, va.dis, 1 - va.y)  # anti-correlated validation: loss rises as it learns
    f = standardized_features(drug, dis, tr, device="cpu")
    m = build_model(f.dim, SMALL, seed=0)
    rec = Recorder(model=m)
    cfg = TrainLoopConfig(max_epochs=200, patience=4, lr=3e-3, batch_size=16, smote=False)
    res = train(m, tr, va, f, cfg, callbacks=[rec], device="cpu")
    assert res.status == "early_stopped"
    losses = [h["val_loss"] for h in res.history]
    assert res.best_epoch == int(np.argmin(losses)) and res.epochs_run == res.best_epoch + 4 + 1
    assert res.best_epoch < res.epochs_run - 1  # the last weights are not the best ones
    best = rec.states[res.best_epoch]
    assert all(torch.equal(v, best[k]) for k, v in m.state_dict().items())
    assert not all(torch.equal(v, rec.states[-1][k]) for k, v in m.state_dict().items())
    # eval of the restored model reproduces the best validation loss
    p = ModelScorer(m, f).score_pairs(va.drug, va.dis)
    bce = -np.mean(va.y * np.log(p) + (1 - va.y) * np.log(1 - p))
    assert bce == pytest.approx(res.best_val_loss, rel=1e-4)


def test_same_seeds_same_metrics_and_no_global_rng_side_effect():
    drug, dis, tr, va = _problem(2, n_train=96, pos_frac=0.3)
    f = standardized_features(drug, dis, tr, device="cpu")
    cfg = TrainLoopConfig(
        max_epochs=4,
        patience=10,
        lr=1e-3,
        batch_size=32,
        shuffle_seed=1,
        dropout_seed=2,
        smote_seed=3,
    )

    def run(c):
        state = torch.get_rng_state()
        r = train(build_model(f.dim, SMALL, seed=5), tr, va, f, c, device="cpu")
        assert torch.equal(state, torch.get_rng_state())
        return r

    a, b = run(cfg), run(cfg)
    assert a.n_synthetic > 0  # 30% positives: SMOTE adds training samples
    keys = ["train_loss", "val_loss", "train_acc", "val_acc"]
    assert [[h[k] for k in keys] for h in a.history] == [[h[k] for k in keys] for h in b.history]
    c = run(TrainLoopConfig(**{**cfg.__dict__, "dropout_seed": 9}))
    assert [h["train_loss"] for h in a.history] != [h["train_loss"] for h in c.history]


def test_smote_samples_only_in_training_batches():
    drug, dis, tr, va = _problem(3, n_train=80, pos_frac=0.25)
    f = standardized_features(drug, dis, tr, device="cpu")
    rec = Recorder()
    cfg = TrainLoopConfig(max_epochs=1, batch_size=16, smote=True, smote_k=3)
    res = train(build_model(f.dim, SMALL, seed=0), tr, va, f, cfg, callbacks=[rec], device="cpu")
    n_pos = int(tr.y.sum())
    assert res.n_synthetic == (80 - n_pos) - n_pos and res.n_val == len(va)
    assert rec.batches[0][2] == int(np.ceil((80 + res.n_synthetic) / 16))


def test_cancellation_between_batches_keeps_best_weights():
    drug, dis, tr, va = _problem(4)
    f = standardized_features(drug, dis, tr, device="cpu")
    m = build_model(f.dim, SMALL, seed=0)
    ev = threading.Event()
    rec = Recorder(model=m, cancel_at=(1, 0), event=ev)
    cfg = TrainLoopConfig(max_epochs=50, batch_size=16, smote=False)
    res = train(m, tr, va, f, cfg, callbacks=[rec], should_stop=ev.is_set, device="cpu")
    assert res.status == "cancelled" and res.epochs_run == 1 and res.best_epoch == 0
    assert rec.batches[-1][:2] == (1, 0)  # stopped right after the batch that set the event
    assert all(torch.equal(v, rec.states[0][k]) for k, v in m.state_dict().items())


def test_epoch_callback_metrics_and_eta():
    drug, dis, tr, va = _problem(5)
    f = standardized_features(drug, dis, tr, device="cpu")
    rec = Recorder()
    train(
        build_model(f.dim, SMALL, seed=0),
        tr,
        va,
        f,
        TrainLoopConfig(max_epochs=3, smote=False),
        callbacks=[rec],
        device="cpu",
    )
    assert [e for e, _ in rec.epochs] == [0, 1, 2]
    for _e, mtr in rec.epochs:
        assert {"train_loss", "val_loss", "train_acc", "val_acc", "eta_seconds"} <= set(mtr)
        assert 0 <= mtr["val_acc"] <= 1 and mtr["eta_seconds"] >= 0
    assert rec.epochs[-1][1]["eta_seconds"] == 0.0


def test_refuses_a_scaler_fitted_on_other_pairs():
    drug, dis, tr, va = _problem(6)
    leaky = PairScaler().fit(drug, dis, np.r_[tr.drug, va.drug], np.r_[tr.dis, va.dis])
    f = PairFeatures(drug, dis, scaler=leaky, device="cpu")
    with pytest.raises(DDIError, match="not fitted on exactly"):
        train(build_model(f.dim, SMALL), tr, va, f, TrainLoopConfig(max_epochs=1), device="cpu")


def test_loop_config_takes_the_shared_fields_of_the_run_config():
    from ddi_core.config.run import preset

    q = preset("quick").train
    c = TrainLoopConfig.from_train_config(q, shuffle_seed=4)
    assert (c.lr, c.weight_decay, c.batch_size, c.max_epochs, c.patience, c.smote) == (
        1e-4,
        1e-5,
        256,
        q.max_epochs,
        q.patience,
        True,
    )
    assert c.shuffle_seed == 4 and c.dropout_seed == 0
