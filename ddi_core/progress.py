"""One progress-and-cancel channel for everything a run does.

A :class:`Monitor` is handed down from whoever starts a run (the CLI, the dashboard's
job, a test) through the run skeleton (:mod:`ddi_core.training.runner`) into a model
kind's ``fit``. Progress goes one way, as keyword fields (``stage="training"``,
``epoch=3``, ``max_epochs=200``…) through :meth:`Monitor.update`; a line for a reader
through :meth:`Monitor.say`; the one cancel check is :meth:`Monitor.stopped`, a
``() -> bool`` that every loop polls (training batches, boosting rounds, the stages
between them), and :meth:`Monitor.check` raises :class:`Cancelled` naming the stage
where a run stops between stages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Cancelled(Exception):
    """A cancel was requested between two stages of a run; the message names the stage."""


def _never() -> bool:
    return False


@dataclass
class Monitor:
    """Where a run reports (``on_update(**fields)``, ``on_line(text)``) and how it
    learns it should stop (``should_stop()``); every part is optional."""

    on_update: Callable[..., None] | None = None
    on_line: Callable[[str], None] | None = None
    should_stop: Callable[[], bool] = _never

    def update(self, **fields: Any) -> None:
        """Report progress fields (the stage, counts, losses, an ETA)."""
        if self.on_update is not None:
            self.on_update(**fields)

    def say(self, line: str) -> None:
        """One line for a reader (the CLI prints it; the dashboard's job log keeps it)."""
        if self.on_line is not None:
            self.on_line(line)

    def stopped(self) -> bool:
        """The one cancel check: True once a stop was asked for."""
        return bool(self.should_stop())

    def check(self, stage: str) -> None:
        """Raise :class:`Cancelled` naming ``stage`` when a stop was asked for."""
        if self.stopped():
            raise Cancelled(stage)


__all__ = ["Cancelled", "Monitor"]
