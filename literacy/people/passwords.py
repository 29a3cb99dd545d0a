"""Password rules (OWASP ASVS 5.0 6.2): 8 to 256 characters, no composition rules, not one of the
30,000 most common passwords (the list shipped with zxcvbn), and not containing the account's own
email, the part before its @, its name or a word of its name (four letters or more), which are
the first things a guesser tries."""

from __future__ import annotations

import functools

MIN_LENGTH, MAX_LENGTH = 8, 256


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


MIN_NAME_WORD = 4


def problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a password is refused, or None when it is acceptable. ``email`` and ``name`` are the
    account's, when known."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."
    if password.lower() in _common():
        return (
            "This is one of the most common passwords, so it is easy to guess. "
            "Choose another (a long phrase works well)."
        )
    if _personal(password, email, name):
        return "Choose a password that does not contain your email address or your name."
    return None


def _personal(password: str, email: str, name: str) -> bool:
    typed = "".join(password.lower().split())
    email = email.strip().lower()
    words = [word for word in name.lower().split() if len(word) >= MIN_NAME_WORD]
    pieces = [email, email.partition("@")[0], "".join(name.lower().split()), *words]
    return any(len(piece) >= 3 and piece in typed for piece in pieces)
