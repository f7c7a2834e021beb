import numpy as np
import pytest
from imblearn.over_sampling import SMOTE

from ddi_core.errors import DDIError
from ddi_core.pairs.features import standardized_features
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.smote import PairSMOTE, squared_distances


def _problem(seed=0, n_pos=30, n_neg=80, n_drugs=15, n_dis=12):
    rng = np.random.default_rng(seed)
    drug = rng.normal(size=(n_drugs, 6)).astype(np.float32)
    dis = rng.normal(size=(n_dis, 4)).astype(np.float32)
    keys = rng.choice(n_drugs * n_dis, n_pos + n_neg, replace=False)
    d, s = np.divmod(keys, n_dis)
    y = np.r_[np.ones(n_pos), np.zeros(n_neg)]
    perm = rng.permutation(len(y))
    pairs = Pairs(d[perm], s[perm], y[perm])
    feats = standardized_features(drug, dis, pairs, drop_constant=False, device="cpu")
    return pairs, feats


def _imblearn(pairs, feats, k, seed):
    X = feats.batch(pairs.drug, pairs.dis).numpy().astype(np.float64)
    sm = SMOTE(k_neighbors=k, random_state=seed)
    Xr, yr = sm.fit_resample(X, pairs.y)
    X_min = X[pairs.y == 1]
    nns = sm.nn_k_.kneighbors(X_min, return_distance=False)[:, 1:]
    return X, Xr[len(X) :], yr[len(X) :], nns


@pytest.mark.parametrize("k,seed", [(5, 0), (3, 42)])
def test_matches_imblearn_exactly(k, seed):
    pairs, feats = _problem(seed)
    X, X_syn_ref, y_syn_ref, nns_ref = _imblearn(pairs, feats, k, seed)
    sm = PairSMOTE(k_neighbors=k, random_state=seed)
    syn = sm.fit_generate(pairs, feats)
    # same count as imblearn's sampling_strategy='auto' (minority up to majority)
    assert len(syn) == len(y_syn_ref) == 80 - 30
    assert np.all(syn.y == 1) and np.all(y_syn_ref == 1)
    # same neighbours, in the same order (nearest first)
    np.testing.assert_array_equal(sm.nn_, nns_ref)
    # same draws: the synthetic points are identical
    got = feats.batch_synthetic(syn).numpy()
    np.testing.assert_allclose(got, X_syn_ref, rtol=1e-5, atol=1e-5)


def test_synthetic_points_lie_on_segments_to_k_nearest_minority_neighbours():
    pairs, feats = _problem(3)
    k = 4
    syn = PairSMOTE(k_neighbors=k, random_state=7).fit_generate(pairs, feats)
    pos = np.flatnonzero(pairs.y == 1)
    X_min = feats.batch(pairs.drug[pos], pairs.dis[pos]).numpy().astype(np.float64)
    D = ((X_min[:, None] - X_min[None]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    knn = np.argsort(D, axis=1)[:, :k]
    key = {(int(pairs.drug[i]), int(pairs.dis[i])): j for j, i in enumerate(pos)}
    a = np.array([key[(d, s)] for d, s in zip(syn.d1, syn.s1, strict=True)])
    b = np.array([key[(d, s)] for d, s in zip(syn.d2, syn.s2, strict=True)])
    assert all(b[i] in knn[a[i]] for i in range(len(a)))  # the neighbour is one of the k nearest
    assert np.all((syn.lam >= 0) & (syn.lam < 1))
    x = feats.batch_synthetic(syn).numpy()
    expected = X_min[a] + syn.lam[:, None] * (X_min[b] - X_min[a])
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-5)


def test_balanced_data_generates_nothing():
    pairs, feats = _problem(1, n_pos=40, n_neg=40)
    sm = PairSMOTE(random_state=0)
    syn = sm.fit_generate(pairs, feats)
    assert len(syn) == 0 and sm.n_generated_ == 0
    Xr, _ = SMOTE(random_state=0).fit_resample(feats.batch(pairs.drug, pairs.dis).numpy(), pairs.y)
    assert len(Xr) == len(pairs)


def test_oversamples_whichever_class_is_the_minority():
    pairs, feats = _problem(2, n_pos=60, n_neg=25)
    syn = PairSMOTE(k_neighbors=3, random_state=0).fit_generate(pairs, feats)
    assert len(syn) == 35 and np.all(syn.y == 0)


def test_seeded_and_too_few_minority_samples_raise():
    pairs, feats = _problem(4)
    a = PairSMOTE(random_state=5).fit_generate(pairs, feats)
    b = PairSMOTE(random_state=5).fit_generate(pairs, feats)
    c = PairSMOTE(random_state=6).fit_generate(pairs, feats)
    np.testing.assert_array_equal(a.lam, b.lam)
    assert not np.array_equal(a.lam, c.lam)
    tiny = Pairs(np.arange(8), np.zeros(8, int), np.r_[np.ones(3), np.zeros(5)])
    with pytest.raises(DDIError, match="k_neighbors=5"):
        PairSMOTE(random_state=0).fit_generate(tiny, feats)


def test_squared_distances_blocks_match_direct():
    Z = np.random.default_rng(0).normal(size=(9, 5)).astype(np.float32)
    D = squared_distances(Z, block=4).numpy()
    ref = ((Z[:, None].astype(np.float64) - Z[None]) ** 2).sum(-1)
    np.testing.assert_allclose(D, ref, atol=1e-9)


def test_query_blocking_does_not_change_neighbours():
    pairs, feats = _problem(5)
    a = PairSMOTE(k_neighbors=4, random_state=0)
    a.fit_generate(pairs, feats)
    b = PairSMOTE(k_neighbors=4, random_state=0, block_elems=70)  # two queries per block
    b.fit_generate(pairs, feats)
    np.testing.assert_array_equal(a.nn_, b.nn_)
