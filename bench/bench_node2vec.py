"""Benchmark node2vec on the STRING PPI: walk time vs a naive walker, training time, memory.

Usage::

    DDI_HOME=... python bench/bench_node2vec.py            # full protocol (300-d, 10 x 80)
    python bench/bench_node2vec.py --dim 64 --num-walks 4 --walk-length 40 --window 5
    python bench/bench_node2vec.py --skip-train             # walks only

What is timed
    * ``walk_s``: :func:`ddi_core.embed.node2vec.random_walks` (numba; JIT compile
      excluded and reported as ``compile_s``), all ``num_walks x nodes`` walks.
    * ``naive_walk_s``: :func:`reference_walks`, a per-step Python walker, on
      the first walks of the same start list (a batch lasting at least
      ``--naive-seconds``; same length, same p/q), extrapolated linearly to
      the full walk count (``naive_walk_s_extrapolated``; its one-off setup,
      building Python adjacency lists, is timed separately and not scaled);
      ``walk_speedup`` is the ratio. Run for p = q = 1 (first-order paths on both sides) and for
      p = 0.5, q = 2 (second order).
    * ``train_s``: gensim skip-gram on the walks (wall and process CPU seconds;
      CPU seconds approximate the wall time on an idle core when
      ``deterministic`` uses one worker).
    * ``peak_rss_mb``: the process's peak resident memory (includes loading).

The last stdout line is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--edge-weight", default="none", choices=["none", "combined_score"])
    ap.add_argument(
        "--naive-seconds",
        type=float,
        default=3.0,
        help="time the naive walker on a batch of walks lasting at least this long",
    )
    ap.add_argument("--nondeterministic", action="store_true", help="gensim with 2 workers")
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import numba
    import numpy as np

    from ddi_core.embed.node2vec import (
        Node2VecConfig,
        random_walks,
        reference_walks,
        train_skipgram,
        walk_starts,
    )
    from ddi_core.graphs.networks import ppi_graph

    out: dict = {
        "bench": "node2vec-ppi",
        "numba_threads": numba.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_avg_start": os.getloadavg()[0],
    }
    t0 = time.perf_counter()
    g = ppi_graph(args.edge_weight)
    out.update(
        nodes=g.n_nodes,
        edges=g.n_edges,
        edge_weight=args.edge_weight,
        load_s=round(time.perf_counter() - t0, 2),
        rss_after_load_mb=round(_rss_mb(), 1),
    )
    print(f"graph: {g.n_nodes} nodes, {g.n_edges} edges ({out['load_s']} s)", file=sys.stderr)

    t0 = time.perf_counter()
    random_walks(g, num_walks=1, walk_length=3, p=0.5, q=2.0, seed=0)
    out["compile_s"] = round(time.perf_counter() - t0, 2)

    n_total = g.n_nodes * args.num_walks
    starts_all = walk_starts(g.n_nodes, args.num_walks, args.seed)
    walks = None
    for label, p, q in (("p1q1", 1.0, 1.0), ("p0.5q2", 0.5, 2.0)):
        t0 = time.perf_counter()
        w = random_walks(
            g, num_walks=args.num_walks, walk_length=args.walk_length, p=p, q=q, seed=args.seed
        )
        fast = time.perf_counter() - t0
        t0 = time.perf_counter()  # the naive walker's one-off setup (Python adjacency lists)
        reference_walks(
            g, walk_length=args.walk_length, p=p, q=q, seed=args.seed, starts=starts_all[:0]
        )
        setup = time.perf_counter() - t0
        # per-walk cost: run ever larger batches until one takes --naive-seconds
        n_sub = 250
        while True:
            sub = starts_all[:n_sub]
            t0 = time.perf_counter()
            reference_walks(g, walk_length=args.walk_length, p=p, q=q, seed=args.seed, starts=sub)
            naive = time.perf_counter() - t0 - setup
            if naive >= args.naive_seconds or n_sub >= n_total:
                break
            n_sub = min(n_total, n_sub * 4)
        naive_full = setup + naive * n_total / len(sub)
        out["naive_setup_s"] = round(setup, 3)
        out[f"walk_s_{label}"] = round(fast, 3)
        out[f"naive_walks_timed_{label}"] = len(sub)
        out[f"naive_walk_s_{label}_timed"] = round(naive, 3)
        out[f"naive_walk_s_{label}_extrapolated"] = round(naive_full, 1)
        out[f"walk_speedup_{label}"] = round(naive_full / fast, 1)
        print(
            f"walks {label}: numba {fast:.2f} s; naive {naive:.2f} s on {len(sub)} walks "
            f"-> {naive_full:.0f} s for {n_total} (x{naive_full / fast:.0f})",
            file=sys.stderr,
        )
        if label == "p1q1":
            walks = w
    out["walk_s"] = out["walk_s_p1q1"]
    out["walk_speedup"] = out["walk_speedup_p1q1"]
    out["n_walks"] = int(walks.shape[0])
    out["n_tokens"] = int((walks >= 0).sum())

    if not args.skip_train:
        cfg = Node2VecConfig(
            dim=args.dim,
            num_walks=args.num_walks,
            walk_length=args.walk_length,
            window=args.window,
            seed=args.seed,
            deterministic=not args.nondeterministic,
        )
        out["config"] = {k: getattr(cfg, k) for k in cfg.__dataclass_fields__}
        print(
            f"training skip-gram ({args.dim}-d, deterministic={cfg.deterministic}) ...",
            file=sys.stderr,
        )
        c0, t0 = _cpu(), time.perf_counter()
        vec = train_skipgram(walks, g.n_nodes, cfg)
        out["train_s"] = round(time.perf_counter() - t0, 1)
        out["train_cpu_s"] = round(_cpu() - c0, 1)
        out["total_s"] = round(out["walk_s"] + out["train_s"], 1)
        out["words_per_cpu_s"] = round(out["n_tokens"] / max(out["train_cpu_s"], 1e-9))
        assert vec.shape == (g.n_nodes, args.dim) and np.isfinite(vec).all()
        print(f"training: {out['train_s']} s wall, {out['train_cpu_s']} s CPU", file=sys.stderr)
    out["peak_rss_mb"] = round(_rss_mb(), 1)
    out["load_avg_end"] = os.getloadavg()[0]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
