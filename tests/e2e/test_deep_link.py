"""A deep link is the first request to a freshly started server.

Streamlit treats ``pages/`` as its legacy page list until ``app.py`` has run
once; without :func:`ui.routing.ensure_router` the page script would run
bare (browser title "train", sidebar of raw file names such as "app").
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

#: The router's sidebar titles, in order (``app.py``).
TITLES = ["Overview", "Predictions", "Signed walk", "Train", "Evaluate"]


def test_first_request_is_a_deep_link(real_home, chromium, artifacts):
    from playwright.sync_api import sync_playwright

    with streamlit_server(artifacts / "streamlit-deeplink.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/train")
            page.locator("h1", has_text="Train").wait_for(timeout=120_000)
            page.locator('[data-testid="stSidebarNav"] a').first.wait_for(timeout=60_000)
            links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
            # Material icon names come first in each link's text ("model_training\n\nTrain")
            shown = [text.split("\n")[-1].strip() for text in links]
            assert shown == TITLES, links
            assert page.title() == "DDI Explorer"
            assert page.url.rstrip("/").endswith("/train")
        finally:
            browser.close()
