import numpy as np
import pytest

from ddi_core.errors import DDIError
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.splits import pair_keys, paper_protocol_split, sample_negatives, split_pairs

N_DRUGS, N_DIS = 60, 40


def _positives(seed=0, n=400):
    rng = np.random.default_rng(seed)
    keys = rng.choice(50 * 35, n, replace=False)  # drugs 50-59 / diseases 35-39 have no positives
    d, s = np.divmod(keys, 35)
    return d, s


def _keys(p, y=None):
    m = np.ones(len(p), bool) if y is None else p.y == y
    return set(pair_keys(p.drug[m], p.dis[m], N_DIS).tolist())


@pytest.mark.parametrize("kind", ["random", "drug", "disease"])
def test_parts_are_disjoint_and_negatives_are_never_known(kind):
    d, s = _positives()
    known = set(pair_keys(d, s, N_DIS).tolist())
    excl = Pairs([0, 1, 2], [0, 1, 2], [0, 0, 0])
    sp_ = split_pairs(d, s, N_DRUGS, N_DIS, kind=kind, neg_ratio=2.0, seed=3, exclude=excl)
    parts = [sp_.train, sp_.val, sp_.test]
    allpos = set()
    for p in parts:
        pos, neg = _keys(p, 1), _keys(p, 0)
        assert len(pos) == (p.y == 1).sum() and len(neg) == (p.y == 0).sum()  # no duplicates
        assert len(neg) == int(round(2.0 * len(pos)))  # the ratio holds per part
        assert not (neg & known)  # never a known pair
        assert not (neg & _keys(excl))  # never an excluded pair
        allpos |= pos
    assert allpos == known  # every positive lands in exactly one part
    for a in range(3):
        for b in range(a + 1, 3):
            assert not (_keys(parts[a]) & _keys(parts[b]))
    # negatives only from drugs/diseases that have positives
    negd = np.concatenate([p.drug[p.y == 0] for p in parts])
    negs = np.concatenate([p.dis[p.y == 0] for p in parts])
    assert negd.max() < 50 and negs.max() < 35


def test_drug_split_has_no_test_drug_in_training_even_among_negatives():
    d, s = _positives(1)
    sp_ = split_pairs(d, s, N_DRUGS, N_DIS, kind="drug", seed=0)
    tr, va, te = (set(p.drug.tolist()) for p in (sp_.train, sp_.val, sp_.test))
    assert not (tr & te) and not (tr & va) and not (va & te)
    n_drugs = len(np.unique(d))
    assert (len(tr), len(va), len(te)) == (40, 5, 5) and n_drugs == 50  # fractions of drugs


def test_disease_split_has_no_test_disease_in_training():
    d, s = _positives(2)
    sp_ = split_pairs(d, s, N_DRUGS, N_DIS, kind="disease", fractions=(0.7, 0.1, 0.2), seed=0)
    tr, te = set(sp_.train.dis.tolist()), set(sp_.test.dis.tolist())
    assert not (tr & te) and len(te) == 7


def test_random_split_fractions_and_seeding():
    d, s = _positives(3)
    a = split_pairs(d, s, N_DRUGS, N_DIS, seed=5)
    b = split_pairs(d, s, N_DRUGS, N_DIS, seed=5)
    c = split_pairs(d, s, N_DRUGS, N_DIS, seed=6)
    assert [int((p.y == 1).sum()) for p in (a.train, a.val, a.test)] == [320, 40, 40]
    np.testing.assert_array_equal(a.test.drug, b.test.drug)
    assert not np.array_equal(a.test.drug, c.test.drug)
    assert 0.3 < a.test.y.mean() < 0.7  # shuffled, not positives first


def test_sample_negatives_avoids_forbidden_even_when_nearly_saturated():
    rng = np.random.default_rng(0)
    forb = pair_keys([0, 0, 1], [0, 1, 1], 3)
    d, s = sample_negatives(3, np.array([0, 1]), np.array([0, 1, 2]), 3, forb, rng)
    assert set(pair_keys(d, s, 3).tolist()) == {2, 3, 5}  # the only three unknown pairs
    with pytest.raises(DDIError, match="only 3 unknown"):
        sample_negatives(4, np.array([0, 1]), np.array([0, 1, 2]), 3, forb, rng)


def test_paper_protocol_is_80_20_with_the_same_set_for_stopping_and_reporting():
    d, s = _positives(4, n=500)
    sp_ = paper_protocol_split(d, s, N_DRUGS, N_DIS, seed=0)
    assert sp_.optimistic and sp_.val is sp_.test and "optimistic" in sp_.note
    assert len(sp_.train) == 800 and len(sp_.test) == 200
    assert sp_.train.y.sum() + sp_.test.y.sum() == 500  # 1:1 negatives overall
    assert not (_keys(sp_.train) & _keys(sp_.test))
    assert not (_keys(sp_.test, 0) | _keys(sp_.train, 0)) & set(pair_keys(d, s, N_DIS).tolist())
    assert sp_.summary()["optimistic"] is True


def test_bad_fractions_are_refused():
    d, s = _positives()
    with pytest.raises(DDIError, match="fractions"):
        split_pairs(d, s, N_DRUGS, N_DIS, fractions=(0.8, 0.2, 0.0))
