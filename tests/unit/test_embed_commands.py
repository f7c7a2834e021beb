"""``ddi embed`` CLI wiring (heavy stages patched out)."""

from __future__ import annotations

import json
import types

import numpy as np
import pytest

from ddi_core.cli import main as cli
from ddi_core.embed import evaluate_embeddings, node2vec_stages
from ddi_core.embed.store import Embedding
from ddi_core.fitloop import EpochReport, FitCallback


@pytest.fixture
def patched(monkeypatch, tmp_home):
    def ppi(cfg=None, progress=None, *, force=False):
        progress("walks", 0, 2)
        return Embedding(
            np.arange(3),
            np.zeros((3, cfg.node2vec.dim), np.float32),
            {"edges": 2, "seconds": 3.0, "walk_seconds": 1.0, "train_seconds": 2.0},
        )

    def mesh(cfg=None, progress=None, *, force=False):
        meta = {
            "edges": 1,
            "seconds": 1.0,
            "walk_seconds": 0.1,
            "train_seconds": 0.9,
            "network": {
                "ctd_diseases": 5,
                "ctd_diseases_covered": 4,
                "ctd_uncovered": 1,
                "ctd_uncovered_ids": ["C1"],
            },
            "coherence": {"parent_child_cos": 0.7, "random_cos": 0.1, "mannwhitney_p": 1e-9},
        }
        return Embedding(np.array(["D1", "D2"]), np.zeros((2, 300), np.float32), meta)

    monkeypatch.setattr(node2vec_stages, "ppi_embedding", ppi)
    monkeypatch.setattr(node2vec_stages, "mesh_embedding", mesh)
    monkeypatch.setattr(
        evaluate_embeddings,
        "ppi_link_prediction",
        lambda cfg=None, progress=None, force=False: {"auroc": 0.93},
    )


def test_embed_ppi_mesh_json(patched, capsys):
    assert cli.main(["embed", "ppi", "--json", "--quick"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ppi"]["dim"] == 64  # --quick
    assert out["ppi"]["linkpred_auroc"] == 0.93
    assert out["ppi"]["walk_seconds"] == 1.0 and out["ppi"]["nodes"] == 3
    assert cli.main(["embed", "mesh", "--json"]) == 0
    cap = capsys.readouterr()
    m = json.loads(cap.out)["mesh"]
    assert m["ctd_diseases_covered"] == 4 and m["parent_child_cos"] == 0.7
    assert "ctd_uncovered_ids" not in m
    assert "[mesh] start" in cap.err


def test_embed_no_eval_skips_link_prediction(patched, capsys, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("link prediction must not run")

    monkeypatch.setattr(evaluate_embeddings, "ppi_link_prediction", boom)
    assert cli.main(["embed", "ppi", "--no-eval"]) == 0
    assert "AUROC None" in capsys.readouterr().out


def test_embed_drugs_uses_infograph_report(patched, capsys, monkeypatch):
    fake = types.ModuleType("ddi_core.embed.infograph")

    class Cfg:
        @classmethod
        def quick(cls):
            return cls()

    calls = []
    fake.InfoGraphConfig = Cfg

    def drug_embedding(cfg, callbacks):
        rep = EpochReport(
            epoch=0,
            max_epochs=2,
            train_loss=0.5,
            val_loss=None,
            best_epoch=-1,
            best_val_loss=float("inf"),
            seconds=1.0,
            eta_seconds=1.0,
        )
        for cb in callbacks:
            assert isinstance(cb, FitCallback)
            calls.append(cb.on_epoch(rep))

    fake.drug_embedding = drug_embedding
    report = types.ModuleType("ddi_core.embed.infograph_report")
    report.drug_embedding_report = lambda cfg: {
        "n": 10,
        "dim": 300,
        "seconds": 5.0,
        "tanimoto_spearman": 0.4,
        "parse_failures": 1,
    }
    from ddi_core.cli import embed as cli_embed

    monkeypatch.setattr(cli_embed, "infograph", fake)
    monkeypatch.setattr(cli_embed, "drug_embedding_report", report.drug_embedding_report)
    assert cli.main(["embed", "drugs", "--json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["drugs"]["tanimoto_spearman"] == 0.4
    assert "[drugs] start" in cap.err and calls == [None]  # the InfoGraph bar heard the epoch
