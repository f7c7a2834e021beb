"""User text is rendered inert: no Markdown link, image, colour, emphasis or bare URL."""

from __future__ import annotations

import re

from ui.text import plain

PAYLOADS = [
    "![x](https://evil.example/p.png) :red[**Session expired: [log in](https://evil.example)**]",
    "[x](https://evil.example)",
    "see https://evil.example/login or www.evil.example",
    "<img src=x onerror=alert(1)> $x^2$ ~~gone~~ `code` *em* _em_",
]


def test_payloads_are_inert():
    for p in PAYLOADS:
        s = plain(p)
        assert not re.search(r"(?<!\\)[\[\]<>`*_$~]", s), s  # every marker escaped
        assert "://" not in s and "www." not in s, s  # no bare URL GFM would link
        assert s.replace("\\", "").replace("\u200b", "") == " ".join(p.split())  # as typed


def test_long_text_is_cut_and_lines_joined():
    assert plain("a\n\nb") == "a b"
    assert len(plain("x" * 10_000, limit=100)) == 100 and plain("x" * 200, 100).endswith("…")
