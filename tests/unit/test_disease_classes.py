"""The disease-class rules on hand-made tree numbers and names (the real terms are checked
in tests/integration/test_facts_real.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from ddi_core.data.disease_classes import (
    CLASSES,
    HIDDEN_IN_CLINICAL,
    MARKED_IN_CLINICAL,
    classify,
    disease_classes,
    is_clinical,
)


@pytest.mark.parametrize(
    ("trees", "name", "expected"),
    [
        ("C04.588.180", "Breast Neoplasms", "disease"),
        # an experimental term by its name, by C04.619, by E05.598.500, by C22 alone
        ("C05.550.114.015", "Arthritis, Experimental", "experimental model"),
        ("C04.557.435|C04.619.045", "Carcinoma 256, Walker", "experimental model"),
        ("C19.246.240|E05.598.500.374", "Diabetes Mellitus, Induced", "experimental model"),
        ("C22.232", "Cattle Diseases", "experimental model"),
        ("C04.588.531|C22.520", "Mammary Neoplasms, Animal", "experimental model"),
        # a C22 number beside a human disease branch is not an animal model by the tree
        ("C01.150|C22.100", "Zoonoses", "disease"),
        # substance-related before chemically induced (both under C25)
        ("C25.775.100.250|F03.900.100.350", "Alcoholism", "substance-related disorder"),
        ("F03.900.825", "Withdrawal", "substance-related disorder"),
        ("C06.552.100|C25.100.562", "Chemical and Drug Induced Liver Injury", "chemically induced"),
        ("C10.228.662", "Parkinson Disease, Drug-Induced", "chemically induced"),
        ("", "Lead Poisoning", "chemically induced"),
        # findings: signs (C23.888, C10.597) against processes (C23.550, C04.697)
        ("C23.888.592.612|F02.830|G11.561", "Pain", "sign or symptom"),
        ("C10.597.350.200|C23.888.592.350.200", "Catalepsy", "sign or symptom"),
        ("C23.550.717", "Necrosis", "pathological process"),
        ("C04.697.098|C23.550.727.098", "Carcinogenesis", "pathological process"),
        ("C23.300.707", "A Pathological Condition", "pathological process"),
        # one number in a disease branch makes a disease (Obesity: C18 and C23)
        ("C18.654.726.750.500|C23.888.144.699.500", "Obesity", "disease"),
        ("C01.757|C23.550.470.790.500", "Sepsis", "disease"),
        # no tree number and no rule in the name (a CTD supplementary concept)
        ("", "Long QT Syndrome 3", "disease"),
    ],
)
def test_each_rule(trees, name, expected):
    assert classify(trees, name) == expected


def test_every_class_is_listed_and_the_views_are_a_partition():
    assert set(CLASSES) == {
        "disease",
        "sign or symptom",
        "pathological process",
        "substance-related disorder",
        "chemically induced",
        "experimental model",
    }
    assert HIDDEN_IN_CLINICAL == {"experimental model", "chemically induced"}
    assert not HIDDEN_IN_CLINICAL & MARKED_IN_CLINICAL
    assert [c for c in CLASSES if is_clinical(c)] == [
        "disease",
        "sign or symptom",
        "pathological process",
        "substance-related disorder",
    ]


def test_a_table_is_classed_by_its_ctd_name_else_its_label():
    table = pd.DataFrame(
        {
            "disease_id": ["D1", "D2", "C3"],
            "label": ["Necrosis", "Neoplasms, Experimental", "whatever"],
            "ctd_name": ["", "", "Mercury Poisoning"],
            "tree_numbers": ["C23.550.717", "C04.619", ""],
        }
    )
    out = disease_classes(table)
    assert out.to_dict() == {
        "D1": "pathological process",
        "D2": "experimental model",
        "C3": "chemically induced",
    }
