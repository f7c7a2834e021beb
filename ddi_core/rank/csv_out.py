"""CSV files a user takes away: each row says what it answers (the query, the run, the data
version), and no cell can run as a spreadsheet formula.

CSV injection (OWASP): a spreadsheet evaluates a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula, so a drug or disease name typed by
someone else (an uploaded pair file, a CTD name) could run on the reader's machine.
:func:`neutralise` prefixes such a text cell with a single quote, OWASP's rule; numbers
(a negative logit) are left as they are, since the prefix would turn them into text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ddi_core.cache import atomic_write_bytes

#: Leading characters a spreadsheet reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a quote in front when it is text that starts a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell neutralised (numeric and boolean columns as
    they are); the header is neutralised too."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def with_provenance(df: pd.DataFrame, context: Mapping[str, Any]) -> pd.DataFrame:
    """``df`` with one leading column per ``context`` item (the same value on every row),
    so a row read alone still says which query, run and data it answers."""
    lead = pd.DataFrame({k: [v] * len(df) for k, v in context.items()}, index=df.index)
    return pd.concat([lead, df], axis=1)


def ranking_context(res: Any) -> dict[str, Any]:
    """The provenance columns of a :class:`ddi_core.rank.queries.RankResult`."""
    return {
        "query_kind": res.kind,
        "query_id": res.query_id,
        "query_name": res.query_name,
        "run_id": res.run_id,
        "data_version": res.data_version,
        "view": res.terms
        + (" (approved drugs only)" if getattr(res, "approved_only", False) else ""),
    }


def ranking_csv(res: Any, table: pd.DataFrame | None = None) -> bytes:
    """A ranking (or the given rows of it) as CSV bytes with its provenance columns."""
    rows = res.table if table is None else table
    return (
        neutralise_frame(with_provenance(rows, ranking_context(res))).to_csv(index=False).encode()
    )


def write_csv(path: str | Path, data: bytes) -> None:
    """Write CSV bytes atomically (a failed write leaves any earlier file as it was)."""
    atomic_write_bytes(Path(path), data)


__all__ = [
    "FORMULA_START",
    "neutralise",
    "neutralise_frame",
    "ranking_context",
    "ranking_csv",
    "with_provenance",
    "write_csv",
]
