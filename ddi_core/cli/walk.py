"""``ddi walk DRUG``: the drug's signed walk profile over a signaling network.

Seeds are the drug's signed targets (``entities.signed_dti()``) that are nodes
of the network; the profile is the exact expected walk value
(:func:`ddi_core.walk.algorithm.exact_walk`), printed as the top genes by absolute value.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from ddi_core.cli.main import print_json
from ddi_core.config.run import PRESETS, preset
from ddi_core.data import entities
from ddi_core.facts.names import resolve_drug
from ddi_core.graphs.signaling import SignedGraph, load_signaling_network
from ddi_core.walk.algorithm import MAX_STEPS_LIMIT
from ddi_core.walk.profiles import drug_seeds
from ddi_core.walk.view import drug_walk, rank_nodes, target_table

DEFAULT_TOP = 20


def walk_report(
    graph: SignedGraph,
    *,
    drug_id: str,
    drug_name: str,
    targets: pd.DataFrame,
    alpha: float,
    decay: float,
    steps: int,
    top: int = DEFAULT_TOP,
    trace: bool = False,
) -> dict[str, Any]:
    """The ``ddi walk`` result as a JSON-ready dict.

    Parameters
    ----------
    graph : SignedGraph
    drug_id, drug_name : str
    targets : pandas.DataFrame
        The drug's rows of ``signed_dti()``: ``entrez``, ``symbol``, ``sign``,
        ``sources``.
    alpha, decay, steps : float, float, int
        Walk parameters.
    top : int
        How many genes to list (largest ``|value|`` first, ties by Entrez id).
    trace : bool
        Add ``trace``: the listed genes' values after each step ``t = 0..L``.

    Returns
    -------
    dict
        ``drug {id, name}``, ``network``, ``alpha``, ``decay``, ``steps``,
        ``targets [{gene, symbol, sign, source, in_network}]``,
        ``top_genes [{gene, symbol, value}]``, ``nonzero`` (genes with a
        non-zero value) and, with ``trace``, ``trace``.
    """

    table = target_table(graph, targets)
    res = drug_walk(graph, table, alpha=alpha, decay=decay, max_steps=steps)
    values, tr = res.values, res.trace
    nz = np.flatnonzero(values != 0)
    order = rank_nodes(graph, values, top)
    rep: dict[str, Any] = {
        "drug": {"id": drug_id, "name": drug_name},
        "network": graph.name,
        "alpha": alpha,
        "decay": decay,
        "steps": steps,
        "targets": [
            {
                "gene": int(g),
                "symbol": str(s),
                "sign": int(sg),
                "source": str(src),
                "in_network": bool(i),
                "seed_source": str(ss),
                "probability": None if not np.isfinite(p) else float(p),
            }
            for g, s, sg, src, i, ss, p in zip(
                table["gene"],
                table["symbol"],
                table["sign"],
                table["source"],
                table["in_network"],
                table["seed_source"],
                table["probability"],
                strict=True,
            )
        ],
        "top_genes": [
            {
                "gene": int(graph.node_ids[i]),
                "symbol": graph.symbol_of(int(i)),
                "value": float(values[i]),
            }
            for i in order
        ],
        "nonzero": int(nz.size),
    }
    if trace:
        rep["trace"] = tr[:, order].tolist()
    return rep


def format_report(rep: dict[str, Any]) -> str:
    """Human-readable rendering of :func:`walk_report`'s dict."""
    d = rep["drug"]
    n_in = sum(t["in_network"] for t in rep["targets"])
    lines = [
        f"{d['name']} ({d['id']}) on {rep['network']}: {len(rep['targets'])} signed targets, "
        f"{n_in} in the network; alpha={rep['alpha']} decay={rep['decay']} steps={rep['steps']}",
    ]
    for t in rep["targets"]:
        mark = "" if t["in_network"] else "  (not in network)"
        src = (
            f"predicted, p={t['probability']:.3f}"
            if t.get("seed_source") == "predicted" and t.get("probability") is not None
            else t["source"]
        )
        lines.append(f"  target {t['symbol']:<10} {t['gene']:>9}  {t['sign']:+d}  {src}{mark}")
    if not rep["top_genes"]:
        lines.append("no gene reached (no target in the network)")
        return "\n".join(lines)
    lines.append(f"{'rank':>4}  {'gene':>9}  {'symbol':<10} {'value':>10}")
    for r, g in enumerate(rep["top_genes"], 1):
        lines.append(f"{r:>4}  {g['gene']:>9}  {g['symbol']:<10} {g['value']:>+10.5f}")
    lines.append(f"{rep['nonzero']} genes with a non-zero value")
    if "trace" in rep:
        syms = [g["symbol"][:9] for g in rep["top_genes"]]
        lines.append("trace (value after step t):")
        lines.append(f"{'t':>4}  " + " ".join(f"{s:>9}" for s in syms))
        for t, row in enumerate(rep["trace"]):
            lines.append(f"{t:>4}  " + " ".join(f"{v:>+9.4f}" for v in row))
    return "\n".join(lines)


def _cmd_walk(args: argparse.Namespace) -> int:
    from dataclasses import replace

    drug_id = resolve_drug(args.drug)
    drugs = entities.drugs()
    names = drugs.loc[drugs["chemical_id"] == drug_id, "name"]
    wc = preset(args.preset).walk
    over = {k: v for k, v in (("network", args.network), ("seed_source", args.seeds)) if v}
    if args.edges:
        over["include_phy"] = args.edges == "all"
    wc = replace(wc, **over)
    targets = drug_seeds(wc, drug_id)
    graph = load_signaling_network(
        wc.network, include_phy=wc.include_phy, phy_sign=wc.phy_sign if wc.include_phy else 0
    )
    rep = walk_report(
        graph,
        drug_id=drug_id,
        drug_name=str(names.iloc[0]) if len(names) else drug_id,
        targets=targets,
        alpha=args.alpha,
        decay=args.decay,
        steps=args.steps,
        top=args.top,
        trace=args.trace,
    )
    rep["seed_source"] = wc.seed_source
    rep["edges"] = "all (non-'Pos' flips the sign)" if wc.include_phy else "signed"
    if args.json:
        print_json(rep)
    else:
        print(format_report(rep))
    return 0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None


def _unit(text: str) -> float:
    v = _number(text)
    if not 0.0 <= v <= 1.0:  # NaN fails too
        raise argparse.ArgumentTypeError(f"{text[:40]} is not in [0, 1]")
    return v


def _decay(text: str) -> float:
    v = _number(text)
    if not 0.0 < v <= 1.0:  # NaN, inf and growth (> 1) fail
        raise argparse.ArgumentTypeError(f"{text[:40]} is not in (0, 1]: the signal must decay")
    return v


def _count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if not 1 <= v <= MAX_STEPS_LIMIT:
        raise argparse.ArgumentTypeError(f"{text[:40]} is not from 1 to {MAX_STEPS_LIMIT}")
    return v


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ddi walk``."""
    p = sub.add_parser(
        "walk",
        help="a drug's signed random-walk profile over a signaling network",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("drug", help="CTD chemical id (D000068877), name or MeSH synonym")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument(
        "--trace", action="store_true", help="also the top genes' values after each step"
    )
    p.add_argument(
        "--steps",
        type=_count,
        default=15,
        help=f"maximum walk length L, 1 to {MAX_STEPS_LIMIT} (default 15)",
    )
    p.add_argument("--alpha", type=_unit, default=0.3, help="restart probability (default 0.3)")
    p.add_argument(
        "--decay", type=_decay, default=0.95, help="decay per step, in (0, 1] (default 0.95)"
    )
    p.add_argument(
        "--top", type=_count, default=DEFAULT_TOP, help=f"genes to list (default {DEFAULT_TOP})"
    )
    p.add_argument(
        "--network",
        choices=["hsn", "signor", "omnipath"],
        default=None,
        help="signaling network (default hsn, the method's)",
    )
    p.add_argument(
        "--preset",
        choices=list(PRESETS),
        default="paper",
        help="whose seeds and edges: paper (default: known + calibrated predicted "
        "targets, every HSN edge), paper-known / quick / evidence (known "
        "targets, signed edges)",
    )
    p.add_argument(
        "--seeds",
        choices=["known", "predicted", "known+predicted"],
        default=None,
        help="override the preset's seed source",
    )
    p.add_argument(
        "--edges",
        choices=["signed", "all"],
        default=None,
        help="override the preset's edges: signed only, or all (Phy flips the sign)",
    )
    p.set_defaults(func=_cmd_walk)
