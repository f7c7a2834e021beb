"""``ddi targets predict|report|profiles``: the drug–target classifier from the shell.

``predict DRUG`` lists the network genes the classifier scores highest for a
drug (``max(p_inhibition, p_activation)``) with the drug's known signed targets
beside; ``report`` gives the drug-disjoint test metrics of the model and its
baselines; ``profiles`` summarises the signed seed matrix of every drug. The
model (and, for ``profiles``, the full drug × gene grid) is fitted on first use
and cached.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from ddi_core.cli.main import print_json
from ddi_core.config.run import preset
from ddi_core.data import entities
from ddi_core.facts import names as drug_names
from ddi_core.fitloop import TqdmCallback
from ddi_core.targets import inputs as target_inputs
from ddi_core.targets.config import TargetConfig
from ddi_core.targets.grid import predicted_targets
from ddi_core.targets.predict import predict_drug_targets
from ddi_core.targets.report import target_report
from ddi_core.targets.seeds import target_profiles
from ddi_core.targets.stage import fit_targets
from ddi_core.walk.profiles import target_config

DEFAULT_TOP = 20


def _config(args: argparse.Namespace):
    from dataclasses import replace

    walk = preset("paper").walk  # the classifier whose calls seed the paper preset's walk
    if getattr(args, "calls", None):
        walk = replace(walk, target_calls=args.calls)
    if getattr(args, "top_k", None):
        walk = replace(walk, target_top_k=args.top_k)
    cfg = target_config(walk)
    if args.preset == "quick":
        cfg = TargetConfig.quick(
            **{
                k: getattr(cfg, k)
                for k in (
                    "network",
                    "include_phy",
                    "prior_correction",
                    "call_rule",
                    "top_k",
                    "rank_by",
                    "lift_power",
                )
            }
        )
    if args.seed is not None:
        cfg = replace(cfg, seed=args.seed)
    return cfg


def _fmt(p: Any) -> str:
    try:
        x = float(p)
    except (TypeError, ValueError):
        return "-"
    return "-" if math.isnan(x) else f"{x:.3f}"


def _cmd_predict(args: argparse.Namespace) -> int:

    cid = drug_names.resolve_drug(args.drug)
    names = entities.drugs().set_index("chemical_id")["name"]
    name = str(names.get(cid, cid))
    cfg = _config(args)
    inputs = target_inputs.load_inputs(cfg)
    bar = TqdmCallback("target classifier")
    stage = fit_targets(cfg, inputs, callbacks=[] if args.json else [bar])
    bar.close()
    res = predict_drug_targets(cid, top=args.top, config=cfg, inputs=inputs, stage=stage)
    if args.json:
        out = res.to_dict()
        out["name"] = name
        out["network"] = cfg.network
        out["thresholds"] = {
            "inhibition": cfg.inhibition_threshold,
            "activation": cfg.activation_threshold,
        }
        print_json(out)
        return 0
    print(
        f"{name} ({cid}); network {cfg.network}; decision: inhibition if p_inh > "
        f"{cfg.inhibition_threshold}, else activation if p_act > {cfg.activation_threshold}"
    )
    if not res.has_vector:
        print("no predictions: this drug has no InfoGraph vector (no parsable SMILES)")
    else:
        print(f"top {len(res.predictions)} of {res.n_scored} network genes by max(p_inh, p_act):")
        print(
            f"{'rank':>4}  {'gene':<10} {'entrez':>9}  {'p_inh':>6} {'p_none':>6} {'p_act':>6}  "
            f"{'decision':<10}  known"
        )
        for i, r in enumerate(res.predictions.itertuples(index=False), 1):
            known = (
                ""
                if r.known_sign is None or str(r.known_sign) == "<NA>"
                else (f"{int(r.known_sign):+d} ({r.known_sources})")
            )
            print(
                f"{i:>4}  {r.symbol:<10} {r.entrez:>9}  {_fmt(r.p_inhibition):>6} {_fmt(r.p_none):>6} "
                f"{_fmt(r.p_activation):>6}  {r.decision:<10}  {known}"
            )
    print(f"known signed targets: {len(res.known)}")
    for r in res.known.itertuples(index=False):
        extra = ""
        if res.has_vector and r.in_network:
            extra = (
                f"  model: p_inh {_fmt(r.p_inhibition)} p_act {_fmt(r.p_activation)} "
                f"-> {r.decision}"
            )
        elif not r.in_network:
            extra = "  (not in network)"
        print(f"  {r.symbol:<10} {r.entrez:>9}  {int(r.sign):+d}  {r.sources}{extra}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:

    cfg = _config(args)
    inputs = target_inputs.load_inputs(cfg)
    bar = TqdmCallback("target classifier")
    stage = fit_targets(cfg, inputs, callbacks=[] if args.json else [bar])
    bar.close()
    rep = target_report(cfg, inputs, stage=stage)
    if args.json:
        print_json(rep)
        return 0
    lab = rep["labels"]
    print(
        f"labels: {lab['dti_pairs']} signed DTI pairs -> {lab['known_pairs']} with both vectors "
        f"({lab['known_drugs']} drugs, {lab['known_genes']} genes); classes {lab['label_counts']}"
    )
    print(
        f"drug-disjoint split: train {rep['n_train']} / val {rep['n_val']} / test {rep['n_test']} pairs "
        f"({rep['split']['train']['drugs']} / {rep['split']['val']['drugs']} / "
        f"{rep['split']['test']['drugs']} drugs)"
    )
    tr = rep["training"]
    print(
        f"training: {tr['epochs']} epochs (best {tr['best_epoch']}), {tr['seconds']:.1f} s on {tr['device']}"
    )
    print(
        f"test macro-F1: model {rep['macro_f1']:.3f} (rule) / {rep['argmax']['macro_f1']:.3f} (argmax); "
        + "; ".join(
            f"{k} {v['macro_f1']:.3f} / {v['macro_f1_argmax']:.3f}"
            for k, v in rep["baselines"].items()
        )
    )
    print(f"{'class':<11} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for c, m in rep["per_class"].items():
        print(
            f"{c:<11} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8}"
        )
    for title, conf in (("rule", rep["confusion"]), ("argmax", rep["argmax"]["confusion"])):
        print(f"confusion ({title}; rows true, columns predicted: inhibition, none, activation):")
        for c, row in zip(rep["classes"], conf, strict=True):
            print(f"  {c:<11} " + " ".join(f"{v:>6}" for v in row))
    if rep["grid"]:
        g = rep["grid"]
        print(
            f"grid: {g['n_pairs']} pairs in {g['seconds']:.1f} s ({g['precision']}, {g['device']}): "
            f"{g['inhibition']} inhibition, {g['activation']} activation"
        )
    cal = rep.get("calibration")
    if cal:
        pri = cal["priors"]
        print(
            "class priors (inhibition, none, activation): training "
            + ", ".join(f"{p:.4f}" for p in pri["pi_train"])
            + "; deployment "
            + ", ".join(f"{p:.2e}" for p in pri["pi_deploy"])
            + f" ({pri['known_per_drug']:.2f} known targets per drug among "
            f"{pri['scored_genes']:,} scored genes)"
        )
        te = cal["test"]
        print(
            f"held-out test drugs ({te['drugs_with_known']} with known targets) against every "
            f"scored gene; known-target rate {te['known_target_rate']:.2e}:"
        )
        for name in ("thresholds_raw", "thresholds_calibrated"):
            r = te[name]
            print(
                f"  {name.replace('_', ' '):<22} median {r['calls_per_drug_median']:g} calls per "
                f"drug, precision {r['precision']:.3f}, recall {r['recall']:.3f}"
            )
        print(
            f"  {'k':>4} {'precision@k':>12} {'recall@k':>9} {'F1@k':>6}  (k chosen on "
            f"validation: {cal['chosen_k']})"
        )
        for k, m in te["at_k"].items():
            print(f"  {k:>4} {m['precision']:>12.3f} {m['recall']:>9.3f} {m['f1']:>6.3f}")
        print("  reliability (prior-corrected P(target) bin: mean predicted vs observed, pairs):")
        for b in te["reliability_calibrated"]:
            print(
                f"    [{b['lo']:.4g}, {b['hi']:.4g})  {b['mean_predicted']:.4f} vs "
                f"{b['observed']:.4f}  ({b['n']:,})"
            )
    return 0


def _cmd_profiles(args: argparse.Namespace) -> int:

    cfg = _config(args)
    inputs = target_inputs.load_inputs(cfg)
    stage = None
    if "predicted" in args.source:
        bar = TqdmCallback("target classifier")
        stage = fit_targets(cfg, inputs, callbacks=[] if args.json else [bar])
        bar.close()
        gbar = None
        if not args.json:
            from tqdm import tqdm

            gbar = tqdm(desc="scoring drugs x genes", unit="drug", file=sys.stderr, leave=False)

        def on_progress(done: int, total: int) -> None:
            if gbar is not None:
                gbar.total = total
                gbar.n = done
                gbar.refresh()

        predicted_targets(cfg, inputs, stage=stage, on_progress=on_progress)
        if gbar is not None:
            gbar.close()
    prof = target_profiles(args.source, cfg, inputs, stage=stage)
    if args.json:
        print_json(
            {
                **prof.meta,
                "n_nodes": int(len(prof.node_ids)),
                "missing": prof.missing.head(args.list_missing).to_dict(orient="records"),
            }
        )
        return 0
    m = prof.meta
    print(
        f"seed source {args.source}: {m['drugs_with_seeds']} drugs with seeds over "
        f"{len(prof.node_ids)} network nodes; {m['seeds']} seeds {m['seeds_by_source']} "
        f"signs {m['seeds_by_sign']}"
    )
    print(f"{m['drugs_without_seeds']} drugs without seeds:")
    for reason, n in m["missing_reasons"].items():
        print(f"  {n:>6}  {reason}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "targets", help="drug-target classifier: predictions, evaluation, seed profiles"
    )
    tsub = p.add_subparsers(dest="targets_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--json", action="store_true", help="one JSON object on stdout")
        q.add_argument(
            "--preset",
            choices=["paper", "quick"],
            default="paper",
            help="paper: up to 100 epochs, patience 10; quick: up to 8 epochs, patience 3",
        )
        q.add_argument("--seed", type=int, default=None, help="root seed (default 0)")
        q.add_argument(
            "--calls",
            choices=["calibrated", "top_k", "raw"],
            default=None,
            help="how targets are called: calibrated (default; the paper's "
            "thresholds at the deployment prior), top_k, raw (no correction)",
        )
        q.add_argument("--top-k", type=int, default=None, help="k of --calls top_k (default 10)")

    pr = tsub.add_parser("predict", help="a drug's top predicted targets, known targets beside")
    pr.add_argument("drug", help="CTD chemical id, CTD name or MeSH synonym")
    pr.add_argument(
        "--top", type=int, default=DEFAULT_TOP, help=f"genes to list (default {DEFAULT_TOP})"
    )
    common(pr)
    pr.set_defaults(func=_cmd_predict)

    rp = tsub.add_parser("report", help="drug-disjoint test metrics of the model and baselines")
    common(rp)
    rp.set_defaults(func=_cmd_report)

    pf = tsub.add_parser("profiles", help="signed seed matrix of every drug over the network")
    pf.add_argument(
        "--source", choices=["known", "predicted", "known+predicted"], default="known+predicted"
    )
    pf.add_argument(
        "--list-missing",
        type=int,
        default=20,
        help="drugs without seeds listed in --json output (default 20)",
    )
    common(pf)
    pf.set_defaults(func=_cmd_profiles)
