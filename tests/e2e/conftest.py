"""Fixtures of the browser test: a Streamlit server on the test data home and
Debian's Chromium driven by Playwright.

A missing Chromium (or Playwright) fails in CI (``CI=true``) and skips
elsewhere, like the real data bundle. The server is a subprocess on a free
port in 8800–8899 and is always stopped (terminate, then kill) at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO

PORTS = range(8800, 8900)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port of 8800–8899 that nothing listens on."""
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8800-8899")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where the browser test writes its screenshots and render times: a temporary
    folder, or ``DDI_E2E_ARTIFACTS`` (``scripts/refresh_screenshots.py`` sets it and
    copies the screenshots into ``assets/screenshots/`` for the README)."""
    out = os.environ.get("DDI_E2E_ARTIFACTS")
    d = Path(out) if out else tmp_path_factory.mktemp("e2e")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's Chromium (fails in CI, skips elsewhere, when absent)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    path = shutil.which("chromium")
    if path is None:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    return str(path)


@contextmanager
def streamlit_server(log_path: Path) -> Iterator[str]:
    """A fresh ``streamlit run app.py`` on the test data home; yields its URL and
    always stops it (terminate, then kill)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DDI_HOME=os.environ["DDI_HOME"], PYTHONUNBUFFERED="1")
    log = open(log_path, "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not answer /_stcore/health within 90 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="session")
def app_url(trained_run, artifacts: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of ``streamlit run app.py`` on the test data home."""
    with streamlit_server(artifacts / "streamlit.log") as url:
        yield url
