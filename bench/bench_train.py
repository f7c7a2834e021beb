"""Training-step benchmark: batches from tables (fast path) vs a materialised matrix.

Both variants train the same network (the paper's MLP by default) with the same
optimiser, batch size and shuffle order on a synthetic problem shaped like the
real one: sparse-ish drug profiles (``--drugs`` × ``--drug-dim``), dense disease
embeddings (``--diseases`` × ``--dis-dim``) and ``--pairs`` training pairs.

fast
    ``ddi_core.pairs.features.standardized_features`` (scaler fitted from the tables
    with pair-count weights) and ``ddi_core.models.mlp.train.train``; each batch is
    gathered from the two standardised tables. Stopped after ``--batches``
    batches through the loop's cancellation event.
naive
    The ``N × D`` float32 feature matrix is materialised in numpy (row chunks,
    standardised in place in float64 column passes — no sklearn temporaries, so
    the naive side is counted conservatively) and batches are sliced from it
    and copied to the device, as ``TensorDataset`` code does.

Each variant runs in its own *spawned* process; peak host memory is that
process's ``ru_maxrss`` (RUSAGE_SELF) minus its value right after imports and
synthetic inputs were built, so it is the variant's own peak. On CUDA the
device peak is ``torch.cuda.max_memory_allocated``.

Time: the mean time per training step (after ``--warmup`` steps) times the
number of batches gives the epoch estimate (``epoch_s_est``; exact when
``--batches 0`` runs the full epoch); setup time (scaler/tables or
materialisation) is reported separately. Throughput: 6 × params × samples/s
(forward 2, backward 4 FLOP per parameter per sample) against the measured
float32 ``torch.matmul`` rate of 4096² matrices.

    python bench/bench_train.py                      # default shape, CPU or GPU
    python bench/bench_train.py --pairs 20000 --batches 10 --hidden 1024,256,64

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def _inputs(a: dict[str, Any]):
    import numpy as np
    import scipy.sparse as sp

    from ddi_core.pairs.pairs import Pairs

    rng = np.random.default_rng(a["seed"])
    nnz_per_row = max(1, int(a["density"] * a["drug_dim"]))
    rows = np.repeat(np.arange(a["drugs"]), nnz_per_row)
    cols = np.concatenate(
        [rng.choice(a["drug_dim"], nnz_per_row, replace=False) for _ in range(a["drugs"])]
    )
    vals = rng.normal(size=len(rows)).astype(np.float32)
    drug_X = sp.csr_matrix(
        (vals, (rows, cols)), shape=(a["drugs"], a["drug_dim"]), dtype=np.float32
    )
    dis_X = rng.normal(size=(a["diseases"], a["dis_dim"])).astype(np.float32)
    n = a["pairs"] + a["val_pairs"]
    keys = rng.choice(a["drugs"] * a["diseases"], n, replace=False)
    d, s = np.divmod(keys, a["diseases"])
    y = rng.integers(0, 2, n).astype(np.float32)
    tr = Pairs(d[: a["pairs"]], s[: a["pairs"]], y[: a["pairs"]])
    va = Pairs(d[a["pairs"] :], s[a["pairs"] :], y[a["pairs"] :])
    return drug_X, dis_X, tr, va


def _setup_torch(a: dict[str, Any]):
    import torch

    torch.set_num_threads(a["threads"])
    dev = torch.device(
        a["device"] if a["device"] != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    )
    return torch, dev


def matmul_rate(a: dict[str, Any]) -> dict[str, Any]:
    """float32 GFLOP/s of torch.matmul on 4096² matrices on the chosen device."""
    torch, dev = _setup_torch(a)
    n = 4096
    g = torch.Generator(device="cpu").manual_seed(0)
    x = torch.randn(n, n, generator=g).to(dev)
    w = torch.randn(n, n, generator=g).to(dev)
    reps = 3 if dev.type == "cpu" else 50

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    x @ w
    sync()
    t = time.perf_counter()
    for _ in range(reps):
        x @ w
    sync()
    dt = (time.perf_counter() - t) / reps
    return {
        "gflops": 2 * n**3 / dt / 1e9,
        "device": str(dev),
        "tf32": bool(dev.type == "cuda" and torch.backends.cuda.matmul.allow_tf32),
    }


def run_variant(a: dict[str, Any]) -> dict[str, Any]:
    """One variant in this (fresh) process."""
    import numpy as np

    torch, dev = _setup_torch(a)
    from ddi_core.fitloop import FitCallback
    from ddi_core.models.mlp.net import build_model
    from ddi_core.models.mlp.train import TrainLoopConfig, train
    from ddi_core.pairs.features import standardized_features

    drug_X, dis_X, tr, va = _inputs(a)
    rss0 = _maxrss_mb()
    n_batches = math.ceil(len(tr) / a["batch_size"])
    limit = n_batches if a["batches"] <= 0 else min(n_batches, a["batches"] + a["warmup"])
    hidden = [int(h) for h in a["hidden"].split(",")]
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    stamps: list[float] = []
    t0 = time.perf_counter()
    if a["variant"] == "fast":
        feats = standardized_features(drug_X, dis_X, tr, device=dev)
        feats.tables()
        sync()
        setup_s = time.perf_counter() - t0
        td, ts = feats.tables()
        feature_bytes = (td.numel() + ts.numel()) * 4
        dim = feats.dim
        model = build_model(dim, {"hidden": hidden, "dropout": 0.5}, seed=0)

        class Stop(FitCallback):
            def __init__(self):
                self.flag = False

            def is_set(self) -> bool:
                return self.flag

            def on_batch(self, epoch, batch, n, loss):
                stamps.append(time.perf_counter())  # loss.item() already synchronised
                if batch + 1 >= limit:
                    self.flag = True

        stop = Stop()
        cfg = TrainLoopConfig(max_epochs=1, smote=False, shuffle_seed=0, batch_size=a["batch_size"])
        train(model, tr, va, feats, cfg, callbacks=[stop], should_stop=stop.is_set, device=dev)
    else:
        dd, de = drug_X.shape[1], dis_X.shape[1]
        dim = dd + de
        X = np.empty((len(tr), dim), dtype=np.float32)
        for lo in range(0, len(tr), 4096):
            sl = slice(lo, lo + 4096)
            X[sl, :dd] = drug_X[tr.drug[sl]].toarray()
            X[sl, dd:] = dis_X[tr.dis[sl]]
        cb = 128  # standardise in place, narrow float64 column blocks: small temporaries
        for c0 in range(0, dim, cb):
            blk = X[:, c0 : c0 + cb].astype(np.float64)
            mu, sd = blk.mean(0), blk.std(0)
            sd[sd == 0] = 1.0
            blk -= mu
            blk /= sd
            X[:, c0 : c0 + cb] = blk
            del blk
        setup_s = time.perf_counter() - t0
        feature_bytes = X.nbytes
        model = build_model(dim, {"hidden": hidden, "dropout": 0.5}, seed=0).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-5)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        gen = torch.Generator(device="cpu").manual_seed(0)
        perm = torch.randperm(len(tr), generator=gen).numpy()
        y_all = torch.from_numpy(tr.y)
        model.train()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            for b in range(limit):
                idx = np.sort(perm[b * a["batch_size"] : (b + 1) * a["batch_size"]])
                x = torch.from_numpy(X[idx]).to(dev)
                yb = y_all[idx].to(dev)
                loss = loss_fn(model(x), yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                float(loss.detach())
                stamps.append(time.perf_counter())
    w = a["warmup"]
    steps = np.diff(stamps[w - 1 :]) if w >= 1 else np.diff([t0, *stamps])
    step_s = float(np.median(steps)) if len(steps) else float("nan")
    params = sum(p.numel() for p in model.parameters())
    out = {
        "variant": a["variant"],
        "device": str(dev),
        "in_dim": int(dim),
        "params": int(params),
        "setup_s": setup_s,
        "timed_steps": int(len(steps)),
        "step_s_median": step_s,
        "step_s_mean": float(np.mean(steps)) if len(steps) else float("nan"),
        "n_batches_epoch": n_batches,
        "epoch_s_est": step_s * n_batches,
        "samples_per_s": a["batch_size"] / step_s,
        "train_gflops": 6 * params * a["batch_size"] / step_s / 1e9,
        "feature_bytes": int(feature_bytes),
        "rss_before_mb": rss0,
        "peak_rss_delta_mb": _maxrss_mb() - rss0,
    }
    if dev.type == "cuda":
        out["gpu_peak_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return out


def _in_child(fn, a):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as ex:
        return ex.submit(fn, a).result()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--drugs", type=int, default=4000)
    p.add_argument("--drug-dim", type=int, default=15000)
    p.add_argument("--density", type=float, default=0.1, help="non-zero fraction of drug profiles")
    p.add_argument("--diseases", type=int, default=2500)
    p.add_argument("--dis-dim", type=int, default=300)
    p.add_argument("--pairs", type=int, default=60000)
    p.add_argument("--val-pairs", type=int, default=2000)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument(
        "--batches", type=int, default=12, help="timed steps per variant; 0 = full epoch"
    )
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--hidden", default="4096,1024,256,64")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=["fast", "naive"], default=None)
    args = vars(p.parse_args(argv))
    rate = _in_child(matmul_rate, args)
    print(f"matmul 4096² float32 on {rate['device']}: {rate['gflops']:.1f} GFLOP/s", flush=True)
    res: dict[str, Any] = {"config": args, "matmul": rate}
    for v in ("fast", "naive"):
        if args["only"] not in (None, v):
            continue
        r = _in_child(run_variant, {**args, "variant": v})
        r["fraction_of_matmul_peak"] = r["train_gflops"] / rate["gflops"]
        res[v] = r
        print(
            f"{v:5s}: setup {r['setup_s']:.1f} s, step {r['step_s_median'] * 1e3:.1f} ms "
            f"(epoch ≈ {r['epoch_s_est']:.1f} s + setup), {r['train_gflops']:.1f} GFLOP/s "
            f"({100 * r['fraction_of_matmul_peak']:.0f}% of matmul), features {r['feature_bytes'] / 2**20:.0f} MiB, "
            f"peak RSS +{r['peak_rss_delta_mb']:.0f} MiB"
            + (f", GPU peak {r['gpu_peak_mb']:.0f} MiB" if "gpu_peak_mb" in r else ""),
            flush=True,
        )
    if "fast" in res and "naive" in res:
        f, n = res["fast"], res["naive"]
        res["ratios_naive_over_fast"] = {
            "epoch_time_incl_setup": (n["epoch_s_est"] + n["setup_s"])
            / (f["epoch_s_est"] + f["setup_s"]),
            "step_time": n["step_s_median"] / f["step_s_median"],
            "setup_time": n["setup_s"] / f["setup_s"],
            "feature_bytes": n["feature_bytes"] / f["feature_bytes"],
            "peak_rss_delta": n["peak_rss_delta_mb"] / max(f["peak_rss_delta_mb"], 1e-9),
        }
        if "gpu_peak_mb" in f:
            res["ratios_naive_over_fast"]["gpu_peak"] = n["gpu_peak_mb"] / f["gpu_peak_mb"]
    print(json.dumps(res, default=float), flush=True)
    return res


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
