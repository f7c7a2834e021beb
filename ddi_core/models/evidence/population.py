"""Which pairs an evidence run learns from.

:func:`evidence_pair_data` is the run's population (the MLP's exact pairs, or
every drug with evidence); :func:`augment` adds the learner's extra negatives to
the training and early-stopping parts (:func:`extra_negatives`), never a known,
excluded or already drawn pair.
"""

from __future__ import annotations

import numpy as np

from ddi_core.config.run import RunConfig
from ddi_core.errors import DDIError
from ddi_core.models.evidence.tables import EvidenceTables
from ddi_core.pairs.labels import PairData, build_pair_data, read_pair_csv
from ddi_core.pairs.pairs import Pairs
from ddi_core.pairs.prepare import prepare
from ddi_core.pairs.splits import pair_keys

__all__ = ["evidence_pair_data", "extra_negatives", "augment"]


# --------------------------------------------------------------------------- #
# population
# --------------------------------------------------------------------------- #
def evidence_pair_data(cfg: RunConfig, tables: EvidenceTables) -> tuple[PairData, np.ndarray]:
    """The run's pairs and the tables row of each of its drugs.

    ``population="evidence"``: every drug of the tables; ``"paper"``: exactly
    the MLP's pair data (:func:`ddi_core.pairs.prepare.prepare`).
    """

    trow = tables.drug_row()
    if cfg.evidence.population == "paper":
        data = prepare(cfg)
        if not np.array_equal(np.asarray(data.dis_ids).astype(str), tables.dis_ids):
            raise DDIError("the MLP's disease table differs from the evidence tables' diseases")
    else:
        exclude = read_pair_csv(cfg.train.exclude_pairs) if cfg.train.exclude_pairs else None
        n = len(tables.drug_ids)
        data = build_pair_data(
            tables.drug_ids,
            np.zeros((n, 0), np.float32),
            tables.dis_ids,
            np.zeros((len(tables.dis_ids), 0), np.float32),
            exclude=exclude,
        )
        data.counts["population"] = "evidence"
    missing = [d for d in np.asarray(data.drug_ids).astype(str) if d not in trow]
    if missing:
        raise DDIError(
            f"{len(missing)} drugs of the pair data lack evidence tables, e.g. {missing[:3]}"
        )
    drug_map = np.array([trow[d] for d in np.asarray(data.drug_ids).astype(str)], np.int64)
    data.counts["population_drugs"] = int(len(data.drug_ids))
    return data, drug_map


# --------------------------------------------------------------------------- #
# extra negatives for the learner
# --------------------------------------------------------------------------- #
def extra_negatives(
    part: Pairs,
    n: int,
    forbidden: np.ndarray,
    n_dis: int,
    dis_pool: np.ndarray,
    drug_pool: np.ndarray,
    same_drug_fraction: float,
    rng: np.random.Generator,
    popular_power: float = 0.0,
) -> Pairs:
    """``n`` new negatives for one split part, never a forbidden pair, never twice.

    A ``same_drug_fraction`` share pairs a drug of the part's positives (drawn
    in proportion to its positives, as the ranking task sees drugs) with a
    random disease of ``dis_pool``; the rest pair a random drug of
    ``drug_pool`` with a random disease of ``dis_pool``. With
    ``popular_power`` α > 0 the same-drug negatives draw their disease in
    proportion to (its positives in the part + 1)^α: the hard negatives of
    the ranking task, where a drug's popular non-indications compete.
    """
    pos = part.y == 1
    pos_drugs = part.drug[pos]
    forbidden = np.unique(np.asarray(forbidden, np.int64))
    taken = np.zeros(0, np.int64)
    n_same = int(round(same_drug_fraction * n))
    dis_pool = np.asarray(dis_pool, np.int64)
    w = (np.bincount(part.dis[pos], minlength=n_dis)[dis_pool] + 1.0) ** popular_power
    dis_cdf = np.cumsum(w / w.sum())
    out_d, out_s = [], []
    for want, source in ((n_same, "same"), (n - n_same, "uniform")):
        got_d, got_s = np.zeros(0, np.int64), np.zeros(0, np.int64)
        for _ in range(50):
            need = want - len(got_d)
            if need <= 0:
                break
            m = int(need * 1.3) + 16
            d = (
                pos_drugs[rng.integers(0, len(pos_drugs), m)]
                if source == "same"
                else drug_pool[rng.integers(0, len(drug_pool), m)]
            )
            if source == "same" and popular_power > 0:
                s = dis_pool[np.minimum(np.searchsorted(dis_cdf, rng.random(m)), len(dis_pool) - 1)]
            else:
                s = dis_pool[rng.integers(0, len(dis_pool), m)]
            k = pair_keys(d, s, n_dis)
            bad = np.isin(k, forbidden) | np.isin(k, taken)
            k, d, s = k[~bad], d[~bad], s[~bad]
            _, first = np.unique(k, return_index=True)
            first = np.sort(first)[:need]
            got_d = np.concatenate([got_d, d[first]])
            got_s = np.concatenate([got_s, s[first]])
            taken = np.concatenate([taken, k[first]])
        out_d.append(got_d)
        out_s.append(got_s)
    d, s = np.concatenate(out_d), np.concatenate(out_s)
    return Pairs(d, s, np.zeros(len(d)))


def augment(split, data: PairData, cfg: RunConfig, seed: int) -> tuple[Pairs, Pairs]:
    """Training and early-stopping pairs: the split's, plus extra negatives."""
    ev = cfg.evidence
    n_dis = len(data.dis_ids)
    forbidden = np.concatenate(
        [
            pair_keys(data.pos_drug, data.pos_dis, n_dis),
            pair_keys(data.excluded[:, 0], data.excluded[:, 1], n_dis)
            if len(data.excluded)
            else np.zeros(0, np.int64),
            *(pair_keys(p.drug, p.dis, n_dis) for p in (split.train, split.val, split.test)),
        ]
    )
    rng = np.random.default_rng(seed)
    out = []
    for part in (split.train, split.val):
        pos = part.y == 1
        n_pos, n_neg = int(pos.sum()), int((~pos).sum())
        extra = max(0, int(round(ev.train_neg_ratio * n_pos)) - n_neg)
        if cfg.train.split == "drug":
            drug_pool, dis_pool = np.unique(part.drug), np.unique(data.pos_dis)
        elif cfg.train.split == "disease":
            drug_pool, dis_pool = np.unique(data.pos_drug), np.unique(part.dis)
        else:
            drug_pool, dis_pool = np.unique(data.pos_drug), np.unique(data.pos_dis)
        neg = extra_negatives(
            part,
            extra,
            forbidden,
            n_dis,
            dis_pool,
            drug_pool,
            ev.same_drug_neg_fraction,
            rng,
            popular_power=ev.popular_neg_power,
        )
        forbidden = np.concatenate([forbidden, pair_keys(neg.drug, neg.dis, n_dis)])
        out.append(Pairs.concat(part, neg))
    return out[0], out[1]
