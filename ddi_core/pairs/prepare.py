"""The pair data and the split of a run: the inputs both model kinds start from.

:func:`prepare` builds (from cached stages) the drug profiles, the disease
embedding and the known CTD pairs of a :class:`~ddi_core.config.run.RunConfig`;
:func:`split_for` splits them as the run's config and sub-seeds say.
"""

from __future__ import annotations

import numpy as np

from ddi_core.config.run import RunConfig
from ddi_core.embed import node2vec_stages
from ddi_core.pairs.labels import PairData, build_pair_data, read_pair_csv
from ddi_core.pairs.splits import split_pairs
from ddi_core.walk import profiles


def prepare(cfg: RunConfig) -> PairData:
    """Drug profiles, disease embeddings and CTD positives for ``cfg`` (cached stages)."""

    prof = profiles.drug_profiles(cfg.walk)
    mesh = node2vec_stages.mesh_embedding()
    exclude = read_pair_csv(cfg.train.exclude_pairs) if cfg.train.exclude_pairs else None
    data = build_pair_data(
        prof.drug_ids,
        prof.X,
        np.asarray(mesh.ids).astype(str),
        mesh.vectors.astype(np.float32),
        exclude=exclude,
    )
    data.counts["profiles"] = {k: v for k, v in prof.meta.items() if k != "config"}
    data.counts["disease_embedding"] = {"n": len(mesh), "dim": mesh.dim}
    return data


def split_for(cfg: RunConfig, data: PairData, seeds: dict[str, int]):
    """The run's :class:`~ddi_core.pairs.splits.Split` (``seeds`` from
    :func:`ddi_core.seeds.sub_seeds`); excluded pairs are never drawn as negatives."""

    t = cfg.train
    val, test = t.val_fraction, t.test_fraction
    ex = (data.excluded[:, 0], data.excluded[:, 1]) if len(data.excluded) else None
    return split_pairs(
        data.pos_drug,
        data.pos_dis,
        len(data.drug_ids),
        len(data.dis_ids),
        kind=t.split,
        fractions=(1.0 - val - test, val, test),
        neg_ratio=t.neg_ratio,
        seed=seeds["split"],
        neg_seed=seeds["negatives"],
        exclude=ex,
    )


__all__ = ["prepare", "split_for"]
