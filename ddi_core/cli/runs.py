"""``ddi runs list|show|delete``: the run registry."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ddi_core.cli.main import print_json
from ddi_core.models.registry import label
from ddi_core.runs import registry as runs
from ddi_core.runs.figures import (
    headline_figures,
    paper_protocol_figures,
    read_validation,
    threshold_row,
    weaker_note,
)
from ddi_core.runs.inputs import loadable_default
from ddi_core.runs.result import result, results


def figure_lines(run: Any, m: dict) -> list[str]:
    """A run's figures in the order a reader should see them: ranking and validation at
    the real prevalence, then the paper protocol (1:1, F1 at the validation threshold);
    each baseline's ranking figures and its F1 at its own validation threshold."""

    out = ["  ranking at the real prevalence and independent validation:"]
    out += [f"    {f.label:32s} {f.text()}" for f in headline_figures(m, read_validation(run))]
    out.append("  paper protocol (test positives against sampled negatives):")
    out += [f"    {f.label:32s} {f.text()}" for f in paper_protocol_figures(m)]
    at = threshold_row((m.get("detail") or {}).get("model") or {})
    if at["threshold"] is not None:
        out.append(f"    {'threshold (validation best F1)':32s} {at['threshold']:.4f}")
    detail = m.get("detail") or {}
    for name, row in (m.get("baselines") or {}).items():
        if not isinstance(row, dict):
            continue
        bt = threshold_row(detail.get(name) or {})
        parts = [
            f"{k} {row[k]:.4f}"
            for k in ("mrr", "hits_at_10", "auroc")
            if isinstance(row.get(k), int | float)
        ]
        if bt["f1"] is not None:
            parts.append(f"f1 {bt['f1']:.4f} at its threshold {bt['threshold']:.4g}")
        out.append(f"  baseline {name:11s} " + "  ".join(parts))
    note = weaker_note(m)
    if note:
        out.append(f"  warning: this run ranks {note}")
    return out


def _cmd_runs(args: argparse.Namespace) -> int:

    if args.runs_command == "list":
        rows = [
            {
                "id": r.id,
                "status": r.status,
                "created": r.created,
                "preset": r.preset,
                "split": r.split,
                "kind": r.kind,
            }
            for r in results()
        ]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(
                    f"{r['id']:40s} {r['status']:10s} {r['preset']:7s} {r['split']:8s} "
                    f"{r['created']}"
                )
        return 0
    if args.runs_command == "show":
        # "default" is the run the dashboard ranks with: the best one that can still load
        if args.run == "default":
            res = loadable_default()
            if res is None:
                raise runs.RunNotFoundError("default")
        else:
            res = result(args.run)
        m = res.metrics()
        out = {
            "id": res.id,
            "status": res.status,
            "kind": res.kind,
            "config": res.config,
            "seeds": res.provenance.get("seeds"),
            "data_sha256": res.data_sha256,
            "code_version": res.code_version,
            "created": res.created,
            "error": res.error or None,
            "progress": res.progress,
            "pairs": res.pairs,
            "split_summary": res.split_summary,
            "metrics": {"test": m.get("test"), "paper_protocol": m.get("paper_protocol")},
            "baselines": m.get("baselines"),
            "timings": res.timings,
        }
        if args.json:
            print_json(out)
        else:
            print(
                f"{res.id}: {res.status}  {label(res.kind)}  preset={res.preset} split={res.split}"
            )
            if out["error"]:
                print(f"error: {out['error']}")
            for line in figure_lines(res.run, m):
                print(line)
        return 0
    if args.runs_command == "delete":
        if args.run in runs.ALIASES:
            runs.delete_run(args.run)  # refused: an alias names no run to delete
        run = runs.load_run(args.run)  # a bad id is refused before asking
        if not args.yes and sys.stdin.isatty():
            typed = input(
                f"Delete run {run.id} ({run.status}) and its model permanently? "
                "Type its id to confirm: "
            ).strip()
            if typed != run.id:
                print("not deleted (the id did not match)", file=sys.stderr)
                return 1
        runs.delete_run(args.run)
        print(f"deleted {args.run}")
        return 0
    return 2


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("runs", help="the run registry")
    rs = r.add_subparsers(dest="runs_command", required=True)
    rl = rs.add_parser("list")
    rl.add_argument("--json", action="store_true")
    rsh = rs.add_parser("show")
    rsh.add_argument("run", help="a run id, or default (the run the dashboard ranks with)")
    rsh.add_argument("--json", action="store_true")
    rd = rs.add_parser("delete", help="delete a run (asks for its id on a terminal)")
    rd.add_argument("run")
    rd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for p in (rl, rsh, rd):
        p.set_defaults(func=_cmd_runs)
