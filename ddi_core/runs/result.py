"""A run as every reader sees it: ``run.json`` read once, validated, typed.

The CLI, the pages and the results script read a run through :class:`RunResult`, never
through ``run.json``'s dict: its kind, preset, split and seed, its config, its headline
figures as numbers, its provenance (code version, source hash, raw-file hashes, seeds),
its progress and timings, and its files (``metrics.json``, ``curves.json``,
``validation.json``) on demand, each checked. A record that fails a check is reported,
not used: a run whose headline holds a string where a number belongs is *unreadable*
(listed with the reason, deletable, never the default, never evaluated), and a
``metrics.json`` whose figures are not numbers raises a
:class:`~ddi_core.errors.CorruptFileError` naming the file and the figure.

The order in which runs are preferred (:func:`ranked_results`, :func:`default_result`:
best validation MRR first) is defined here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ddi_core.config.run import RunConfig
from ddi_core.errors import CorruptFileError, DDIError
from ddi_core.models.registry import LEGACY_KIND
from ddi_core.runs import registry as runs
from ddi_core.runs.registry import FINAL, UNREADABLE, Run, record_problems

#: headline figures that must be numbers (or null) for a run to be readable
NUMERIC_HEADLINE = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "auroc",
    "aupr",
    "mrr",
    "val_mrr",
    "hits_at_10",
    "median_rank",
)


def _number(v: Any) -> float | None:
    """A finite number as float; ``None`` for null, a bool, text or a non-finite value."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v) if math.isfinite(v) else None


def _dict(v: Any) -> dict[str, Any]:
    return dict(v) if isinstance(v, Mapping) else {}


def _problems(info: Mapping[str, Any]) -> list[str]:
    out = list(record_problems(info))
    head = info.get("headline") if isinstance(info, Mapping) else None
    if isinstance(head, Mapping):
        for k in NUMERIC_HEADLINE:
            v = head.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                out.append(
                    f"headline figure {k!r} is {type(v).__name__} {str(v)[:40]!r}, not a number"
                )
    return out


@dataclass(frozen=True)
class RunResult:
    """One run of the registry, read and checked (see the module docstring)."""

    run: Run
    status: str
    kind: str
    preset: str
    split: str
    seed: int | None
    created: str
    finished: str
    error: str
    config: dict[str, Any]
    headline: dict[str, Any]
    train: dict[str, Any]
    timings: dict[str, Any]
    pairs: dict[str, Any]
    split_summary: dict[str, Any]
    progress: dict[str, Any]
    provenance: dict[str, Any]
    problems: tuple[str, ...] = field(default=())

    # -- reading ------------------------------------------------------------------------
    @classmethod
    def of(cls, run: Run) -> RunResult:
        """The result of ``run`` (its record as loaded)."""
        info = run.info if isinstance(run.info, Mapping) else {}
        problems = tuple(_problems(info))
        cfg = _dict(info.get("config"))
        train_cfg = _dict(cfg.get("train"))
        status = str(info.get("status") or "failed")
        if problems and status != UNREADABLE:
            status = UNREADABLE
        seed = cfg.get("seed", _dict(info.get("seeds")).get("root"))
        error = info.get("error") or ""
        if problems and not error:
            error = f"{run.path('run.json')}: {'; '.join(problems)}"
        return cls(
            run=run,
            status=status,
            kind=str(info.get("model") or cfg.get("model") or LEGACY_KIND),
            preset=str(info.get("preset") or cfg.get("preset") or ""),
            split=str(info.get("split") or train_cfg.get("split") or ""),
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            created=str(info.get("created") or ""),
            finished=str(info.get("finished") or ""),
            error=str(error),
            config=cfg,
            headline=_dict(info.get("headline")),
            train=_dict(info.get("train")),
            timings=_dict(info.get("timings")),
            pairs=_dict(info.get("pairs")),
            split_summary=_dict(info.get("split_summary")),
            progress=_dict(info.get("progress")),
            provenance={
                k: info.get(k)
                for k in (
                    "code_version",
                    "source_sha256",
                    "data_sha256",
                    "seeds",
                    "stages",
                    "host",
                    "updated",
                    "exclude_pairs",
                    "cancelled_during",
                    "population",
                    "clinical_labels",
                )
                if info.get(k) is not None
            },
            problems=problems,
        )

    @property
    def id(self) -> str:
        return self.run.id

    @property
    def readable(self) -> bool:
        return not self.problems and self.status != UNREADABLE

    @property
    def done(self) -> bool:
        return self.status == "done" and self.readable

    @property
    def finished_status(self) -> bool:
        """Whether the run has ended (done, failed or cancelled)."""
        return self.status in FINAL

    @property
    def population(self) -> str | None:
        """The drug population of a run whose model has one (``evidence.population``)."""
        p = self.provenance.get("population") or _dict(self.config.get("evidence")).get(
            "population"
        )
        return str(p) if p else None

    def figure(self, key: str) -> float | None:
        """A headline figure as a finite number (``None`` when absent or not finite)."""
        return _number(self.headline.get(key))

    @property
    def val_mrr(self) -> float | None:
        """The validation MRR (model selection), when the run recorded one."""
        return self.figure("val_mrr")

    @property
    def data_sha256(self) -> dict[str, str]:
        return _dict(self.provenance.get("data_sha256"))

    @property
    def code_version(self) -> str:
        return str(self.provenance.get("code_version") or "")

    def run_config(self) -> RunConfig:
        """The run's :class:`RunConfig`; a :class:`DDIError` when this code cannot read it."""
        try:
            return RunConfig.from_dict(self.config)
        except (TypeError, ValueError) as exc:
            raise DDIError(
                f"run {self.id}: its config cannot be read by this version ({exc})"
            ) from exc

    @property
    def healthy(self) -> bool:
        """A finished run that can rank: ``done``, at least one epoch or round kept and
        finite headline scores. Only healthy runs are chosen by :func:`default_result`."""
        if not self.done:
            return False
        epochs = self.train.get("epochs_run", self.timings.get("epochs"))
        if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs < 1:
            return False
        for key in ("auroc", "val_mrr"):
            v = self.headline.get(key)
            if v is not None and _number(v) is None:
                return False
        return True

    # -- files --------------------------------------------------------------------------
    def metrics(self) -> dict[str, Any]:
        """``metrics.json``, its test, paper-protocol and baseline figures checked to be
        numbers; :class:`CorruptFileError` naming the file and the figure otherwise."""
        m = self.run.read_json("metrics.json")
        if m is None:
            return {}
        if not isinstance(m, dict):
            raise CorruptFileError(self.run.path("metrics.json"), "not a JSON object")
        parts = {"test": m.get("test"), "paper_protocol": m.get("paper_protocol")}
        parts.update({f"baselines.{k}": v for k, v in _dict(m.get("baselines")).items()})
        for where, part in parts.items():
            for k in NUMERIC_HEADLINE:
                v = _dict(part).get(k)
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                    raise CorruptFileError(
                        self.run.path("metrics.json"),
                        f"{where}.{k} is {type(v).__name__} {str(v)[:40]!r}, not a number",
                    )
        return m

    def curves(self) -> dict[str, Any]:
        """``curves.json`` (empty when absent)."""
        c = self.run.read_json("curves.json")
        if c is not None and not isinstance(c, dict):
            raise CorruptFileError(self.run.path("curves.json"), "not a JSON object")
        return c or {}


# ------------------------------------------------------------------ the registry, read
def results() -> list[RunResult]:
    """Every run of the registry, newest first."""
    return [RunResult.of(r) for r in runs.list_runs()]


def result(run_id: str) -> RunResult:
    """One run by id; ``latest``: the newest finished run, ``default``: the first of
    :func:`ranked_results` (:class:`~ddi_core.runs.registry.RunNotFoundError` when none)."""
    if run_id in runs.ALIASES:
        found = latest_done() if run_id == "latest" else default_result()
        if found is None:
            raise runs.RunNotFoundError(run_id)
        return found
    return RunResult.of(runs.load_run(run_id))


def latest_done(**match: Any) -> RunResult | None:
    """Newest finished run whose ``preset`` / ``split`` / ``kind`` match those given."""
    for r in results():
        if r.done and all(getattr(r, k) == v for k, v in match.items()):
            return r
    return None


def ranked_results(all_results: list[RunResult] | None = None) -> list[RunResult]:
    """Healthy runs in the order :func:`default_result` prefers them: best validation
    MRR first (never test numbers; ties: newest first), then the runs without one (made
    before it was recorded), newest first."""
    done = [r for r in (results() if all_results is None else all_results) if r.healthy]
    scored = [r for r in done if r.val_mrr is not None]
    scored.sort(key=lambda r: (r.val_mrr, r.created), reverse=True)
    return scored + [r for r in done if r.val_mrr is None]


def default_result(
    usable: Callable[[RunResult], bool] | None = None,
    all_results: list[RunResult] | None = None,
) -> RunResult | None:
    """The run the dashboard and the CLI rank with when none is named: the first of
    :func:`ranked_results` for which ``usable`` holds; ``None`` when none qualifies."""
    for r in ranked_results(all_results):
        if usable is None or usable(r):
            return r
    return None


__all__ = [
    "NUMERIC_HEADLINE",
    "RunResult",
    "default_result",
    "latest_done",
    "ranked_results",
    "result",
    "results",
]
