"""Every evidence feature reads as words in an explanation, never as a column name."""

from __future__ import annotations

import math

from ddi_core.config.run import EvidenceConfig
from ddi_core.models.evidence.explain import describe_feature
from ddi_core.models.evidence.names import FAMILIES, feature_names

EVERY = EvidenceConfig(
    families=FAMILIES,
    drug_sims=("profile", "targets", "chemgenes", "morgan", "infograph", "moa"),
    knn_dis_sims=("mesh", "genes", "tree"),
)


def test_every_feature_of_every_family_is_a_sentence():
    names = feature_names(EVERY)
    assert "infograph_knn_mesh" in names and len(names) > 60
    for name in names:
        for value in (0.384, math.nan):
            text = describe_feature(
                name, value, drug="Metformin", disease="Diabetes", k=20, n_dis_genes=12
            )
            assert "_" not in text and f"{name} =" not in text and "nan" not in text, (name, text)
            assert len(text.split()) >= 4, (name, text)
