"""A finished run validated on PharmacotherapyDB (ranks of its indications)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ddi_core.errors import DDIError
from ddi_core.models.registry import model_kind
from ddi_core.rank.session import load_scorer
from ddi_core.validation.ptdb import validate

VALIDATION_FILE = "validation.json"


# --------------------------------------------------------------------------- #
# external validation
# --------------------------------------------------------------------------- #
def validate_run(
    run_id: str | None = None, *, save: bool = True, device: str | None = None
) -> dict[str, Any]:
    """PharmacotherapyDB validation of a run (:func:`ddi_core.validation.ptdb.validate`).

    The score of a pair is the model's logit (NaN when its drug or disease is
    not in the run's tables); a drug's candidates are the run's disease table.
    Known pairs are all CTD pairs; the training pairs are the positives the
    model was fitted on (``train_used``); the popularity baseline counts each
    disease's positives in the run's full training split (the pipeline's
    baseline convention).

    Parameters
    ----------
    run_id : str, optional
    save : bool
        Also write the result to ``<run dir>/validation.json`` (atomic).

    Returns
    -------
    dict
        ``{"pharmacotherapydb": {mapped_pairs, dm_vs_not_auroc,
        dm_heldout_median_percentile, popularity: {...}, ..., run}}``.
    """
    rs = load_scorer(run_id, device=device)
    if rs.trained is None:
        raise DDIError("validate_run needs a loaded run")
    sc = rs.scorer

    def score_fn(chem: np.ndarray, dis: np.ndarray) -> np.ndarray:
        d = np.array([rs.drug_row.get(str(c), -1) for c in chem], np.int64)
        s = np.array([rs.dis_row.get(str(x), -1) for x in dis], np.int64)
        out = np.full(len(d), np.nan)
        ok = (d >= 0) & (s >= 0)
        if ok.any():
            out[ok] = sc.logits_pairs(d[ok], s[ok])
        return out

    def rank_fn(chem: str) -> pd.Series:
        d = rs.drug_row.get(str(chem))
        if d is None:
            return pd.Series(dtype=np.float64)
        return pd.Series(sc.logits_for_drug(d).astype(np.float64), index=rs.dis_ids)

    rows = rs.train_pos.nonzero()
    train_pairs = pd.DataFrame(
        {"chemical_id": rs.drug_ids[rows[0]], "disease_id": rs.dis_ids[rows[1]]}
    )
    full = rs.trained.train
    deg = np.bincount(full.dis[full.y == 1], minlength=len(rs.dis_ids)).astype(np.float64)
    popularity = pd.Series(deg, index=rs.dis_ids)
    res = validate(
        score_fn,
        ctd_pairs=rs.ctd_pairs,
        train_pairs=train_pairs,
        popularity=popularity,
        rank_fn=rank_fn,
    )
    res["pharmacotherapydb"]["run"] = rs.run_id
    res["pharmacotherapydb"]["score"] = f"logit of the run's {model_kind(rs.kind).label}"
    if save and rs.run is not None:
        rs.run.write_json(VALIDATION_FILE, res)
    return res
