"""``ddi`` command line. Logging handlers are configured here only.

Quiet by default: the terminal shows warnings and errors, progress bars and
each result once. ``-v`` adds the project's INFO lines and third-party INFO
(gensim, numba, streamlit, ...), ``-vv`` everything at DEBUG; ``-q`` leaves
errors only. A run's own log file (``train.log``) keeps the project's INFO
lines whatever the terminal shows.

Each command names its module in :data:`COMMANDS`, which contributes a
``register(subparsers)`` function; commands print human-readable output by default
and one JSON object with ``--json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

from ddi_core.errors import DDIError

#: every command: the module that registers and runs it, and its line in ``ddi --help``.
#: A command's module is imported only when that command runs (or its help is asked
#: for), so ``ddi rank`` never imports the training code; each module has
#: ``register(subparsers)``, which adds every command it runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "data": ("ddi_core.cli.data", "fetch, verify and report on the raw data bundle"),
    "prepare": ("ddi_core.cli.train", "fetch data; train the evidence model and a quick MLP"),
    "train": ("ddi_core.cli.train", "train a model; prints the run id last"),
    "evaluate": ("ddi_core.cli.train", "score a CSV of (drug, disease) pairs with a run"),
    "runs": ("ddi_core.cli.runs", "the run registry"),
    "embed": ("ddi_core.cli.embed", "build or load the gene, disease and drug embeddings"),
    "targets": ("ddi_core.cli.targets", "drug-target classifier: predictions, evaluation"),
    "walk": ("ddi_core.cli.walk", "a drug's signed random walk over the signaling network"),
    "rank": ("ddi_core.cli.rank", "rank diseases for a drug or drugs for a disease"),
    "validate": ("ddi_core.cli.rank", "PharmacotherapyDB validation of a run"),
    "explain": ("ddi_core.cli.rank", "why a run scores a drug–disease pair as it does"),
    "score-matrix": ("ddi_core.cli.rank", "score every drug x disease of a run"),
}


def whole_number(lo: int, hi: int | None = None, note: str = ""):
    """An argparse ``type``: a whole number in ``lo..hi``; otherwise argparse exits 2
    with "argument --top: must be a whole number ≥ 0 (0 = every row)"."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            v = None
        if v is None or v < lo or (hi is not None and v > hi):
            rng = f"≥ {lo}" + (f" and ≤ {hi}" if hi is not None else "")
            raise argparse.ArgumentTypeError(
                f"must be a whole number {rng}{f' ({note})' if note else ''}, not {text!r}"
            )
        return v

    parse.__name__ = "whole number"
    return parse


#: loggers of libraries that talk at INFO (gensim prints a line per epoch step)
THIRD_PARTY = (
    "gensim",
    "numba",
    "streamlit",
    "pooch",
    "urllib3",
    "matplotlib",
    "PIL",
    "lightgbm",
    "rdkit",
    "fsspec",
    "asyncio",
    "tornado",
    "watchdog",
)
#: records of this logger are already on the terminal (printed once): file only
ECHO_LOGGER = "ddi_core.echo"


class _NotEcho(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(ECHO_LOGGER)


def configure_logging(verbose: int = 0, quiet: bool = False) -> None:
    """Terminal: WARNING (``quiet``: ERROR; ``-v``: INFO; ``-vv``: DEBUG). The root
    logger passes INFO on, so a run's file handler still records the project's lines."""
    console = (
        logging.ERROR
        if quiet
        else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    )
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_ddi_console", False):
            root.removeHandler(h)
    h = logging.StreamHandler(sys.stderr)
    h.setLevel(console)
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    h.addFilter(_NotEcho())
    h._ddi_console = True  # type: ignore[attr-defined]
    root.addHandler(h)
    root.setLevel(min(console, logging.INFO))
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``ddi`` parser: with ``argv``, only the modules its command needs."""
    p = argparse.ArgumentParser(prog="ddi", description="DDI Explorer command line")
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more log lines on stderr: -v info, -vv debug",
    )
    p.add_argument(
        "-q", "--quiet", dest="log_quiet", action="store_true", help="errors only on stderr"
    )
    sub = p.add_subparsers(dest="command", required=True)
    first = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    if first in COMMANDS:  # the command's own module only
        importlib.import_module(COMMANDS[first][0]).register(sub)
    elif argv is None:  # every command, fully (tests, documentation)
        for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
            importlib.import_module(module).register(sub)
    else:  # ddi --help, or a mistyped command: the list of commands, nothing imported
        for name, (_, help_text) in COMMANDS.items():
            sub.add_parser(name, help=help_text)
    return p


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.log_quiet)
    try:
        rc = args.func(args)
    except DDIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(rc or 0)


if __name__ == "__main__":
    raise SystemExit(main())
