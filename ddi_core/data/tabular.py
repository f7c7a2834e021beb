"""The strict reader under every loader of :mod:`ddi_core.data.loaders`.

A malformed file never yields a silently short table: a row with too few or
too many fields, an unterminated quote, a missing column, a wrong delimiter, a
non-numeric value where a number is required, an unknown category, or an empty
file raises :class:`~ddi_core.errors.DataFileError` naming the file, and where
possible the line and the value at fault.

Text columns hold ``""`` (not NA) where the source field is empty, so string
methods work without NA handling; the two R files keep R's ``NA`` as missing.
Delimited files are parsed with :mod:`pyarrow.csv` (a row whose field count
differs from the header's is an error, unlike pandas' C parser which pads short
rows); ``.rda`` files with :func:`rdata.read_rda`, whose parse is cached as Parquet
by file content.
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ddi_core import paths
from ddi_core.cache import atomic_write_bytes
from ddi_core.data import fetch
from ddi_core.errors import DataFileError, MissingFileError

log = logging.getLogger(__name__)

__all__ = [
    "PathLike",
    "RawTable",
    "Kind",
    "INT_RE",
    "MESH_ID",
    "resolve",
    "read_delimited",
    "snake_case",
    "build_frame",
    "read_rda_frame",
    "rda_require",
]

PathLike = Path | str | None

_SEP_NAMES = {",": "comma", "\t": "tab"}
INT_RE = r"[+-]?[0-9]+"
#: a MeSH descriptor or supplementary-concept id
MESH_ID = r"[CD][0-9]+"


def resolve(path: PathLike, rel: str) -> Path:
    if path is None:
        return fetch.raw_path(rel)
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(p, "no such file")
    return p


class RawTable:
    """A parsed delimited file: string columns plus where its data starts."""

    def __init__(self, path: Path, frame: pd.DataFrame, first_line: int, sep: str) -> None:
        self.path = path
        self.df = frame
        self.first_line = first_line  # 1-based file line of data row 0
        self.sep = sep

    def fail(self, col: str, i: int, problem: str) -> DataFileError:
        value = self.df[col].iloc[i]
        return DataFileError(
            self.path, f"line {self.first_line + i}, column {col!r}: {value!r} {problem}"
        )

    def require(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.df.columns]
        if missing:
            found = list(self.df.columns)
            hint = ""
            if len(found) == 1 and any(d in found[0] for d in _SEP_NAMES if d != self.sep):
                hint = f" (wrong delimiter? expected {_SEP_NAMES[self.sep]}-separated)"
            raise DataFileError(self.path, f"missing column(s) {missing}; found {found}{hint}")

    def ints(self, col: str, *, nullable: bool = False) -> pd.Series:
        """Column as ``int64`` (``Int64`` with ``<NA>`` for empty when nullable)."""
        s = self.df[col]
        ok = s.str.fullmatch(INT_RE).to_numpy(dtype=bool, copy=True)
        empty = (s == "").to_numpy(dtype=bool)
        if nullable:
            ok |= empty
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise self.fail(col, i, "is not an integer")
        arr = pa.array(s)
        if nullable:
            arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        try:
            out = pc.cast(arr, pa.int64())
        except pa.ArrowInvalid as exc:  # out of the int64 range
            raise DataFileError(self.path, f"column {col!r}: {exc}") from exc
        values = out.fill_null(0).to_numpy()
        if nullable:
            mask = out.is_null().to_numpy(zero_copy_only=False)
            return pd.Series(pd.arrays.IntegerArray(values, mask), index=s.index, name=col)
        return pd.Series(values, index=s.index, name=col)

    def floats(
        self, col: str, *, nullable: bool = False, thousands: str | None = None
    ) -> pd.Series:
        """Column as ``float64`` (``NaN`` for empty when nullable)."""
        s = self.df[col]
        if thousands:
            s = s.str.replace(thousands, "", regex=False)
        vals = pd.to_numeric(s.where(s != ""), errors="coerce").astype("float64")
        bad = vals.isna().to_numpy() & ~(nullable & (s == "").to_numpy(dtype=bool))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(col, i, "is not a number")
        return vals.rename(col)

    def choice(self, col: str, allowed: Sequence[str]) -> pd.Series:
        """Column as a categorical restricted to ``allowed``."""
        s = self.df[col]
        bad = ~s.isin(allowed).to_numpy(dtype=bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(col, i, f"is not one of {list(allowed)}")
        return s.astype(pd.CategoricalDtype(list(allowed)))

    def pattern(self, col: str, regex: str, what: str) -> None:
        """Check that every value of ``col`` fully matches ``regex``."""
        bad = ~self.df[col].str.fullmatch(regex).to_numpy(dtype=bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(col, i, f"is not {what}")


def _locate_bad_row(data: bytes, sep: str, skip: int, expected: int) -> tuple[int, int] | None:
    """First ``(line, n_fields)`` whose field count differs (error path only).

    ``n_fields`` is -1 when the row's quoting is broken (a quoted field that runs
    past its line).
    """
    text = io.StringIO(data.decode("utf-8", errors="replace"), newline="")
    reader = csv.reader(text, delimiter=sep)
    prev = 0
    try:
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if start <= skip or not row:
                continue
            if reader.line_num > start:
                return start, -1
            if len(row) != expected:
                return start, len(row)
    except csv.Error:
        return prev + 1, -1
    return None


def read_delimited(
    path: Path,
    *,
    sep: str,
    names: Sequence[str] | None = None,
    skip_lines: int = 0,
    comment: str | None = None,
) -> RawTable:
    """Parse a delimited text file into string columns, strictly.

    Parameters
    ----------
    path
        The file.
    sep
        Field delimiter.
    names
        Column names of a headerless file; ``None`` reads them from the first
        line after ``skip_lines`` and comment lines.
    skip_lines
        Leading lines to drop unconditionally (e.g. a date line).
    comment
        Leading lines starting with this prefix are skipped.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFileError(path, f"cannot read: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise DataFileError(path, "empty file")
    lines = data.splitlines()
    skip = skip_lines
    if comment:
        prefix = comment.encode()
        while skip < len(lines) and lines[skip].startswith(prefix):
            skip += 1
    if names is None:
        if skip >= len(lines):
            raise DataFileError(path, "no header line")
        try:
            header = next(csv.reader([lines[skip].decode("utf-8")], delimiter=sep))
        except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
            raise DataFileError(path, f"unreadable header line {skip + 1}: {exc}") from exc
        if len(set(header)) != len(header):
            raise DataFileError(path, f"duplicate column names in header {header}")
        cols = header
        skip += 1
    else:
        cols = list(names)
    first_line = skip + 1
    if skip >= len(lines) or not b"".join(lines[skip:]).strip():
        raise DataFileError(path, "no data rows")
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=skip),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in cols},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        msg = str(exc)
        if "Expected" in msg and "columns" in msg:
            where = _locate_bad_row(data, sep, skip, len(cols))
            kind = _SEP_NAMES.get(sep, repr(sep))
            if where and where[1] >= 0:
                msg = (
                    f"line {where[0]}: expected {len(cols)} {kind}-separated fields, "
                    f"found {where[1]} (truncated row or wrong delimiter?)"
                )
            elif where:
                msg = (
                    f"line {where[0]}: unterminated quote (the quoted field runs past the line end)"
                )
            else:
                msg = f"wrong number of fields: {msg}"
        elif "UTF8" in msg or "utf-8" in msg.lower():
            msg = f"not valid UTF-8: {msg}"
        raise DataFileError(path, msg) from exc
    for c in cols:  # a quote left open at the end of the file swallows the line break
        broken = pc.match_substring_regex(table.column(c), "[\r\n]")
        if pc.any(broken).as_py():
            idx = int(np.flatnonzero(broken.to_numpy())[0])
            raise DataFileError(path, f"line {first_line + idx}, column {c!r}: unterminated quote")
    frame = table.to_pandas()
    if frame.empty:
        raise DataFileError(path, "no data rows")
    return RawTable(path, frame, first_line, sep)


def snake_case(name: str) -> str:
    """``"InChIKey"`` -> ``"inchikey"``, ``"Alias symbols"`` -> ``"alias_symbols"``."""
    cleaned = "".join(ch.lower() if ch.isalnum() else "_" for ch in name)
    return "_".join(part for part in cleaned.split("_") if part)


Kind = str  # "str" | "int" | "Int64" | "float" | "float?"


def build_frame(t: RawTable, spec: Mapping[str, tuple[str, Kind]]) -> pd.DataFrame:
    """Select, rename and type columns: ``{source_name: (new_name, kind)}``."""
    t.require(list(spec))
    out: dict[str, pd.Series] = {}
    for src, (dst, kind) in spec.items():
        if kind == "str":
            col = t.df[src]
        elif kind == "int":
            col = t.ints(src)
        elif kind == "Int64":
            col = t.ints(src, nullable=True)
        elif kind == "float":
            col = t.floats(src)
        elif kind == "float?":
            col = t.floats(src, nullable=True)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown column kind {kind!r}")
        out[dst] = col.rename(dst)
    return pd.DataFrame(out)


def read_rda_frame(path: Path, name: str) -> pd.DataFrame:
    """The data frame ``name`` saved in an ``.rda`` file, index reset.

    Read with :func:`rdata.read_rda` (8-17 s for the bundle's files on 2 cores),
    then kept as Parquet under ``cache/rda/<sha256>-<name>.parquet``, so each
    distinct file content is parsed by rdata once per data home.
    """

    if not path.is_file():
        raise MissingFileError(path, "file not found")
    digest = fetch.sha256_file(path)
    cached = paths.cache_dir() / "rda" / f"{digest}-{name}.parquet"
    if cached.is_file():
        return pd.read_parquet(cached)
    try:
        import rdata

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # R class constructors, file-type guesses
            frames = rdata.read_rda(path)
    except Exception as exc:  # rdata raises assorted errors on corrupt input
        raise DataFileError(path, f"corrupt, truncated or unreadable R data file: {exc}") from exc
    if name not in frames:
        raise DataFileError(path, f"no object named {name!r}; found {sorted(frames)}")
    df = frames[name]
    if not isinstance(df, pd.DataFrame):
        raise DataFileError(path, f"object {name!r} is not a data frame")
    if df.empty:
        raise DataFileError(path, f"data frame {name!r} has no rows")
    df = df.reset_index(drop=True)
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write_bytes(cached, buf.getvalue())
    return df


def rda_require(path: Path, df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing}; found {list(df.columns)}")
