"""``ddi`` command line. Logging handlers are configured here only.

Quiet by default: the terminal shows warnings and errors, progress bars and
each result once. ``-v`` adds the project's INFO lines and third-party INFO
(gensim, numba, streamlit, ...), ``-vv`` everything at DEBUG; ``-q`` leaves
errors only. A run's own log file (``train.log``) keeps the project's INFO
lines whatever the terminal shows.

Each feature module contributes a ``register(subparsers)`` function; commands
print human-readable output by default and one JSON object with ``--json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

from ddi_core.errors import DDIError

# modules that add subcommands; each has register(subparsers) -> None
_COMMAND_MODULES = [
    "ddi_core.cli.data",
    "ddi_core.cli.train",
    "ddi_core.cli.runs",
]


def _optional_modules() -> list[str]:
    extra = [
        "ddi_core.cli.embed",
        "ddi_core.cli.targets",
        "ddi_core.cli.walk",
        "ddi_core.cli.rank",
    ]
    out = []
    for m in extra:
        try:
            importlib.import_module(m)
        except ModuleNotFoundError as exc:
            if not exc.name or not (m == exc.name or m.startswith(exc.name + ".")):
                raise  # a real import error inside the module
            continue
        out.append(m)
    return out


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


def build_parser() -> argparse.ArgumentParser:
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
    for mod in _COMMAND_MODULES + _optional_modules():
        importlib.import_module(mod).register(sub)
    return p


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
