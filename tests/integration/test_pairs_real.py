"""User pair files and --exclude-pairs on the real bundle."""

from __future__ import annotations

import numpy as np
import pytest

from ddi_core.errors import DataFileError

pytestmark = pytest.mark.integration


def test_pair_csv_by_name_or_id_with_or_without_header(real_home, tmp_path):
    from ddi_core.pairs.labels import read_pair_csv

    f = tmp_path / "p.csv"
    f.write_text(
        "drug,disease\nmetformin,Diabetes Mellitus, Type 2\nD008687,D003920\n".replace(
            "Diabetes Mellitus, Type 2", '"Diabetes Mellitus, Type 2"'
        )
    )
    df = read_pair_csv(f)
    assert df["chemical_id"].tolist() == ["D008687", "D008687"]
    assert df["disease_id"].tolist() == ["D003924", "D003920"]
    assert df["line"].tolist() == [2, 3]
    g = tmp_path / "noheader.csv"
    g.write_text("D008687,D003924\n")
    assert read_pair_csv(g)["disease_id"].tolist() == ["D003924"]


def test_bad_pair_csv_names_the_line(real_home, tmp_path):
    from ddi_core.pairs.labels import read_pair_csv

    f = tmp_path / "bad.csv"
    f.write_text("drug,disease\nmetformin,D003924\nmetforminn,D003924\n")
    with pytest.raises(
        DataFileError, match=r"bad.csv: line 3: unknown drug: 'metforminn'.*Metformin"
    ):
        read_pair_csv(f)
    e = tmp_path / "empty_cell.csv"
    e.write_text("drug,disease\n,D003924\n")
    with pytest.raises(DataFileError, match="line 2: empty drug or disease"):
        read_pair_csv(e)


def test_excluded_pairs_leave_positives_and_are_never_negatives(real_home, tmp_path):
    from ddi_core.config.run import WalkConfig
    from ddi_core.embed.node2vec_stages import mesh_embedding
    from ddi_core.pairs.labels import build_pair_data, read_pair_csv
    from ddi_core.pairs.splits import pair_keys, split_pairs
    from ddi_core.walk.profiles import drug_profiles

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
    split = split_pairs(
        data.pos_drug,
        data.pos_dis,
        len(data.drug_ids),
        len(data.dis_ids),
        neg_ratio=3.0,
        seed=1,
        exclude=(data.excluded[:, 0], data.excluded[:, 1]),
    )
    n_dis = len(data.dis_ids)
    ex_keys = set(pair_keys(data.excluded[:, 0], data.excluded[:, 1], n_dis).tolist())
    for part in (split.train, split.val, split.test):
        assert not ex_keys & set(pair_keys(part.drug, part.dis, n_dis).tolist())


def test_header_blank_lines_and_line_numbers(real_home, tmp_path):
    from ddi_core.pairs.labels import read_pair_csv

    f = tmp_path / "blank.csv"
    f.write_text('disease,drug\n\nD003924,metformin\n\n\n"Diabetes Mellitus, Type 2",zzzqq\n')
    with pytest.raises(DataFileError, match=r"blank.csv: line 6: unknown drug: 'zzzqq'"):
        read_pair_csv(f)  # the file's own line number, after three blank lines
    f.write_text("disease,drug\n\nD003924,metformin\n")
    df = read_pair_csv(f)  # columns in any order
    assert df[["line", "chemical_id", "disease_id"]].values.tolist() == [[3, "D008687", "D003924"]]
    h = tmp_path / "header.csv"
    h.write_text("foo,bar\nmetformin,D003924\n")
    with pytest.raises(DataFileError, match=r"line 1: unrecognised header 'foo,bar'"):
        read_pair_csv(h)
    d = tmp_path / "adir"
    d.mkdir()
    with pytest.raises(DataFileError, match="is a directory"):
        read_pair_csv(d)
    big = tmp_path / "big.csv"
    big.write_text("drug,disease\n" + "metformin,D003924\n" * 200)
    with pytest.raises(DataFileError, match="MiB limit of a pair file"):
        read_pair_csv(big, max_bytes=1000)


def test_names_that_are_ambiguous_of_the_other_kind_or_not_ascii(real_home):
    from ddi_core.data import entities
    from ddi_core.errors import UnknownEntityError
    from ddi_core.facts import names as N

    with pytest.raises(UnknownEntityError, match=r"it is the disease D003924, not a drug"):
        N.resolve_drug("D003924")
    with pytest.raises(UnknownEntityError, match=r"it is the drug D008687, not a disease"):
        N.resolve_disease("metformin")
    with pytest.raises(UnknownEntityError, match=r"unknown drug: 'Aspirin®  ñ 阿司匹林'"):
        N.resolve_drug("Aspirin®  ñ 阿司匹林")
    assert N.resolve_drug("Aspirin®") == "D001241"  # a symbol is folded, letters not
    # a name shared by several chemicals is called ambiguous, with the candidates
    names = entities.table("drug_names")
    ctd = names[names["kind"] == "ctd_name"]
    folded = ctd["name"].str.casefold()
    shared = ctd[folded.duplicated(keep=False)]
    if len(shared):
        name = shared["name"].iloc[0]
        with pytest.raises(UnknownEntityError, match="ambiguous drug") as err:
            N.resolve_drug(name)
        assert err.value.ambiguous and len(err.value.suggestions) >= 2


def test_indexed_lookup_answers_as_the_table_scan(real_home):
    """The indexed resolver gives the old scan's answer (id, or ambiguous) on real CTD and
    MeSH names; what only the new tiers find (brand names, codes) the scan cannot."""
    from ddi_core.data import entities
    from ddi_core.errors import UnknownEntityError
    from ddi_core.facts import names as N

    old_tiers = {"id", "ctd_name", "mesh_label", "mesh_synonym", "salt_stripped"}
    rng = np.random.default_rng(0)
    for kind, table, lookup in (
        ("drug", "drug_names", N.lookup_drug),
        ("disease", "disease_names", N.lookup_disease),
    ):
        names = entities.table(table)
        sample = names["name"].to_numpy()[rng.integers(0, len(names), 40)].tolist()
        sample += ["metformin", "IMATINIB", "D008687", "mesh:D003924", "asprin"]
        for q in sample:

            def outcome(fn, q=q):
                try:
                    return fn(q)
                except UnknownEntityError as exc:
                    return ("error", exc.ambiguous)

            fast = outcome(lookup)
            slow = outcome(lambda x, k=kind: entities._resolve_by_scan(k, x))
            if fast[0] == "error":
                assert slow[0] == "error" and slow[1] == fast[1], (kind, q, fast, slow)
            elif fast[1] in old_tiers:
                assert fast[0] == slow, (kind, q, fast, slow)
            else:
                assert slow[0] == "error", (kind, q, fast, slow)
