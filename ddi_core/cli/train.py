"""``ddi train``, ``ddi evaluate``, ``ddi runs``, ``ddi prepare``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from ddi_core.cli.main import ECHO_LOGGER, print_json
from ddi_core.cli.rank import check_writable
from ddi_core.config.checks import ConfigError
from ddi_core.config.run import PRESETS, RunConfig, preset
from ddi_core.config.settings import with_settings
from ddi_core.data.fetch import actual_sha256, fetch
from ddi_core.errors import DDIError
from ddi_core.fitloop import TqdmCallback
from ddi_core.models.registry import model_kind
from ddi_core.rank.csv_out import neutralise_frame, with_provenance, write_csv
from ddi_core.rank.pair_file import score_pair_file
from ddi_core.rank.session import load_scorer
from ddi_core.runs import registry as runs
from ddi_core.runs.figures import VALIDATION_FILE
from ddi_core.runs.inputs import stale_reason
from ddi_core.runs.result import results
from ddi_core.training import jobs
from ddi_core.training.runner import run_training
from ddi_core.training.stages import build_stages, read_run_record, stage_configs, stage_differences
from ddi_core.validation.run_validation import validate_run

#: ``ddi train`` flags by the config option they set (errors name the flag).
FLAGS = {
    "seed": "--seed",
    "train.split": "--split",
    "train.neg_ratio": "--neg-ratio",
    "train.max_epochs": "--max-epochs",
    "train.exclude_pairs": "--exclude-pairs",
    "train.max_train_pairs": "--max-train-pairs",
    "walk.seed_source": "--seed-source",
    "evidence.population": "--population",
    "evidence.labels": "--labels",
}


def _config_from_args(args: argparse.Namespace):
    """The run config of ``ddi train``'s arguments, validated before anything is created.

    One base (``--config FILE``, ``--config-json``, or ``--preset``, default ``paper``),
    then every flag of :data:`FLAGS` given and every ``--set section.key=value`` in order
    over it (:func:`ddi_core.config.settings.with_settings`); a :class:`DDIError` names the
    flag, the setting or the ``--config-json`` key and what it accepts."""

    try:
        if getattr(args, "config", None):
            if args.preset is not None:
                raise DDIError(f"--config {args.config} is the base of the run: drop --preset")
            cfg = _config_from_file(Path(args.config))
        elif getattr(args, "config_json", None):
            try:
                d = json.loads(args.config_json)
            except ValueError as exc:
                raise DDIError(f"--config-json is not valid JSON ({exc})") from exc
            if not isinstance(d, dict):
                raise DDIError(f"--config-json must be a JSON object, not {type(d).__name__}")
            try:
                cfg = RunConfig.from_dict(d)
            except (TypeError, ValueError) as exc:
                raise DDIError(f"--config-json: {exc}") from exc
        else:
            cfg = preset(args.preset or "paper")
        flags = {
            k: getattr(args, _DEST.get(k, k), None)
            for k in FLAGS
            if getattr(args, _DEST.get(k, k), None) is not None
        }
        cfg = with_settings(cfg, flags)
    except ConfigError as exc:
        flag = FLAGS.get(exc.option, exc.option)
        raise DDIError(f"{flag} {exc.value!r}: {exc.allowed}") from exc
    try:
        cfg = with_settings(cfg, getattr(args, "set", None) or [])
    except ConfigError as exc:
        raise DDIError(f"--set {exc}") from exc
    model_kind(cfg.model)  # an unknown model kind is refused here, naming the known ones
    _check_exclude_pairs(cfg.train.exclude_pairs)
    _check_device(getattr(args, "device", None))
    return cfg


def _config_from_file(path: Path):
    """The run of ``--config FILE``: a run's ``config.toml`` (or a hand-written one).

    When the file records the run's upstream stages, they must equal this code's, or the
    run could not be reproduced and a :class:`DDIError` lists what differs; flags and
    ``--set`` then change the run on top of it."""
    import tomllib

    if not path.is_file():
        raise DDIError(f"--config {path}: no such file")
    try:
        cfg, stages = read_run_record(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DDIError(f"--config {path}: not a TOML file ({exc})") from exc
    except (ConfigError, TypeError, ValueError) as exc:
        raise DDIError(f"--config {path}: {exc}") from exc
    if stages is not None:
        diff = stage_differences(stages, stage_configs(cfg))
        if diff:
            more = f" (and {len(diff) - 5} more)" if len(diff) > 5 else ""
            raise DDIError(
                f"--config {path}: the run read upstream stages configured otherwise than "
                f"this code's, so its numbers cannot be reproduced here: "
                + "; ".join(diff[:5])
                + more
            )
    return cfg


#: ``argparse`` destinations of :data:`FLAGS` options whose name differs.
_DEST = {
    "train.split": "split",
    "train.neg_ratio": "neg_ratio",
    "train.max_epochs": "max_epochs",
    "train.exclude_pairs": "exclude_pairs",
    "train.max_train_pairs": "max_train_pairs",
    "walk.seed_source": "seed_source",
    "evidence.population": "population",
    "evidence.labels": "labels",
}


def _check_exclude_pairs(path: str | None) -> None:
    from pathlib import Path

    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        raise DDIError(f"--exclude-pairs {path}: is a directory, not a CSV file")
    if not p.is_file():
        raise DDIError(f"--exclude-pairs {path}: no such file")


def _check_device(device: str | None) -> None:
    """``cpu``, ``cuda`` or ``cuda:N`` (CUDA only where it is available)."""
    import re

    if device is None:
        return
    if device != "cpu" and not re.fullmatch(r"cuda(:\d+)?", device):
        raise DDIError(f"--device {device!r}: must be cpu, cuda or cuda:N")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise DDIError(
                f"--device {device}: CUDA is not available on this machine "
                "(use --device cpu, or leave it out)"
            )
        n = torch.cuda.device_count()
        idx = int(device.split(":")[1]) if ":" in device else 0
        if idx >= n:
            raise DDIError(f"--device {device}: this machine has {n} CUDA device(s)")


def validate_finished(run_id: str, echo) -> None:
    """PharmacotherapyDB validation of a finished run, kept in the run
    (``validation.json``): its headline figures need it. A failure is reported and
    leaves the run as it is (``ddi validate --run`` tries again)."""
    import logging

    try:
        v = validate_run(run_id)["pharmacotherapydb"]
    except (DDIError, OSError, ValueError) as exc:
        logging.getLogger(__name__).warning("validation of %s failed: %s", run_id, exc)
        echo(f"PharmacotherapyDB validation failed ({exc}); run `ddi validate --run {run_id}`")
        return
    auroc, pct = v.get("dm_vs_not_auroc"), v.get("dm_heldout_median_percentile")
    echo(
        "PharmacotherapyDB: DM vs NOT AUROC "
        + (f"{auroc:.3f}" if auroc is not None else "–")
        + ", held-out DM median percentile "
        + (f"{pct:.1f}" if pct is not None else "–")
    )


def _grid(args: argparse.Namespace, base) -> list:
    """The configs of ``--splits`` x ``--seeds`` over ``base`` (``base`` alone without)."""
    splits = [x.strip() for x in (getattr(args, "splits", None) or "").split(",") if x.strip()]
    try:
        seeds = [int(x) for x in (getattr(args, "seeds", None) or "").split(",") if x.strip()]
    except ValueError as exc:
        raise DDIError(
            f"--seeds {args.seeds!r}: comma-separated whole numbers, e.g. 0,1,2"
        ) from exc
    if not splits and not seeds:
        return [base]
    if args.run_id:
        raise DDIError("--run-id names one run: drop it with --splits or --seeds")
    out = []
    for seed in seeds or [base.seed]:
        for split in splits or [base.train.split]:
            try:
                out.append(with_settings(base, {"seed": seed, "train.split": split}))
            except ConfigError as exc:
                raise DDIError(f"--splits / --seeds: {exc}") from exc
    return out


def _cmd_train(args: argparse.Namespace) -> int:
    """Train one run, or one per split and seed of ``--splits`` / ``--seeds`` (the upstream
    stages built once, each run validated); prints each run's id, one a line."""
    configs = _grid(args, _config_from_args(args))
    rids = [args.run_id or runs.new_run_id(c.preset) for c in configs]
    for rid in rids:
        runs.run_dir(rid)  # a bad --run-id is refused before anything is written
    actual_sha256()  # corrupted or missing raw files: refused before the run's log exists
    first = configs[0]
    what = f"{first.preset} training" + (
        f" ({len(configs)} runs)" if len(configs) > 1 else f" ({first.train.split} split)"
    )
    fd = jobs.hold_lock_in_process(what, rids[0])
    status = []
    try:
        build_stages(first)
        for cfg, rid in zip(configs, rids, strict=True):
            if len(configs) > 1:
                print(f"== {cfg.train.split} split, seed {cfg.seed}", file=sys.stderr, flush=True)
            status.append(_train_one(cfg, rid, args.device, own_log=fd is not None))
    finally:
        if fd is not None:
            os.close(fd)
    return 0 if all(s == "done" for s in status) else 3


def _train_one(cfg, rid: str, device: str | None, *, own_log: bool) -> str:
    """One run of ``cfg`` as ``rid``, validated when done; prints its id and returns its
    status. ``own_log``: started by hand (not as a job, whose output is the log already),
    so keep a log beside the run."""
    handler = None
    if own_log:
        log_path = runs.paths.runs_dir() / rid / "train.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)

    def echo(msg: str) -> None:  # on the terminal once, and in the run's log
        print(msg, file=sys.stderr, flush=True)
        logging.getLogger(ECHO_LOGGER).info(msg)

    kind = model_kind(cfg.model)
    bar = TqdmCallback(f"training the {kind.label}", unit=kind.unit)
    try:
        build_stages(cfg)
        run = run_training(cfg, run_id=rid, device=device, echo=echo, callbacks=[bar])
        if run.status == "done":
            validate_finished(run.id, echo)
    finally:
        bar.close()
        if handler:
            logging.getLogger().removeHandler(handler)
    print(run.id, flush=True)
    return run.status


def _cmd_evaluate(args: argparse.Namespace) -> int:

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(
                f"\rscored {done:,} / {total:,} pairs",
                end="" if done < total else "\n",
                file=sys.stderr,
                flush=True,
            )

    if args.out:
        check_writable(args.out)  # before the scoring, not after it
    df = score_pair_file(
        args.pairs, run_id=args.run, ranks=args.ranks, progress=progress, terms=args.terms
    )
    if args.out:
        rs = load_scorer(args.run)
        context = {
            "query": f"pairs of {Path(args.pairs).name}",
            "run_id": rs.run_id,
            "data_version": rs.data_version(),
        }
        body = neutralise_frame(with_provenance(df, context)).to_csv(index=False).encode()
        write_csv(args.out, body)
        print(f"{len(df):,} pairs written to {args.out}", file=sys.stderr)
    elif args.json:
        print_json(df.to_dict(orient="records"))
    elif len(df) > 1000:  # a table this long is for a file: CSV, streamed
        df.to_csv(sys.stdout, index=False)
    else:
        print(df.to_string(index=False))
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    """Fetch data and train a quick model when no finished run exists."""

    fetch(mirror=args.mirror)
    rc = 0
    for name, what in (
        ("evidence", "the evidence model (ranks the dashboard by default)"),
        ("quick", "the quick MLP"),
    ):
        # the newest finished run of the preset that can still rank here; one whose data
        # or evidence tables changed since (after an update) is kept but passed over
        usable, stale = None, []
        for res in results():
            r = res.run
            if res.done and res.preset == name:
                why = stale_reason(r)
                if why is None:
                    usable = r
                    break
                stale.append(why)
        if usable is not None and not args.force:
            print(f"a trained {name} run exists: {usable.id}")
            if not usable.path(VALIDATION_FILE).is_file():  # trained before runs kept it
                validate_finished(usable.id, lambda m: print(m, file=sys.stderr))
            continue
        if args.force:
            print(f"--force: training {what}", file=sys.stderr)
        elif stale:
            print(f"{stale[0]}; training a new {name} run", file=sys.stderr)
        else:
            print(f"no {name} run yet: training {what}", file=sys.stderr)
        ns = argparse.Namespace(
            preset=name,
            seed=0,
            split=None,
            neg_ratio=None,
            max_epochs=None,
            exclude_pairs=None,
            max_train_pairs=None,
            seed_source=None,
            population=None,
            labels=None,
            run_id=None,
            device=None,
            config_json=None,
        )
        rc = max(rc, _cmd_train(ns))
    return rc


def register(sub: argparse._SubParsersAction) -> None:

    t = sub.add_parser("train", help="train the pair classifier; prints the run id last")
    t.add_argument(
        "--preset",
        choices=list(PRESETS),
        default=None,
        help="; ".join(f"{k}: {v.description}" for k, v in PRESETS.items()) + " (default: paper)",
    )
    t.add_argument(
        "--config",
        default=None,
        metavar="TOML",
        help="train the run a config.toml describes (e.g. a run's own: reruns it); flags "
        "and --set change it",
    )
    t.add_argument(
        "--set",
        action="append",
        default=None,
        metavar="SECTION.KEY=VALUE",
        help="set one option over the preset or --config, e.g. --set train.split=drug "
        "--set evidence.n_bags=3 --set model=popularity (repeatable; later ones win)",
    )
    t.add_argument(
        "--population",
        choices=["evidence", "paper"],
        default=None,
        help="evidence preset: rank every drug with any evidence (default) or "
        "exactly the MLP's drugs and pairs",
    )
    t.add_argument(
        "--labels",
        choices=["all", "clinical"],
        default=None,
        help="evidence preset: learn from every CTD positive (default) or leave out the "
        "training positives of experimental-model and chemically-induced terms",
    )
    t.add_argument("--split", choices=["random", "drug", "disease"], default=None)
    t.add_argument(
        "--splits",
        default=None,
        metavar="LIST",
        help="train one run per split, e.g. random,drug,disease (with --seeds: per pair)",
    )
    t.add_argument(
        "--seeds",
        default=None,
        metavar="LIST",
        help="train one run per seed, e.g. 0,1,2 (with --splits: per pair)",
    )
    t.add_argument("--neg-ratio", type=float, default=None)
    t.add_argument("--seed", type=int, default=None)
    t.add_argument("--max-epochs", type=int, default=None)
    t.add_argument("--max-train-pairs", type=int, default=None)
    t.add_argument("--seed-source", choices=["known", "predicted", "known+predicted"], default=None)
    t.add_argument(
        "--exclude-pairs", default=None, help="CSV of drug,disease pairs kept out of training"
    )
    t.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    t.add_argument("--run-id", default=None, help=argparse.SUPPRESS)
    t.add_argument("--config-json", default=None, help=argparse.SUPPRESS)
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser("evaluate", help="score a CSV of (drug, disease) pairs with a run")
    e.add_argument("run", help="run id ('latest' for the newest finished run)")
    e.add_argument("--pairs", required=True, help="CSV with drug,disease (MeSH ids or names)")
    e.add_argument("--json", action="store_true")
    e.add_argument("--out", default=None, help="write the scored pairs to this CSV file")
    e.add_argument(
        "--terms",
        choices=("clinical", "all"),
        default="clinical",
        help="the view ranks are taken in (default clinical: experimental-model and "
        "chemically-induced terms are not candidates)",
    )
    e.add_argument(
        "--ranks",
        choices=["auto", "all", "none"],
        default="auto",
        help="rank each pair among every disease of its drug: auto = when the file "
        "has at most 300 distinct drugs (each costs a full model row)",
    )
    e.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    e.set_defaults(func=_cmd_evaluate)

    pr = sub.add_parser(
        "prepare", help="fetch data; train the evidence model and a quick MLP when none exists"
    )
    pr.add_argument("--from", dest="mirror", default=None)
    pr.add_argument("--force", action="store_true")
    pr.set_defaults(func=_cmd_prepare)
