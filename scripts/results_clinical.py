"""The "Rankings a pharmacologist recognises" section of docs/RESULTS.md (issue 24).

Reads docs/bench/clinical_ranking.json (scripts/clinical_ranking.py), docs/bench/
rank_view.json (bench/bench_rank_view.py through scripts/run_benches.py) and, from the data
home, the facts layer's coverage (ddi_core.facts.report). Used by scripts/make_results.py
(``--update clinical``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _fmt(v: Any, nd: int = 4) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += [
        "| " + " | ".join(_fmt(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return "\n".join(out)


def _figure_rows(rec: dict[str, Any], part: str) -> list[list[Any]]:
    rows = []
    for key in ("random/all", "random/clinical", "drug/all", "drug/clinical"):
        e = rec["runs"].get(key)
        if e is None:
            continue
        split, labels = key.split("/")
        for terms in ("clinical", "all"):
            m = e[f"{part}_{terms}"]
            for scorer in ("model", "popularity"):
                if scorer == "popularity" and labels == "clinical":
                    continue  # the same split and the same popularity counts but the dropped
                v = m[scorer]
                rows.append(
                    [
                        {"random": "random", "drug": "unseen drugs"}[split],
                        f"{labels} labels" if scorer == "model" else "popularity",
                        "clinical view (the default)" if terms == "clinical" else "all terms",
                        v["pairs"],
                        v["drugs"],
                        v["mrr"],
                        None if v["hits_at_10"] is None else f"{100 * v['hits_at_10']:.1f}%",
                        None if v["median_rank"] is None else f"{v['median_rank']:.1f}",
                        f"`{e['run']}`" if scorer == "model" else "",
                    ]
                )
    return rows


def section_clinical() -> str:
    f = ROOT / "docs" / "bench" / "clinical_ranking.json"
    if not f.is_file():
        return ""
    rec = json.loads(f.read_text())
    head = [
        "split",
        "scorer",
        "candidates",
        "indication pairs",
        "drugs",
        "MRR",
        "Hits@10",
        "median rank",
        "run",
    ]
    s = (
        "## Rankings a pharmacologist recognises: the clinical ranking figure\n\n"
        f"`python scripts/clinical_ranking.py` ({rec['created']}; the runs: `ddi train --preset "
        f"evidence --split random|drug --seed {rec['seed']} --labels all|clinical`, default "
        "population). For the drugs of a split part whose positive there is also an approved "
        "or labelled indication (DrugCentral's label, PharmacotherapyDB DM / SYM): the rank of "
        "that indication among the drug's candidate diseases, filtered (the drug's other known "
        "pairs, CTD or indication, are not candidates), tie-averaged "
        "(`ddi_core/validation/clinical.py`). *clinical view*: experimental-model and "
        "chemically-induced terms are not candidates; *all terms*: every term. Popularity "
        "ranks diseases by their training positives.\n\n"
        "**Validation** (what the labels setting is chosen by):\n\n"
        + _table(head, _figure_rows(rec, "val"))
        + "\n\n**Test** (reported, chose nothing):\n\n"
        + _table(head, _figure_rows(rec, "test"))
        + "\n\n"
    )
    ch = rec["choice"]
    v = ch["validation_clinical_mrr"]
    s += (
        f"**Trained on all labels or on clinical labels only.** The rule: {ch['rule']}. Mean "
        f"validation clinical MRR over the two splits: all labels {v.get('all', 0):.4f}, "
        f"clinical labels {v.get('clinical', 0):.4f}: the default stays **{ch['labels']}** "
        "labels, and `ddi train --labels clinical` keeps the other as an option. (A run on "
        "clinical labels learns without the training and validation positives of "
        "experimental-model and chemically-induced terms; its figures are measured on the whole "
        "split like every run's, so the popularity rows apply to both.)\n\n"
    )
    top = rec.get("top10") or {}
    if top:
        rows = []
        for labels, t in top.items():
            for view in ("all", "clinical"):
                x = t[view]
                rows.append(
                    [
                        f"{labels} labels (`{t['run']}`)",
                        f"{view} terms",
                        x["drugs"],
                        x["rows"],
                        f"{100 * x['hidden_share']:.2f}%",
                        f"{100 * x['marked_share']:.1f}%",
                    ]
                )
        s += (
            "**What the top 10 is made of**, over every drug of the random-split run with an "
            "approved or labelled indication (every drug's top 10 in the view). In the clinical "
            "view the hidden classes are 0 by construction: they are not candidates.\n\n"
            + _table(
                [
                    "model",
                    "view",
                    "drugs",
                    "rows",
                    "experimental model or chemically induced",
                    "sign or symptom, pathological process",
                ],
                rows,
            )
            + "\n\n"
        )
    s += _facts_section()
    s += _speed_section()
    return s


def _facts_section() -> str:
    try:
        from ddi_core.facts.report import facts_report
    except ImportError:  # pragma: no cover
        return ""
    rep = facts_report()
    s = "### Where each known pair comes from, and how the sources were mapped\n\n"
    rows = []
    for m, v in rep["marks"].items():
        rows.append(
            [
                m,
                v["pairs"],
                v["chemicals"],
                v["diseases"],
                ", ".join(f"{k} {n:,}" for k, n in v["by_source"].items()),
            ]
        )
    s += _table(["mark", "pairs", "drugs", "diseases", "by source"], rows) + "\n\n"
    ind = rep["drugcentral"]["indications"]
    un = ind["unmapped"]
    fda = rep["drugcentral"]["fda_approved"]
    p = rep["pharmacotherapydb"]
    s += (
        f"DrugCentral label indications: {ind['rows']:,} rows, {ind['rows_mapped']:,} mapped "
        f"to a (CTD chemical, MeSH disease) pair; unmapped because the drug is not among CTD's "
        f"chemicals {un['drug']:,}, because the indication reaches no MeSH disease "
        f"{un['disease']:,}, both {un['both']:,}. Disease routes (rows): "
        + ", ".join(f"{k} {v:,}" for k, v in ind["disease_routes"].items())
        + f"; {ind['snomed_only']:,} rows carry a SNOMED CT id the bundle cannot map (no "
        "SNOMED → MeSH crosswalk) and nothing else. "
        f"{ind['pairs']:,} distinct pairs over {ind['chemicals']:,} drugs and "
        f"{ind['diseases']:,} diseases. FDA-approved list: {fda['drugcentral_ids_mapped']:,} of "
        f"{fda['drugcentral_ids']:,} DrugCentral drugs reach {fda['chemicals']:,} CTD chemicals "
        "(" + ", ".join(f"{k} {v:,}" for k, v in fda["routes"].items()) + "); the rest are not "
        "among CTD's chemicals with a therapeutic row. PharmacotherapyDB: "
        f"{p['drugs_mapped']} of {p['drugs_total']} drugs, {p['diseases_mapped']} of "
        f"{p['diseases_total']} diseases; rows mapped "
        + ", ".join(
            f"{c} {p['pairs_mapped'][c]}/{p['pairs_total'][c]}" for c in ("DM", "SYM", "NOT")
        )
        + ".\n\n"
    )
    n = rep.get("names") or {}
    if n:
        s += "### The names people use\n\n"
        rows = []
        for key, what in (
            ("ptdb", "PharmacotherapyDB drug names"),
            ("brands", "50 brand names (`ddi_core/facts/brand_names_check.tsv`)"),
        ):
            v = n[key]
            rows.append(
                [
                    what,
                    v["names"],
                    v["names"] - v["no_reference"],
                    v["right"],
                    v["wrong"],
                    v["ambiguous"],
                    v["unknown"],
                    ", ".join(v["misses"]) or "–",
                ]
            )
        s += _table(
            [
                "names",
                "all",
                "with a CTD chemical to find",
                "right drug",
                "wrong",
                "ambiguous",
                "unknown",
                "not right",
            ],
            rows,
        )
        tiers = n["brands"]["by_tier"]
        s += (
            "\n\n'With a CTD chemical to find': the name's drug is among CTD's chemicals (for a "
            "brand name, its generic name resolves through CTD's or MeSH's own names; "
            "esomeprazole, levothyroxine, escitalopram and sitagliptin do not). Right brand "
            "names by tier: " + ", ".join(f"{k} {v}" for k, v in tiers.items()) + ".\n\n"
        )
    return s


def _speed_section() -> str:
    f = ROOT / "docs" / "bench" / "rank_view.json"
    if not f.is_file():
        return ""
    rec = json.loads(f.read_text())
    r = rec.get("result", rec)
    r = {**r, "command": rec.get("command"), "measured_at": rec.get("measured_at")}
    return (
        "### Ranking a drug stays as fast\n\n"
        f"`{r.get('command', 'python bench/bench_rank_view.py')}` ({r.get('measured_at', '')}), "
        f"run `{r['run']}` ({r['model']} model), {r['drugs']} drugs × {r['repeats']} rounds, "
        f"the run loaded once: the clinical view with classes and marks "
        f"{r['clinical_ms_per_drug']:.1f} ms per drug against the bare ranking of before "
        f"{r['bare_ms_per_drug']:.1f} ms ({r['ratio_clinical_over_bare']:.2f}x); peak RSS "
        f"growth {r['clinical_peak_rss_mib']} MiB against {r['bare_peak_rss_mib']} MiB.\n"
    )


__all__ = ["section_clinical"]
