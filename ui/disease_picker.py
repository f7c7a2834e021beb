"""A searchable disease picker: the disease twin of :mod:`ui.drug_picker`.

A select box over a run's candidate diseases ("name (MeSH id)", filtered as
one types) plus a free-text box resolved by
:func:`ddi_core.data.entities.resolve_disease` (CTD name, MeSH label or
synonym, MeSH id). While the text box holds text it wins over the select box.
An unknown or ambiguous text shows an error with "did you mean" buttons that
fill the text box: never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd
import streamlit as st

from ddi_core.errors import UnknownEntityError
from ui.drug_picker import resolve_query

log = logging.getLogger(__name__)


def _clear(key: str) -> None:
    st.session_state[key] = ""


def _fill(key: str, value: str) -> None:
    st.session_state[key] = value


def _suggestions(query: str, exc: UnknownEntityError, query_key: str) -> None:
    ambiguous = bool(exc.suggestions) and all(s.rstrip().endswith(")") for s in exc.suggestions)
    st.error(f"No single disease matches “{query}” ({'ambiguous' if ambiguous else 'unknown'} "
             "name).")
    if not exc.suggestions:
        st.info("No close name either: pick a disease from the list instead.")
        return
    st.markdown("Did you mean:")
    cols = st.columns(min(len(exc.suggestions), 5))
    for i, s in enumerate(exc.suggestions):
        cols[i % len(cols)].button(s, key=f"{query_key}.suggest.{i}", on_click=_fill,
                                   args=(query_key, s))


def disease_picker(
    options: pd.DataFrame,
    *,
    select_key: str,
    query_key: str,
    resolve: Callable[[str], str],
    name_of: Callable[[str], str],
    default_id: str | None = None,
    select_label: str = "Disease",
) -> str | None:
    """Render the picker; return the chosen MeSH id, or ``None`` when the typed
    text does not resolve (the error and suggestions are then shown).

    Parameters
    ----------
    options : pandas.DataFrame
        ``disease_id`` and ``label`` of the diseases in the select box (non-empty).
    select_key, query_key : str
        Session-state keys of the two widgets (from :mod:`ui.state`).
    resolve : callable
        Text -> MeSH id, raising :class:`UnknownEntityError`.
    name_of : callable
        MeSH id -> display name.
    default_id : str, optional
        Initial selection when it is among the options (else the first one).
    """
    ids = options["disease_id"].tolist()
    labels = dict(zip(ids, options["label"], strict=True))
    if st.session_state.get(select_key) not in labels:
        st.session_state[select_key] = default_id if default_id in labels else ids[0]
    left, right = st.columns([3, 2])
    chosen = left.selectbox(select_label, ids, key=select_key, format_func=labels.__getitem__,
                            on_change=_clear, args=(query_key,))
    query = right.text_input("…or type a name, synonym or MeSH id", key=query_key,
                             placeholder="e.g. NIDDM, D003924")
    query = (query or "").strip()
    if not query:
        return chosen
    try:
        disease_id = resolve_query(query, resolve)
    except UnknownEntityError as exc:
        log.info("disease picker: unresolved query %r", query)
        _suggestions(query, exc, query_key)
        return None
    st.caption(f"“{query}” → **{name_of(disease_id)}** ({disease_id})")
    return disease_id
