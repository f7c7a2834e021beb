"""Overview: what data the dashboard stands on, with coverage and licences."""

import pandas as pd
import streamlit as st

from ddi_core.errors import DDIError
from ui import data

st.title("DDI Explorer")
st.caption(
    "Drug–disease interaction prediction from network biology and deep learning: "
    "signed random walks over the human signaling network, node2vec and InfoGraph embeddings."
)

st.header("Data coverage")
try:
    rep = data.coverage_report()
except DDIError as exc:
    st.error(f"The data bundle is not ready: {exc}")
    st.info("Run `./run.sh` (or `ddi data fetch`) to fetch and verify the bundle.")
    st.stop()

scalars = {k: v for k, v in rep.items() if isinstance(v, int | float)}
cols = st.columns(4)
headline = [
    ("CTD drug–disease pairs", "ctd_pairs"),
    ("CTD chemicals", "ctd_chemicals"),
    ("chemicals with SMILES", "chemicals_with_smiles"),
    ("chemicals with signed targets", "chemicals_with_signed_targets"),
]
for col, (label, key) in zip(cols, headline, strict=True):
    col.metric(label, f"{rep.get(key, 0):,}")
st.dataframe(
    pd.DataFrame({"measure": list(scalars), "value": list(scalars.values())}),
    hide_index=True,
    width="stretch",
)
nested = {k: v for k, v in rep.items() if isinstance(v, dict)}
for name, table in nested.items():
    with st.expander(name.replace("_", " ")):
        st.json(table)

st.header("Sources and licences")
st.dataframe(pd.DataFrame(data.licences()), hide_index=True, width="stretch")
