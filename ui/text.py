"""User text (query parameters, uploaded file names and lines, error messages that
quote them) shown as plain text.

Streamlit renders messages as Markdown. :func:`plain` collapses line breaks (so
no block construct can start) and backslash-escapes the characters that make
inline Markdown: code, emphasis, links and images, HTML, LaTeX, strikethrough,
colour directives (``:red[…]`` needs a ``[``), and the bare URLs that GFM would
turn into links. Everything else is left as typed, so a message stays readable
("line 3: unknown drug 'foo'").
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>$~])")
_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")


#: Breaks an automatic link without changing what a reader sees (a zero-width space).
_ZWSP = "\u200b"


def plain(text: object, limit: int = 500) -> str:
    """``text`` as literal Markdown, at most ``limit`` characters (then "…").

    A scheme's ``://`` and a ``www.`` get a zero-width space inside (``https:\u200b//``):
    GFM links a bare URL even after a backslash escape, not after that."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = _INLINE.sub(r"\\\1", s)
    return _AUTOLINK.sub(
        lambda m: ":" + _ZWSP + "//" if m.group(1) == "://" else m.group(1)[:-1] + _ZWSP + ".", s
    )


__all__ = ["plain"]
