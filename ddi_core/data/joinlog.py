"""Bookkeeping for joins: how many rows matched and how many did not.

Every identifier join in :mod:`ddi_core.data` goes through :func:`record`,
which logs the counts at INFO and stores them in a :class:`JoinLog` so the
numbers end up in the data report (``ddi data report``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class JoinLog:
    """Ordered collection of join counts, keyed by join name.

    Attributes
    ----------
    joins : dict
        ``{name: {"matched": int, "unmatched": int, ...extra counts}}``.
    """

    joins: dict[str, dict[str, int]] = field(default_factory=dict)

    def record(self, name: str, matched: int, unmatched: int, **extra: int) -> dict[str, int]:
        """Store and log the counts of one join; returns the stored dict.

        Parameters
        ----------
        name
            Stable dotted name, e.g. ``"genes.symbol.ctd_gene_disease"``.
        matched, unmatched
            Number of distinct keys (or rows, as the name says) that found a
            partner and that did not.
        **extra
            Further counts (e.g. ``ambiguous``) stored beside them.
        """
        entry = {"matched": int(matched), "unmatched": int(unmatched)}
        entry.update({k: int(v) for k, v in extra.items()})
        self.joins[name] = entry
        extras = "".join(f", {k}={v}" for k, v in extra.items())
        log.info("join %s: matched=%d unmatched=%d%s", name, matched, unmatched, extras)
        return entry

    def merge(self, other: JoinLog) -> None:
        """Add every join of ``other`` (later names overwrite earlier ones)."""
        self.joins.update(other.joins)
