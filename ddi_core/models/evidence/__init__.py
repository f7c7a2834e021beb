"""The ``evidence`` model kind: leak-safe network and collaborative evidence + LightGBM.

Stages (each a function of typed inputs; the static tables are cached by their
config and input hashes):

``tables``
    :func:`~ddi_core.models.evidence.tables.evidence_tables`: everything about drugs,
    genes and diseases that does not depend on known drug–disease pairs (gene
    sets, walk profiles, structures, drug and disease similarities, STRING
    distances from each disease's genes).
``features``
    :class:`~ddi_core.models.evidence.features.FeatureBuilder`: per drug–disease pair
    features from the tables *and* a training association matrix ``A``;
    association-derived features of training pairs come out of fold.
``ease``
    The EASE collaborative-filtering scorer (Steck 2019), a feature and a
    baseline.
``learner``
    LightGBM with early stopping on the validation split, per-prediction
    contributions.
``pipeline``
    One run in the registry (same split, metrics, baselines and provenance as
    the MLP); :func:`~ddi_core.models.evidence.model.load_evidence` for ranking.
"""
