"""The clinical ranking figure on hand-made scores: ranks among the view's candidates, the
drug's other known pairs left out (filtered), hidden targets not counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ddi_core.facts.known import build_known_pairs
from ddi_core.pairs.pairs import Pairs
from ddi_core.rank import session
from ddi_core.validation.clinical import clinical_ranking, summarise, target_ranks, top_k_classes


def test_target_ranks_are_tie_averaged_among_the_candidates():
    scores = np.array([0.9, 0.8, 0.8, 0.5, 0.95, 0.1])
    excluded = np.array([False, False, False, False, True, False])  # a known pair, left out
    hidden = np.array([False, False, False, False, False, True])
    # target 3 (0.5): above it 0.9 and row 2's 0.8 (the other target, row 1, is left out:
    # filtered) -> rank 3; target 1 (0.8) is above 0.5, tied with row 2 -> 1 + 1 + 1/2
    assert target_ranks(scores, np.array([3, 1]), excluded, hidden).tolist() == [3.0, 2.5]
    s = summarise(np.array([1.0, 2.0, 20.0]), 2)
    assert s["mrr"] == (1 + 0.5 + 0.05) / 3 and s["hits_at_10"] == 2 / 3 and s["median_rank"] == 2
    assert summarise(np.zeros(0), 0)["mrr"] is None


class _Scores:
    def __init__(self, S):
        self.S = S

    def logits_block(self, rows):
        return self.S[np.asarray(rows)]


def _rs(S, classes, ctd_pairs, indications):
    nd, ns = S.shape
    ids_d = np.array([f"D{i}" for i in range(nd)], dtype=object)
    ids_s = np.array([f"S{i}" for i in range(ns)], dtype=object)
    ctd = pd.DataFrame(
        {"chemical_id": ids_d[ctd_pairs[:, 0]], "disease_id": ids_s[ctd_pairs[:, 1]]}
    )
    dc = pd.DataFrame(
        {"chemical_id": ids_d[indications[:, 0]], "disease_id": ids_s[indications[:, 1]]}
    )
    empty = pd.DataFrame(columns=["chemical_id", "disease_id", "category"])
    known = session._by_row(ctd_pairs, nd, ns)
    return session.RunScorer(
        run_id="x",
        scorer=_Scores(S),
        drug_ids=ids_d,
        dis_ids=ids_s,
        drug_names=ids_d,
        dis_names=ids_s,
        dis_branches=np.array([""] * ns, dtype=object),
        known=known,
        train_pos=sp.csr_matrix((nd, ns), dtype=bool),
        ctd_pairs=ctd,
        dis_classes=np.asarray(classes, dtype=object),
        known_marks=build_known_pairs(ctd, dc, empty),
    )


def test_the_figure_on_a_tiny_run():
    S = np.array([[0.1, 0.9, 0.8, 0.7, 0.2], [0.5, 0.4, 0.3, 0.2, 0.1]])
    classes = ["disease", "experimental model", "disease", "disease", "disease"]
    # drug 0: CTD pairs S2 (a test positive, also an indication) and S3 (training)
    ctd = np.array([[0, 2], [0, 3], [1, 4]])
    ind = np.array([[0, 2], [1, 4]])
    rs = _rs(S, classes, ctd, ind)
    test = Pairs(np.array([0, 1, 0]), np.array([2, 4, 0]), np.array([1, 1, 0]))
    train = Pairs(np.array([0]), np.array([3]), np.array([1]))
    clinical = clinical_ranking(rs, test, train, terms="clinical")
    # drug 0, target S2: S1 hidden (experimental), S3 known (left out): rank 1
    # drug 1, target S4: S0..S3 score higher, S1 hidden: rank 4
    assert clinical["model"]["pairs"] == 2 and clinical["model"]["drugs"] == 2
    assert clinical["model"]["mrr"] == (1 / 1 + 1 / 4) / 2
    every = clinical_ranking(rs, test, train, terms="all")
    assert every["model"]["mrr"] == (1 / 2 + 1 / 5) / 2  # S1 competes in the all-terms view
    # popularity: only S3 has a training positive (ties elsewhere are averaged)
    assert clinical["popularity"]["pairs"] == 2

    top = top_k_classes(rs, np.array([0, 1]), k=2, terms="all")
    assert top["rows"] == 4 and top["hidden_share"] == 0.5  # S1 in both drugs' top 2
    assert top_k_classes(rs, np.array([0, 1]), k=2, terms="clinical")["hidden_share"] == 0.0
