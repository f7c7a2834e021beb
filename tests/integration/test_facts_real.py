"""The facts layer on the real bundle: disease classes of real terms, where each known pair
comes from, the FDA list, and the names people type."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def classes(real_home):
    from ddi_core.data import entities
    from ddi_core.data.disease_classes import disease_classes

    d = entities.diseases()
    return disease_classes(d), d.set_index("disease_id")


@pytest.mark.parametrize(
    ("expected", "terms"),
    [
        ("sign or symptom", ["Pain", "Fever", "Edema", "Seizures", "Catalepsy", "Weight Loss"]),
        ("pathological process", ["Necrosis", "Inflammation", "Fibrosis", "Ischemia"]),
        (
            "experimental model",
            [
                "Neoplasms, Experimental",
                "Diabetes Mellitus, Experimental",
                "Liver Cirrhosis, Experimental",
                "Disease Models, Animal",
                "Carcinoma, Ehrlich Tumor",
            ],
        ),
        (
            "chemically induced",
            [
                "Chemical and Drug Induced Liver Injury",
                "Drug-Related Side Effects and Adverse Reactions",
                "Dyskinesia, Drug-Induced",
                "Poisoning",
                "Neurotoxicity Syndromes",
            ],
        ),
        (
            "substance-related disorder",
            ["Alcoholism", "Substance Withdrawal Syndrome", "Opioid-Related Disorders"],
        ),
        (
            "disease",
            ["Diabetes Mellitus, Type 2", "Breast Neoplasms", "Obesity", "Sepsis", "Hypertension"],
        ),
    ],
)
def test_real_terms_of_each_class(classes, expected, terms):
    cls, d = classes
    ids = {label: i for i, label in zip(d.index, d["label"], strict=True) if label in terms}
    assert set(ids) == set(terms)
    assert {t: cls[ids[t]] for t in terms} == dict.fromkeys(terms, expected)


def test_class_counts_in_the_report(real_home):
    from ddi_core.data import loaders
    from ddi_core.data.report import coverage_report

    rep = coverage_report()["disease_classes"]
    pairs = loaders.load_ctd_chemical_disease()[["chemical_id", "disease_id"]].drop_duplicates()
    assert sum(v["ctd_pairs"] for v in rep.values()) == len(pairs) == 37_368
    # the counts: 431 pairs on drug-induced liver injury alone, 874 on
    # "…, Experimental" terms, 3,202 on terms whose every tree number is in C23
    assert rep["chemically induced"]["ctd_pairs"] >= 431 + 173 + 163
    assert rep["experimental model"]["ctd_pairs"] >= 874
    assert rep["sign or symptom"]["ctd_pairs"] + rep["pathological process"]["ctd_pairs"] >= 3202


def test_every_all_c23_term_is_a_sign_or_a_process(classes):
    cls, d = classes
    trees = d["tree_numbers"].fillna("")
    c23 = [i for i, t in trees.items() if t and all(x.startswith("C23") for x in t.split("|"))]
    assert len(c23) > 100
    assert {cls[i] for i in c23} <= {"sign or symptom", "pathological process"}


def test_where_known_pairs_come_from(real_home):
    from ddi_core.facts import drugcentral
    from ddi_core.facts.known import known_pairs

    kp = known_pairs()
    # metformin – type 2 diabetes: on the label, a PharmacotherapyDB DM and in CTD
    assert kp.pair("D008687", "D003924") == {
        "indication": ["DrugCentral", "PTDB DM"],
        "literature": ["CTD"],
        "non_indication": [],
    }
    t = kp.table
    assert set(t["source"]) == {"drugcentral", "ptdb_dm", "ptdb_sym", "ctd", "ptdb_not"}
    assert (t["source"] == "ctd").sum() == 37_368
    assert (t["source"] == "ptdb_not").sum() >= 200
    rep = drugcentral.report()["indications"]
    assert rep["rows"] == 12_175
    assert rep["rows_mapped"] + sum(rep["unmapped"].values()) == rep["rows"]
    assert rep["rows_mapped"] > 4000 and rep["pairs"] > 4000
    assert rep["disease_routes"]["doid"] > 3000 and rep["disease_routes"]["name"] > 1000


def test_the_fda_list_keeps_approved_drugs_and_not_tool_compounds(real_home):
    from ddi_core.data import entities
    from ddi_core.facts.drugcentral import approved_drugs

    approved = set(approved_drugs()["chemical_id"])
    assert 1300 < len(approved) < 2331
    names = entities.drugs().set_index("chemical_id")["name"]
    for drug in ("D008687", "D001241", "D000068877"):  # metformin, aspirin, imatinib
        assert drug in approved, names.get(drug)
    tools = names[
        names.isin(["2-(4-morpholinyl)-8-phenyl-4H-1-benzopyran-4-one", "trichostatin A"])
    ].index
    assert len(tools) >= 1 and not set(tools) & approved


def test_the_names_people_type(real_home):
    from ddi_core.errors import UnknownEntityError
    from ddi_core.facts import names as N
    from ui.pickers import DISEASE_EXAMPLES, DRUG_EXAMPLES

    drugs = {
        "glucophage": "D008687",
        "Lipitor": "D000069059",
        "viagra": "D000068677",
        "gleevec": "D000068877",
        "STI571": "D000068877",
        "sti-571": "D000068877",
        "zestril": "D017706",
        "nolvadex": "D013629",
        "prozac": "D005473",
    }
    for q, want in drugs.items():
        assert N.resolve_drug(q) == want, q
    diseases = {
        "breast cancer": "D001943",
        "CML": "D015464",
        "T2D": "D003924",
        "Alzheimer's": "D000544",
        "lung cancer": "D008175",
        "heart attack": "D009203",
    }
    for q, want in diseases.items():
        assert N.resolve_disease(q) == want, q
    # every example a text box shows resolves
    for q in DRUG_EXAMPLES:
        N.resolve_drug(q)
    for q in DISEASE_EXAMPLES:
        N.resolve_disease(q)
    # a typo of a brand name suggests the drug it names
    with pytest.raises(UnknownEntityError) as err:
        N.resolve_drug("glucophag")
    assert err.value.suggestions[0] == "Metformin"
    with pytest.raises(UnknownEntityError):
        N.resolve_drug("viagraa' OR 1=1 --")


def test_name_coverage(real_home):
    from ddi_core.facts.name_coverage import name_coverage

    c = name_coverage()
    p, b = c["ptdb"], c["brands"]
    assert p["names"] == 601 and p["right"] >= 560 and p["wrong"] <= 2
    assert b["names"] == 50 and b["right"] >= 44 and b["wrong"] == 0


def test_every_abbreviation_expands_to_its_own_mesh_term(real_home):
    from ddi_core.data import loaders
    from ddi_core.facts.aliases import abbreviations

    m = loaders.load_mesh_labels().set_index("mesh_id")
    ab = abbreviations()
    assert len(ab) >= 30 and ab["alias"].is_unique
    for r in ab.itertuples():
        row = m.loc[r.mesh_id]
        assert r.expansion in [row["label"], *row["synonyms"].split("|")], r
