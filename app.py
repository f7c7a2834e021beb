"""DDI Explorer: Streamlit entry point (router + page config only)."""

import logging

import streamlit as st

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("pooch").setLevel(logging.WARNING)

st.set_page_config(page_title="DDI Explorer", page_icon="💊", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
    st.Page("pages/predictions.py", title="Predictions", icon="🎯"),
    st.Page("pages/signed_walk.py", title="Signed walk", icon="🧭"),
    st.Page("pages/train.py", title="Train", icon="🏋️"),
    st.Page("pages/evaluate.py", title="Evaluate", icon="📈"),
]
st.navigation(pages).run()
