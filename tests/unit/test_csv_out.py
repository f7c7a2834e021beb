"""CSV exports: provenance on every row, no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ddi_core.rank.csv_out import neutralise, neutralise_frame, ranking_csv, with_provenance
from ddi_core.rank.queries import RankResult


def test_formula_cells_are_quoted_and_numbers_are_not():
    for bad in ("=metformin", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("metformin") == "metformin"
    assert neutralise(-1.5) == -1.5 and neutralise(7) == 7 and neutralise(None) is None
    df = pd.DataFrame({"name": ["=1+1", "ok"], "logit": [-2.5, 1.0], "flag": [True, False]})
    out = neutralise_frame(df)
    assert out["name"].tolist() == ["'=1+1", "ok"]
    assert out["logit"].tolist() == [-2.5, 1.0] and out["flag"].tolist() == [True, False]
    assert neutralise_frame(pd.DataFrame({"=x": [1]})).columns.tolist() == ["'=x"]


def test_a_ranking_csv_says_on_every_row_what_it_answers():
    table = pd.DataFrame(
        {
            "rank": [1, 2],
            "score": np.array([0.9, 0.1], np.float32),
            "disease_name": ['=HYPERLINK("http://x")', "Diabetes"],
            "disease_id": ["D1", "D2"],
            "logit": [2.0, -2.0],
        }
    )
    res = RankResult(
        "drug",
        "D008687",
        "=metformin",
        "run-1",
        table,
        2,
        0,
        False,
        "clinical",
        3,
        data_version="abc123",
    )
    back = pd.read_csv(io.BytesIO(ranking_csv(res)))
    assert back.columns[:6].tolist() == [
        "query_kind",
        "query_id",
        "query_name",
        "run_id",
        "data_version",
        "view",
    ]
    assert (back["query_name"] == "'=metformin").all() and (back["run_id"] == "run-1").all()
    assert (back["data_version"] == "abc123").all() and (back["view"] == "clinical").all()
    assert back["disease_name"].tolist()[0].startswith("'=")
    assert back["logit"].tolist() == [2.0, -2.0]  # numbers untouched
    assert len(pd.read_csv(io.BytesIO(ranking_csv(res, table.head(1))))) == 1
    lead = with_provenance(table, {"a": 1})
    assert lead.columns[0] == "a" and (lead["a"] == 1).all()
