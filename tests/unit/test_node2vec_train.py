"""Skip-gram training: reproducibility under the deterministic setting, and structure."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from ddi_core.embed.node2vec import Node2VecConfig, node2vec, train_skipgram
from ddi_core.graphs.networks import from_edges

# tiny corpora need many walks and no down-sampling to move away from the initialisation
SMALL = Node2VecConfig(dim=16, num_walks=50, walk_length=20, window=3, sample=0.0, seed=11)


def _barbell(k: int = 8):
    """Two k-cliques joined by one edge (k-1 -- k)."""
    src, dst = [], []
    for base in (0, k):
        for i in range(k):
            for j in range(i + 1, k):
                src.append(base + i)
                dst.append(base + j)
    src.append(k - 1)
    dst.append(k)
    return from_edges(np.arange(2 * k), src, dst)


def _cos(v):
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    return v @ v.T


def test_deterministic_setting_gives_identical_vectors():
    g = _barbell()
    a = node2vec(g, SMALL)
    b = node2vec(g, SMALL)
    assert a.vectors.shape == (16, 16) and a.vectors.dtype == np.float32
    np.testing.assert_array_equal(a.vectors, b.vectors)
    c = node2vec(g, Node2VecConfig(**{**SMALL.__dict__, "seed": 12}))
    assert not np.array_equal(a.vectors, c.vectors)


_SCRIPT = """
import hashlib, numpy as np
from tests.unit.test_node2vec_train import SMALL, _barbell
from ddi_core.embed.node2vec import node2vec
print(hashlib.sha256(node2vec(_barbell(), SMALL).vectors.tobytes()).hexdigest())
"""


def test_deterministic_across_processes_and_hash_seeds():
    """Separate interpreters with different PYTHONHASHSEED produce the same bytes."""
    here = hashlib.sha256(node2vec(_barbell(), SMALL).vectors.tobytes()).hexdigest()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    outs = []
    for hs in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hs, "NUMBA_NUM_THREADS": hs}
        r = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outs.append(r.stdout.strip().splitlines()[-1])
    assert outs == [here, here]


def test_communities_are_closer_than_across():
    g = _barbell()
    sim = _cos(node2vec(g, SMALL).vectors)
    same = np.zeros_like(sim, dtype=bool)
    same[:8, :8] = same[8:, 8:] = True
    np.fill_diagonal(same, False)
    cross = ~same
    np.fill_diagonal(cross, False)
    assert sim[same].mean() > sim[cross].mean() + 0.3


def test_train_refuses_nodes_missing_from_walks():
    walks = np.array([[0, 1, 0, 1]], dtype=np.int32)
    with pytest.raises(ValueError, match="never occur"):
        train_skipgram(walks, 3, SMALL)


def test_padded_walks_are_trimmed():
    # node 2 is isolated: its walk is [2, -1, -1, -1]; training must not see -1
    g = from_edges(np.arange(3), [0], [1])
    r = node2vec(g, Node2VecConfig(dim=4, num_walks=2, walk_length=4, window=2))
    assert r.vectors.shape == (3, 4)
    assert r.n_tokens == 2 * (4 + 4 + 1)


def test_config_validation():
    with pytest.raises(ValueError):
        Node2VecConfig(q=0)
    with pytest.raises(ValueError):
        Node2VecConfig(dim=0)
