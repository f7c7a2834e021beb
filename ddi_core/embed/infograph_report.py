"""How the InfoGraph drug vectors relate to chemistry: Spearman correlation of their
cosine with Morgan-fingerprint Tanimoto over random drug pairs, trained encoder
against the untrained one (:func:`drug_embedding_report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ddi_core.embed.infograph import (
    MOLECULES_FILE,
    InfoGraphConfig,
    TorchThreads,
    build_model,
    drug_embedding_dir,
    embed_graphs,
)
from ddi_core.embed.molgraph import featurise
from ddi_core.embed.store import read_embedding

__all__ = ["morgan_bits", "random_pairs", "tanimoto_cosine_spearman", "drug_embedding_report"]


def morgan_bits(smiles: Sequence[str]) -> np.ndarray:
    from rdkit import Chem
    from rdkit.Chem import rdFingerprintGenerator

    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    return np.stack([gen.GetFingerprintAsNumPy(Chem.MolFromSmiles(s)) for s in smiles]).astype(bool)


def random_pairs(n: int, n_pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_pairs`` seeded random index pairs ``(i, j)`` with ``i != j``."""
    if n < 2:
        raise ValueError("need at least two items for pairs")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=n_pairs)
    j = (i + rng.integers(1, n, size=n_pairs)) % n
    return i, j


def tanimoto_cosine_spearman(
    vectors: np.ndarray, smiles: Sequence[str], *, n_pairs: int = 20_000, seed: int = 0
) -> tuple[float, float]:
    """Spearman correlation between embedding cosine and Morgan Tanimoto similarity.

    Morgan fingerprints: radius 2, 2048 bits, on the given SMILES. Pairs are
    drawn with :func:`random_pairs`.

    Returns
    -------
    (rho, p_value)
    """
    from scipy.stats import spearmanr

    fp = morgan_bits(smiles)
    i, j = random_pairs(len(smiles), n_pairs, seed)
    inter = np.logical_and(fp[i], fp[j]).sum(1)
    union = np.logical_or(fp[i], fp[j]).sum(1)
    tani = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    v = vectors.astype(np.float64)
    norm = np.linalg.norm(v, axis=1)
    norm[norm == 0] = 1.0
    cos = (v[i] * v[j]).sum(1) / (norm[i] * norm[j])
    res = spearmanr(cos, tani)
    return float(res.statistic), float(res.pvalue)


def drug_embedding_report(
    config: InfoGraphConfig | None = None,
    *,
    n_pairs: int = 20_000,
    seed: int = 0,
    table: tuple[Sequence[str], Sequence[object]] | None = None,
    baseline: bool = True,
) -> dict[str, Any]:
    """Evidence that the drug embedding encodes chemical structure.

    Spearman correlation, over ``n_pairs`` seeded random drug pairs, between the
    cosine similarity of InfoGraph vectors and the Tanimoto similarity of Morgan
    fingerprints (radius 2, 2048 bits) of the same (largest-fragment) molecules.

    Parameters
    ----------
    baseline : bool
        Also report the same correlation for the *untrained* encoder
        (same architecture and seed): how much of it training adds.

    Returns
    -------
    dict
        ``n``, ``dim``, ``seconds`` (training), ``epochs``, ``final_loss``,
        ``tanimoto_spearman``, ``tanimoto_p``, ``n_pairs``, ``parse_failures``
        (count), ``parse_failure_reasons``, ``n_without_smiles`` and, with ``baseline``,
        ``untrained_tanimoto_spearman``.
    """
    cfg = config or InfoGraphConfig()
    entry = drug_embedding_dir(cfg, table=table)
    emb = read_embedding(entry)
    rows = (entry / MOLECULES_FILE).read_text().splitlines()[1:]
    frag = dict(line.split("\t")[0::2] for line in rows)
    smiles = [frag[str(i)] for i in emb.ids]
    rho, p = tanimoto_cosine_spearman(emb.vectors, smiles, n_pairs=n_pairs, seed=seed)
    m = emb.meta
    report: dict[str, Any] = {
        "n": len(emb),
        "dim": emb.dim,
        "seconds": m.get("seconds"),
        "epochs": m.get("epochs"),
        "final_loss": m.get("final_loss"),
        "tanimoto_spearman": rho,
        "tanimoto_p": p,
        "n_pairs": n_pairs,
        "parse_failures": len(m.get("parse_failures", [])),
        "parse_failure_reasons": m.get("parse_failure_reasons", {}),
        "n_without_smiles": m.get("n_without_smiles"),
    }
    if baseline:
        graphs = [featurise(s) for s in smiles]
        with TorchThreads(cfg.num_threads):
            untrained = embed_graphs(build_model(cfg), graphs)
        report["untrained_tanimoto_spearman"] = tanimoto_cosine_spearman(
            untrained, smiles, n_pairs=n_pairs, seed=seed
        )[0]
    return report
