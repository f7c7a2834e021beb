"""The figures a run is judged by, in the order a reader should see them.

Headline (what a ranking is worth at the real prevalence, and against independent
knowledge): MRR, Hits@10 and median rank of the test positives among every candidate
disease of their drug; the AUPR with every unknown pair of the test drugs as a negative;
PharmacotherapyDB's disease-modifying vs non-indication AUROC and the held-out DM
indications' median percentile (``validation.json``, written by ``ddi validate`` and at
the end of ``ddi train``).

Paper protocol (1:1 sampled negatives, the protocol the paper reports): AUROC, AUPR and
the threshold metrics, all at **one** stated threshold, the validation split's best-F1
threshold (a baseline at its own validation threshold).

:func:`weaker_baselines` names the baselines whose test MRR beats a run's, so a picker
can warn before a user ranks with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ddi_core.runs import registry as runs

VALIDATION_FILE = "validation.json"  #: written by ddi_core.validation.run_validation
#: what the paper reports (Zhang 2025, Table 1) for its 1:1 random split
PAPER_REPORTED = {"accuracy": 0.9500, "precision": 0.9234, "recall": 0.9808, "f1": 0.9512}
BASELINE_NAMES = {
    "popularity": "popularity",
    "knn": "nearest drugs (kNN)",
    "ease": "EASE collaborative filtering",
    "logistic": "logistic regression",
}


@dataclass(frozen=True)
class Figure:
    """One headline number: what it is, its value (``None`` when the run lacks it), how it
    is printed and what it means."""

    key: str
    label: str
    value: float | None
    fmt: str
    help: str

    def text(self) -> str:
        """The value as printed (``"–"`` when missing)."""
        return "–" if self.value is None else format(self.value, self.fmt)


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v) if math.isfinite(v) else None


def read_validation(run: runs.Run) -> dict[str, Any] | None:
    """The run's PharmacotherapyDB result, or ``None`` when it was never validated or the
    file cannot be read (a damaged file is reported by the caller as "not validated")."""
    try:
        v = run.read_json(VALIDATION_FILE)
    except (OSError, ValueError, runs.CorruptRunFileError):
        return None
    if not isinstance(v, dict) or not isinstance(v.get("pharmacotherapydb"), dict):
        return None
    return v["pharmacotherapydb"]


def headline_figures(metrics: dict[str, Any], validation: dict[str, Any] | None) -> list[Figure]:
    """MRR, Hits@10, median rank, AUPR over all unknowns, PharmacotherapyDB DM vs NOT
    AUROC and held-out DM median percentile (see the module docstring)."""
    t = metrics.get("test") or {}
    v = validation or {}
    n = t.get("rank_drugs")
    prev = _num(t.get("prevalence"))
    every = f"{n:,} test drugs" if isinstance(n, int) else "the test drugs"
    ceiling = _num(t.get("mrr_ceiling"))
    return [
        Figure(
            "mrr",
            "MRR",
            _num(t.get("mrr")),
            ".4f",
            f"mean reciprocal rank of each test positive among every candidate disease of its "
            f"drug ({every})"
            + (f"; the best any model can reach on this split is {ceiling:.4f}" if ceiling else ""),
        ),
        Figure(
            "hits_at_10",
            "Hits@10",
            _num(t.get("hits_at_10")),
            ".1%",
            "share of test positives ranked in their drug's top 10 diseases",
        ),
        Figure(
            "median_rank",
            "median rank",
            _num(t.get("median_rank")),
            ".0f",
            "the median rank of a test positive among its drug's candidate diseases (1 = top)",
        ),
        Figure(
            "aupr_all_unknown",
            "AUPR (all unknown)",
            _num(t.get("aupr_realistic")),
            ".3f",
            "precision–recall area with every unknown pair of the test drugs as a negative, at "
            "the real prevalence"
            + (f" ({prev:.2%} of the pairs are positives)" if prev is not None else ""),
        ),
        Figure(
            "ptdb_dm_vs_not",
            "DM vs NOT AUROC",
            _num(v.get("dm_vs_not_auroc")),
            ".3f",
            "independent validation: disease-modifying indications against expert-curated "
            "non-indications of PharmacotherapyDB (0.5 = chance)"
            + ("" if validation else "; not validated yet: ddi validate --run <id>"),
        ),
        Figure(
            "ptdb_heldout_dm",
            "held-out DM pct.",
            _num(v.get("dm_heldout_median_percentile")),
            ".1f",
            "PharmacotherapyDB disease-modifying indications the model never saw: their "
            "median percentile among the drug's candidate diseases (100 = top)"
            + ("" if validation else "; not validated yet: ddi validate --run <id>"),
        ),
    ]


def threshold_row(detail: dict[str, Any]) -> dict[str, float | None]:
    """Accuracy, precision, recall and F1 at the scorer's own validation threshold (a
    ``metrics.json`` ``detail`` entry); all ``None`` when it was not recorded."""
    at = ((detail or {}).get("classification") or {}).get("at_val_threshold") or {}
    return {k: _num(at.get(k)) for k in ("threshold", "accuracy", "precision", "recall", "f1")}


def paper_protocol_figures(metrics: dict[str, Any]) -> list[Figure]:
    """The 1:1 figures: AUROC, AUPR, and F1, accuracy at the validation-chosen threshold."""
    t = metrics.get("test") or {}
    at = threshold_row((metrics.get("detail") or {}).get("model") or {})
    thr = at.get("threshold") if at.get("threshold") is not None else _num(t.get("val_threshold"))
    f1 = at.get("f1") if at.get("f1") is not None else _num(t.get("f1_at_val_threshold"))
    where = f"threshold {thr:.3f}, the validation split's best-F1 choice" if thr is not None else ""
    one_to_one = "test positives against sampled negatives (1:1 or the run's ratio)"
    return [
        Figure("auroc", "AUROC (1:1)", _num(t.get("auroc")), ".4f", one_to_one),
        Figure("aupr", "AUPR (1:1)", _num(t.get("aupr")), ".4f", one_to_one),
        Figure("f1", "F1", f1, ".4f", f"{one_to_one}; {where}"),
        Figure("accuracy", "accuracy", at.get("accuracy"), ".2%", f"{one_to_one}; {where}"),
    ]


def weaker_baselines(metrics: dict[str, Any]) -> dict[str, float]:
    """Baselines whose test MRR is above the run's: ``{baseline: its MRR}`` (empty when
    the run beats them all or lacks the figures)."""
    mrr = _num((metrics.get("test") or {}).get("mrr"))
    if mrr is None:
        return {}
    out = {}
    for name, b in (metrics.get("baselines") or {}).items():
        bm = _num((b or {}).get("mrr"))
        if bm is not None and bm > mrr:
            out[name] = bm
    return out


def weaker_note(metrics: dict[str, Any]) -> str:
    """``"worse than EASE collaborative filtering on MRR (0.118 vs 0.035)"`` or ``""``."""
    worse = weaker_baselines(metrics)
    if not worse:
        return ""
    mrr = _num((metrics.get("test") or {}).get("mrr")) or 0.0
    best = max(worse, key=worse.get)
    others = len(worse) - 1
    more = f" and {others} other baseline{'s' if others > 1 else ''}" if others else ""
    return (
        f"worse than {BASELINE_NAMES.get(best, best)}{more} on test MRR "
        f"({mrr:.3f} against {worse[best]:.3f})"
    )


def run_metrics(run: runs.Run) -> dict[str, Any]:
    """``metrics.json`` of a run (``{}`` when absent or unreadable)."""
    try:
        m = run.read_json("metrics.json")
    except (OSError, ValueError, runs.CorruptRunFileError):
        return {}
    return m if isinstance(m, dict) else {}


__all__ = [
    "BASELINE_NAMES",
    "Figure",
    "VALIDATION_FILE",
    "headline_figures",
    "paper_protocol_figures",
    "read_validation",
    "run_metrics",
    "threshold_row",
    "weaker_baselines",
    "weaker_note",
]
