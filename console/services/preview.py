"""Render an answer the way the chat widget (web/static/chat.js) shows it.

The widget escapes everything, keeps line breaks, turns ``**bold**``, ``[title](https://...)`` and
bare http(s) URLs into markup, and nothing else. Staff preview with the same rules so what they
see is what citizens get; this module must follow chat.js if that changes.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

LINK_RE = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^\s()<>]+)\)|https?://[^\s<>\"'`]+")
BOLD_RE = re.compile(r"\*\*([^\n*][^\n]*?)\*\*")
_TRAILING = re.compile(r"[.,;:!?'\"”’»]+$")


def _link(href: str, label: str) -> str:
    return (
        f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">{escape(label)}'
        '<span class="visually-hidden"> (mở trong thẻ mới)</span></a>'
    )


def _linked(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in LINK_RE.finditer(text):
        raw, title, href = match.group(0), match.group(1), match.group(2)
        if not title:
            raw = _TRAILING.sub("", raw)
            if raw.endswith(")") and "(" not in raw:
                raw = raw[:-1]
            href = raw
        out.append(str(escape(text[last : match.start()])))
        out.append(_link(href, title or raw))
        last = match.start() + len(raw)
    out.append(str(escape(text[last:])))
    return "".join(out)


def render_answer(text: str) -> Markup:
    """Safe HTML for the preview bubble; line breaks are kept by CSS (``white-space: pre-wrap``)."""
    parts = BOLD_RE.split(text)
    html = [f"<strong>{_linked(part)}</strong>" if i % 2 else _linked(part) for i, part in enumerate(parts)]
    return Markup("".join(html))
