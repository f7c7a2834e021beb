"""User pair files and --exclude-pairs on the real bundle."""

from __future__ import annotations

import numpy as np
import pytest

from ddi_core.errors import DataFileError

pytestmark = pytest.mark.integration


def test_pair_csv_by_name_or_id_with_or_without_header(real_home, tmp_path):
    from ddi_core.pairs import read_pair_csv

    f = tmp_path / "p.csv"
    f.write_text("drug,disease\nmetformin,Diabetes Mellitus, Type 2\nD008687,D003920\n".replace(
        "Diabetes Mellitus, Type 2", '"Diabetes Mellitus, Type 2"'))
    df = read_pair_csv(f)
    assert df["chemical_id"].tolist() == ["D008687", "D008687"]
    assert df["disease_id"].tolist() == ["D003924", "D003920"]
    assert df["line"].tolist() == [2, 3]
    g = tmp_path / "noheader.csv"
    g.write_text("D008687,D003924\n")
    assert read_pair_csv(g)["disease_id"].tolist() == ["D003924"]


def test_bad_pair_csv_names_the_line(real_home, tmp_path):
    from ddi_core.pairs import read_pair_csv

    f = tmp_path / "bad.csv"
    f.write_text("drug,disease\nmetformin,D003924\nmetforminn,D003924\n")
    with pytest.raises(DataFileError, match=r"bad.csv: line 3: unknown drug: 'metforminn'.*Metformin"):
        read_pair_csv(f)
    e = tmp_path / "empty_cell.csv"
    e.write_text("drug,disease\n,D003924\n")
    with pytest.raises(DataFileError, match="line 2: empty drug or disease"):
        read_pair_csv(e)


def test_excluded_pairs_leave_positives_and_are_never_negatives(real_home, tmp_path):
    from ddi_core.config import WalkConfig
    from ddi_core.embed.node2vec import mesh_embedding
    from ddi_core.pairs import build_pair_data, read_pair_csv
    from ddi_core.profiles import drug_profiles
    from ddi_core.splits import pair_keys, split_pairs

    prof = drug_profiles(WalkConfig())
    mesh = mesh_embedding()
    ids = np.asarray(mesh.ids).astype(str)
    base = build_pair_data(prof.drug_ids, prof.X, ids, mesh.vectors)
    # two real CTD positives of metformin and one unknown pair
    f = tmp_path / "ex.csv"
    f.write_text("drug,disease\nD008687,D003924\nD008687,D006973\nD008687,D009369\n")
    ex = read_pair_csv(f)
    data = build_pair_data(prof.drug_ids, prof.X, ids, mesh.vectors, exclude=ex)
    assert data.counts["exclude_in_tables"] == 3
    assert data.counts["excluded_positives"] == base.counts["positives"] - data.counts["positives"]
    assert data.counts["excluded_positives"] >= 1
    split = split_pairs(data.pos_drug, data.pos_dis, len(data.drug_ids), len(data.dis_ids),
                        neg_ratio=3.0, seed=1, exclude=(data.excluded[:, 0], data.excluded[:, 1]))
    n_dis = len(data.dis_ids)
    ex_keys = set(pair_keys(data.excluded[:, 0], data.excluded[:, 1], n_dis).tolist())
    for part in (split.train, split.val, split.test):
        assert not ex_keys & set(pair_keys(part.drug, part.dis, n_dis).tolist())
