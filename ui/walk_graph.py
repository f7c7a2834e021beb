"""Self-contained HTML of a drug's walk subnetwork, animated step by step.

A pyvis network (``cdn_resources="in_line"``: vis-network is embedded, no CDN)
of a :class:`ddi_core.walk.view.WalkSubnetwork`, with the per-step trace of
the displayed nodes embedded as JSON (``<script id="walk-data">``) and a small
player (play / pause / step buttons, a range slider) that recolours and
resizes the nodes with vis.js ``nodes.update`` on a timer, so the animation
runs in the browser without Streamlit reruns.

Encoding (see :func:`node_colours`, :func:`node_sizes`): red = positive value
(activated), blue = negative (inhibited), grey = not reached yet; colour
intensity and size grow with ``log10 |value|`` over :data:`DECADES` decades
below the largest ``|value|`` in the whole trace, so every frame shares one
scale. Drug targets are diamonds with a dark border; edges are grey, with an
arrowhead for activation and a bar (dashed line) for inhibition.

No streamlit here: the page calls :func:`walk_html` and embeds its result.
"""

from __future__ import annotations

import functools
import json
import logging
import re

import jinja2
import networkx as nx
import numpy as np
from pyvis.network import Network

from ddi_core.walk.view import WalkSubnetwork

log = logging.getLogger(__name__)

#: Decades of ``|value|`` the colour and size scale spans below its maximum.
DECADES = 3.0
#: Colour of a node whose value is exactly zero (not reached yet).
ZERO = "#d9d9d9"
#: Light and strong ends of the positive (activation) and negative (inhibition) scales.
POS = ("#fddbc7", "#b2182b")
NEG = ("#d1e5f0", "#2166ac")
#: Edge colours by sign (+1, -1, 0): neutral, so that colour always means a node's value;
#: the sign shows in the arrowhead (arrow / bar / circle) and inhibition is dashed.
EDGE_COLOURS = {1: "rgba(90,90,100,0.22)", -1: "rgba(90,90,100,0.30)", 0: "rgba(90,90,100,0.18)"}
#: Smallest and largest node size (pixels) on the intensity scale.
SIZE_RANGE = (5.0, 22.0)
TARGET_BORDER = "#111111"
#: Half width and half height (vis.js pixels) of the layout of 300 nodes.
BOX = (700.0, 420.0)
#: Nodes labelled besides the targets: the first ones (largest final |value|);
#: the others show their symbol on hover.
LABELLED = 60
#: Milliseconds between frames while playing.
FRAME_MS = 600

_CDN = re.compile(r"\s*<(?:link|script)\b[^>]*\bhttps?://[^>]*>(?:\s*</script>)?", re.I)
_EMPTY_HEADING = re.compile(r"\s*<center>\s*<h1>\s*</h1>\s*</center>", re.I)


def intensity(values: np.ndarray, vmax: float, decades: float = DECADES) -> np.ndarray:
    """Where each ``|value|`` sits on the log scale: 0 (``vmax * 10**-decades`` or
    less) to 1 (``vmax``); exactly 0 for a zero value."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    if vmax <= 0:
        return np.zeros_like(v)
    with np.errstate(divide="ignore"):
        level = (np.log10(np.where(v > 0, v, 1.0)) - np.log10(vmax)) / decades + 1.0
    return np.where(v > 0, np.clip(level, 0.0, 1.0), 0.0)


def _mix(a: str, b: str, w: np.ndarray) -> list[str]:
    ca = np.array([int(a[i : i + 2], 16) for i in (1, 3, 5)], np.float64)
    cb = np.array([int(b[i : i + 2], 16) for i in (1, 3, 5)], np.float64)
    rgb = np.rint(ca + (cb - ca) * np.asarray(w)[:, None]).astype(int)
    return [f"#{r:02x}{g:02x}{bl:02x}" for r, g, bl in rgb]


def node_colours(values: np.ndarray, vmax: float, decades: float = DECADES) -> list[str]:
    """Hex colour of each value: red scale if > 0, blue if < 0, :data:`ZERO` if 0."""
    values = np.asarray(values, dtype=np.float64)
    w = intensity(values, vmax, decades)
    pos, neg = _mix(*POS, w), _mix(*NEG, w)
    return [
        p if v > 0 else n if v < 0 else ZERO
        for v, p, n in zip(values.tolist(), pos, neg, strict=True)
    ]


def node_sizes(values: np.ndarray, vmax: float, decades: float = DECADES) -> np.ndarray:
    """Node size in pixels, :data:`SIZE_RANGE` over the intensity scale."""
    lo, hi = SIZE_RANGE
    return lo + (hi - lo) * intensity(values, vmax, decades)


def scale_max(sub: WalkSubnetwork) -> float:
    """The ``|value|`` at the top of the scale: the largest over the whole trace."""
    return float(np.abs(sub.trace).max()) if sub.trace.size else 0.0


def walk_frames(sub: WalkSubnetwork, *, initial_step: int, decades: float = DECADES) -> dict:
    """The JSON the player reads: per-step values, colours and sizes of every node.

    Returns
    -------
    dict
        ``steps`` (L), ``initial`` (first frame shown), ``interval`` (ms),
        ``ids`` (Entrez ids), ``symbols``, ``target`` (the drug's sign on each
        node, 0 for non-targets), ``values`` (``(L + 1, k)``, 6 significant
        digits), ``color`` and ``size`` (per step, per node), ``vmax``.
    """
    L = sub.trace.shape[0] - 1
    vmax = scale_max(sub)
    return {
        "steps": int(L),
        "initial": int(min(max(initial_step, 0), L)),
        "interval": FRAME_MS,
        "ids": [int(i) for i in sub.node_ids],
        "symbols": list(sub.symbols),
        "target": [int(s) for s in sub.target_sign],
        "values": [[float(f"{v:.6g}") for v in row] for row in sub.trace.tolist()],
        "color": [node_colours(row, vmax, decades) for row in sub.trace],
        "size": [[round(float(s), 1) for s in node_sizes(row, vmax, decades)] for row in sub.trace],
        "vmax": vmax,
    }


def layout(
    sub: WalkSubnetwork,
    *,
    seed: int = 0,
    iterations: int = 30,
    gravity: float = 0.05,
    spread: float = 1.5,
) -> np.ndarray:
    """Fixed node positions ``(k, 2)`` in vis.js pixels (spring layout, seeded).

    Computed once in Python so the browser draws without a physics simulation.
    ``gravity`` is the weight of a spring from each node to a virtual centre
    (edges weigh 1), ``spread`` scales the optimal node distance.
    """
    k = sub.n_nodes
    if k == 0:
        return np.zeros((0, 2))
    g = nx.Graph()
    g.add_nodes_from(range(k))
    g.add_edges_from(((int(s), int(d)) for s, d, _ in sub.edges if s != d), weight=1.0)
    # a weak spring from every node to a virtual hub keeps nodes that are not
    # connected to the rest (dead-end targets, small components) close by
    g.add_edges_from(((k, i) for i in range(k)), weight=gravity)
    pos = nx.spring_layout(g, seed=seed, iterations=iterations, k=spread / np.sqrt(k + 1))
    xy = np.array([pos[i] for i in range(k)], dtype=np.float64)
    xy -= np.median(xy, axis=0)
    # pull stragglers in to the rim of the bulk, so that the view is not zoomed out for them
    r = np.hypot(xy[:, 0], xy[:, 1])
    rim = float(np.quantile(r, 0.95)) if k > 1 else 1.0
    far = r > rim
    xy[far] *= (rim * (1.0 + 0.05 * np.arange(far.sum()) / max(far.sum(), 1)) / r[far])[:, None]
    # fill a BOX-shaped area (the canvas is wider than high)
    span = np.maximum(np.abs(xy).max(axis=0), 1e-9)
    return xy / span * np.array(BOX) * np.sqrt(max(k, 50) / 300.0)


def _script_json(obj: object) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(obj, separators=(",", ":")).replace("<", "\\u003c")


@functools.cache
def _template_env(template_dir: str) -> jinja2.Environment:
    """pyvis' template environment, compiled once per process (saves ~0.2 s a page)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir))


def _network(sub: WalkSubnetwork, frames: dict, xy: np.ndarray, height_px: int) -> Network:
    net = Network(
        height=f"{height_px}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
        bgcolor="#ffffff",
    )
    net.templateEnv = _template_env(net.template_dir)
    t0 = frames["initial"]
    focus = frames.get("focus")
    for i, nid in enumerate(frames["ids"]):
        sign = frames["target"][i]
        colour = frames["color"][t0][i]
        border = TARGET_BORDER if sign else colour
        focused = nid == focus
        net.add_node(
            nid,
            label=frames["symbols"][i] if sign or focused or i < LABELLED else " ",
            shape="diamond" if sign else "dot",
            color={
                "background": colour,
                "border": border,
                "highlight": {"background": colour, "border": "#000000"},
                "hover": {"background": colour, "border": "#000000"},
            },
            borderWidth=3 if sign else 1,
            size=frames["size"][t0][i],
            x=round(float(xy[i, 0]), 1),
            y=round(float(xy[i, 1]), 1),
            font={"size": 16 if sign or focused else 12, "bold": bool(sign or focused)},
            title=frames["symbols"][i],
        )
    ids = frames["ids"]
    for s, d, sign in sub.edges.tolist():  # activation is the default edge style (options)
        style: dict = {}
        if sign < 0:
            style = {
                "color": EDGE_COLOURS[-1],
                "dashes": [4, 3],
                "arrows": {"to": {"enabled": True, "type": "bar"}},
            }
        elif sign == 0:
            style = {
                "color": EDGE_COLOURS[0],
                "arrows": {"to": {"enabled": True, "type": "circle"}},
            }
        net.add_edge(ids[s], ids[d], **style)
    net.options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 100, "hideEdgesOnDrag": True},
        "nodes": {"font": {"face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {
            "smooth": False,
            "width": 0.8,
            "selectionWidth": 2,
            "color": EDGE_COLOURS[1],
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4, "type": "arrow"}},
        },
    }
    return net


_STYLE = """
<style>
  body { margin: 0; font-family: "Source Sans Pro", sans-serif; font-size: 14px; color: #31333f; }
  #walk-bar { display: flex; align-items: center; gap: 8px; padding: 6px 4px; flex-wrap: wrap; }
  #walk-bar button { border: 1px solid #c8c8d0; background: #fff; border-radius: 6px;
                     padding: 3px 10px; font-size: 14px; cursor: pointer; min-width: 2.4em; }
  #walk-bar button:hover { border-color: #2b6cb0; color: #2b6cb0; }
  #walk-t { flex: 1 1 220px; accent-color: #2b6cb0; }
  #walk-tlabel { min-width: 7.5em; font-variant-numeric: tabular-nums; }
  #walk-legend { display: flex; gap: 16px; flex-wrap: wrap; padding: 0 4px 6px; color: #555;
                 font-size: 13px; align-items: center; }
  .sw { display: inline-block; width: 44px; height: 10px; border-radius: 5px;
        vertical-align: middle; margin-right: 4px; }
  .dia { display: inline-block; width: 10px; height: 10px; transform: rotate(45deg);
         border: 2px solid #111; background: #e6e6ea; margin: 0 6px 0 2px; }
  #mynetwork { float: none !important; border: 1px solid #e6e6ea !important; border-radius: 6px; }
  .vis-tooltip { white-space: pre-line !important; font-family: sans-serif !important; }
</style>
"""

_CONTROLS = """
<div id="walk-bar">
  <button id="walk-first" title="back to the start (t = 0)">t = 0</button>
  <button id="walk-back" title="one step back">&#x25C0; step</button>
  <button id="walk-play" title="play / pause">&#x25B6; play</button>
  <button id="walk-next" title="one step forward">step &#x25B6;</button>
  <input id="walk-t" type="range" min="0" max="{steps}" step="1" value="{initial}"
         aria-label="walk step">
  <span id="walk-tlabel">t = {initial} / {steps}</span>
</div>
<div id="walk-legend">
  <span><span class="sw" style="background:linear-gradient(90deg,{pos0},{pos1})"></span>
        activated (value &gt; 0)</span>
  <span><span class="sw" style="background:linear-gradient(90deg,{neg0},{neg1})"></span>
        inhibited (value &lt; 0)</span>
  <span>paler / smaller = weaker (log scale, {decades:g} decades)</span>
  <span><span class="dia"></span>drug target (walk seed)</span>
  <span>edges: &rarr; activates, &#x22A3; (dashed) inhibits</span>
</div>
"""

_PLAYER = """
<script type="application/json" id="walk-data">{data}</script>
<script type="text/javascript">
(function () {
  var D = JSON.parse(document.getElementById("walk-data").textContent);
  var slider = document.getElementById("walk-t");
  var label = document.getElementById("walk-tlabel");
  var playBtn = document.getElementById("walk-play");
  var t = D.initial, timer = null;
  var BORDER = "%(border)s";
  function fmt(v) { return (v > 0 ? "+" : "") + (v === 0 ? "0" : v.toPrecision(3)); }
  function show(step) {
    t = Math.max(0, Math.min(D.steps, step));
    slider.value = t;
    label.textContent = "t = " + t + " / " + D.steps;
    var col = D.color[t], size = D.size[t], val = D.values[t], fin = D.values[D.steps];
    var upd = new Array(D.ids.length);
    for (var i = 0; i < D.ids.length; i++) {
      var tg = D.target[i];
      var role = tg ? "\\ndrug target (" + (tg > 0 ? "activated" : "inhibited") + " by the drug)" : "";
      upd[i] = {
        id: D.ids[i], size: size[i],
        color: {background: col[i], border: tg ? BORDER : col[i],
                highlight: {background: col[i], border: "#000"},
                hover: {background: col[i], border: "#000"}},
        title: D.symbols[i] + " (Entrez " + D.ids[i] + ")" + role +
               "\\nvalue at t = " + t + ": " + fmt(val[i]) + "\\nfinal value (t = " + D.steps +
               "): " + fmt(fin[i])
      };
    }
    nodes.update(upd);
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playBtn.innerHTML = "&#x25B6; play";
  }
  function play() {
    if (t >= D.steps) { show(0); }
    playBtn.innerHTML = "&#x275A;&#x275A; pause";
    timer = setInterval(function () {
      if (t >= D.steps) { stop(); return; }
      show(t + 1);
    }, D.interval);
  }
  playBtn.onclick = function () { if (timer === null) { play(); } else { stop(); } };
  document.getElementById("walk-first").onclick = function () { stop(); show(0); };
  document.getElementById("walk-back").onclick = function () { stop(); show(t - 1); };
  document.getElementById("walk-next").onclick = function () { stop(); show(t + 1); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  show(t);
  if (D.focus !== undefined && D.focus !== null) { network.selectNodes([D.focus]); }
  network.once("afterDrawing", function () { document.body.setAttribute("data-walk-drawn", "1"); });
  document.body.setAttribute("data-walk-ready", "1");
})();
</script>
"""


def walk_html(
    sub: WalkSubnetwork,
    *,
    initial_step: int,
    height_px: int = 560,
    positions: np.ndarray | None = None,
    focus: int | None = None,
) -> str:
    """The complete, offline HTML page of the animated walk subnetwork.

    Parameters
    ----------
    sub : WalkSubnetwork
    initial_step : int
        Frame shown first (clipped to ``0..L``).
    height_px : int
        Height of the network canvas; the player and legend add about 70 px.
    positions : numpy.ndarray, optional
        ``(k, 2)`` node positions; :func:`layout` when omitted.
    focus : int, optional
        Entrez id of a focused gene: when drawn, it is always labelled (bold)
        and selected when the page opens (``"focus"`` in the walk data).

    Returns
    -------
    str
        HTML with vis-network inlined and no external resource. The network
        container carries ``data-nodes`` / ``data-edges`` (counts), and the
        trace is in ``<script id="walk-data" type="application/json">``
        (see :func:`walk_frames`).
    """
    frames = walk_frames(sub, initial_step=initial_step)
    if focus is not None and int(focus) in frames["ids"]:
        frames["focus"] = int(focus)
    xy = layout(sub) if positions is None else np.asarray(positions, dtype=np.float64)
    if xy.shape != (sub.n_nodes, 2):
        raise ValueError(f"positions must have shape ({sub.n_nodes}, 2), got {xy.shape}")
    html = _network(sub, frames, xy, height_px).generate_html()
    # pyvis' template pulls bootstrap from a CDN and prints an empty heading: drop both
    html = _CDN.sub("", html)
    html = _EMPTY_HEADING.sub("", html)
    controls = _CONTROLS.format(
        steps=frames["steps"],
        initial=frames["initial"],
        pos0=POS[0],
        pos1=POS[1],
        neg0=NEG[0],
        neg1=NEG[1],
        decades=DECADES,
    )
    html = html.replace("</head>", _STYLE + "</head>", 1)
    html = html.replace(
        '<div id="mynetwork" class="card-body"></div>',
        f'<div id="mynetwork" class="card-body" data-nodes="{sub.n_nodes}" '
        f'data-edges="{sub.edges.shape[0]}"></div>',
        1,
    )
    html = html.replace("<body>", "<body>" + controls, 1)
    player = (_PLAYER % {"border": TARGET_BORDER}).replace("{data}", _script_json(frames))
    idx = html.rindex("</body>")
    log.debug("walk html: %d nodes, %d edges, %d bytes", sub.n_nodes, sub.edges.shape[0], len(html))
    return html[:idx] + player + html[idx:]
