"""Pure views of the *Overview* page: the coverage funnel, the coverage by model and
the runs summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from ddi_core.runs.registry import Run
from ui.runs_table import as_result, model_name

#: The funnel's stages: label and key in the coverage report (or profile counts).
FUNNEL = (
    ("CTD chemicals", "ctd_chemicals"),
    ("with a SMILES", "chemicals_with_smiles"),
    ("with signed targets", "chemicals_with_signed_targets"),
    ("with a walk profile", "drugs_with_seed_in_network"),
)


def funnel_counts(report: Mapping[str, object], profiles: Mapping[str, object]) -> list[int]:
    """The funnel's numbers, in :data:`FUNNEL` order (0 when a count is missing)."""
    merged = {**report, **profiles}
    return [int(merged.get(key) or 0) for _, key in FUNNEL]  # type: ignore[call-overload]


def funnel_figure(counts: Sequence[int], *, height: int = 300) -> go.Figure:
    """A funnel of the drug coverage with the share of CTD chemicals at each stage."""
    fig = go.Figure(
        go.Funnel(
            y=[label for label, _ in FUNNEL],
            x=list(counts),
            textinfo="value+percent initial",
            texttemplate="%{value:,} (%{percentInitial:.1%})",
            textfont={"size": 14},
            marker={"color": ["#9ecae1", "#6baed6", "#3182bd", "#08519c"]},
            connector={"line": {"color": "#c8c8d0", "width": 1}},
            hovertemplate="%{y}: %{x:,}<br>%{percentInitial:.1%} of the CTD chemicals<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={"text": "Drug coverage", "font": {"size": 15}},
        yaxis={"tickfont": {"size": 14}},
    )
    return fig


#: Rows of the coverage-by-model table: (key in ``model_coverage()``, label).
COVERAGE_ROWS = (
    ("ctd", "CTD (all curated pairs)"),
    ("mlp", "MLP, known seeds and signed edges (quick, paper-known)"),
    ("mlp_paper", "MLP, paper preset (known + predicted seeds, every HSN edge)"),
    ("evidence", "evidence model"),
)
#: What CTD itself "needs" (it is the reference, not a model).
CTD_NEEDS = "a curated CTD chemical–disease association"


def coverage_frame(coverage: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """The coverage-by-model table of :func:`ddi_core.models.evidence.coverage.model_coverage`.

    One row per :data:`COVERAGE_ROWS` entry present: ``model``, ``drugs``,
    ``diseases``, ``known pairs`` (CTD pairs among the model's drugs and
    diseases), ``drugs with a known pair``, ``share of CTD pairs`` (0–1) and
    ``needs`` (what a drug or disease needs to be covered). Missing counts are
    ``<NA>``.
    """
    ctd_pairs = (coverage.get("ctd") or {}).get("pairs")
    rows = []
    for key, label in COVERAGE_ROWS:
        c = coverage.get(key)
        if c is None:
            continue
        pairs = c.get("pairs")
        share = (
            float(pairs) / float(ctd_pairs)  # type: ignore[arg-type]
            if isinstance(pairs, int | float) and isinstance(ctd_pairs, int | float) and ctd_pairs
            else None
        )
        rows.append(
            {
                "model": label,
                "drugs": c.get("drugs"),
                "diseases": c.get("diseases"),
                "known pairs": pairs,
                "drugs with a known pair": c.get(
                    "drugs_with_pairs", c.get("drugs") if key == "ctd" else None
                ),
                "share of CTD pairs": share,
                "distinct profiles": _profiles_text(c.get("profiles")),
                "needs": str(c.get("needs") or (CTD_NEEDS if key == "ctd" else "")),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "model",
            "drugs",
            "diseases",
            "known pairs",
            "drugs with a known pair",
            "share of CTD pairs",
            "distinct profiles",
            "needs",
        ],
    )
    for col in ("drugs", "diseases", "known pairs", "drugs with a known pair"):
        frame[col] = pd.array(pd.to_numeric(frame[col], errors="coerce"), dtype="Int64")
    frame["share of CTD pairs"] = pd.to_numeric(frame["share of CTD pairs"], errors="coerce")
    return frame


def _profiles_text(p: object) -> str:
    """ "1,234 of 1,714 (56% share one); seeds per drug 2 known / 0 predicted" or ""."""
    if not isinstance(p, Mapping) or not p.get("drugs"):
        return ""
    return (
        f"{p['distinct_profiles']:,} of {p['drugs']:,} "
        f"({100 * float(p['identical_share']):.0f}% identical to another); seeds per drug "
        f"{p['known_seeds_per_drug_median']:g} known / "
        f"{p['predicted_seeds_per_drug_median']:g} predicted (median)"
    )


def runs_summary(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per run: id, status, model kind, preset, split, the ranking figures first
    (test MRR, validation MRR), then the 1:1 test AUROC of the paper protocol."""
    rows = []
    for r in map(as_result, runs):
        rows.append(
            {
                "run": r.id,
                "status": r.status,
                "model": model_name(r),
                "preset": r.preset,
                "split": r.split,
                "MRR": r.figure("mrr"),
                "val MRR": r.val_mrr,
                "AUROC (1:1)": r.figure("auroc"),
            }
        )
    cols = ["run", "status", "model", "preset", "split", "MRR", "val MRR", "AUROC (1:1)"]
    frame = pd.DataFrame(rows, columns=cols)
    for col in ("MRR", "val MRR", "AUROC (1:1)"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


__all__ = [
    "COVERAGE_ROWS",
    "CTD_NEEDS",
    "FUNNEL",
    "coverage_frame",
    "funnel_counts",
    "funnel_figure",
    "runs_summary",
]
