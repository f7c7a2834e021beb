"""``ddi embed [ppi|mesh|drugs|all] [--json]``: build (or load) the cached embeddings.

Progress goes to stderr; stdout holds a summary line per embedding, or one JSON
object with ``--json``::

    {"ppi":   {"nodes", "edges", "dim", "seconds", "walk_seconds", "train_seconds",
               "linkpred_auroc", ...},
     "mesh":  {"nodes", "edges", "dim", "ctd_diseases", "ctd_diseases_covered",
               "parent_child_cos", "random_cos", "mannwhitney_p", ...},
     "drugs": drug_embedding_report() of ddi_core.embed.infograph}
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from typing import Any

from ddi_core.cli.main import print_json
from ddi_core.embed import infograph
from ddi_core.embed.evaluate_embeddings import ppi_link_prediction
from ddi_core.embed.infograph_report import drug_embedding_report
from ddi_core.embed.node2vec_stages import (
    MeshEmbeddingConfig,
    PPIEmbeddingConfig,
    mesh_embedding,
    ppi_embedding,
)
from ddi_core.fitloop import TqdmCallback

TARGETS = ("ppi", "mesh", "drugs")

#: reduced node2vec settings for ``--quick`` (link prediction still clears 0.9 AUROC)
QUICK = {"dim": 64, "num_walks": 4, "walk_length": 40, "window": 5}


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _n2v_progress(name: str):
    """stderr lines for walk start/end and every 10 % of training."""
    t0 = time.perf_counter()
    last = [-1]

    def progress(stage: str, done: int, total: int) -> None:
        el = time.perf_counter() - t0
        if stage == "train":
            tenth = 10 * done // max(total, 1)
            if tenth == last[0]:
                return
            last[0] = tenth
            _say(f"[{name}] training {100 * done // max(total, 1)}% ({el:.0f}s)")
        elif stage == "walks":
            _say(f"[{name}] walks {'start' if done == 0 else 'done'} ({el:.1f}s)")
        else:
            _say(f"[{name}] {stage} ({el:.1f}s)")

    return progress


def _quick_if(args: argparse.Namespace, cfg: Any) -> Any:
    """``cfg`` with the quick node2vec settings when ``--quick`` was given."""
    return replace(cfg, node2vec=replace(cfg.node2vec, **QUICK)) if args.quick else cfg


def _summary(emb: Any) -> dict[str, Any]:
    """Size and times of a node2vec embedding, as every ``ddi embed`` answer starts."""
    m = emb.meta
    return {
        "nodes": len(emb),
        "edges": m.get("edges"),
        "dim": emb.dim,
        "seconds": m.get("seconds"),
        "walk_seconds": m.get("walk_seconds"),
        "train_seconds": m.get("train_seconds"),
    }


def _ppi(args: argparse.Namespace) -> dict[str, Any]:

    cfg = _quick_if(args, PPIEmbeddingConfig())
    emb = ppi_embedding(cfg, _n2v_progress("ppi"), force=args.force)
    m = emb.meta
    out = {
        **_summary(emb),
        "edge_weight": cfg.edge_weight,
        "linkpred_auroc": None,
        "cache_dir": m.get("cache_dir"),
    }
    if not args.no_eval:
        _say("[ppi] link prediction (10% edges hidden; one more embedding, cached)")
        lp = ppi_link_prediction(cfg, _n2v_progress("ppi-linkpred"), force=args.force)
        out["linkpred_auroc"] = lp["auroc"]
        out["linkpred"] = lp
    return out


def _mesh(args: argparse.Namespace) -> dict[str, Any]:

    cfg = _quick_if(args, MeshEmbeddingConfig())
    emb = mesh_embedding(cfg, _n2v_progress("mesh"), force=args.force)
    m = emb.meta
    net = {k: v for k, v in m.get("network", {}).items() if k != "ctd_uncovered_ids"}
    coh = m.get("coherence", {})
    return {
        **_summary(emb),
        "ctd_diseases": net.get("ctd_diseases"),
        "ctd_diseases_covered": net.get("ctd_diseases_covered"),
        "ctd_uncovered": net.get("ctd_uncovered"),
        "tree_edges": net.get("tree_edges"),
        "gene_edges": net.get("gene_edges"),
        "parent_child_cos": coh.get("parent_child_cos"),
        "random_cos": coh.get("random_cos"),
        "mannwhitney_p": coh.get("mannwhitney_p"),
        "coherence_auc": coh.get("auc"),
        "cache_dir": m.get("cache_dir"),
    }


def _drugs(args: argparse.Namespace) -> dict[str, Any]:
    cfg = infograph.InfoGraphConfig.quick() if args.quick else infograph.InfoGraphConfig()

    bar = TqdmCallback("[drugs] InfoGraph")
    try:
        infograph.drug_embedding(cfg, [bar])
    finally:
        bar.close()
    rep = drug_embedding_report(cfg)
    return rep


_RUN = {"ppi": _ppi, "mesh": _mesh, "drugs": _drugs}


def _line(name: str, r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{name}: ERROR {r['error']}"
    if name == "ppi":
        return (
            f"ppi: {r['nodes']} genes x {r['dim']}-d, {r['edges']} edges; walks "
            f"{r['walk_seconds']}s + training {r['train_seconds']}s; "
            f"link-prediction AUROC {r['linkpred_auroc']}"
        )
    if name == "mesh":
        return (
            f"mesh: {r['nodes']} diseases x {r['dim']}-d, {r['edges']} edges; CTD diseases "
            f"covered {r['ctd_diseases_covered']}/{r['ctd_diseases']}; cosine parent-child "
            f"{r['parent_child_cos']} vs random {r['random_cos']} (p={r['mannwhitney_p']:.3g})"
        )
    return (
        f"drugs: {r.get('n')} x {r.get('dim')}-d; Tanimoto Spearman "
        f"{r.get('tanimoto_spearman')}; parse failures {r.get('parse_failures')}"
    )


def _cmd_embed(args: argparse.Namespace) -> int:

    names = list(TARGETS) if args.target == "all" else [args.target]
    out: dict[str, Any] = {}
    for name in names:
        _say(f"[{name}] start")
        out[name] = _RUN[name](args)
        if "error" in out[name]:
            _say(f"[{name}] {out[name]['error']}")
    if args.json:
        print_json(out)
    else:
        for name in names:
            print(_line(name, out[name]))
    return 1 if any("error" in r for r in out.values()) else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ddi embed`` to the CLI."""
    p = sub.add_parser("embed", help="build or load the gene, disease and drug embeddings")
    p.add_argument("target", nargs="?", default="all", choices=[*TARGETS, "all"])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--quick",
        action="store_true",
        help="reduced settings (node2vec 64-d, 4 walks x 40; InfoGraphConfig.quick())",
    )
    p.add_argument("--no-eval", action="store_true", help="skip the PPI link-prediction check")
    p.add_argument("--force", action="store_true", help="recompute even when cached")
    p.set_defaults(func=_cmd_embed)
