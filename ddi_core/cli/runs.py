"""``ddi runs list|show|delete``: the run registry."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ddi_core.cli.main import print_json
from ddi_core.runs import registry as runs
from ddi_core.runs.figures import (
    headline_figures,
    paper_protocol_figures,
    read_validation,
    threshold_row,
    weaker_note,
)
from ddi_core.runs.inputs import default_run


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
                "created": r.info.get("created"),
                "preset": r.info.get("preset"),
                "split": r.info.get("split"),
            }
            for r in runs.list_runs()
        ]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(
                    f"{r['id']:40s} {r['status']:10s} {r['preset'] or '':7s} {r['split'] or '':8s} {r['created']}"
                )
        return 0
    if args.runs_command == "show":
        # "default" is the run the dashboard ranks with: the best one that can still load
        best = default_run() if args.run == "default" else None
        if args.run == "default" and best is None:
            raise runs.RunNotFoundError("default")
        run = best or runs.load_run(args.run)
        m = run.read_json("metrics.json") or {}
        out = {
            "id": run.id,
            "status": run.status,
            "config": run.info.get("config"),
            "seeds": run.info.get("seeds"),
            "data_sha256": run.info.get("data_sha256"),
            "code_version": run.info.get("code_version"),
            "created": run.info.get("created"),
            "error": run.info.get("error"),
            "progress": run.info.get("progress"),
            "pairs": run.info.get("pairs"),
            "split_summary": run.info.get("split_summary"),
            "metrics": {"test": m.get("test"), "paper_protocol": m.get("paper_protocol")},
            "baselines": m.get("baselines"),
            "timings": run.info.get("timings"),
        }
        if args.json:
            print_json(out)
        else:
            print(
                f"{run.id}: {run.status}  preset={run.info.get('preset')} split={run.info.get('split')}"
            )
            if out["error"]:
                print(f"error: {out['error']}")
            for line in figure_lines(run, m):
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
