"""Cached data of the *Signed walk* page.

Like :mod:`ui.data`, every cached function takes the data home as its first
argument, so a changed ``DDI_HOME`` never serves stale results. The signaling
network is a shared resource (``st.cache_resource``, one per network and home;
a :class:`~ddi_core.graphs.SignedGraph` is immutable); walk results, the
displayed subnetwork and its HTML are data (``st.cache_data``), keyed by the
drug and the walk parameters.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import streamlit as st

from ddi_core.graphs import NetworkName, SignedGraph
from ddi_core.walk import ExactWalk
from ddi_core.walk_view import WalkSubnetwork
from ui.data import home

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Loading the signaling network…", max_entries=6)
def _graph(data_home: str, network: NetworkName) -> SignedGraph:
    from ddi_core.graphs import load_signaling_network

    return load_signaling_network(network)


def graph(network: NetworkName) -> SignedGraph:
    """The signed signaling network ``network`` (loaded once per server)."""
    return _graph(home(), network)


@st.cache_data(show_spinner=False, max_entries=6)
def _drug_options(data_home: str, network: NetworkName) -> pd.DataFrame:
    from ddi_core.data import entities
    from ddi_core.walk_view import drugs_in_network

    return drugs_in_network(_graph(data_home, network), entities.signed_dti(), entities.drugs())


def drug_options(network: NetworkName) -> pd.DataFrame:
    """Drugs with a signed target in ``network``: chemical_id, name, label, counts."""
    return _drug_options(home(), network)


@st.cache_data(show_spinner=False)
def _drug_names(data_home: str) -> dict[str, str]:
    from ddi_core.data import entities

    d = entities.drugs().drop_duplicates("chemical_id")
    return dict(zip(d["chemical_id"], d["name"].fillna("").astype(str), strict=True))


def drug_name(drug_id: str) -> str:
    """CTD name of a chemical (its id when it has none)."""
    return _drug_names(home()).get(drug_id) or drug_id


@st.cache_data(show_spinner=False, max_entries=64)
def _targets(data_home: str, network: NetworkName, drug_id: str) -> pd.DataFrame:
    from ddi_core.data import entities
    from ddi_core.walk_view import target_table

    dti = entities.signed_dti()
    return target_table(_graph(data_home, network), dti[dti["chemical_id"] == drug_id])


def targets(network: NetworkName, drug_id: str) -> pd.DataFrame:
    """The drug's signed targets (:func:`ddi_core.walk_view.target_table`)."""
    return _targets(home(), network, drug_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _walk(data_home: str, network: NetworkName, drug_id: str, alpha: float, decay: float,
          steps: int) -> ExactWalk:
    from ddi_core.walk_view import drug_walk

    return drug_walk(_graph(data_home, network), _targets(data_home, network, drug_id),
                     alpha=alpha, decay=decay, max_steps=steps)


def walk(network: NetworkName, drug_id: str, *, alpha: float, decay: float,
         steps: int) -> ExactWalk:
    """The drug's exact walk over the whole network (cached)."""
    return _walk(home(), network, drug_id, alpha, decay, steps)


@st.cache_data(show_spinner="Laying out the subnetwork…", max_entries=64)
def _view(data_home: str, network: NetworkName, drug_id: str, alpha: float, decay: float,
          steps: int, cap: int, focus: int | None = None) -> tuple[WalkSubnetwork, np.ndarray]:
    from ddi_core.walk_view import seeds_of
    from ui.walk_focus import focused_subnetwork
    from ui.walk_graph import layout

    g = _graph(data_home, network)
    sub = focused_subnetwork(g, _walk(data_home, network, drug_id, alpha, decay, steps),
                             seeds_of(_targets(data_home, network, drug_id)), cap=cap,
                             focus=focus)
    return sub, layout(sub)


def view(network: NetworkName, drug_id: str, *, alpha: float, decay: float, steps: int,
         cap: int, focus: int | None = None) -> tuple[WalkSubnetwork, np.ndarray]:
    """The displayed subnetwork and its node positions; ``focus`` (an Entrez id) is drawn
    too when the walk reaches it (:func:`ui.walk_focus.focused_subnetwork`)."""
    return _view(home(), network, drug_id, alpha, decay, steps, cap, focus)


@st.cache_data(show_spinner=False, max_entries=32)
def _html(data_home: str, network: NetworkName, drug_id: str, alpha: float, decay: float,
          steps: int, cap: int, step: int, height_px: int, focus: int | None = None) -> str:
    from ui.walk_graph import walk_html

    sub, xy = _view(data_home, network, drug_id, alpha, decay, steps, cap, focus)
    return walk_html(sub, initial_step=step, height_px=height_px, positions=xy, focus=focus)


def html(network: NetworkName, drug_id: str, *, alpha: float, decay: float, steps: int,
         cap: int, step: int, height_px: int, focus: int | None = None) -> str:
    """The animated network's HTML, first frame ``step``; ``focus`` is labelled and selected."""
    return _html(home(), network, drug_id, alpha, decay, steps, cap, step, height_px, focus)


@st.cache_data(show_spinner=False)
def _gene_symbols(data_home: str) -> dict[int, str]:
    from ddi_core.data import entities

    g = entities.genes()
    return dict(zip(g["entrez"].astype(int), g["symbol"].fillna("").astype(str), strict=True))


def gene_symbol(entrez: int) -> str | None:
    """HGNC symbol of a gene (``None`` when unknown)."""
    return _gene_symbols(home()).get(int(entrez)) or None
