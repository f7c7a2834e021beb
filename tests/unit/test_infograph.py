"""InfoGraph: message passing, JSD objective, training, encoder API and cache."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ddi_core.embed import infograph as ig
from ddi_core.embed import infograph_model as igm
from ddi_core.embed import infograph_report as igr
from ddi_core.embed.molgraph import ATOM_DIM, collate, featurise
from ddi_core.errors import SmilesError
from ddi_core.fitloop import FunctionCallback

SMALL = [
    "CCO",
    "c1ccccc1",
    "CC(=O)Oc1ccccc1C(=O)O",
    "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
    "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
    "C1CCCCC1N",
    "OC(=O)CCC(=O)O",
    "c1ccc2ccccc2c1",
    "CCN(CC)CC",
    "ClC(Cl)Cl",
]
TINY = dict(hidden=16, layers=3, batch_size=4, num_threads=1, device="cpu")


@pytest.fixture(scope="module")
def graphs():
    return [featurise(s) for s in SMALL]


def test_gin_layer_matches_dense_adjacency():
    torch.manual_seed(0)
    layer = igm.GINLayer(5, 7, edge_dim=None)
    g = featurise("CC(C)O")  # isobutanol-like star: centre atom 1
    b = collate([g])
    x = torch.randn(4, 5)
    adj = torch.zeros(4, 4)
    adj[b.edge_index[1], b.edge_index[0]] = 1.0  # adj[dst, src]
    expected = layer.mlp(x + adj @ x)
    got = layer(x, b.edge_index, None)
    torch.testing.assert_close(got, expected)


def test_encoder_shapes_and_sum_pooling(graphs):
    model = ig.build_model(ig.InfoGraphConfig(hidden=10, layers=3))
    b = collate(graphs[:3])
    model.eval()
    with torch.no_grad():
        g, n = model.encoder(b)
    assert g.shape == (3, 30) and n.shape == (b.x.shape[0], 30)
    for k in range(3):
        torch.testing.assert_close(g[k], n[b.batch == k].sum(0))


def test_default_dim_is_300():
    cfg = ig.InfoGraphConfig()
    assert cfg.dim == 300
    assert ig.build_model(cfg).dim == 300


def test_jsd_loss_bounds():
    batch = torch.tensor([0, 0, 1, 2])
    # uninformative scores (all zero): E_pos = E_neg = 0
    zero = igm.jsd_local_global_loss(torch.zeros(4, 3), torch.zeros(3, 3), batch)
    assert zero.item() == pytest.approx(0.0, abs=1e-7)
    # perfect discrimination: +big for own graph, -big otherwise -> -2 log 2
    nodes = 50.0 * (2 * torch.nn.functional.one_hot(batch, 3).float() - 1)
    graphs = torch.eye(3)
    best = igm.jsd_local_global_loss(nodes, graphs, batch)
    assert best.item() == pytest.approx(-2 * math.log(2), abs=1e-6)
    # reversed scores are penalised
    worst = igm.jsd_local_global_loss(-nodes, graphs, batch)
    assert worst.item() > 40
    with pytest.raises(ValueError):
        igm.jsd_local_global_loss(torch.zeros(2, 3), torch.zeros(1, 3), torch.tensor([0, 0]))


def test_batches_never_leave_a_single_graph():
    assert ig._batches(list(range(9)), 4) == [[0, 1, 2, 3], [4, 5, 6, 7, 8]]
    assert ig._batches(list(range(8)), 4) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_embedding_is_atom_order_invariant():
    model = ig.build_model(ig.InfoGraphConfig(hidden=8))
    a = ig.embed_graphs(model, [featurise("OCC(N)c1ccccc1")])
    b = ig.embed_graphs(model, [featurise("c1ccc(cc1)C(N)CO")])
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_loss_decreases_on_tiny_set(graphs):
    cfg = ig.InfoGraphConfig(epochs=40, lr=3e-3, **TINY)
    seen = []
    _, log = ig.train_infograph(
        graphs,
        cfg,
        callbacks=[FunctionCallback(lambda r: seen.append((r.epoch + 1, r.max_epochs)))],
    )
    assert seen == [(e, 40) for e in range(1, 41)]
    curve = log.loss_curve
    assert len(curve) == 40 and all(math.isfinite(v) for v in curve)
    # the JSD bound is -2 log 2 = -1.386; starts far above, ends near it
    assert curve[0] > 1.0
    assert np.mean(curve[-5:]) < 0.0
    assert np.mean(curve[-5:]) < curve[0] - 1.0


def test_prior_term_trains(graphs):
    cfg = ig.InfoGraphConfig(epochs=3, prior=True, **TINY)
    model, log = ig.train_infograph(graphs, cfg)
    assert model.prior_d is not None and all(math.isfinite(v) for v in log.loss_curve)


def test_seed_reproduces_embeddings_on_cpu(graphs):
    cfg = ig.InfoGraphConfig(epochs=3, seed=7, **TINY)
    m1, l1 = ig.train_infograph(graphs, cfg)
    m2, l2 = ig.train_infograph(graphs, cfg)
    m3, _ = ig.train_infograph(graphs, ig.InfoGraphConfig(epochs=3, seed=8, **TINY))
    e1, e2, e3 = (ig.embed_graphs(m, graphs) for m in (m1, m2, m3))
    assert l1.loss_curve == l2.loss_curve
    np.testing.assert_array_equal(e1, e2)
    assert not np.allclose(e1, e3)


def test_training_leaves_global_rng_and_threads_alone(graphs):
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ig.train_infograph(graphs, ig.InfoGraphConfig(epochs=1, **TINY))
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_encoder_save_load_and_new_smiles(graphs, tmp_path):
    model, _ = ig.train_infograph(graphs, ig.InfoGraphConfig(epochs=2, **TINY))
    enc = ig.DrugEncoder(model)
    path = tmp_path / "enc.pt"
    enc.save(path)
    enc2 = ig.DrugEncoder.load(path, device="cpu")
    v = enc2.embed("CC(=O)Nc1ccc(O)cc1")
    assert v.shape == (48,) and v.dtype == np.float32
    np.testing.assert_allclose(v, enc.embed("CC(=O)Nc1ccc(O)cc1"), rtol=1e-6, atol=1e-6)
    # a molecule embedded alone equals its row in a batch (eval mode)
    batch = ig.embed_graphs(model, graphs)
    np.testing.assert_allclose(enc2.embed(SMALL[2]), batch[2], rtol=1e-4, atol=1e-4)
    with pytest.raises(SmilesError):
        enc2.embed("not a smiles(")
    ids, vec, fails = enc2.embed_many(["CCO", "C1CC", "CCN"], ids=["x", "y", "z"])
    assert ids == ["x", "z"] and vec.shape == (2, 48)
    assert fails == [("y", "C1CC", "SMILES syntax error")]


def test_random_pairs():
    i, j = igr.random_pairs(5, 1000, seed=3)
    assert (i != j).all() and i.max() == 4 and j.max() == 4 and i.min() == 0
    i2, j2 = igr.random_pairs(5, 1000, seed=3)
    assert (i == i2).all() and (j == j2).all()


def test_tanimoto_spearman_on_fingerprints_themselves():
    smiles = ["C" * k for k in range(1, 9)] + ["c1ccccc1" + "C" * k for k in range(8)]
    smiles += ["CCO", "CC(=O)O", "c1ccncc1", "CCN(CC)CC", "OC(=O)CCC(=O)O"]
    fp = igr.morgan_bits(smiles)
    assert fp.shape == (21, 2048) and fp[0].sum() == 1  # methane: one radius-0 bit
    # cosine of the fingerprint bits is nearly a monotone function of their Tanimoto
    rho, p = igr.tanimoto_cosine_spearman(fp.astype(float), smiles, n_pairs=2000, seed=0)
    assert rho > 0.95 and p < 1e-100
    # vectors that ignore structure do not track it (alternating sign: cos = +-1)
    sign = np.where(np.arange(21) % 2 == 0, 1.0, -1.0)[:, None]
    rho0, _ = igr.tanimoto_cosine_spearman(sign, smiles, n_pairs=2000, seed=0)
    assert abs(rho0) < 0.2


def test_input_hash_is_order_independent_and_content_sensitive():
    h = ig.input_hash(["a", "b"], ["CCO", None])
    assert h == ig.input_hash(["b", "a"], [None, "CCO"])
    assert h != ig.input_hash(["a", "b"], ["CCO", "C"])


def test_drug_embedding_cached(tmp_home):
    ids = [f"D{k:03d}" for k in range(len(SMALL))] + ["BAD", "NONE"]
    smiles = SMALL + ["C1CC", None]
    cfg = ig.InfoGraphConfig(epochs=2, **TINY)
    calls = []
    emb = ig.drug_embedding(cfg, callbacks=[FunctionCallback(calls.append)], table=(ids, smiles))
    assert len(calls) == 2
    assert emb.ids.tolist() == ids[: len(SMALL)]
    assert emb.vectors.shape == (len(SMALL), 48) and emb.vectors.dtype == np.float32
    m = emb.meta
    assert m["epochs"] == 2 and len(m["loss_curve"]) == 2 and m["seconds"] > 0
    assert m["parse_failures"] == [["BAD", "C1CC", "SMILES syntax error"]]
    assert m["n_without_smiles"] == 1 and m["n_inputs"] == 12
    # second call: a cache hit (no training epoch reported, identical)
    again = ig.drug_embedding(cfg, callbacks=[FunctionCallback(calls.append)], table=(ids, smiles))
    assert len(calls) == 2
    np.testing.assert_array_equal(again.vectors, emb.vectors)
    # runtime-only fields do not change the key
    ig.drug_embedding(
        ig.InfoGraphConfig(epochs=2, **{**TINY, "num_threads": 2}), table=(ids, smiles)
    )
    assert len(calls) == 2
    # the cached encoder embeds a known drug to its stored vector
    enc = ig.drug_encoder(cfg, table=(ids, smiles))
    np.testing.assert_allclose(enc.embed(SMALL[3]), emb.vectors[3], rtol=1e-4, atol=1e-4)
    rep = igr.drug_embedding_report(cfg, table=(ids, smiles), n_pairs=200)
    assert rep["n"] == len(SMALL) and rep["dim"] == 48 and rep["parse_failures"] == 1
    assert -1 <= rep["tanimoto_spearman"] <= 1 and 0 <= rep["tanimoto_p"] <= 1


def test_max_molecules_subset(tmp_home):
    ids = [f"D{k:03d}" for k in range(len(SMALL))]
    cfg = ig.InfoGraphConfig(epochs=1, max_molecules=4, **TINY)
    emb = ig.drug_embedding(cfg, table=(ids, SMALL))
    assert len(emb) == 4 and set(emb.ids.tolist()) <= set(ids)
    assert emb.vectors.shape[1] == 48 and ATOM_DIM == emb.meta["hparams"]["in_dim"]
