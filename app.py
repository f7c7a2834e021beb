"""DDI Explorer: Streamlit entry point (the router of ``ui.routing`` and logging only)."""

import logging

from ui.routing import navigation

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("pooch").setLevel(logging.WARNING)

navigation().run()
