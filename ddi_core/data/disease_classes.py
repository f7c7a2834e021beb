"""A class for every disease term, from its MeSH tree numbers and its name.

CTD's therapeutic rows are not all indications: many record a protective role in an
experimental model or against a chemically induced injury, and many name a sign or a
pathological process rather than a disease. Each disease term therefore gets one class,
decided by the first rule that holds, in this order:

1. ``experimental model``: the name has the word *Experimental* ("Neoplasms,
   Experimental", "Arthritis, Experimental") or ends a part with ", Animal" (MeSH's
   animal forms: "Mammary Neoplasms, Animal", "Hepatitis, Animal"), or a tree number lies under C04.619
   (Neoplasms, Experimental: Walker 256, Ehrlich, L1210, …) or E05.598.500 (Disease
   Models, Animal), or every disease-tree number lies under C22 (Animal Diseases).
2. ``substance-related disorder``: a tree number under C25.775 or F03.900
   (Substance-Related Disorders: addiction, withdrawal, overdose). A real indication
   area (naltrexone, varenicline, naloxone), so kept apart from rule 3 and shown in the
   clinical view.
3. ``chemically induced``: another tree number under C25 (Chemically-Induced Disorders:
   drug side effects, drug-induced organ injury, poisoning), or the name says so
   ("Drug-Induced", "Chemically-Induced", "Chemical and Drug Induced", "Poisoning",
   "Toxicity").
4. ``sign or symptom`` / ``pathological process``: every disease-tree number lies in
   the branches that describe findings rather than diseases: C23 (Pathological
   Conditions, Signs and Symptoms), C10.597 (Neurologic Manifestations, the nervous
   system's copy of C23.888.592) and C04.697 (Neoplastic Processes). The split: a term
   with a number under C23.888 (Signs and Symptoms) or C10.597 is a **sign or symptom**
   (Pain, Fever, Edema, Seizures, Catalepsy, Weight Loss); the others (C23.550
   Pathologic Processes, C23.300 Pathological Conditions, Anatomical, C23.149
   Morphological Findings, C04.697) are a **pathological process** (Necrosis,
   Inflammation, Fibrosis, Ischemia, Carcinogenesis). MeSH itself draws this line: the
   first are what a clinician observes in a patient, the second what a pathologist
   describes in tissue.
5. ``disease``: everything else, including a term that has one number in a disease
   branch beside its C23 numbers (Obesity: C18 and C23; Sepsis: C01 and C23.550), and
   a term without tree numbers (a CTD supplementary concept) whose name matches no rule.

"Disease tree" means the tree numbers that start with C or F03 (Mental Disorders); the
others (F01 behaviour, G physiology, E techniques) do not decide a class, except E05.598.500
in rule 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import pandas as pd

DiseaseClass = Literal[
    "disease",
    "sign or symptom",
    "pathological process",
    "experimental model",
    "chemically induced",
    "substance-related disorder",
]

#: Every class, in the order a table or a report lists them.
CLASSES: tuple[str, ...] = (
    "disease",
    "sign or symptom",
    "pathological process",
    "substance-related disorder",
    "chemically induced",
    "experimental model",
)
#: Hidden from the clinical view (a protective role in a model, or an injury caused by a
#: chemical: never an indication).
HIDDEN_IN_CLINICAL: frozenset[str] = frozenset({"experimental model", "chemically induced"})
#: Shown in the clinical view but marked (a symptomatic indication at best).
MARKED_IN_CLINICAL: frozenset[str] = frozenset({"sign or symptom", "pathological process"})
#: One sentence per class, for tooltips and the explanation panel.
CLASS_MEANING: dict[str, str] = {
    "disease": "a disease or disorder (MeSH Diseases or Mental Disorders branch)",
    "sign or symptom": "a sign or symptom, not a disease (MeSH C23.888 Signs and Symptoms "
    "or C10.597 Neurologic Manifestations only)",
    "pathological process": "a pathological process or finding, not a disease (MeSH C23.550 "
    "Pathologic Processes and related branches only)",
    "substance-related disorder": "addiction, withdrawal or overdose (MeSH C25.775 / F03.900): "
    "a real indication area",
    "chemically induced": "an injury or side effect caused by a chemical (MeSH C25, or "
    "'drug-induced' / 'poisoning' in the name): a CTD therapeutic row here is a protective "
    "role, never an indication",
    "experimental model": "an experimental model or an animal disease (MeSH 'Experimental' and "
    "', Animal' terms, C04.619, Disease Models, Animal, C22 Animal Diseases only): preclinical "
    "by definition",
}

_EXPERIMENTAL_NAME = re.compile(r"\bexperimental\b|,\s*animal\b", re.I)
_CHEMICAL_NAME = re.compile(
    r"drug[- ]induced|chemically[- ]induced|chemical and drug induced|\bpoisoning\b|\btoxicity\b",
    re.I,
)
_EXPERIMENTAL_TREES = ("C04.619", "E05.598.500")
_SUBSTANCE_TREES = ("C25.775", "F03.900")
_SIGN_TREES = ("C23.888", "C10.597")
_FINDING_TREES = ("C23", "C10.597", "C04.697")


def _under(tree: str, prefixes: Iterable[str]) -> bool:
    return any(tree == p or tree.startswith(p + ".") for p in prefixes)


def classify(tree_numbers: str, name: str) -> DiseaseClass:
    """The class of one disease term (see the module docstring for the rules).

    Parameters
    ----------
    tree_numbers : str
        ``|``-separated MeSH tree numbers (``""`` when the term has none).
    name : str
        The term's name (MeSH label or CTD name).

    Returns
    -------
    str
        One of :data:`CLASSES`.
    """
    trees = [t.strip() for t in str(tree_numbers or "").split("|") if t.strip()]
    name = str(name or "")
    disease_trees = [t for t in trees if t.startswith("C") or _under(t, ("F03",))]
    if (
        _EXPERIMENTAL_NAME.search(name)
        or any(_under(t, _EXPERIMENTAL_TREES) for t in trees)
        or (disease_trees and all(_under(t, ("C22",)) for t in disease_trees))
    ):
        return "experimental model"
    if any(_under(t, _SUBSTANCE_TREES) for t in trees):
        return "substance-related disorder"
    if any(_under(t, ("C25",)) for t in trees) or _CHEMICAL_NAME.search(name):
        return "chemically induced"
    if disease_trees and all(_under(t, _FINDING_TREES) for t in disease_trees):
        if any(_under(t, _SIGN_TREES) for t in disease_trees):
            return "sign or symptom"
        return "pathological process"
    return "disease"


def disease_classes(diseases: pd.DataFrame) -> pd.Series:
    """The class of every row of ``entities.diseases()``, indexed by ``disease_id``.

    The name a rule reads is CTD's name when the term has one, else the MeSH label.
    """
    name = diseases["ctd_name"].fillna("").astype(str)
    name = name.where(name != "", diseases["label"].fillna("").astype(str))
    out = [classify(t, n) for t, n in zip(diseases["tree_numbers"].fillna(""), name, strict=True)]
    return pd.Series(out, index=diseases["disease_id"].astype(str).to_numpy(), name="class")


def is_clinical(cls: str) -> bool:
    """Whether a class is shown in the clinical view (every class but the hidden two)."""
    return cls not in HIDDEN_IN_CLINICAL


__all__ = [
    "CLASSES",
    "CLASS_MEANING",
    "DiseaseClass",
    "HIDDEN_IN_CLINICAL",
    "MARKED_IN_CLINICAL",
    "classify",
    "disease_classes",
    "is_clinical",
]
