"""Run heavy work (training, embeddings) in a separate process, one at a time
per data home.

The lock is an ``flock`` on ``<DDI_HOME>/jobs/heavy.lock``, taken by the parent
and handed to the child process through an inherited file descriptor, so it is
held exactly as long as the child lives (a killed child releases it) and there
is no window between "checked" and "started". ``current.json`` beside it names
the job for anyone who is refused. Progress flows through the run registry
(:mod:`ddi_core.runs.registry`), so every browser session sees the same job.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ddi_core import paths
from ddi_core.cache import atomic_write_json
from ddi_core.errors import DDIError


class JobBusyError(DDIError):
    """Another heavy job holds this data home."""

    def __init__(self, job: dict):
        self.job = job
        what = job.get("label") or job.get("kind", "job")
        super().__init__(
            f"a job is already running in this data home: {what} "
            f"(run {job.get('run_id', '?')}, pid {job.get('pid', '?')}, started {job.get('started', '?')})"
        )


def _jobs_dir() -> Path:
    d = paths.data_home() / "jobs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _lock_path() -> Path:
    return _jobs_dir() / "heavy.lock"


def _info_path() -> Path:
    return _jobs_dir() / "current.json"


@dataclass(frozen=True)
class Job:
    kind: str
    run_id: str
    pid: int
    log: Path


def current() -> dict | None:
    """The running job's record, or ``None`` when the lock is free."""
    fd = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return json.loads(_info_path().read_text())
            except (OSError, ValueError):
                return {"kind": "unknown"}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def start(
    kind: str,
    argv: list[str],
    *,
    run_id: str,
    log_path: Path,
    label: str = "",
    python_args: list[str] | None = None,
) -> Job:
    """Start ``python -m ddi_core.cli.main <argv>`` in a new session holding the lock.

    ``python_args`` replaces ``["-m", "ddi_core.cli.main", *argv]`` (tests).

    Raises
    ------
    JobBusyError
        Another job holds the lock; its record is attached.
    """
    fd = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        job = current() or {"kind": "unknown"}
        raise JobBusyError(job) from None
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            env = dict(os.environ, DDI_JOB_LOCK_FD=str(fd), PYTHONUNBUFFERED="1")
            proc = subprocess.Popen(
                [sys.executable, *(python_args or ["-m", "ddi_core.cli.main", *argv])],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                pass_fds=(fd,),
                env=env,
                cwd=str(paths.REPO_ROOT),
                start_new_session=True,
            )
        atomic_write_json(
            _info_path(),
            {
                "kind": kind,
                "label": label or kind,
                "run_id": run_id,
                "pid": proc.pid,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "argv": argv,
            },
        )
    finally:
        os.close(fd)  # the child keeps the lock through its inherited descriptor
    return Job(kind=kind, run_id=run_id, pid=proc.pid, log=log_path)


def _inherited_lock() -> bool:
    """Whether ``DDI_JOB_LOCK_FD`` names a descriptor this process inherited that is open
    on this data home's lock file and holds its lock (an environment variable alone
    proves nothing: it can be set by anyone)."""
    text = os.environ.get("DDI_JOB_LOCK_FD", "")
    if not text.isdigit():
        return False
    fd = int(text)
    try:
        mine, lock = os.fstat(fd), os.stat(_lock_path())
    except OSError:  # not an open descriptor, or no lock file
        return False
    if (mine.st_dev, mine.st_ino) != (lock.st_dev, lock.st_ino):
        return False
    try:  # the same open file description re-locks; another holder's does not
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def hold_lock_in_process(label: str, run_id: str) -> int | None:
    """Take the lock for work started directly from the CLI (not via :func:`start`).

    Returns the descriptor (keep it open while working) or raises JobBusyError.
    When this process was started by :func:`start` it holds the lock through the
    descriptor it inherited (checked: open on the lock file and holding it) and
    ``None`` is returned; a ``DDI_JOB_LOCK_FD`` that does not prove that is ignored.
    """
    if _inherited_lock():
        return None
    fd = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JobBusyError(current() or {"kind": "unknown"}) from None
    atomic_write_json(
        _info_path(),
        {
            "kind": "cli",
            "label": label,
            "run_id": run_id,
            "pid": os.getpid(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
    )
    return fd
