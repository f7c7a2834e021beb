"""DDI Explorer: Streamlit entry point (router + page config only)."""

import logging

import streamlit as st

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("pooch").setLevel(logging.WARNING)

st.set_page_config(page_title="DDI Explorer", page_icon=":material/medication:", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/predictions.py", title="Predictions", icon=":material/target:"),
    st.Page("pages/signed_walk.py", title="Signed walk", icon=":material/hub:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/monitoring:"),
]
st.navigation(pages).run()
