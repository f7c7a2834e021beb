"""Embedding table format: round trip, id dtypes, validation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ddi_core.embed.store import (
    Embedding,
    load_embedding,
    read_embedding,
    save_embedding,
)
from ddi_core.errors import DataFileError


def test_round_trip_int_ids(tmp_path):
    ids = np.array([7, 3, 11])
    vec = np.arange(6, dtype=np.float64).reshape(3, 2)
    save_embedding(tmp_path / "e", ids, vec, {"kind": "gene", "seconds": 1.5})
    got_ids, got_vec, meta = load_embedding(tmp_path / "e")
    assert got_ids.dtype == np.int64
    assert got_ids.tolist() == [7, 3, 11]
    assert got_vec.dtype == np.float32
    np.testing.assert_array_equal(got_vec, vec.astype(np.float32))
    assert meta["n"] == 3 and meta["dim"] == 2
    assert meta["kind"] == "gene" and meta["seconds"] == 1.5


def test_string_ids_stored_without_pickle(tmp_path):
    ids = ["D000001", "C012345"]
    save_embedding(tmp_path, ids, np.ones((2, 4)))
    raw = np.load(tmp_path / "ids.npy", allow_pickle=False)
    assert raw.dtype.kind == "U"
    emb = read_embedding(tmp_path)
    assert isinstance(emb, Embedding)
    assert emb.dim == 4 and len(emb) == 2
    assert emb.index() == {"D000001": 0, "C012345": 1}


def test_object_ids_become_unicode(tmp_path):
    save_embedding(tmp_path, np.array(["a", "b"], dtype=object), np.zeros((2, 1)))
    assert np.load(tmp_path / "ids.npy", allow_pickle=False).dtype.kind == "U"


def test_lookup_reports_missing_instead_of_zero_rows(tmp_path):
    save_embedding(tmp_path, ["x", "y"], np.array([[1.0, 0.0], [0.0, 1.0]]))
    emb = read_embedding(tmp_path)
    vec, found = emb.lookup(["y", "nope", "x"])
    assert found.tolist() == [True, False, True]
    np.testing.assert_array_equal(vec, [[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize(
    ("ids", "vec", "match"),
    [
        ([1, 2], np.zeros((3, 2)), "do not match"),
        ([1, 1], np.zeros((2, 2)), "not unique"),
        ([1, 2], np.array([[0.0, np.nan], [0.0, 0.0]]), "NaN"),
        ([1, 2], np.zeros(2), "do not match"),
    ],
)
def test_save_rejects_bad_tables(tmp_path, ids, vec, match):
    with pytest.raises(ValueError, match=match):
        save_embedding(tmp_path, ids, vec)


def test_load_missing_file_names_it(tmp_path):
    save_embedding(tmp_path, [1], np.zeros((1, 2)))
    (tmp_path / "vectors.npy").unlink()
    with pytest.raises(DataFileError, match="vectors.npy"):
        load_embedding(tmp_path)


def test_load_detects_shape_mismatch(tmp_path):
    save_embedding(tmp_path, [1, 2], np.zeros((2, 2)))
    np.save(tmp_path / "ids.npy", np.array([1, 2, 3]))
    with pytest.raises(DataFileError, match="mismatch"):
        load_embedding(tmp_path)


def test_meta_is_plain_json(tmp_path):
    save_embedding(tmp_path, [1], np.zeros((1, 3)), {"config": {"p": 1.0}})
    assert json.loads((tmp_path / "embedding.json").read_text())["config"] == {"p": 1.0}
