import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.preprocessing import StandardScaler

from ddi_core.errors import DDIError
from ddi_core.models.mlp.net import build_model
from ddi_core.pairs.features import PairFeatures, PairScaler, constant_mask, standardized_features
from ddi_core.pairs.pairs import Pairs


def _tables(seed=0, n_drugs=7, dd=9, n_dis=5, de=4):
    rng = np.random.default_rng(seed)
    drug = rng.normal(size=(n_drugs, dd)).astype(np.float32)
    drug[rng.random(drug.shape) < 0.5] = 0.0  # sparse-ish
    drug[:, 2] = 0.0  # never reached by any drug
    drug[:, 5] = 3.5  # constant non-zero in every drug
    dis = rng.normal(size=(n_dis, de)).astype(np.float32)
    dis[:, 1] = -2.0
    return drug, dis


def _pairs(seed, n, n_drugs, n_dis):
    rng = np.random.default_rng(seed)
    return Pairs(rng.integers(0, n_drugs, n), rng.integers(0, n_dis, n), rng.integers(0, 2, n))


def _materialise(drug, dis, p):
    d = drug[p.drug].toarray() if sp.issparse(drug) else drug[p.drug]
    return np.hstack([d, dis[p.dis]])


@pytest.mark.parametrize("sparse", [False, True])
def test_scaler_equals_sklearn_on_materialised_training_matrix(sparse):
    drug, dis = _tables()
    p = _pairs(1, 40, len(drug), len(dis))
    X = _materialise(drug, dis, p).astype(np.float64)
    ref = StandardScaler().fit(X)
    table = sp.csr_matrix(drug) if sparse else drug
    sc = PairScaler().fit(table, dis, p.drug, p.dis)
    np.testing.assert_allclose(sc.mean_, ref.mean_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sc.var_, ref.var_, rtol=1e-9, atol=1e-12)  # ddof=0
    np.testing.assert_allclose(sc.scale_, ref.scale_, rtol=1e-9)
    assert np.allclose(sc.var_, X.var(axis=0, ddof=0)) and not np.allclose(
        sc.var_, X.var(axis=0, ddof=1)
    )
    # zero-variance columns get scale 1, exactly like sklearn
    assert sc.scale_[2] == 1.0 and sc.scale_[5] == 1.0 and sc.scale_[9 + 1] == 1.0
    # transformed batches equal sklearn's transform of the materialised test pairs
    f = PairFeatures(table, dis, scaler=sc, device="cpu")
    q = _pairs(2, 25, len(drug), len(dis))
    got = f.batch(q.drug, q.dis).numpy()
    np.testing.assert_allclose(got, ref.transform(_materialise(drug, dis, q)), rtol=1e-5, atol=1e-5)


def test_scaler_weights_repeated_pairs_and_ignores_unseen_rows():
    drug, dis = _tables()
    # drug 0 appears three times, drug 6 never: its row must not move the mean
    p = Pairs([0, 0, 0, 1], [0, 1, 2, 3], [1, 0, 1, 0])
    sc = PairScaler().fit(drug, dis, p.drug, p.dis)
    np.testing.assert_allclose(sc.drug_mean_, (3 * drug[0] + drug[1]) / 4, rtol=1e-6)
    drug2 = drug.copy()
    drug2[6] += 100.0
    sc2 = PairScaler().fit(drug2, dis, p.drug, p.dis)
    np.testing.assert_array_equal(sc.mean_, sc2.mean_)
    assert sc.fitted_on(p.drug, p.dis) and not sc.fitted_on(p.drug[:3], p.dis[:3])


def test_constant_mask_uses_the_whole_table_dense_and_sparse():
    drug, dis = _tables()
    m = constant_mask(drug)
    assert m.tolist() == [j in (2, 5) for j in range(drug.shape[1])]
    np.testing.assert_array_equal(constant_mask(sp.csr_matrix(drug)), m)
    assert constant_mask(dis).tolist() == [False, True, False, False]
    # a column constant on most rows but not all is kept
    drug[3, 5] = 1.0
    assert not constant_mask(drug)[5] and not constant_mask(sp.csr_matrix(drug))[5]


def _copy_first_layer(full, dropped, keep_cols):
    with torch.no_grad():
        for (n, a), (_, b) in zip(
            full.state_dict().items(), dropped.state_dict().items(), strict=True
        ):
            b.copy_(a[:, keep_cols] if n == "net.0.weight" else a)


def test_dropping_table_constant_columns_leaves_predictions_unchanged():
    drug, dis = _tables(n_drugs=12)
    train = _pairs(3, 30, 12, 5)
    test = _pairs(4, 50, 12, 5)
    full = standardized_features(drug, dis, train, drop_constant=False, device="cpu")
    small = standardized_features(drug, dis, train, drop_constant=True, device="cpu")
    assert (full.dim, small.dim) == (13, 10)
    keep = np.concatenate([~constant_mask(drug), ~constant_mask(dis)])
    m_full = build_model(full.dim, {"hidden": [16, 8]}, seed=0).eval()
    m_small = build_model(small.dim, {"hidden": [16, 8]}, seed=1).eval()
    _copy_first_layer(m_full, m_small, np.flatnonzero(keep))
    xf = full.batch(test.drug, test.dis)
    assert torch.all(xf[:, ~torch.as_tensor(keep)] == 0)  # exactly 0 for every pair, train or test
    with torch.no_grad():
        torch.testing.assert_close(
            m_small(small.batch(test.drug, test.dis)), m_full(xf), rtol=0, atol=1e-6
        )


def test_dropping_a_column_constant_only_on_training_drugs_would_change_test_predictions():
    drug, dis = _tables(n_drugs=12)
    drug[:, 0] = 0.0
    drug[11, 0] = 5.0  # only drug 11 (a test drug) reaches gene 0
    train = Pairs(np.arange(10).repeat(2), np.tile([0, 1], 10), np.tile([1, 0], 10))
    assert not constant_mask(drug)[0]  # kept: decided on the whole table
    f = standardized_features(drug, dis, train, device="cpu")
    x_train = f.batch(train.drug, train.dis)
    x_test = f.batch([11], [0])
    assert torch.all(x_train[:, 0] == 0) and x_test[0, 0] == 5.0
    m = build_model(f.dim, {"hidden": [8]}, seed=0).eval()
    with torch.no_grad():
        x_drop = x_test.clone()
        x_drop[:, 0] = 0.0
        assert not torch.allclose(m(x_test), m(x_drop))


def test_batches_never_materialise_more_than_the_tables_and_match_rows():
    drug, dis = _tables()
    f = PairFeatures(sp.csr_matrix(drug), dis, device="cpu")
    x = f.batch(np.array([3, 0]), np.array([4, 4]))
    np.testing.assert_array_equal(x.numpy(), np.hstack([drug[[3, 0]], dis[[4, 4]]]))
    td, ts = f.tables()
    assert td.shape == drug.shape and ts.shape == dis.shape


def test_pairs_validate_lengths():
    with pytest.raises(DDIError, match="mismatched"):
        Pairs([0, 1], [0], [1, 0])
