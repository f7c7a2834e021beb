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
import re
import secrets
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ddi_core import paths
from ddi_core.cache import atomic_write_json, load_npz_file, load_torch_file, read_json_file
from ddi_core.errors import CorruptFileError, DDIError
from ddi_core.runs.provenance import code_version, source_sha256

Status = Literal["running", "done", "failed", "cancelled"]
FINAL: tuple[str, ...] = ("done", "failed", "cancelled")
#: The status of a run whose record cannot be read or fails :func:`record_problems`:
#: listed (with the reason as its error), deletable, never the default, never evaluated.
UNREADABLE = "unreadable"
#: What a run id may be: a directory name under ``runs/``, never a path.
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
#: Ids that :func:`load_run` resolves instead of reading a directory.
ALIASES = ("latest", "default")


class RunNotFoundError(DDIError, KeyError):
    def __init__(self, run_id: str):
        super().__init__(f"no run {run_id!r} in {paths.runs_dir()}")

    def __str__(self) -> str:
        return self.args[0]


#: A run's file (``.json``, ``.npz``, ``.pt``) that is truncated or damaged; the message
#: names the file (:class:`ddi_core.errors.CorruptFileError`).
CorruptRunFileError = CorruptFileError


class InvalidRunIdError(DDIError, ValueError):
    """A run id that is not a plain directory name under ``runs/`` (a path, ``..``, a
    symbolic link out of the registry, odd characters)."""

    def __init__(self, run_id: object, why: str = ""):
        self.run_id = run_id
        reason = why or (
            "run ids are letters, digits, '.', '_' and '-' (at most 128), e.g. "
            "quick-20261202-141544-912b5a; paths are not accepted"
        )
        super().__init__(f"not a run id: {str(run_id)[:200]!r} ({reason})")


def run_dir(run_id: str) -> Path:
    """The directory of ``run_id`` under :func:`paths.runs_dir`, after checking that the
    id is a plain name (:data:`RUN_ID`, no ``..``) and that the directory does not
    resolve outside the registry. Every command and page goes through it."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise InvalidRunIdError(run_id)
    root = paths.runs_dir()
    d = root / run_id
    if d.exists() and d.resolve().parent != root.resolve():
        raise InvalidRunIdError(
            run_id, f"it resolves outside the run registry {root} (a symbolic link?)"
        )
    return d


#: Types of the fields of ``run.json`` (when present); ``config`` and ``status`` are required.
RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "status": (str,),
    "created": (str,),
    "updated": (str,),
    "finished": (str,),
    "config": (dict,),
    "seeds": (dict,),
    "data_sha256": (dict,),
    "stages": (dict,),
    "progress": (dict,),
    "headline": (dict,),
    "split_summary": (dict,),
    "train": (dict,),
    "preset": (str,),
    "split": (str,),
    "model": (str,),
    "code_version": (str,),
    "source_sha256": (str,),
    "host": (str,),
    "pid": (int,),
    "pid_start": (int, type(None)),
    "error": (str, type(None)),
}
_STATUSES = ("running", *FINAL)


def record_problems(info: object) -> list[str]:
    """What is wrong with a parsed ``run.json`` (empty when it is a valid record)."""
    if not isinstance(info, dict):
        return [f"not a JSON object but {type(info).__name__}"]
    out = [f"field {k!r} is missing" for k in ("status", "config") if k not in info]
    for key, types in RECORD_FIELDS.items():
        if key in info and (not isinstance(info[key], types) or isinstance(info[key], bool)):
            want = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            out.append(f"field {key!r} is {type(info[key]).__name__}, not {want}")
    if isinstance(info.get("status"), str) and info["status"] not in _STATUSES:
        out.append(f"field 'status' is {info['status']!r}, not one of {', '.join(_STATUSES)}")
    return out


def _unreadable(d: Path, reason: str) -> Run:
    created = ""
    try:
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(d.stat().st_mtime))
    except OSError:
        pass
    return Run(
        d,
        {
            "id": d.name,
            "status": UNREADABLE,
            "error": f"{d / 'run.json'}: {reason}",
            "created": created,
            "config": {},
        },
    )


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def new_run_id(prefix: str = "run") -> str:
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


def _pid_start(pid: int) -> int | None:
    """Start time of process ``pid`` (clock ticks since boot, ``/proc/<pid>/stat`` field
    22); ``None`` where there is no ``/proc``. With the pid it names one process: a pid
    reused by another process has another start time."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


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
        """The parsed file, ``None`` when absent; :class:`CorruptRunFileError` naming the
        file when it is truncated or not JSON."""
        return read_json_file(self.dir / name)

    def load_npz(self, name: str) -> dict[str, Any]:
        """Every array of ``name`` (an ``.npz``), read now; :class:`CorruptRunFileError`
        naming the file when it is missing, truncated or damaged."""
        return load_npz_file(self.dir / name)

    def load_torch(self, name: str) -> Any:
        """A ``torch.save`` file of this run (weights only, on the CPU);
        :class:`CorruptRunFileError` naming the file when it cannot be read."""
        return load_torch_file(self.dir / name)

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
    d = run_dir(rid)
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
        source_sha256=source_sha256(),
        pid=os.getpid(),
        pid_start=_pid_start(os.getpid()),
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
        elif (
            pid
            and same_host
            and isinstance(info.get("pid_start"), int)
            and _pid_start(int(pid)) not in (None, info["pid_start"])
        ):
            run.update(
                status="failed",
                error=f"process {pid} ended without finishing the run "
                "(its pid now belongs to another process)",
            )
    return run


def load_run(run_id: str) -> Run:
    """Load a run by id (the aliases ``latest`` and ``default`` are resolved by
    :func:`ddi_core.runs.result.result`, which knows how runs are ranked).

    A record that is not valid JSON or fails :func:`record_problems` gives a run of
    status :data:`UNREADABLE` whose error says why (it can be listed and deleted);
    an id that is not a plain name raises :class:`InvalidRunIdError`.
    """
    if run_id in ALIASES:
        raise InvalidRunIdError(run_id, "an alias; name a run (ddi runs list)")
    d = run_dir(run_id)
    f = d / "run.json"
    if not f.is_file():
        raise RunNotFoundError(run_id)
    try:
        info = json.loads(f.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _unreadable(d, f"not valid JSON ({exc})")
    problems = record_problems(info)
    if problems:
        return _unreadable(d, "; ".join(problems))
    return _reconcile(Run(d, info))


def list_runs() -> list[Run]:
    """All runs, newest first; runs with unreadable records are listed as failed."""
    root = paths.runs_dir()
    if not root.is_dir():
        return []
    out = []
    for d in root.iterdir():
        if not d.is_dir() or d.name.startswith(".") or d.name in ALIASES:
            continue
        try:
            out.append(load_run(d.name))
        except RunNotFoundError:
            continue
        except DDIError as exc:  # an odd directory name, a link out of the registry
            out.append(_unreadable(d, str(exc)))
    out.sort(key=lambda r: (str(r.info.get("created") or ""), r.id), reverse=True)
    return out


def delete_run(run_id: str) -> None:
    """Delete ``runs/<run_id>/`` (an unreadable run too); never a path outside the
    registry, never ``latest``/``default`` (name the run), never a running run."""
    if run_id in ALIASES:
        raise DDIError(f"name the run to delete: {run_id!r} is an alias (see `ddi runs list`)")
    run = load_run(run_id)
    if run.status == "running":
        raise DDIError(f"run {run_id} is still running; cancel it first")
    if run.dir.is_symlink() or run.dir.resolve().parent != paths.runs_dir().resolve():
        raise InvalidRunIdError(run_id, "it resolves outside the run registry")
    shutil.rmtree(run.dir)
