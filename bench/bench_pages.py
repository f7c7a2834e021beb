"""Page render times in a real browser: a warm visit against the first (cold) visit.

A Streamlit server on the data home's default run and Debian's Chromium (Playwright).
Each page of the sidebar is visited ``--rounds`` + 1 times in one browser session; a
visit's time runs from the click on the page's sidebar link until the page's script
has finished (``data-test-script-state`` back to ``notRunning``) and its main block
holds content. The first visit warms the server's caches (the run loaded for ranking,
the signaling network, the coverage report); the baseline is that first visit, the
fast path is the best warm visit, and the ratio is first / warm per page (the Overview's
first visit is the landing itself).

Printed: one line per page (first, best warm, ratio), the browser process tree's peak
RSS is not measured; the server's peak RSS is (``/proc/<pid>/status`` VmHWM), and one
JSON line last. This replaces the suite's old "< 2 s once warm" assertion: time belongs
here, not in a test.

Usage::

    DDI_HOME=... python bench/bench_pages.py [--rounds 2] [--port 8597]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("Overview", "Predictions", "Signed walk", "Train", "Evaluate")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _idle(page, timeout_ms: int = 180_000) -> None:
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20",
        timeout=timeout_ms,
    )


def _vm_hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--port", type=int, default=8597)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(args.port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )  # fmt: skip
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Streamlit server did not start")
            time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t0 = time.perf_counter()
            page.goto(url)  # the landing page (Overview): its first visit
            _idle(page)
            times[PAGES[0]].append(time.perf_counter() - t0)
            for round_ in range(args.rounds + 1):
                for name in PAGES:
                    if round_ == 0 and name == PAGES[0]:
                        continue  # visited on landing
                    link = page.locator('[data-testid="stSidebarNav"] a', has_text=name).first
                    t0 = time.perf_counter()
                    link.click()
                    page.wait_for_timeout(50)  # the rerun starts
                    _idle(page)
                    times[name].append(time.perf_counter() - t0)
            browser.close()
        peak = _vm_hwm_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = {}
    for name, ts in times.items():
        first, warm = ts[0], min(ts[1:])
        out[name] = {"first_s": round(first, 3), "warm_s": round(warm, 3),
                     "ratio": round(first / warm, 2)}  # fmt: skip
        print(
            f"{name:12s} first {first:6.2f} s   warm {warm:6.2f} s   first/warm {first / warm:5.1f}x"
        )
    print(f"server peak RSS {peak} MiB")
    print(json.dumps({"pages": out, "rounds": args.rounds, "server_peak_rss_mib": peak}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
