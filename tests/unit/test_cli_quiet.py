"""The quiet CLI: ``ddi prepare`` names each slow stage once and says nothing of cached ones."""

from __future__ import annotations

import time

from ddi_core.training import stages as training_stages


def test_prepare_builds_the_stages_in_order_and_names_only_the_slow_ones(monkeypatch, capsys):
    import ddi_core.embed.infograph as ig
    import ddi_core.embed.node2vec_stages as n2v
    import ddi_core.models.evidence.tables as tables
    import ddi_core.walk.profiles as profiles
    from ddi_core.models.registry import kind_names, model_kind

    for name in kind_names():  # imported before the patches below, never during them
        model_kind(name)
    calls = []

    def slow_mesh(config, progress):
        calls.append("mesh")
        progress("walks", 0, 1)
        progress("train", 5, 10)
        progress("train", 10, 10)
        progress("done", 1, 1)
        time.sleep(1.1)

    monkeypatch.setattr(n2v, "mesh_embedding", slow_mesh)
    monkeypatch.setattr(ig, "drug_embedding", lambda config, cbs: calls.append("drugs"))
    monkeypatch.setattr(profiles, "drug_profiles", lambda cfg: calls.append("walk"))
    import ddi_core.targets.stage as stage

    monkeypatch.setattr(n2v, "ppi_embedding", lambda config, progress: calls.append("genes"))
    monkeypatch.setattr(stage, "fit_targets", lambda config, callbacks: calls.append("targets"))
    monkeypatch.setattr(tables, "evidence_tables", lambda cfg: calls.append("tables"))
    import ddi_core.targets.grid as grid

    def scoring(config, on_progress):  # the drugs x genes grid reports blocks of drugs
        calls.append("calls")
        assert config.call_rule == "top_k" and config.rank_by == "lift"
        for done in (1000, 2817):
            on_progress(done, 2817)

    monkeypatch.setattr(grid, "predicted_targets", scoring)
    from ddi_core.config.run import preset

    training_stages.build_stages(
        preset("evidence")
    )  # the evidence preset: known seeds, InfoGraph similarity
    assert calls == ["mesh", "drugs", "walk", "tables"]
    err = capsys.readouterr().err.splitlines()
    lines = [ln for ln in err if ln.startswith("[")]
    assert len(lines) == 1 and lines[0].startswith("[1/4] disease embedding (node2vec on MeSH): ")

    calls.clear()
    import tqdm

    bars = []

    class Bar:  # tqdm's bar is off without a terminal: record what it is told instead
        def __init__(self, total=None, desc="", **kw):
            self.total, self.desc, self.n, self.closed = total, desc, 0, False
            bars.append(self)

        def update(self, k):
            self.n += k

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm, "tqdm", Bar)
    training_stages.build_stages(preset("paper"))  # predicted seeds: genes, drugs, classifier
    assert calls == ["mesh", "genes", "drugs", "targets", "calls", "walk"]
    assert "[1/6] disease embedding" in capsys.readouterr().err
    scoring_bars = [b for b in bars if "scoring" in b.desc]  # one bar, filled, closed
    assert [(b.total, b.n, b.closed) for b in scoring_bars] == [(2817, 2817, True)]
    calls.clear()
    training_stages.build_stages(preset("quick"))  # the MLP on known seeds: no InfoGraph
    assert calls == ["mesh", "walk"]
