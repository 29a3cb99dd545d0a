"""Staff or external: whether a person works for the organisation or for an agency, contractor or
partner on its behalf. EU AI Act Article 4 asks for the AI literacy of both, so every list says
which. Pure: the words a CSV or form may use, and what makes a pair of values valid."""

from __future__ import annotations

AGENCY_MAX = 200  # as the users table holds
# what a roster's "external" column may say, lower-cased; blank means staff
WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False, "": False}
STAFF, EXTERNAL = "staff", "external"
KINDS = {STAFF: "Staff", EXTERNAL: "External"}


def parse(text: str) -> bool | None:
    """True for an external person, False for staff, None for a word that says neither."""
    return WORDS.get(text.strip().lower())


def problem(external: bool, agency: str) -> str | None:
    """Why this pair cannot be saved, or None: an external person needs the firm they come from."""
    if external and not agency.strip():
        return "Give the agency, contractor or partner firm of an external person."
    if len(agency.strip()) > AGENCY_MAX:
        return f"The firm's name is longer than {AGENCY_MAX} characters."
    return None


def kind(external: bool) -> str:
    return EXTERNAL if external else STAFF


def label(external: bool, agency: str) -> str:
    """How the audit log names it: "Staff", or "External (Northlight Media)"."""
    return f"External ({agency})" if external else "Staff"
