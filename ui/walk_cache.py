"""Cached data of the *Signed walk* page.

Like :mod:`ui.data`, every cached function takes the data home as its first
argument, so a changed ``DDI_HOME`` never serves stale results. The signaling
network is a shared resource (``st.cache_resource``, one per network, edge
setting and home; a :class:`~ddi_core.graphs.signaling.SignedGraph` is immutable); walk
results, the displayed subnetwork and its HTML are data (``st.cache_data``),
keyed by the drug, the walk parameters and the walk's *variant*:

* ``include_phy``: HSN's unsigned physical ('Phy') edges walked too, with the
  paper's rule that every edge that is not 'Pos' flips the walker's sign
  (``load_signaling_network("hsn", include_phy=True, phy_sign=-1)``; HSN only);
* ``seeds``: a *seed key* from :func:`seed_key`: ``"known"`` (the drug's rows of
  ``entities.signed_dti()``) or ``"known+predicted@<profiles entry>"`` (those plus
  the drug-target classifier's calls, read from the cached walk profiles of that
  configuration, :func:`ddi_core.walk.profiles.cached_profiles`; the entry name is in
  the key, so recomputed profiles never mix with old ones).

Nothing here computes the target classifier: predicted seeds are shown only when
they are already cached.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import streamlit as st

from ddi_core.config.run import WalkConfig
from ddi_core.data import entities
from ddi_core.graphs.signaling import NetworkName, SignedGraph, load_signaling_network
from ddi_core.walk import profiles as walk_profiles
from ddi_core.walk.algorithm import ExactWalk
from ddi_core.walk.compare import WalkComparison, compare_walks
from ddi_core.walk.seeds import phy_allowed, predicted_seed_table, seed_rows, variant_config
from ddi_core.walk.view import WalkSubnetwork
from ui.data import home

log = logging.getLogger(__name__)

# Session-state keys of the page's variant widgets (the page's other keys are in ui.state).
#: Edge setting: "signed" (signed edges only) or "all" (every HSN edge).
WALK_EDGES = "signed_walk.edges"
#: Seed setting: "known" or "known+predicted".
WALK_SEEDS = "signed_walk.seeds"

EDGES = {
    "signed": "signed edges only",
    "all": "every HSN edge (non-'Pos' flips the sign, as the paper says)",
}
SEEDS = {
    "known": "known targets",
    "known+predicted": "known + predicted targets (the paper preset)",
}
KNOWN = "known"
PREDICTED = "known+predicted"


#: Nodes drawn by default: the drug's targets and the top genes by |value|. 150 keeps the
#: canvas readable and a warm page under a second of drawing (300: ~1.0 s, 150: ~0.65 s
#: in headless Chromium on one laptop core, most of it vis-network parsing and drawing).
DEFAULT_CAP = 150


def walk_config(network: NetworkName, include_phy: bool, seeds: str = PREDICTED) -> WalkConfig:
    """The walk configuration of a page variant (``seeds``: a seed setting or key)."""
    return variant_config(network, include_phy, seeds.split("@", 1)[0])


# ------------------------------------------------------------------ network
@st.cache_resource(show_spinner="Loading the signaling network…", max_entries=6)
def _graph(data_home: str, network: NetworkName, include_phy: bool = False) -> SignedGraph:
    if include_phy:  # the walk's own sign for 'Phy' edges (the paper: non-'Pos' inhibits)
        sign = walk_config(network, include_phy).phy_sign
        return load_signaling_network(network, include_phy=True, phy_sign=sign)
    return load_signaling_network(network)


def graph(network: NetworkName, include_phy: bool = False) -> SignedGraph:
    """The signed signaling network ``network`` (loaded once per server); with
    ``include_phy`` (HSN) every edge, 'Phy' ones with sign −1."""
    return _graph(home(), network, bool(include_phy) and phy_allowed(network))


# ----------------------------------------------------------- predicted seeds
def _profiles_stamp() -> tuple[tuple[str, int], ...]:
    """The cached walk-profile entries (name, meta mtime): a new entry changes it."""
    from ddi_core import paths

    out = []
    for meta in (paths.cache_dir() / "profiles").glob("*/meta.json"):
        try:
            out.append((meta.parent.name, meta.stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(out))


@st.cache_data(show_spinner="Reading the cached predicted targets…", max_entries=8)
def _predicted(
    data_home: str, network: NetworkName, include_phy: bool, stamp: tuple
) -> tuple[str, pd.DataFrame] | None:
    """(profiles entry, predicted seeds: chemical_id, entrez, sign, probability), or None."""
    prof = walk_profiles.cached_profiles(walk_config(network, include_phy, PREDICTED))
    if prof is None:
        return None
    seeds = predicted_seed_table(prof.seeds)
    key = str(prof.meta.get("cache_key") or "profiles")
    log.info(
        "signed walk: %d predicted seeds of %d drugs from profiles %s",
        len(seeds),
        seeds["chemical_id"].nunique(),
        key,
    )
    return key, seeds


def _predicted_now(
    data_home: str, network: NetworkName, include_phy: bool
) -> tuple[str, pd.DataFrame] | None:
    return _predicted(data_home, network, include_phy, _profiles_stamp())


def seed_key(network: NetworkName, include_phy: bool, seeds: str) -> str | None:
    """The seed key of a variant: "known", "known+predicted@<entry>", or ``None`` when
    predicted seeds are asked for but their profiles were never computed."""
    if seeds == KNOWN:
        return KNOWN
    got = _predicted_now(home(), network, bool(include_phy) and phy_allowed(network))
    return None if got is None else f"{PREDICTED}@{got[0]}"


def _predicted_of(
    data_home: str, network: NetworkName, include_phy: bool, seeds: str
) -> pd.DataFrame | None:
    """All predicted seeds of a seed key (``None`` for "known")."""
    if seeds == KNOWN:
        return None
    got = _predicted_now(data_home, network, include_phy)
    if got is None or seeds != f"{PREDICTED}@{got[0]}":
        raise RuntimeError(f"the predicted seeds {seeds!r} are no longer cached; reload the page")
    return got[1]


# ------------------------------------------------------------------ drugs
@st.cache_data(show_spinner=False, max_entries=12)
def _drug_options(
    data_home: str, network: NetworkName, include_phy: bool = False, seeds: str = KNOWN
) -> pd.DataFrame:
    from ddi_core.data import entities
    from ddi_core.walk.view import drugs_in_network

    dti = entities.signed_dti()[["chemical_id", "entrez"]]
    pred = _predicted_of(data_home, network, include_phy, seeds)
    if pred is not None:
        dti = pd.concat([dti, pred[["chemical_id", "entrez"]]], ignore_index=True)
        dti = dti.drop_duplicates(["chemical_id", "entrez"])
    return drugs_in_network(_graph(data_home, network, include_phy), dti, entities.drugs())


def drug_options(
    network: NetworkName, include_phy: bool = False, seeds: str = KNOWN
) -> pd.DataFrame:
    """Drugs with a seed in the network under the variant: chemical_id, name, label,
    counts (with predicted seeds, drugs that only have predicted ones too)."""
    return _drug_options(home(), network, bool(include_phy) and phy_allowed(network), seeds)


@st.cache_data(show_spinner=False)
def _drug_names(data_home: str) -> dict[str, str]:
    d = entities.drugs().drop_duplicates("chemical_id")
    return dict(zip(d["chemical_id"], d["name"].fillna("").astype(str), strict=True))


def drug_name(drug_id: str) -> str:
    """CTD name of a chemical (its id when it has none)."""
    return _drug_names(home()).get(drug_id) or drug_id


# ------------------------------------------------------------------ seeds and walk
@st.cache_data(show_spinner=False, max_entries=64)
def _seed_rows(
    data_home: str, network: NetworkName, include_phy: bool, seeds: str, drug_id: str
) -> pd.DataFrame:
    """A drug's seeds (:func:`ddi_core.walk.seeds.seed_rows`)."""
    pred = _predicted_of(data_home, network, include_phy, seeds)
    return seed_rows(drug_id, entities.signed_dti(), pred, _gene_symbols(data_home))


@st.cache_data(show_spinner=False, max_entries=64)
def _targets(
    data_home: str,
    network: NetworkName,
    include_phy: bool,
    seeds: str,
    drug_id: str,
    on_phy: bool | None = None,
) -> pd.DataFrame:
    """The variant's seeds as a target table against the graph with ``on_phy``
    edges (default: the variant's own)."""
    from ddi_core.walk.view import target_table

    g = _graph(data_home, network, include_phy if on_phy is None else on_phy)
    return target_table(g, _seed_rows(data_home, network, include_phy, seeds, drug_id))


def targets(
    network: NetworkName, drug_id: str, *, include_phy: bool = False, seeds: str = KNOWN
) -> pd.DataFrame:
    """The drug's seeds (:func:`ddi_core.walk.view.target_table`, with ``seed_source``
    and ``probability``); ``seeds`` is a :func:`seed_key`."""
    return _targets(home(), network, bool(include_phy) and phy_allowed(network), seeds, drug_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _walk(
    data_home: str,
    network: NetworkName,
    include_phy: bool,
    seeds: str,
    drug_id: str,
    alpha: float,
    decay: float,
    steps: int,
    on_phy: bool | None = None,
) -> ExactWalk:
    from ddi_core.walk.view import drug_walk

    g_phy = include_phy if on_phy is None else on_phy
    return drug_walk(
        _graph(data_home, network, g_phy),
        _targets(data_home, network, include_phy, seeds, drug_id, on_phy),
        alpha=alpha,
        decay=decay,
        max_steps=steps,
    )


def walk(
    network: NetworkName,
    drug_id: str,
    *,
    alpha: float,
    decay: float,
    steps: int,
    include_phy: bool = False,
    seeds: str = KNOWN,
) -> ExactWalk:
    """The drug's exact walk over the whole network (cached)."""
    return _walk(
        home(),
        network,
        bool(include_phy) and phy_allowed(network),
        seeds,
        drug_id,
        alpha,
        decay,
        steps,
    )


@st.cache_data(show_spinner="Laying out the subnetwork…", max_entries=64)
def _view(
    data_home: str,
    network: NetworkName,
    include_phy: bool,
    seeds: str,
    drug_id: str,
    alpha: float,
    decay: float,
    steps: int,
    cap: int,
    focus: int | None = None,
) -> tuple[WalkSubnetwork, np.ndarray]:
    from ddi_core.walk.view import seeds_of
    from ui.walk_focus import focused_subnetwork
    from ui.walk_graph import layout

    g = _graph(data_home, network, include_phy)
    sub = focused_subnetwork(
        g,
        _walk(data_home, network, include_phy, seeds, drug_id, alpha, decay, steps),
        seeds_of(_targets(data_home, network, include_phy, seeds, drug_id)),
        cap=cap,
        focus=focus,
    )
    return sub, layout(sub)


def view(
    network: NetworkName,
    drug_id: str,
    *,
    alpha: float,
    decay: float,
    steps: int,
    cap: int,
    focus: int | None = None,
    include_phy: bool = False,
    seeds: str = KNOWN,
) -> tuple[WalkSubnetwork, np.ndarray]:
    """The displayed subnetwork and its node positions; ``focus`` (an Entrez id) is drawn
    too when the walk reaches it (:func:`ui.walk_focus.focused_subnetwork`)."""
    return _view(
        home(),
        network,
        bool(include_phy) and phy_allowed(network),
        seeds,
        drug_id,
        alpha,
        decay,
        steps,
        cap,
        focus,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _html(
    data_home: str,
    network: NetworkName,
    include_phy: bool,
    seeds: str,
    drug_id: str,
    alpha: float,
    decay: float,
    steps: int,
    cap: int,
    step: int,
    height_px: int,
    focus: int | None = None,
) -> str:
    from ui.walk_graph import walk_html

    sub, xy = _view(
        data_home, network, include_phy, seeds, drug_id, alpha, decay, steps, cap, focus
    )
    return walk_html(sub, initial_step=step, height_px=height_px, positions=xy, focus=focus)


def html(
    network: NetworkName,
    drug_id: str,
    *,
    alpha: float,
    decay: float,
    steps: int,
    cap: int,
    step: int,
    height_px: int,
    focus: int | None = None,
    include_phy: bool = False,
    seeds: str = KNOWN,
) -> str:
    """The animated network's HTML, first frame ``step``; ``focus`` is labelled and selected."""
    return _html(
        home(),
        network,
        bool(include_phy) and phy_allowed(network),
        seeds,
        drug_id,
        alpha,
        decay,
        steps,
        cap,
        step,
        height_px,
        focus,
    )


# ------------------------------------------------------------------ comparison
@st.cache_data(show_spinner=False, max_entries=64)
def _compare(
    data_home: str,
    network: NetworkName,
    include_phy: bool,
    seeds: str,
    drug_id: str,
    alpha: float,
    decay: float,
    steps: int,
    other_phy: bool,
    other_seeds: str,
    k: int = 5,
) -> WalkComparison:
    g = _graph(data_home, network, include_phy)
    here = _walk(data_home, network, include_phy, seeds, drug_id, alpha, decay, steps)
    if other_seeds == seeds:  # the other edges, this variant's seeds
        og = _graph(data_home, network, other_phy)
        there = _walk(
            data_home, network, include_phy, seeds, drug_id, alpha, decay, steps, on_phy=other_phy
        )
        table = _targets(data_home, network, include_phy, seeds, drug_id, on_phy=other_phy)
    else:  # these edges, the other seeds
        og = g
        there = _walk(data_home, network, include_phy, other_seeds, drug_id, alpha, decay, steps)
        table = _targets(data_home, network, include_phy, other_seeds, drug_id)
    return compare_walks(g, here.values, og, there.values, int(table["in_network"].sum()), k)


def compare_edges(
    network: NetworkName,
    drug_id: str,
    *,
    alpha: float,
    decay: float,
    steps: int,
    include_phy: bool,
    seeds: str,
) -> WalkComparison:
    """This walk against the same seeds walked with the other HSN edge setting."""
    phy = bool(include_phy) and phy_allowed(network)
    return _compare(home(), network, phy, seeds, drug_id, alpha, decay, steps, not phy, seeds)


def compare_seeds(
    network: NetworkName,
    drug_id: str,
    *,
    alpha: float,
    decay: float,
    steps: int,
    include_phy: bool,
    seeds: str,
    other_seeds: str,
) -> WalkComparison:
    """This walk against the other seed setting (a :func:`seed_key`) on the same edges."""
    phy = bool(include_phy) and phy_allowed(network)
    return _compare(home(), network, phy, seeds, drug_id, alpha, decay, steps, phy, other_seeds)


# ------------------------------------------------------------------ genes
@st.cache_data(show_spinner=False)
def _gene_symbols(data_home: str) -> dict[int, str]:
    g = entities.genes()
    return dict(zip(g["entrez"].astype(int), g["symbol"].fillna("").astype(str), strict=True))


def gene_symbol(entrez: int) -> str | None:
    """HGNC symbol of a gene (``None`` when unknown)."""
    return _gene_symbols(home()).get(int(entrez)) or None
