"""Labelled drug-target pairs (known signed targets plus sampled 'none' pairs) and the drug-disjoint split."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.targets.decision import ACTIVATION, CLASSES, INHIBITION, NONE

log = logging.getLogger(__name__)


@dataclass
class TargetPairs:
    """Labelled drug–gene pairs.

    Attributes
    ----------
    table : pandas.DataFrame
        ``chemical_id`` (str), ``entrez`` (int64), ``label`` (0/1/2 class
        index), ``known`` (bool: from the signed DTI table, not sampled).
    stats : dict
        How many DTI rows survived each filter and the label counts.
    """

    table: pd.DataFrame
    stats: dict[str, Any]


def build_target_pairs(
    dti: pd.DataFrame,
    drug_ids: Iterable[Any],
    gene_ids: Iterable[Any],
    *,
    negative_ratio: float = 2.0,
    exclude_pairs: pd.DataFrame | None = None,
    random_state: int = 0,
) -> TargetPairs:
    """Signed pairs with both vectors, plus sampled ``none`` pairs.

    Parameters
    ----------
    dti : pandas.DataFrame
        Signed drug–target pairs with ``chemical_id``, ``entrez`` and ``sign``
        (±1). A pair listed with both signs is dropped (counted).
    drug_ids, gene_ids : iterable
        Drugs with an InfoGraph vector; genes with a node2vec vector.
    negative_ratio : float
        ``none`` pairs per known pair, sampled per drug (``round(ratio × k)``
        for a drug with ``k`` known targets) uniformly among genes with a
        vector and no known interaction with that drug.
    exclude_pairs : pandas.DataFrame, optional
        Further ``(chemical_id, entrez)`` pairs never sampled as ``none`` (e.g.
        unsigned interactions).
    random_state : int
        Seed of the negative sampling.

    Returns
    -------
    TargetPairs
    """
    need = {"chemical_id", "entrez", "sign"}
    if not need <= set(dti.columns):
        raise ValueError(f"DTI table lacks columns {sorted(need - set(dti.columns))}")
    d = dti[["chemical_id", "entrez", "sign"]].copy()
    d["chemical_id"] = d["chemical_id"].astype(str)
    d["entrez"] = d["entrez"].astype(np.int64)
    d["sign"] = d["sign"].astype(np.int64)
    stats: dict[str, Any] = {"dti_rows": int(len(d))}
    bad_sign = ~d["sign"].isin([-1, 1])
    stats["dti_rows_bad_sign"] = int(bad_sign.sum())
    d = d[~bad_sign]
    agg = d.groupby(["chemical_id", "entrez"], sort=True)["sign"].agg(["min", "max"]).reset_index()
    conflict = agg["min"] != agg["max"]
    stats["dti_pairs"] = int(len(agg))
    stats["dti_pairs_conflicting_sign"] = int(conflict.sum())
    agg = agg[~conflict].rename(columns={"min": "sign"})[["chemical_id", "entrez", "sign"]]
    drug_set = {str(x) for x in drug_ids}
    genes = np.unique(np.asarray(list(gene_ids), dtype=np.int64))
    has_d = agg["chemical_id"].isin(drug_set)
    has_g = agg["entrez"].isin(genes)
    stats["dti_pairs_no_drug_vector"] = int((~has_d).sum())
    stats["dti_pairs_no_gene_vector"] = int((has_d & ~has_g).sum())
    stats["dti_drugs"] = int(agg["chemical_id"].nunique())
    stats["dti_drugs_with_vector"] = int(agg.loc[has_d, "chemical_id"].nunique())
    known = agg[has_d & has_g].reset_index(drop=True)
    known["label"] = np.where(known["sign"] < 0, INHIBITION, ACTIVATION).astype(np.int64)
    stats["known_pairs"] = int(len(known))
    stats["known_drugs"] = int(known["chemical_id"].nunique())
    stats["known_genes"] = int(known["entrez"].nunique())

    # drug -> genes never to sample as "none": every signed pair (incl.
    # conflicting and sign-filtered ones) and the explicit exclusions
    taboo = dti[["chemical_id", "entrez"]].astype({"chemical_id": str, "entrez": np.int64})
    if exclude_pairs is not None and len(exclude_pairs):
        taboo = pd.concat(
            [
                taboo,
                exclude_pairs[["chemical_id", "entrez"]].astype(
                    {"chemical_id": str, "entrez": np.int64}
                ),
            ]
        )
    taboo_by_drug = (
        taboo.groupby("chemical_id")["entrez"].apply(lambda s: set(s.tolist())).to_dict()
    )

    rng = np.random.default_rng(random_state)
    gene_set = set(genes.tolist())
    neg_d: list[str] = []
    neg_g: list[np.ndarray] = []
    short = 0
    for drug, k in known.groupby("chemical_id", sort=True).size().items():
        want = int(math.floor(negative_ratio * k + 0.5))
        if want <= 0:
            continue
        banned = taboo_by_drug.get(drug, set())
        allowed_n = len(genes) - len(banned & gene_set)
        take = min(want, allowed_n)
        short += want - take
        if 2 * take > allowed_n:  # dense request: sample from the explicit complement
            allowed = genes[~np.isin(genes, np.fromiter(banned, np.int64, len(banned)))]
            picked = rng.choice(allowed, size=take, replace=False).tolist()
        else:  # sparse request: rejection sampling, in order of draw
            picked = []
            chosen: set[int] = set()
            while len(picked) < take:
                cand = genes[rng.integers(0, len(genes), size=2 * (take - len(picked)) + 8)]
                for gg in cand.tolist():
                    if gg not in banned and gg not in chosen:
                        chosen.add(gg)
                        picked.append(gg)
                        if len(picked) == take:
                            break
        neg_d += [drug] * take
        neg_g.append(np.asarray(picked, np.int64))
    neg = pd.DataFrame(
        {
            "chemical_id": pd.Series(neg_d, dtype=str),
            "entrez": np.concatenate(neg_g) if neg_g else np.zeros(0, np.int64),
            "label": NONE,
            "known": False,
        }
    )
    stats["none_pairs"] = int(len(neg))
    stats["none_pairs_short"] = int(short)
    table = pd.concat(
        [known[["chemical_id", "entrez", "label"]].assign(known=True), neg], ignore_index=True
    )
    table["label"] = table["label"].astype(np.int64)
    table["entrez"] = table["entrez"].astype(np.int64)
    table["chemical_id"] = table["chemical_id"].astype(str)
    stats["label_counts"] = {c: int((table["label"] == i).sum()) for i, c in enumerate(CLASSES)}
    log.info(
        "target labels: %d signed DTI pairs -> %d with both vectors (%d drugs); %s",
        stats["dti_pairs"],
        stats["known_pairs"],
        stats["known_drugs"],
        stats["label_counts"],
    )
    return TargetPairs(table=table, stats=stats)


def split_by_drug(
    drugs: Sequence[Any] | np.ndarray,
    fractions: tuple[float, float, float] = (0.7, 0.1, 0.2),
    random_state: int = 0,
) -> np.ndarray:
    """Assign every row to ``train`` / ``val`` / ``test`` with no drug in two parts.

    Parameters
    ----------
    drugs : array
        The drug of each row.
    fractions : (train, val, test)
        Shares of the distinct drugs (summing to 1).
    random_state : int
        Seed of the drug permutation.

    Returns
    -------
    numpy.ndarray
        ``<U5`` labels, one per row.
    """
    if len(fractions) != 3 or min(fractions) < 0 or not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three non-negative shares summing to 1: {fractions}")
    d = np.asarray(drugs).astype(str)
    uniq = np.unique(d)
    perm = np.random.default_rng(random_state).permutation(uniq)
    n = len(uniq)
    n_test = int(round(fractions[2] * n))
    n_val = int(round(fractions[1] * n))
    part = {x: "test" for x in perm[:n_test]}
    part.update({x: "val" for x in perm[n_test : n_test + n_val]})
    part.update({x: "train" for x in perm[n_test + n_val :]})
    return np.array([part[x] for x in d], dtype="<U5")
