import pytest

from ddi_core.config import RunConfig, preset


def test_paper_preset_is_the_method():
    c = preset("paper")
    t = c.train
    assert (t.hidden, t.dropout, t.lr, t.weight_decay, t.batch_size, t.patience) == (
        (4096, 1024, 256, 64), 0.5, 1e-4, 1e-5, 256, 10)
    assert t.neg_ratio == 1.0 and t.smote
    assert (c.walk.alpha, c.walk.decay, c.walk.max_steps) == (0.3, 0.95, 15)


def test_quick_keeps_architecture_and_overrides_apply():
    q = preset("quick", seed=7, split="drug", neg_ratio=3, alpha=0.5)
    assert q.train.hidden == preset("paper").train.hidden
    assert q.train.max_epochs < preset("paper").train.max_epochs
    assert (q.seed, q.train.split, q.train.neg_ratio, q.walk.alpha) == (7, "drug", 3, 0.5)


def test_toml_and_dict_round_trip():
    q = preset("quick", seed=3, split="disease")
    assert RunConfig.from_toml(q.to_toml()) == q
    assert RunConfig.from_dict(q.to_dict()) == q


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="bogus"):
        RunConfig.from_dict({"train": {"bogus": 1}})
    with pytest.raises(ValueError, match="unknown preset"):
        preset("fast")
