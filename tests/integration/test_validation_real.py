"""PharmacotherapyDB mapping and validation on the real bundle.

Numbers measured on the bundle of ``MANIFEST.tsv`` with VALIDATION_VERSION 1:
601 drugs, 566 mapped (563 by id routes, 3 by name; DB01356 lithium keeps two
chemicals); 97 diseases, 95 mapped (93 by mesh_mappings, 2 by name); source
rows mapped DM 703/755, SYM 373/390, NOT 221/243; 277 distinct DM pairs are not
CTD pairs. Ranges leave room for small rule changes.
"""

from __future__ import annotations

import numpy as np
import pytest

from ddi_core.data import entities as E
from ddi_core.data import loaders
from ddi_core.facts import pharmacotherapydb as mapping
from ddi_core.validation import ptdb as V

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mapped(real_home):
    return mapping.map_pharmacotherapydb()


@pytest.fixture(scope="module")
def ctd(real_home):
    return loaders.load_ctd_chemical_disease()[["chemical_id", "disease_id"]]


def test_mapping_counts(mapped):
    _, rep = mapped
    assert rep["drugs_total"] == 601
    assert 555 <= rep["drugs_mapped"] <= 580
    assert rep["diseases_total"] == 97
    assert 93 <= rep["diseases_mapped"] <= 97
    assert rep["pairs_total"] == {"DM": 755, "SYM": 390, "NOT": 243, "all": 1388}
    assert 680 <= rep["pairs_mapped"]["DM"] <= 730
    assert 355 <= rep["pairs_mapped"]["SYM"] <= 390
    assert 205 <= rep["pairs_mapped"]["NOT"] <= 243
    # the curated DrugCentral MeSH link carries most drugs; the name route is a last resort
    routes = rep["drug_routes"]
    assert routes["drugcentral_mesh"] >= 480
    assert routes["name"] <= 10
    assert sum(routes.values()) == rep["drugs_mapped"]
    assert rep["disease_routes"]["mesh_mappings"] >= 90
    j = rep["joins"]
    assert j["ptdb.drugs.drugbank_to_drugcentral"]["matched"] == 595
    assert j["ptdb.drugs.mapped"]["matched"] == rep["drugs_mapped"]
    assert j["ptdb.pairs.DM"]["matched"] == rep["pairs_mapped"]["DM"]


def test_known_examples(mapped):
    m, _ = mapped
    met = m[m["drugbank_id"] == "DB00331"]
    assert set(met["chemical_id"]) == {"D008687"}  # metformin
    assert met["drug_route"].iloc[0] == "drugcentral_mesh"
    t2d = met[met["doid_id"] == "DOID:9352"]
    assert t2d["disease_id"].tolist() == ["D003924"]  # Diabetes Mellitus, Type 2
    assert t2d["category"].astype(str).tolist() == ["DM"]
    assert t2d["disease_route"].tolist() == ["mesh_mappings"]
    # testosterone: DrugCentral lists four esters under DB00624; the name picks the parent
    assert set(m.loc[m["drugbank_id"] == "DB00624", "chemical_id"]) == {"D013739"}
    # alcohol dependence has no DOID row in mesh_mappings; the MeSH synonym finds Alcoholism
    alc = m[m["doid_id"] == "DOID:0050741"]
    assert set(alc["disease_id"]) == {"D000437"}
    assert set(alc["disease_route"]) == {"name"}


def test_only_project_ids(mapped):
    m, _ = mapped
    assert set(m["chemical_id"]) <= set(E.drugs()["chemical_id"])
    d = E.diseases().set_index("disease_id")
    flags = d.loc[sorted(set(m["disease_id"]))]
    assert (flags["is_ctd_disease"] | flags["in_disease_tree"]).all()
    assert not m.duplicated(["chemical_id", "disease_id", "category"]).any()


def test_validate_popularity_and_random(mapped, ctd):
    m, rep = mapped
    pop = V.popularity_from_pairs(ctd)

    def pop_fn(c: np.ndarray, d: np.ndarray) -> np.ndarray:
        return pop.reindex(d).fillna(0.0).to_numpy()

    r = V.validate(pop_fn, ctd_pairs=ctd, indications=m, mapping=rep)["pharmacotherapydb"]
    assert r["dm_pairs"] == rep["pairs_distinct"]["DM"]
    assert r["not_pairs"] == rep["pairs_distinct"]["NOT"]
    assert 260 <= r["dm_heldout_total"] <= 300
    assert r["dm_heldout_pairs"] == r["dm_heldout_total"]
    # the scorer is the baseline: both give the same numbers
    assert r["dm_vs_not_auroc"] == pytest.approx(r["popularity"]["dm_vs_not_auroc"])
    assert r["dm_heldout_median_percentile"] == pytest.approx(
        r["popularity"]["dm_heldout_median_percentile"]
    )
    # measured: curated NOT diseases are more popular in CTD than DM ones (AUROC 0.44),
    # and held-out DM diseases are popular ones (median percentile 84)
    assert 0.35 < r["dm_vs_not_auroc"] < 0.55
    assert 75 < r["dm_heldout_median_percentile"] < 92

    rng = np.random.default_rng(0)

    def rand_fn(c: np.ndarray, d: np.ndarray) -> np.ndarray:
        s = rng.random(len(c))
        s[np.isin(c.astype(str), ["D008687"])] = np.nan  # metformin cannot be featurised
        return s

    r = V.validate(rand_fn, ctd_pairs=ctd, indications=m, mapping=rep)["pharmacotherapydb"]
    n_met = int(m[m["category"].isin(["DM", "NOT"]) & (m["chemical_id"] == "D008687")].shape[0])
    assert r["excluded_unfeaturised"] == n_met > 0
    assert 0.4 < r["dm_vs_not_auroc"] < 0.6
    assert 40 < r["dm_heldout_median_percentile"] < 60
