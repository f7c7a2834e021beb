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
from ddi_core.facts.names import TIER_WORDS
from ui.text import plain

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
    st.error(plain(f"No single {kind} matches “{query}” ({how} name)."))
    if not exc.suggestions:
        st.info(f"No close name either: pick a {kind} from the list instead.")
        return
    st.markdown("Did you mean:")
    cols = st.columns(min(len(exc.suggestions), 5))
    for i, s in enumerate(exc.suggestions):
        cols[i % len(cols)].button(
            s, key=f"{query_key}.suggest.{i}", on_click=_fill, args=(query_key, s)
        )


def _take_typed_text(
    query_key: str,
    select_key: str,
    ids: set[str],
    lookup: Callable[[str], tuple[str, str]],
) -> None:
    """Before the widgets are drawn: a typed name that resolves to an entity of the select
    box moves the select box there, so the two never disagree (the text stays: it keeps
    the choice when the select box's options change, e.g. another seed source)."""
    text = str(st.session_state.get(query_key) or "").strip()
    if not text:
        return
    try:
        m = _TRAILING_ID.search(text)
        picked, how = lookup(m.group(1)) if m else lookup(text)
    except UnknownEntityError:
        return  # shown by the picker with its suggestions
    if picked in ids:
        st.session_state[select_key] = picked


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
    lookup: Callable[[str], tuple[str, str]] | None = None,
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
    lookup : callable, optional
        Text -> ``(id, how it was found)`` (:func:`ddi_core.facts.names.lookup_drug`);
        default ``resolve`` with no "how".
    """
    ids = options[id_column].tolist()
    labels = dict(zip(ids, options["label"], strict=True))
    lookup = lookup or (lambda q: (resolve(q), ""))
    _take_typed_text(query_key, select_key, set(ids), lookup)
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
        "…or type a name, brand name, abbreviation or MeSH id",
        key=query_key,
        placeholder=placeholder,
    )
    query = (query or "").strip()
    if not query:
        return chosen
    try:
        m = _TRAILING_ID.search(query)
        picked, how = lookup(m.group(1)) if m else lookup(query)
    except UnknownEntityError as exc:
        _unresolved(kind, query, exc, query_key)
        return None
    st.caption(plain(f"“{query}” → {name_of(picked)} ({picked})" + (f", {how}" if how else "")))
    return picked


#: Examples in the text boxes: every one resolves (tests/integration/test_names_real.py).
DRUG_EXAMPLES = ("glucophage", "imatinib", "D008687")
DISEASE_EXAMPLES = ("breast cancer", "T2D", "D003924")
DRUG_PLACEHOLDER = "e.g. " + ", ".join(DRUG_EXAMPLES)
DISEASE_PLACEHOLDER = "e.g. " + ", ".join(DISEASE_EXAMPLES)


def with_words(lookup: Callable[[str], tuple[str, str]]) -> Callable[[str], tuple[str, str]]:
    """A ``lookup`` whose "how" is in words (``""`` for a plain id or primary name)."""

    def run(q: str) -> tuple[str, str]:
        found, tier = lookup(q)
        return found, "" if tier in ("id", "ctd_name", "mesh_label") else TIER_WORDS.get(tier, "")

    return run


def drug_picker(options: pd.DataFrame, *, select_label: str = "Drug", **kw) -> str | None:
    """:func:`entity_picker` over drugs (``options``: ``chemical_id``, ``label``)."""
    return entity_picker(
        options,
        kind="drug",
        id_column="chemical_id",
        placeholder=DRUG_PLACEHOLDER,
        select_label=select_label,
        **kw,
    )


def disease_picker(options: pd.DataFrame, *, select_label: str = "Disease", **kw) -> str | None:
    """:func:`entity_picker` over diseases (``options``: ``disease_id``, ``label``)."""
    return entity_picker(
        options,
        kind="disease",
        id_column="disease_id",
        placeholder=DISEASE_PLACEHOLDER,
        select_label=select_label,
        **kw,
    )


__all__ = [
    "DISEASE_EXAMPLES",
    "DISEASE_PLACEHOLDER",
    "DRUG_EXAMPLES",
    "DRUG_PLACEHOLDER",
    "disease_picker",
    "drug_picker",
    "entity_picker",
    "resolve_query",
    "with_words",
]
