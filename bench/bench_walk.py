"""Exact vs Monte Carlo signed-walk profiles of every drug on the real network.

Seeds: every drug's signed targets from ``ddi_core.data.entities.signed_dti()``
that are nodes of the network. Both methods use the same graph and seed matrix
in one process:

* exact: :func:`ddi_core.walk.algorithm.drug_profiles` (best of ``--repeats`` runs);
* Monte Carlo: :func:`ddi_core.walk.monte_carlo.monte_carlo_profiles`, the reference walker
  (pure Python, ``--walks`` walks per target, default 15 as in the method), on
  every drug unless ``--mc-sample N`` is given (then timed on N random drugs and
  extrapolated linearly, which the output says). The numba-compiled walker
  (same code, same random stream) is timed too, for information.

Error: per drug, ``||MC - exact|| / ||exact||`` (L2 over genes), also on the
non-seed genes only (the seeds' t = 0 term is exact in both), and a check that
MC with 100x the walks on 20 drugs shrinks that error ~10x (so MC and exact
agree on the real network, not only on the unit tests' tiny graphs). Memory:
the tracemalloc peak of each method in a separate, untimed run.

Usage::

    DDI_HOME=... python bench/bench_walk.py [--network hsn] [--mc-sample N]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def _peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--network", default="hsn", choices=["hsn", "signor", "omnipath"])
    ap.add_argument("--walks", type=int, default=15, help="MC walks per target (method: 15)")
    ap.add_argument(
        "--mc-sample",
        type=int,
        default=0,
        help="time MC on this many random drugs and extrapolate (0: all drugs)",
    )
    ap.add_argument("--repeats", type=int, default=3, help="exact runs (best is reported)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-numba", action="store_true", help="skip the numba MC timing")
    args = ap.parse_args(argv)

    from ddi_core.data import entities
    from ddi_core.graphs.signaling import load_signaling_network
    from ddi_core.walk import algorithm as walk
    from ddi_core.walk import monte_carlo as walk_mc

    rng = np.random.default_rng(args.seed)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus", flush=True)
    graph = load_signaling_network(args.network)
    dti = entities.signed_dti()
    S, drugs = walk.seed_matrix(graph, dti)
    seed_genes = np.unique(S.indices).size
    print(
        f"network {args.network}: {graph.n_nodes} nodes, {graph.n_edges} edges, "
        f"{int((graph.out_degree == 0).sum())} dead ends"
    )
    print(
        f"seeds: signed_dti() has {dti['chemical_id'].nunique()} drugs / {len(dti)} pairs; "
        f"{S.shape[0]} drugs have >= 1 target in the network ({S.nnz} drug-target pairs, "
        f"{seed_genes} distinct seed genes)"
    )

    # exact, all drugs
    times = []
    for _ in range(max(1, args.repeats)):
        exact, wall, cpu = _timed(lambda: walk.drug_profiles(graph, S))
        times.append((wall, cpu))
    ex_wall, ex_cpu = min(times)
    print(
        f"exact  all {S.shape[0]} drugs: {ex_wall * 1e3:8.1f} ms wall, {ex_cpu * 1e3:8.1f} ms cpu "
        f"(best of {len(times)}; all: {', '.join(f'{w * 1e3:.0f}' for w, _ in times)} ms)"
    )

    # Monte Carlo (pure-Python reference walker)
    if args.mc_sample and args.mc_sample < S.shape[0]:
        rows = np.sort(rng.choice(S.shape[0], args.mc_sample, replace=False))
    else:
        rows = np.arange(S.shape[0])
    scale = S.shape[0] / rows.size
    extrapolated = rows.size < S.shape[0]
    mc, mc_wall, mc_cpu = _timed(
        lambda: walk_mc.monte_carlo_profiles(
            graph, S, n_walks=args.walks, rng=np.random.default_rng(args.seed), rows=rows
        )
    )
    mc_wall_all, mc_cpu_all = mc_wall * scale, mc_cpu * scale
    how = (
        f"timed on {rows.size} random drugs, EXTRAPOLATED linearly x{scale:.2f}"
        if extrapolated
        else "all drugs, measured"
    )
    print(
        f"MC     {args.walks} walks/target (python): {mc_wall_all * 1e3:8.1f} ms wall, "
        f"{mc_cpu_all * 1e3:8.1f} ms cpu ({how})"
    )

    nb_wall = nb_cpu = None
    if not args.no_numba:
        walk_mc.monte_carlo_profiles(
            graph,
            S,
            n_walks=args.walks,
            rng=np.random.default_rng(1),
            rows=rows[:2],
            backend="numba",
        )  # compile outside the timing
        _, nb_wall, nb_cpu = _timed(
            lambda: walk_mc.monte_carlo_profiles(
                graph, S, n_walks=args.walks, rng=np.random.default_rng(args.seed), backend="numba"
            )
        )
        print(
            f"MC     {args.walks} walks/target (numba, compile excluded, all drugs): "
            f"{nb_wall * 1e3:8.1f} ms wall, {nb_cpu * 1e3:8.1f} ms cpu"
        )

    ratio, cpu_ratio = mc_wall_all / ex_wall, mc_cpu_all / ex_cpu
    print(
        f"speed-up exact vs python MC: {ratio:.1f}x wall, {cpu_ratio:.1f}x cpu "
        f"({'meets' if ratio >= 50 else 'does NOT meet'} the 50x target)"
    )
    if nb_wall:
        print(f"speed-up exact vs numba MC:  {nb_wall / ex_wall:.2f}x wall")

    # error of MC against exact
    e = exact[rows]
    rel = np.linalg.norm(mc - e, axis=1) / np.linalg.norm(e, axis=1)
    err_mean, err_med = float(rel.mean()), float(np.median(rel))
    print(
        f"MC error vs exact, per drug ||MC-exact||/||exact||: mean {err_mean:.3f}, "
        f"median {err_med:.3f}, p90 {np.quantile(rel, 0.9):.3f} over {rows.size} drugs"
    )
    # the seeds' own t = 0 term is exact in both; the error on the other genes
    off = S[rows].toarray() == 0
    num = np.sqrt((((mc - e) ** 2) * off).sum(axis=1))
    den = np.sqrt(((e**2) * off).sum(axis=1))
    ok = den > 0
    err_off = float((num[ok] / den[ok]).mean())
    print(f"  same, on non-seed genes only: mean {err_off:.3f} over {int(ok.sum())} drugs")
    # walks for a 1% mean non-seed error if the error falls as 1/sqrt(walks)
    walks_1pct = args.walks * (err_off / 0.01) ** 2
    t_1pct = mc_wall_all * walks_1pct / args.walks
    print(
        f"same accuracy: ~{walks_1pct:,.0f} walks/target for a 1% non-seed error "
        f"(~{t_1pct:,.0f} s of python MC, {t_1pct / ex_wall:,.0f}x the exact time; "
        "1/sqrt(walks) extrapolation)"
    )

    # consistency on the real network: 100x walks -> ~10x smaller error
    few = np.sort(rng.choice(rows, min(20, rows.size), replace=False))
    mc_big = walk_mc.monte_carlo_profiles(
        graph, S, n_walks=100 * args.walks, rng=np.random.default_rng(args.seed + 1), rows=few
    )
    off_f = S[few].toarray() == 0
    e_f = exact[few]
    num_f = np.sqrt((((mc_big - e_f) ** 2) * off_f).sum(axis=1))
    den_f = np.sqrt(((e_f**2) * off_f).sum(axis=1))
    ok_f = den_f > 0
    err_big = float((num_f[ok_f] / den_f[ok_f]).mean())
    ok_s = ok[np.searchsorted(rows, few)]
    err_small_few = float(
        (num[np.searchsorted(rows, few)][ok_s] / den[np.searchsorted(rows, few)][ok_s]).mean()
    )
    print(
        f"consistency: non-seed error on {few.size} drugs {err_small_few:.3f} at {args.walks} "
        f"walks -> {err_big:.4f} at {100 * args.walks} walks (1/sqrt law predicts "
        f"{err_small_few / 10:.4f})"
    )

    # memory (separate, untimed runs)
    ex_peak = _peak_mib(lambda: walk.drug_profiles(graph, S))
    mc_rows = rows[: min(rows.size, 200)]
    mc_peak = _peak_mib(
        lambda: walk_mc.monte_carlo_profiles(
            graph, S, n_walks=args.walks, rng=np.random.default_rng(2), rows=mc_rows
        )
    )
    out_mib = S.shape[0] * graph.n_nodes * 8 / 2**20
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak traced memory: exact {ex_peak:.1f} MiB (its output alone {out_mib:.1f} MiB); "
        f"MC {mc_peak:.1f} MiB on {mc_rows.size} drugs; process max RSS {maxrss:.0f} MiB"
    )

    print(
        json.dumps(
            {
                "bench": "walk",
                "network": args.network,
                "seed_source": "entities.signed_dti",
                "nodes": graph.n_nodes,
                "edges": graph.n_edges,
                "drugs": int(S.shape[0]),
                "seed_pairs": int(S.nnz),
                "seed_genes": int(seed_genes),
                "walks_per_target": args.walks,
                "exact_ms": round(ex_wall * 1e3, 1),
                "exact_cpu_ms": round(ex_cpu * 1e3, 1),
                "mc_python_ms": round(mc_wall_all * 1e3, 1),
                "mc_python_cpu_ms": round(mc_cpu_all * 1e3, 1),
                "mc_extrapolated": extrapolated,
                "mc_drugs_timed": int(rows.size),
                "mc_numba_ms": None if nb_wall is None else round(nb_wall * 1e3, 1),
                "ratio_wall": round(ratio, 2),
                "ratio_cpu": round(cpu_ratio, 2),
                "meets_50x": ratio >= 50,
                "mc_rel_l2_mean": round(err_mean, 4),
                "mc_rel_l2_median": round(err_med, 4),
                "mc_rel_l2_nonseed_mean": round(err_off, 4),
                "mc_rel_l2_nonseed_100x_walks_20_drugs": round(err_big, 5),
                "walks_for_1pct": round(walks_1pct),
                "exact_peak_mib": round(ex_peak, 1),
                "mc_peak_mib": round(mc_peak, 1),
                "maxrss_mib": round(maxrss),
                "loadavg": os.getloadavg()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
