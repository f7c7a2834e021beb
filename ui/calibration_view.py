"""The drug–target classifier's calibration on the Overview: a one-line summary and
the details (reliability chart, call rules, class priors) of the newest ``calls``
cache entry (:func:`ui.data.target_calibration`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.charts import reliability_chart


def calibration_summary(calibration: dict) -> str:
    """One line: the validation-chosen k and its held-out precision and recall."""
    test = calibration.get("test") or {}
    k = str(calibration.get("chosen_k"))
    at_k = (test.get("at_k") or {}).get(k) or {}
    if not at_k:
        return "The classifier's held-out precision is in the details below."
    return (
        f"Top-{k} target calls per drug (k chosen on the validation drugs): held-out "
        f"precision@{k} {at_k.get('precision', 0):.4f}, recall@{k} "
        f"{at_k.get('recall', 0):.4f} over {test.get('drugs') or 0:,} test drugs."
    )


def calibration_details(calibration: dict) -> None:
    """The reliability chart, the call rules and the class priors (the lazy expander)."""
    test = calibration.get("test") or {}
    st.plotly_chart(reliability_chart(test), config={"displayModeBar": False})
    st.caption(
        "Test drugs (held out from the classifier) against every scored gene: the mean "
        "predicted target probability of each bin against the share of its drug–gene "
        "pairs that are known targets; marker size and hover give the pairs per bin. "
        "On the diagonal the probabilities are calibrated. Bins with no known target "
        "cannot be drawn on the log axes and are left out (the legend counts them)."
    )
    rules = {
        "paper thresholds, raw": test.get("thresholds_raw") or {},
        "paper thresholds, prior-corrected": test.get("thresholds_calibrated") or {},
    }
    left, right = st.columns([1, 1])
    with left:
        st.dataframe(
            pd.DataFrame(
                {
                    "rule": list(rules),
                    "calls per drug (median)": [
                        r.get("calls_per_drug_median") for r in rules.values()
                    ],
                    "precision": [r.get("precision") for r in rules.values()],
                    "recall": [r.get("recall") for r in rules.values()],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "calls per drug (median)": st.column_config.NumberColumn(format="localized"),
                "precision": st.column_config.NumberColumn(
                    format="%.4f", help="known targets among the calls"
                ),
                "recall": st.column_config.NumberColumn(
                    format="%.4f", help="known targets called, over drugs with a known target"
                ),
            },
        )
    chosen = str(calibration.get("chosen_k"))
    at_k = test.get("at_k") or {}
    ks = sorted(at_k, key=lambda k: int(k) if str(k).isdigit() else 0)
    with right:
        st.dataframe(
            pd.DataFrame(
                {
                    "k": [int(k) for k in ks],
                    "precision@k": [at_k[k].get("precision") for k in ks],
                    "recall@k": [at_k[k].get("recall") for k in ks],
                    "chosen": ["✓ chosen on validation" if k == chosen else "" for k in ks],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "precision@k": st.column_config.NumberColumn(format="%.4f"),
                "recall@k": st.column_config.NumberColumn(format="%.4f"),
            },
        )
    pri = calibration.get("priors") or {}
    classes = pri.get("classes") or ["inhibition", "none", "activation"]

    def _shares(values) -> str:
        return " / ".join(f"{c} {v:.2g}" for c, v in zip(classes, values or [], strict=False))

    cfg = calibration.get("config") or {}
    settings = [
        f"prior correction {'on' if cfg['prior_correction'] else 'off'}"
        if "prior_correction" in cfg
        else "",
        f"physical (Phy) edges {'included' if cfg['include_phy'] else 'left out'}"
        if "include_phy" in cfg
        else "",
    ]
    settings_text = "; ".join(x for x in settings if x)
    st.caption(
        f"Class priors: training {_shares(pri.get('pi_train'))}; deployment "
        f"{_shares(pri.get('pi_deploy'))} ({pri.get('known_per_drug') or 0:.2f} known targets "
        f"per labelled drug over {pri.get('scored_genes') or 0:,} scored genes, "
        f"{pri.get('labelled_drugs') or 0:,} labelled drugs). Test: "
        f"{test.get('drugs') or 0:,} held-out drugs ({test.get('drugs_with_known') or 0:,} with a "
        f"known target). k for precision@k / recall@k is chosen by F1 on the validation drugs. "
        f"Cache entry `targets/{calibration.get('entry')}`, created {calibration.get('created')}"
        + (f" (classifier config: {settings_text})." if settings_text else ".")
    )
