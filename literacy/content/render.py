"""Markdown to sanitised HTML: convert, then clean with an allowlist so only safe markup survives."""

from __future__ import annotations

import threading

import markdown
import nh3

TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "abbr",
}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}


_converters = threading.local()  # one Markdown converter per thread: building one costs more than converting


def _converter() -> markdown.Markdown:
    if not hasattr(_converters, "markdown"):
        _converters.markdown = markdown.Markdown(extensions=["tables", "sane_lists", "smarty"])
    return _converters.markdown


def to_html(text: str) -> str:
    """Render Markdown and sanitise the result (no scripts, no event handlers, safe links only)."""
    html = _converter().reset().convert(text)
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel="noopener noreferrer")


def word_count(text: str) -> int:
    """Words of prose, ignoring Markdown punctuation such as list bullets and table rules."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))
