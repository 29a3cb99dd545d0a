"""CSV output that a spreadsheet opens as data, never as formulas. Pure."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet may split a cell on any of these (its locale's separator, a tab, a line break), so a
# formula start right after one is neutralised too: "a;=7+8" becomes "a;'=7+8".
SPLIT_THEN_FORMULA = re.compile(r"([,;\t\r\n])([=+\-@\t\r])")


def neutralise(value) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe (OWASP advice)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # numbers are data, not formulas
    text = SPLIT_THEN_FORMULA.sub(r"\1'\2", "" if value is None else str(value))
    return "'" + text if text.startswith(DANGEROUS) else text


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


RESTORE_SPLIT = re.compile(r"([,;\t\r\n])'([=+\-@\t\r])")


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a file this platform wrote."""
    text = RESTORE_SPLIT.sub(r"\1\2", value)
    return text[1:] if text.startswith("'") and text[1:2] and text[1] in DANGEROUS else text
