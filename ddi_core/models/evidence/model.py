"""A trained evidence model's scorer over every drug × disease (:class:`EvidenceScorer`:
features in blocks, then the booster) and the feature builder of a training split.
Saving and loading a run's model: :mod:`ddi_core.models.evidence.kind`.
"""

from __future__ import annotations

import numpy as np

from ddi_core.config.run import RunConfig
from ddi_core.models.ease import association_matrix
from ddi_core.models.evidence.features import FeatureBuilder, Similarities
from ddi_core.models.evidence.learner import Booster
from ddi_core.models.evidence.tables import EvidenceTables
from ddi_core.models.scores import sigmoid
from ddi_core.pairs.pairs import Pairs

MODEL_FILE = "model.txt"
EVIDENCE_FILE = "evidence.json"


class EvidenceScorer:
    """Scores of a trained evidence model (the rank / evaluate scorer interface).

    Rows are the run's pair-data rows; ``drug_map`` maps them to table rows.
    """

    device = "cpu"

    def __init__(
        self, builder: FeatureBuilder, booster: Booster, drug_map: np.ndarray, block: int = 128
    ) -> None:
        self.builder, self.booster = builder, booster
        self.drug_map = np.asarray(drug_map, np.int64)
        self.block_drugs = block

    @property
    def n_drugs(self) -> int:
        return len(self.drug_map)

    @property
    def n_dis(self) -> int:
        return self.builder.t.n_dis

    def features_block(self, drug_rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        return self.builder.block(self.drug_map[np.asarray(drug_rows, np.int64)], cols)

    def logits_block(self, drug_rows: np.ndarray) -> np.ndarray:
        drug_rows = np.asarray(drug_rows, np.int64)
        out = np.empty((len(drug_rows), self.n_dis), np.float32)
        for lo in range(0, len(drug_rows), self.block_drugs):
            q = drug_rows[lo : lo + self.block_drugs]
            X = self.features_block(q)
            out[lo : lo + len(q)] = self.booster.logits(X).reshape(len(q), self.n_dis)
        return out

    def logits_for_drug(self, drug_row: int) -> np.ndarray:
        return self.logits_block(np.array([int(drug_row)]))[0]

    def logits_for_disease(self, dis_row: int) -> np.ndarray:
        out = np.empty(self.n_drugs, np.float32)
        cols = np.array([int(dis_row)])
        for lo in range(0, self.n_drugs, 2048):
            q = np.arange(lo, min(lo + 2048, self.n_drugs))
            out[q] = self.booster.logits(self.features_block(q, cols)).astype(np.float32)
        return out

    def logits_pairs(self, drug_rows: np.ndarray, dis_rows: np.ndarray) -> np.ndarray:
        X = self.builder.pairs(self.drug_map[np.asarray(drug_rows, np.int64)], dis_rows)
        return self.booster.logits(X).astype(np.float32)

    def score_pairs(self, drug_idx: np.ndarray, dis_idx: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits_pairs(drug_idx, dis_idx))

    def score_matrix(self, drug_idx: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits_block(drug_idx))

    def contributions(self, drug_row: int, dis_row: int) -> np.ndarray:
        """Per-feature contributions (TreeSHAP) to one pair's logit; last entry = bias."""
        X = self.features_block(np.array([int(drug_row)]), np.array([int(dis_row)]))
        return self.booster.contributions(X)[0]


def builder(
    tables: EvidenceTables,
    cfg: RunConfig,
    drug_map: np.ndarray,
    train: Pairs,
    lam: float,
    sims: Similarities | None = None,
    static=None,
) -> FeatureBuilder:
    pos = train.y == 1
    A = association_matrix(drug_map[train.drug[pos]], train.dis[pos], tables.n_drugs, tables.n_dis)
    return FeatureBuilder(
        tables,
        sims or Similarities.build(tables, cfg.evidence),
        cfg.evidence,
        A,
        lam,
        static=static,
    )


__all__ = ["MODEL_FILE", "EVIDENCE_FILE", "EvidenceScorer", "builder"]
