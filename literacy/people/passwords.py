"""Password rules (OWASP ASVS 5.0 6.2): 8 to 256 characters, no composition rules, and not one of
the 30,000 most common passwords (the list shipped with zxcvbn)."""

from __future__ import annotations

import functools

MIN_LENGTH, MAX_LENGTH = 8, 256


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str) -> str | None:
    """Why a password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."
    if password.lower() in _common():
        return (
            "This is one of the most common passwords, so it is easy to guess. "
            "Choose another (a long phrase works well)."
        )
    return None
