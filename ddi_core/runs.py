"""Run registry: one directory per training run under ``paths.runs_dir()``.

Layout of ``runs/<id>/``::

    run.json        id, status, created/updated, preset, split, config, seeds,
                    data_sha256, code_version, pid/host, progress, error
    metrics.json    test / validation / paper-protocol metrics and baselines
    curves.json     ROC / PR points, per-epoch losses and accuracies
    model.pt        weights + hparams (rebuilds the network)
    scaler.npz      feature scaler statistics
    train.log       the training log
    cancel          present when a cancel was requested

Every write is atomic (temporary file + rename). A run whose process died while
``running`` is reported as ``failed`` by :func:`list_runs` / :func:`load_run`
(and the file is updated), so a killed job never looks finished and never
disappears from the list.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ddi_core import paths
from ddi_core.cache import atomic_write_json
from ddi_core.errors import DDIError

Status = Literal["running", "done", "failed", "cancelled"]
FINAL: tuple[str, ...] = ("done", "failed", "cancelled")


class RunNotFoundError(DDIError, KeyError):
    def __init__(self, run_id: str):
        super().__init__(f"no run {run_id!r} in {paths.runs_dir()}")

    def __str__(self) -> str:
        return self.args[0]


def code_version() -> str:
    """``git describe`` of the source tree when available, else the package version.

    ``DDI_CODE_VERSION`` in the environment wins: set it where the tree is a
    copy without ``.git`` (a GPU machine, a container), e.g.
    ``DDI_CODE_VERSION=$(git describe --always --dirty --abbrev=12)``, so the
    runs made there still name their commit.
    """
    from ddi_core import __version__

    override = os.environ.get("DDI_CODE_VERSION", "").strip()
    if override:
        return f"{__version__}+g{override}" if not override.startswith(__version__) else override
    try:
        out = subprocess.run(
            ["git", "-C", str(paths.REPO_ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        return f"{__version__}+g{out}" if out else __version__
    except (OSError, subprocess.SubprocessError):
        return __version__


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def new_run_id(prefix: str = "run") -> str:
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child counts as dead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@dataclass
class Run:
    """A handle on one run directory."""

    dir: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.dir.name

    @property
    def status(self) -> str:
        return self.info.get("status", "failed")

    def path(self, name: str) -> Path:
        return self.dir / name

    # -- writes -------------------------------------------------------------
    def update(self, **fields: Any) -> None:
        self.info.update(fields)
        self.info["updated"] = _now()
        atomic_write_json(self.dir / "run.json", self.info)

    def set_progress(self, **progress: Any) -> None:
        self.info.setdefault("progress", {}).update(progress)
        self.update()

    def write_json(self, name: str, obj: Any) -> None:
        atomic_write_json(self.dir / name, obj)

    def finish(self, status: Status, error: str | None = None) -> None:
        self.update(status=status, error=error, finished=_now())
        (self.dir / "cancel").unlink(missing_ok=True)

    # -- reads --------------------------------------------------------------
    def read_json(self, name: str) -> Any:
        p = self.dir / name
        if not p.is_file():
            return None
        return json.loads(p.read_text())

    def cancel_requested(self) -> bool:
        return (self.dir / "cancel").exists()

    def request_cancel(self) -> None:
        (self.dir / "cancel").touch()

    def log_tail(self, n: int = 40) -> str:
        p = self.dir / "train.log"
        if not p.is_file():
            return ""
        return "\n".join(p.read_text(errors="replace").splitlines()[-n:])


def create_run(
    *, config: dict, seeds: dict, data_sha256: dict, run_id: str | None = None, **extra: Any
) -> Run:
    """Create ``runs/<id>/`` with status ``running`` owned by this process."""
    rid = run_id or new_run_id(extra.get("preset", "run"))
    d = paths.runs_dir() / rid
    d.mkdir(parents=True, exist_ok=True)  # a job runner may have opened its log there
    if (d / "run.json").exists():
        raise DDIError(f"run {rid} already exists")
    run = Run(d, {})
    run.update(
        id=rid,
        status="running",
        created=_now(),
        config=config,
        seeds=seeds,
        data_sha256=data_sha256,
        code_version=code_version(),
        pid=os.getpid(),
        host=socket.gethostname(),
        progress={},
        **extra,
    )
    return run


def _reconcile(run: Run) -> Run:
    """Mark a ``running`` run whose process is gone as failed (persisted)."""
    info = run.info
    if info.get("status") == "running":
        pid = info.get("pid")
        same_host = info.get("host") == socket.gethostname()
        if pid and same_host and not _pid_alive(int(pid)):
            run.update(status="failed", error=f"process {pid} ended without finishing the run")
    return run


def load_run(run_id: str) -> Run:
    """Load a run by id (``"latest"``: the newest finished run; ``"default"``: :func:`default_run`)."""
    if run_id == "default":
        best = default_run()
        if best is None:
            raise RunNotFoundError("default")
        return best
    if run_id == "latest":
        latest = latest_done()
        if latest is None:
            raise RunNotFoundError("latest")
        return latest
    d = paths.runs_dir() / run_id
    f = d / "run.json"
    if not f.is_file():
        raise RunNotFoundError(run_id)
    try:
        info = json.loads(f.read_text())
    except ValueError as exc:
        raise DDIError(f"{f}: unreadable run record ({exc})") from exc
    return _reconcile(Run(d, info))


def list_runs() -> list[Run]:
    """All runs, newest first; runs with unreadable records are listed as failed."""
    root = paths.runs_dir()
    if not root.is_dir():
        return []
    out = []
    for d in root.iterdir():
        if not d.is_dir() or d.name.startswith("."):
            continue
        try:
            out.append(load_run(d.name))
        except RunNotFoundError:
            continue
        except DDIError as exc:
            out.append(Run(d, {"id": d.name, "status": "failed", "error": str(exc), "created": ""}))
    out.sort(key=lambda r: (r.info.get("created", ""), r.id), reverse=True)
    return out


def latest_done(**match: Any) -> Run | None:
    """Newest finished run whose record matches every ``key=value`` given."""
    for r in list_runs():
        if r.status == "done" and all(r.info.get(k) == v for k, v in match.items()):
            return r
    return None


def model_kind(run: Run) -> str:
    """``"mlp"`` or ``"evidence"`` (runs made before the evidence model are MLPs)."""
    kind = run.info.get("model") or (run.info.get("config") or {}).get("model")
    return str(kind or "mlp")


def validation_mrr(run: Run) -> float | None:
    """The run's validation MRR (model selection), when it recorded one."""
    v = (run.info.get("headline") or {}).get("val_mrr")
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def default_run() -> Run | None:
    """The run the dashboard and the CLI rank with when none is named.

    The finished run with the best validation MRR (never its test numbers);
    runs without a validation MRR (made before it was recorded) come after
    every run that has one, newest first.
    """
    done = [r for r in list_runs() if r.status == "done"]
    if not done:
        return None
    scored = [r for r in done if validation_mrr(r) is not None]
    if scored:
        return max(scored, key=lambda r: (validation_mrr(r), r.info.get("created", "")))
    return done[0]


def delete_run(run_id: str) -> None:
    run = load_run(run_id)
    if run.status == "running":
        raise DDIError(f"run {run_id} is still running; cancel it first")
    shutil.rmtree(run.dir)
