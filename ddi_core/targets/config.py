"""Configuration of the drug-target stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from ddi_core.seeds import sub_seed
from ddi_core.targets.decision import DEFAULT_ACTIVATION_THRESHOLD, DEFAULT_INHIBITION_THRESHOLD
from ddi_core.targets.model import DrugTargetClassifier, Precision

STAGE = "targets"


#: Bumped whenever the stage's logic changes (part of the cache key). 3: its
#: sub-seeds come from :func:`ddi_core.seeds.sub_seed` (the run's derivation; the
#: stage had its own, big-endian one, which gave other values).
STAGE_VERSION = 3


SeedSource = Literal["known", "predicted", "known+predicted"]


@dataclass(frozen=True)
class TargetConfig:
    """Everything that determines the ``targets`` stage (its cache key).

    The network follows the method (600 → 1024 → 1024 → 3, BatchNorm, ELU,
    dropout 0.2, thresholds 0.88 / 0.45). The paper gives no optimiser settings
    for this classifier; Adam 1e-3, weight decay 1e-5, batch 256 and early
    stopping with patience 10 on the drug-disjoint validation loss are ours.

    Attributes
    ----------
    negative_ratio : float
        Sampled ``none`` pairs per known signed pair (per drug).
    fractions : (train, val, test)
        Shares of the labelled drugs in each split.
    network, include_phy : str, bool
        Signaling network whose genes are scored (see
        :func:`ddi_core.graphs.signaling.load_signaling_network`).
    precision : {"auto", "float32", "bfloat16"}
        Grid scoring precision (see :meth:`ddi_core.targets.scorer.FactorisedTargetScorer.grid`).
    logistic_Cs : tuple of float
        Inverse regularisation strengths tried for the logistic-regression
        baseline (chosen by validation macro-F1).
    seed : int
        Root seed; named sub-seeds for negatives, split and the classifier.
    prior_correction : bool
        Correct the grid's probabilities from the training prior to the
        deployment prior (:func:`ddi_core.targets.calls.class_priors`) before
        deciding.
    call_rule : {"threshold", "top_k"}
        The paper's thresholds, or the ``top_k`` likeliest targets per drug.
    rank_by : {"probability", "lift"}
        With ``top_k``: rank a drug's genes by ``P(target)``, or by
        ``P(target) / mean_g ** lift_power`` where ``mean_g`` is the gene's mean
        ``P(target)`` over drugs (``lift_power`` 1: the lift; 0: the probability).
    """

    negative_ratio: float = 2.0
    fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)
    hidden: tuple[int, ...] = (1024, 1024)
    dropout: float = 0.2
    lr: float = 1e-3
    weight_decay: float = 1e-5
    batch_size: int = 256
    max_epochs: int = 100
    patience: int = 10
    standardize: bool = True
    class_weight: Literal["balanced"] | None = None
    inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD
    activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD
    network: str = "hsn"
    include_phy: bool = False
    precision: Precision = "auto"
    logistic_Cs: tuple[float, ...] = (0.01, 0.1, 1.0)
    seed: int = 0
    prior_correction: bool = False
    call_rule: Literal["threshold", "top_k"] = "threshold"
    top_k: int = 10
    rank_by: Literal["probability", "lift"] = "probability"
    lift_power: float = 1.0

    @classmethod
    def quick(cls, **overrides: Any) -> TargetConfig:
        """Same network and data; at most 8 epochs, patience 3, one logistic ``C`` (demos, tests)."""
        return replace(cls(max_epochs=8, patience=3, logistic_Cs=(0.1,)), **overrides)

    def key(self) -> dict[str, Any]:
        """The cache-key part of the config."""
        return {"version": STAGE_VERSION, **asdict(self)}

    def classifier(self, *, drug_dim: int = 300, device: str | None = None) -> DrugTargetClassifier:
        """An unfitted classifier with these settings (early stopping on ``eval_set``)."""
        return DrugTargetClassifier(
            drug_dim=drug_dim,
            hidden=tuple(self.hidden),
            dropout=self.dropout,
            lr=self.lr,
            weight_decay=self.weight_decay,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            patience=self.patience,
            standardize=self.standardize,
            class_weight=self.class_weight,
            inhibition_threshold=self.inhibition_threshold,
            activation_threshold=self.activation_threshold,
            device=device,
            random_state=sub_seed(self.seed, "classifier"),
        )
