"""Refresh the README's screenshots: run the browser test, copy its screenshots.

    python scripts/refresh_screenshots.py

Runs ``tests/e2e/test_browser.py`` (a real Streamlit server and Chromium, on
the trained test runs) with ``DDI_E2E_ARTIFACTS`` pointing at a temporary
folder, then copies each page's PNG into ``assets/screenshots/``. The test
suite itself never writes into the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = ("overview", "predictions", "signed_walk", "train", "evaluate")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ddi-shots-") as tmp:
        env = {**os.environ, "DDI_E2E_ARTIFACTS": tmp}
        rc = subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "tests/e2e/test_browser.py"], cwd=REPO, env=env
        )
        if rc != 0:
            print(
                f"the browser test failed (exit {rc}); screenshots left as they were",
                file=sys.stderr,
            )
            return rc
        out = REPO / "assets" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        for name in PAGES:
            shutil.copyfile(Path(tmp) / f"{name}.png", out / f"{name}.png")
            print(f"assets/screenshots/{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
