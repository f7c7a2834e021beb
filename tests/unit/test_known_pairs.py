"""Where each known pair comes from: the marks of a hand-made set of sources."""

from __future__ import annotations

import pandas as pd

from ddi_core.facts.known import MARKS, build_known_pairs


def _kp():
    ctd = pd.DataFrame({"chemical_id": ["A", "A", "B"], "disease_id": ["X", "Y", "X"]})
    dc = pd.DataFrame({"chemical_id": ["A", "C"], "disease_id": ["X", "Z"]})
    ptdb = pd.DataFrame(
        {
            "chemical_id": ["A", "B", "B"],
            "disease_id": ["X", "Y", "X"],
            "category": pd.Categorical(["DM", "NOT", "SYM"], categories=["DM", "SYM", "NOT"]),
        }
    )
    return build_known_pairs(ctd, dc, ptdb)


def test_each_pair_gets_its_marks_with_their_sources_in_a_fixed_order():
    kp = _kp()
    a = kp.for_drug("A", ["X", "Y", "Z", "W"])
    assert list(a.columns) == list(MARKS)
    assert a["indication"].tolist() == ["DrugCentral; PTDB DM", "", "", ""]
    assert a["literature"].tolist() == ["CTD", "CTD", "", ""]
    assert a["non_indication"].tolist() == ["", "", "", ""]
    b = kp.for_disease("X", ["A", "B", "C"])
    assert b["indication"].tolist() == ["DrugCentral; PTDB DM", "PTDB SYM", ""]
    assert b["literature"].tolist() == ["CTD", "CTD", ""]
    # a conflicting pair keeps both marks (a NOT beside no CTD row here)
    assert kp.pair("B", "Y") == {"indication": [], "literature": [], "non_indication": ["PTDB NOT"]}
    assert kp.pair("C", "Z")["indication"] == ["DrugCentral"]
    assert kp.pair("Q", "X") == {"indication": [], "literature": [], "non_indication": []}


def test_pairs_with_a_mark_are_distinct():
    kp = _kp()
    ind = kp.pairs_with("indication")
    assert sorted(map(tuple, ind.to_numpy())) == [("A", "X"), ("B", "X"), ("C", "Z")]
    assert len(kp.pairs_with("literature")) == 3
    assert kp.for_drug("A", []).empty
