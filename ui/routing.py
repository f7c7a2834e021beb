"""The dashboard's router, and a guard that keeps every page behind it.

:func:`navigation` is what ``app.py`` runs: the page config and the
``st.navigation`` list of pages with their titles and icons.

Streamlit still knows the multipage layout of its first version, in which
every script in a ``pages/`` folder beside the main script is a page. The
product keeps its pages in ``pages/``, so until ``app.py`` has called
``st.navigation`` once, a freshly started server treats that folder as its
page list. When the first request to such a server is a deep link
(``/train``, a bookmark or a shared URL), Streamlit runs ``pages/train.py``
directly: no page config, and a sidebar listing raw file names (``app``,
``evaluate``, …) instead of the dashboard's navigation.

:func:`ensure_router` is the first call of every page. In that situation it
does what ``app.py`` would have done (page config, ``st.navigation``, which
also leaves the legacy mode for good) and lets the page go on: the page is
the right one, because a page's identity is the hash of its URL path in both
modes. It does not rerun, so a widget event of this run is not lost.
Everywhere else it does nothing.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

#: (script, title, Material icon) of every page, in sidebar order; the first is the default.
PAGES = (
    ("pages/overview.py", "Overview", ":material/home:"),
    ("pages/predictions.py", "Predictions", ":material/target:"),
    ("pages/signed_walk.py", "Signed walk", ":material/hub:"),
    ("pages/train.py", "Train", ":material/model_training:"),
    ("pages/evaluate.py", "Evaluate", ":material/monitoring:"),
)


def navigation() -> StreamlitPage:
    """Set the page config and register the pages; returns the page to run."""
    st.set_page_config(page_title="DDI Explorer", page_icon=":material/medication:", layout="wide")
    pages = [
        st.Page(script, title=title, icon=icon, default=i == 0)
        for i, (script, title, icon) in enumerate(PAGES)
    ]
    return st.navigation(pages)


def bypassed() -> bool:
    """True while Streamlit runs page files without ``app.py``'s router."""
    return bool(PagesManager.uses_pages_directory)


def ensure_router() -> None:
    """Install the router when this page was run without it (see the module doc)."""
    if bypassed():
        navigation()  # st.navigation also switches Streamlit out of the legacy mode


__all__ = ["PAGES", "bypassed", "ensure_router", "navigation"]
