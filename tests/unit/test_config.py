import pytest

from ddi_core.config.run import RunConfig, preset


def test_paper_preset_is_the_method():
    c = preset("paper")
    t = c.train
    assert (t.hidden, t.dropout, t.lr, t.weight_decay, t.batch_size, t.patience) == (
        (4096, 1024, 256, 64),
        0.5,
        1e-4,
        1e-5,
        256,
        10,
    )
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
    e = preset("evidence", seed=2, population="paper", drug_sims=("targets",))
    assert e.train.rank_eval_drugs is None  # every test drug is ranked
    assert RunConfig.from_toml(e.to_toml()) == e
    assert RunConfig.from_dict(e.to_dict()) == e


def test_evidence_preset_and_old_records():
    e = preset("evidence", split="drug", oof_folds=3)
    assert (e.model, e.train.split, e.evidence.oof_folds) == ("evidence", "drug", 3)
    assert e.train.neg_ratio == preset("paper").train.neg_ratio  # the MLP's split protocol
    # a run record written before the evidence model loads as an MLP run
    old = preset("paper").to_dict()
    del old["model"], old["evidence"]
    assert RunConfig.from_dict(old).model == "mlp"


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="bogus"):
        RunConfig.from_dict({"train": {"bogus": 1}})
    with pytest.raises(ValueError, match="preset = 'fast': must be one of 'evidence'"):
        preset("fast")


def test_settings_read_each_value_by_its_field_type_and_name_what_is_wrong():
    from ddi_core.config.checks import ConfigError
    from ddi_core.config.settings import with_settings

    cfg = with_settings(
        preset("quick"),
        [
            "train.max_epochs=3",
            "train.split=drug",
            "seed=4",
            "walk.include_phy=true",
            "evidence.ease_lambdas=10, 100",
            "train.max_train_pairs=none",
            "model=popularity",
            "train.max_epochs=5",  # later ones win
        ],
    )
    assert (cfg.train.max_epochs, cfg.train.split, cfg.seed, cfg.walk.include_phy) == (
        5,
        "drug",
        4,
        True,
    )
    assert cfg.evidence.ease_lambdas == (10.0, 100.0) and cfg.train.max_train_pairs is None
    assert cfg.model == "popularity" and cfg.preset == "quick"
    assert with_settings(cfg, {"seed": 9}).seed == 9  # values already typed
    for bad, says in [
        ("train.max_epochs=0", "train.max_epochs = 0: must be a whole number ≥ 1"),
        ("train.nope=1", "train.nope = '': no such setting; one of batch_size"),
        ("foo.x=1", "the section must be one of walk, train, evidence"),
        ("train.split=sideways", "must be one of 'random', 'drug', 'disease'"),
        ("noequals", "a setting is section.key=value"),
        ("walk.alpha=abc", "walk.alpha = 'abc': must be a finite number"),
        ("walk.include_phy=maybe", "must be true or false"),
        ("preset=fast", "preset = 'fast': must be one of"),
    ]:
        with pytest.raises(ConfigError) as err:
            with_settings(preset("quick"), [bad])
        assert says in str(err.value), (bad, str(err.value))


def test_every_preset_is_named_once_and_builds_its_own_config():
    from ddi_core.config.run import PRESETS
    from ddi_core.models.registry import kind_names

    for name, spec in PRESETS.items():
        cfg = preset(name)
        assert cfg.preset == name and cfg.model in kind_names() and spec.description
