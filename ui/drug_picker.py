"""A searchable drug picker: a select box plus a free-text box resolved by name.

The select box lists the drugs a page can use (labelled "name (MeSH id)"; the
box filters as one types). The text box takes any CTD name, MeSH synonym or
id, resolved by :func:`ddi_core.data.entities.resolve_drug`; while it holds
text it wins over the select box. An unknown or ambiguous text shows an error
with "did you mean" buttons that fill the text box: never a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from ddi_core.errors import UnknownEntityError

log = logging.getLogger(__name__)

_TRAILING_ID = re.compile(r"\(\s*((?:MESH:)?[CD]\d+)\s*\)\s*$", re.I)


def resolve_query(text: str, resolve: Callable[[str], str]) -> str:
    """Chemical id of a typed query.

    A trailing "(D008687)" (the form of the select box labels and of the
    suggestions for an ambiguous name) is taken as the id; anything else goes
    to ``resolve`` (which raises :class:`UnknownEntityError` when unknown).
    """
    m = _TRAILING_ID.search(text)
    return resolve(m.group(1) if m else text)


def _clear(key: str) -> None:
    st.session_state[key] = ""


def _fill(key: str, value: str) -> None:
    st.session_state[key] = value


def drug_picker(
    options: pd.DataFrame,
    *,
    select_key: str,
    query_key: str,
    resolve: Callable[[str], str],
    name_of: Callable[[str], str],
    default_id: str | None = None,
    select_label: str = "Drug",
    select_help: str | None = None,
) -> str | None:
    """Render the picker; return the chosen chemical id, or ``None`` when the
    typed text does not resolve (the error and suggestions are then shown).

    Parameters
    ----------
    options : pandas.DataFrame
        ``chemical_id`` and ``label`` of the drugs in the select box (non-empty).
    select_key, query_key : str
        Session-state keys of the two widgets (from :mod:`ui.state`).
    resolve : callable
        Text -> chemical id, raising :class:`UnknownEntityError`.
    name_of : callable
        Chemical id -> display name.
    default_id : str, optional
        Initial selection when it is among the options (else the first one).
    """
    ids = options["chemical_id"].tolist()
    labels = dict(zip(ids, options["label"], strict=True))
    if st.session_state.get(select_key) not in labels:
        st.session_state[select_key] = default_id if default_id in labels else ids[0]
    left, right = st.columns([3, 2])
    chosen = left.selectbox(select_label, ids, key=select_key, format_func=labels.__getitem__,
                            help=select_help, on_change=_clear, args=(query_key,))
    query = right.text_input("…or type a name, synonym or MeSH id", key=query_key,
                             placeholder="e.g. glucophage, D008687")
    query = (query or "").strip()
    if not query:
        return chosen
    try:
        drug_id = resolve_query(query, resolve)
    except UnknownEntityError as exc:
        kind = "ambiguous" if exc.suggestions and all(_TRAILING_ID.search(s)
                                                      for s in exc.suggestions) else "unknown"
        log.info("drug picker: %s query %r", kind, query)
        st.error(f"No single drug matches “{query}” ({kind} name).")
        if exc.suggestions:
            st.markdown("Did you mean:")
            cols = st.columns(min(len(exc.suggestions), 5))
            for i, s in enumerate(exc.suggestions):
                cols[i % len(cols)].button(s, key=f"{query_key}.suggest.{i}", on_click=_fill,
                                           args=(query_key, s))
        else:
            st.info("No close name either: pick a drug from the list instead.")
        return None
    st.caption(f"“{query}” → **{name_of(drug_id)}** ({drug_id})")
    return drug_id
