"""node2vec walk kernel on tiny graphs with hand-computed answers."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from ddi_core.embed.node2vec import random_walks, reference_walks, walk_starts
from ddi_core.graphs.networks import from_edges


def _ring_lattice(n: int = 40, k: int = 2):
    """Each node linked to its k nearest neighbours on each side (has triangles)."""
    src, dst = [], []
    for i in range(n):
        for j in range(1, k + 1):
            src.append(i)
            dst.append((i + j) % n)
    return from_edges(np.arange(n), src, dst)


def _kite(weighted: bool = False):
    # t=0, v=1, x1=2 (adjacent to t), x2=3 (not adjacent to t)
    w = np.array([1.0, 3.0, 1.0, 2.0]) if weighted else None
    return from_edges(np.arange(4), [0, 1, 0, 1], [1, 2, 2, 3], w)


def _second_step_freq(walks) -> np.ndarray:
    walks = np.asarray(walks)
    sel = walks[walks[:, 1] == 1]
    return np.bincount(sel[:, 2], minlength=4)[[0, 2, 3]] / len(sel), len(sel)


def _assert_probs(freq, n, expected):
    expected = np.asarray(expected, dtype=float)
    sd = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(freq - expected) < 5 * sd + 1e-9), (freq, expected)


def test_walks_only_follow_edges_and_start_where_told():
    g = _ring_lattice(30, 2)
    w = random_walks(g, num_walks=3, walk_length=25, p=0.5, q=2.0, seed=1)
    assert w.shape == (90, 25) and w.dtype == np.int32
    assert np.bincount(w[:, 0], minlength=30).tolist() == [3] * 30  # each node starts 3 walks
    assert g.has_edges(w[:, :-1].ravel(), w[:, 1:].ravel()).all()


def test_weighted_walks_only_follow_edges():
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, 50, 300), rng.integers(0, 50, 300)
    g = from_edges(np.arange(50), src, dst, rng.uniform(0.1, 5.0, 300))
    w = random_walks(g, num_walks=2, walk_length=30, p=0.3, q=3.0, seed=2)
    ok = w[:, 1:] >= 0
    assert g.has_edges(w[:, :-1][ok], w[:, 1:][ok]).all()


def test_isolated_node_walk_is_padded_not_invented():
    g = from_edges(np.arange(3), [0], [1])
    w = random_walks(g, starts=np.array([2, 0]), walk_length=4, seed=0)
    assert w[0].tolist() == [2, -1, -1, -1]
    assert w[1].tolist() == [0, 1, 0, 1]


def test_same_seed_same_walks_other_seed_other_walks():
    g = _ring_lattice()
    a = random_walks(g, num_walks=2, walk_length=20, p=0.5, q=2.0, seed=7)
    b = random_walks(g, num_walks=2, walk_length=20, p=0.5, q=2.0, seed=7)
    c = random_walks(g, num_walks=2, walk_length=20, p=0.5, q=2.0, seed=8)
    np.testing.assert_array_equal(a, b)
    assert (a != c).mean() > 0.5


def test_walks_do_not_depend_on_thread_count():
    g = _ring_lattice(200, 3)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = random_walks(g, num_walks=4, walk_length=30, p=0.5, q=2.0, seed=3)
    finally:
        numba.set_num_threads(before)
    many = random_walks(g, num_walks=4, walk_length=30, p=0.5, q=2.0, seed=3)
    np.testing.assert_array_equal(one, many)


def test_walk_starts_are_permutation_rounds():
    s = walk_starts(10, 3, seed=0)
    assert [sorted(s[i * 10 : (i + 1) * 10].tolist()) for i in range(3)] == [list(range(10))] * 3
    assert not np.array_equal(s[:10], s[10:20])


@pytest.mark.parametrize("weighted", [False, True])
def test_second_order_transition_matches_hand_computation(weighted):
    # from v=1 having arrived from t=0: unnormalised w_vx * alpha with p=0.5, q=2
    # unweighted: t 1/p=2, x1 1, x2 1/q=0.5        -> [2, 1, 0.5] / 3.5
    # weighted w(1,0)=1, w(1,2)=3, w(1,3)=2        -> [2, 3, 1] / 6
    g = _kite(weighted)
    expected = [2 / 6, 3 / 6, 1 / 6] if weighted else [2 / 3.5, 1 / 3.5, 0.5 / 3.5]
    w = random_walks(g, starts=np.zeros(120_000, dtype=np.int32), walk_length=3, p=0.5, q=2.0)
    freq, n = _second_step_freq(w)
    _assert_probs(freq, n, expected)
    ref = reference_walks(g, starts=np.zeros(30_000, dtype=np.int32), walk_length=3, p=0.5, q=2.0)
    freq_r, n_r = _second_step_freq(ref)
    _assert_probs(freq_r, n_r, expected)


def test_first_order_weighted_step():
    g = from_edges(np.arange(3), [0, 0], [1, 2], [1.0, 3.0])
    w = random_walks(g, starts=np.zeros(80_000, dtype=np.int32), walk_length=2, seed=5)
    frac = (w[:, 1] == 2).mean()
    assert abs(frac - 0.75) < 5 * np.sqrt(0.75 * 0.25 / 80_000)


def _return_rate(w):
    return float((w[:, 2:] == w[:, :-2]).mean())


def _outward_rate(g, w):
    a, c = w[:, :-2].ravel(), w[:, 2:].ravel()
    return float(((a != c) & ~g.has_edges(a, c)).mean())


def test_small_p_means_more_immediate_returns():
    g = _ring_lattice(60, 2)  # 4-regular: first-order return rate 1/4
    rates = [
        _return_rate(random_walks(g, num_walks=20, walk_length=40, p=p, q=1.0, seed=0))
        for p in (0.2, 1.0, 5.0)
    ]
    assert rates[0] > rates[1] > rates[2]
    # exact for this lattice, from independent two-step walks: v's neighbours are prev
    # (weight 1/p = 5), two common neighbours of prev and v (1) and one farther node
    # (1/q = 1), so P(return) = 5/8; first order it is 1/4
    for p, expected in ((0.2, 5 / 8), (1.0, 1 / 4)):
        w = random_walks(g, starts=np.zeros(100_000, dtype=np.int32), walk_length=3, p=p, seed=1)
        sd = np.sqrt(expected * (1 - expected) / 100_000)
        assert abs(_return_rate(w) - expected) < 5 * sd


def test_small_q_means_moving_outward():
    g = _ring_lattice(60, 2)
    out = [
        _outward_rate(g, random_walks(g, num_walks=20, walk_length=40, p=1.0, q=q, seed=0))
        for q in (0.2, 1.0, 5.0)
    ]
    assert out[0] > out[1] > out[2]


def test_rejects_nonpositive_p_q():
    with pytest.raises(ValueError):
        random_walks(_kite(), p=0.0)
