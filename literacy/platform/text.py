"""Typed and imported text as people should see it. Pure."""

from __future__ import annotations

import unicodedata


def plain(value: str) -> str:
    """Drop control characters (except newlines and tabs) and invisible format characters: bidi
    overrides and isolates, zero-width spaces and joiners, the byte-order mark. A name with a
    right-to-left override could otherwise show a manager something other than what it is."""
    return "".join(
        ch for ch in value if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127 and unicodedata.category(ch) != "Cf")
    )
