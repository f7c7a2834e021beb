"""Every covered drug x every disease scored and written to Parquet."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ddi_core.cache import atomic_open
from ddi_core.errors import DDIError
from ddi_core.models.scores import sigmoid
from ddi_core.rank.session import FULL_SCORES, RunScorer, load_scorer

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- #
# the full matrix
# --------------------------------------------------------------------------- #
def _ordinal_ranks(M: np.ndarray, axis: int) -> np.ndarray:
    order = np.argsort(-M, axis=axis, kind="stable")
    ranks = np.empty(M.shape, dtype=np.int32)
    r = np.arange(1, M.shape[axis] + 1, dtype=np.int32)
    np.put_along_axis(ranks, order, r[:, None] if axis == 0 else r[None, :], axis=axis)
    return ranks


def write_full_matrix(
    rs: RunScorer,
    out_path: Path,
    *,
    chunk_drugs: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Score every drug × disease of ``rs`` and write the Parquet atomically.

    Memory: the logits matrix (``4 · n_drugs · n_dis`` bytes) and its rank
    arrays are kept (the within-disease ranks need every drug); pair
    activations are streamed in batches of ``rs.scorer.batch_size``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    n_d, n_s = len(rs.drug_ids), len(rs.dis_ids)
    t0 = time.perf_counter()
    M = np.empty((n_d, n_s), dtype=np.float32)
    for lo in range(0, n_d, chunk_drugs):
        rows = np.arange(lo, min(lo + chunk_drugs, n_d))
        M[rows] = rs.scorer.logits_block(rows)
        if progress:
            progress(int(rows[-1]) + 1, n_d)
    score_seconds = time.perf_counter() - t0
    r_drug = _ordinal_ranks(M, axis=1)
    r_dis = _ordinal_ranks(M, axis=0)
    known = rs.known.toarray()
    meta = {
        "run_id": rs.run_id,
        "n_drugs": str(n_d),
        "n_diseases": str(n_s),
        "score_seconds": f"{score_seconds:.1f}",
        "ranks": "ordinal by descending logit; ties by table order",
    }
    schema = pa.schema(
        [
            ("drug_id", pa.string()),
            ("disease_id", pa.string()),
            ("score", pa.float32()),
            ("rank_within_drug", pa.int32()),
            ("rank_within_disease", pa.int32()),
            ("known", pa.bool_()),
        ],
        metadata={f"ddi.{k}": v for k, v in meta.items()},
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    dis_ids = pa.array(np.asarray(rs.dis_ids).astype(str).tolist(), pa.string())
    with atomic_open(out_path) as fh:
        with pq.ParquetWriter(fh, schema) as w:
            for lo in range(0, n_d, chunk_drugs):
                hi = min(lo + chunk_drugs, n_d)
                k = hi - lo
                drug_col = np.repeat(np.asarray(rs.drug_ids[lo:hi]).astype(str), n_s)
                w.write_table(
                    pa.Table.from_arrays(
                        [
                            pa.array(drug_col.tolist(), pa.string()),
                            pa.concat_arrays([dis_ids] * k),
                            pa.array(sigmoid(M[lo:hi]).astype(np.float32).ravel()),
                            pa.array(r_drug[lo:hi].ravel()),
                            pa.array(r_dis[lo:hi].ravel()),
                            pa.array(known[lo:hi].ravel()),
                        ],
                        schema=schema,
                    )
                )
    log.info(
        "full matrix %d x %d written to %s (scoring %.1fs, total %.1fs)",
        n_d,
        n_s,
        out_path,
        score_seconds,
        time.perf_counter() - t0,
    )
    return out_path


def score_full_matrix(
    run_id: str | None = None,
    out_path: str | Path | None = None,
    *,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Every featurised drug × every candidate disease of a run, as Parquet.

    Columns ``drug_id, disease_id, score, rank_within_drug,
    rank_within_disease, known`` (ranks ordinal, 1 = best, by descending
    logit, ties by table order). Written atomically (temporary file + rename)
    to ``out_path``, default ``<run dir>/full_scores.parquet``.

    Parameters
    ----------
    run_id : str, optional
    out_path : str or Path, optional
    device : str, optional
    progress : callable, optional
        ``progress(drugs_done, n_drugs)`` after each chunk of drugs.

    Returns
    -------
    Path
    """
    rs = load_scorer(run_id, device=device)
    if out_path is None:
        if rs.run is None:
            raise DDIError("out_path is required without a run directory")
        out_path = rs.run.path(FULL_SCORES)
    return write_full_matrix(rs, Path(out_path), progress=progress)
