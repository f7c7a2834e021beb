"""``ddi data fetch|verify|report``."""

from __future__ import annotations

import argparse
import sys

from ddi_core import paths
from ddi_core.cli.main import print_json
from ddi_core.data.fetch import fetch, verify
from ddi_core.data.report import coverage_report, format_report
from ddi_core.facts.report import facts_report, format_facts_report
from ddi_core.models.evidence.coverage import model_coverage


def _cmd_fetch(args: argparse.Namespace) -> int:

    def progress(path: str, i: int, n: int) -> None:
        print(f"[{i + 1}/{n}] {path}", file=sys.stderr)

    res = fetch(
        mirror=args.mirror, upstream=args.upstream, progress=None if args.quiet else progress
    )
    n_new = sum(r.action == "fetched" for r in res)
    print(
        f"{len(res)} files verified in {paths.raw_dir()} ({n_new} fetched, {len(res) - n_new} already present)"
    )
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:

    res = verify()
    bad = {k: v for k, v in res.items() if v != "ok"}
    if args.json:
        print_json(res)
    else:
        for k, v in res.items():
            print(f"{v:9s} {k}")
        ok = len(res) - len(bad)
        if bad:
            print(
                f"{ok} of {len(res)} files ok; {len(bad)} not ({', '.join(sorted(set(bad.values())))})."
                " Fix: `ddi data fetch` re-copies them from the bundle and checks them again."
            )
        else:
            print(f"all {len(res)} files match the manifest's SHA-256")
    return 1 if bad else 0


def _cmd_report(args: argparse.Namespace) -> int:

    rep = coverage_report()
    rep["facts"] = facts_report()
    if not args.no_models:
        rep = {**rep, "model_coverage": model_coverage()}
    if args.json:
        print_json(rep)
    else:
        print(format_report(rep))
        print("\n" + format_facts_report(rep["facts"]))
        mc = rep.get("model_coverage")
        if mc:
            print("\nwhat each model can score (drugs x candidate diseases; known CTD pairs):")
            for k, c in mc.items():
                if "needs" not in c:  # the CTD totals, not a model
                    continue
                if "drugs" not in c:
                    print(f"  {k:9s} not computed yet: {c.get('needs', '')}")
                    continue
                print(
                    f"  {k:9s} {c['drugs']:6,d} drugs  {c['diseases']:6,d} diseases  "
                    f"{c['pairs']:7,d} known pairs   needs {c['needs']}"
                )
                p = c.get("profiles")
                if p:
                    print(
                        f"  {'':9s} {p['distinct_profiles']:,} distinct profiles "
                        f"({100 * p['identical_share']:.1f}% of drugs share one); seeds per "
                        f"drug (median) {p['known_seeds_per_drug_median']:g} known, "
                        f"{p['predicted_seeds_per_drug_median']:g} predicted; "
                        f"{p['drugs_with_predicted_seeds_only']:,} drugs with predicted "
                        "seeds only"
                    )
            c = mc["ctd"]
            print(
                f"  {'CTD':9s} {c['drugs']:6,d} drugs  {c['diseases']:6,d} diseases  "
                f"{c['pairs']:7,d} pairs in all"
            )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="fetch, verify and report on the raw data bundle")
    dsub = p.add_subparsers(dest="data_command", required=True)
    f = dsub.add_parser(
        "fetch", help="copy/download every bundle file into the data home, verified"
    )
    f.add_argument(
        "--from",
        dest="mirror",
        default=None,
        help="local mirror directory (default: $DDI_DATA_MIRROR, else ../shared/ddi-data, else upstream URLs)",
    )
    f.add_argument(
        "--upstream", action="store_true", help="ignore mirrors; download from the upstream URLs"
    )
    f.add_argument("-q", "--quiet", action="store_true")
    f.set_defaults(func=_cmd_fetch)
    v = dsub.add_parser("verify", help="re-hash every file in the data home")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=_cmd_verify)
    r = dsub.add_parser("report", help="coverage at every join, and what each model can score")
    r.add_argument("--json", action="store_true")
    r.add_argument(
        "--no-models",
        action="store_true",
        help="skip the per-model coverage (it needs the embeddings, built on first use)",
    )
    r.set_defaults(func=_cmd_report)
