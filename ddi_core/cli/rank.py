"""``ddi rank``, ``ddi explain``, ``ddi validate``, ``ddi score-matrix``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from ddi_core.cli.main import print_json, whole_number
from ddi_core.errors import DDIError
from ddi_core.rank.csv_out import ranking_csv, write_csv
from ddi_core.rank.explain import explain_pair
from ddi_core.rank.export import score_full_matrix
from ddi_core.rank.queries import rank_diseases, rank_drugs
from ddi_core.validation.run_validation import validate_run

DEFAULT_TOP = 25


def _short(text: str, width: int) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


#: One-letter flags of a ranked row, in the order printed.
FLAGS = (
    ("I", "indication", "approved or labelled indication (DrugCentral, PharmacotherapyDB DM/SYM)"),
    ("L", "literature", "literature: a CTD therapeutic or protective role (may be preclinical)"),
    ("N", "non_indication", "curated non-indication (PharmacotherapyDB NOT)"),
    ("T", "in_training", "a training positive of this run"),
)
#: Short marks of the disease classes a clinical view shows but marks.
CLASS_FLAG = {"sign or symptom": "sign", "pathological process": "process"}


def _flags(rec: dict[str, Any]) -> str:
    return "".join(f if rec.get(col) not in (None, "", False) else "." for f, col, _ in FLAGS)


def view_line(res: Any) -> str:
    """What the ranking's view hid, in words."""
    if res.kind == "drug":
        if res.terms == "all":
            return "view: all terms (experimental models and chemically induced terms included)"
        return (
            f"view: clinical ({res.n_hidden} experimental-model or chemically-induced terms "
            "hidden; --terms all shows them)"
        )
    if res.approved_only:
        return (
            f"view: FDA-approved drugs only ({res.n_hidden} other drugs hidden; --all-drugs "
            "shows tool compounds and supplements)"
        )
    return "view: every drug"


def format_rank_table(res: Any, rows: int | None = None) -> str:
    """Human-readable table of a :class:`ddi_core.rank.queries.RankResult`."""
    other = "disease" if res.kind == "drug" else "drug"
    df = res.table if rows is None else res.table.head(rows)
    head = (
        f"{res.kind} {res.query_name} ({res.query_id}) — run {res.run_id}: "
        f"{res.n_candidates} candidate {other}s, {res.n_indications} approved/labelled "
        f"indications, {res.n_known} CTD pairs"
        + (" (known pairs hidden)" if res.hide_known else "")
    )
    lines = [head, view_line(res), ""]
    branch = other == "disease"
    hdr = f"{'rank':>5} {'score':>7} {'pct':>6} {'ILNT':4} {other + ' name':40} {'id':11}"
    lines.append(hdr + ("  class    MeSH branch" if branch else "  approved"))
    for r in df.itertuples(index=False):
        rec = r._asdict()
        line = (
            f"{rec['rank']:>5d} {rec['score']:7.4f} {rec['percentile']:6.2f} {_flags(rec):4} "
            f"{_short(rec[other + '_name'], 40):40} {rec[other + '_id']:11}"
        )
        if branch:
            cls = str(rec.get("disease_class") or "")
            line += f"  {CLASS_FLAG.get(cls, cls if cls != 'disease' else ''):8} "
            line += _short(rec["mesh_branch"], 50)
        else:
            line += "  " + ("FDA" if rec.get("approved") else "")
        lines.append(line.rstrip())
    lines += ["", "   ".join(f"{f} {what}" for f, _, what in FLAGS[:2])]
    lines += [
        "   ".join(f"{f} {what}" for f, _, what in FLAGS[2:]) + "   pct: percentile, 100 = top"
    ]
    return "\n".join(lines)


def check_writable(path: str) -> None:
    """Refuse an output path whose folder is missing or not writable, before any work."""
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        raise DDIError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise DDIError(f"cannot write {path}: the folder {folder} is not writable")
    if Path(path).is_dir():
        raise DDIError(f"cannot write {path}: it is a folder")


def _cmd_rank(args: argparse.Namespace) -> int:

    if bool(args.drug) == bool(args.disease):
        print("error: give a DRUG or --disease DISEASE (exactly one)", file=sys.stderr)
        return 2
    if args.csv:
        check_writable(args.csv)  # before the work, not after it
    if args.drug:
        res = rank_diseases(
            args.drug, run_id=args.run, hide_known=args.hide_known, terms=args.terms
        )
    else:
        res = rank_drugs(
            args.disease,
            run_id=args.run,
            hide_known=args.hide_known,
            terms=args.terms,
            approved_only=False if args.all_drugs else None,
        )
    if args.csv:
        write_csv(args.csv, ranking_csv(res))
        print(f"wrote {len(res.table)} rows to {args.csv}", file=sys.stderr)
    top = None if args.top == 0 else args.top
    if args.json:
        out = res.to_json()
        out["results"] = out["results"][:top] if top is not None else out["results"]
        print_json(out)
    else:
        print(format_rank_table(res, top))
    return 0


def _fmt(v: Any, nd: int = 3) -> str:
    return "—" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def _cmd_validate(args: argparse.Namespace) -> int:

    res = validate_run(args.run)
    v = res["pharmacotherapydb"]
    if args.json:
        print_json(res)
        return 0
    p = v["popularity"]
    print(f"PharmacotherapyDB validation of run {v['run']}")
    print(f"  mapped indication pairs      {v['mapped_pairs']}")
    print(
        f"  DM vs NOT AUROC              {_fmt(v['dm_vs_not_auroc'])}  "
        f"({v['dm_pairs']} DM, {v['not_pairs']} NOT scored; {v['excluded_unfeaturised']} "
        f"unfeaturisable)   popularity {_fmt(p['dm_vs_not_auroc'])}"
    )
    print(
        f"  held-out DM median pct       {_fmt(v['dm_heldout_median_percentile'], 1)}  "
        f"(mean {_fmt(v['dm_heldout_mean_percentile'], 1)}, {v['dm_heldout_pairs']} of "
        f"{v['dm_heldout_total']} pairs; {v['ranking']})   popularity "
        f"{_fmt(p['dm_heldout_median_percentile'], 1)}"
    )
    return 0


def facts_lines(e: dict[str, Any]) -> list[str]:
    """The pair's class, view and marks in words (``ddi explain``'s first lines)."""
    v = e.get("view") or {}
    cls = v.get("class", "disease")
    out = [f"disease class: {cls} ({v.get('class_meaning', '')})"]
    if v.get("hidden_by_view"):
        out.append(
            "the clinical view hides this term; its rank below is among every term (--terms all)"
        )
    marks = e.get("marks") or {}
    known = [
        f"{m['label']}: {', '.join(m['sources'])} ({m['meaning']})"
        for m in marks.values()
        if m.get("sources")
    ]
    out += known or ["not a known pair: no indication, literature or non-indication record"]
    return out


def _cmd_explain(args: argparse.Namespace) -> int:

    e = explain_pair(args.drug, args.disease, run_id=args.run, top=args.top, terms=args.terms)
    if args.json:
        print_json(e)
        return 0
    print(
        f"{e['drug']['name']} ({e['drug']['id']}) – {e['disease']['name']} "
        f"({e['disease']['id']}), run {e['run']}"
    )
    for line in facts_lines(e):
        print("  " + line)
    print(
        f"  score {e['score']:.4f} (logit {e['logit']:.3f}); rank {e['rank']} of "
        f"{e['n_diseases']} diseases for this drug, percentile {e['percentile']:.1f}"
    )
    PRINTERS.get(str(e.get("model")), _print_other)(e)
    return 0


def _print_evidence(e: dict[str, Any]) -> None:
    """The evidence model's part: contributions in words, evidence paths."""
    print(f"  top contributions (log-odds; bias {e['bias']:+.3f}):")
    for c in e["contributions"]:
        print(f"    {c['contribution']:+.3f}  {c['text']}")
    print("  evidence paths:")
    for p in e["paths"] or []:
        chain = " → ".join(n["name"] for n in p["nodes"])
        print(f"    [{p['kind']}] {chain}   ({'; '.join(p['edges'])})")
    if not e["paths"]:
        print("    none")


def _print_other(e: dict[str, Any]) -> None:
    """A kind without a printer of its own: its part as JSON."""
    shared = {"run", "model", "drug", "disease", "score", "logit", "rank", "percentile"}
    print(json.dumps({k: v for k, v in e.items() if k not in shared}, indent=1, default=str))


def _print_mlp(e: dict[str, Any]) -> None:
    """The MLP's part: disease genes, targets, profile genes, drivers, neighbours."""
    dg = e["disease_genes"]
    print(
        f"  disease: {dg['ctd_genes']} CTD genes, {dg['in_network']} in the network; "
        f"{100 * dg['profile_share']:.1f}% of the drug profile lies on them"
    )
    tg = e["targets"]
    shown = ", ".join(
        f"{t['symbol']}{'+' if t['sign'] > 0 else '-'}"
        f"{'?' if t.get('seed_source') == 'predicted' else ''}"
        for t in tg[:15]
    )
    n_pred = sum(t.get("seed_source") == "predicted" for t in tg)
    print(
        f"  targets ({len(tg)}, {n_pred} predicted (?); +/- activation/inhibition): {shown}"
        + (" …" if len(tg) > 15 else "")
    )
    print(
        "  profile genes (value):  "
        + ", ".join(
            f"{g['symbol']}{'*' if g['disease_gene'] else ''} {g['value']:+.3f}"
            for g in e["profile_genes"]
        )
    )
    print(
        "  score drivers (grad×input):  "
        + ", ".join(
            f"{g['symbol']}{'*' if g['disease_gene'] else ''} {g['attribution']:+.4f}"
            for g in e["driver_genes"]
        )
    )
    a = e["attribution"]
    print(f"  attribution sums: drug {a['drug_total']:+.4f}, disease {a['disease_total']:+.4f}")
    nb = e["neighbours"]
    print(
        "  nearest training drugs known for the disease: "
        + (", ".join(f"{n['drug_name']} ({n['cosine']:.3f})" for n in nb) if nb else "none")
    )
    print("  * CTD gene of the disease")


#: how ``ddi explain`` prints each model kind's part of an explanation
PRINTERS = {"mlp": _print_mlp, "evidence": _print_evidence}


def _cmd_score_matrix(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    bar = tqdm(total=None, unit="drug", file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        path = score_full_matrix(args.run, args.out, progress=progress)
    finally:
        bar.close()
    print(path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:

    r = sub.add_parser(
        "rank",
        help="rank every disease for a drug (or every drug for --disease)",
        description="Rank every candidate disease for DRUG, or every featurised drug for "
        "--disease, with the default run. Each row marks where a known pair comes from: "
        "I approved or labelled indication, L literature (CTD), N curated non-indication, "
        "T a training positive of the run. The clinical view (the default) hides "
        "experimental-model and chemically-induced disease terms, and keeps FDA-approved "
        "drugs only for --disease.",
    )
    r.add_argument("drug", nargs="?", help="drug name, brand name, synonym or MeSH id")
    r.add_argument("--disease", default=None, help="rank drugs for this disease instead")
    r.add_argument(
        "--top",
        type=whole_number(0, note="0 = every row"),
        default=DEFAULT_TOP,
        help=f"rows printed / in --json (default {DEFAULT_TOP}; 0 = all)",
    )
    r.add_argument(
        "--hide-known",
        action="store_true",
        help="drop pairs known as an indication or from the literature before ranking",
    )
    r.add_argument(
        "--terms",
        choices=("clinical", "all"),
        default="clinical",
        help="clinical (default): hide experimental-model and chemically-induced disease "
        "terms; all: every term",
    )
    r.add_argument(
        "--all-drugs",
        action="store_true",
        help="with --disease: rank every drug, not only FDA-approved ones",
    )
    r.add_argument(
        "--csv",
        default=None,
        help="also write every ranked row to this CSV (with the query, run and data version)",
    )
    r.add_argument("--json", action="store_true")
    r.add_argument(
        "--run",
        default=None,
        help="run id, or 'latest' (default: the default run, the best validation MRR among "
        "the runs that can still load)",
    )
    r.set_defaults(func=_cmd_rank)

    v = sub.add_parser("validate", help="PharmacotherapyDB validation of a run")
    v.add_argument("--run", default=None, help="run id (default: the default run)")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=_cmd_validate)

    e = sub.add_parser("explain", help="why a run scores a drug–disease pair as it does")
    e.add_argument("drug")
    e.add_argument("disease")
    e.add_argument("--run", default=None, help="run id (default: the default run)")
    e.add_argument(
        "--top", type=whole_number(1, 1000), default=10, help="genes / neighbours listed"
    )
    e.add_argument(
        "--terms",
        choices=("clinical", "all"),
        default="clinical",
        help="the view the rank is taken in (default clinical: experimental-model and "
        "chemically-induced terms are not candidates)",
    )
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=_cmd_explain)

    m = sub.add_parser(
        "score-matrix", help="score every drug x disease of a run into full_scores.parquet"
    )
    m.add_argument("--run", default=None)
    m.add_argument("--out", default=None, help="output path (default: in the run directory)")
    m.set_defaults(func=_cmd_score_matrix)
