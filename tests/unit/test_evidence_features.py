"""Evidence-model features on a tiny hand-built case (every number computed by hand)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.ease import association_matrix
from ddi_core.models.evidence.features import FeatureBuilder, Similarities
from ddi_core.models.evidence.matrices import membership, multi_source_hops, tree_similarity
from ddi_core.models.evidence.names import feature_family, feature_names, uses_gene_disease
from ddi_core.models.evidence.oof import fold_assignment, oof_features
from ddi_core.models.evidence.tables import EvidenceTables

N_D, N_S, N_G = 4, 3, 5


def tiny_tables() -> EvidenceTables:
    """4 drugs, 3 diseases, 5 genes g0..g4; STRING chain g0-g2-g3 (g1, g4 isolated).

    targets   d0 {g0+}, d1 {g0+, g1-}, d2 {g3+}, d3 {}
    chemgenes d0 {g1}, d3 {g2}
    dis genes s0 {g0, g1}, s1 {g2}, s2 {}
    profiles  d0 [0.5, -0.25, 0.25, 0, 0], d1 [1, 0, 0, 0, 0], d2 [0, 0, 0, 1, 0]
    fingerprints d0 1100, d1 1110 (Tanimoto 2/3); InfoGraph d0, d1, d2
    MeSH trees s0 C01.001, s1 C01.002, s2 C02
    """
    targets = membership([0, 1, 1, 2], [0, 0, 1, 3], N_D, N_G)
    sign = membership([0, 1, 1, 2], [0, 0, 1, 3], N_D, N_G, [1, 1, -1, 1])
    chem = membership([0, 3], [1, 2], N_D, N_G)
    dis_genes = membership([0, 0, 1], [0, 1, 2], N_S, N_G)
    adj = membership([0, 2, 2, 3], [2, 0, 3, 2], N_G, N_G)
    dist_genes = np.array([0, 1, 2, 3])  # genes that are some drug's target or chemical gene
    dist = multi_source_hops(adj, dis_genes, 5, dist_genes)
    return EvidenceTables(
        drug_ids=np.array(["D0", "D1", "D2", "D3"]),
        dis_ids=np.array(["S0", "S1", "S2"]),
        gene_ids=np.arange(100, 105),
        targets=targets,
        target_sign=sign,
        chemgenes=chem,
        dis_genes=dis_genes,
        profile=np.array([[0.5, -0.25, 0.25, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 1, 0]], np.float32),
        profile_row=np.array([0, 1, 2]),
        profile_genes=np.arange(5),
        fp=np.array([[1, 1, 0, 0], [1, 1, 1, 0]], bool),
        struct_row=np.array([0, 1]),
        infograph=np.array([[1, 0], [1, 1], [0, 1]], np.float32),
        infograph_row=np.array([0, 1, 2]),
        mesh=np.array([[1, 0], [1, 1], [0, 1]], np.float32),
        tree_numbers=[["C01.001"], ["C01.002"], ["C02"]],
        dist=dist,
        dist_genes=dist_genes,
    )


def cfg(**kw) -> EvidenceConfig:
    return EvidenceConfig(**kw)


def feats(t, c, A, drugs, cols=None):
    fb = FeatureBuilder(t, Similarities.build(t, c), c, A, ease_lambda=1.0)
    X = fb.block(np.asarray(drugs), cols)
    return {n: X[:, :, i] for i, n in enumerate(fb.names)}


# A: d1–s0, d2–s1 (d0 and d3 have no training positive)
A = association_matrix(np.array([1, 2]), np.array([0, 1]), N_D, N_S)


def test_multi_source_hops_on_a_chain():
    t = tiny_tables()
    # s0 from {g0, g1}: g0 0, g1 0, g2 1, g3 2; s1 from {g2}: g0 1, g1 unreachable (6), g2 0, g3 1
    assert t.dist[0].tolist() == [0, 0, 1, 2]
    assert t.dist[1].tolist() == [1, 6, 0, 1]
    assert t.dist[2].tolist() == [255] * 4  # no disease gene at all


def test_tree_similarity_by_hand():
    s = tree_similarity([["C01.001"], ["C01.002"], ["C02"], ["C01.001.005", "C02"]])
    assert s[0, 1] == pytest.approx(0.5)  # lca C01 (depth 1) of two depth-2 nodes: 2*1/4
    assert s[0, 2] == 0.0
    assert s[0, 3] == pytest.approx(2 * 2 / 5)  # lca C01.001 (2) of depths 2 and 3
    assert s[2, 3] == pytest.approx(1.0)  # C02 is one of its tree numbers
    assert np.allclose(np.diag(s), 1.0)


def test_popularity_and_drug_knn_by_hand():
    t = tiny_tables()
    f = feats(
        t, cfg(drug_sims=("targets", "morgan"), families=("popularity", "drug_knn")), A, [0, 1, 3]
    )
    assert f["dis_pop"][0].tolist() == [1, 1, 0]
    assert f["drug_deg"][:, 0].tolist() == [0, 1, 0]
    # d0's target neighbours with a positive: d1 (Jaccard {g0} vs {g0,g1} = 1/2), d2 (0)
    assert f["targets_knn_frac"][0].tolist() == [1.0, 0.0, 0.0]
    assert f["targets_knn_count"][0].tolist() == [1.0, 0.0, 0.0]
    assert f["targets_knn_wsum"][0].tolist() == [0.5, 0.0, 0.0]
    # the vote smoothed over MeSH: d0's one weighted neighbour d1 knows s0, whose MeSH
    # cosine to s1 is cos((1,0),(1,1)) = 1/sqrt(2) and to s2 0 (and 0 to itself)
    assert np.allclose(f["targets_knn_mesh"][0], [0.0, 2**-0.5, 0.0], atol=1e-6)
    assert f["targets_max"][0].tolist() == [0.5, 0.0, 0.0]
    # d1 is never its own neighbour: its only candidate is d2 (Jaccard 0)
    assert f["targets_knn_frac"][1].tolist() == [0.0, 0.0, 0.0]
    # d3 has no target: no evidence under this similarity (NaN, not 0)
    assert np.isnan(f["targets_knn_frac"][2]).all()
    # Morgan: d0 vs d1 Tanimoto 2/3; d2 has no structure, so d0's only neighbour is d1
    assert f["morgan_max"][0, 0] == pytest.approx(2 / 3)
    assert f["morgan_knn_frac"][0].tolist() == [1.0, 0.0, 0.0]


def test_gene_cf_by_hand():
    t = tiny_tables()
    f = feats(t, cfg(families=("gene_cf",)), A, [0, 1, 3])
    # training drugs acting on g0: d1 (known for s0) -> rate(g0, s0) = 1
    assert f["genecf_targets_mean"][0].tolist() == [1.0, 0.0, 0.0]
    assert f["genecf_targets_max"][0].tolist() == [1.0, 0.0, 0.0]
    # d1's genes g0, g1 are acted on by no training drug but d1 itself: no evidence
    assert np.isnan(f["genecf_targets_mean"][1]).all()
    assert np.isnan(f["genecf_targets_mean"][2]).all()  # d3 has no target


def test_disease_similarity_features_by_hand():
    t = tiny_tables()
    f = feats(t, cfg(families=("disease_sim",), dis_sims=("tree", "genes")), A, [1, 3])
    # d1 knows s0: tree sim to s1 is 0.5, to s2 is 0, to itself 0 (no self support)
    assert f["tree_max"][0].tolist() == [0.0, 0.5, 0.0]
    assert f["tree_mean"][0].tolist() == [0.0, 0.5, 0.0]
    assert f["genes_max"][0].tolist() == [0.0, 0.0, 0.0]  # s0 {g0,g1} and s1 {g2} share nothing
    assert np.isnan(f["tree_max"][1]).all()  # d3 has no training disease


def test_network_features_by_hand():
    t = tiny_tables()
    f = feats(t, cfg(families=("network",)), A, [0, 1, 2, 3])
    # d0's |profile| = 1; 0.5 + 0.25 of it lies on s0's genes {g0, g1}; signed 0.5 - 0.25
    assert f["walk_share_abs"][0, 0] == pytest.approx(0.75)
    assert f["walk_share_signed"][0, 0] == pytest.approx(0.25)
    # s0's genes are 2 of the 5 network genes: enrichment 0.75 / 0.4
    assert f["walk_enrichment"][0, 0] == pytest.approx(0.75 / 0.4)
    assert np.isnan(f["walk_share_abs"][3]).all()  # d3 has no profile
    assert f["target_genes_shared"][1].tolist() == [2, 0, 0]
    assert f["chem_genes_jaccard"][3].tolist() == [0.0, 1.0, 0.0]  # {g2} vs s1 {g2}
    # d2's one target g3 is 2 hops from s0's genes and 1 from s1's; s2 has no gene
    assert f["prox_targets"][2, :2].tolist() == [2.0, 1.0]
    assert np.isnan(f["prox_targets"][2, 2])
    assert np.isnan(f["prox_targets"][3]).all()  # d3 has no target
    assert f["prox_chemgenes"][3, 1] == 0.0  # its chemical gene g2 is s1's gene
    assert f["dis_n_genes"][0].tolist() == [2, 1, 0]


def test_ease_feature_matches_closed_form():
    t = tiny_tables()
    A2 = association_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 0, 1]), N_D, N_S)
    f = feats(t, cfg(families=("ease",)), A2, [0, 1])
    X = A2.toarray().astype(np.float64)
    P = np.linalg.inv(X.T @ X + np.eye(N_S))
    B = -P / np.diag(P)[None, :]
    np.fill_diagonal(B, 0)
    assert np.allclose(f["ease"], (X @ B)[[0, 1]], atol=1e-5)


def test_kernel_ridge_feature_by_hand():
    """targets-only kernel: Jaccard d0–d1 = 1/2, d2 alone, d3 uncovered (no targets).

    With positives d0–s0, d1–s0, d2–s1 and λ = 1: K_tt + I = [[2, .5, 0], [.5, 2, 0],
    [0, 0, 2]], so α(d0, s0) = α(d1, s0) = (2 − .5)/(4 − .25) = 0.4 and α(d2, s1) = 0.5.
    d0 scores s0 with 0.5 · α(d1) = 0.2 (its own entry is zeroed); a kNN vote would
    give d0 all of d1's weight, the ridge discounts the pair for explaining each other.
    """
    from ddi_core.models.evidence.kernel import drug_kernel

    t = tiny_tables()
    c = cfg(drug_sims=("targets",), families=("krr",), krr_lambda=1.0)
    sims = Similarities.build(t, c)
    assert np.allclose(
        drug_kernel(sims.drug.values(), N_D),
        [[1, 0.5, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]],
    )
    A2 = association_matrix(np.array([0, 1, 2]), np.array([0, 0, 1]), N_D, N_S)
    fb = FeatureBuilder(t, sims, c, A2, ease_lambda=1.0)
    assert fb.names == ["drug_krr"]
    X = fb.block(np.arange(N_D))[:, :, 0]
    assert np.allclose(X[:3], [[0.2, 0, 0], [0.2, 0, 0], [0, 0, 0]], atol=1e-6)
    assert np.isnan(X[3]).all()  # no similarity covers d3
    # one training drug less changes the weights: without d1, d0 has no voter for s0
    A3 = association_matrix(np.array([0, 2]), np.array([0, 1]), N_D, N_S)
    X3 = FeatureBuilder(t, sims, c, A3, ease_lambda=1.0).block(np.arange(N_D))[:, :, 0]
    assert np.allclose(X3[1], [0.5 * 0.5, 0, 0])  # d1 ← d0: K 0.5 · α 1/(1+1)
    assert np.allclose(X3[0], 0.0)
    from ddi_core.models.evidence.explain import describe_feature

    text = describe_feature("drug_krr", 0.2, drug="D0", disease="S0", k=20)
    assert "kernel ridge" in text and "0.200" in text
    assert "no similarity evidence" in describe_feature(
        "drug_krr", float("nan"), drug="D3", disease="S0", k=20
    )


def test_moa_terms_keep_mechanisms_and_drop_uses():
    import pandas as pd

    from ddi_core.models.evidence.similarity import drug_similarity
    from ddi_core.models.evidence.tables import moa_membership

    hub = pd.DataFrame(
        {
            "pert_iname": ["statin-a", "ccb", "statin-b", "unmapped"],
            "moa": [
                "HMG-CoA reductase inhibitor|antimalarial agent",
                "Calcium channel blocker ",
                "HMG-CoA reductase inhibitor",
                "calcium channel blocker",
            ],
        }
    )
    xrefs = pd.DataFrame(
        {
            "chemical_id": ["D0", "D1", "D3", "D2"],
            "namespace": ["repurposing_hub"] * 3 + ["drugbank"],
            "xref": ["statin-a", "ccb", "statin-b", "ccb"],
        }
    )
    m, terms = moa_membership(hub, xrefs, {"D0": 0, "D1": 1, "D2": 2, "D3": 3})
    assert terms.tolist() == ["calcium channel blocker", "hmg-coa reductase inhibitor"]
    assert m.toarray().tolist() == [[0, 1], [1, 0], [0, 0], [0, 1]]  # D2's xref is not the Hub's
    t = tiny_tables()
    t.moa, t.moa_terms = m, terms
    s = drug_similarity(t, "moa")
    assert s.rows.tolist() == [0, 1, 3]
    assert s.M[s.pos[0], s.pos[3]] == 1.0 and s.M[s.pos[0], s.pos[1]] == 0.0
    assert feature_family("moa_knn_frac") == "drug_knn"


def test_pairs_equal_blocks_and_column_subsets():
    t = tiny_tables()
    c = cfg(
        drug_sims=("targets", "profile", "infograph"),
        families=tuple(dict.fromkeys((*EvidenceConfig().families, "krr"))),
    )
    fb = FeatureBuilder(t, Similarities.build(t, c), c, A, ease_lambda=1.0)
    assert "drug_krr" in fb.names
    full = fb.block(np.arange(N_D))
    d = np.array([3, 0, 2, 0, 1])
    s = np.array([1, 2, 0, 0, 2])
    # bit for bit: a tree split can turn on the last bit of a feature
    assert np.array_equal(fb.pairs(d, s), full[d, s], equal_nan=True)
    assert np.array_equal(
        fb.block(np.array([2, 0]), np.array([2])), full[[2, 0]][:, [2]], equal_nan=True
    )
    fresh = FeatureBuilder(t, Similarities.build(t, c), c, A, ease_lambda=1.0)
    assert np.array_equal(fresh.block(np.array([3])), full[[3]], equal_nan=True)


def test_out_of_fold_features_never_see_their_own_pair():
    t = tiny_tables()
    c = cfg(families=("popularity", "disease_sim"), dis_sims=("tree",))
    # training positives d1–s0, d1–s1, d2–s1; each in its own fold
    d, s, y = np.array([1, 1, 2]), np.array([0, 1, 1]), np.ones(3)
    X = oof_features(t, Similarities.build(t, c), c, d, s, y, np.array([0, 1, 2]), ease_lambda=1.0)
    names = feature_names(c)
    pop = X[:, names.index("dis_pop")]
    # without itself: s0 has no other positive; s1 has one other (d2 or d1)
    assert pop.tolist() == [0, 1, 1]
    assert X[0, names.index("drug_deg")] == 1  # d1 keeps its other pair (s1)


def test_fold_assignment_groups_like_the_split():
    d = np.array([0, 0, 1, 1, 2, 2, 3])
    s = np.array([0, 1, 0, 1, 0, 1, 2])
    f = fold_assignment(d, s, np.ones(7), "drug", 2, seed=0)
    for drug in np.unique(d):
        assert len(set(f[d == drug])) == 1
    f = fold_assignment(d, s, np.ones(7), "disease", 2, seed=0)
    for dis in np.unique(s):
        assert len(set(f[s == dis])) == 1


def test_feature_bookkeeping():
    names = feature_names(EvidenceConfig())
    assert len(names) == len(set(names))
    assert {feature_family(n) for n in names} == {
        "popularity",
        "drug_knn",
        "gene_cf",
        "disease_sim",
        "network",
        "ease",
    }
    gd = [n for n in names if uses_gene_disease(n)]
    assert "genes_max" in gd and "walk_share_abs" in gd and "prox_targets" in gd
    assert "drug_n_targets" not in gd and "mesh_max" not in gd and "ease" not in gd
    with_krr = feature_names(EvidenceConfig(families=(*EvidenceConfig().families, "krr")))
    assert with_krr[-1] == "drug_krr" and not uses_gene_disease("drug_krr")
    assert feature_family("drug_krr") == "krr"
    no_gd = feature_names(EvidenceConfig(gene_disease=False))
    assert not any(uses_gene_disease(n) for n in no_gd)
    assert set(no_gd) == set(names) - set(gd)


def test_membership_is_binary_by_default():
    m = membership([0, 0], [1, 1], 2, 2)
    assert isinstance(m, sp.csr_matrix) and m.toarray().tolist() == [[0, 1], [0, 0]]
