"""Searchable drug and disease pickers: a select box plus a free-text box.

The select box lists the entities a page can use (labelled "name (MeSH id)";
the box filters as one types). The text box takes any CTD name, MeSH label or
synonym, brand name, abbreviation or MeSH id, resolved by
:func:`ddi_core.facts.names.resolve_drug` or :func:`~ddi_core.facts.names.resolve_disease`; while it holds text it
wins over the select box. An unknown or ambiguous text shows an error with
"did you mean" buttons that fill the text box: never a traceback.
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
    """Id of a typed query.

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


def _unresolved(kind: str, query: str, exc: UnknownEntityError, query_key: str) -> None:
    """The error for a text that names no single entity, with "did you mean" buttons."""
    ambiguous = bool(exc.suggestions) and all(_TRAILING_ID.search(s) for s in exc.suggestions)
    how = "ambiguous" if ambiguous else "unknown"
    log.info("%s picker: %s query %r", kind, how, query)
    st.error(f"No single {kind} matches “{query}” ({how} name).")
    if not exc.suggestions:
        st.info(f"No close name either: pick a {kind} from the list instead.")
        return
    st.markdown("Did you mean:")
    cols = st.columns(min(len(exc.suggestions), 5))
    for i, s in enumerate(exc.suggestions):
        cols[i % len(cols)].button(
            s, key=f"{query_key}.suggest.{i}", on_click=_fill, args=(query_key, s)
        )


def entity_picker(
    options: pd.DataFrame,
    *,
    kind: str,
    id_column: str,
    select_key: str,
    query_key: str,
    resolve: Callable[[str], str],
    name_of: Callable[[str], str],
    placeholder: str,
    default_id: str | None = None,
    select_label: str,
    select_help: str | None = None,
) -> str | None:
    """Render a picker; return the chosen id, or ``None`` when the typed text
    does not resolve (the error and suggestions are then shown).

    Parameters
    ----------
    options : pandas.DataFrame
        ``id_column`` and ``label`` of the entities in the select box (non-empty).
    kind : str
        "drug" or "disease" (messages and log lines).
    select_key, query_key : str
        Session-state keys of the two widgets (from :mod:`ui.state`).
    resolve : callable
        Text -> id, raising :class:`UnknownEntityError`.
    name_of : callable
        Id -> display name.
    default_id : str, optional
        Initial selection when it is among the options (else the first one).
    """
    ids = options[id_column].tolist()
    labels = dict(zip(ids, options["label"], strict=True))
    if st.session_state.get(select_key) not in labels:
        st.session_state[select_key] = default_id if default_id in labels else ids[0]
    left, right = st.columns([3, 2])
    chosen = left.selectbox(
        select_label,
        ids,
        key=select_key,
        format_func=labels.__getitem__,
        help=select_help,
        on_change=_clear,
        args=(query_key,),
    )
    query = right.text_input(
        "…or type a name, synonym or MeSH id", key=query_key, placeholder=placeholder
    )
    query = (query or "").strip()
    if not query:
        return chosen
    try:
        picked = resolve_query(query, resolve)
    except UnknownEntityError as exc:
        _unresolved(kind, query, exc, query_key)
        return None
    st.caption(f"“{query}” → **{name_of(picked)}** ({picked})")
    return picked


def drug_picker(options: pd.DataFrame, *, select_label: str = "Drug", **kw) -> str | None:
    """:func:`entity_picker` over drugs (``options``: ``chemical_id``, ``label``)."""
    return entity_picker(
        options,
        kind="drug",
        id_column="chemical_id",
        placeholder="e.g. glucophage, D008687",
        select_label=select_label,
        **kw,
    )


def disease_picker(options: pd.DataFrame, *, select_label: str = "Disease", **kw) -> str | None:
    """:func:`entity_picker` over diseases (``options``: ``disease_id``, ``label``)."""
    return entity_picker(
        options,
        kind="disease",
        id_column="disease_id",
        placeholder="e.g. NIDDM, D003924",
        select_label=select_label,
        **kw,
    )


__all__ = ["disease_picker", "drug_picker", "entity_picker", "resolve_query"]
