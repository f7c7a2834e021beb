"""Drug target profiles: labels, drug-disjoint evaluation, cached fit, signed seeds.

Pipeline (:func:`fit_targets`, cached as stage ``targets``):

1. **Labels** (:func:`build_target_pairs`): the signed drug–target pairs of
   :func:`ddi_core.data.entities.signed_dti` whose drug has an InfoGraph vector
   and whose gene has a node2vec vector (sign −1 → inhibition, +1 → activation),
   plus ``none`` pairs sampled per drug among genes with no known interaction
   (no signed or unsigned evidence), ``negative_ratio`` per known pair.
2. **Split by drug** (:func:`split_by_drug`): train / validation / test share no
   drug; validation drives early stopping only, test is reported.
3. **Fit** :class:`~ddi_core.targets.model.DrugTargetClassifier`; report per-class
   precision/recall/F1, macro-F1 and confusion matrices of the decision rule and
   of argmax, next to a majority-class and a logistic-regression baseline on the
   same features and splits.
4. **Grid**: every drug with a vector × every signaling-network gene with a
   vector, decided by the rule (:meth:`~ddi_core.targets.model.FactoredScorer.grid`);
   non-``none`` calls are stored.

:func:`target_profiles` turns known and/or predicted calls into a sparse signed
seed matrix over the network's nodes (+1 activation, −1 inhibition; known wins
on conflict); drugs left without a seed are listed with the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ddi_core.cache import atomic_write_json, cached, stable_hash
from ddi_core.embed.store import Embedding
from ddi_core.errors import UnknownEntityError
from ddi_core.targets.model import (
    ACTIVATION,
    CLASS_SIGN,
    CLASSES,
    DEFAULT_ACTIVATION_THRESHOLD,
    DEFAULT_INHIBITION_THRESHOLD,
    INHIBITION,
    NONE,
    DrugTargetClassifier,
    Precision,
    decide,
    sub_seed,
)

log = logging.getLogger(__name__)

STAGE = "targets"
#: Bumped whenever the stage's logic changes (part of the cache key).
STAGE_VERSION = 2
SeedSource = Literal["known", "predicted", "known+predicted"]

EpochCallback = Callable[[dict[str, Any]], None]
ProgressCallback = Callable[[int, int], None]


# ---------------------------------------------------------------------------
# labelled pairs and the drug-disjoint split
# ---------------------------------------------------------------------------


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
            [taboo, exclude_pairs[["chemical_id", "entrez"]].astype({"chemical_id": str, "entrez": np.int64})]
        )
    taboo_by_drug = taboo.groupby("chemical_id")["entrez"].apply(lambda s: set(s.tolist())).to_dict()

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
        stats["dti_pairs"], stats["known_pairs"], stats["known_drugs"], stats["label_counts"],
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


# ---------------------------------------------------------------------------
# metrics and baselines
# ---------------------------------------------------------------------------


def classification_summary(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro-F1, accuracy, confusion.

    ``confusion[i][j]`` counts rows of true class ``i`` predicted ``j``, both in
    :data:`CLASSES` order.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = [0, 1, 2]
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        "macro_f1": float(np.mean(f)),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if len(y_true) else 0.0,
        "per_class": {
            c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, c in enumerate(CLASSES)
        },
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def evaluate_proba(
    proba: np.ndarray,
    y_true: np.ndarray,
    inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
    activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
) -> dict[str, Any]:
    """:func:`classification_summary` of the decision rule and of argmax."""
    return {
        "rule": classification_summary(y_true, decide(proba, inhibition_threshold, activation_threshold)),
        "argmax": classification_summary(y_true, np.asarray(proba).argmax(axis=1)),
    }


def baseline_probas(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    Cs: Sequence[float] = (0.01, 0.1, 1.0),
    random_state: int = 0,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Test-set probabilities of a majority-class and a logistic-regression baseline.

    Both are fitted on the training rows only. Logistic regression runs on
    standardized features (multinomial, L2); its ``C`` is chosen among ``Cs``
    by validation macro-F1 (argmax) when validation rows are given, else the
    last of ``Cs``.

    Returns
    -------
    probas : dict
        ``{"majority": (n, 3), "logistic": (n, 3)}``.
    info : dict
        Chosen ``C``, validation macro-F1 per ``C``, seconds.
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import StandardScaler

    def full(model, X) -> np.ndarray:
        p = model.predict_proba(X)
        out = np.zeros((len(X), 3), np.float64)
        out[:, np.asarray(model.classes_, int)] = p
        return out

    t0 = time.perf_counter()
    maj = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    scaler = StandardScaler().fit(X_train)
    Xt = scaler.transform(X_train)
    fits: dict[float, Any] = {}
    val_f1: dict[str, float] = {}
    for C in Cs:
        m = LogisticRegression(C=C, max_iter=1000, random_state=random_state).fit(Xt, y_train)
        fits[C] = m
        if X_val is not None and y_val is not None and len(y_val):
            pred = m.predict(scaler.transform(X_val))
            val_f1[str(C)] = float(f1_score(y_val, pred, labels=[0, 1, 2], average="macro", zero_division=0))
    best = max(Cs, key=lambda c: (val_f1.get(str(c), 0.0), c)) if val_f1 else Cs[-1]
    probas = {
        "majority": full(maj, X_test),
        "logistic": full(fits[best], scaler.transform(X_test)),
    }
    info = {"logistic_C": best, "logistic_val_macro_f1": val_f1,
            "logistic_iterations": int(np.max(fits[best].n_iter_)),
            "seconds": round(time.perf_counter() - t0, 3)}
    return probas, info


# ---------------------------------------------------------------------------
# configuration and inputs
# ---------------------------------------------------------------------------


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
        Grid scoring precision (see :meth:`ddi_core.targets.model.FactoredScorer.grid`).
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


def _sha_bytes(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def embedding_hash(emb: Embedding) -> str:
    """SHA-256 of an embedding's ids and vectors."""
    return _sha_bytes(np.asarray(emb.ids), np.asarray(emb.vectors, np.float32))


def frame_hash(df: pd.DataFrame | None, columns: Sequence[str]) -> str:
    """SHA-256 of ``columns`` of ``df`` (rows sorted), ``"none"`` for ``None``."""
    if df is None:
        return "none"
    t = df[list(columns)].astype(str).sort_values(list(columns)).to_csv(index=False)
    return hashlib.sha256(t.encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class TargetInputs:
    """Data the ``targets`` stage reads.

    Attributes
    ----------
    drug_embedding : Embedding
        InfoGraph vectors, ids = CTD chemical ids.
    gene_embedding : Embedding
        node2vec vectors, ids = Entrez (int64).
    dti : pandas.DataFrame
        Signed pairs: ``chemical_id``, ``entrez``, ``sign`` (±1), optional
        ``symbol`` and ``sources``.
    network_nodes : numpy.ndarray
        int64 Entrez ids of the signaling network, in node order (the seed
        matrix's columns).
    exclude_pairs : pandas.DataFrame or None
        ``(chemical_id, entrez)`` with any known interaction (never sampled as
        ``none``).
    drug_universe : numpy.ndarray or None
        Every drug the profiles account for (default: DTI drugs ∪ embedded drugs).
    gene_symbols : dict
        Entrez → symbol, for display.
    """

    drug_embedding: Embedding
    gene_embedding: Embedding
    dti: pd.DataFrame
    network_nodes: np.ndarray
    exclude_pairs: pd.DataFrame | None = None
    drug_universe: np.ndarray | None = None
    gene_symbols: dict[int, str] = field(default_factory=dict)

    @cached_property
    def hashes(self) -> dict[str, str]:
        """Input hashes for the cache key."""
        return {
            "drug_embedding": embedding_hash(self.drug_embedding),
            "gene_embedding": embedding_hash(self.gene_embedding),
            "dti": frame_hash(self.dti, ["chemical_id", "entrez", "sign"]),
            "network_nodes": _sha_bytes(np.asarray(self.network_nodes, np.int64)),
            "exclude_pairs": frame_hash(self.exclude_pairs, ["chemical_id", "entrez"]),
        }

    def universe(self) -> np.ndarray:
        if self.drug_universe is not None:
            return np.unique(np.asarray(self.drug_universe).astype(str))
        return np.unique(
            np.concatenate(
                [self.dti["chemical_id"].astype(str).to_numpy(), np.asarray(self.drug_embedding.ids).astype(str)]
            )
        )

    def scored_genes(self) -> tuple[np.ndarray, np.ndarray]:
        """Network nodes with a gene vector: ``(entrez ids, embedding rows)``."""
        nodes = np.asarray(self.network_nodes, np.int64)
        idx = self.gene_embedding.index()
        rows = np.array([idx.get(int(g), -1) for g in nodes], np.int64)
        return nodes[rows >= 0], rows[rows >= 0]


def load_inputs(
    config: TargetConfig | None = None,
    *,
    drug_config: Any = None,
    gene_config: Any = None,
) -> TargetInputs:
    """The real inputs: entity tables, embeddings (cached stages) and network.

    Computes the drug and gene embeddings and the entity tables when they are
    not cached yet. ``drug_config`` (an ``InfoGraphConfig``) and ``gene_config``
    (a ``PPIEmbeddingConfig``) select other embeddings than the defaults (tests
    use reduced ones).
    """
    from ddi_core.data import entities, loaders
    from ddi_core.data.genes import symbol_to_entrez
    from ddi_core.embed.infograph import drug_embedding
    from ddi_core.embed.node2vec import ppi_embedding
    from ddi_core.graphs.signaling import load_signaling_network

    cfg = config or TargetConfig()
    dti = entities.signed_dti()
    genes = entities.genes()
    ev = entities.dti_evidence()[["chemical_id", "entrez"]]
    cg = loaders.load_ctd_chemical_gene()
    m = symbol_to_entrez(cg["gene_symbol"], genes)
    cg = cg.merge(m[["symbol", "entrez"]], left_on="gene_symbol", right_on="symbol", how="left")
    n_unmapped = int(cg["entrez"].isna().sum())
    cg = cg.dropna(subset=["entrez"]).astype({"entrez": np.int64})[["chemical_id", "entrez"]]
    log.info("unsigned CTD chemical-gene pairs excluded from 'none': %d (%d unmapped symbols)",
             len(cg), n_unmapped)
    exclude = pd.concat([ev, cg], ignore_index=True).drop_duplicates()
    graph = load_signaling_network(cfg.network, cfg.include_phy)  # type: ignore[arg-type]
    symbols = dict(zip(genes["entrez"].astype(np.int64).tolist(), genes["symbol"].astype(str), strict=True))
    return TargetInputs(
        drug_embedding=drug_embedding(drug_config),
        gene_embedding=ppi_embedding(gene_config),
        dti=dti,
        network_nodes=np.asarray(graph.node_ids, np.int64),
        exclude_pairs=exclude,
        drug_universe=entities.drugs()["chemical_id"].astype(str).to_numpy(),
        gene_symbols=symbols,
    )


# ---------------------------------------------------------------------------
# the cached stage
# ---------------------------------------------------------------------------


def _features(inputs: TargetInputs, table: pd.DataFrame) -> np.ndarray:
    d_idx = inputs.drug_embedding.index()
    g_idx = inputs.gene_embedding.index()
    dr = np.array([d_idx[c] for c in table["chemical_id"].astype(str)], np.int64)
    gr = np.array([g_idx[int(g)] for g in table["entrez"]], np.int64)
    return np.concatenate(
        [np.asarray(inputs.drug_embedding.vectors)[dr], np.asarray(inputs.gene_embedding.vectors)[gr]],
        axis=1,
    ).astype(np.float32)


def _split_summary(table: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ("train", "val", "test"):
        t = table[table["split"] == part]
        out[part] = {
            "pairs": int(len(t)),
            "drugs": int(t["chemical_id"].nunique()),
            "labels": {c: int((t["label"] == i).sum()) for i, c in enumerate(CLASSES)},
        }
    return out


_MODEL_ONLY = ("inhibition_threshold", "activation_threshold", "precision", "prior_correction",
               "call_rule", "top_k", "rank_by")


def _compute_model(
    out: Path,
    config: TargetConfig,
    inputs: TargetInputs,
    device: str | None,
    on_epoch: EpochCallback | None,
) -> None:
    pairs = build_target_pairs(
        inputs.dti,
        inputs.drug_embedding.ids,
        inputs.gene_embedding.ids,
        negative_ratio=config.negative_ratio,
        exclude_pairs=inputs.exclude_pairs,
        random_state=sub_seed(config.seed, "negatives"),
    )
    table = pairs.table.copy()
    table["split"] = split_by_drug(table["chemical_id"], config.fractions, sub_seed(config.seed, "split"))
    X = _features(inputs, table)
    y = table["label"].to_numpy(np.int64)
    part = table["split"].to_numpy()
    tr, va, te = part == "train", part == "val", part == "test"
    clf = config.classifier(drug_dim=inputs.drug_embedding.dim, device=device)
    clf.fit(X[tr], y[tr], eval_set=(X[va], y[va]) if va.any() else None, on_epoch=on_epoch)
    probas = {"model": clf.predict_proba(X[te])}
    base, base_info = baseline_probas(
        X[tr], y[tr], X[te], X_val=X[va], y_val=y[va], Cs=config.logistic_Cs,
        random_state=sub_seed(config.seed, "baselines"),
    )
    probas.update(base)
    test = table[te][["chemical_id", "entrez", "label"]].reset_index(drop=True)
    for name, p in probas.items():
        for i, c in enumerate(CLASSES):
            test[f"{name}_{c}"] = p[:, i].astype(np.float32)
    report: dict[str, Any] = {
        "labels": pairs.stats,
        "split": _split_summary(table),
        "n_train": int(tr.sum()),
        "n_val": int(va.sum()),
        "n_test": int(te.sum()),
        "baselines": base_info,
        "training": {
            "epochs": clf.n_epochs_,
            "best_epoch": clf.best_epoch_,
            "seconds": round(clf.fit_seconds_, 3),
            "device": clf.device_,
            "history": clf.history_,
        },
    }
    clf.save(out / "model.pt")
    table.to_parquet(out / "pairs.parquet", index=False)
    test.to_parquet(out / "test_proba.parquet", index=False)
    atomic_write_json(out / "report.json", report)


@dataclass(frozen=True)
class TargetStage:
    """A fitted ``targets`` entry: model, labelled pairs, test probabilities.

    Attributes
    ----------
    path : pathlib.Path
        The cache entry.
    config : TargetConfig
        Config it was requested with (thresholds apply to :meth:`evaluation`
        and :attr:`classifier`; they are not part of the model's key).
    """

    path: Path
    config: TargetConfig

    @cached_property
    def report(self) -> dict[str, Any]:
        """Label counts, split sizes and the training history."""
        return json.loads((self.path / "report.json").read_text())

    @cached_property
    def classifier(self) -> DrugTargetClassifier:
        clf = DrugTargetClassifier.load(self.path / "model.pt")
        return clf.set_params(
            inhibition_threshold=self.config.inhibition_threshold,
            activation_threshold=self.config.activation_threshold,
        )

    @cached_property
    def pairs(self) -> pd.DataFrame:
        """Labelled pairs with their ``split``."""
        return pd.read_parquet(self.path / "pairs.parquet")

    @cached_property
    def test_proba(self) -> pd.DataFrame:
        """Test pairs with the model's and baselines' probabilities."""
        return pd.read_parquet(self.path / "test_proba.parquet")

    def evaluation(self) -> dict[str, Any]:
        """Rule and argmax metrics of the model and the baselines on the test split."""
        t = self.test_proba
        y = t["label"].to_numpy(np.int64)
        th = (self.config.inhibition_threshold, self.config.activation_threshold)
        out: dict[str, Any] = {}
        for name in ("model", "majority", "logistic"):
            p = t[[f"{name}_{c}" for c in CLASSES]].to_numpy(np.float64)
            out[name] = evaluate_proba(p, y, *th)
        return out


def fit_targets(
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    device: str | None = None,
    on_epoch: EpochCallback | None = None,
    force: bool = False,
) -> TargetStage:
    """Build labels, split by drug, fit and evaluate once per config and inputs.

    Cached as stage ``targets``; the key leaves out the decision thresholds and
    the grid precision (they do not change the fitted model).

    Parameters
    ----------
    config : TargetConfig, optional
    inputs : TargetInputs, optional
        Defaults to :func:`load_inputs`.
    device : str, optional
        Torch device (not part of the key); CUDA when present by default.
    on_epoch : callable, optional
        Called after every training epoch (not on a cache hit).
    force : bool
        Refit even when cached.

    Returns
    -------
    TargetStage
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    key = {k: v for k, v in cfg.key().items() if k not in _MODEL_ONLY}
    path = cached(
        STAGE,
        {"part": "model", **key},
        inp.hashes,
        lambda out: _compute_model(out, cfg, inp, device, on_epoch),
        force=force,
    )
    return TargetStage(path, cfg)


def _grid_key(cfg: TargetConfig) -> dict[str, Any]:
    return {"part": "grid", **cfg.key()}


def predicted_targets(
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    stage: TargetStage | None = None,
    device: str | None = None,
    on_progress: ProgressCallback | None = None,
    force: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Decide every embedded drug × every network gene with a vector (cached).

    Returns
    -------
    predicted : pandas.DataFrame
        The non-``none`` calls: chemical_id, entrez, sign (±1), p_inhibition,
        p_none, p_activation (float32 probabilities).
    info : dict
        Pair counts per class, seconds, precision, device, network coverage.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)

    def compute(out: Path) -> None:
        st = stage if stage is not None else fit_targets(cfg, inp, device=device)
        genes, rows = inp.scored_genes()
        scorer = st.classifier.scorer(device)
        priors = None
        if cfg.prior_correction:
            from ddi_core.targets.calls import class_priors

            priors = class_priors(st, inp)
            scorer.with_prior_shift(np.asarray(priors["logit_shift"]))
        if cfg.call_rule not in ("threshold", "top_k"):
            raise ValueError(f"call_rule must be 'threshold' or 'top_k', got {cfg.call_rule!r}")
        gene_weight = None
        if cfg.call_rule == "top_k" and cfg.rank_by == "lift":
            gene_weight = _gene_mean_target(scorer, inp, rows, sub_seed(cfg.seed, "lift"))
        grid = scorer.grid(
            np.asarray(inp.drug_embedding.vectors),
            np.asarray(inp.gene_embedding.vectors)[rows],
            inhibition_threshold=cfg.inhibition_threshold,
            activation_threshold=cfg.activation_threshold,
            precision=cfg.precision,
            top_k=cfg.top_k if cfg.call_rule == "top_k" else None,
            gene_weight=gene_weight,
            on_progress=on_progress,
        )
        pred = pd.DataFrame(
            {
                "chemical_id": np.asarray(inp.drug_embedding.ids).astype(str)[grid.drug_idx],
                "entrez": genes[grid.gene_idx],
                "sign": CLASS_SIGN[grid.cls],
                "p_inhibition": grid.proba[:, INHIBITION],
                "p_none": grid.proba[:, NONE],
                "p_activation": grid.proba[:, ACTIVATION],
            }
        )
        pred.to_parquet(out / "predicted.parquet", index=False)
        per_drug = np.bincount(grid.drug_idx, minlength=len(inp.drug_embedding.ids))
        info = {
            **grid.counts,
            "priors": priors,
            "calls_per_drug_median": float(np.median(per_drug)) if len(per_drug) else 0.0,
            "drugs_with_a_call": int((per_drug > 0).sum()),
            "model_entry": st.path.name,
            "network_nodes": int(len(inp.network_nodes)),
            "network_nodes_without_vector": int(len(inp.network_nodes) - len(genes)),
        }
        atomic_write_json(out / "grid.json", info)

    path = cached(STAGE, _grid_key(cfg), inp.hashes, compute, force=force)
    return pd.read_parquet(path / "predicted.parquet"), json.loads((path / "grid.json").read_text())


def _gene_mean_target(scorer, inp: TargetInputs, rows: np.ndarray, seed: int,
                      n_drugs: int = 300) -> np.ndarray:
    """Each scored gene's mean P(target) = 1 - p_none over a seeded sample of drugs.

    The lift ``P(d, g) / mean_g`` removes the classifier's gene prior (without
    it the top-k calls of every drug are the same few hub genes).
    """
    vecs = np.asarray(inp.drug_embedding.vectors)
    pick = np.random.default_rng(seed).choice(len(vecs), min(n_drugs, len(vecs)), replace=False)
    dp = scorer.project_drugs(vecs[np.sort(pick)])
    gp = scorer.project_genes(np.asarray(inp.gene_embedding.vectors)[rows])
    n_g = len(rows)
    total = np.zeros(n_g, np.float64)
    for i in range(dp.shape[0]):
        p = scorer.proba_pairs(dp, gp, np.full(n_g, i, np.int64), np.arange(n_g))
        total += 1.0 - p[:, NONE]
    return np.maximum(total / dp.shape[0], 1e-12)


def grid_info(config: TargetConfig, inputs: TargetInputs) -> dict[str, Any] | None:
    """The grid's counts and timing when it is cached, else ``None`` (computes nothing)."""
    from ddi_core.cache import entry_dir, stage_key

    p = entry_dir(STAGE, stage_key(STAGE, _grid_key(config), inputs.hashes)) / "grid.json"
    return json.loads(p.read_text()) if p.is_file() else None


def target_report(
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    stage: TargetStage | None = None,
    calibration: bool = True,
) -> dict[str, Any]:
    """The ``ddi targets report --json`` object (fits the model if needed).

    ``calibration`` adds :func:`ddi_core.targets.calls.call_evaluation`: the
    priors, precision@k / recall@k on held-out drugs against every scored
    gene, calls per drug under raw and prior-corrected thresholds, and the
    reliability bins.

    ``macro_f1``, ``per_class`` and ``confusion`` are the decision rule's on the
    drug-disjoint test split (rows = true class, columns = predicted, both in
    :data:`~ddi_core.targets.model.CLASSES` order); ``argmax`` holds the same for
    argmax. Each baseline's ``macro_f1`` uses the same rule,
    ``macro_f1_argmax`` argmax. ``grid`` is the full-matrix scoring's counts and
    timing when it has been computed, else ``None``.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    st = stage if stage is not None else fit_targets(cfg, inp)
    rep = st.report
    ev = st.evaluation()
    m = ev["model"]
    keys = ("macro_f1", "per_class", "confusion", "accuracy")
    out = {
        "classes": list(CLASSES),
        "macro_f1": m["rule"]["macro_f1"],
        "per_class": m["rule"]["per_class"],
        "confusion": m["rule"]["confusion"],
        "accuracy": m["rule"]["accuracy"],
        "argmax": {k: m["argmax"][k] for k in keys},
        "baselines": {
            name: {
                "macro_f1": ev[name]["rule"]["macro_f1"],
                "macro_f1_argmax": ev[name]["argmax"]["macro_f1"],
                "rule": {k: ev[name]["rule"][k] for k in keys},
                "argmax": {k: ev[name]["argmax"][k] for k in keys},
            }
            for name in ("majority", "logistic")
        },
        "n_train": rep["n_train"],
        "n_val": rep["n_val"],
        "n_test": rep["n_test"],
        "split": rep["split"],
        "labels": rep["labels"],
        "thresholds": {"inhibition": cfg.inhibition_threshold, "activation": cfg.activation_threshold},
        "training": {k: v for k, v in rep["training"].items() if k != "history"},
        "grid": grid_info(cfg, inp),
    }
    out["baselines"]["logistic"]["C"] = rep.get("baselines", {}).get("logistic_C")
    if calibration:
        from ddi_core.targets.calls import call_evaluation

        out["calibration"] = call_evaluation(cfg, inp, st)
    return out


# ---------------------------------------------------------------------------
# one drug's predictions
# ---------------------------------------------------------------------------


def _known_pairs(dti: pd.DataFrame) -> pd.DataFrame:
    """Conflict-free signed pairs (a pair listed with both signs is dropped)."""
    d = dti.copy()
    d["chemical_id"] = d["chemical_id"].astype(str)
    d["entrez"] = d["entrez"].astype(np.int64)
    d = d[d["sign"].isin([-1, 1])]
    agg = d.groupby(["chemical_id", "entrez"])["sign"].transform("nunique")
    d = d[agg == 1].drop_duplicates(["chemical_id", "entrez"])
    if "sources" not in d.columns:
        d["sources"] = ""
    return d.reset_index(drop=True)


@dataclass
class DrugTargetPrediction:
    """Predicted and known targets of one drug.

    Attributes
    ----------
    chemical_id : str
    has_vector : bool
        Whether the drug has an InfoGraph vector (no predictions otherwise).
    predictions : pandas.DataFrame
        Top network genes by ``max(p_inhibition, p_activation)``: entrez,
        symbol, p_inhibition, p_none, p_activation, decision, known_sign,
        known_sources.
    known : pandas.DataFrame
        All known signed targets: entrez, symbol, sign, sources, in_network,
        and the model's probabilities and decision where it can score them.
    n_scored : int
        Genes scored (network nodes with a vector).
    """

    chemical_id: str
    has_vector: bool
    predictions: pd.DataFrame
    known: pd.DataFrame
    n_scored: int

    def to_dict(self) -> dict[str, Any]:
        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(df.to_json(orient="records"))

        return {
            "drug": self.chemical_id,
            "has_vector": self.has_vector,
            "n_scored": self.n_scored,
            "predictions": recs(self.predictions),
            "known": recs(self.known),
        }


def predict_drug_targets(
    chemical_id: str,
    *,
    top: int = 20,
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    stage: TargetStage | None = None,
) -> DrugTargetPrediction:
    """Score one drug against every network gene; known targets beside.

    Parameters
    ----------
    chemical_id : str
        A CTD chemical id (resolve names with
        :func:`ddi_core.data.entities.resolve_drug`).
    top : int
        Genes listed in ``predictions``.
    config, inputs, stage : optional
        ``stage`` defaults to :func:`fit_targets` (cached).

    Raises
    ------
    UnknownEntityError
        When the drug is neither embedded nor in the DTI table nor in the
        inputs' drug universe.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    cid = str(chemical_id)
    d_idx = inp.drug_embedding.index()
    known_all = _known_pairs(inp.dti)
    if cid not in d_idx and cid not in set(known_all["chemical_id"]) and cid not in set(inp.universe()):
        raise UnknownEntityError("drug", cid)
    sym = inp.gene_symbols
    known = known_all[known_all["chemical_id"] == cid][["entrez", "sign", "sources"]].copy()
    known["symbol"] = [sym.get(int(g), str(g)) for g in known["entrez"]]
    known["in_network"] = np.isin(known["entrez"].to_numpy(np.int64), np.asarray(inp.network_nodes, np.int64))
    genes, rows = inp.scored_genes()
    cols = ["entrez", "symbol", "p_inhibition", "p_none", "p_activation", "decision", "known_sign", "known_sources"]
    if cid not in d_idx:
        return DrugTargetPrediction(
            cid, False, pd.DataFrame(columns=cols),
            known[["entrez", "symbol", "sign", "sources", "in_network"]].reset_index(drop=True), len(genes),
        )
    st = stage if stage is not None else fit_targets(cfg, inp)
    scorer = st.classifier.scorer()
    dvec = np.asarray(inp.drug_embedding.vectors)[[d_idx[cid]]]
    dp = scorer.project_drugs(dvec)
    gp = scorer.project_genes(np.asarray(inp.gene_embedding.vectors)[rows])
    proba = scorer.proba_pairs(dp, gp, np.zeros(len(genes), np.int64), np.arange(len(genes)))
    dec = decide(proba, cfg.inhibition_threshold, cfg.activation_threshold)
    scored = pd.DataFrame(
        {
            "entrez": genes,
            "symbol": [sym.get(int(g), str(g)) for g in genes],
            "p_inhibition": proba[:, INHIBITION],
            "p_none": proba[:, NONE],
            "p_activation": proba[:, ACTIVATION],
            "decision": np.asarray(CLASSES)[dec],
        }
    )
    kmap = known.set_index("entrez")
    scored["known_sign"] = scored["entrez"].map(kmap["sign"]).astype("Int64")
    scored["known_sources"] = scored["entrez"].map(kmap["sources"])
    score = np.maximum(proba[:, INHIBITION], proba[:, ACTIVATION])
    order = np.lexsort((genes, -score))[: max(int(top), 0)]
    preds = scored.iloc[order].reset_index(drop=True)
    k = known.merge(scored.drop(columns=["symbol", "known_sign", "known_sources"]), on="entrez", how="left")
    k = k[["entrez", "symbol", "sign", "sources", "in_network", "p_inhibition", "p_none", "p_activation", "decision"]]
    return DrugTargetPrediction(cid, True, preds, k.sort_values("entrez").reset_index(drop=True), len(genes))


# ---------------------------------------------------------------------------
# seed profiles
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TargetProfiles:
    """Signed seed vectors of drugs over a signaling network's nodes.

    Attributes
    ----------
    drug_ids : numpy.ndarray
        ``<U`` CTD chemical ids of the rows (drugs with at least one seed), sorted.
    node_ids : numpy.ndarray
        int64 Entrez ids of the columns (the network's node order).
    seeds : scipy.sparse.csr_matrix
        int8, shape ``(len(drug_ids), len(node_ids))``: +1 activation, −1
        inhibition.
    table : pandas.DataFrame
        One row per seed: chemical_id, entrez, sign, source ('known' or
        'predicted'), probability (of the predicted class; NaN for known).
    missing : pandas.DataFrame
        Drugs of the universe without any seed: chemical_id, reason.
    source : str
        'known', 'predicted' or 'known+predicted'.
    meta : dict
        Counts and ``key`` (a hash of what determined the profiles).
    """

    drug_ids: np.ndarray
    node_ids: np.ndarray
    seeds: sp.csr_matrix
    table: pd.DataFrame
    missing: pd.DataFrame
    source: str
    meta: dict[str, Any] = field(default_factory=dict)

    def row(self, chemical_id: str) -> np.ndarray:
        """Dense int8 seed vector of one drug."""
        i = np.searchsorted(self.drug_ids, chemical_id)
        if i >= len(self.drug_ids) or self.drug_ids[i] != chemical_id:
            hit = self.missing.loc[self.missing["chemical_id"] == chemical_id, "reason"]
            why = f" ({hit.iloc[0]})" if len(hit) else ""
            raise UnknownEntityError(f"drug with {self.source} seeds{why}", chemical_id)
        return self.seeds[i].toarray().ravel()


def build_profiles(
    source: SeedSource,
    node_ids: np.ndarray,
    known: pd.DataFrame | None,
    predicted: pd.DataFrame | None,
    universe: Iterable[str],
    embedded: Iterable[str] = (),
    unparsable: dict[str, str] | None = None,
) -> TargetProfiles:
    """Assemble seed profiles from known and/or predicted calls.

    Parameters
    ----------
    source : {"known", "predicted", "known+predicted"}
    node_ids : numpy.ndarray
        Network nodes (columns), int64.
    known : pandas.DataFrame or None
        chemical_id, entrez, sign (±1) — conflict-free.
    predicted : pandas.DataFrame or None
        chemical_id, entrez, sign, p_inhibition, p_activation.
    universe : iterable of str
        Drugs to account for; those left without seeds go to ``missing``.
    embedded : iterable of str
        Drugs with a vector (to explain why a drug has no prediction).
    unparsable : dict, optional
        Drug → RDKit's reason, for drugs whose SMILES could not be parsed.
    """
    if source not in ("known", "predicted", "known+predicted"):
        raise ValueError(f"source must be 'known', 'predicted' or 'known+predicted', got {source!r}")
    nodes = np.asarray(node_ids, np.int64)
    parts = []
    known_any: set[str] = set()
    if "known" in source.split("+"):
        if known is None:
            raise ValueError("known seeds requested but no known table given")
        k = known[["chemical_id", "entrez", "sign"]].astype({"chemical_id": str, "entrez": np.int64})
        known_any = set(k["chemical_id"])
        k = k[np.isin(k["entrez"].to_numpy(), nodes)]
        parts.append(k.assign(source="known", probability=np.nan))
    pred_any: set[str] = set()
    if "predicted" in source.split("+"):
        if predicted is None:
            raise ValueError("predicted seeds requested but no predictions given")
        p = predicted.astype({"chemical_id": str, "entrez": np.int64})
        pred_any = set(p["chemical_id"])
        p = p[np.isin(p["entrez"].to_numpy(), nodes)]
        prob = np.where(p["sign"].to_numpy() < 0, p["p_inhibition"].to_numpy(), p["p_activation"].to_numpy())
        parts.append(
            pd.DataFrame({"chemical_id": p["chemical_id"].to_numpy(), "entrez": p["entrez"].to_numpy(),
                          "sign": p["sign"].to_numpy(), "source": "predicted", "probability": prob})
        )
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["chemical_id", "entrez", "sign", "source", "probability"])
    n_conflicts = 0
    if len(parts) == 2:
        dup = table.duplicated(["chemical_id", "entrez"], keep=False)
        sign_by_pair = table[dup].groupby(["chemical_id", "entrez"])["sign"].nunique()
        n_conflicts = int((sign_by_pair > 1).sum())
        table = table.drop_duplicates(["chemical_id", "entrez"], keep="first")  # known first
    table["sign"] = table["sign"].astype(np.int8)
    table = table.sort_values(["chemical_id", "entrez"]).reset_index(drop=True)
    drug_ids = np.unique(table["chemical_id"].to_numpy().astype(str))
    r = np.searchsorted(drug_ids, table["chemical_id"].to_numpy().astype(str))
    c = np.searchsorted(nodes, table["entrez"].to_numpy()) if np.all(np.diff(nodes) > 0) else pd.Index(nodes).get_indexer(table["entrez"])
    seeds = sp.csr_matrix(
        (table["sign"].to_numpy(np.int8), (r, c)), shape=(len(drug_ids), len(nodes)), dtype=np.int8
    )
    emb = set(map(str, embedded))
    have = set(drug_ids.tolist())
    miss_rows = []
    for d in sorted(set(map(str, universe)) - have):
        why = []
        if "known" in source.split("+"):
            why.append("known targets not in network" if d in known_any else "no known signed target")
        if "predicted" in source.split("+"):
            if d in (unparsable or {}):
                why.append(f"SMILES not parsable by RDKit ({unparsable[d]})")
            elif d not in emb:
                why.append("no InfoGraph vector")
            else:
                why.append("predicted targets not in network" if d in pred_any else "no predicted target")
        miss_rows.append((d, "; ".join(why)))
    missing = pd.DataFrame(miss_rows, columns=["chemical_id", "reason"])
    meta = {
        "source": source,
        "drugs_with_seeds": int(len(drug_ids)),
        "drugs_without_seeds": int(len(missing)),
        "seeds": int(len(table)),
        "seeds_by_source": {k: int(v) for k, v in table["source"].value_counts().items()},
        "seeds_by_sign": {str(k): int(v) for k, v in table["sign"].value_counts().items()},
        "known_predicted_sign_conflicts": n_conflicts,
        "missing_reasons": {k: int(v) for k, v in missing["reason"].value_counts().items()},
    }
    log.info("target profiles (%s): %d drugs with seeds, %d without, %d seeds",
             source, meta["drugs_with_seeds"], meta["drugs_without_seeds"], meta["seeds"])
    return TargetProfiles(drug_ids, nodes, seeds, table, missing, source, meta)


def target_profiles(
    source: SeedSource = "known",
    config: TargetConfig | None = None,
    inputs: TargetInputs | None = None,
    *,
    stage: TargetStage | None = None,
) -> TargetProfiles:
    """Signed seed profiles of every drug over the signaling network.

    ``known`` needs no model; ``predicted`` and ``known+predicted`` use the
    cached :func:`fit_targets` stage (fitted on first use). ``meta["key"]``
    hashes the source, the inputs and (for predictions) the stage's config.
    """
    cfg = config or TargetConfig()
    inp = inputs if inputs is not None else load_inputs(cfg)
    t0 = time.perf_counter()
    pred = None
    if "predicted" in source:
        pred, _ = predicted_targets(cfg, inp, stage=stage)
    prof = build_profiles(
        source,
        inp.network_nodes,
        _known_pairs(inp.dti),
        pred,
        inp.universe(),
        np.asarray(inp.drug_embedding.ids).astype(str),
        {str(f[0]): str(f[2]) for f in inp.drug_embedding.meta.get("parse_failures", [])},
    )
    key_parts: dict[str, Any] = {"source": source, "dti": inp.hashes["dti"],
                                 "network_nodes": inp.hashes["network_nodes"]}
    if pred is not None:
        key_parts.update(config=cfg.key(), inputs=inp.hashes)
    prof.meta["key"] = stable_hash(key_parts)[:16]
    prof.meta["seconds"] = round(time.perf_counter() - t0, 3)
    return prof
