"""The main path in a real browser: Streamlit server + Debian's Chromium (Playwright).

Overview → Predictions (metformin, known pairs marked) → Signed walk (network
canvas, one animation step) → Train (a tiny job's progress advances, then it
is cancelled) → Evaluate. Screenshots go to a temporary folder (the
``artifacts`` fixture); ``scripts/refresh_screenshots.py`` reruns this test and
copies them into ``assets/screenshots/`` for the README.

Render times
    A page's render time is from the click on its sidebar link to its key
    element being visible (see :data:`KEYS`). Every page is visited three
    times: the first visit warms the server's caches (loading the model, the
    signaling network, the coverage report: several seconds on two cores) and
    is recorded; so are the two warm visits. All go to ``render_times.json``
    beside the screenshots. No time is asserted here (a loaded machine would
    fail it): ``bench/bench_pages.py`` measures page speed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

COLD_TIMEOUT_MS = 120_000
VIEWPORT = {"width": 1400, "height": 1000}
#: Sidebar title and URL path of each page, in visiting order.
PAGES = {
    "overview": ("Overview", ""),
    "predictions": ("Predictions", "predictions"),
    "signed_walk": ("Signed walk", "signed_walk"),
    "train": ("Train", "train"),
    "evaluate": ("Evaluate", "evaluate"),
}
#: The tiny training job of the Train step (one epoch; enough batches to watch).
TINY_JOB = {"max_train_pairs": 6000, "max_epochs": 1, "rank_eval_drugs": 10, "seed": 1}


def _walk_frame(page):
    return page.frame_locator('[data-testid="stIFrame"]').first


def _key_overview(page) -> None:
    page.locator("h2", has_text="Model runs").wait_for(timeout=COLD_TIMEOUT_MS)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=COLD_TIMEOUT_MS)


def _key_predictions(page) -> None:
    page.locator("h3", has_text="Why ").wait_for(timeout=COLD_TIMEOUT_MS)
    page.locator('[data-testid="stDataFrame"] [data-testid="glide-cell-1-0"]').first.wait_for(
        state="attached", timeout=COLD_TIMEOUT_MS
    )


def _key_signed_walk(page) -> None:
    frame = _walk_frame(page)
    frame.locator("#mynetwork canvas").wait_for(timeout=COLD_TIMEOUT_MS)
    frame.locator('body[data-walk-drawn="1"]').wait_for(state="attached", timeout=COLD_TIMEOUT_MS)


def _key_train(page) -> None:
    page.locator("h2", has_text="Current job").wait_for(timeout=COLD_TIMEOUT_MS)
    page.locator("h2", has_text=re.compile(r"^Runs")).wait_for(timeout=COLD_TIMEOUT_MS)


def _key_evaluate(page) -> None:
    page.locator("h1", has_text="Evaluate").wait_for(timeout=COLD_TIMEOUT_MS)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=COLD_TIMEOUT_MS)


#: What must be visible for a page to count as rendered.
KEYS: dict[str, Callable] = {
    "overview": _key_overview,
    "predictions": _key_predictions,
    "signed_walk": _key_signed_walk,
    "train": _key_train,
    "evaluate": _key_evaluate,
}


def _navigate(page, name: str) -> float:
    """Click the page's sidebar link; seconds until its key element is visible."""
    title, _ = PAGES[name]
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=title).first
    t0 = time.perf_counter()
    link.click()
    KEYS[name](page)
    return time.perf_counter() - t0


def _idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script run is over (no running indicator)."""
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }",
        timeout=timeout_ms,
    )


def _screenshot(page, path: Path) -> None:
    """The whole page (the main block scrolls inside the viewport, so grow the viewport)."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": int(min(max(height, 600), 6000))})
    page.wait_for_timeout(800)  # let charts and grids re-layout to the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)


def _metric(page, label: str) -> str:
    box = (
        page.locator('[data-testid="stMetric"]')
        .filter(has=page.locator('[data-testid="stMetricLabel"]', has_text=label))
        .first
    )
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _check_overview(page, trained_run) -> None:
    page.locator("h1", has_text="DDI Explorer").wait_for(timeout=30_000)
    # the funnel's four stages and the runs table
    funnel = page.locator('[data-testid="stPlotlyChart"]').first
    for stage in ("CTD chemicals", "with a SMILES", "with signed targets", "with a walk profile"):
        funnel.locator("text", has_text=stage).first.wait_for(state="attached", timeout=30_000)
    # The runs table is far below the fold and its grid (glide-data-grid, loaded
    # lazily) fills its accessible <td> cells after the script run ends: scroll
    # to it and wait for the cell instead of counting at once.
    page.locator("h2", has_text="Model runs").scroll_into_view_if_needed()
    cell = page.locator('[data-testid="stDataFrame"] td', has_text=trained_run.id).first
    try:
        cell.wait_for(state="attached", timeout=30_000)
    except Exception as exc:  # say what the tables did show
        shown = page.locator('[data-testid="stDataFrame"] td').all_inner_texts()
        raise AssertionError(
            f"run {trained_run.id} not in the runs table; table cells shown: {shown[:80]}"
        ) from exc


def _check_predictions(page) -> None:
    query = page.get_by_label("…or type a name, brand name, abbreviation or MeSH id")
    query.fill("glucophage")  # a brand name, as a pharmacologist types it
    query.press("Enter")
    page.get_by_text("“glucophage” → Metformin (D008687), brand name").wait_for(timeout=60_000)
    page.locator("h3", has_text="Metformin (D008687)").wait_for()
    n_known = int(_metric(page, "literature pairs (CTD)").replace(",", ""))
    assert n_known > 0
    page.get_by_text(
        re.compile(r"experimental-model or chemically-induced terms are hidden")
    ).first.wait_for(timeout=30_000)
    page.locator('[data-testid="stButtonGroup"] button', has_text="known only").click()
    page.get_by_text(re.compile(r"Showing \d+ known diseases")).wait_for(timeout=60_000)
    _idle(page)
    marks = page.locator('[data-testid="stDataFrame"] td', has_text="CTD")
    marks.first.wait_for(state="attached", timeout=30_000)
    assert marks.count() >= 1
    page.locator("h3", has_text="Why Metformin →").wait_for(timeout=30_000)


def _check_signed_walk(page) -> None:
    frame = _walk_frame(page)
    assert frame.locator("#mynetwork canvas").first.is_visible()
    label = frame.locator("#walk-tlabel")
    before = label.inner_text()
    m = re.fullmatch(r"t = (\d+) / (\d+)", before)
    assert m, before
    t, steps = int(m.group(1)), int(m.group(2))
    button = "#walk-back" if t > 0 else "#walk-next"
    frame.locator(button).click()
    want = f"t = {t - 1 if t > 0 else t + 1} / {steps}"
    frame.locator("#walk-tlabel", has_text=want).wait_for(timeout=5_000)
    assert label.inner_text() != before


def _start_tiny_job():
    from ddi_core.config.run import preset
    from ddi_core.training import jobs
    from ddi_core.training.runner import start_training_job

    deadline = time.monotonic() + 90
    while jobs.current() is not None:  # another job holds this data home: wait for it
        if time.monotonic() > deadline:
            pytest.fail(f"the test data home is busy: {jobs.current()}")
        time.sleep(2)
    return start_training_job(preset("quick", **TINY_JOB))


def _stop_job(job) -> None:
    """Cancel the job if it still runs and wait for its process; delete its run."""
    import os
    import signal

    from ddi_core.runs import registry as runs

    try:
        run = runs.load_run(job.run_id)
    except runs.RunNotFoundError:
        run = None
    if run is not None and run.status == "running":
        run.request_cancel()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(job.pid, 0)
        except ProcessLookupError:
            break
        try:  # reap it if it is our child (jobs.start uses Popen)
            if os.waitpid(job.pid, os.WNOHANG)[0] == job.pid:
                break
        except ChildProcessError:
            pass
        time.sleep(0.5)
    else:
        os.killpg(job.pid, signal.SIGKILL)  # the job leads its own session
    try:
        runs.delete_run(job.run_id)
    except runs.RunNotFoundError:
        pass


def _watch_and_cancel(page, job, artifacts: Path) -> dict:
    """Progress advances between two reads; the Cancel button ends the run cancelled."""
    from ddi_core.runs import registry as runs

    page.goto(page.url)  # reload: the page now finds the running job
    page.locator("h2", has_text="Current job").wait_for(timeout=COLD_TIMEOUT_MS)
    batch_box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text="Batch")
    )
    batch_box.first.wait_for(timeout=COLD_TIMEOUT_MS)

    def read() -> tuple[str, str]:
        return _metric(page, "Epoch"), _metric(page, "Batch")

    deadline = time.monotonic() + 120
    first = read()
    while first[1].startswith("0 /") and time.monotonic() < deadline:  # still preparing data
        page.wait_for_timeout(500)
        first = read()
    assert not first[1].startswith("0 /"), f"training never started: {first}"
    second = first
    while second == first and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        second = read()
    assert second != first, f"progress did not advance: {first} → {second}"
    b1, b2 = (int(v.split("/")[0]) for v in (first[1], second[1]))
    assert b2 > b1 or second[0] != first[0]
    _screenshot(page, artifacts / "train.png")

    page.get_by_role("button", name="Cancel this run").click()
    deadline = time.monotonic() + 90
    status = runs.load_run(job.run_id).status
    while status == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        status = runs.load_run(job.run_id).status
    assert status == "cancelled", status
    return {"first": first, "second": second, "status": status}


def test_main_path_in_a_real_browser(app_url, chromium, trained_run, evidence_run, artifacts):
    """The path a new user takes: the default run is the evidence model (best validation MRR)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, dict[str, float]] = {name: {} for name in PAGES}
    job = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            # --- first round: every page once (warm-up), with its checks
            t0 = time.perf_counter()
            page.goto(app_url)
            _key_overview(page)
            times["overview"]["first_s"] = time.perf_counter() - t0
            _idle(page)
            _check_overview(page, trained_run)
            _screenshot(page, artifacts / "overview.png")

            times["predictions"]["first_s"] = _navigate(page, "predictions")
            _idle(page)
            _check_predictions(page)
            page.get_by_text("Evidence paths").first.wait_for(timeout=30_000)
            _screenshot(page, artifacts / "predictions.png")

            times["signed_walk"]["first_s"] = _navigate(page, "signed_walk")
            _idle(page)
            _check_signed_walk(page)
            _screenshot(page, artifacts / "signed_walk.png")

            times["train"]["first_s"] = _navigate(page, "train")
            _idle(page)
            job = _start_tiny_job()
            progress = _watch_and_cancel(page, job, artifacts)

            times["evaluate"]["first_s"] = _navigate(page, "evaluate")
            _idle(page, timeout_ms=COLD_TIMEOUT_MS)
            _screenshot(page, artifacts / "evaluate.png")

            # --- two more rounds: warm render times
            for round_ in (1, 2):
                for name in PAGES:
                    times[name][f"warm{round_}_s"] = _navigate(page, name)
                    _idle(page)
        finally:
            browser.close()
            if job is not None:
                _stop_job(job)

    (artifacts / "render_times.json").write_text(
        json.dumps(
            {
                "what": "seconds from the sidebar click to the page's key element being visible; "
                "first = first visit (warms the server caches, not asserted), warm1/warm2 = "
                "second and third visits (recorded, not asserted: bench/bench_pages.py "
                "measures page speed)",
                "browser": "Debian Chromium, headless, via Playwright",
                "viewport": VIEWPORT,
                "pages": {k: {kk: round(v, 3) for kk, v in t.items()} for k, t in times.items()},
                "train_progress": {
                    "first_read": progress["first"],
                    "second_read": progress["second"],
                },
            },
            indent=1,
        )
    )
    missing = [n for n in PAGES if not (artifacts / f"{n}.png").is_file()]
    assert not missing, f"no screenshot of {missing}"
    # every page came back on both warm visits with its key element (KEYS): timed, not limited
    assert all({"warm1_s", "warm2_s"} <= set(t) for t in times.values()), times
