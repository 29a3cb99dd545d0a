"""Back-off between retries of work that talks to another server (the LRS, the mail server). Pure."""

from __future__ import annotations

from datetime import timedelta

FIRST_SECONDS = 30
MAX_SECONDS = 3600


def backoff(tries: int) -> timedelta:
    """30 s after the first failure, doubling to at most an hour."""
    return timedelta(seconds=min(FIRST_SECONDS * 2 ** max(tries - 1, 0), MAX_SECONDS))
